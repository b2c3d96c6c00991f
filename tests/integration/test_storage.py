"""The database file: made and upgraded only by the migrations, opened with safe pragmas,
locked for writing at BEGIN, backed up before an upgrade, and refused when it is not ours."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pgserver
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, CheckConstraint, Engine, event, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.schema import CreateIndex

from shienapp import config
from shienapp.core.context import AppContext
from shienapp.core.districts import StatisticsInput
from shienapp.core.errors import UserError
from shienapp.storage import schema
from shienapp.storage.backup import backup_sqlite
from shienapp.storage.db import Database, make_engine
from shienapp.storage.migrations.runner import alembic_config, script_revisions, upgrade
from shienapp.storage.models import Base, Block, District

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "db"
APP_TABLES = {
    "blocks",
    "districts",
    "district_statistics",
    "councils",
    "council_status_events",
    "people",
    "council_members",
    "meetings",
    "attendances",
    "agenda_items",
    "decisions",
    "action_items",
    "vocabulary",
    "organisations",
    "resources",
    "needs",
    "matches",
    "network_maps",
    "network_map_versions",
    "network_nodes",
    "network_edges",
    "network_views",
    "business_plans",
    "plan_goals",
    "plan_targets",
    "goal_evaluations",
    "sync_device",
    "sync_records",
    "sync_states",
    "sync_peers",
    "sync_conflicts",
    "sync_history",
    "accounts",
    "app_settings",
    "audit_log",
}


def sqlite_url(path: Path) -> str:
    return config.sqlite_url(path)


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def table_rows(path: Path) -> dict[str, set[tuple[tuple[str, Any], ...]]]:
    """Every row of every table, as (column, value) pairs, read with plain sqlite3."""
    connection = read_only(path)
    try:
        connection.row_factory = sqlite3.Row
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: {
                tuple(sorted(dict(row).items()))
                for row in connection.execute(f'SELECT * FROM "{table}"')
            }
            for table in tables
        }
    finally:
        connection.close()


def revision_in(path: Path) -> str:
    connection = read_only(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def pre_migration_backups() -> list[Path]:
    folder = config.backup_dir() / "pre-migration"
    return sorted(folder.iterdir()) if folder.exists() else []


def folder_snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def changes_between(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """What happened to a folder, readably: files added or removed, bytes that changed."""
    changes = [f"{name} を作成" for name in sorted(after.keys() - before.keys())]
    changes += [f"{name} を削除" for name in sorted(before.keys() - after.keys())]
    for name in sorted(before.keys() & after.keys()):
        old, new = before[name], after[name]
        if old != new:
            offsets = [i for i in range(min(len(old), len(new))) if old[i] != new[i]]
            # Header bytes 18 and 19 are the file format: 1 = rollback journal, 2 = WAL.
            changes.append(f"{name}: {len(old)} → {len(new)} bytes, changed at {offsets[:8]}")
    return changes


@pytest.fixture
def database(ctx: AppContext) -> Database:
    return ctx.db


@pytest.fixture
def extra_databases(database: Database) -> Iterator[list[Database]]:
    """More ``Database`` objects on the same file, as a second app would hold; disposed after."""
    made: list[Database] = []
    yield made
    for db in made:
        db.dispose()


# --- creation ---------------------------------------------------------------------------------


def assert_at_head(path: Path) -> None:
    engine = make_engine(sqlite_url(path))
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert tables == APP_TABLES | {"alembic_version"}
    assert version == [(schema.HEAD,)]


def test_a_new_database_is_made_by_the_migrations(db_path: Path) -> None:
    assert not db_path.exists()
    context = AppContext.open(db_path)
    try:
        assert context.location == str(db_path.resolve())
        assert context.districts.list_districts() == []
    finally:
        context.close()
    assert_at_head(db_path)
    assert pre_migration_backups() == []  # nothing to back up in a new file


def test_an_empty_file_is_made_into_a_database(db_path: Path) -> None:
    db_path.touch()
    AppContext.open(db_path).close()
    assert_at_head(db_path)
    assert pre_migration_backups() == []


def test_the_default_database_lives_in_the_data_folder(_private_data_dir: Path) -> None:
    context = AppContext.open()
    try:
        assert context.location == str((_private_data_dir / "shienapp.sqlite3").resolve())
    finally:
        context.close()
    assert_at_head(_private_data_dir / "shienapp.sqlite3")


def test_a_folder_name_with_url_escapes_is_taken_literally(tmp_path: Path) -> None:
    # A folder saved from a browser can be called "R6%20資料"; it is a name, not a URL.
    path = tmp_path / "R6%20資料" / "shienapp.sqlite3"
    AppContext.open(path).close()
    assert path.exists()
    assert_at_head(path)


def test_schema_revisions_are_the_migration_scripts_in_order() -> None:
    assert tuple(script_revisions()) == schema.REVISIONS
    assert schema.REVISIONS[-1] == schema.HEAD
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [schema.HEAD]
    assert script.get_bases() == [schema.REVISIONS[0]]
    # One straight line: every revision follows the one before it, none merges or branches.
    for previous, revision in zip((None, *schema.REVISIONS[:-1]), schema.REVISIONS, strict=True):
        assert script.get_revision(revision).down_revision == previous


# --- the connection ---------------------------------------------------------------------------


def pragmas(connection: Any) -> dict[str, Any]:
    return {
        name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
    }


@pytest.mark.sqlite_only("PRAGMAs are SQLite's; the server keeps its own settings")
def test_every_app_connection_has_the_safety_pragmas(database: Database) -> None:
    expected = {"foreign_keys": 1, "journal_mode": "wal", "synchronous": 2}
    # Two connections at once: the pragmas are set on each new connection, not once.
    with database.engine.connect() as first, database.engine.connect() as second:
        for connection in (first, second):
            found = pragmas(connection)
            assert {k: found[k] for k in expected} == expected
            assert found["busy_timeout"] > 0
    with database.write() as session:
        found = pragmas(session.connection())
        assert {k: found[k] for k in expected} == expected


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), database.write() as session:
        session.add(District(name="迷子", reading="まいご", block_id=uuid.uuid4()))
    with database.read() as session:
        assert session.scalars(select(District)).all() == []


def test_a_failed_write_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(RuntimeError, match="途中で失敗"), database.write() as session:
        session.add(Block(name="北ブロック", reading="きた", sort_order=1))
        session.flush()
        raise RuntimeError("途中で失敗")
    with database.read() as session:
        assert session.scalars(select(Block)).all() == []


def impatient(engine: Engine) -> Engine:
    """Make ``engine`` give up at once on a lock instead of waiting up to BUSY_TIMEOUT_MS."""

    @event.listens_for(engine, "connect")
    def _no_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


@pytest.mark.sqlite_only("SQLite's BEGIN IMMEDIATE; the server's lock is tested below")
def test_a_write_session_takes_the_write_lock_at_begin(
    database: Database, extra_databases: list[Database]
) -> None:
    other = Database(impatient(make_engine(database.url)))
    extra_databases.append(other)

    # A read session holds a snapshot but no write lock: another app may still write.
    with database.read() as reading:
        reading.execute(select(Block.id)).all()
        with other.write() as session:
            session.add(Block(name="北ブロック", reading="きた", sort_order=1))

    with database.write() as writing:
        # Only a read so far: the lock must already be held, because the transaction began
        # with BEGIN IMMEDIATE. With a plain (deferred) BEGIN the other write below would go
        # through, and this session would fail later, half-way, when it tried to write.
        assert writing.scalars(select(Block.name)).all() == ["北ブロック"]

        with other.read() as session:  # WAL: readers are never blocked
            assert session.scalars(select(Block.name)).all() == ["北ブロック"]

        with pytest.raises(OperationalError, match="database is locked"), other.write() as s:
            s.execute(select(Block.id)).all()

        writing.add(Block(name="南ブロック", reading="みなみ", sort_order=2))

    # The lock went with the commit.
    with other.write() as session:
        session.add(Block(name="東ブロック", reading="ひがし", sort_order=3))
    with database.read() as session:
        names = session.scalars(select(Block.name).order_by(Block.sort_order)).all()
    assert names == ["北ブロック", "南ブロック", "東ブロック"]


@pytest.mark.sqlite_only("SQLite's BEGIN IMMEDIATE; the server's lock is tested below")
def test_a_second_writer_waits_for_the_first(
    database: Database, extra_databases: list[Database]
) -> None:
    other = Database(make_engine(database.url))  # the app's own busy timeout: it waits
    extra_databases.append(other)
    asked_for_lock = threading.Event()
    finished = threading.Event()
    seen_by_second: list[list[str]] = []
    begins: list[str] = []
    errors: list[BaseException] = []

    @event.listens_for(other.engine, "connect")
    def _watch(dbapi_connection: Any, _record: Any) -> None:
        # Called as a statement starts, before SQLite waits for the lock it needs.
        def on_statement(sql: str) -> None:
            if sql.startswith("BEGIN"):
                begins.append(sql)
                asked_for_lock.set()

        dbapi_connection.set_trace_callback(on_statement)

    def second_writer() -> None:
        try:
            with other.write() as session:
                seen_by_second.append(list(session.scalars(select(Block.name)).all()))
                session.add(Block(name="二番目", reading="にばんめ", sort_order=2))
        except BaseException as exc:
            errors.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=second_writer)
    try:
        with database.write() as session:
            session.execute(select(Block.id)).all()
            thread.start()
            assert asked_for_lock.wait(timeout=60), "the second writer never began"
            assert begins == ["BEGIN IMMEDIATE"]
            # It has asked for the lock and cannot have it while this transaction is open.
            assert not finished.is_set()
            session.add(Block(name="一番目", reading="いちばんめ", sort_order=1))
    finally:
        if thread.ident is not None:
            thread.join(timeout=60)
    assert not thread.is_alive()
    assert errors == []
    # The second transaction began after the first committed, so it saw the first's row.
    assert seen_by_second == [["一番目"]]
    with database.read() as session:
        names = session.scalars(select(Block.name).order_by(Block.sort_order)).all()
    assert names == ["一番目", "二番目"]


@pytest.fixture
def server_database(postgres_server: pgserver.Server) -> Iterator[Database]:
    url = postgres_server.fresh_database()
    database = AppContext.open(url).db
    yield database
    database.dispose()
    postgres_server.drop(url)


def test_on_the_server_a_second_writer_waits_for_the_first(
    server_database: Database, extra_databases: list[Database]
) -> None:
    """The server's writers take one advisory lock at BEGIN, as SQLite's BEGIN IMMEDIATE: the
    second one reads only after the first has committed, readers never wait."""
    database = server_database
    other = Database(make_engine(database.url.replace("***", "")))
    extra_databases.append(other)
    reading_done = threading.Event()
    seen_by_second: list[list[str]] = []
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with other.write() as session:
                seen_by_second.append(list(session.scalars(select(Block.name)).all()))
                session.add(Block(name="二番目", reading="にばんめ", sort_order=2))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=second_writer)
    try:
        with database.write() as session:
            session.execute(select(Block.id)).all()
            thread.start()
            thread.join(timeout=1)
            assert thread.is_alive(), "the second writer did not wait for the lock"
            with other.read() as reading:  # a reader is not held up by the writers
                assert reading.scalars(select(Block.name)).all() == []
                reading_done.set()
            session.add(Block(name="一番目", reading="いちばんめ", sort_order=1))
    finally:
        if thread.ident is not None:
            thread.join(timeout=60)
    assert reading_done.is_set() and not thread.is_alive()
    assert errors == []
    assert seen_by_second == [["一番目"]]
    with database.read() as session:
        names = session.scalars(select(Block.name).order_by(Block.sort_order)).all()
    assert names == ["一番目", "二番目"]


def test_on_the_server_a_read_session_takes_no_lock(
    server_database: Database, extra_databases: list[Database]
) -> None:
    other = Database(make_engine(server_database.url))
    extra_databases.append(other)
    with server_database.read() as reading:
        reading.execute(select(Block.id)).all()
        with other.write() as session:
            session.add(Block(name="北ブロック", reading="きた", sort_order=1))
    held = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with server_database.write() as writing:
        writing.execute(select(Block.id)).all()
        with other.read() as session:
            assert session.execute(text(held)).scalar() == 1
    with other.read() as session:
        assert session.execute(text(held)).scalar() == 0


# --- the schema: models and migrations agree --------------------------------------------------


def test_every_constraint_and_index_has_a_name() -> None:
    # Batch mode on SQLite rebuilds tables and silently drops unnamed constraints.
    unnamed = [
        f"{table.name}: {type(item).__name__} {item}"
        for table in Base.metadata.tables.values()
        for item in [*table.constraints, *table.indexes]
        if not item.name
    ]
    assert unnamed == []
    assert len(Base.metadata.tables) == len(APP_TABLES)


def test_models_match_the_migrated_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_server_defaults_match_the_migrated_schema(database: Database) -> None:
    """A column added to an existing table needs a server default for the rows already there."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_server_default": _json_defaults_by_text}
        )
        differences = [
            diff for group in compare_metadata(context, Base.metadata) for diff in _flatten(group)
        ]
    assert [d for d in differences if not _same_literal_default(d)] == []


