"""持ち出し・持ち帰り: write an exchange file, merge one back, keep and resolve conflicts.

Every synchronised table is a ``RecordMixin`` table (UUID key, version counter, soft delete), so
a deletion travels as a tombstone like any other change. A record travels with its lineage (see
``sync_merge``); the importing copy decides per record whether it already has the state, can
take it as it is, or must merge field by field against their common state. A merge runs in one
transaction after a backup; foreign keys, integrity and the manifest's record counts are
checked before it commits, so a bad file changes nothing.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError

from shienapp.core import audit, exchange_file, sync_merge
from shienapp.core.access import access_of
from shienapp.core.changes import Changes
from shienapp.core.errors import NotFoundError, UserError
from shienapp.core.permissions import Action
from shienapp.core.sync_import import ImportReport, Merger, check_after, checked_tables
from shienapp.core.sync_labels import record_label, table_label
from shienapp.core.sync_rows import (
    SYNC_TABLES,
    TABLES_BY_NAME,
    Progress,
    hex_id,
    now_plain,
    plain_row,
    save_lineage,
    save_states,
    scope_rows,
    state_json,
    to_plain,
    typed_row,
    upgrade_tables,
)
from shienapp.storage import schema
from shienapp.storage.db import Database
from shienapp.storage.models import SyncConflict, SyncDevice, SyncHistory, SyncPeer, SyncRecord

EVERYTHING = Changes(
    districts=True,
    statistics=True,
    councils=True,
    people=True,
    meetings=True,
    maps=True,
    conflicts=True,
)

# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DeviceInfo:
    device_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class ExportReport:
    path: Path
    total: int
    counts: dict[str, int]
    districts: list[str]
    size: int


@dataclass(frozen=True)
class ConflictInfo:
    id: uuid.UUID
    table: str
    record_id: uuid.UUID
    kind: str
    fields: list[str]
    base: dict[str, Any] | None
    ours: dict[str, Any]
    theirs: dict[str, Any]
    source_name: str
    file_name: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str

    @property
    def table_label(self) -> str:
        return table_label(self.table)

    @property
    def label(self) -> str:
        return record_label(self.ours if self.ours.get("deleted_at") is None else self.theirs)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    direction: str
    file_name: str
    peer_name: str
    by_user: str
    scope: str
    summary: dict[str, Any]


# ----------------------------------------------------------------------------- the service


class SyncService:
    """Exchange files in and out of one database, and the conflicts they leave."""

    def __init__(self, db: Database, *, backup: Callable[[str], Path | None] | None = None) -> None:
        self._db = db
        # Takes a backup for a reason ("pre-sync", "post-sync") and says where; the app
        # context passes its backup service, a bare service backs up nothing.
        self._take_backup = backup or (lambda _reason: None)

    # --- this copy -------------------------------------------------------------------------

    def _who(self) -> str:
        return access_of(self._db).actor_or_system().label

    def _audit(self, s: Any, action: str, label: str) -> None:
        """The exchange's line in the audit trail, in the transaction that records it."""
        actor = access_of(self._db).actor_or_system()
        audit.append(s.connection(), actor, [audit.Event(action, "", "", label)])

    def device(self) -> DeviceInfo:
        with self._db.read() as s:
            row = s.scalars(select(SyncDevice)).first()
            if row is not None:
                return DeviceInfo(row.device_id, row.name)
        with self._db.write() as s:
            s.info["system"] = True  # this copy's identity, made on first need, by any role
            s.info["no_audit"] = True
            row = s.scalars(select(SyncDevice)).first()
            if row is None:
                row = SyncDevice(device_id=uuid.uuid4(), name=_default_device_name())
                s.add(row)
            return DeviceInfo(row.device_id, row.name)

    def rename_device(self, name: str) -> Changes:
        access_of(self._db).require(Action.EDIT)  # before device() makes the row
        name = name.strip()
        if not name:
            raise UserError("端末の名前を入力してください（例: 本所PC、佐藤ノートPC）。")
        if len(name) > 100:
            raise UserError("端末の名前は 100 文字以内にしてください。")
        self.device()
        with self._db.write() as s:
            row = s.scalars(select(SyncDevice)).one()
            row.name = name
        return Changes(conflicts=True)

    # --- export ----------------------------------------------------------------------------

    def export(
        self,
        path: Path,
        passphrase: str,
        *,
        districts: Iterable[uuid.UUID] | None = None,
        progress: Progress | None = None,
    ) -> ExportReport:
        """Write every record (or those of ``districts`` and what they refer to) to ``path``."""
        access_of(self._db).require(Action.EXCHANGE)
        exchange_file.check_passphrase(passphrase)
        path = Path(path).absolute()
        if path.suffix.lower() != exchange_file.SUFFIX:
            raise UserError(
                f"交換ファイルの名前は {exchange_file.SUFFIX} で終えてください: {path.name}"
            )
        report = progress or (lambda _d, _t: None)
        device = self.device()
        chosen = None if districts is None else {d.hex for d in districts}
        with self._db.read() as s:
            rows = {
                t.name: [plain_row(r) for r in s.execute(select(t)).mappings()] for t in SYNC_TABLES
            }
            lineages = {
                (name, record_id): lineage.split()
                for name, record_id, lineage in s.execute(
                    select(
                        SyncRecord.table_name, hex_id(SyncRecord.record_id, s), SyncRecord.lineage
                    )
                )
            }
        district_names: list[str] = []
        if chosen is not None:
            known = {r["id"]: r["name"] for r in rows["districts"]}
            missing = chosen - set(known)
            if missing or not chosen:
                raise UserError("書き出す地区を選んでください（選んだ地区が見つかりません）。")
            district_names = sorted(known[d] for d in chosen)
            rows = scope_rows(rows, chosen)
        total = sum(len(v) for v in rows.values())
        tables: dict[str, dict[str, Any]] = {}
        new_lineage: dict[tuple[str, str], list[str]] = {}
        new_states: dict[str, str] = {}
        done = 0
        for table in SYNC_TABLES:
            table_rows = rows[table.name]
            if not table_rows:
                continue
            columns = list(table_rows[0].keys())
            out_rows, out_lineage = [], []
            for row in table_rows:
                h = sync_merge.state_hash(row)
                lineage = lineages.get((table.name, row["id"]), [])
                if not lineage or lineage[-1] != h:
                    lineage = sync_merge.join_lineage(lineage, [h])
                    new_lineage[(table.name, row["id"])] = lineage
                    new_states[h] = state_json(row)
                out_rows.append([row[c] for c in columns])
                out_lineage.append(lineage)
                done += 1
                if done % 2000 == 0:
                    report(done, total * 2)
            tables[table.name] = {"columns": columns, "rows": out_rows, "lineage": out_lineage}
        created = now_plain()
        manifest = {
            "source_device": device.device_id.hex,
            "source_name": device.name,
            "created_at": created,
            "schema": schema.HEAD,
            "districts": district_names,
            "counts": {name: len(t["rows"]) for name, t in tables.items()},
            "total": total,
        }
        data = exchange_file.encode(
            passphrase,
            device_id=device.device_id.hex,
            device_name=device.name,
            schema=schema.HEAD,
            created_at=created,
            manifest=manifest,
            tables=tables,
        )
        report(total * 3 // 2, total * 2)
        exchange_file.write_verified(path, data, passphrase)
        with self._db.write() as s:
            save_lineage(s, new_lineage)
            save_states(s, new_states)
            scope = "、".join(district_names) or "すべて"
            self._audit(s, "持ち出し", f"{path.name}（{scope}、{total}件）")
            s.add(
                SyncHistory(
                    direction="export",
                    file_name=str(path),
                    by_user=self._who(),
                    scope="、".join(district_names) or "すべて",
                    summary={"total": total, "counts": manifest["counts"]},
                )
            )
        report(total * 2, total * 2)
        return ExportReport(path, total, manifest["counts"], district_names, len(data))

    # --- import ----------------------------------------------------------------------------

    @staticmethod
    def peek(path: Path) -> exchange_file.Header:
        """Who wrote ``path`` and when, before the passphrase is asked."""
        path = Path(path)
        header, _prefix, _body = exchange_file.read_header(path.read_bytes(), path.name)
        return header

    def import_file(
        self, path: Path, passphrase: str, *, progress: Progress | None = None
    ) -> ImportReport:
        """Merge ``path`` into this database: all of it, or (on any fault) none of it."""
        access_of(self._db).require(Action.EXCHANGE)
        path = Path(path).absolute()
        report = progress or (lambda _d, _t: None)
        if not path.is_file():
            raise NotFoundError(f"ファイルが見つかりません: {path}")
        exchange = exchange_file.decode(path.read_bytes(), passphrase, path.name)
        header, manifest = exchange.header, exchange.manifest
        if header.schema not in schema.REVISIONS:
            raise UserError(
                f"{path.name} は新しい版の shienapp で書き出されています"
                f"（スキーマ {header.schema}）。このパソコンの shienapp を更新してから"
                "取り込んでください。データは変更していません。"
            )
        at_head = header.schema == schema.HEAD
        tables = checked_tables(exchange, path.name, known=TABLES_BY_NAME if at_head else None)
        result = ImportReport(file_name=path.name, source_name=header.device_name)
        if not at_head:
            result.upgraded_from = header.schema
            tables = upgrade_tables(tables, header.schema)
        device = self.device()
        if header.device_id == device.device_id.hex:
            raise UserError(
                f"{path.name} はこの端末（{device.name}）自身が書き出したファイルです。"
                "取り込むのは、ほかの端末が書き出したファイルです。"
            )
        result.backup = self._take_backup("pre-sync")
        total = sum(len(t["rows"]) for t in tables.values())
        merger = Merger(
            result, header, path.name, report, total, trust_hashes=result.upgraded_from is None
        )
        try:
            self._merge(merger, tables, header, manifest, path, result)
        except IntegrityError as exc:
            # A safety net: the merge settles unique keys itself, so this means a case it does
            # not know. The transaction is rolled back; nothing was changed.
            raise UserError(
                f"{path.name} を取り込むと同じ内容の記録が二重になるため中止しました。"
                "データは変更していません。",
                [str(exc.orig)],
            ) from exc
        except (StatementError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # A value of the wrong kind inside a correctly sealed file (written by a faulty or
            # foreign program): rolled back like any other fault.
            raise UserError(
                f"{path.name} の中に読み取れない値がありました（壊れているか、別のプログラムが"
                "書いたファイルです）。データは変更していません。",
                [f"{type(exc).__name__}: {exc}"[:300]],
            ) from exc
        self._take_backup("post-sync")
        report(total, total)
        return result

    def _merge(
        self,
        merger: Merger,
        tables: dict[str, dict[str, Any]],
        header: exchange_file.Header,
        manifest: dict[str, Any],
        path: Path,
        result: ImportReport,
    ) -> None:
        with self._db.write() as s:
            merger.run(s, tables)
            check_after(s, tables)
            self._audit(
                s,
                "持ち帰り",
                f"{path.name}（{header.device_name}から: 追加{result.added}・変更{result.changed}"
                f"・削除{result.deleted}・競合{result.conflicts}）",
            )
            s.merge(
                SyncPeer(
                    device_id=uuid.UUID(hex=header.device_id),
                    name=header.device_name,
                    last_import_at=datetime.now(UTC),
                )
            )
            s.add(
                SyncHistory(
                    direction="import",
                    file_name=str(path),
                    peer_device=uuid.UUID(hex=header.device_id),
                    peer_name=header.device_name,
                    by_user=self._who(),
                    scope="、".join(manifest.get("districts") or []) or "すべて",
                    summary={
                        "added": result.added,
                        "changed": result.changed,
                        "deleted": result.deleted,
                        "restored": result.restored,
                        "conflicts": result.conflicts,
                        "unchanged": result.unchanged,
                        "lines": result.lines[:200],
                    },
                )
            )

    # --- conflicts -------------------------------------------------------------------------

    def conflicts(self, *, include_resolved: bool = False) -> list[ConflictInfo]:
        with self._db.read() as s:
            query = select(SyncConflict).order_by(SyncConflict.created_at, SyncConflict.table_name)
            if not include_resolved:
                query = query.where(SyncConflict.resolved_at.is_(None))
            return [_conflict_info(c) for c in s.scalars(query)]

    def open_conflict_count(self) -> int:
        with self._db.read() as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(SyncConflict)
                    .where(SyncConflict.resolved_at.is_(None))
                )
                or 0
            )

    def resolve(self, conflict_id: uuid.UUID, choice: str | dict[str, str]) -> Changes:
        """Settle a conflict: ``"ours"`` (こちら), ``"theirs"`` (あちら), or a side per field."""
        with self._db.write() as s:
            conflict = s.get(SyncConflict, conflict_id)
            if conflict is None:
                raise NotFoundError("その競合は見つかりません。一覧を更新してください。")
            if conflict.resolved_at is not None:
                raise UserError("この競合はすでに解決されています。")
            if isinstance(choice, str):
                if choice not in ("ours", "theirs"):
                    raise UserError(f"選び方が不明です: {choice}")
                picks = {f: choice for f in conflict.fields}
                resolution = "こちらを採用" if choice == "ours" else "あちらを採用"
            else:
                unknown = [f for f in conflict.fields if choice.get(f) not in ("ours", "theirs")]
                if unknown:
                    raise UserError("まだ選んでいない項目があります: " + "、".join(unknown))
                picks = {f: choice[f] for f in conflict.fields}
                resolution = "項目ごとに選択"
            table = TABLES_BY_NAME[conflict.table_name]
            current = (
                s.execute(select(table).where(table.c.id == conflict.record_id)).mappings().first()
            )
            if current is None:
                raise NotFoundError("競合している記録が見つかりません。")
            values = {
                f: (conflict.ours if side == "ours" else conflict.theirs).get(f)
                for f, side in picks.items()
            }
            values = {f: v for f, v in values.items() if to_plain(current[f]) != v}
            if values:
                params = typed_row(table, values)
                params["version"] = current["version"] + 1
                params["updated_at"] = datetime.now(UTC)
                s.execute(table.update().where(table.c.id == conflict.record_id).values(**params))
            conflict.resolved_at = datetime.now(UTC)
            conflict.resolution = resolution
            conflict.resolved_by = self._who()
            label = record_label(plain_row(current))
            changes = {f: "こちら" if side == "ours" else "あちら" for f, side in picks.items()}
            audit.append(
                s.connection(),
                access_of(self._db).actor_or_system(),
                [audit.Event("変更", conflict.table_name, str(conflict.record_id), label, changes)],
            )
        return EVERYTHING

    def history(self, limit: int = 200) -> list[HistoryEntry]:
        with self._db.read() as s:
            rows = s.scalars(select(SyncHistory).order_by(SyncHistory.at.desc()).limit(limit))
            return [
                HistoryEntry(
                    local_time(r.at),
                    r.direction,
                    r.file_name,
                    r.peer_name,
                    r.by_user,
                    r.scope,
                    r.summary,
                )
                for r in rows
            ]

    def district_choices(self) -> list[tuple[uuid.UUID, str]]:
        from shienapp.storage.models import District

        with self._db.read() as s:
            rows = s.execute(
                select(District.id, District.name)
                .where(District.deleted_at.is_(None))
                .order_by(District.reading, District.name)
            )
            return [(r.id, r.name) for r in rows]


# ----------------------------------------------------------------------------- helpers


def local_time(moment: datetime) -> datetime:
    """A stored moment (UTC; SQLite hands it back without a zone) on this computer's clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def _default_device_name() -> str:
    try:
        name = socket.gethostname().strip()
    except OSError:
        name = ""
    return (name or "この端末")[:100]


def _conflict_info(c: SyncConflict) -> ConflictInfo:
    return ConflictInfo(
        id=c.id,
        table=c.table_name,
        record_id=c.record_id,
        kind=c.kind,
        fields=list(c.fields),
        base=c.base,
        ours=c.ours,
        theirs=c.theirs,
        source_name=c.source_name,
        file_name=c.file_name,
        created_at=local_time(c.created_at),
        resolved_at=None if c.resolved_at is None else local_time(c.resolved_at),
        resolution=c.resolution,
    )
