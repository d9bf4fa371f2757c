"""Where the data lives and which database to use, resolved once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "collector-workstation"
DATA_DIR_ENV = "COLLECTOR_WORKSTATION_DATA_DIR"
DATABASE_URL_ENV = "COLLECTOR_WORKSTATION_DATABASE_URL"
# The embedded central database (demo mode), beside the workstation's encrypted copy.
DATABASE_FILE = "central.sqlite3"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str

    @property
    def embedded(self) -> bool:
        return self.database_url.startswith("sqlite")


def resolve(data_dir: str | os.PathLike[str] | None = None) -> Config:
    """The flag wins over the environment, which wins over the platform's user data folder."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    if not chosen:
        import platformdirs

        chosen = platformdirs.user_data_dir(APP_NAME)
    path = Path(chosen).expanduser().resolve()
    url = os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{path / DATABASE_FILE}"
    return Config(data_dir=path, database_url=url)
