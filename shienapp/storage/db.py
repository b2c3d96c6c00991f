"""Engine, sessions and schema upgrades.

SQLite runs with foreign keys on, WAL, ``synchronous=FULL`` and a busy timeout; write
transactions start with ``BEGIN IMMEDIATE`` so that a second writer waits for the first
instead of failing half-way. The schema is made and upgraded only by the Alembic migrations
shipped in ``storage/migrations``; an older file is backed up before it is upgraded, and a file
from a newer app is refused.

An encrypted file (SQLCipher, see ``cipher.py``) is opened the same way with its passphrase:
the engine's connections come from ``sqlcipher3`` and are keyed before any other PRAGMA, and
the checks, the backups and the migrations all use the same key.
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
from shienapp.storage.errors import DatabaseDamaged, DatabaseError
from shienapp.storage.location import journal_mode_for

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
_BEGIN_OPTION = "shienapp_begin"
# PostgreSQL: the advisory lock every write transaction takes first (any fixed number will do;
# this one spells "shien" in ASCII).
WRITE_LOCK_ID = 0x7368_6965_6E


def sqlite_file_of(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def open_failed(url: str, exc: Exception) -> DatabaseError:
    """Why a database could not be opened, in Japanese. A server that cannot be reached is
    the common case on a city's network: say which server and what to check, and keep the
    driver's own words (English) as a detail for whoever looks after the server."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and isinstance(exc, OperationalError):
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return DatabaseError(
            f"データベースサーバー（{where}、データベース {parsed.database or '（未指定）'}）に"
            "接続できませんでした。サーバーが動いているか、アドレス・ユーザー名・パスワード"
            f"（SHIENAPP_DATABASE_URL または --db）を確認してください。詳細: {detail}"
        )
    return DatabaseError(f"データベースを開けませんでした: {exc}")


def check_file(url: str, *, key: str | None = None) -> None:
    """SQLite's own check before anything opens the file for writing: ``quick_check`` always,
    the full check when a leftover ``-wal`` says the last session may not have closed it."""
    path = sqlite_file_of(url)
    if path is None:
        return
    problems = integrity.check_before_opening(path, key=key)
    if problems:
        raise DatabaseDamaged(path, problems)


def make_engine(
    url: str, *, foreign_keys: bool = True, key: str | None = None, **kwargs: Any
) -> Engine:
    """The app's engine. With ``key`` (a SQLite file only) every connection is a ``sqlcipher3``
    one keyed with it before anything else is done on it."""
    if key is not None:
        from shienapp.storage import cipher

        if sqlite_file_of(url) is None:
            raise DatabaseError("暗号化は SQLite のファイルにだけ使えます。")
        kwargs["module"] = cipher.driver()
    engine = create_engine(url, **kwargs)
    engine.shienapp_encrypted = key is not None  # type: ignore[attr-defined]
    if key is not None:
        _key_connections(engine, key)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine)
        journal, notice = ("WAL", None) if path is None else journal_mode_for(path)
        engine.shienapp_notice = notice  # type: ignore[attr-defined]
        _configure_sqlite(engine, foreign_keys=foreign_keys, journal=journal)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _key_connections(engine: Engine, key: str) -> None:
    """Key each connection as the driver makes it: before SQLAlchemy's first-connect set-up
    and before the PRAGMAs below, which would otherwise meet an unreadable file."""
    from shienapp.storage import cipher

    path = sqlite_path(engine)
    assert path is not None

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        connection = dialect.loaded_dbapi.connect(*cargs, **cparams)
        try:
            cipher.apply_key(connection, key, path)
        except BaseException:
            connection.close()
            raise
        return connection


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


