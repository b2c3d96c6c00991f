"""Whole-database snapshots for tests that must show nothing changed (or what did).

One reading for every test: a refused import, a refused role, a stale merge, an encrypted copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Inspector, create_engine, inspect, select, text

from shienapp.core import sync_merge
from shienapp.core.context import AppContext
from shienapp.core.sync_rows import SYNC_TABLES, plain_row

Rows = dict[str, list[tuple[Any, ...]]]
Synced = dict[str, dict[str, dict[str, Any]]]


def table_rows(
    connection: sqlite3.Connection, *, exclude: Iterable[str] = (), schema: bool = False
) -> Rows:
    """Every row of every table but SQLite's own and ``exclude``, in an order that does not
    depend on how they were written; with ``schema``, the schema too (as ``sqlite_master``)."""
    left_out = set(exclude)
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        if name not in left_out
    ]
    out = {
        name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
        for name in names
    }
    if schema:
        out["sqlite_master"] = connection.execute(
            "SELECT * FROM sqlite_master ORDER BY 2"
        ).fetchall()
    return out


def file_rows(path: Path, *, exclude: Iterable[str] = (), schema: bool = False) -> Rows:
    """``table_rows`` of the committed state of a file, read with plain sqlite3."""
    connection = sqlite3.connect(path)
    try:
        return table_rows(connection, exclude=exclude, schema=schema)
    finally:
        connection.close()


def url_rows(url: str, *, exclude: Iterable[str] = (), schema: bool = False) -> Rows:
    """``table_rows`` of a PostgreSQL database: every row of every table but ``exclude``, each
    as the server writes the whole row out in text (every value, exactly; several times quicker
    than typing every value and sorting by repr); with ``schema``, under ``(schema)`` each
    table's columns (name, type, nullable, default), keys, constraints and indexes, and under
    ``(triggers)`` the triggers (the audit trail's), as ``sqlite_master`` holds them for a file."""
    left_out = set(exclude)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            names = sorted(n for n in found.get_table_names() if n not in left_out)
            out: Rows = {
                name: [
                    (row,)
                    for row in sorted(
                        connection.scalars(text(f'SELECT ROW(t.*)::text FROM "{name}" AS t'))
                    )
                ]
                for name in names
            }
            if schema:
                out["(schema)"] = _schema(found)
                out["(triggers)"] = [
                    tuple(row)
                    for row in connection.execute(
                        text(
                            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                            "WHERE NOT tgisinternal ORDER BY 1"
                        )
                    )
                ]
    finally:
        engine.dispose()
    return out


def _schema(found: Inspector) -> list[tuple[str, list[tuple[str, str]]]]:
    def plain(entries: dict[Any, Any]) -> list[tuple[str, str]]:
        return sorted((key[1], repr(value)) for key, value in entries.items())

    columns = {
        key: [(c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in found_columns]
        for key, found_columns in found.get_multi_columns().items()
    }
    return [
        ("columns", plain(columns)),
        ("primary keys", plain(found.get_multi_pk_constraint())),
        ("foreign keys", plain(found.get_multi_foreign_keys())),
        ("unique", plain(found.get_multi_unique_constraints())),
        ("checks", plain(found.get_multi_check_constraints())),
        ("indexes", plain(found.get_multi_indexes())),
    ]


def app_rows(ctx: AppContext) -> dict[str, list[str]]:
    """Every row of every table the app knows, through its own connection (a file or the
    server alike)."""
    from shienapp.storage.models import Base

    with ctx.db.read() as s:
        return {
            t.name: sorted(repr(tuple(r)) for r in s.execute(select(t)))
            for t in Base.metadata.sorted_tables
        }


def changed_tables(before: Rows, after: Rows) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


def synced_rows(ctx: AppContext) -> Synced:
    """Every synchronised row (soft-deleted ones too), without the local version/updated_at:
    what two copies must agree on after a merge."""
    with ctx.db.read() as s:
        return {
            t.name: {
                row["id"]: {k: v for k, v in row.items() if k not in sync_merge.LOCAL_FIELDS}
                for row in (plain_row(r) for r in s.execute(select(t)).mappings())
            }
            for t in SYNC_TABLES
        }