def _json_defaults_by_text(
    _context: object,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: str | None,
    _metadata_default: object,
    rendered_metadata_default: str | None,
) -> bool | None:
    """PostgreSQL cannot compare two ``json`` values (Alembic asks the server to), so a JSON
    column's default is compared as text: ``'[]'::json`` against ``'[]'``. Others: Alembic's."""
    if not isinstance(metadata_column.type, JSON):
        return None
    found = (inspected_default or "").split("::")[0].strip("'")
    declared = (rendered_metadata_default or "").strip("'")
    return found != declared


def _flatten(diff: object) -> list[tuple[object, ...]]:
    return list(diff) if isinstance(diff, list) else [diff]  # type: ignore[arg-type]


def _same_literal_default(diff: tuple[object, ...]) -> bool:
    """Alembic on SQLite reports an empty-string default as changed when one side reads
    ('') and the other ''; compare the literal itself so that only a real difference fails."""
    if diff[0] != "modify_default":
        return False

    def literal(clause: object) -> str:
        arg = getattr(clause, "arg", clause)
        return str(getattr(arg, "text", arg)).strip("()").strip("'")

    return literal(diff[-2]) == literal(diff[-1])


def test_constraint_names_and_indexes_match_the_migrated_schema(database: Database) -> None:
    if database.engine.dialect.name == "postgresql":
        _constraint_names_and_indexes_match_on_the_server(database)
        return
    # Autogenerate does not compare CHECK constraints, constraint names or partial-index WHERE
    # clauses, so compare those directly.
    with database.engine.connect() as connection:
        found = inspect(connection)
        reflected = {
            table: {
                "pk": found.get_pk_constraint(table)["name"],
                "fk": sorted(fk["name"] for fk in found.get_foreign_keys(table)),
                "ck": sorted(
                    (ck["name"], ck["sqltext"]) for ck in found.get_check_constraints(table)
                ),
            }
            for table in APP_TABLES
        }
        index_sql = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    dialect = database.engine.dialect
    declared = {
        table.name: {
            "pk": table.primary_key.name,
            "fk": sorted(str(fk.name) for fk in table.foreign_key_constraints),
            "ck": sorted(
                (str(ck.name), str(ck.sqltext))
                for ck in table.constraints
                if isinstance(ck, CheckConstraint)
            ),
        }
        for table in Base.metadata.tables.values()
    }
    assert reflected == declared
    assert index_sql == {
        str(CreateIndex(index).compile(dialect=dialect))
        for table in Base.metadata.tables.values()
        for index in table.indexes
    }


