"""ごみ箱: deleted records, restorable; emptying it erases their content but keeps the deletion.

Every delete in the app is a soft delete (``deleted_at``), and a delete that takes children with
it (a district's figures and council, a meeting's minutes) marks them all with the same moment,
so a restore brings back exactly what went with the record.

Emptying the trash cannot remove the rows themselves: a laptop copy that still has the record
would bring it back at the next exchange. Instead the record's text is erased (names, notes,
contact details) and the row stays as a blank, deleted tombstone, which then travels and erases
the other copies too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Table, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shienapp.core import audit
from shienapp.core.access import access_of
from shienapp.core.changes import Changes
from shienapp.core.errors import NotFoundError, UserError
from shienapp.core.permissions import Action
from shienapp.core.sync_labels import record_label, table_label
from shienapp.core.sync_rows import TABLES_BY_NAME, plain_row
from shienapp.storage.db import Database

# What a person deletes by itself, and so finds in the trash (children come back with these).
TRASH_TABLES = (
    "blocks",
    "districts",
    "councils",
    "meetings",
    "people",
    "organisations",
    "resources",
    "needs",
    "network_maps",
    "business_plans",
    "plan_goals",
)
ERASED = "（完全に削除）"
EVERYTHING = Changes(
    districts=True, statistics=True, councils=True, people=True, meetings=True, maps=True
)


@dataclass(frozen=True)
class TrashEntry:
    table: str
    id: uuid.UUID
    label: str
    deleted_at: datetime
    children: int

    @property
    def kind(self) -> str:
        return table_label(self.table)


def _children_of(table: Table) -> list[tuple[Table, str]]:
    """Tables whose rows point at ``table`` by a foreign key, with the column."""
    found = []
    for child in TABLES_BY_NAME.values():
        for column in child.c:
            for fk in column.foreign_keys:
                if fk.column.table is table and child is not table:
                    found.append((child, column.name))
    return found


def _same_moment(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a.replace(tzinfo=None) == b.replace(tzinfo=None)


class TrashService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self) -> list[TrashEntry]:
        """Deleted records, newest deletion first (erased ones are not shown)."""
        entries = []
        with self._db.read() as s:
            for name in TRASH_TABLES:
                table = TABLES_BY_NAME[name]
                for row in s.execute(
                    select(table).where(table.c.deleted_at.is_not(None))
                ).mappings():
                    plain = plain_row(row)
                    label = record_label(plain)
                    if label == ERASED or self._went_with_parent(s, table, row):
                        continue
                    children = sum(len(ids) for ids in self._cascade(s, table, row).values()) - 1
                    entries.append(
                        TrashEntry(name, row["id"], label, _aware(row["deleted_at"]), children)
                    )
        return sorted(entries, key=lambda e: e.deleted_at, reverse=True)

    def count(self) -> int:
        with self._db.read() as s:
            return sum(
                s.scalar(
                    select(func.count())
                    .select_from(TABLES_BY_NAME[n])
                    .where(TABLES_BY_NAME[n].c.deleted_at.is_not(None))
                )
                or 0
                for n in TRASH_TABLES
            )

    @staticmethod
    def _went_with_parent(s: Session, table: Table, row: Any) -> bool:
        """Deleted with a record it belongs to (a district's council): listed under that one."""
        for column in table.c:
            target = row[column.name]
            for fk in column.foreign_keys:
                parent_table = fk.column.table
                if target is None or parent_table is table:
                    continue
                moment = s.scalar(
                    select(parent_table.c.deleted_at).where(parent_table.c.id == target)
                )
                if _same_moment(moment, row["deleted_at"]):
                    return True
        return False

    def _cascade(self, s: Session, table: Table, row: Any) -> dict[str, list[uuid.UUID]]:
        """The record and every record deleted with it (same moment, through foreign keys)."""
        found: dict[str, list[uuid.UUID]] = {table.name: [row["id"]]}
        moment = row["deleted_at"]
        queue = [(table, row["id"])]
        while queue:
            parent, parent_id = queue.pop()
            for child, column in _children_of(parent):
                for child_row in s.execute(
                    select(child.c.id, child.c.deleted_at).where(child.c[column] == parent_id)
                ):
                    if _same_moment(child_row.deleted_at, moment):
                        ids = found.setdefault(child.name, [])
                        if child_row.id not in ids:
                            ids.append(child_row.id)
                            queue.append((child, child_row.id))
        return found

    def _load(self, s: Session, table_name: str, record_id: uuid.UUID) -> tuple[Table, Any]:
        if table_name not in TRASH_TABLES:
            raise UserError(f"ごみ箱から戻せない種類です: {table_name}")
        table = TABLES_BY_NAME[table_name]
        row = s.execute(select(table).where(table.c.id == record_id)).mappings().first()
        if row is None:
            raise NotFoundError("その記録は見つかりません。一覧を更新してください。")
        if row["deleted_at"] is None:
            raise UserError("その記録は削除されていません（すでに復元されています）。")
        return table, row

    def find(self, text: str) -> TrashEntry:
        """An entry by its ID (or a unique prefix of 8 or more characters)."""
        wanted = text.strip().lower().replace("-", "")
        if len(wanted) < 8:
            raise UserError("ID は 8 文字以上で指定してください（shienapp trash で一覧）。")
        matches = [e for e in self.list() if e.id.hex.startswith(wanted)]
        if not matches:
            raise NotFoundError(f"ごみ箱にその ID の記録はありません: {text}")
        if len(matches) > 1:
            raise UserError(
                f"ID「{text}」に当てはまる記録が複数あります。もっと長く指定してください。"
            )
        return matches[0]

    def restore(self, table_name: str, record_id: uuid.UUID) -> Changes:
        """Bring a record back with everything deleted with it; refused while a record it
        belongs to is itself in the trash, or when a live record now has its name."""
        with self._db.write() as s:
            table, row = self._load(s, table_name, record_id)
            if record_label(plain_row(row)) == ERASED:
                raise UserError("完全に削除した記録は復元できません。")
            for column in table.c:
                target = row[column.name]
                for fk in column.foreign_keys:
                    if target is None or fk.column.table is table:
                        continue
                    parent = (
                        s.execute(select(fk.column.table).where(fk.column.table.c.id == target))
                        .mappings()
                        .first()
                    )
                    if parent is not None and parent["deleted_at"] is not None:
                        raise UserError(
                            f"{table_label(fk.column.table.name)}「{record_label(plain_row(parent))}」"
                            "もごみ箱にあります。先にそちらを復元してください。"
                        )
            now = datetime.now(UTC)
            cascade = self._cascade(s, table, row)
            event = audit.Event(
                "復元",
                table_name,
                str(record_id),
                record_label(plain_row(row)),
                {"ごみ箱から": f"{sum(len(ids) for ids in cascade.values())}件"},
            )
            audit.append(s.connection(), access_of(self._db).actor_or_system(), [event])
            try:
                for name, ids in cascade.items():
                    target_table = TABLES_BY_NAME[name]
                    for record in ids:
                        s.execute(
                            target_table.update()
                            .where(target_table.c.id == record)
                            .values(
                                deleted_at=None,
                                updated_at=now,
                                version=target_table.c.version + 1,
                            )
                        )
            except IntegrityError as exc:
                raise UserError(
                    f"同じ内容の{table_label(table_name)}がすでにあるため復元できません"
                    f"（「{record_label(plain_row(row))}」）。名前を変えるなどしてから戻してください。"
                ) from exc
        return EVERYTHING

    def empty(self) -> int:
        """Erase the content of everything in the trash; the deletions themselves stay (and
        travel to other copies). Returns how many records were erased."""
        access_of(self._db).require(Action.EMPTY_TRASH)
        erased = 0
        with self._db.write() as s:
            now = datetime.now(UTC)
            for name in TRASH_TABLES:
                table = TABLES_BY_NAME[name]
                rows = s.execute(select(table).where(table.c.deleted_at.is_not(None))).mappings()
                for row in list(rows):
                    if record_label(plain_row(row)) == ERASED:
                        continue
                    for child_name, ids in self._cascade(s, table, row).items():
                        child = TABLES_BY_NAME[child_name]
                        values = _blank_values(child)
                        for record in ids:
                            s.execute(
                                child.update()
                                .where(child.c.id == record)
                                .values(**values, updated_at=now, version=child.c.version + 1)
                            )
                            erased += 1
            audit.append(
                s.connection(),
                access_of(self._db).actor_or_system(),
                [audit.Event("ごみ箱を空に", "", "", f"{erased}件の内容を消去")],
            )
        return erased


def _checked_columns(table: Table) -> set[str]:
    names: set[str] = set()
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            text = str(constraint.sqltext)
            names.update(c.name for c in table.c if c.name in text)
    return names


def _blank_values(table: Table) -> dict[str, Any]:
    """Every free-text column emptied (the first one says 完全に削除), JSON lists emptied;
    keys, dates, numbers and columns a CHECK constraint governs are left alone."""
    values: dict[str, Any] = {}
    checked = _checked_columns(table)
    label_set = False
    for column in table.c:
        if column.name in checked or column.primary_key or column.foreign_keys:
            continue
        if isinstance(column.type, JSON):
            values[column.name] = [] if not column.nullable else None
        elif isinstance(column.type, String | Text):
            if column.name in ("key", "source_key", "target_key", "link_kind"):
                continue
            if not label_set and column.name in ("name", "title", "label", "text", "summary"):
                values[column.name] = ERASED
                label_set = True
            else:
                values[column.name] = "" if not column.nullable else None
    return values


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()
