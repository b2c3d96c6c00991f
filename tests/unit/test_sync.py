"""持ち出し・持ち帰り: exchange files between copies of one database, merged record by record."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from dbdump import app_rows, file_rows, synced_rows
from sqlalchemy import select

from shienapp.core import exchange_file, sync_merge
from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput, StatisticsInput
from shienapp.core.errors import UserError
from shienapp.core.sync_rows import SYNC_TABLES
from shienapp.storage import schema
from shienapp.storage.models import (
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    District,
    DistrictStatistics,
    Meeting,
    Person,
)

PASS = "correct horse battery"
FIXTURE_0004 = Path(__file__).parents[1] / "fixtures" / "db" / "rev_0004_directory.sqlite3"

Dump = dict[str, dict[str, dict[str, Any]]]


# ----------------------------------------------------------------------------- helpers


dump = synced_rows
raw_dump = file_rows  # sync bookkeeping included


def hashes(ctx: AppContext) -> dict[str, dict[str, str]]:
    return {
        name: {i: sync_merge.state_hash(row) for i, row in rows.items()}
        for name, rows in dump(ctx).items()
    }


def edit(ctx: AppContext, model: type[Any], record_id: uuid.UUID, **values: Any) -> None:
    with ctx.db.write() as s:
        obj = s.get(model, record_id)
        assert obj is not None
        for key, value in values.items():
            setattr(obj, key, value)


def soft_delete(ctx: AppContext, model: type[Any], record_id: uuid.UUID) -> None:
    edit(ctx, model, record_id, deleted_at=datetime.now(UTC))


def row(ctx: AppContext, model: type[Any], record_id: uuid.UUID) -> dict[str, Any]:
    return dump(ctx)[model.__tablename__][record_id.hex]


def add_person(ctx: AppContext, name: str, **values: Any) -> uuid.UUID:
    with ctx.db.write() as s:
        person = Person(name=name, **values)
        s.add(person)
        s.flush()
        return person.id


def live_statistics(ctx: AppContext, district: uuid.UUID, year: int) -> list[dict[str, Any]]:
    return [
        r
        for r in dump(ctx)["district_statistics"].values()
        if r["district_id"] == district.hex and r["fiscal_year"] == year and r["deleted_at"] is None
    ]


@dataclass
class Ids:
    block: uuid.UUID
    district_a: uuid.UUID
    district_b: uuid.UUID
    council_a: uuid.UUID
    council_b: uuid.UUID
    people: dict[str, uuid.UUID] = field(default_factory=dict)
    meeting_a: uuid.UUID | None = None
    meeting_b: uuid.UUID | None = None


def build_small(ctx: AppContext) -> Ids:
    """Two districts of one block, each with a council; people, a meeting with attendance."""
    block, _ = ctx.districts.create_block("北ブロック", "きたぶろっく")
    council = CouncilInput(status="設置済", established_on=date(2024, 4, 1))
    a, _ = ctx.districts.create_district(
        DistrictInput("井野", "いの", block.id, code="A01", note="駅の北側", council=council)
    )
    b, _ = ctx.districts.create_district(DistrictInput("桜台", "さくらだい", block.id))
    ctx.districts.set_statistics(a, StatisticsInput(2024, 1200, 400, 200, 500, 80))
    ctx.districts.set_statistics(b, StatisticsInput(2024, 900, 250))
    with ctx.db.read() as s:
        councils = {c.district_id: c.id for c in s.scalars(select(Council))}
    ids = Ids(block.id, a, b, councils[a], councils[b])
    ids.people["yamada"] = add_person(
        ctx, "山田 太郎", reading="やまだ たろう", district_id=a, phone="0120-111-111",
        address="井野1-1", roles=["自治会長"], consent_on=date(2024, 5, 1),
    )  # fmt: skip
    ids.people["sato"] = add_person(ctx, "佐藤 花子", district_id=a, note="民生委員")
    ids.people["suzuki"] = add_person(ctx, "鈴木 一郎")  # no district: only comes if referenced
    ids.people["tanaka"] = add_person(ctx, "田中 次郎", district_id=b, phone="03-0000-0000")
    ids.people["kato"] = add_person(ctx, "加藤 三郎")  # no district, attends nothing
    with ctx.db.write() as s:
        ma = Meeting(council_id=ids.council_a, held_on=date(2024, 6, 1), title="第1回定例会")
        mb = Meeting(council_id=ids.council_b, held_on=date(2024, 6, 2), title="桜台の会")
        s.add_all([ma, mb])
        s.flush()
        s.add_all(
            [
                Attendance(meeting_id=ma.id, person_id=ids.people["yamada"]),
                Attendance(meeting_id=ma.id, person_id=ids.people["suzuki"], status="代理"),
                Attendance(meeting_id=ma.id, guest_name="来賓 様"),
                Attendance(meeting_id=mb.id, person_id=ids.people["tanaka"]),
                AgendaItem(meeting_id=ma.id, title="見守り活動"),
                CouncilMember(council_id=ids.council_a, person_id=ids.people["sato"], role="会長"),
            ]
        )
        ids.meeting_a, ids.meeting_b = ma.id, mb.id
    return ids


def open_copy(path: Path, name: str) -> AppContext:
    context = AppContext.open(path)
    context.sync.rename_device(name)
    return context


class Pair:
    """A PC holding small data and a laptop that took everything from it."""

    def __init__(self, folder: Path, stack: ExitStack, pc: str | Path | None = None) -> None:
        self.folder = folder
        # The centre's database: a file, or the city's PostgreSQL server (``db_target``); the
        # laptop is always a file, as a coordinator's is.
        self.pc = open_copy(pc or folder / "pc.sqlite3", "本所PC")
        stack.callback(self.pc.close)
        self.ids = build_small(self.pc)
        self.laptop = open_copy(folder / "laptop.sqlite3", "佐藤ノートPC")
        stack.callback(self.laptop.close)
        self.files = 0
        self.send(self.pc, self.laptop)

    def send(self, source: AppContext, target: AppContext) -> Any:
        self.files += 1
        path = self.folder / f"exchange-{self.files}.shienx"
        source.sync.export(path, PASS)
        return target.sync.import_file(path, PASS)

    def pc_to_laptop(self) -> Any:
        return self.send(self.pc, self.laptop)

    def laptop_to_pc(self) -> Any:
        return self.send(self.laptop, self.pc)


@pytest.fixture
def pair(tmp_path: Path, db_target: str | Path) -> Iterator[Pair]:
    with ExitStack() as stack:
        yield Pair(tmp_path, stack, db_target)


def person_conflicts(ctx: AppContext, person: uuid.UUID) -> list[Any]:
    return [c for c in ctx.sync.conflicts() if c.table == "people" and c.record_id == person]


# ----------------------------------------------------------------------------- 1. round trip


def test_round_trip_copies_every_record(pair: Pair) -> None:
    pc, laptop = pair.pc, pair.laptop
    assert pc.sync.device().device_id != laptop.sync.device().device_id
    before = dump(pc)
    assert len(before["people"]) == 5 and len(before["attendances"]) == 4
    assert before["councils"] and before["council_status_events"]
    assert before["district_statistics"] and before["agenda_items"]
    assert dump(laptop) == before
    assert hashes(laptop) == hashes(pc)
    assert laptop.sync.open_conflict_count() == 0
    # The laptop's services read what came across.
    names = {d.name for d in laptop.districts.list_districts()}
    assert names == {"井野", "桜台"}


def test_round_trip_report_counts_what_was_added(tmp_path: Path) -> None:
    with ExitStack() as stack:
        pc = open_copy(tmp_path / "pc.sqlite3", "本所PC")
        stack.callback(pc.close)
        build_small(pc)
        export = pc.sync.export(tmp_path / "all.shienx", PASS)
        total = sum(len(rows) for rows in dump(pc).values())
        assert export.total == total
        assert export.counts == {n: len(r) for n, r in dump(pc).items() if r}
        assert export.path.read_bytes().startswith(exchange_file.MAGIC)
        assert export.size == export.path.stat().st_size
        laptop = open_copy(tmp_path / "laptop.sqlite3", "ノートPC")
        stack.callback(laptop.close)
        report = laptop.sync.import_file(tmp_path / "all.shienx", PASS)
        assert (report.added, report.changed, report.deleted, report.conflicts) == (
            total,
            0,
            0,
            0,
        )
        assert report.source_name == "本所PC"
        assert report.upgraded_from is None


# ----------------------------------------------------------------------------- 2. edit vs edit


def test_edits_to_different_fields_merge_without_conflict(pair: Pair) -> None:
    person = pair.ids.people["yamada"]
    edit(pair.pc, Person, person, phone="0120-999-999")
    edit(pair.laptop, Person, person, address="井野2-2")
    report = pair.laptop_to_pc()
    assert report.conflicts == 0 and report.changed == 1
    merged = row(pair.pc, Person, person)
    assert (merged["phone"], merged["address"]) == ("0120-999-999", "井野2-2")
    assert pair.pc.sync.open_conflict_count() == 0
    report = pair.pc_to_laptop()
    assert report.conflicts == 0
    assert pair.laptop.sync.open_conflict_count() == 0
    assert dump(pair.laptop) == dump(pair.pc)


def test_edits_to_same_field_keep_both_values_in_a_conflict(pair: Pair) -> None:
    person = pair.ids.people["yamada"]
    edit(pair.pc, Person, person, phone="111-PC")
    edit(pair.laptop, Person, person, phone="222-LAPTOP", note="ノートで追記")
    report = pair.laptop_to_pc()
    assert report.conflicts == 1
    (conflict,) = pair.pc.sync.conflicts()
    assert conflict.kind == sync_merge.EDIT_EDIT == "編集と編集"
    assert conflict.table == "people" and conflict.record_id == person
    assert conflict.fields == ["phone"]
    assert conflict.ours["phone"] == "111-PC"
    assert conflict.theirs["phone"] == "222-LAPTOP"
    assert conflict.base is not None and conflict.base["phone"] == "0120-111-111"
    assert conflict.source_name == "佐藤ノートPC"
    merged = row(pair.pc, Person, person)
    assert merged["note"] == "ノートで追記"  # the field only one side changed is taken
    assert merged["phone"] in ("111-PC", "222-LAPTOP")
    pair.pc_to_laptop()
    assert dump(pair.laptop) == dump(pair.pc)
    # Settling it on the PC travels too.
    pair.pc.sync.resolve(conflict.id, "ours")
    assert pair.pc.sync.open_conflict_count() == 0
    assert row(pair.pc, Person, person)["phone"] == "111-PC"
    pair.pc_to_laptop()
    assert row(pair.laptop, Person, person)["phone"] == "111-PC"
    assert dump(pair.laptop) == dump(pair.pc)


def test_resolve_per_field_and_refusals(pair: Pair) -> None:
    person = pair.ids.people["yamada"]
    edit(pair.pc, Person, person, phone="111", address="PC住所")
    edit(pair.laptop, Person, person, phone="222", address="ノート住所")
    pair.laptop_to_pc()
    (conflict,) = pair.pc.sync.conflicts()
    assert sorted(conflict.fields) == ["address", "phone"]
    with pytest.raises(UserError):
        pair.pc.sync.resolve(conflict.id, {"phone": "ours"})  # address not chosen
    with pytest.raises(UserError):
        pair.pc.sync.resolve(conflict.id, "mine")
    pair.pc.sync.resolve(conflict.id, {"phone": "theirs", "address": "ours"})
    merged = row(pair.pc, Person, person)
    assert (merged["phone"], merged["address"]) == ("222", "PC住所")
    assert pair.pc.sync.conflicts() == []
    (settled,) = pair.pc.sync.conflicts(include_resolved=True)
    assert settled.resolved_at is not None and settled.resolution == "項目ごとに選択"
    with pytest.raises(UserError):
        pair.pc.sync.resolve(conflict.id, "ours")


# ----------------------------------------------------------------------------- 3. edit vs delete


@pytest.mark.parametrize("deleter", ["pc", "laptop"])
def test_edit_beats_delete_and_deleting_side_can_still_delete(pair: Pair, deleter: str) -> None:
    person = pair.ids.people["sato"]
    deleting = pair.pc if deleter == "pc" else pair.laptop
    editing = pair.laptop if deleter == "pc" else pair.pc
    soft_delete(deleting, Person, person)
    edit(editing, Person, person, phone="090-1234-5678")
    report = pair.send(editing, deleting)
    assert report.restored == 1
    assert report.conflicts == 1
    kept = row(deleting, Person, person)
    assert kept["deleted_at"] is None
    assert kept["phone"] == "090-1234-5678"
    (conflict,) = person_conflicts(deleting, person)
    assert conflict.kind == sync_merge.EDIT_DELETE == "削除と編集"
    assert "deleted_at" in conflict.fields
    assert conflict.ours["deleted_at"] is not None
    assert conflict.theirs["deleted_at"] is None
    # The person who deleted it looks, and still wants it gone.
    deleting.sync.resolve(conflict.id, "ours")
    assert row(deleting, Person, person)["deleted_at"] is not None
    assert deleting.sync.open_conflict_count() == 0
    pair.send(deleting, editing)
    assert row(editing, Person, person)["deleted_at"] is not None
    assert dump(editing) == dump(deleting)


@pytest.mark.parametrize("deleter", ["pc", "laptop"])
def test_edit_vs_delete_seen_from_the_editing_side(pair: Pair, deleter: str) -> None:
    person = pair.ids.people["sato"]
    deleting = pair.pc if deleter == "pc" else pair.laptop
    editing = pair.laptop if deleter == "pc" else pair.pc
    soft_delete(deleting, Person, person)
    edit(editing, Person, person, phone="090-1234-5678")
    report = pair.send(deleting, editing)
    assert report.restored == 1 and report.conflicts == 1
    assert row(editing, Person, person)["deleted_at"] is None
    (conflict,) = person_conflicts(editing, person)
    assert conflict.kind == "削除と編集"
    editing.sync.resolve(conflict.id, "theirs")
    assert row(editing, Person, person)["deleted_at"] is not None
    pair.send(editing, deleting)
    assert dump(editing) == dump(deleting)


def test_delete_without_edit_on_the_other_side_travels(pair: Pair) -> None:
    person = pair.ids.people["kato"]
    soft_delete(pair.laptop, Person, person)
    report = pair.laptop_to_pc()
    assert (report.deleted, report.conflicts, report.restored) == (1, 0, 0)
    assert row(pair.pc, Person, person)["deleted_at"] is not None
    assert dump(pair.pc) == dump(pair.laptop)


# ----------------------------------------------------------------------------- 4. both create


def test_new_records_on_both_sides_both_survive(pair: Pair) -> None:
    on_pc = add_person(pair.pc, "PCで追加")
    on_laptop = add_person(pair.laptop, "ノートで追加")
    report = pair.laptop_to_pc()
    assert report.added == 1 and report.conflicts == 0
    report = pair.pc_to_laptop()
    assert report.added == 1 and report.conflicts == 0
    for ctx in (pair.pc, pair.laptop):
        people = dump(ctx)["people"]
        assert people[on_pc.hex]["name"] == "PCで追加"
        assert people[on_laptop.hex]["name"] == "ノートで追加"
    assert dump(pair.pc) == dump(pair.laptop)


def add_statistics(ctx: AppContext, record_id: uuid.UUID, district: uuid.UUID, total: int) -> None:
    with ctx.db.write() as s:
        s.add(
            DistrictStatistics(
                id=record_id,
                district_id=district,
                fiscal_year=2025,
                total_population=total,
                population_65_plus=total // 3,
            )
        )


LOW, HIGH = uuid.UUID(int=1), uuid.UUID(int=2**128 - 1)


@pytest.mark.parametrize(
    ("first", "smaller"),
    [
        ("laptop_to_pc", "laptop"),
        ("pc_to_laptop", "pc"),
        ("laptop_to_pc", "pc"),
        ("pc_to_laptop", "laptop"),
    ],
)
def test_same_unique_key_created_on_both_sides(pair: Pair, first: str, smaller: str) -> None:
    district = pair.ids.district_a
    pc_id, laptop_id = (LOW, HIGH) if smaller == "pc" else (HIGH, LOW)
    add_statistics(pair.pc, pc_id, district, 1300)
    add_statistics(pair.laptop, laptop_id, district, 1310)
    second = "pc_to_laptop" if first == "laptop_to_pc" else "laptop_to_pc"
    first_target = pair.pc if first == "laptop_to_pc" else pair.laptop
    second_target = pair.laptop if first == "laptop_to_pc" else pair.pc
    report = getattr(pair, first)()
    assert report.conflicts == 1
    (conflict,) = first_target.sync.conflicts()
    assert conflict.kind == sync_merge.BOTH_CREATED == "両方で作成"
    assert conflict.table == "district_statistics"
    assert conflict.record_id == LOW  # the smaller id is the one kept live
    assert {conflict.ours["id"], conflict.theirs["id"]} == {pc_id.hex, laptop_id.hex}
    assert "total_population" in conflict.fields
    assert [r["id"] for r in live_statistics(first_target, district, 2025)] == [LOW.hex]
    getattr(pair, second)()
    for ctx in (pair.pc, pair.laptop):
        assert [r["id"] for r in live_statistics(ctx, district, 2025)] == [LOW.hex]
        both = dump(ctx)["district_statistics"]
        assert both[HIGH.hex]["deleted_at"] is not None
    assert dump(pair.pc) == dump(pair.laptop)
    # One pair, one conflict to settle, on the copy that found it.
    assert second_target.sync.conflicts() == []


def _reordered(data: bytes, table: str) -> bytes:
    """The same file with one table's rows (and their lineage) in the opposite order."""
    exchange = exchange_file.decode(data, PASS)
    tables = dict(exchange.tables)
    payload = tables[table]
    tables[table] = {
        "columns": payload["columns"],
        "rows": payload["rows"][::-1],
        "lineage": payload["lineage"][::-1],
    }
    header = exchange.header
    return exchange_file.encode(
        PASS,
        device_id=header.device_id,
        device_name=header.device_name,
        schema=header.schema,
        created_at=header.created_at,
        manifest={k: v for k, v in exchange.manifest.items() if k != "checksum"},
        tables=tables,
    )


