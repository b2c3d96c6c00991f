"""Several programs on one database file, as on a shared office PC.

1. A writer killed with SIGKILL at a random moment, fifty times over on the same file: the file
   stays intact and every transaction the writer reported as committed is still there, whole.
2. Two programs writing through the services for ten seconds: nobody sees "database is locked",
   nothing either reports as saved goes missing, and an edit based on an old copy is refused
   with StaleEditError instead of silently overwriting the other person's save.

The writers are real child processes (``python -c``) that go through ``AppContext.open``, so
they use the app's own pragmas (WAL, ``synchronous=FULL``, busy timeout, ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from shienapp.core.context import AppContext
from shienapp.core.districts import DistrictInput

CRASH_RUNS = 50
CRASH_DELAY = (0.05, 0.6)  # seconds between the child's first commit and the kill
EDIT_SECONDS = 10.0  # how long the two programs edit the database at the same time
SPAWN_AHEAD = 2  # children started ahead of their turn, to hide Python's start-up time
WATCHDOG_SECONDS = 120  # a child that hangs this long is killed and the test fails


def child_command(script: str, *args: object) -> list[str]:
    return [sys.executable, "-c", script, *(str(a) for a in args)]


def child_environment() -> dict[str, str]:
    """This test's environment (its private data folder included), with UTF-8 output."""
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


