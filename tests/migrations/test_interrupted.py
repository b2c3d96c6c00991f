"""A migration killed half-way leaves the file on its old version, or restorable from the copy
taken before the migration began.

A child process opens a copy of an old fixture with ``AppContext.open`` (which backs the file up
to ``<backups>/pre-migration/`` and then upgrades it in one transaction). The child counts the
SQL statements run once ``alembic.command.upgrade`` has started, and after the one named by
``KILL_AT`` (a count, or ``match:`` and a piece of SQL) prints a line and sleeps; the parent then
kills it with SIGKILL, so nothing is rolled back or closed. Afterwards:

- the file (with whatever ``-wal`` or ``-journal`` the child left) passes SQLite's
  ``integrity_check``;
- it is still at the old revision with the fixture's tables and rows, or else the pre-migration
  backup holds exactly the fixture's tables and rows;
- the app opens it again, as it was left, and upgrades it to head with every row kept.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from shienapp import config
from shienapp.core.context import AppContext
from shienapp.storage import schema

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGKILL and the child's sleep are POSIX"
)

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "db"
OLD_REVISION = "0004_directory"
REPO_ROOT = Path(__file__).resolve().parents[2]
MARKER = "KILL-POINT "
CHILD_TIMEOUT_S = 60

# The child: count statements from the moment Alembic starts upgrading (foreign_key_check, run
# by runner.upgrade after the last migration but before the commit, counts too); after the
# chosen one, say so on stdout and wait to be killed.
CHILD = """
import os, sys, time

import alembic.command
from sqlalchemy import Engine, event

kill_at = os.environ["KILL_AT"]
journal = os.environ["JOURNAL"]
state = {"migrating": False, "count": 0}

if journal != "WAL":
    import shienapp.storage.db

    shienapp.storage.db.journal_mode_for = lambda path: (journal, None)

upgrade = alembic.command.upgrade


def counting_upgrade(*args, **kwargs):
    state["migrating"] = True
    return upgrade(*args, **kwargs)


alembic.command.upgrade = counting_upgrade


@event.listens_for(Engine, "after_cursor_execute")
def after(conn, cursor, statement, parameters, context, executemany):
    if not state["migrating"]:
        return
    state["count"] += 1
    if kill_at.startswith("match:"):
        hit = kill_at[len("match:"):] in statement
    else:
        hit = state["count"] == int(kill_at)
    if hit:
        sql = " ".join(statement.split())[:120]
        in_transaction = conn.in_transaction()
        print(f"KILL-POINT {state['count']} {in_transaction} {sql}", flush=True)
        time.sleep(600)


from shienapp import config
from shienapp.core.context import AppContext

AppContext.open(sys.argv[1]).db.dispose()
print("FINISHED", state["count"], flush=True)
"""

# Counted from 0004_directory: after the first statement (Alembic reading its version table),
# amid 0005's CREATE TABLEs, amid the reflection before a batch-mode rebuild, when a rebuild has
# dropped the old table and not yet renamed its copy, right after the version row moved to
# 0005, and at runner.upgrade's foreign-key check after 0007, just before the commit.
KILL_POINTS = [
    "1",
    "5",
    "20",
    "match:DROP TABLE",
    "match:UPDATE alembic_version",
    "match:PRAGMA foreign_key_check",
]


Rows = dict[str, set[tuple[tuple[str, Any], ...]]]


def fixture_path(revision: str) -> Path:
    return FIXTURE_DIR / f"rev_{revision}.sqlite3"


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def table_rows(path: Path) -> Rows:
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


def schema_sql(path: Path) -> set[tuple[str, str, str | None]]:
    connection = read_only(path)
    try:
        return set(connection.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        connection.close()


def revision_in(path: Path) -> str:
    connection = read_only(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def integrity_check(path: Path) -> list[str]:
    # Not read-only: a file left in WAL mode by a killed process may need its -shm rebuilt.
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def pre_migration_backups() -> list[Path]:
    folder = config.backup_dir() / "pre-migration"
    return sorted(folder.iterdir()) if folder.exists() else []


def run_and_kill(path: Path, kill_at: str, journal: str) -> str:
    """Start the child on ``path``, SIGKILL it at ``kill_at``; return the line it printed."""
    env = {**os.environ, "KILL_AT": kill_at, "JOURNAL": journal}
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(CHILD_TIMEOUT_S, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        process.kill()  # SIGKILL: no rollback, no close, no atexit
    finally:
        watchdog.cancel()
        _, errors = process.communicate()
    assert line.startswith(MARKER), f"the child never reached {kill_at!r}: {line!r}\n{errors}"
    assert process.returncode == -9
    return line.strip()


def copy_as_left(path: Path, folder: Path) -> Path:
    """The database and any -wal/-journal beside it, copied while no process has them open."""
    folder.mkdir()
    for item in path.parent.glob(path.name + "*"):
        shutil.copy2(item, folder / item.name)
    return folder / path.name


def old_rows_are_kept(before: Rows, after: Rows) -> None:
    """Every old row keeps every old column's value; new tables and columns may be added."""
    assert set(before) <= set(after)
    for table, rows in before.items():
        if table == "alembic_version":
            continue
        old_columns = {column for row in rows for column, _ in row}
        narrowed = {tuple(pair for pair in row if pair[0] in old_columns) for row in after[table]}
        assert narrowed == rows, table


@pytest.mark.slow
@pytest.mark.parametrize("journal", ["WAL", "DELETE"])
@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_a_migration_killed_half_way_leaves_the_old_version_or_a_backup(
    tmp_path: Path, kill_at: str, journal: str
) -> None:
    fixture = fixture_path(OLD_REVISION)
    fixture_rows = table_rows(fixture)
    fixture_schema = schema_sql(fixture)
    path = tmp_path / "db" / "shienapp.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(fixture, path)

    line = run_and_kill(path, kill_at, journal)
    assert line.split()[2] == "True", f"killed outside the migration's transaction: {line}"
    leftovers = sorted(p.name for p in path.parent.iterdir())
    journal_file = path.name + ("-wal" if journal == "WAL" else "-journal")
    if kill_at != "1":  # after the first write: the kill left work behind, not a clean file
        assert journal_file in leftovers, leftovers

    # Look at a copy, so that the app below opens the file exactly as the kill left it.
    left = copy_as_left(path, tmp_path / "as-left")
    assert integrity_check(left) == ["ok"]  # a read-write open replays or rolls back first
    backups = pre_migration_backups()
    assert len(backups) == 1, backups  # the kill came after the backup
    (backup,) = backups
    if revision_in(left) == OLD_REVISION:
        assert table_rows(left) == fixture_rows
        assert schema_sql(left) == fixture_schema  # no half-made table is left behind
    else:
        assert integrity_check(backup) == ["ok"]
    # Either way the copy taken before the migration is the fixture, table for table.
    assert revision_in(backup) == OLD_REVISION
    assert table_rows(backup) == fixture_rows
    assert schema_sql(backup) == fixture_schema

    # The app opens the file as it was left and finishes the upgrade.
    AppContext.open(path).close()
    assert revision_in(path) == schema.HEAD
    assert integrity_check(path) == ["ok"]
    old_rows_are_kept(fixture_rows, table_rows(path))
    assert backup in pre_migration_backups()