def test_both_created_outcome_does_not_depend_on_row_order(pair: Pair) -> None:
    """The same file with its rows in the other order merges to the same records and the
    same conflicts (one order once left a second conflict, the other crashed)."""
    district = pair.ids.district_a
    add_statistics(pair.pc, LOW, district, 1300)
    add_statistics(pair.laptop, HIGH, district, 1310)
    pair.laptop_to_pc()  # the PC keeps LOW live, takes HIGH in as deleted: one conflict
    path = pair.folder / "back.shienx"
    pair.pc.sync.export(path, PASS)
    swapped = pair.folder / "swapped.shienx"
    swapped.write_bytes(_reordered(path.read_bytes(), "district_statistics"))
    twin = pair.folder / "twin.sqlite3"
    pair.laptop.db.dispose()
    shutil.copyfile(pair.folder / "laptop.sqlite3", twin)
    with ExitStack() as stack:
        other = AppContext.open(twin)
        stack.callback(other.close)
        as_written = pair.laptop.sync.import_file(path, PASS)
        reordered = other.sync.import_file(swapped, PASS)
        assert dump(other) == dump(pair.laptop)
        assert (reordered.conflicts, other.sync.open_conflict_count()) == (
            as_written.conflicts,
            pair.laptop.sync.open_conflict_count(),
        )


