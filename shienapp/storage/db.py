"""Engine, sessions and schema upgrades.

SQLite runs with foreign keys on, WAL, ``synchronous=FULL`` and a busy timeout; write
transactions start with ``BEGIN IMMEDIATE`` so that a second writer waits for the first
instead of failing half-way. The schema is made and upgraded only by the Alembic migrations
shipped in ``storage/migrations``; an older file is backed up before it is upgraded, and a file
from a newer app is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from shienapp.storage import integrity, schema
from shienapp.storage.backup import backup_sqlite, timestamp
from shienapp.storage.location import journal_mode_for

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
_BEGIN_OPTION = "shienapp_begin"


class DatabaseError(Exception):
    """The database cannot be opened as asked; ``message`` is Japanese and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseDamaged(DatabaseError):
    """SQLite's check found damage: the file is left exactly as it is, for a restore."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"データベースが壊れています: {path}")
        self.path = path
        self.problems = problems


def sqlite_file_of(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def check_file(url: str) -> None:
    """SQLite's own check before anything opens the file for writing: ``quick_check`` always,
    the full check when a leftover ``-wal`` says the last session may not have closed it."""
    path = sqlite_file_of(url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return
    if not integrity.is_sqlite_file(path):
        return  # not SQLite at all: refused below with its own message
    problems = integrity.check(path, full=integrity.wal_left_over(path))
    if problems:
        raise DatabaseDamaged(path, problems)


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine)
        journal, notice = ("WAL", None) if path is None else journal_mode_for(path)
        engine.shienapp_notice = notice  # type: ignore[attr-defined]
        _configure_sqlite(engine, foreign_keys=foreign_keys, journal=journal)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool, journal: str = "WAL") -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        # WAL only on a local disk: on a network share the rollback journal (see location.py).
        cursor.execute(f"PRAGMA journal_mode={journal}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


class Database:
    """One open database: hands out short-lived sessions, one per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = sessionmaker(engine, expire_on_commit=False)
        writer_engine = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)
        # For the layer above: who is working on this database (core/access.py keeps it here).
        self.info: dict[str, Any] = {}

    def listen(self, identifier: str, fn: Any) -> None:
        """Listen to a session event (``before_flush``, ``do_orm_execute``…) on every session
        this database hands out, for reading and for writing."""
        event.listen(self._reader, identifier, fn)
        event.listen(self._writer, identifier, fn)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.engine)

    @property
    def notice(self) -> str | None:
        """Something the user should know about how the file was opened (a network folder)."""
        return getattr(self.engine, "shienapp_notice", None)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work; never commits."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work: commits on success, rolls back on any error."""
        with self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def has_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(inspect(conn).get_table_names())


def open_database(url: str, *, backup_dir: Path | None = None, upgrade: bool = True) -> Database:
    """Open ``url``, upgrading its schema to this app's head if it is older.

    An existing SQLite file is copied to ``backup_dir`` (or a ``backups`` folder beside it)
    before any migration touches it; those copies are never rotated away.
    """
    check_file(url)
    # Look first through a plain connection: the app's engine switches the file to WAL on
    # connect, and a file we are about to refuse must be left exactly as it was.
    probe = create_engine(url)
    try:
        revision = current_revision(probe)
        foreign = revision is None and has_tables(probe)
    except Exception as exc:
        raise DatabaseError(f"データベースを開けませんでした: {exc}") from exc
    finally:
        probe.dispose()
    engine = make_engine(url) if revision in (*schema.REVISIONS, None) and not foreign else None
    try:
        if revision != schema.HEAD:
            if foreign:
                raise DatabaseError(
                    "このファイルは shienapp のデータベースではありません（管理表がありません）。"
                )
            if revision is not None and revision not in schema.REVISIONS:
                raise DatabaseError(
                    "このデータベースは新しい版の shienapp で作られています"
                    f"（スキーマ {revision}）。アプリを更新してから開いてください。"
                )
            if not upgrade:
                raise DatabaseError("データベースのスキーマが古いため、更新が必要です。")
            assert engine is not None
            path = sqlite_path(engine)
            if revision is not None and path is not None:
                folder = backup_dir or path.parent / "backups"
                target = folder / "pre-migration" / f"{path.stem}-{revision}-{timestamp()}.sqlite3"
                backup_sqlite(path, target)
                log.info("backed up %s to %s before migrating", path, target)
            upgrade_to_head(url)
    except DatabaseError:
        if engine is not None:
            engine.dispose()
        raise
    except Exception as exc:
        if engine is not None:
            engine.dispose()
        raise DatabaseError(f"データベースを開けませんでした: {exc}") from exc
    assert engine is not None
    return Database(engine)


def upgrade_to_head(url: str, revision: str = "head") -> None:
    """Run the shipped Alembic migrations (imported only when a migration is due)."""
    from shienapp.storage.migrations.runner import upgrade

    upgrade(url, revision)
