"""Benchmark: what the audit trail and the role guard cost.

Run: ``python benchmarks/audit.py [--repeat 5]``. Prints medians and ratios. Timed here, not in
the tests: the machines are shared and noisy.

1. Saving one person's edit (a change of phone and note) 200 times: through an AppContext (guard
   and audit trail installed, a 職員 signed in) against the same service on the bare database
   (neither). Target: the trail adds less than 50 % to a save.
2. Checking the whole chain of a trail of 100,000 lines (``AuditService.verify``). Target: under
   5 s, so the 管理者's 改ざんの検査 answers while they wait.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from shienapp import config
from shienapp.core import audit
from shienapp.core.access import Actor
from shienapp.core.context import AppContext
from shienapp.core.directory import DirectoryService, PersonInput
from shienapp.core.permissions import Role
from shienapp.storage.db import open_database

EDITS = 200
LINES = 100_000
ADMIN_PASS = "benchmark-admin"


def _input(row: object) -> PersonInput:
    fields = PersonInput.__dataclass_fields__
    return PersonInput(**{name: getattr(row, name) for name in fields})


def _edits(service: DirectoryService) -> float:
    person_id, _ = service.create_person(PersonInput(name="計測 太郎", reading="けいそく たろう"))
    start = time.perf_counter()
    for i in range(EDITS):
        row = service.get_person(person_id)
        data = replace(_input(row), phone=f"090-0000-{i:04d}", note=f"メモ {i}")
        service.update_person(person_id, row.version, data)
    return time.perf_counter() - start


def measure_edits(folder: Path) -> tuple[float, float]:
    audited_path = folder / f"audited-{time.monotonic_ns()}.sqlite3"
    ctx = AppContext.open(audited_path)
    ctx.accounts.create_first_admin("admin", "管理", ADMIN_PASS, ADMIN_PASS)
    ctx.accounts.create("staff", "職員", Role.STAFF, ADMIN_PASS, ADMIN_PASS)
    ctx.accounts.sign_out()
    ctx.accounts.sign_in("staff", ADMIN_PASS)
    with_trail = _edits(ctx.directory)
    ctx.close()
    bare = open_database(config.sqlite_url(folder / f"bare-{time.monotonic_ns()}.sqlite3"))
    without = _edits(DirectoryService(bare))
    bare.dispose()
    return with_trail, without


def measure_verify(folder: Path) -> float:
    ctx = AppContext.open(folder / "trail.sqlite3")
    actor = Actor(None, "", "計測", None)
    with ctx.db.write() as s:
        s.info["system"] = True
        connection = s.connection()
        for chunk in range(LINES // 1000):
            events = [
                audit.Event(
                    "変更", "people", f"{chunk:08d}-{i:04d}", f"人 {i}", {"name": ["a", "b"]}
                )
                for i in range(1000)
            ]
            audit.append(connection, actor, events)
    start = time.perf_counter()
    problems = ctx.audit.verify()
    elapsed = time.perf_counter() - start
    ctx.close()
    assert problems == [], problems
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pairs = [measure_edits(folder) for _ in range(args.repeat)]
        with_trail = statistics.median(p[0] for p in pairs) / EDITS * 1000
        without = statistics.median(p[1] for p in pairs) / EDITS * 1000
        overhead = with_trail / without - 1
        print(f"save with trail and guard: median {with_trail:.2f} ms, without {without:.2f} ms")
        print(f"  overhead {overhead:+.0%} (ratio to the 50 % target: {overhead / 0.5:.2f})")
        verify = statistics.median(
            measure_verify(Path(tempfile.mkdtemp(dir=tmp))) for _ in range(3)
        )
        print(f"verify {LINES:,} lines: median {verify:.2f} s (ratio to 5 s: {verify / 5:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
