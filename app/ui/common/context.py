"""What every panel of the window shares: the worker, the user, the language, the dialogs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.database import Database
from app.ui.common.dialogs import Dialogs
from app.ui.common.i18n import Formats
from app.ui.common.runner import Job, Runner
from app.ui.common.settings import Settings


@dataclass
class Context:
    # The workstation's own copy: every panel reads and writes here, never the central one.
    db: Database
    username: str
    display_name: str
    runner: Runner
    dialogs: Dialogs
    settings: Settings
    formats: Formats
    # The clock the window reads; tests move it, everything else reads real time.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # The central database the copy syncs with (signed in as this user, or the embedded demo
    # one); None when the window works on a database of its own and nothing syncs.
    central: Database | None = None
    # Where that central database is, as the user knows it ("host:port/db", or "" for the demo
    # file); with the user name it names the remembered password.
    server: str = ""

    @property
    def language(self) -> str:
        return self.formats.language

    def call(
        self,
        service: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Job:
        """Run `service(self.db, *args, **kwargs)` on the worker."""
        db = self.db
        return self.runner.run(lambda: service(db, *args, **kwargs), on_done, on_error)
