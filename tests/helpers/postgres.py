"""A real PostgreSQL server for the tests: a fresh database each, dropped afterwards.

scripts/test starts the server and puts a URL in COLLECTOR_WORKSTATION_TEST_PG. Without one a
test that needs PostgreSQL fails under CI (CI=true) and is skipped elsewhere, so a developer
without a server can still run the rest.

The admin URL reaches the server over its local socket. A workstation reaches it over TCP with
TLS (sslmode=verify-full), trusting the test CA that scripts/postgres made and names in
COLLECTOR_WORKSTATION_TEST_PG_CA: `server_tls()` is what to hand `Database`, `central_as` and
`sign_in`, `tls_environment()` what to give a command run in a process of its own.
"""

from __future__ import annotations

import atexit
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import InternalError, OperationalError

from app.database import TLS_ROOT_CERT_ENV, Tls

ENV = "COLLECTOR_WORKSTATION_TEST_PG"
CA_ENV = "COLLECTOR_WORKSTATION_TEST_PG_CA"
# Where scripts/postgres keeps the test CA when it sets the server up as root.
DEFAULT_CA = Path("/var/lib/postgresql/collector-workstation-test-tls/ca.crt")


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def server_url() -> URL:
    """The admin URL, or a failure (CI) / skip (elsewhere) saying why there is none."""
    raw = os.environ.get(ENV)
    why = None
    if not raw:
        why = f"no PostgreSQL server: {ENV} is not set (scripts/test sets it)"
    else:
        url = make_url(raw)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as error:
            why = (
                f"PostgreSQL at {url.render_as_string(hide_password=True)} is unreachable: {error}"
            )
        finally:
            engine.dispose()
    if why is not None:
        _unavailable(why)
    return make_url(raw)  # type: ignore[arg-type]


def server_ca() -> Path:
    """The CA certificate that signed the test server's TLS certificate, once the server is
    known to have TLS on; a failure (CI) or skip (elsewhere) saying why there is none."""
    admin_url = server_url()
    ca = Path(os.environ.get(CA_ENV) or DEFAULT_CA)
    if not ca.is_file():
        _unavailable(f"no CA certificate for the test server at {ca}: set {CA_ENV}")
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            ssl = connection.execute(text("SHOW ssl")).scalar_one()
    finally:
        engine.dispose()
    if ssl != "on":
        _unavailable("the test server has TLS off (scripts/postgres turns it on)")
    return ca


def server_tls(minimum: str = "verify-full") -> Tls:
    """What a workstation of the tests asks of the test server: TLS checked against its CA."""
    return Tls(minimum, str(server_ca()))


def tls_environment() -> dict[str, str]:
    """The environment for a command run apart (`python -m app …`) that reaches the test
    server over TCP: this one's, trusting the test CA."""
    return {**os.environ, TLS_ROOT_CERT_ENV: str(server_ca())}


def tcp_url(database_url: str, username: str, password: str) -> str:
    """`database_url`'s database as `username` over TCP to 127.0.0.1, as a workstation
    reaches it (no sslmode: the app adds verify-full)."""
    url = make_url(database_url)
    return url.set(
        username=username, password=password, host="127.0.0.1", port=url.port or 5432, query={}
    ).render_as_string(hide_password=False)


def _catalog_statement(connection: Connection, statement: str) -> None:
    """An autocommit statement that changes a database's row of the cluster's catalogue (DROP,
    GRANT, REVOKE on a database). Another test's `central init` revokes PUBLIC's CONNECT on
    every other database of the cluster, this one included, and PostgreSQL refuses the second
    of two such changes at the same moment ("tuple concurrently updated"): it is tried again."""
    for attempt in range(10):
        try:
            connection.execute(text(statement))
            return
        except InternalError as error:
            if "tuple concurrently updated" not in str(error) or attempt == 9:
                raise
            time.sleep(0.05 * (attempt + 1))


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database on the test server; its URL. Dropped (connections cut) after."""
    admin_url = server_url()
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            _catalog_statement(connection, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# The migrated template of this process (an xdist worker): made by the first
# `migrated_database`, dropped by `drop_migrated_template` at the session's end (tests/conftest.py).
_template: str | None = None


def _migrated_template(admin_url: URL) -> str:
    """The name of a database the migrations upgraded, made once a process. Nobody connects to
    it (datallowconn off), so that CREATE DATABASE may copy it and `central init` run by a
    test (which closes the cluster's other databases) leaves it alone."""
    global _template
    if _template is not None:
        return _template
    from app.database import Database

    name = f"cw_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        # At the latest when the process ends, should the session not (an xdist worker ends
        # without running these, so the session's end drops it: `drop_migrated_template`).
        atexit.register(_drop, admin_url, name)
        database = Database(admin_url.set(database=name).render_as_string(hide_password=False))
        try:
            database.upgrade()
        finally:
            database.dispose()
        with admin.connect() as connection:
            _catalog_statement(connection, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    finally:
        admin.dispose()
    _template = name
    return name


def drop_migrated_template() -> None:
    """Drop this process's migrated template, if one was made."""
    global _template
    if _template is not None:
        _drop(server_url(), _template)
        _template = None


def _drop(admin_url: URL, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            _catalog_statement(connection, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def _database_acl(connection: Connection, name: str) -> list[tuple[str, str, bool]]:
    """Who may do what on the database `name` (CONNECT, TEMPORARY, CREATE), as grants read."""
    rows = connection.execute(
        text(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
            " ELSE quote_ident(pg_get_userbyid(a.grantee)) END, a.privilege_type, a.is_grantable"
            " FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a"
            " WHERE d.datname = :name"
        ),
        {"name": name},
    )
    return sorted(
        (str(grantee), str(privilege), bool(grantable)) for grantee, privilege, grantable in rows
    )


@contextmanager
def migrated_database() -> Iterator[str]:
    """A new database upgraded by the migrations; its URL. Dropped (connections cut) after.

    A copy of the process's migrated template (CREATE DATABASE … TEMPLATE), a fraction of a
    second where the migrations take seconds. A copy does not carry the template's grants on
    the database itself (who may connect: the migrations revoke PUBLIC's CONNECT and grant it
    to the staff), so they are granted again, and checked to be the template's."""
    admin_url = server_url()
    template = _migrated_template(admin_url)
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            wanted = _database_acl(connection, template)
            _catalog_statement(connection, f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
            for grantee, privilege, grantable in wanted:
                option = " WITH GRANT OPTION" if grantable else ""
                _catalog_statement(
                    connection, f'GRANT {privilege} ON DATABASE "{name}" TO {grantee}{option}'
                )
            copied = _database_acl(connection, name)
            assert copied == wanted, f"the copy's grants {copied} are not the template's {wanted}"
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            _catalog_statement(connection, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
