"""TLS to a central server: verify-full over TCP, refused before connecting when weaker.

Against the real test server, which scripts/postgres runs with ssl=on and a certificate for
localhost, 127.0.0.1 and ::1 from a CA of the tests' own; a second CA made here stands for one
the server's certificate is not from. Under CI these fail rather than skip without them.
"""

from __future__ import annotations

import secrets
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.database import (
    TLS_ENV,
    TLS_ROOT_CERT_ENV,
    Database,
    InsecureConnection,
    Tls,
    UnknownTlsMinimum,
)
from tests.helpers.postgres import fresh_database, server_ca, server_tls, server_url, tcp_url
from tests.helpers.tls import make_ca

ENCRYPTED = text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")


@pytest.fixture
def login() -> Iterator[str]:
    """A login role with a password on the test server and a database of its own (both gone
    after); its URL over TCP to 127.0.0.1, with no sslmode, as a workstation writes it."""
    admin = Database(server_url().render_as_string(hide_password=False))
    name, password = f"tls_t{uuid.uuid4().hex[:8]}", secrets.token_hex(12)
    with admin.engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    try:
        with fresh_database() as url:
            with admin.engine.begin() as connection:
                database = make_url(url).database
                connection.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO "{name}"')
            yield tcp_url(url, name, password)
    finally:
        with admin.engine.begin() as connection:
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture(autouse=True)
def _no_tls_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets: no variables of ours or libpq's, no ~/.postgresql/root.crt."""
    for variable in (TLS_ENV, TLS_ROOT_CERT_ENV, "PGSSLMODE", "PGSSLROOTCERT", "PGHOST"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _with(url: str, **query: str) -> str:
    parsed = make_url(url)
    return parsed.update_query_dict(query).render_as_string(hide_password=False)


def _encrypted(db: Database) -> bool:
    try:
        with db.engine.connect() as connection:
            return bool(connection.execute(ENCRYPTED).scalar_one())
    finally:
        db.dispose()


def test_verify_full_to_127_0_0_1_with_the_test_ca_is_encrypted(login: str) -> None:
    db = Database(login, tls=server_tls())
    with db.engine.connect() as connection:
        assert connection.execute(ENCRYPTED).scalar_one() is True
        # No sslmode in the URL: the app asked libpq for verify-full itself.
        info = connection.connection.dbapi_connection.info
        assert info.get_parameters()["sslmode"] == "verify-full"
    db.dispose()


def test_the_root_certificate_comes_from_the_environment_by_default(
    login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TLS_ROOT_CERT_ENV, str(server_ca()))
    assert _encrypted(Database(login))
    assert _encrypted(Database(_with(login, sslmode="verify-full")))


@pytest.mark.parametrize("sslmode", ["disable", "allow", "prefer"])
def test_a_cleartext_sslmode_over_tcp_is_refused_before_connecting(sslmode: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        url = f"postgresql+psycopg://zhang.wei:secret@127.0.0.1:{port}/collector?sslmode={sslmode}"
        with pytest.raises(InsecureConnection) as refused:
            Database(url)
        listener.settimeout(0.3)
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody knocked
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(
        f"The server 127.0.0.1:{port}/collector would be reached without TLS (sslmode={sslmode})"
    )
    assert TLS_ENV in message and "File → Settings → TLS minimum" in message
    assert "secret" not in message


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "db.example.cn"])
def test_loopback_is_tcp_like_any_other_host(host: str) -> None:
    with pytest.raises(InsecureConnection):
        Database(f"postgresql+psycopg://u:p@{host}:5432/collector?sslmode=disable")


def test_pgsslmode_counts_where_the_url_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGSSLMODE", "disable")
    with pytest.raises(InsecureConnection) as refused:
        Database("postgresql+psycopg://u:p@db.example.cn/collector")
    assert "(PGSSLMODE=disable)" in str(refused.value)
    # The URL's own sslmode wins over the variable, as it does in libpq.
    Database("postgresql+psycopg://u:p@db.example.cn/collector?sslmode=verify-full").dispose()