def test_replaced_statistics_travel(pair: Pair) -> None:
    """Delete a year's figures and enter them again: a deleted row and a new live row that
    holds the same unique key travel in one file."""
    district = pair.ids.district_b
    (old,) = live_statistics(pair.pc, district, 2024)
    pair.pc.districts.delete_statistics(uuid.UUID(hex=old["id"]))
    pair.pc.districts.set_statistics(district, StatisticsInput(2024, 950, 260))
    (new,) = live_statistics(pair.pc, district, 2024)
    assert new["id"] != old["id"]
    report = pair.pc_to_laptop()
    assert (report.added, report.deleted, report.conflicts) == (1, 1, 0)
    assert dump(pair.laptop) == dump(pair.pc)


def test_recreated_district_travels(pair: Pair) -> None:
    """Delete a district and create one of the same name (unique among live districts)."""
    pair.pc.districts.delete_district(pair.ids.district_b)
    again, _ = pair.pc.districts.create_district(
        DistrictInput("桜台", "さくらだい", pair.ids.block)
    )
    report = pair.pc_to_laptop()
    assert report.conflicts == 0
    assert dump(pair.laptop) == dump(pair.pc)
    assert row(pair.laptop, District, again)["deleted_at"] is None


# ----------------------------------------------------------------------------- 5. re-import


