"""The 5,000-record merge: an office database of 50,000 records and a laptop's file back.

Set-up: the demo city plus generated people up to ``total`` records on the office PC; a laptop
made from its exchange file; on the laptop ``changed`` people are edited (and ``both_sides`` of
them also on the PC, so the merge has real conflicts to keep). The laptop's file back carries
every record, the changed ones among them; each run merges it into a fresh copy of the PC's
database (decrypt, check, back up, merge, check foreign keys, integrity and counts, commit).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select, update

from shienapp.core.context import AppContext
from shienapp.core.demo import build_demo
from shienapp.core.sync_rows import SYNC_TABLES
from shienapp.storage.backup import backup_sqlite
from shienapp.storage.models import Person

PASSPHRASE = "benchmark passphrase"


@dataclass(frozen=True)
class MergeSetup:
    pc: Path
    back: Path
    records: int
    changed: int
    both_sides: int
    export_s: float
    first_import_s: float


def count_records(ctx: AppContext) -> int:
    with ctx.db.read() as s:
        return sum(s.scalar(select(func.count()).select_from(t)) or 0 for t in SYNC_TABLES)


def fill(ctx: AppContext, total: int) -> None:
    build_demo(ctx.db)
    missing = total - count_records(ctx)
    now = datetime.now(UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "name": f"支え手 {i:05d}",
            "reading": f"ささえて {i:05d}",
            "organisation": "",
            "note": "",
            "phone": f"090-0000-{i % 10000:04d}",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i in range(max(0, missing))
    ]
    with ctx.db.write() as s:
        for start in range(0, len(rows), 5000):
            s.execute(insert(Person), rows[start : start + 5000])


def edit_people(ctx: AppContext, ids: list[uuid.UUID], note: str) -> None:
    with ctx.db.write() as s:
        s.execute(
            update(Person)
            .where(Person.id.in_(ids))
            .values(note=note, version=Person.version + 1, updated_at=datetime.now(UTC)),
            execution_options={"synchronize_session": False},
        )


def prepare(
    folder: Path, *, total: int = 50_000, changed: int = 5_000, both_sides: int = 100
) -> MergeSetup:
    pc = AppContext.open(folder / "pc.sqlite3")
    fill(pc, total)
    records = count_records(pc)
    started = time.perf_counter()
    pc.sync.export(folder / "out.shienx", PASSPHRASE)
    export_s = time.perf_counter() - started
    laptop = AppContext.open(folder / "laptop.sqlite3")
    started = time.perf_counter()
    laptop.sync.import_file(folder / "out.shienx", PASSPHRASE)
    first_s = time.perf_counter() - started
    with laptop.db.read() as s:
        people = list(s.scalars(select(Person.id).order_by(Person.id).limit(changed)))
    edit_people(laptop, people, "地区会議で確認")
    edit_people(pc, people[:both_sides], "事務所で確認")
    laptop.sync.export(folder / "back.shienx", PASSPHRASE)
    laptop.close()
    pc.close()
    return MergeSetup(
        folder / "pc.sqlite3",
        folder / "back.shienx",
        records,
        len(people),
        min(both_sides, len(people)),
        export_s,
        first_s,
    )


def merge_once(setup: MergeSetup, run: int) -> float:
    """One merge into a fresh copy of the PC's database; checks what it did, returns seconds."""
    copy = setup.pc.with_name(f"pc-run{run}.sqlite3")
    backup_sqlite(setup.pc, copy)
    ctx = AppContext.open(copy)
    try:
        started = time.perf_counter()
        report = ctx.sync.import_file(setup.back, PASSPHRASE)
        seconds = time.perf_counter() - started
    finally:
        ctx.close()
    # A conflicted record changes only when the value shown until someone chooses is the
    # laptop's (the same rule on both copies), so changed - both_sides to changed change.
    if not (setup.changed - setup.both_sides <= report.changed <= setup.changed):
        raise RuntimeError(f"merge changed {report.changed}: {report.summary()}")
    if report.conflicts != setup.both_sides:
        raise RuntimeError(f"merge kept {report.conflicts} conflicts: {report.summary()}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return seconds
