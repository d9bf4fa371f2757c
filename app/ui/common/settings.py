"""Every setting the window keeps, declared once with its type and default (QSettings).

Preferences are what the user chooses in the settings dialog; state is what the window
remembers by itself (geometry, splitters, the last user). They live in separate groups so that
"reset preferences" never forgets where the window was, and the other way round. Nothing
personal (borrowers' names and numbers) and no secret (passwords, the local data's key) is ever
kept here: those stay in the encrypted local copy and the keychain (tests/test_no_secrets.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings, QSize

T = TypeVar("T", str, bool, int, QByteArray)

ORGANISATION = "CollectorWorkstation"
APPLICATION = "collector-workstation"


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    kind: type[T]
    default: T


# Preferences (settings dialog).
LANGUAGE = Setting("preferences/language", str, "")  # "" follows the system locale
DIAL_TEMPLATE = Setting("preferences/dial_template", str, "tel:{e164}")
RULE_PROFILE = Setting("preferences/default_profile", str, "")  # "" keeps the shipped default
# The central database this workstation syncs with, as host:port/database (no user, no
# password); "" is the demo, whose central database is a file beside the local copy.
CENTRAL_SERVER = Setting("preferences/central_server", str, "")
# The least TLS that server is reached with, verify-full or require (app/database.py), and the
# CA certificate its certificate is checked against ("": libpq's ~/.postgresql/root.crt).
# COLLECTOR_WORKSTATION_TLS and COLLECTOR_WORKSTATION_TLS_ROOT_CERT, where set, win.
CENTRAL_TLS = Setting("preferences/central_tls", str, "verify-full")
CENTRAL_ROOT_CERT = Setting("preferences/central_root_cert", str, "")

# Remembered state.
LAST_USER = Setting("state/last_user", str, "")
# The default contact-rule profile of the central server last signed in to: an offline start
# keeps to it ("" when it set none).
SERVER_PROFILE = Setting("state/server_profile", str, "")
# The window's layout, kept per screen size (`per_screen`): a laptop's own 1366×768 screen and
# the 1920×1080 monitor it is docked to each keep theirs.
WINDOW_GEOMETRY = Setting("state/window_geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("state/window_state", QByteArray, QByteArray())
MAIN_SPLITTER = Setting("state/main_splitter", QByteArray, QByteArray())
WORK_SPLITTER = Setting("state/work_splitter", QByteArray, QByteArray())
CALL_SPLITTER = Setting("state/call_splitter", QByteArray, QByteArray())
QUEUE_HEADER = Setting("state/queue_header", QByteArray, QByteArray())
# The plan decisions each user has seen, as JSON {username: [plan id, …]}
# (app/ui/collector/decisions.py).
PLAN_DECISIONS_SEEN = Setting("state/plan_decisions_seen", str, "")


def per_screen(setting: Setting[T], size: QSize) -> Setting[T]:
    """`setting` as kept for a screen whose available area is `size` (state/1366x728/…)."""
    group, _, name = setting.key.rpartition("/")
    return Setting(f"{group}/{size.width()}x{size.height()}/{name}", setting.kind, setting.default)


PREFERENCES = (
    LANGUAGE,
    DIAL_TEMPLATE,
    RULE_PROFILE,
    CENTRAL_SERVER,
    CENTRAL_TLS,
    CENTRAL_ROOT_CERT,
)


class Settings:
    """Typed access to one QSettings store."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or QSettings(ORGANISATION, APPLICATION)

    def get(self, setting: Setting[T]) -> T:
        """The stored value, or the default when nothing (or nothing usable) is stored."""
        value = self.store.value(setting.key, setting.default)
        if isinstance(value, setting.kind):
            return value
        # INI files hand booleans and numbers back as text.
        if setting.kind is bool and isinstance(value, str):
            return value.lower() == "true"
        if setting.kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)  # type: ignore[return-value]
        return setting.default

    def set(self, setting: Setting[T], value: T) -> None:
        self.store.setValue(setting.key, value)

    def reset_preferences(self) -> None:
        for setting in PREFERENCES:
            self.store.remove(setting.key)
