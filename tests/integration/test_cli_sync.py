"""``shienapp sync`` end to end: take out, bring back, conflicts listed, exit status 3."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_cli import run

PASSPHRASE = "地区会議 2026 秋"


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path]:
    """A demo office database and a passphrase file."""
    db = tmp_path / "office.sqlite3"
    result = run("demo", "--db", db)
    assert result.returncode == 0, result.stderr
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    assert run("sync", "device", "--name", "本所PC", "--db", db).returncode == 0
    return db, secret


def _set_note(db: Path, district: str, note: str) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE districts SET note = ?, version = version + 1 WHERE name = ?", (note, district)
        )


def _note(db: Path, district: str) -> str:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT note FROM districts WHERE name = ?", (district,)
        ).fetchone()[0]


def test_take_out_two_districts_and_bring_back_with_a_conflict(
    office: tuple[Path, Path], tmp_path: Path
) -> None:
    db, secret = office
    out = tmp_path / "持ち出し.shienx"
    result = run("sync", "export", "--out", out, "--districts", "中央,北山",
                 "--passphrase-file", secret, "--db", db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "中央、北山" in result.stdout and "読み返して確認しました" in result.stdout

    laptop = tmp_path / "laptop.sqlite3"
    result = run("sync", "import", out, "--passphrase-file", secret, "--db", laptop)
    assert result.returncode == 0, result.stderr
    assert "本所PC から" in result.stdout
    listed = run("list", "districts", "--db", laptop).stdout.splitlines()
    assert sorted(line.split("\t")[1] for line in listed) == ["中央", "北山"]

    _set_note(db, "中央", "事務所で変更")
    _set_note(laptop, "中央", "地区会議で変更")
    _set_note(laptop, "北山", "地区会議で記録")
    back = tmp_path / "持ち帰り.shienx"
    assert run("sync", "export", "--out", back, "--passphrase-file", secret,
               "--db", laptop).returncode == 0  # fmt: skip

    result = run("sync", "import", back, "--passphrase-file", secret, "--db", db)
    assert result.returncode == 3, result.stderr
    assert "競合 1 件" in result.stdout and "未解決の競合が 1 件" in result.stdout
    assert _note(db, "北山") == "地区会議で記録"

    listed = run("sync", "conflicts", "--db", db)
    assert listed.returncode == 3
    (line,) = listed.stdout.splitlines()
    assert "編集と編集" in line and "地区「中央」" in line and "備考" in line

    again = run("sync", "import", back, "--passphrase-file", secret, "--db", db)
    assert again.returncode == 3  # the conflict is still open, and nothing new came in
    assert "追加 0 件、変更 0 件、削除 0 件、競合 0 件" in again.stdout

    history = run("sync", "history", "--db", db).stdout
    assert "取り込み" in history and "書き出し" in history


def test_refusals_exit_1_with_a_japanese_message(office: tuple[Path, Path], tmp_path: Path) -> None:
    db, secret = office
    out = tmp_path / "out.shienx"
    assert run("sync", "export", "--out", out, "--passphrase-file", secret,
               "--db", db).returncode == 0  # fmt: skip
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("まちがったパスフレーズ", encoding="utf-8")
    laptop = tmp_path / "laptop.sqlite3"

    result = run("sync", "import", out, "--passphrase-file", wrong, "--db", laptop)
    assert result.returncode == 1
    assert "パスフレーズが違います" in result.stderr

    cut = tmp_path / "cut.shienx"
    cut.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    result = run("sync", "import", cut, "--passphrase-file", secret, "--db", laptop)
    assert result.returncode == 1
    assert "途中で切れています" in result.stderr

    result = run("sync", "import", out, "--passphrase-file", tmp_path / "none.txt", "--db", db)
    assert result.returncode == 1 and "見つかりません" in result.stderr

    result = run("sync", "import", out, "--passphrase-file", secret, "--db", db)
    assert result.returncode == 1 and "自身が書き出したファイル" in result.stderr

    result = run("sync", "export", "--out", tmp_path / "x.shienx", "--districts", "どこにもない",
                 "--passphrase-file", secret, "--db", db)  # fmt: skip
    assert result.returncode == 1 and "どこにもない" in result.stderr

    result = run("sync", "conflicts", "--db", db)
    assert result.returncode == 0 and "未解決の競合はありません" in result.stdout
