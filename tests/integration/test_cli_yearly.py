"""The yearly documents end to end on the demo city: the report and the district data book."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfcheck import assert_japanese_font_only, read, texts
from test_cli import run


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert run("demo", "--db", path).returncode == 0
    return path


def flat(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def test_the_annual_report_has_the_set_up_figure_and_its_sections(
    demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    result = run(
        "print", "annual-report", "--fiscal-year", "令和7年度", "--out", out, "--db", demo_db
    )
    assert result.returncode == 0, result.stderr
    reader = read(out.read_bytes())
    assert_japanese_font_only(reader)
    text = flat("".join(texts(reader)))
    assert "38／39（97.4%）" in text
    for section in (
        "1第2層協議体の設置状況",
        "2活動件数",
        "3主な活動",
        "4参加者の声",
        "5支援の実績",
    ):
        assert section in text
    assert "「ここに来ると一週間の張りが出る」" in text  # a voice from the minutes
    assert "令和7年度" in text


def test_the_district_book_has_a_contents_page_and_one_page_per_district(
    demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "book.pdf"
    result = run("print", "district-book", "--fiscal-year", "2025", "--out", out, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    pages = [flat(t) for t in texts(read(out.read_bytes()))]
    districts = [
        line.split("\t")[1]
        for line in run("list", "districts", "--db", demo_db).stdout.splitlines()
    ]
    assert len(districts) == 39 and len(pages) == 40
    assert "目次" in pages[0]
    for number, name in enumerate(districts, start=2):
        assert f"地区カルテ{name}" in pages[number - 1], name
    assert all("令和7年度の活動" in page for page in pages[1:])


def test_the_evaluation_sheet_of_the_demo_plan(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "evaluation.pdf"
    result = run("print", "evaluation", "--fiscal-year", "2025", "--out", out, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    text = flat("".join(texts(read(out.read_bytes()))))
    assert "生活支援体制整備事業計画（令和6～8年度）" in text
    assert text.count("めざす状態") >= 4 and "D" in text
    result = run(
        "print", "evaluation", "--fiscal-year", "2030", "--out", tmp_path / "x.pdf", "--db", demo_db
    )
    assert result.returncode == 1 and "事業計画がありません" in result.stderr