def test_require_is_refused_unless_the_administrator_allows_it(
    login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    required = _with(login, sslmode="require")
    with pytest.raises(InsecureConnection) as refused:
        Database(required)
    message = str(refused.value)
    assert "without checking its certificate (sslmode=require; the minimum is verify-full)" in (
        message
    )
    assert f"{TLS_ENV}=require" in message and "\n" not in message
    for weaker in ("verify-ca",):
        with pytest.raises(InsecureConnection):
            Database(_with(login, sslmode=weaker))
    monkeypatch.setenv(TLS_ENV, "require")
    assert _encrypted(Database(required))
    # Even then, never less than require.
    with pytest.raises(InsecureConnection):
        Database(_with(login, sslmode="prefer"))


def test_require_as_the_minimum_still_encrypts_a_url_without_sslmode(login: str) -> None:
    # No root certificate anywhere: require does not check the server's certificate.
    db = Database(login, tls=Tls("require"))
    with db.engine.connect() as connection:
        assert connection.execute(ENCRYPTED).scalar_one() is True
        info = connection.connection.dbapi_connection.info
        assert info.get_parameters()["sslmode"] == "require"
    db.dispose()


def test_a_certificate_from_another_ca_fails_on_one_line(login: str, tmp_path: Path) -> None:
    other = make_ca(tmp_path / "other-ca", "Someone else's CA")
    db = Database(login, tls=Tls(root_cert=str(other.certificate)))
    with pytest.raises(OperationalError) as failed, db.engine.connect():
        pass
    db.dispose()
    reason = str(failed.value.orig).strip()
    assert "\n" not in reason and "certificate verify failed" in reason


def test_without_any_root_certificate_verify_full_does_not_connect(login: str) -> None:
    db = Database(login)  # HOME has no ~/.postgresql/root.crt
    with pytest.raises(OperationalError) as failed, db.engine.connect():
        pass
    db.dispose()
    assert "root certificate file" in str(failed.value.orig)


def test_a_name_the_certificate_does_not_carry_fails_under_verify_full(login: str) -> None:
    # Dialled as db.example.cn at the server's address: the certificate names localhost.
    url = make_url(login)
    renamed = url.set(host="db.example.cn", query={"hostaddr": "127.0.0.1"})
    db = Database(renamed.render_as_string(hide_password=False), tls=server_tls())
    with pytest.raises(OperationalError) as failed, db.engine.connect():
        pass
    db.dispose()
    assert 'does not match host name "db.example.cn"' in str(failed.value.orig)
    # The same name is fine where the administrator chose require: nothing is checked.
    assert _encrypted(Database(renamed.render_as_string(hide_password=False), tls=Tls("require")))


def test_the_local_socket_needs_no_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    admin = server_url()
    assert admin.query.get("host", "").startswith("/") or admin.host is None
    # Whatever is asked, a socket has no TLS and needs none: no refusal, no certificate.
    assert _encrypted(Database(admin.render_as_string(hide_password=False))) is False
    plain = admin.update_query_dict({"sslmode": "disable"}).render_as_string(hide_password=False)
    assert _encrypted(Database(plain)) is False
    monkeypatch.setenv("PGSSLMODE", "disable")
    assert _encrypted(Database(admin.render_as_string(hide_password=False))) is False


def test_the_embedded_database_needs_no_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TLS_ENV, "verify-full")
    monkeypatch.setenv("PGSSLMODE", "disable")
    db = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    db.dispose()


def test_a_minimum_it_does_not_know_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownTlsMinimum):
        Database("postgresql+psycopg://u:p@db.example.cn/collector", tls=Tls("prefer"))
    monkeypatch.setenv(TLS_ENV, "off")
    with pytest.raises(UnknownTlsMinimum) as refused:
        Database("postgresql+psycopg://u:p@db.example.cn/collector")
    assert str(refused.value).startswith(f"“off” is not a TLS minimum: {TLS_ENV}")


def test_the_environment_wins_over_the_windows_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Tls.chosen() == Tls("verify-full", "")
    assert Tls.chosen("require", "/etc/ca.crt") == Tls("require", "/etc/ca.crt")
    monkeypatch.setenv(TLS_ENV, " Verify-Full ")
    monkeypatch.setenv(TLS_ROOT_CERT_ENV, "/opt/ca.pem")
    assert Tls.chosen("require", "/etc/ca.crt") == Tls("verify-full", "/opt/ca.pem")
