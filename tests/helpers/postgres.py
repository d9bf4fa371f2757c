"""A real PostgreSQL server for the tests: a fresh database each, dropped afterwards.

scripts/test starts the server and puts a URL in COLLECTOR_WORKSTATION_TEST_PG. Without one a
test that needs PostgreSQL fails under CI (CI=true) and is skipped elsewhere, so a developer
without a server can still run the rest.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

ENV = "COLLECTOR_WORKSTATION_TEST_PG"


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
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return make_url(raw)  # type: ignore[arg-type]


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
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
