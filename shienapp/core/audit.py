"""The audit trail: who created, changed, deleted, exported, printed or merged what, and when.

Changes made through the ORM are written by a flush hook in the same transaction as the change
(so a change and its line commit or vanish together); exports, prints, merges and sign-ins call
``append`` themselves. Each line carries the hash of the one before; ``verify`` walks the chain.
The values of contact details and notes are never copied here: the trail says that they
changed, not what they said, so emptying the trash really erases them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, select
from sqlalchemy.orm import Session

from shienapp.core.access import Actor, access_of
from shienapp.core.errors import UserError
from shienapp.core.permissions import Action
from shienapp.core.sync_labels import field_label, record_label, table_label, value_text
from shienapp.storage.db import Database
from shienapp.storage.models import AuditEntry

GENESIS = "0" * 64
TABLE = AuditEntry.__table__

# Values never copied into the trail (it is append-only; these must stay erasable).
PRIVATE_FIELDS = frozenset(
    {"postal_code", "address", "phone", "email", "note", "notes", "password_hash"}
)
PRIVATE_TEXT = "（内容は記録しません）"
# Bookkeeping, not records: their own events are written by the services that change them.
_NOT_AUDITED = frozenset({"audit_log", "accounts", "app_settings"})
_OWN_TABLES = {"accounts": "アカウント", "app_settings": "設定", "audit_log": "監査記録"}
_BOOKKEEPING_FIELDS = frozenset({"id", "version", "created_at", "updated_at"})
# More lines than this for one table and action in one save become one summary line.
_SUMMARY_AFTER = 20
_VALUE_LIMIT = 80

ACTIONS = (
    "作成",
    "変更",
    "削除",
    "復元",
    "完全に削除",
    "取込",
    "書き出し",
    "印刷",
    "持ち出し",
    "持ち帰り",
    "ごみ箱を空に",
    "バックアップから復元",
    "アカウント",
    "設定",
    "ログイン",
    "ログイン失敗",
    "ロック解除",
    "ログアウト",
)


@dataclass(frozen=True, slots=True)
class Event:
    """One line to append, before it is numbered and hashed."""

    action: str
    target: str = ""
    record_id: str = ""
    label: str = ""
    changes: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    record_id: str
    label: str
    changes: dict[str, Any]

    @property
    def target_label(self) -> str:
        return _OWN_TABLES.get(self.target) or (table_label(self.target) if self.target else "")

    @property
    def changes_text(self) -> str:
        parts = []
        for key, value in self.changes.items():
            if isinstance(value, list) and len(value) == 2:
                parts.append(f"{field_label(key)}: {value[0]} → {value[1]}")
            else:
                parts.append(f"{field_label(key)}: {value}")
        return "、".join(parts)


def _hash(prev: str, fields: list[Any]) -> str:
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + text).encode("utf-8")).hexdigest()


def _fields(row: dict[str, Any]) -> list[Any]:
    return [
        row["seq"],
        row["at"],
        row["account_id"],
        row["actor"],
        row["action"],
        row["target"],
        row["record_id"],
        row["label"],
        row["changes"],
    ]


# PostgreSQL keeps no NUL in text: a line moved from a file to the server (shienapp migrate-to)
# has each NUL stored as this noncharacter, and the check reads it back as NUL.
SERVER_NUL = "\ufffe"


def _hash_matches(row: dict[str, Any]) -> bool:
    fields = _fields(row)
    if _hash(row["prev_hash"], fields) == row["hash"]:
        return True
    restored = [f.replace(SERVER_NUL, "\x00") if isinstance(f, str) else f for f in fields]
    return restored != fields and _hash(row["prev_hash"], restored) == row["hash"]


def append(connection: Connection, actor: Actor, events: Iterable[Event]) -> int:
    """Number, chain and insert ``events`` in the caller's transaction; returns how many."""
    events = list(events)
    if not events:
        return 0
    last = connection.execute(
        select(TABLE.c.seq, TABLE.c.hash).order_by(TABLE.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last is not None else (0, GENESIS)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    rows = []
    for event in events:
        seq += 1
        row = {
            "seq": seq,
            "at": at,
            "account_id": str(actor.account_id or ""),
            "actor": actor.label[:100],
            "action": event.action,
            "target": event.target,
            "record_id": event.record_id,
            "label": event.label[:200],
            "changes": json.dumps(event.changes or {}, ensure_ascii=False, sort_keys=True),
        }
        row["prev_hash"] = prev
        row["hash"] = prev = _hash(prev, _fields(row))
        rows.append(row)
    connection.execute(TABLE.insert(), rows)
    return len(rows)


def record(db: Database, event: Event) -> None:
    """An event with no change of its own (an export, a print): a short transaction of its own,
    open to every role (a 閲覧 account's print is recorded too)."""
    with db.write() as s:
        s.info["system"] = True
        append(s.connection(), access_of(db).actor_or_system(), [event])


# --- changes through the ORM -------------------------------------------------------------------


def _shown(name: str, value: Any) -> str:
    if name in PRIVATE_FIELDS:
        return PRIVATE_TEXT
    if isinstance(value, uuid.UUID):
        return str(value)[:8]
    if isinstance(value, datetime | date):
        return value.isoformat()[:19]
    text = value_text(name, value)
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def _label(obj: Any) -> str:
    mapper = inspect(obj).mapper
    return record_label({a.key: getattr(obj, a.key, None) for a in mapper.column_attrs})


def _diff(obj: Any) -> dict[str, list[str]]:
    state = inspect(obj)
    changes: dict[str, list[str]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _BOOKKEEPING_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        changes[attr.key] = [_shown(attr.key, old), _shown(attr.key, new)]
    return changes


def _events_of_flush(session: Session) -> list[Event]:
    events: list[Event] = []

    def add(action: str, obj: Any, changes: dict[str, Any] | None = None) -> None:
        table = inspect(obj).mapper.local_table.name
        if table in _NOT_AUDITED or table.startswith("sync_"):
            return
        record_id = getattr(obj, "id", "")
        events.append(Event(action, table, str(record_id or ""), _label(obj), changes))

    for obj in session.new:
        add("作成", obj)
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        changes = _diff(obj)
        if not changes:
            continue
        deleted = changes.pop("deleted_at", None)
        if deleted is None:
            add("変更", obj, changes)
        elif getattr(obj, "deleted_at", None) is not None:
            add("削除", obj, changes or None)
        else:
            add("復元", obj, changes or None)
    for obj in session.deleted:
        add("完全に削除", obj)
    return _summarised(events)


def _summarised(events: list[Event]) -> list[Event]:
    """A map saved with 120 ties is one line per table and action, not 120."""
    groups: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        groups[(event.target, event.action)].append(event)
    out: list[Event] = []
    for (target, action), group in groups.items():
        if len(group) <= _SUMMARY_AFTER:
            out.extend(group)
            continue
        labels = "、".join(e.label for e in group[:10])
        out.append(
            Event(
                action,
                target,
                "",
                f"{len(group)}件（{labels} ほか）",
                {"件数": len(group)},
            )
        )
    return out


def install(db: Database) -> None:
    """Write the trail of every ORM change in the transaction that makes it."""

    def after_flush(session: Session, _context: Any) -> None:
        if session.info.get("no_audit"):
            return
        events = _events_of_flush(session)
        if events:
            append(session.connection(), access_of(db).actor_or_system(), events)

    db.listen("after_flush", after_flush)


# --- reading, checking, exporting -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None
    text: str = ""
    limit: int = 5000


def _row(entry: AuditEntry) -> AuditRow:
    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        changes = {"（読めません）": entry.changes}
    return AuditRow(
        seq=entry.seq,
        at=datetime.fromisoformat(entry.at),
        actor=entry.actor,
        action=entry.action,
        target=entry.target,
        record_id=entry.record_id,
        label=entry.label,
        changes=changes if isinstance(changes, dict) else {"": changes},
    )


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()).astimezone(UTC)


class AuditService:
    """The 管理者's view of the trail: filter, check the chain, export."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, where: AuditFilter | None = None) -> list[AuditRow]:
        access_of(self.db).require(Action.VIEW_AUDIT)
        where = where or AuditFilter()
        query = select(AuditEntry).order_by(AuditEntry.seq.desc())
        if where.actor:
            query = query.where(AuditEntry.actor.contains(where.actor))
        if where.action:
            query = query.where(AuditEntry.action == where.action)
        if where.target:
            query = query.where(AuditEntry.target == where.target)
        if where.since:
            query = query.where(AuditEntry.at >= _local_day_start(where.since).isoformat())
        if where.until:
            end = _local_day_start(where.until + timedelta(days=1))
            query = query.where(AuditEntry.at < end.isoformat())
        if where.text:
            like = f"%{where.text}%"
            query = query.where(AuditEntry.label.like(like) | AuditEntry.changes.like(like))
        with self.db.read() as s:
            return [_row(e) for e in s.scalars(query.limit(where.limit))]

    def count(self) -> int:
        from sqlalchemy import func

        with self.db.read() as s:
            s.info["system"] = True
            return s.scalar(select(func.count()).select_from(AuditEntry)) or 0

    def verify(self) -> list[str]:
        """Walk the chain; each problem names the line where it shows."""
        access_of(self.db).require(Action.VIEW_AUDIT)
        problems: list[str] = []
        prev = GENESIS
        expected = 1
        with self.db.read() as s:
            rows = s.execute(select(TABLE).order_by(TABLE.c.seq)).mappings()
            for row in rows:
                if row["seq"] != expected:
                    problems.append(f"{expected}番から{row['seq'] - 1}番の行がありません。")
                if row["prev_hash"] != prev:
                    problems.append(f"{row['seq']}番: 前の行とのつながりが合いません。")
                if not _hash_matches(dict(row)):
                    problems.append(f"{row['seq']}番: 内容が書き換えられています。")
                prev = row["hash"]
                expected = row["seq"] + 1
        return problems

    def head(self) -> tuple[int, str]:
        """The last line's number and hash: written down elsewhere, it shows a rewritten chain."""
        with self.db.read() as s:
            s.info["system"] = True
            last = s.execute(
                select(TABLE.c.seq, TABLE.c.hash).order_by(TABLE.c.seq.desc()).limit(1)
            ).first()
        return (0, GENESIS) if last is None else (last[0], last[1])

    def export(self, path: Path, where: AuditFilter | None = None) -> int:
        """CSV (UTF-8 with BOM, so Excel reads the Japanese) with each line's hash."""
        rows = self.list(where or AuditFilter(limit=10_000_000))
        if path.suffix.lower() != ".csv":
            raise UserError(f"監査記録は .csv に書き出します（指定: {path.name}）。")
        hashes: dict[int, str] = {}
        with self.db.read() as s:
            for seq, digest in s.execute(select(TABLE.c.seq, TABLE.c.hash)):
                hashes[seq] = digest
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(
                ["番号", "日時", "利用者", "操作", "対象", "名前", "変更内容", "ID", "ハッシュ"]
            )
            for r in sorted(rows, key=lambda r: r.seq):
                writer.writerow(
                    [
                        r.seq,
                        r.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                        r.actor,
                        r.action,
                        r.target_label,
                        r.label,
                        r.changes_text,
                        r.record_id,
                        hashes.get(r.seq, ""),
                    ]
                )
        tmp.replace(path)
        record(self.db, Event("書き出し", "audit_log", "", f"監査記録 {len(rows)}行 → {path.name}"))
        return len(rows)