@contextmanager
def plain_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """The file opened with plain sqlite3, not through the app.

    Closing it leaves the write-ahead log as it is (no checkpoint on close), so that the next
    writer starts, as after a real crash, with a log that still holds earlier transactions.
    """
    connection = sqlite3.connect(path, timeout=30)
    connection.setconfig(sqlite3.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
    try:
        yield connection
    finally:
        connection.close()


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` and ``foreign_key_check`` find; empty when all is well."""
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if problems == ["ok"]:
        problems = []
    problems += [repr(row) for row in connection.execute("PRAGMA foreign_key_check")]
    return problems


# --- 1. killed at random -----------------------------------------------------------------------

# Imports first, then waits for a line on stdin, so that the parent can start the next children
# while the current one is still writing (start-up costs ~0.8 s; the writing window is shorter).
# Each create_district is one write transaction of three rows: the district, its 第2層協議体 and
# the council's status event. A name is printed only after its transaction has committed.
CRASH_CHILD = """
import sys
import uuid
from datetime import date

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput

path, run, block_id = sys.argv[1], int(sys.argv[2]), uuid.UUID(sys.argv[3])
sys.stdin.readline()
ctx = AppContext.open(path)
council = CouncilInput("設置済", date(2020, 4, 1), coordinator_name="支援 花子")
number = 0
while True:
    name = f"run{run:02d}-{number:06d}"
    ctx.districts.create_district(DistrictInput(name, "", block_id, council=council))
    sys.stdout.write(name + "\\n")
    sys.stdout.flush()
    number += 1
"""


def crash_child_name(run: int, number: int) -> str:
    return f"run{run:02d}-{number:06d}"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGKILL")
def test_a_writer_killed_at_random_loses_no_commit_and_leaves_the_file_intact(
    db_path: Path,
) -> None:
    ctx = AppContext.open(db_path)  # the migrations run here, not in a child that gets killed
    block, _ = ctx.districts.create_block("試験ブロック", "しけん")
    ctx.close()

    seed = random.randrange(2**32)
    rng = random.Random(seed)
    printed: set[str] = set()
    unreported = 0  # committed, but killed before the name reached stdout
    largest_wal = 0
    started = time.monotonic()

    def spawn(run: int) -> subprocess.Popen[str]:
        return subprocess.Popen(
            child_command(CRASH_CHILD, db_path, run, block.id),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=child_environment(),
        )

    # Children start up ahead of their turn: each waits for "go" with its imports done.
    waiting = deque(spawn(run) for run in range(min(SPAWN_AHEAD, CRASH_RUNS)))
    try:
        for run in range(CRASH_RUNS):
            proc = waiting.popleft()
            assert proc.stdin and proc.stdout and proc.stderr
            watchdog = threading.Timer(WATCHDOG_SECONDS, proc.kill)
            watchdog.start()
            with proc:  # closes the pipes and waits
                try:
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
                    if run + SPAWN_AHEAD < CRASH_RUNS:
                        waiting.append(spawn(run + SPAWN_AHEAD))
                    first = proc.stdout.readline()
                    if first.endswith("\n"):
                        time.sleep(rng.uniform(*CRASH_DELAY))
                    proc.kill()
                    # Read the rest through the same buffered file: readline() may already
                    # hold further lines (communicate() would read past them, from the pipe).
                    rest = proc.stdout.read()
                    errors = proc.stderr.read()
                finally:
                    watchdog.cancel()
                    proc.kill()
            assert first.endswith("\n") and proc.returncode == -9, (
                f"run {run}: the child did not start writing (exit {proc.returncode})\n{errors}"
            )
            # A line cut off by the kill (no newline) was never fully reported.
            lines = (first + rest).splitlines(keepends=True)
            names = [line.rstrip("\n") for line in lines if line.endswith("\n")]
            assert names == [crash_child_name(run, n) for n in range(len(names))]
            printed.update(names)

            with plain_connection(db_path) as connection:
                problems = integrity_problems(connection)
                assert problems == [], f"run {run} (seed {seed}): {problems}"
                in_file = {row[0] for row in connection.execute("SELECT name FROM districts")}
                this_run = {n for n in in_file if n.startswith(f"run{run:02d}-")}
                # Every district came with its council and the council's status event: a
                # transaction is there whole or not at all.
                half_done = connection.execute(
                    "SELECT d.name FROM districts d"
                    " LEFT JOIN councils c ON c.district_id = d.id"
                    " LEFT JOIN council_status_events e ON e.council_id = c.id"
                    " WHERE e.id IS NULL"
                ).fetchall()
            lost = printed - in_file
            assert not lost, f"run {run} (seed {seed}): committed but missing: {sorted(lost)}"
            assert half_done == [], f"run {run} (seed {seed}): half-written: {half_done}"
            # The file may hold one more than was printed: committed, killed before printing.
            extra = this_run - set(names)
            assert extra <= {crash_child_name(run, len(names))}, f"run {run}: {sorted(extra)}"
            unreported += len(extra)
            wal = db_path.with_name(db_path.name + "-wal")
            largest_wal = max(largest_wal, wal.stat().st_size if wal.exists() else 0)
    finally:
        for idle in waiting:
            idle.kill()
            idle.communicate()

    elapsed = time.monotonic() - started
    with plain_connection(db_path) as connection:
        total = connection.execute("SELECT count(*) FROM districts").fetchone()[0]
        councils = connection.execute("SELECT count(*) FROM councils").fetchone()[0]
    assert total == len(printed) + unreported == councils
    print(
        f"\n[crash] {CRASH_RUNS} kills in {elapsed:.1f} s (seed {seed}): "
        f"{len(printed)} commits reported, {unreported} committed but killed before reporting, "
        f"{total} districts in the file, integrity ok after every kill, "
        f"largest write-ahead log left behind {largest_wal // 1024} KiB"
    )


# --- 2. two programs at once ----------------------------------------------------------------

# One child per role ("A" or "B"). After both are ready, for EDIT_SECONDS each keeps doing two
# write transactions in turn: create a district of its own, and save a new note on the shared
# district with the version it read just before (which the other program may have changed in
# between: that is a legitimate StaleEditError, counted, not a failure). Every save is reported
# on stdout as a JSON line after it committed; any other exception is reported as an error.
#
# The deliberate stale edit, on a second district that only this part touches:
#   A reads the version and creates "a_read"; B, seeing it, saves the district and creates
#   "b_saved"; A, seeing that, saves with the version it read, which must be refused.
EDIT_CHILD = """
import json
import sys
import time
import traceback
import uuid
from pathlib import Path

from shienapp.core.context import AppContext
from shienapp.core.districts import DistrictInput
from shienapp.core.errors import StaleEditError

path, role, folder, seconds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), float(sys.argv[4])
block_id, shared_id, target_id = (uuid.UUID(arg) for arg in sys.argv[5:8])


def say(**fields):
    sys.stdout.write(json.dumps(fields) + "\\n")
    sys.stdout.flush()


def save_note(districts, district_id, version, note):
    row = districts.get_district(district_id).row
    data = DistrictInput(row.name, "", block_id, note=note)
    districts.update_district(district_id, version, data)


ctx = AppContext.open(path)
districts = ctx.districts
say(op="ready")
while not (folder / "go").exists():
    time.sleep(0.002)
start = time.monotonic()
number = 0
step = "start"
old_version = None
while time.monotonic() - start < seconds:
    try:
        name = f"並行{role}-{number:05d}"
        districts.create_district(DistrictInput(name, "", block_id))
        say(op="create", name=name)

        version = districts.get_district(shared_id).row.version
        note = f"{role}が保存 {number}"
        try:
            save_note(districts, shared_id, version, note)
        except StaleEditError:
            say(op="stale", version=version)
        else:
            say(op="note", version=version, note=note)

        if role == "A" and step == "start" and time.monotonic() - start > 2:
            old_version = districts.get_district(target_id).row.version
            (folder / "a_read").touch()
            step = "read"
            say(op="target_read", version=old_version)
        elif role == "A" and step == "read" and (folder / "b_saved").exists():
            try:
                save_note(districts, target_id, old_version, "Aが古い版から保存")
            except StaleEditError as exc:
                say(op="target_refused", message=exc.message)
            else:
                say(op="target_overwritten")
            step = "done"
        elif role == "B" and step == "start" and (folder / "a_read").exists():
            version = districts.get_district(target_id).row.version
            save_note(districts, target_id, version, "Bが保存した内容")
            (folder / "b_saved").touch()
            step = "done"
            say(op="target_saved", version=version)
    except Exception as exc:
        traceback.print_exc()
        say(op="error", type=type(exc).__name__, message=str(exc)[:500])
    number += 1
ctx.close()
say(op="finished", iterations=number)
"""


def read_reports(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def wait_until_ready(logs: list[Path], procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + WATCHDOG_SECONDS
    while not all(log.exists() and '"ready"' in log.read_text(encoding="utf-8") for log in logs):
        exited = [p.returncode for p in procs if p.poll() is not None]
        assert not exited, f"a child exited before it was ready: {exited}"
        assert time.monotonic() < deadline, "the children never got ready"
        time.sleep(0.02)


@pytest.mark.slow
def test_two_programs_editing_for_ten_seconds_lose_nothing_and_never_see_a_lock(
    tmp_path: Path, db_path: Path
) -> None:
    ctx = AppContext.open(db_path)
    block, _ = ctx.districts.create_block("共有ブロック", "きょうゆう")
    shared_id, _ = ctx.districts.create_district(DistrictInput("共有地区", "", block.id))
    target_id, _ = ctx.districts.create_district(DistrictInput("取り合い地区", "", block.id))
    first_version = ctx.districts.get_district(shared_id).row.version
    ctx.close()

    folder = tmp_path / "signals"
    folder.mkdir()
    roles = ["A", "B"]
    logs = {role: tmp_path / f"{role}.out" for role in roles}
    errs = {role: tmp_path / f"{role}.err" for role in roles}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for role in roles:
            with open(logs[role], "wb") as out, open(errs[role], "wb") as err:
                procs[role] = subprocess.Popen(
                    child_command(
                        EDIT_CHILD,
                        db_path,
                        role,
                        folder,
                        EDIT_SECONDS,
                        block.id,
                        shared_id,
                        target_id,
                    ),
                    stdout=out,
                    stderr=err,
                    env=child_environment(),
                )
        wait_until_ready(list(logs.values()), list(procs.values()))
        (folder / "go").touch()
        started = time.monotonic()
        for proc in procs.values():
            proc.wait(timeout=EDIT_SECONDS + WATCHDOG_SECONDS)
        elapsed = time.monotonic() - started
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()

    reports = {role: read_reports(logs[role]) for role in roles}
    stderr = {role: errs[role].read_text(encoding="utf-8", errors="replace") for role in roles}
    for role in roles:
        errors = [r for r in reports[role] if r["op"] == "error"]
        assert errors == [], f"{role}: {errors}\n{stderr[role]}"
        assert procs[role].returncode == 0, f"{role} exited {procs[role].returncode}\n{stderr}"
        assert stderr[role] == "", f"{role}: {stderr[role]}"
        assert reports[role][-1]["op"] == "finished"

    def ops(role: str, op: str) -> list[dict[str, Any]]:
        return [r for r in reports[role] if r["op"] == op]

    created = {role: {r["name"] for r in ops(role, "create")} for role in roles}
    notes = [(r["version"], role, r["note"]) for role in roles for r in ops(role, "note")]

    with plain_connection(db_path) as connection:
        assert integrity_problems(connection) == []
        in_file = {row[0] for row in connection.execute("SELECT name FROM districts")}
    for role in roles:
        missing = created[role] - in_file
        assert not missing, f"{role} saved these, but they are gone: {sorted(missing)[:20]}"
        assert created[role], f"{role} never managed to save"
    assert in_file == created["A"] | created["B"] | {"共有地区", "取り合い地区"}

    ctx = AppContext.open(db_path)
    try:
        shared = ctx.districts.get_district(shared_id)
        target = ctx.districts.get_district(target_id)
    finally:
        ctx.close()

    # Each saved note was based on a different version: no save overwrote another one unseen.
    versions = sorted(version for version, _, _ in notes)
    assert len(versions) == len(set(versions)), "two saves were based on the same version"
    assert versions == list(range(first_version, first_version + len(versions)))
    assert shared.row.version == first_version + len(notes)
    assert shared.note == max(notes)[2]
    assert {role for _, role, _ in notes} == {"A", "B"}, "only one program ever saved the note"

    # The deliberate stale edit: A's save from the old copy was refused; B's save stands.
    (read,) = ops("A", "target_read")
    (saved,) = ops("B", "target_saved")
    assert saved["version"] == read["version"]
    assert ops("A", "target_overwritten") == []
    (refused,) = ops("A", "target_refused")
    assert "別の人が変更しました" in refused["message"]
    assert target.note == "Bが保存した内容"
    assert target.row.version == read["version"] + 1

    summary = ", ".join(
        f"{role}: {len(created[role])} districts + {len(ops(role, 'note'))} notes saved, "
        f"{len(ops(role, 'stale'))} note saves refused as stale"
        for role in roles
    )
    print(f"\n[two programs] {elapsed:.1f} s: {summary}")
