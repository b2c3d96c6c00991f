"""The meetings commands end to end, on the demo city."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from test_cli import run


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    result = run("demo", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "会議" in result.stdout and "未完了の宿題" in result.stdout
    return path


def lines(*args: str | Path) -> list[list[str]]:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_list_councils_and_meetings(demo_db: Path) -> None:
    councils = lines("list", "councils", "--db", demo_db)
    assert len(councils) == 40  # a 第2層 council per district (one 準備中) + the 第1層
    assert councils[0][1] == "みどり野市 第1層協議体"
    assert all(len(parts) == 2 and len(parts[0]) == 36 for parts in councils)
    meetings = lines("list", "meetings", "--db", demo_db)
    assert len(meetings) > 500
    assert all(len(parts[0]) == 36 and "協議体" in parts[1] for parts in meetings)
    assert meetings[0][1].startswith("令和")


def held_meeting(demo_db: Path) -> str:
    rows = lines("list", "meetings", "--db", demo_db)
    return next(record_id for record_id, label in rows if "定例会" in label and "令和7年" in label)


@pytest.mark.parametrize(
    ("document", "extra", "expected"),
    [
        ("signin", (), "出席者名簿"),
        ("minutes", (), "議事録"),
        ("minutes", ("--blank",), "記録用紙"),
    ],
)
def test_print_meeting_sheets(
    demo_db: Path, tmp_path: Path, document: str, extra: tuple[str, ...], expected: str
) -> None:
    meeting_id = held_meeting(demo_db)
    out = tmp_path / f"{document}.pdf"
    result = run(
        "print", document, "--meeting", meeting_id[:8], "--out", out, *extra, "--db", demo_db
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "令和7年" in text and expected.replace("記録用紙", "議事録") in text


def test_print_for_an_unknown_meeting_fails_in_one_line(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = run("print", "signin", "--meeting", "00000000-nope", "--out", out, "--db", demo_db)
    assert result.returncode == 1
    lines_ = result.stderr.splitlines()
    assert len(lines_) == 1 and lines_[0].startswith("shienapp: エラー: 会議「")
    assert not out.exists()


def test_export_meetings_and_calendar(demo_db: Path, tmp_path: Path) -> None:
    from icalendar import Calendar
    from openpyxl import load_workbook

    xlsx = tmp_path / "meetings.xlsx"
    result = run("export", "meetings", xlsx, "--fiscal-year", "令和6年度", "--db", demo_db)
    assert result.returncode == 0, result.stderr
    years = {
        row[0] for row in load_workbook(xlsx)["会議一覧"].iter_rows(min_row=2, values_only=True)
    }
    assert years == {"令和6年度"}

    ics = tmp_path / "plan.ics"
    result = run("export", "calendar", ics, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert events and all(str(e["uid"]).endswith("@shienapp") for e in events)


def test_export_refuses_a_wrong_suffix_and_a_bad_year(demo_db: Path, tmp_path: Path) -> None:
    result = run("export", "calendar", tmp_path / "plan.xlsx", "--db", demo_db)
    assert result.returncode == 1 and "拡張子は .ics" in result.stderr
    result = run("export", "meetings", tmp_path / "m.xlsx", "--fiscal-year", "昔", "--db", demo_db)
    assert result.returncode == 2 and "年度「昔」が読めません" in result.stderr
    assert not (tmp_path / "m.xlsx").exists()