def _configure_postgresql(engine: Engine) -> None:
    """Writers take one lock at BEGIN, as ``BEGIN IMMEDIATE`` does on SQLite: the audit trail's
    hash chain and every read-then-write check (a name already taken, the last 管理者) count on
    one writer at a time. Readers never wait for it."""

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_BEGIN_OPTION) == "IMMEDIATE":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_ID})")


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
    def encrypted(self) -> bool:
        """The file is encrypted (SQLCipher) and was opened with its passphrase."""
        return bool(getattr(self.engine, "shienapp_encrypted", False))

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


def key_to_use(url: str, key: str | None) -> str | None:
    """The passphrase to open ``url`` with, checked against the file (read-only).

    An encrypted file needs ``key`` or one typed earlier in this process (:class:`KeyRequired`
    otherwise, :class:`WrongKey` if it does not open it). A plain file is opened as it is and
    ``key`` is ignored; a new or empty file is created encrypted when ``key`` is given.
    """
    from shienapp.storage import cipher

    path = sqlite_file_of(url)
    if path is None:
        if key is not None:
            raise DatabaseError("暗号化は SQLite のファイルにだけ使えます。")
        return None
    if cipher.looks_encrypted(path):
        remembered = key is None
        key = key if key is not None else cipher.key_for(path)
        if key is None:
            raise cipher.KeyRequired(path)
        try:
            cipher.check_key(path, key)
        except cipher.WrongKey:
            if not remembered:
                raise
            cipher.forget(path)  # the file was encrypted again with another passphrase
            raise cipher.KeyRequired(path) from None
        cipher.remember(path, key)  # proven: the backups and a restore of this file use it
        return key
    if path.exists() and path.stat().st_size > 0:
        return None
    if key is not None:
        cipher.key_pragma(key)  # refuse an unusable passphrase before the file is made
    return key


def open_database(
    url: str,
    *,
    backup_dir: Path | None = None,
    upgrade: bool = True,
    key: str | None = None,
    checked: bool = False,
) -> Database:
    """Open ``url``, upgrading its schema to this app's head if it is older.

    An existing SQLite file is copied to ``backup_dir`` (or a ``backups`` folder beside it)
    before any migration touches it; those copies are never rotated away. ``key`` is the
    passphrase of an encrypted file (see :func:`key_to_use`); its backups are encrypted too.
    ``checked``: the caller has just run :func:`integrity.check_before_opening` on the file
    and found it sound (the window does, on another thread while it starts).
    """
    key = key_to_use(url, key)
    if not checked:
        check_file(url, key=key)
    # Look first through a plain connection: the app's engine switches the file to WAL on
    # connect, and a file we are about to refuse must be left exactly as it was.
    probe = _probe_engine(url, key)
    try:
        revision = current_revision(probe)
        foreign = revision is None and has_tables(probe)
    except Exception as exc:
        raise open_failed(url, exc) from exc
    finally:
        probe.dispose()
    known = revision in (*schema.REVISIONS, None) and not foreign
    engine = make_engine(url, key=key) if known else None
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
                backup_sqlite(path, target, key=key)
                log.info("backed up %s to %s before migrating", path, target)
            upgrade_to_head(url, key=key)
    except DatabaseError:
        if engine is not None:
            engine.dispose()
        raise
    except Exception as exc:
        if engine is not None:
            engine.dispose()
        raise open_failed(url, exc) from exc
    assert engine is not None
    if key is not None:
        from shienapp.storage import cipher

        path = sqlite_path(engine)
        assert path is not None
        cipher.remember(path, key)
    return Database(engine)


def _probe_engine(url: str, key: str | None) -> Engine:
    """An engine with no PRAGMAs of the app's (only the key, for an encrypted file)."""
    if key is None:
        return create_engine(url)
    from shienapp.storage import cipher

    engine = create_engine(url, module=cipher.driver())
    _key_connections(engine, key)
    return engine


def upgrade_to_head(url: str, revision: str = "head", *, key: str | None = None) -> None:
    """Run the shipped Alembic migrations (imported only when a migration is due)."""
    from shienapp.storage.migrations.runner import upgrade

    upgrade(url, revision, key=key)
