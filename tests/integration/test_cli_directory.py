"""The directory commands end to end: list, match (and the demo city's directory)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_cli import run

from shienapp.core.context import AppContext
from shienapp.core.directory import DEFAULT_CATEGORIES, PersonInput, ResourceInput
from shienapp.core.districts import DistrictInput
from shienapp.core.matching import NeedInput
from shienapp.core.schedule import parse_slot


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    result = run("demo", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "担い手" in result.stdout and "活動・資源 100" in result.stdout
    return path


def lines(*args: str | Path) -> list[list[str]]:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_demo_people_are_listed_in_reading_order_with_consent_flags(demo_db: Path) -> None:
    people = lines("list", "people", "--db", demo_db)
    assert 300 <= len(people) <= 600
    assert all(len(row) == 6 and len(row[0]) == 36 for row in people)
    flagged = [row for row in people if row[5] == "同意未確認"]
    assert 0 < len(flagged) < len(people) / 4
    assert sum("担い手" in row[3] for row in people) >= 150


def test_demo_resources_come_in_category_order(demo_db: Path) -> None:
    resources = lines("list", "resources", "--db", demo_db)
    assert len(resources) == 100
    order = [DEFAULT_CATEGORIES.index(row[2]) for row in resources]
    assert order == sorted(order)
    assert all(row[4] for row in resources)  # every activity has its schedule


def test_demo_organisations_and_open_needs(demo_db: Path) -> None:
    assert len(lines("list", "organizations", "--db", demo_db)) == 50
    needs = lines("list", "needs", "--db", demo_db)
    assert sum(row[1] in ("受付", "調整中") for row in needs) >= 20


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """Three volunteers who can take out rubbish, arranged so the order is known."""
    path = tmp_path / "small.sqlite3"
    ctx = AppContext.open(path)
    try:
        ctx.districts.create_block("東ブロック", "ひがし")
        blocks = ctx.districts.list_blocks()
        home, _ = ctx.districts.create_district(
            DistrictInput(name="中居", reading="なかい", block_id=blocks[0].id)
        )
        thursday = (parse_slot("毎週木曜 午前"),)
        ctx.directory.create_person(  # far away, free at the time: 5
            PersonInput(name="上田 清", reading="うえだ きよし", volunteer_status="活動中",
                        skills=("ごみ出し",), availability=thursday)
        )  # fmt: skip
        ctx.directory.create_person(  # same district, free at the time: 8
            PersonInput(name="石川 茂", reading="いしかわ しげる", volunteer_status="活動中",
                        skills=("ごみ出し",), availability=thursday, district_id=home)
        )  # fmt: skip
        ctx.directory.create_person(  # same district, another day: 6
            PersonInput(name="青木 隆", reading="あおき たかし", volunteer_status="活動中",
                        skills=("ごみ出し",), availability=(parse_slot("毎週月曜 午前"),),
                        district_id=home)
        )  # fmt: skip
        ctx.directory.create_resource(ResourceInput(name="中居お助け隊", category="見守り"))
        ctx.matching.create_need(
            NeedInput(summary="ごみ出しを手伝ってほしい", received_on=date(2025, 6, 1),
                      source="匿名", district_id=home, skill="ごみ出し",
                      needed=(parse_slot("毎週木曜 9:30～10:30"),))
        )  # fmt: skip
    finally:
        ctx.close()
    return path


def test_match_prints_the_ranked_candidates_one_a_line(small_db: Path) -> None:
    [need] = lines("list", "needs", "--db", small_db)
    result = run("match", "--need", need[0][:8], "--db", small_db)
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(r[0], r[2]) for r in rows] == [("8", "石川 茂"), ("6", "青木 隆"), ("5", "上田 清")]
    assert all(r[1] == "担い手" for r in rows)
    assert "担当地区に含まれる" in rows[0][3] and "日時が合う" in rows[0][3]


def test_match_with_an_unknown_need_says_so_in_japanese(small_db: Path) -> None:
    result = run("match", "--need", "00000000", "--db", small_db)
    assert result.returncode == 1
    assert "ニーズ「00000000」が見つかりません" in result.stderr


def test_people_sort_by_reading_not_by_code_point(small_db: Path) -> None:
    names = [row[1] for row in lines("list", "people", "--db", small_db)]
    assert names == ["青木 隆", "石川 茂", "上田 清"]


def test_export_import_and_template_round_trip(demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(demo_db.read_bytes())
    for kind, count in (("people", 488), ("organizations", 50), ("resources", 100)):
        out = tmp_path / f"{kind}.xlsx"
        result = run("export", kind, out, "--db", copy)
        assert result.returncode == 0, result.stderr
        assert f"{count} 件" in result.stdout
        assert ("取扱注意" in result.stdout) == (kind == "people")
        result = run("import", kind, out, "--db", copy)
        assert result.returncode == 0, result.stderr
        assert f"新規 0 件・更新 0 件・変更なし {count} 件" in result.stdout
    template = tmp_path / "organizations.csv"
    assert run("template", "organizations", template).returncode == 0
    result = run("import", "organizations", template, "--db", copy)
    assert "新規 0 件" in result.stdout  # the example row is not imported


def test_a_bad_import_exits_with_the_rows_in_japanese_and_saves_nothing(
    small_db: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("氏名,地区,電話\n新しい 人,中居,099-111-2222\n別の 人,どこか,abc\n", "utf-8")
    before = lines("list", "people", "--db", small_db)
    result = run("import", "people", bad, "--db", small_db)
    assert result.returncode == 1
    assert "3行目「地区」列: 地区「どこか」は登録されていません" in result.stderr
    assert "3行目「電話」列" in result.stderr
    assert "データは変更していません" in result.stderr
    assert lines("list", "people", "--db", small_db) == before


def test_print_directory_timetable_and_roster(demo_db: Path, tmp_path: Path) -> None:
    from pdfcheck import assert_japanese_font_only, read, texts

    district = lines("list", "districts", "--db", demo_db)[0][1]
    for args, expected in (
        (("directory",), "市内全域の活動・社会資源の一覧"),
        (("directory", "--district", district, "--staff"), "（職員用・取扱注意）"),
        (("timetable", "--district", district), "の週間活動表"),
        (("roster",), "担い手名簿（取扱注意）"),
    ):
        out = tmp_path / f"{args[0]}-{len(args)}.pdf"
        result = run("print", *args, "--out", out, "--db", demo_db)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout
        reader = read(out.read_bytes())
        assert_japanese_font_only(reader)
        assert texts(reader)[0].strip()
    booklet = "".join(texts(read((tmp_path / "directory-1.pdf").read_bytes()))).replace(" ", "")
    order = [booklet.find(f"■{c}") for c in DEFAULT_CATEGORIES]
    assert all(i >= 0 for i in order) and order == sorted(order)
    result = run("print", "directory", "--district", "どこにもない", "--out", tmp_path / "x.pdf",
                 "--db", demo_db)  # fmt: skip
    assert result.returncode == 1 and "見つかりません" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
