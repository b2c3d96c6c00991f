"""持ち出し・持ち帰り as a property: random edits on two copies, then exchanges both ways.

Whatever the two copies did, after the exchanges they hold the same records, no record is
lost, and every change made on either side is either in the final record or kept in a conflict.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dbdump import synced_rows
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shienapp.core import exchange_file, sync_merge
from shienapp.core.context import AppContext
from shienapp.storage.models import Block, District, Person

PASS = "property passphrase"
PERSON_FIELDS = ("name", "phone", "address", "note")
DISTRICT_FIELDS = ("note",)
MODELS = {"people": Person, "districts": District}
SIDES = ("pc", "laptop")

# A few short values, so both sides often pick the same one or clash on one field.
values = st.sampled_from(["", "a", "b", "山", "川", "090-1", "北1-2"])

Dump = dict[str, dict[str, dict[str, Any]]]


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge is under test here, not the key derivation (file 1 uses the real cost)."""
    monkeypatch.setitem(exchange_file._SCRYPT, "n", 2**10)


# ----------------------------------------------------------------------------- operations


@dataclass(frozen=True)
class Op:
    side: str
    kind: str  # edit | create | delete | restore
    table: str = "people"
    pick: int = 0
    field: str = ""
    value: str = ""

    def __str__(self) -> str:
        return f"{self.side}:{self.kind}({self.table}[{self.pick}].{self.field}={self.value!r})"


sides = st.sampled_from(SIDES)
# Small picks: the first few records by id, so both sides often touch the same one.
picks = st.integers(min_value=0, max_value=3)
operation = st.one_of(
    st.builds(
        Op,
        side=sides,
        kind=st.just("edit"),
        table=st.just("people"),
        pick=picks,
        field=st.sampled_from(PERSON_FIELDS),
        value=values,
    ),
    st.builds(
        Op,
        side=sides,
        kind=st.just("edit"),
        table=st.just("districts"),
        pick=picks,
        field=st.sampled_from(DISTRICT_FIELDS),
        value=values,
    ),
    st.builds(Op, side=sides, kind=st.just("create"), value=values),
    st.builds(
        Op,
        side=sides,
        kind=st.sampled_from(["delete", "restore"]),
        table=st.sampled_from(["people", "people", "districts"]),
        pick=picks,
    ),
)
PATTERNS = ("laptop_first", "pc_first", "cross")


# ----------------------------------------------------------------------------- helpers


dump = synced_rows


def apply(ctx: AppContext, op: Op) -> None:
    model = MODELS[op.table]
    if op.kind == "create":
        with ctx.db.write() as s:
            s.add(Person(name=op.value or "新人"))
        return
    with ctx.db.write() as s:
        ids = sorted(s.scalars(select(model.id)), key=lambda i: i.hex)
        record = s.get(model, ids[op.pick % len(ids)])
        assert record is not None
        if op.kind == "edit":
            setattr(record, op.field, op.value)
        elif op.kind == "delete":
            if record.deleted_at is None:
                record.deleted_at = datetime.now(UTC)
        elif op.kind == "restore":
            record.deleted_at = None