def _constraint_names_and_indexes_match_on_the_server(database: Database) -> None:
    """The same on PostgreSQL, which rewrites CHECK expressions in its own words: the names of
    every constraint, and each index's columns, uniqueness and partial-index WHERE clause."""
    with database.engine.connect() as connection:
        found = inspect(connection)
        reflected = {
            table: {
                "pk": found.get_pk_constraint(table)["name"],
                "fk": sorted(fk["name"] for fk in found.get_foreign_keys(table)),
                "ck": sorted(ck["name"] for ck in found.get_check_constraints(table)),
                "ix": sorted(
                    (
                        ix["name"],
                        bool(ix["unique"]),
                        tuple(ix["column_names"]),
                        _bare(ix.get("dialect_options", {}).get("postgresql_where")),
                    )
                    for ix in found.get_indexes(table)
                    if "duplicates_constraint" not in ix  # a UNIQUE constraint's own index
                ),
            }
            for table in APP_TABLES
        }
    declared = {
        table.name: {
            "pk": table.primary_key.name,
            "fk": sorted(str(fk.name) for fk in table.foreign_key_constraints),
            "ck": sorted(
                str(ck.name) for ck in table.constraints if isinstance(ck, CheckConstraint)
            ),
            "ix": sorted(
                (
                    str(ix.name),
                    bool(ix.unique),
                    tuple(c.name for c in ix.columns),
                    _bare(ix.dialect_options["postgresql"]["where"]),
                )
                for ix in table.indexes
            ),
        }
        for table in Base.metadata.tables.values()
    }
    assert reflected == declared


