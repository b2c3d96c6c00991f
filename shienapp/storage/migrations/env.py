"""Alembic environment: runs on the connection the app hands over (see runner.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from shienapp.storage.models import Base

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from shienapp.storage.db import make_engine

    # An encrypted file's passphrase comes in the attributes, never in the URL or a config file.
    engine = make_engine(
        config.get_main_option("sqlalchemy.url"),
        foreign_keys=False,
        key=config.attributes.get("key"),
    )
    with engine.begin() as conn:
        run_on(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