def test_reimporting_the_same_file_changes_nothing(pair: Pair) -> None:
    person = pair.ids.people["yamada"]
    edit(pair.pc, Person, person, phone="999")
    soft_delete(pair.pc, Person, pair.ids.people["kato"])
    new = add_person(pair.pc, "新しい人")
    path = pair.folder / "again.shienx"
    pair.pc.sync.export(path, PASS)
    first = pair.laptop.sync.import_file(path, PASS)
    assert (first.added, first.changed, first.deleted) == (1, 1, 1)
    before = dump(pair.laptop)
    raw_before = raw_dump(pair.laptop.db.path)
    second = pair.laptop.sync.import_file(path, PASS)
    assert (second.added, second.changed, second.deleted, second.conflicts) == (0, 0, 0, 0)
    assert second.restored == 0
    assert second.unchanged == sum(len(r) for r in before.values())
    assert not second.changed_anything
    assert dump(pair.laptop) == before
    after = raw_dump(pair.laptop.db.path)
    for name in after:
        if name not in ("sync_history", "sync_peers", "audit_log"):
            assert after[name] == raw_before[name], name
    assert row(pair.laptop, Person, new)["name"] == "新しい人"


def test_reimporting_an_old_file_after_local_edits_keeps_the_edits(pair: Pair) -> None:
    person = pair.ids.people["yamada"]
    path = pair.folder / "old.shienx"
    pair.pc.sync.export(path, PASS)
    pair.laptop.sync.import_file(path, PASS)
    edit(pair.laptop, Person, person, phone="ノートの新番号")
    soft_delete(pair.laptop, Person, pair.ids.people["kato"])
    before = dump(pair.laptop)
    report = pair.laptop.sync.import_file(path, PASS)
    assert (report.added, report.changed, report.deleted, report.conflicts) == (0, 0, 0, 0)
    assert dump(pair.laptop) == before


