"""Passwords a user asked the workstation to remember: kept in the OS keychain only.

"Remember me" on the sign-in dialog puts the central database's password in the keychain,
under an entry naming the server and the user; signing out forgets it. Nothing of it is
written to a file or to the settings. Without a usable keychain nothing is remembered.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError

from app.services.sync.local_store import KEYCHAIN_SERVICE, KeychainUnavailable, keychain_usable


def credential_entry(server: str, username: str) -> str:
    """The keychain entry of one user on one server (`server` as host:port/database)."""
    return f"central:{username}@{server}"


def remember_password(server: str, username: str, password: str) -> None:
    """Keep the password in the keychain; raises KeychainUnavailable where there is none."""
    if not keychain_usable():
        raise KeychainUnavailable("No keychain is available to remember the password.")
    try:
        keyring.set_password(KEYCHAIN_SERVICE, credential_entry(server, username), password)
    except KeyringError as error:
        raise KeychainUnavailable(
            "The keychain refused to remember the password ({reason}).",
            reason=str(error) or type(error).__name__,
        ) from None


def recall_password(server: str, username: str) -> str | None:
    """The remembered password, or None (never remembered, forgotten, or no keychain)."""
    if not keychain_usable():
        return None
    try:
        return keyring.get_password(KEYCHAIN_SERVICE, credential_entry(server, username))
    except KeyringError:
        return None


def forget_password(server: str, username: str) -> bool:
    """Sign-out: drop the remembered password. Whether there was one to drop."""
    if not keychain_usable():
        return False
    try:
        keyring.delete_password(KEYCHAIN_SERVICE, credential_entry(server, username))
    except keyring.errors.PasswordDeleteError:
        return False
    except KeyringError:
        return False
    return True
