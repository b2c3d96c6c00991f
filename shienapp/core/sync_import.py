"""Merging an exchange file's records into the database, table by table, in one transaction."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from shienapp.core import exchange_file, sync_merge
from shienapp.core.errors import UserError
from shienapp.core.sync_labels import record_label, table_label
from shienapp.core.sync_rows import (
    SYNC_TABLES,
    TABLES_BY_NAME,
    Progress,
    chunks,
    hex_id,
    now_plain,
    plain_row,
    save_lineage,
    save_states,
    state_json,
    to_plain,
    typed_row,
)
from shienapp.storage.models import SyncConflict, SyncRecord, SyncState


@dataclass
class ImportReport:
    file_name: str
    source_name: str
    added: int = 0
    changed: int = 0
    deleted: int = 0
    restored: int = 0
    unchanged: int = 0
    conflicts: int = 0
    upgraded_from: str | None = None
    backup: Path | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.deleted or self.restored or self.conflicts)

    def summary(self) -> str:
        text = (
            f"{self.source_name} から: 追加 {self.added} 件、変更 {self.changed} 件、"
            f"削除 {self.deleted} 件、競合 {self.conflicts} 件（変更なし {self.unchanged} 件）"
        )
        if self.restored:
            text += f"。削除と編集がぶつかり、削除せずに残した記録が {self.restored} 件あります"
        return text


_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def checked_tables(
    exchange: exchange_file.Exchange, name: str, *, known: Collection[str] | None
) -> dict[str, dict[str, Any]]:
    """The file's tables, after checking their shape and that they match the manifest.

    ``known``: the table names this schema has (None for a file from an older schema, whose
    tables are checked by loading them into that schema instead)."""
    problems: list[str] = []
    manifest, tables = exchange.manifest, exchange.tables
    counts = manifest.get("counts") if isinstance(manifest, dict) else None
    if not isinstance(counts, dict) or not isinstance(tables, dict):
        raise UserError(f"{name} の目録が壊れています。データは変更していません。")
    if not _HEX32.match(str(exchange.header.device_id)):
        problems.append("書き出した端末の ID が正しくありません")
    for table_name, payload in tables.items():
        label = table_label(str(table_name))
        if known is not None and table_name not in known:
            problems.append(f"この版の shienapp にない表です: {table_name}")
            continue
        problem = _payload_problem(payload)
        if problem:
            problems.append(f"{label}: {problem}")
            continue
        if counts.get(table_name) != len(payload["rows"]):
            problems.append(
                f"{label}: 目録 {counts.get(table_name)} 件、中身 {len(payload['rows'])} 件"
            )
    for table_name in counts:
        if table_name not in tables:
            problems.append(f"{table_label(str(table_name))}: 目録にあるのに中身がありません")
    if problems:
        raise UserError(
            f"{name} の中身が壊れているか、目録と一致しません。データは変更していません。",
            problems,
        )
    return tables


def _payload_problem(payload: Any) -> str:
    """What is wrong with one table of the file ("" when its shape is sound)."""
    if not isinstance(payload, dict):
        return "表の形が正しくありません"
    columns, rows, lineage = payload.get("columns"), payload.get("rows"), payload.get("lineage")
    if (
        not isinstance(columns, list)
        or not all(isinstance(c, str) for c in columns)
        or len(set(columns)) != len(columns)
        or "id" not in columns
    ):
        return "列の並びが正しくありません（ID の列がないなど）"
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and len(r) == len(columns) for r in rows
    ):
        return "行の形が列の数と合いません"
    if not isinstance(lineage, list) or len(lineage) != len(rows):
        return "履歴の数が行の数と合いません"
    for entry in lineage:
        if not isinstance(entry, list) or not entry:
            return "履歴のない記録があります"
        if not all(isinstance(h, str) and 0 < len(h) <= 64 and h.isalnum() for h in entry):
            return "履歴の値が正しくありません"
    at = columns.index("id")
    ids = [r[at] for r in rows]
    if not all(isinstance(i, str) and _HEX32.match(i) for i in ids):
        return "ID の値が正しくありません"
    if len(set(ids)) != len(ids):
        return "同じ ID の記録が二つあります"
    return ""


def check_after(s: Session, tables: dict[str, dict[str, Any]]) -> None:
    """Before commit: every foreign key resolves, the file passes SQLite's check, and every
    record the file carried is in the database."""
    if s.get_bind().dialect.name == "sqlite":
        broken = s.connection().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            details = [
                f"{table_label(r[0])} が {table_label(r[2])} の記録を参照できません"
                for r in broken[:20]
            ]
            raise UserError(
                "取り込むと参照の切れた記録ができるため、取り込みを中止しました。データは変更していません。",
                details,
            )
        check = s.connection().exec_driver_sql("PRAGMA quick_check").scalar()
        if check != "ok":
            raise UserError(f"取り込み後の検査で問題が見つかったため中止しました: {check}")
    missing = []
    for name, payload in tables.items():
        table = TABLES_BY_NAME[name]
        index = payload["columns"].index("id")
        ids = [row[index] for row in payload["rows"]]
        present = 0
        for chunk in chunks(ids, 5000):
            query = select(func.count()).select_from(table).where(hex_id(table.c.id, s).in_(chunk))
            present += s.scalar(query) or 0
        if present != len(ids):
            missing.append(f"{table_label(name)}: ファイル {len(ids)} 件、取り込み後 {present} 件")
    if missing:
        raise UserError(
            "取り込み後の件数がファイルの目録と合わないため中止しました。データは変更していません。",
            missing,
        )


class Merger:
    """One import's walk over the file's tables: decide, then write in bulk."""

    def __init__(
        self,
        result: ImportReport,
        header: exchange_file.Header,
        file_name: str,
        report: Progress,
        total: int,
        *,
        trust_hashes: bool = True,
    ) -> None:
        # A file from an older schema was rewritten on the way in: its hashes describe the
        # old form of each record, so every record is compared by content instead.
        self.trust_hashes = trust_hashes
        self.new_lineage: dict[tuple[str, str], list[str]] = {}
        self.result = result
        self.header = header
        self.file_name = file_name
        self.report = report
        self.total = total
        self.done = 0

    def run(self, s: Session, tables: dict[str, dict[str, Any]]) -> None:
        if s.get_bind().dialect.name == "sqlite":
            s.connection().exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in SYNC_TABLES:
            payload = tables.get(table.name)
            if payload and payload["rows"]:
                self._table(s, table, payload)

    def _line(self, text: str) -> None:
        if len(self.result.lines) < 1000:
            self.result.lines.append(text)

    def _table(self, s: Session, table: Table, payload: dict[str, Any]) -> None:
        self.new_lineage: dict[tuple[str, str], list[str]] = {}
        columns = payload["columns"]
        id_index = columns.index("id")
        lineages = {
            record_id: lineage.split()
            for record_id, lineage in s.execute(
                select(hex_id(SyncRecord.record_id, s), SyncRecord.lineage).where(
                    SyncRecord.table_name == table.name
                )
            )
        }
        # Most records of a file are states this copy has seen already: those are settled
        # from the lineages alone, without reading the record.
        pending: list[tuple[dict[str, Any], list[str]]] = []
        for row, remote_lineage in zip(payload["rows"], payload["lineage"], strict=True):
            mine = lineages.get(row[id_index])
            if self.trust_hashes and mine is not None and remote_lineage[-1] in mine:
                self.result.unchanged += 1
                if not set(remote_lineage) <= set(mine):
                    self.new_lineage[(table.name, row[id_index])] = sync_merge.join_lineage(
                        mine, remote_lineage
                    )
                continue
            pending.append((dict(zip(columns, row, strict=True)), remote_lineage))
        self.done += len(payload["rows"]) - len(pending)
        self.report(self.done, self.total)
        local: dict[str, dict[str, Any]] = {}
        for chunk in chunks([row["id"] for row, _ in pending]):
            query = select(table).where(hex_id(table.c.id, s).in_(chunk))
            for found in s.execute(query).mappings():
                plain = plain_row(found)
                local[plain["id"]] = plain
        states: dict[str, str] = {}
        now = now_plain()
        label = table_label(table.name)
        # 1. Decide each record on its own: new, already seen, taken as it is, or merged.
        decisions: list[_Decision] = []
        for row, remote_lineage in pending:
            self.done += 1
            if self.done % 1000 == 0:
                self.report(self.done, self.total)
            h = sync_merge.state_hash(row)
            if remote_lineage[-1] != h:
                remote_lineage = sync_merge.join_lineage(remote_lineage, [h])
            states[h] = state_json(row)
            record_id = row["id"]
            mine = local.get(record_id)
            if mine is None:
                self.new_lineage[(table.name, record_id)] = remote_lineage
                decisions.append(_Decision(row, None, dict(row)))
                continue
            my_lineage = lineages.get(record_id, [])
            action = sync_merge.classify(sync_merge.state_hash(mine), my_lineage, remote_lineage)
            joined = sync_merge.join_lineage(my_lineage, remote_lineage)
            if joined != my_lineage:
                self.new_lineage[(table.name, record_id)] = joined
            if action in (sync_merge.Action.SAME, sync_merge.Action.ALREADY_SEEN):
                self.result.unchanged += 1
                continue
            if action is sync_merge.Action.FAST_FORWARD:
                merged = dict(row)
                merged["updated_at"] = row.get("updated_at") or now
                decisions.append(_Decision(row, mine, merged))
            else:
                base = self._base(s, my_lineage, remote_lineage)
                outcome = sync_merge.merge(base, mine, row)
                outcome.merged["updated_at"] = now
                decisions.append(_Decision(row, mine, outcome.merged, outcome, base))
        # 2. Unique keys, decided on the end state rather than the order of the file: keys the
        #    file's changes give up are free first; changed records claim theirs before new ones.
        unique = _UniqueKeys(s, table)
        for decision in decisions:
            if decision.mine is not None:
                unique.release(decision.mine)
        touched = {d.row["id"]: d for d in decisions}
        conflicts: list[SyncConflict] = []
        demoted: list[dict[str, Any]] = []
        for decision in sorted(decisions, key=lambda d: d.mine is None):
            merged = decision.merged
            if merged.get("deleted_at") is None:
                holder = unique.clash(merged)
                if holder is not None:
                    conflicts.append(
                        self._both_created(
                            s, table, holder, decision, touched, demoted, unique, now
                        )
                    )
            unique.claim(merged)
        # 3. Count, describe and write.
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for decision in decisions:
            if decision.mine is None:
                inserts.append(decision.merged)
                if decision.merged.get("deleted_at") is None:
                    self.result.added += 1
                    self._line(f"追加: {label}「{record_label(decision.row)}」")
                continue
            update = self._describe(table, decision, conflicts)
            if update is not None:
                updates.append(update)
        self.result.conflicts += len(conflicts)
        self._write(s, table, demoted, inserts, updates)
        save_lineage(s, self.new_lineage)
        save_states(s, states)
        s.add_all(conflicts)
        s.flush()

    def _describe(
        self, table: Table, decision: _Decision, conflicts: list[SyncConflict]
    ) -> dict[str, Any] | None:
        """Count and describe a change to an existing record; the row to write, if any."""
        mine, merged, outcome = decision.mine, decision.merged, decision.outcome
        assert mine is not None
        label = table_label(table.name)
        in_conflict = outcome is not None and outcome.in_conflict and not decision.both_created
        if in_conflict:
            assert outcome is not None
            conflicts.append(
                SyncConflict(
                    table_name=table.name,
                    record_id=uuid.UUID(hex=mine["id"]),
                    kind=outcome.kind,
                    fields=outcome.conflict_fields,
                    base=decision.base,
                    ours=mine,
                    theirs=decision.row,
                    source_device=uuid.UUID(hex=self.header.device_id),
                    source_name=self.header.device_name,
                    file_name=self.file_name,
                )
            )
            if outcome.kind == sync_merge.EDIT_DELETE:
                self.result.restored += 1
                self._line(
                    f"削除と編集が競合（削除せず残しました）: {label}「{record_label(merged)}」"
                )
            else:
                self._line(
                    f"競合: {label}「{record_label(mine)}」（{len(outcome.conflict_fields)} 項目）"
                )
        if _same_content(merged, mine):
            self.result.unchanged += 1
            return None
        was_alive, alive = mine.get("deleted_at") is None, merged.get("deleted_at") is None
        if was_alive and not alive:
            self.result.deleted += 1
            self._line(f"削除: {label}「{record_label(mine)}」")
        elif not was_alive and alive:
            self.result.added += 1
            if not in_conflict:
                self._line(f"復元: {label}「{record_label(merged)}」")
        elif alive:
            self.result.changed += 1
            if not in_conflict:
                self._line(f"変更: {label}「{record_label(merged)}」")
        merged["version"] = int(mine["version"]) + 1
        return merged

    def _base(self, s: Session, mine: list[str], theirs: list[str]) -> dict[str, Any] | None:
        candidates = sorted(set(mine) & set(theirs))
        if not candidates:
            return None
        known = {
            st.hash: st.data
            for st in s.scalars(select(SyncState).where(SyncState.hash.in_(candidates)))
        }
        chosen = sync_merge.common_base(mine, theirs, set(known))
        return None if chosen is None else json.loads(known[chosen])

    def _both_created(
        self,
        s: Session,
        table: Table,
        holder_id: str,
        decision: _Decision,
        touched: dict[str, _Decision],
        demoted: list[dict[str, Any]],
        unique: _UniqueKeys,
        now: str,
    ) -> SyncConflict:
        """The same thing was created on both copies (two 令和7年度 figures for one district,
        two attendance rows for one person). Both are kept: the one with the smaller id stays
        live on every copy, the other becomes a deleted record, and the pair is a conflict."""
        written = decision.merged
        decision.both_created = True
        holding = touched.get(holder_id)
        if holding is not None:
            holder = dict(holding.merged)
        else:
            found = s.execute(select(table).where(hex_id(table.c.id, s) == holder_id))
            holder = plain_row(found.mappings().one())
        theirs = dict(written)
        if written["id"] < holder_id:
            unique.release(holder)
            if holding is not None:
                holding.merged["deleted_at"] = now
            else:
                demoted.append(
                    {
                        **holder,
                        "deleted_at": now,
                        "updated_at": now,
                        "version": int(holder["version"]) + 1,
                    }
                )
            live_id = written["id"]
        else:
            written["deleted_at"] = now
            live_id = holder_id
        fields = [
            k
            for k in theirs
            if k not in sync_merge.LOCAL_FIELDS
            and k not in ("id", "created_at", "deleted_at")
            and theirs.get(k) != holder.get(k)
        ]
        self._line(f"両方で作成（競合）: {table_label(table.name)}「{record_label(theirs)}」")
        return SyncConflict(
            table_name=table.name,
            record_id=uuid.UUID(hex=live_id),
            kind=sync_merge.BOTH_CREATED,
            fields=fields,
            base=None,
            ours=holder,
            theirs=theirs,
            source_device=uuid.UUID(hex=self.header.device_id),
            source_name=self.header.device_name,
            file_name=self.file_name,
        )

    @staticmethod
    def _write(
        s: Session,
        table: Table,
        demoted: list[dict[str, Any]],
        inserts: list[dict[str, Any]],
        updates: list[dict[str, Any]],
    ) -> None:
        # Records giving up a unique key go first, so the ones taking it over can be written.
        statement = table.update().where(table.c.id == bindparam("_record_id"))
        dying = [r for r in updates if r.get("deleted_at") is not None]
        living = [r for r in updates if r.get("deleted_at") is None]
        for group in (demoted, dying, living, None):
            if group is None:
                for chunk in chunks(inserts):
                    s.execute(table.insert(), [typed_row(table, r) for r in chunk])
                continue
            for chunk in chunks(group):
                params = []
                for r in chunk:
                    typed = typed_row(table, r)
                    typed["_record_id"] = typed.pop("id")
                    params.append(typed)
                s.execute(statement, params)


@dataclass
class _Decision:
    """What one incoming record does to this copy, before unique keys are settled."""

    row: dict[str, Any]
    mine: dict[str, Any] | None
    merged: dict[str, Any]
    outcome: sync_merge.MergeResult | None = None
    base: dict[str, Any] | None = None
    both_created: bool = False


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return sync_merge.state_hash(a) == sync_merge.state_hash(b)


class _UniqueKeys:
    """The table's live unique keys (district names, one attendance per person), so a record
    created on both sides is caught before the database refuses the whole merge."""

    def __init__(self, s: Session, table: Table) -> None:
        self.indexes = [
            tuple(c.name for c in index.columns) for index in table.indexes if index.unique
        ]
        self.owner: list[dict[tuple[Any, ...], str]] = []
        for columns in self.indexes:
            owners: dict[tuple[Any, ...], str] = {}
            query = select(table.c.id, *(table.c[c] for c in columns)).where(
                table.c.deleted_at.is_(None)
            )
            for row in s.execute(query):
                key = tuple(to_plain(v) for v in row[1:])
                if None not in key:
                    owners[key] = row[0].hex
            self.owner.append(owners)

    def clash(self, row: dict[str, Any]) -> str | None:
        for columns, owners in zip(self.indexes, self.owner, strict=True):
            key = tuple(row.get(c) for c in columns)
            if None in key:
                continue
            holder = owners.get(key)
            if holder is not None and holder != row["id"]:
                return holder
        return None

    def release(self, row: dict[str, Any]) -> None:
        for columns, owners in zip(self.indexes, self.owner, strict=True):
            key = tuple(row.get(c) for c in columns)
            if owners.get(key) == row["id"]:
                del owners[key]

    def claim(self, row: dict[str, Any]) -> None:
        if row.get("deleted_at") is not None:
            return
        for columns, owners in zip(self.indexes, self.owner, strict=True):
            key = tuple(row.get(c) for c in columns)
            if None not in key:
                owners[key] = row["id"]