def _bare(where: object) -> str | None:
    """A WHERE clause without the parentheses PostgreSQL adds around each comparison."""
    return None if where is None else " ".join(str(where).replace("(", "").replace(")", "").split())


# --- files that are not ours, or not yet ours -------------------------------------------------


def make_newer_database(path: Path, journal_mode: str) -> None:
    upgrade(sqlite_url(path))
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
        connection.execute(f"PRAGMA journal_mode={journal_mode}")
    finally:
        connection.close()


def make_foreign_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            connection.execute("INSERT INTO notes (body) VALUES ('他のアプリのデータ')")
    finally:
        connection.close()


NEWER_MESSAGE = (
    "このデータベースは新しい版の shienapp で作られています（スキーマ 9999_future）。"
    "アプリを更新してから開いてください。"
)
FOREIGN_MESSAGE = "このファイルは shienapp のデータベースではありません（管理表がありません）。"


@pytest.fixture
def db_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def test_a_database_from_a_newer_app_is_refused(db_folder: Path) -> None:
    path = db_folder / "newer.sqlite3"
    make_newer_database(path, "WAL")
    with pytest.raises(UserError) as caught:
        AppContext.open(path)
    assert caught.value.message == NEWER_MESSAGE
    assert revision_in(path) == "9999_future"
    assert pre_migration_backups() == []