class Copies:
    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.folder = folder
        self.count = 0
        self.pc = AppContext.open(folder / "pc.sqlite3")
        stack.callback(self.pc.close)
        self.pc.sync.rename_device("本所PC")
        self.laptop = AppContext.open(folder / "laptop.sqlite3")
        stack.callback(self.laptop.close)
        self.laptop.sync.rename_device("ノートPC")

    def side(self, name: str) -> AppContext:
        return self.pc if name == "pc" else self.laptop

    def export(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.shienx"
        self.side(name).sync.export(path, PASS)
        return path

    def send(self, source: str, target: str) -> None:
        path = self.export(source)
        self.side(target).sync.import_file(path, PASS)


def seed(ctx: AppContext) -> None:
    """Two districts and six people (one of them already deleted)."""
    with ctx.db.write() as s:
        block = Block(name="北ブロック")
        s.add(block)
        s.flush()
        districts = [District(block_id=block.id, name=n, note="") for n in ("井野", "桜台")]
        s.add_all(districts)
        s.flush()
        for i in range(6):
            s.add(
                Person(
                    name=f"住民{i}",
                    district_id=districts[i % 2].id,
                    phone=f"03-{i}",
                    address="",
                    note="",
                    deleted_at=datetime(2024, 1, 1, tzinfo=UTC) if i == 5 else None,
                )
            )


def exchange(copies: Copies, pattern: str) -> None:
    if pattern == "laptop_first":
        copies.send("laptop", "pc")
        copies.send("pc", "laptop")
    elif pattern == "pc_first":
        copies.send("pc", "laptop")
        copies.send("laptop", "pc")
    else:  # both write a file before either reads one, then one more full round
        from_pc, from_laptop = copies.export("pc"), copies.export("laptop")
        copies.laptop.sync.import_file(from_pc, PASS)
        copies.pc.sync.import_file(from_laptop, PASS)
        # merge() picks the value shown in a conflict the same way on both copies, so they
        # already agree before the next round
        assert dump(copies.pc) == dump(copies.laptop)
        copies.send("laptop", "pc")
        copies.send("pc", "laptop")


def net_changes(start: Dump, end: Dump) -> dict[tuple[str, str, str], Any]:
    """(table, id, field) -> value, for every field that differs from the common start."""
    changes: dict[tuple[str, str, str], Any] = {}
    for table in MODELS:
        for record_id, row in end[table].items():
            before = start[table].get(record_id)
            for key, value in row.items():
                if before is None or before.get(key) != value:
                    changes[(table, record_id, key)] = value
    return changes


# ----------------------------------------------------------------------------- the property


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=2, max_size=12), pattern=st.sampled_from(PATTERNS))
def test_two_copies_converge_and_lose_nothing(ops: list[Op], pattern: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="shienapp-sync-property-"))
    try:
        with ExitStack() as stack:
            copies = Copies(folder, stack)
            seed(copies.pc)
            copies.send("pc", "laptop")
            start = dump(copies.pc)
            assert dump(copies.laptop) == start

            for op in ops:
                apply(copies.side(op.side), op)
            before = {name: dump(copies.side(name)) for name in SIDES}
            changes = {name: net_changes(start, before[name]) for name in SIDES}
            note(f"ops: {[str(op) for op in ops]}; pattern: {pattern}")
            note(f"net changes: {changes}")

            exchange(copies, pattern)

            final_pc, final_laptop = dump(copies.pc), dump(copies.laptop)
            # 1. Both copies hold the same records, with the same content.
            assert final_pc == final_laptop
            assert {
                t: {i: sync_merge.state_hash(r) for i, r in rows.items()}
                for t, rows in final_pc.items()
            } == {
                t: {i: sync_merge.state_hash(r) for i, r in rows.items()}
                for t, rows in final_laptop.items()
            }
            # 2. No record either side knew of is gone (deleted ones stay as rows).
            for name in SIDES:
                for table, rows in before[name].items():
                    assert set(rows) <= set(final_pc[table]), (name, table)
            # 3. Every change either side made is in the final record or in a conflict.
            conflicts = copies.pc.sync.conflicts(
                include_resolved=True
            ) + copies.laptop.sync.conflicts(include_resolved=True)
            kept: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for c in conflicts:
                kept.setdefault((c.table, c.record_id.hex), []).extend([c.ours, c.theirs])
            for name in SIDES:
                for (table, record_id, key), value in changes[name].items():
                    final = final_pc[table][record_id]
                    if key == "deleted_at":
                        # a deletion may be undone by an edit on the other side (and the
                        # reverse), but only with a conflict that says so
                        if (final[key] is None) == (value is None):
                            continue
                        assert any(
                            (c.get(key) is None) == (value is None)
                            for c in kept.get((table, record_id), [])
                        ), (name, table, record_id, key, value, final)
                        continue
                    if final[key] == value:
                        continue
                    assert any(c.get(key) == value for c in kept.get((table, record_id), [])), (
                        name,
                        table,
                        record_id,
                        key,
                        value,
                        final[key],
                    )
            # 4. A second full round changes nothing more.
            again = copies.export("pc")
            report = copies.laptop.sync.import_file(again, PASS)
            assert (report.added, report.changed, report.deleted, report.conflicts) == (
                0,
                0,
                0,
                0,
            )
            again = copies.export("laptop")
            report = copies.pc.sync.import_file(again, PASS)
            assert (report.added, report.changed, report.deleted, report.conflicts) == (
                0,
                0,
                0,
                0,
            )
            assert dump(copies.pc) == dump(copies.laptop) == final_pc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
