"""``shienapp backup``, ``restore`` and ``check`` as a scheduled job or a person would use them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_cli import run


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\x41" * 8192
    path.write_bytes(bytes(data))


def _districts(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT count(*) FROM districts WHERE deleted_at IS NULL"
        ).fetchone()[0]


def test_backup_check_damage_and_restore(tmp_path: Path) -> None:
    db = tmp_path / "office.sqlite3"
    assert run("demo", "--db", db).returncode == 0
    usb = tmp_path / "usb"
    result = run("backup", "--to", usb, "--db", db)
    assert result.returncode == 0, result.stderr
    assert "バックアップしました" in result.stdout and "地区 39" in result.stdout
    listed = run("backup", "--list", "--to", usb, "--db", db)
    (line,) = listed.stdout.splitlines()
    backup = Path(line.split("\t")[0])
    assert backup.parent == usb and "手動" in line

    result = run("check", "--db", db)
    assert result.returncode == 0 and "問題は見つかりませんでした" in result.stdout

    _damage(db)
    damaged = db.read_bytes()
    result = run("check", "--db", db)
    assert result.returncode == 1 and "問題が見つかりました" in result.stdout
    result = run("list", "districts", "--db", db)
    assert result.returncode == 1 and "壊れています" in result.stderr
    result = run("backup", "--to", usb, "--db", db)
    assert result.returncode == 1 and "中止しました" in result.stderr
    assert db.read_bytes() == damaged  # nothing wrote to the damaged file

    result = run("restore", backup, "--db", db)
    assert result.returncode == 0, result.stderr
    assert "復元しました" in result.stdout and "damaged" in result.stdout
    assert run("check", "--db", db).returncode == 0
    assert _districts(db) == 39


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "office.sqlite3"
    assert run("demo", "--db", db).returncode == 0
    before = db.read_bytes()
    text = tmp_path / "memo.txt"
    text.write_text("not a database", encoding="utf-8")
    result = run("restore", text, "--db", db)
    assert result.returncode == 1 and "SQLite" in result.stderr
    result = run("restore", tmp_path / "missing.sqlite3", "--db", db)
    assert result.returncode == 1 and "見つかりません" in result.stderr
    assert db.read_bytes() == before


def test_trash_lists_restores_and_empties(tmp_path: Path) -> None:
    db = tmp_path / "office.sqlite3"
    assert run("demo", "--db", db).returncode == 0
    assert run("trash", "--db", db).stdout.strip() == "ごみ箱は空です。"
    with sqlite3.connect(db) as connection:
        district_id = connection.execute("SELECT id FROM districts WHERE name = '青葉'").fetchone()[
            0
        ]
        connection.execute(
            "UPDATE districts SET deleted_at = '2026-11-01 09:00:00.000000' WHERE id = ?",
            (district_id,),
        )
    listed = run("trash", "--db", db).stdout.splitlines()
    assert len(listed) == 1 and "地区\t青葉" in listed[0]
    result = run("trash", "--restore", district_id[:10], "--db", db)
    assert result.returncode == 0 and "地区「青葉」を復元しました" in result.stdout
    assert _districts(db) == 39
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE districts SET deleted_at = '2026-11-01 09:00:00.000000' WHERE id = ?",
            (district_id,),
        )
    result = run("trash", "--empty", "--db", db)
    assert result.returncode == 0 and "1 件の内容を消しました" in result.stdout
    assert run("trash", "--db", db).stdout.strip() == "ごみ箱は空です。"
