"""Signing in over TLS: a server whose certificate does not check out, and the user's message
for a connection refused for want of TLS (the same English as app/database.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.database import (
    TLS_ENV,
    TLS_ROOT_CERT_ENV,
    Database,
    InsecureConnection,
    Tls,
    UnknownTlsMinimum,
)
from app.services.common.errors import InvalidInput
from app.services.sync.workstation import (
    ServerNotTrusted,
    ServerUnreachable,
    SignInFailed,
    central_as,
    connection_refusal,
    parse_server,
    sign_in,
)
from tests.helpers.postgres import server_ca, server_url
from tests.helpers.tls import make_ca


@pytest.fixture(autouse=True)
def _no_tls_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in (TLS_ENV, TLS_ROOT_CERT_ENV, "PGSSLMODE", "PGSSLROOTCERT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _test_server() -> str:
    """The test server as a user writes it, over TCP (its certificate is for 127.0.0.1)."""
    server_ca()  # TLS on, or fail (CI) / skip
    return f"127.0.0.1:{server_url().port or 5432}/postgres"


def test_a_certificate_from_another_ca_is_one_line_not_a_sign_in_refusal(tmp_path: Path) -> None:
    other = make_ca(tmp_path / "other-ca", "Someone else's CA")
    server = parse_server(_test_server())
    with pytest.raises(ServerNotTrusted) as failed:
        # The handshake fails before any password is sent: who signs in does not matter.
        sign_in(server, "zhang.wei", "a password", Tls(root_cert=str(other.certificate)))
    message = failed.value.message
    assert "\n" not in message
    assert message.startswith(f"The server {server} could not be reached securely:")
    assert "certificate verify failed" in message
    assert TLS_ROOT_CERT_ENV in message and "File → Settings → Root certificate" in message
    assert "a password" not in message
    # A server that cannot be trusted is one the shift goes on without (offline, on the copy).
    assert isinstance(failed.value, ServerUnreachable)


def test_no_root_certificate_at_all_is_said_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    server = parse_server(_test_server())
    # libpq says the root certificate "does not exist": not a refused user name.
    with pytest.raises(ServerNotTrusted) as failed:
        sign_in(server, "zhang.wei", "a password")
    assert "root certificate file" in failed.value.message
    # The variable supplies it: the server is trusted, and says no to this user.
    monkeypatch.setenv(TLS_ROOT_CERT_ENV, str(server_ca()))
    with pytest.raises(SignInFailed):
        sign_in(server, "nobody_here_at_all", "a password")


def test_a_tls_minimum_it_does_not_know_is_the_users_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TLS_ENV, "disable")
    with pytest.raises(InvalidInput) as refused:
        central_as(parse_server("db.example.cn/collector"), "zhang.wei", "a password")
    assert refused.value.message == (
        f"“disable” is not a TLS minimum: {TLS_ENV} and File → Settings → TLS minimum take"
        " verify-full or require."
    )


@pytest.mark.parametrize(
    ("url", "tls"),
    [
        ("postgresql+psycopg://u:p@db.example.cn/collector?sslmode=disable", Tls()),
        ("postgresql+psycopg://u:p@db.example.cn:6432/collector?sslmode=prefer", Tls("require")),
        ("postgresql+psycopg://u:p@db.example.cn/collector?sslmode=require", Tls()),
        ("postgresql+psycopg://u:p@db.example.cn/collector?sslmode=verify-ca", Tls()),
        ("postgresql+psycopg://u:p@db.example.cn/collector", Tls("verify-none")),
    ],
)
def test_the_users_message_is_the_databases_own_text(url: str, tls: Tls) -> None:
    with pytest.raises((InsecureConnection, UnknownTlsMinimum)) as refused:
        Database(url, tls=tls)
    assert isinstance(refused.value, InsecureConnection | UnknownTlsMinimum)
    assert connection_refusal(refused.value).message == str(refused.value)
