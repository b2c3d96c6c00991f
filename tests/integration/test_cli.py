"""End to end through the `shienapp` command, as a scheduled job or a clerk would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shienapp import __version__


def run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command in a child process; stdin is never a terminal, as in a scheduled job."""
    return subprocess.run(
        [sys.executable, "-m", "shienapp", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    result = run("demo", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "地区 39（協議体設置済 38）" in result.stdout
    return path


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"shienapp {__version__}"


def test_list_districts_prints_id_tab_name(demo_db: Path) -> None:
    result = run("list", "districts", "--db", demo_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 39
    ids_and_names = [line.split("\t") for line in lines]
    assert all(len(parts) == 2 and len(parts[0]) == 36 for parts in ids_and_names)
    assert "髙田" in [name for _, name in ids_and_names]


def test_db_option_before_the_command_works_too(demo_db: Path) -> None:
    result = run("--db", demo_db, "list", "blocks")
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == [
        "北部ブロック",
        "中部ブロック",
        "南部ブロック",
        "東部ブロック",
        "西部ブロック",
    ]


def test_export_then_import_round_trip(demo_db: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "registry.xlsx"
    result = run("export", "districts", xlsx, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    fresh = tmp_path / "fresh.sqlite3"
    result = run("import", "districts", xlsx, "--create-blocks", "--db", fresh)
    assert result.returncode == 0, result.stderr
    before = run("list", "districts", "--db", demo_db).stdout.splitlines()
    after = run("list", "districts", "--db", fresh).stdout.splitlines()
    assert [line.split("\t")[1] for line in after] == [line.split("\t")[1] for line in before]


def test_import_of_a_broken_file_changes_nothing(demo_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a zip file")
    before = run("list", "districts", "--db", demo_db).stdout
    result = run("import", "districts", bad, "--db", demo_db)
    assert result.returncode == 1
    assert result.stderr.startswith("shienapp: エラー: ")
    assert "Traceback" not in result.stderr
    assert run("list", "districts", "--db", demo_db).stdout == before


def test_bad_usage_is_reported_in_japanese() -> None:
    result = run("list")
    assert result.returncode == 2
    assert "次の引数が必要です" in result.stderr
    assert "使い方:" in result.stderr


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "future.sqlite3"
    assert run("demo", "--db", path).returncode == 0
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.close()
    result = run("list", "districts", "--db", path)
    assert result.returncode == 1
    assert "新しい版の shienapp" in result.stderr


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_print_district_sheet_by_name(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "白樺.pdf"
    result = run("print", "district-sheet", "--district", "白樺", "--out", out, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert "白樺 の地区カルテを" in result.stdout
    text = _pdf_text(out)
    assert "白樺" in text
    assert "高齢化率" in text


def test_print_district_sheet_by_id_prefix(demo_db: Path, tmp_path: Path) -> None:
    line = next(
        line
        for line in run("list", "districts", "--db", demo_db).stdout.splitlines()
        if line.endswith("\t髙田")
    )
    prefix = line.split("\t")[0][:8]
    out = tmp_path / "sheet.pdf"
    result = run("print", "district-sheet", "--district", prefix, "--out", out, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert "髙田" in _pdf_text(out)


def test_print_district_sheet_for_an_unknown_district(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    result = run(
        "print", "district-sheet", "--district", "どこにもない町", "--out", out, "--db", demo_db
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "shienapp: エラー: 地区「どこにもない町」が見つかりません"
        "（ID か正確な地区名を指定してください）。"
    ]
    assert not out.exists()