# ----------------------------------------------------------------------------- 6. older schema


def old_schema_file(tmp_path: Path, passphrase: str = PASS) -> tuple[Path, dict[str, int]]:
    """An exchange file as an app at schema 0004_directory would have written it."""
    source = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_0004, source)
    connection = sqlite3.connect(source)
    try:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert revision == "0004_directory"
        present = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        tables: dict[str, dict[str, Any]] = {}
        for table in SYNC_TABLES:
            if table.name not in present:
                continue
            cursor = connection.execute(f'SELECT * FROM "{table.name}"')
            columns = [d[0] for d in cursor.description]
            rows = [list(r) for r in cursor.fetchall()]
            if not rows:
                continue
            tables[table.name] = {
                "columns": columns,
                "rows": rows,
                "lineage": [
                    [sync_merge.state_hash(dict(zip(columns, r, strict=True)))] for r in rows
                ],
            }
    finally:
        connection.close()
    counts = {name: len(t["rows"]) for name, t in tables.items()}
    data = exchange_file.encode(
        passphrase,
        device_id=uuid.uuid4().hex,
        device_name="旧版PC",
        schema="0004_directory",
        created_at="2024-07-01 09:00:00.000000",
        manifest={"counts": counts, "total": sum(counts.values()), "districts": []},
        tables=tables,
    )
    path = tmp_path / "old.shienx"
    path.write_bytes(data)
    return path, counts


def test_file_from_an_older_schema_is_upgraded_on_import(ctx: AppContext, tmp_path: Path) -> None:
    assert schema.HEAD != "0004_directory" and "0004_directory" in schema.REVISIONS
    path, counts = old_schema_file(tmp_path)
    assert counts["action_items"] == 1 and counts["people"] == 2
    report = ctx.sync.import_file(path, PASS)
    assert report.upgraded_from == "0004_directory"
    assert report.source_name == "旧版PC"
    live = sum(1 for t in dump(ctx).values() for r in t.values() if r["deleted_at"] is None)
    assert report.added == live == sum(counts.values()) - 2  # the fixture has 2 deleted rows
    assert report.conflicts == 0
    content = dump(ctx)
    for name, count in counts.items():
        assert len(content[name]) == count, name
    (action,) = content["action_items"].values()
    assert "map_id" in action and action["map_id"] is None
    assert action["text"] == "チラシ作成"
    names = {p["name"] for p in content["people"].values()}
    assert "山田 太郎" in names
    yamada = next(p for p in content["people"].values() if p["name"] == "山田 太郎")
    assert yamada["roles"] == []  # JSON text in the old file, a list after the upgrade
    # The imported records export again at the head schema and re-import as unchanged.
    again = ctx.sync.import_file(path, PASS)
    assert (again.added, again.changed, again.conflicts) == (0, 0, 0)
    assert dump(ctx) == content


# ----------------------------------------------------------------------------- 7. refusals


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def header_span(data: bytes) -> tuple[int, int]:
    start = len(exchange_file.MAGIC) + 4
    size = int.from_bytes(data[len(exchange_file.MAGIC) : start], "big")
    return start, start + size


def _tampered_header(data: bytes) -> bytes:
    """One byte of the header JSON changed, still valid JSON: a digit of created_at."""
    start, end = header_span(data)
    header = data[start:end]
    at = header.index(b'"created_at": "') + len(b'"created_at": "') + 3  # a year digit
    assert header[at : at + 1].isdigit()
    changed = header[:at] + (b"1" if header[at : at + 1] != b"1" else b"2") + header[at + 1 :]
    json.loads(changed)
    return data[:start] + changed + data[end:]


def _future_schema(data: bytes) -> bytes:
    return exchange_file.encode(
        PASS,
        device_id=uuid.uuid4().hex,
        device_name="未来のPC",
        schema="9999_future",
        created_at="2030-01-01 00:00:00.000000",
        manifest={"counts": {}, "total": 0, "districts": []},
        tables={},
    )


def _broken_references(data: bytes) -> bytes:
    """A well-formed file with a new person in a district nobody has."""
    exchange = exchange_file.decode(data, PASS)
    people = exchange.tables["people"]
    columns = people["columns"]
    orphan = dict(zip(columns, people["rows"][0], strict=True))
    orphan.update(id=uuid.uuid4().hex, district_id=uuid.uuid4().hex, name="迷子")
    tables = {
        "people": {
            "columns": columns,
            "rows": [*people["rows"], [orphan[c] for c in columns]],
            "lineage": [*people["lineage"], [sync_merge.state_hash(orphan)]],
        }
    }
    return exchange_file.encode(
        PASS,
        device_id=uuid.uuid4().hex,
        device_name="別のPC",
        schema=schema.HEAD,
        created_at=exchange.header.created_at,
        manifest={"counts": {"people": len(tables["people"]["rows"])}, "total": 5},
        tables=tables,
    )