@pytest.mark.parametrize("journal_mode", ["WAL", "DELETE"])
def test_a_refused_newer_database_is_left_byte_for_byte_unchanged(
    db_folder: Path, journal_mode: str
) -> None:
    # DELETE is how every backup (and a copy restored from one) is written.
    path = db_folder / "newer.sqlite3"
    make_newer_database(path, journal_mode)
    before = folder_snapshot(db_folder)
    with pytest.raises(UserError, match="新しい版の shienapp"):
        AppContext.open(path)
    assert changes_between(before, folder_snapshot(db_folder)) == []


def test_another_apps_sqlite_file_is_refused(db_folder: Path) -> None:
    path = db_folder / "other.sqlite3"
    make_foreign_database(path)
    with pytest.raises(UserError) as caught:
        AppContext.open(path)
    assert caught.value.message == FOREIGN_MESSAGE
    assert pre_migration_backups() == []


def test_a_refused_foreign_file_is_left_byte_for_byte_unchanged(db_folder: Path) -> None:
    path = db_folder / "other.sqlite3"
    make_foreign_database(path)
    before = folder_snapshot(db_folder)
    with pytest.raises(UserError, match="shienapp のデータベースではありません"):
        AppContext.open(path)
    assert changes_between(before, folder_snapshot(db_folder)) == []


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(db_folder: Path) -> None:
    path = db_folder / "名簿.csv"
    path.write_text("氏名,電話\n山田,0120-000-001\n" * 200, encoding="utf-8")
    before = folder_snapshot(db_folder)
    with pytest.raises(UserError) as caught:
        AppContext.open(path)
    assert caught.value.message.startswith("データベースを開けませんでした: ")
    assert folder_snapshot(db_folder) == before


# --- upgrading a file made by an older version ------------------------------------------------

OLDER_REVISIONS = schema.REVISIONS[:-1]


def fixture_path(revision: str) -> Path:
    return FIXTURE_DIR / f"rev_{revision}.sqlite3"


