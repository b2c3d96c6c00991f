"""Run the Alembic migrations shipped inside the package, without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def script_revisions() -> list[str]:
    """Revision ids from base to head, as the scripts declare them."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade(url: str, revision: str = "head", *, key: str | None = None) -> None:
    """Upgrade in one transaction with foreign keys off (batch mode rebuilds tables), then
    refuse to commit if any foreign key is left dangling. ``key`` opens an encrypted file."""
    from shienapp.storage.db import make_engine

    engine = make_engine(url, foreign_keys=False, key=key)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if engine.dialect.name == "sqlite":
                broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"移行後に外部キーの不整合があります: {broken[:5]}")
    finally:
        engine.dispose()
