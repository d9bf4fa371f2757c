"""What every panel of the window shares: the worker, the user, the language, the dialogs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.database import Database
from app.ui.dialogs import Dialogs
from app.ui.i18n import Formats
from app.ui.runner import Job, Runner
from app.ui.settings import Settings


@dataclass
class Context:
    db: Database
    username: str
    display_name: str
    runner: Runner
    dialogs: Dialogs
    settings: Settings
    formats: Formats
    # The clock the window reads; tests move it, everything else reads real time.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

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
