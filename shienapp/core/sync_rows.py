"""The records of an exchange, as plain rows: which tables travel, the text form of a value,
the records of chosen districts, and records from an older schema brought up to date."""

from __future__ import annotations

import json
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    String,
    Table,
    Time,
    Uuid,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from shienapp.core import sync_merge
from shienapp.core.errors import UserError
from shienapp.storage.models import Base, SyncRecord, SyncState

SYNC_TABLES: tuple[Table, ...] = tuple(
    t
    for t in Base.metadata.sorted_tables
    if {"id", "version", "deleted_at"} <= set(t.c.keys()) and not t.name.startswith("sync_")
)
TABLES_BY_NAME = {t.name: t for t in SYNC_TABLES}

# A record without a district of its own belongs where its owner belongs.
OWNER_COLUMN: dict[str, str] = {
    "council_status_events": "council_id",
    "council_members": "council_id",
    "meetings": "council_id",
    "attendances": "meeting_id",
    "agenda_items": "meeting_id",
    "decisions": "meeting_id",
    "action_items": "meeting_id",
    "matches": "need_id",
    "network_map_versions": "map_id",
    "network_nodes": "version_id",
    "network_edges": "version_id",
    "network_views": "map_id",
    "plan_goals": "plan_id",
    "plan_targets": "goal_id",
    "goal_evaluations": "goal_id",
}
_CHUNK = 500
Progress = Callable[[int, int], None]


# ----------------------------------------------------------------------------- row form