def _wrong_counts(data: bytes) -> bytes:
    exchange = exchange_file.decode(data, PASS)
    counts = {k: len(v["rows"]) + 1 for k, v in exchange.tables.items()}
    return exchange_file.encode(
        PASS,
        device_id=uuid.uuid4().hex,
        device_name="別のPC",
        schema=schema.HEAD,
        created_at=exchange.header.created_at,
        manifest={"counts": counts, "total": 0},
        tables=exchange.tables,
    )


REFUSED_FILES = {
    "ciphertext_byte": (lambda d: flip(d, len(d) - 20), "書き換え"),
    "last_byte": (lambda d: flip(d, len(d) - 1), "書き換え"),
    "header_json_value": (_tampered_header, "書き換え"),
    "header_json_syntax": (lambda d: flip(d, header_span(d)[0]), "見出し"),
    "magic": (lambda d: flip(d, 0), "ではありません"),
    "cut_in_half": (lambda d: d[: len(d) // 2], "途中で切れて"),
    "cut_in_header": (lambda d: d[:20], "途中で切れて"),
    "extra_bytes": (lambda d: d + b"\0", "余分"),
    "empty": (lambda d: b"", ""),
    "not_shienx": (lambda d: b"SQLite format 3\0" + bytes(200), "ではありません"),
    "future_schema": (_future_schema, "更新"),
    "broken_references": (_broken_references, "参照"),
    "wrong_counts": (_wrong_counts, "目録"),
}


@pytest.mark.parametrize("case", sorted(REFUSED_FILES))
def test_a_bad_file_is_refused_and_changes_nothing(pair: Pair, case: str) -> None:
    make, words = REFUSED_FILES[case]
    good = pair.folder / "good.shienx"
    edit(pair.pc, Person, pair.ids.people["yamada"], phone="変更あり")
    add_person(pair.pc, "取り込まれないはずの人")
    pair.pc.sync.export(good, PASS)
    bad = pair.folder / f"{case}.shienx"
    bad.write_bytes(make(good.read_bytes()))
    before = raw_dump(pair.laptop.db.path)
    with pytest.raises(UserError) as caught:
        pair.laptop.sync.import_file(bad, PASS)
    assert words in caught.value.message
    assert "Traceback" not in caught.value.message
    assert raw_dump(pair.laptop.db.path) == before
    # and the good file still goes in afterwards
    report = pair.laptop.sync.import_file(good, PASS)
    assert report.added == 1 and report.changed == 1


def test_wrong_passphrase_is_refused_and_changes_nothing(pair: Pair) -> None:
    path = pair.folder / "x.shienx"
    add_person(pair.pc, "新しい人")
    pair.pc.sync.export(path, PASS)
    before = raw_dump(pair.laptop.db.path)
    for wrong in ("correct horse battery!", "", "short"):
        with pytest.raises(exchange_file.ExchangeFileError) as caught:
            pair.laptop.sync.import_file(path, wrong)
        assert "パスフレーズ" in caught.value.message
    assert raw_dump(pair.laptop.db.path) == before


def test_a_file_of_this_device_is_refused(pair: Pair) -> None:
    path = pair.folder / "own.shienx"
    pair.pc.sync.export(path, PASS)
    before = app_rows(pair.pc)
    with pytest.raises(UserError) as caught:
        pair.pc.sync.import_file(path, PASS)
    assert "本所PC" in caught.value.message
    assert app_rows(pair.pc) == before


def test_missing_file_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(UserError):
        ctx.sync.import_file(tmp_path / "nothing.shienx", PASS)


@pytest.mark.parametrize(
    ("name", "passphrase", "words"),
    [
        ("ok.shienx", "1234567", "8 文字以上"),
        ("ok.shienx", "", "8 文字以上"),
        ("ok.zip", PASS, ".shienx"),
        ("ok", PASS, ".shienx"),
        ("ok.shienx.tmp", PASS, ".shienx"),
    ],
)
def test_export_refusals_write_nothing(pair: Pair, name: str, passphrase: str, words: str) -> None:
    before = app_rows(pair.pc)
    files = set(pair.folder.iterdir())
    with pytest.raises(UserError) as caught:
        pair.pc.sync.export(pair.folder / name, passphrase)
    assert words in caught.value.message
    assert set(pair.folder.iterdir()) == files
    assert app_rows(pair.pc) == before


def test_seven_character_passphrase_refused_eight_accepted(ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(UserError):
        exchange_file.check_passphrase("あいうえおかき")
    exchange_file.check_passphrase("あいうえおかきく")
    report = ctx.sync.export(tmp_path / "a.SHIENX", "あいうえおかきく")
    assert report.path.exists()


# ----------------------------------------------------------------------------- 8. one district


def test_district_scoped_export(tmp_path: Path) -> None:
    with ExitStack() as stack:
        pc = open_copy(tmp_path / "pc.sqlite3", "本所PC")
        stack.callback(pc.close)
        ids = build_small(pc)
        path = tmp_path / "inoh.shienx"
        report = pc.sync.export(path, PASS, districts=[ids.district_a])
        assert report.districts == ["井野"]
        laptop = open_copy(tmp_path / "laptop.sqlite3", "ノートPC")
        stack.callback(laptop.close)
        laptop.sync.import_file(path, PASS)
        got = dump(laptop)
        assert set(got["districts"]) == {ids.district_a.hex}
        assert set(got["blocks"]) == {ids.block.hex}
        assert set(got["councils"]) == {ids.council_a.hex}
        assert {r["district_id"] for r in got["district_statistics"].values()} == {
            ids.district_a.hex
        }
        assert {r["council_id"] for r in got["council_status_events"].values()} == {
            ids.council_a.hex
        }
        assert set(got["meetings"]) == {ids.meeting_a.hex}
        assert {r["meeting_id"] for r in got["attendances"].values()} == {ids.meeting_a.hex}
        assert len(got["attendances"]) == 3
        assert len(got["agenda_items"]) == 1 and len(got["council_members"]) == 1
        people = ids.people
        # district A's people, and those who attended its council's meeting
        assert set(got["people"]) == {
            people["yamada"].hex,
            people["sato"].hex,
            people["suzuki"].hex,
        }
        assert report.total == sum(len(r) for r in got.values())
        # what came is identical to the PC's copy
        full = dump(pc)
        for name, rows in got.items():
            for record_id, record in rows.items():
                assert full[name][record_id] == record
        assert all(r["district_id"] != ids.district_b.hex for r in got["people"].values())
        # nothing unknown is chosen
        with pytest.raises(UserError):
            pc.sync.export(tmp_path / "none.shienx", PASS, districts=[])
        with pytest.raises(UserError):
            pc.sync.export(tmp_path / "none.shienx", PASS, districts=[uuid.uuid4()])


def test_district_scoped_file_merges_back(pair: Pair) -> None:
    """The laptop takes one district out, edits it, and brings it back; nothing else moves."""
    person = pair.ids.people["yamada"]
    edit(pair.laptop, Person, person, note="訪問済み")
    edit(pair.pc, Person, pair.ids.people["tanaka"], note="PCで編集")
    path = pair.folder / "back.shienx"
    pair.laptop.sync.export(path, PASS, districts=[pair.ids.district_a])
    report = pair.pc.sync.import_file(path, PASS)
    assert report.changed == 1 and report.conflicts == 0
    assert row(pair.pc, Person, person)["note"] == "訪問済み"
    assert row(pair.pc, Person, pair.ids.people["tanaka"])["note"] == "PCで編集"


# ----------------------------------------------------------------------------- 9. history


def test_history_records_exports_and_imports(pair: Pair) -> None:
    # the pair fixture exported on the PC and imported on the laptop
    (exported,) = pair.pc.sync.history()
    assert exported.direction == "export"
    assert exported.scope == "すべて"
    assert exported.file_name.endswith("exchange-1.shienx")
    assert exported.summary["total"] == sum(len(r) for r in dump(pair.pc).values())
    (imported,) = pair.laptop.sync.history()
    assert imported.direction == "import"
    assert imported.peer_name == "本所PC"
    assert imported.summary["added"] == exported.summary["total"]
    edit(pair.laptop, Person, pair.ids.people["yamada"], phone="1")
    pair.laptop.sync.export(pair.folder / "b.shienx", PASS, districts=[pair.ids.district_a])
    latest = pair.laptop.sync.history()[0]
    assert (latest.direction, latest.scope) == ("export", "井野")
    pair.pc.sync.import_file(pair.folder / "b.shienx", PASS)
    latest = pair.pc.sync.history()[0]
    assert (latest.direction, latest.peer_name, latest.scope) == ("import", "佐藤ノートPC", "井野")
    assert latest.summary["changed"] == 1


def test_device_name(ctx: AppContext) -> None:
    device = ctx.sync.device()
    assert device == ctx.sync.device()
    ctx.sync.rename_device("  本所PC  ")
    assert ctx.sync.device() == type(device)(device.device_id, "本所PC")
    with pytest.raises(UserError):
        ctx.sync.rename_device("   ")
    with pytest.raises(UserError):
        ctx.sync.rename_device("x" * 101)


# ----------------------------------------------------------------------------- 10. backup


def test_backup_is_taken_before_a_merge(pair: Pair) -> None:
    edit(pair.pc, Person, pair.ids.people["yamada"], phone="新番号")
    before = raw_dump(pair.laptop.db.path)
    report = pair.pc_to_laptop()
    assert report.changed == 1
    assert report.backup is not None and report.backup.is_file()
    assert report.backup != pair.laptop.db.path
    connection = sqlite3.connect(report.backup)
    try:
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        connection.close()
    assert raw_dump(report.backup) == before  # the state before the merge


# ----------------------------------------------------------------------------- 11. pure rules


BASE = {"id": "1", "name": "山田", "phone": "1", "address": "A", "deleted_at": None, "version": 1}


def test_classify() -> None:
    a, b, c = "a" * 32, "b" * 32, "c" * 32
    assert sync_merge.classify(a, [a], [a]) is sync_merge.Action.SAME
    assert sync_merge.classify(b, [a, b], [a]) is sync_merge.Action.ALREADY_SEEN
    assert sync_merge.classify(a, [a], [a, b]) is sync_merge.Action.FAST_FORWARD
    assert sync_merge.classify(b, [a], [a, c]) is sync_merge.Action.MERGE
    assert sync_merge.classify(b, [], [c]) is sync_merge.Action.MERGE
    assert sync_merge.classify(a, [], [a]) is sync_merge.Action.SAME


def test_state_hash_ignores_local_fields_only() -> None:
    h = sync_merge.state_hash(BASE)
    assert h == sync_merge.state_hash({**BASE, "version": 9, "updated_at": "x"})
    assert h != sync_merge.state_hash({**BASE, "phone": "2"})
    assert h == sync_merge.state_hash(dict(reversed(list(BASE.items()))))


def test_join_lineage_and_common_base() -> None:
    assert sync_merge.join_lineage(["a", "b"], ["b", "c"]) == ["a", "b", "c"]
    assert sync_merge.join_lineage(["a", "x"], ["a", "c"]) == ["x", "a", "c"]
    long = [str(i) for i in range(100)]
    assert sync_merge.join_lineage(long, ["z"]) == [*long[-63:], "z"]
    assert sync_merge.common_base(["a", "b", "x"], ["a", "b", "y"], {"a", "b"}) == "b"
    assert sync_merge.common_base(["a", "b"], ["a", "b", "y"], {"a"}) == "a"
    assert sync_merge.common_base(["x"], ["y"], {"x", "y"}) is None


def test_merge_disjoint_fields() -> None:
    ours = {**BASE, "phone": "2", "version": 3}
    theirs = {**BASE, "address": "B"}
    result = sync_merge.merge(BASE, ours, theirs)
    assert not result.in_conflict and result.conflict_fields == []
    assert result.merged["phone"] == "2" and result.merged["address"] == "B"
    assert result.merged["version"] == 3  # local fields stay ours
    assert sync_merge.merge(BASE, theirs, ours).merged == {**result.merged, "version": 1}


def test_merge_same_field_is_a_conflict_and_symmetric() -> None:
    ours = {**BASE, "phone": "2"}
    theirs = {**BASE, "phone": "3", "address": "B"}
    one = sync_merge.merge(BASE, ours, theirs)
    other = sync_merge.merge(BASE, theirs, ours)
    assert one.kind == other.kind == sync_merge.EDIT_EDIT
    assert one.conflict_fields == other.conflict_fields == ["phone"]
    assert one.merged["address"] == other.merged["address"] == "B"
    # both copies show the same value until someone chooses
    assert one.merged == other.merged
    assert one.merged["phone"] in ("2", "3")


def test_merge_same_change_on_both_sides_is_no_conflict() -> None:
    both = {**BASE, "phone": "2"}
    result = sync_merge.merge(BASE, both, dict(both))
    assert not result.in_conflict and result.merged["phone"] == "2"


def test_merge_edit_beats_delete() -> None:
    deleted = {**BASE, "deleted_at": "2025-01-01 00:00:00.000000"}
    edited = {**BASE, "phone": "9"}
    for ours, theirs in ((deleted, edited), (edited, deleted)):
        result = sync_merge.merge(BASE, ours, theirs)
        assert result.kind == sync_merge.EDIT_DELETE
        assert result.merged["deleted_at"] is None
        assert result.merged["phone"] == "9"
        assert "deleted_at" in result.conflict_fields


def test_merge_delete_without_edit_deletes() -> None:
    deleted = {**BASE, "deleted_at": "2025-01-01 00:00:00.000000"}
    for ours, theirs in ((deleted, dict(BASE)), (dict(BASE), deleted)):
        result = sync_merge.merge(BASE, ours, theirs)
        assert not result.in_conflict
        assert result.merged["deleted_at"] == "2025-01-01 00:00:00.000000"


def test_merge_both_deleted_keeps_the_earlier_time() -> None:
    one = {**BASE, "deleted_at": "2025-01-02 00:00:00.000000", "phone": "x"}
    two = {**BASE, "deleted_at": "2025-01-01 00:00:00.000000"}
    result = sync_merge.merge(BASE, one, two)
    assert result.merged["deleted_at"] == "2025-01-01 00:00:00.000000"
    assert result.merged["phone"] == "x"
    assert not result.in_conflict


def test_merge_restore_beats_a_delete_of_a_deleted_record() -> None:
    base = {**BASE, "deleted_at": "2025-01-01 00:00:00.000000"}
    restored = {**BASE, "deleted_at": None}
    still = dict(base)
    result = sync_merge.merge(base, still, restored)
    assert result.merged["deleted_at"] is None and not result.in_conflict


def test_merge_without_base_conflicts_on_every_difference() -> None:
    ours = {**BASE, "phone": "2"}
    theirs = {**BASE, "phone": "3", "address": "B"}
    result = sync_merge.merge(None, ours, theirs)
    assert result.kind == sync_merge.EDIT_EDIT
    assert sorted(result.conflict_fields) == ["address", "phone"]
    assert sync_merge.merge(None, dict(BASE), dict(BASE)).in_conflict is False


def test_merge_field_only_one_side_has() -> None:
    ours = dict(BASE)
    theirs = {**BASE, "map_id": "m"}
    result = sync_merge.merge({**BASE, "map_id": None}, {**ours, "map_id": None}, theirs)
    assert result.merged["map_id"] == "m" and not result.in_conflict


def test_demo_city_round_trip(tmp_path: Path) -> None:
    """The full demo city goes across and comes back unchanged (one large case)."""
    from shienapp.core.demo import build_demo

    with ExitStack() as stack:
        pc = open_copy(tmp_path / "pc.sqlite3", "本所PC")
        stack.callback(pc.close)
        build_demo(pc.db)
        export = pc.sync.export(tmp_path / "demo.shienx", PASS)
        laptop = open_copy(tmp_path / "laptop.sqlite3", "ノートPC")
        stack.callback(laptop.close)
        report = laptop.sync.import_file(tmp_path / "demo.shienx", PASS)
        assert report.added == export.total > 10000
        assert hashes(laptop) == hashes(pc)
        back = laptop.sync.export(tmp_path / "back.shienx", PASS)
        assert back.total == export.total
        again = pc.sync.import_file(tmp_path / "back.shienx", PASS)
        assert (again.added, again.changed, again.deleted, again.conflicts) == (0, 0, 0, 0)
        assert hashes(laptop) == hashes(pc)
