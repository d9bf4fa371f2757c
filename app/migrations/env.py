"""Alembic environment: runs on the connection the app hands over, or opens one from the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.database import Database
from app.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # Through Database, so a server over TCP is held to the same TLS as the app's own.
        db = Database(config.get_main_option("sqlalchemy.url") or "")
        try:
            with db.engine.begin() as own_connection:
                _migrate(own_connection)
        finally:
            db.dispose()
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
