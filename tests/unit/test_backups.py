"""Backups: rotation by a fake clock, what a backup holds, restore round trip, damage found at
start and never overwritten, a backup taken while another process writes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from shienapp import config
from shienapp.core.backups import DAILY, MONTHLY, WEEKLY, BackupService, to_keep
from shienapp.core.context import AppContext, DamagedDatabaseError
from shienapp.core.errors import UserError
from shienapp.storage import integrity

NOW = datetime(2026, 11, 23, 12, 0)

pytestmark = pytest.mark.sqlite_only("backups copy the SQLite file; a server backs itself up")


def _blocks(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [
            r[0]
            for r in connection.execute(
                "SELECT name FROM blocks WHERE deleted_at IS NULL ORDER BY name"
            )
        ]


def _damage(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\x41" * 8192
    path.write_bytes(bytes(data))
    return bytes(data)


# ----------------------------------------------------------------------------- rotation


def test_rotation_keeps_two_days_then_days_weeks_and_months() -> None:
    stamps = [NOW - timedelta(hours=h) for h in range(0, 24 * 400, 6)]  # four a day, 400 days
    kept = sorted(to_keep(stamps, NOW), reverse=True)
    recent = [s for s in kept if NOW - s <= timedelta(days=2)]
    older = [s for s in kept if NOW - s > timedelta(days=2)]
    assert recent == [s for s in sorted(stamps, reverse=True) if NOW - s <= timedelta(days=2)]
    assert len(older) == DAILY + WEEKLY + MONTHLY
    daily, weekly, monthly = older[:DAILY], older[DAILY : DAILY + WEEKLY], older[DAILY + WEEKLY :]
    assert len({s.date() for s in daily}) == DAILY
    assert len({s.isocalendar()[:2] for s in weekly}) == WEEKLY
    assert not {s.isocalendar()[:2] for s in weekly} & {s.isocalendar()[:2] for s in daily[-1:]}
    assert len({(s.year, s.month) for s in monthly}) == MONTHLY
    # The newest of each day is the one kept.
    assert all(s.hour == 18 for s in daily)


def test_rotation_with_few_backups_keeps_them_all() -> None:
    stamps = [NOW - timedelta(days=d) for d in (0, 1, 5, 20, 90)]
    assert to_keep(stamps, NOW) == set(stamps)


def test_backups_rotate_by_the_clock_and_never_touch_pre_migration(
    ctx: AppContext, tmp_path: Path
) -> None:
    folder = tmp_path / "bk"
    service = BackupService(ctx.db.path, folder)  # type: ignore[arg-type]
    keep_me = folder / "pre-migration" / "old.sqlite3"
    keep_me.parent.mkdir(parents=True)
    keep_me.write_bytes(b"x")
    day0 = datetime(2026, 1, 1, 9)
    for day in range(60):
        service.create("start", now=day0 + timedelta(days=day))
    names = service.list()
    last = day0 + timedelta(days=59)
    assert {b.taken_at for b in names} == to_keep(
        [day0 + timedelta(days=d) for d in range(60)], last
    )
    assert len(names) < 60
    assert keep_me.exists()
    assert all(b.path.with_suffix(".json").exists() for b in names)


# ----------------------------------------------------------------------------- content


def test_a_backup_says_what_it_holds_and_passes_the_check(ctx: AppContext, tmp_path: Path) -> None:
    ctx.districts.create_block("北部", "ほくぶ")
    service = BackupService(ctx.db.path, tmp_path / "bk")  # type: ignore[arg-type]
    info = service.create("manual")
    assert info.reason_label == "手動"
    assert info.counts["地区"] == 0 and "会議" in info.counts
    assert integrity.check(info.path, full=True) == []
    (listed,) = service.list()
    assert listed.path == info.path and listed.counts == info.counts
    assert listed.schema == info.schema != ""
    assert _blocks(info.path) == ["北部"]


def test_restore_round_trip_backs_up_the_present_first(ctx: AppContext, tmp_path: Path) -> None:
    path = ctx.db.path
    assert path is not None
    ctx.districts.create_block("北部", "ほくぶ")
    service = BackupService(path, tmp_path / "bk")
    saved = service.create("manual")
    ctx.districts.create_block("南部", "なんぶ")
    ctx.close()
    before = service.restore(saved.path)
    assert before is not None and before.reason == "pre-restore"
    assert _blocks(path) == ["北部"]
    assert _blocks(before.path) == ["北部", "南部"]  # the present state was kept
    reopened = AppContext.open(path)
    try:
        assert [b.name for b in reopened.districts.list_blocks()] == ["北部"]
    finally:
        reopened.close()


def test_restore_refuses_a_damaged_or_foreign_backup(ctx: AppContext, tmp_path: Path) -> None:
    path = ctx.db.path
    assert path is not None
    for i in range(300):
        ctx.districts.create_block(f"ブロック{i:03d}", "ぶろっく")
    service = BackupService(path, tmp_path / "bk")
    bad = service.create("manual").path
    ctx.close()
    _damage(bad)
    original = path.read_bytes()
    with pytest.raises(UserError, match="壊れているため復元しません"):
        service.restore(bad)
    text = tmp_path / "not.sqlite3"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(UserError, match="SQLite"):
        service.restore(text)
    with pytest.raises(UserError, match="見つかりません"):
        service.restore(tmp_path / "none.sqlite3")
    assert path.read_bytes() == original


# ----------------------------------------------------------------------------- damage at start


def test_a_damaged_file_is_found_at_start_left_alone_and_restorable(
    db_path: Path, tmp_path: Path
) -> None:
    ctx = AppContext.open(db_path)
    ctx.districts.create_block("北部", "ほくぶ")
    for i in range(300):  # enough pages that the middle of the file holds table data
        ctx.districts.create_block(f"ブロック{i:03d}", "ぶろっく")
    saved = ctx.backup("manual")
    ctx.close()
    assert saved is not None
    damaged = _damage(db_path)

    with pytest.raises(DamagedDatabaseError) as caught:
        AppContext.open(db_path)
    assert db_path.read_bytes() == damaged  # not a byte written
    assert caught.value.backup == saved
    assert "壊れています" in caught.value.message and str(saved) in caught.value.message

    BackupService(db_path, config.backup_dir()).restore(saved)
    assert (config.backup_dir() / "damaged").is_dir()
    assert any(p.read_bytes() == damaged for p in (config.backup_dir() / "damaged").iterdir())
    reopened = AppContext.open(db_path)
    try:
        assert len(reopened.districts.list_blocks()) == 301
    finally:
        reopened.close()


def test_a_leftover_wal_triggers_the_full_check(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    AppContext.open(db_path).close()
    calls: list[bool] = []
    real = integrity.check

    def spy(path: Path, *, full: bool = False, key: str | None = None) -> list[str]:
        calls.append(full)
        return real(path, full=full, key=key)

    monkeypatch.setattr(integrity, "check", spy)
    AppContext.open(db_path).close()
    db_path.with_name(db_path.name + "-wal").write_bytes(b"\0" * 32)
    AppContext.open(db_path).close()
    assert calls == [False, True]


# ----------------------------------------------------------------------------- live backup


WRITER = """
import sys, time
from shienapp.core.context import AppContext
ctx = AppContext.open(sys.argv[1])
print("ready", flush=True)
i = 0
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    ctx.districts.create_block(f"並行{i:05d}", "へいこう")
    print(i, flush=True)
    i += 1
ctx.close()
"""


def test_a_backup_taken_while_another_process_writes_restores_whole(
    ctx: AppContext, tmp_path: Path
) -> None:
    path = ctx.db.path
    assert path is not None
    service = BackupService(path, tmp_path / "bk")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "4"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    taken = [service.create("manual") for _ in range(3)]
    out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0
    written = int(out.split()[-1]) + 1
    assert written > 10
    for info in taken:
        assert integrity.check(info.path, full=True) == []
    counts = [len(_blocks(info.path)) for info in taken]
    assert counts == sorted(counts) and 0 < counts[-1] <= written
    ctx.close()
    service.restore(taken[0].path)
    assert integrity.check(path, full=True) == []
    assert len(_blocks(path)) == counts[0]