def to_plain(value: Any) -> Any:
    """A column value as the exchange file holds it: SQLite's own text forms, so a file from
    an older schema can be loaded into that schema as it is."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="microseconds")
    return value


def from_plain(table: Table, name: str, value: Any) -> Any:
    if value is None or name not in table.c:
        return value
    kind = table.c[name].type
    if isinstance(kind, Uuid):
        return uuid.UUID(hex=value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    return value


def hex_id(column: Any, s: Session) -> Any:
    """``column`` (a UUID) as the 32 hex digits the exchange file uses, for comparing in SQL
    without turning every value into a ``uuid.UUID`` and back."""
    if s.get_bind().dialect.name == "sqlite":
        return type_coerce(column, String)  # stored as 32 hex digits already
    return func.replace(cast(column, String), "-", "")


def plain_row(row: Any) -> dict[str, Any]:
    return {k: to_plain(v) for k, v in row.items()}


def typed_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {k: from_plain(table, k, v) for k, v in row.items() if k in table.c}


def chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def now_plain() -> str:
    return to_plain(datetime.now(UTC))


def state_json(row: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in row.items() if k not in sync_merge.LOCAL_FIELDS},
        ensure_ascii=False,
        sort_keys=True,
    )


def _upsert(
    s: Session, model: type[Any], rows: list[dict[str, Any]], keys: list[str], update: list[str]
) -> None:
    if not rows:
        return
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for chunk in chunks(rows):
        statement = insert(model.__table__)
        if update:
            statement = statement.on_conflict_do_update(
                index_elements=keys, set_={c: statement.excluded[c] for c in update}
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        s.execute(statement, chunk)


def save_lineage(s: Session, lineage: dict[tuple[str, str], list[str]]) -> None:
    _upsert(
        s,
        SyncRecord,
        [
            {"table_name": t, "record_id": uuid.UUID(hex=i), "lineage": " ".join(hashes)}
            for (t, i), hashes in lineage.items()
        ],
        ["table_name", "record_id"],
        ["lineage"],
    )


def save_states(s: Session, states: dict[str, str]) -> None:
    _upsert(s, SyncState, [{"hash": h, "data": d} for h, d in states.items()], ["hash"], [])


def scope_rows(
    rows: dict[str, list[dict[str, Any]]], districts: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """The records of ``districts``: those placed in them, what hangs off those, and every
    record they refer to (a person on a council, the block a district is in). City-wide
    records with a district column (第1層協議体, the city's map) stay behind."""
    by_id = {name: {r["id"]: r for r in table_rows} for name, table_rows in rows.items()}
    included: dict[str, set[str]] = {name: set() for name in rows}
    for table in SYNC_TABLES:
        name = table.name
        if name == "districts":
            included[name] = {i for i in by_id[name] if i in districts}
        elif "district_id" in table.c:
            included[name] = {i for i, r in by_id[name].items() if r["district_id"] in districts}
        elif name in OWNER_COLUMN:
            column = OWNER_COLUMN[name]
            parent = next(iter(table.c[column].foreign_keys)).column.table.name
            included[name] = {i for i, r in by_id[name].items() if r[column] in included[parent]}
        else:
            included[name] = set(by_id[name])  # reference data: ブロック, 選択肢, 事業計画
    # What the included records point at comes along (not what hangs off it).
    references = [
        (table.name, column.name, next(iter(column.foreign_keys)).column.table.name)
        for table in SYNC_TABLES
        for column in table.c
        if column.foreign_keys
    ]
    changed = True
    while changed:
        changed = False
        for name, column, parent in references:
            for i in list(included[name]):
                target = by_id[name][i][column]
                if (
                    target is not None
                    and target not in included[parent]
                    and target in by_id[parent]
                ):
                    included[parent].add(target)
                    changed = True
    return {name: [r for r in rows[name] if r["id"] in included[name]] for name in rows}


def upgrade_tables(tables: dict[str, dict[str, Any]], revision: str) -> dict[str, dict[str, Any]]:
    """Records written under an older schema, brought up to this app's schema by the same
    migrations that upgrade a database file: load them into a scratch database at their
    revision, upgrade it, read them back."""
    import sqlite3

    from shienapp.config import sqlite_url
    from shienapp.storage.db import make_engine, upgrade_to_head

    with tempfile.TemporaryDirectory(prefix="shienapp-upgrade-") as folder:
        target = Path(folder) / "old.sqlite3"
        url = sqlite_url(target)
        upgrade_to_head(url, revision)
        connection = sqlite3.connect(target)
        try:
            present = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            for name, payload in tables.items():
                columns = payload["columns"]
                if name not in present or not all(re.fullmatch(r"[a-z0-9_]+", c) for c in columns):
                    raise UserError(f"古い形式のファイルに、その版にない表か列があります: {name}")
                marks = ", ".join("?" for _ in columns)
                quoted = ", ".join(f'"{c}"' for c in columns)
                connection.executemany(
                    f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})',
                    (
                        [
                            json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                            for v in row
                        ]
                        for row in payload["rows"]
                    ),
                )
            connection.commit()
        except sqlite3.Error as exc:
            raise UserError(f"古い形式のファイルを読み込めませんでした: {exc}") from exc
        finally:
            connection.close()
        try:
            upgrade_to_head(url)
        except Exception as exc:  # the migrations refused what the file holds
            raise UserError(
                f"古い形式のファイルを今の形式に直せませんでした（中身が不完全です）: {exc}"
            ) from exc
        engine = make_engine(url)
        try:
            upgraded: dict[str, dict[str, Any]] = {}
            with engine.connect() as conn:
                for name, payload in tables.items():
                    table = TABLES_BY_NAME.get(name)
                    if table is None:
                        continue  # a table a later schema dropped
                    lineage = {
                        row[payload["columns"].index("id")]: lin
                        for row, lin in zip(payload["rows"], payload["lineage"], strict=True)
                    }
                    rows = [plain_row(r) for r in conn.execute(select(table)).mappings()]
                    columns = list(rows[0].keys()) if rows else [c.name for c in table.c]
                    upgraded[name] = {
                        "columns": columns,
                        "rows": [[r[c] for c in columns] for r in rows],
                        "lineage": [lineage[r["id"]] for r in rows],
                    }
        finally:
            engine.dispose()
    return upgraded