@pytest.mark.parametrize("revision", OLDER_REVISIONS)
def test_there_is_a_fixture_for_every_older_revision(revision: str) -> None:
    path = fixture_path(revision)
    assert path.is_file(), f"make it with tests/fixtures/make_fixture_dbs.py: {path}"
    assert revision_in(path) == revision
    # Committed as one self-contained file.
    assert not path.with_name(path.name + "-wal").exists()
    connection = read_only(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()


@pytest.fixture(params=OLDER_REVISIONS)
def old_copy(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    revision: str = request.param
    copy = tmp_path / "old" / "shienapp.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(fixture_path(revision), copy)
    return revision, copy


def test_an_old_database_is_upgraded_with_every_row_intact(old_copy: tuple[str, Path]) -> None:
    revision, path = old_copy
    before = table_rows(path)

    AppContext.open(path).close()

    assert_at_head(path)
    after = table_rows(path)
    assert set(before) <= set(after)
    for table, rows in before.items():
        if table == "alembic_version":
            continue
        # Every old row keeps every old column's value; new columns may be added beside them.
        old_columns = {column for row in rows for column, _ in row}
        narrowed = {tuple(pair for pair in row if pair[0] in old_columns) for row in after[table]}
        assert narrowed == rows, table

    # The file was backed up, as it was, before the migration touched it.
    (backup,) = pre_migration_backups()
    assert backup.name.startswith(f"shienapp-{revision}-")
    assert backup.suffix == ".sqlite3"
    assert table_rows(backup) == before
    assert revision_in(backup) == revision
    connection = read_only(backup)
    try:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()
    assert not list(backup.parent.glob("*.part"))

    # Opening it again does not migrate or back up again.
    AppContext.open(path).close()
    assert pre_migration_backups() == [backup]


def test_the_0001_fixture_reads_back_through_the_service(tmp_path: Path) -> None:
    path = tmp_path / "shienapp.sqlite3"
    shutil.copyfile(fixture_path("0001_registry"), path)
    context = AppContext.open(path)
    try:
        service = context.districts
        rows = service.list_districts()
        assert [(r.name, r.reading, r.block_name) for r in rows] == [
            ("井野", "いの", "北ブロック"),
            ("中居", "ナカイ", "南ブロック"),
        ]
        assert [r.code for r in rows] == ["", ""]  # the column added by 0002_councils
        assert [r.council_status for r in rows] == ["未設置", "未設置"]
        ino = service.get_district(uuid.UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"))
        assert ino.row.version == 3
        assert ino.note == "駅の北側"
        assert [(s.fiscal_year, s.as_of, s.population_65_plus) for s in ino.statistics] == [
            (2023, date(2023, 4, 1), 290),
            (2024, date(2024, 4, 1), 300),
        ]
        assert [(b.name, b.district_count) for b in service.list_blocks()] == [
            ("北ブロック", 1),
            ("南ブロック", 1),
        ]
        city = service.city_figures()
        assert [(fy, f.total_population, f.population_65_plus) for fy, f in city.items()] == [
            (2023, 1000, 290),
            (2024, 4000, 900),  # the district in the trash is not counted
        ]
        # And the upgraded file takes new work.
        service.set_statistics(ino.id, StatisticsInput(2025, 990, 310))
        assert service.get_district(ino.id).row.latest_fiscal_year == 2025
    finally:
        context.close()


# --- backups ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only("a backup is a copy of the SQLite file and its WAL")
def test_backup_copies_what_is_still_in_the_wal(database: Database, tmp_path: Path) -> None:
    with database.write() as session:
        session.add(Block(name="北ブロック", reading="きた", sort_order=1))
    source = database.path
    assert source is not None
    target = backup_sqlite(source, tmp_path / "copies" / "copy.sqlite3")
    assert target == tmp_path / "copies" / "copy.sqlite3"
    names = {dict(row)["name"] for row in table_rows(target)["blocks"]}
    assert names == {"北ブロック"}


def test_backup_of_a_file_in_a_folder_with_a_hash_in_its_name(tmp_path: Path) -> None:
    # "#" ends the path of an SQLite URI; the copy must still be of this file.
    folder = tmp_path / "支援センター#2"
    folder.mkdir()
    source = folder / "shienapp.sqlite3"
    shutil.copyfile(fixture_path(schema.REVISIONS[0]), source)
    target = backup_sqlite(source, tmp_path / "copies" / "copy.sqlite3")
    assert table_rows(target) == table_rows(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copies", "支援センター#2"]


def test_a_database_in_a_network_folder_opens_without_wal_and_says_why(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shienapp.storage import db as db_module
    from shienapp.storage.location import NETWORK_JOURNAL_MESSAGE

    monkeypatch.setattr(
        db_module, "journal_mode_for", lambda _path: ("DELETE", NETWORK_JOURNAL_MESSAGE)
    )
    context = AppContext.open(db_path)
    try:
        assert context.db.notice == NETWORK_JOURNAL_MESSAGE
        with context.db.read() as session:
            mode = session.connection().exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "delete"
        context.districts.create_block("北部", "ほくぶ")
    finally:
        context.close()
    assert not db_path.with_name(db_path.name + "-wal").exists()


@pytest.mark.sqlite_only("PRAGMAs are SQLite's; the server keeps its own settings")
def test_a_local_database_uses_wal_and_has_no_notice(ctx: AppContext) -> None:
    assert ctx.db.notice is None
    with ctx.db.read() as session:
        assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
