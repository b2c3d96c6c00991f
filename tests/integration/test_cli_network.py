"""The network commands end to end on the demo city: list, print, export and import."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
from pdfcheck import assert_japanese_font_only, read, texts
from test_cli import run


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    result = run("demo", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "ネットワーク形成図 2 枚" in result.stdout
    return path


def maps(db: Path) -> list[list[str]]:
    result = run("list", "maps", "--db", db)
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_the_demo_has_a_city_map_in_two_versions_and_a_district_map(demo_db: Path) -> None:
    city, district = maps(demo_db)
    assert city[1:4] == ["わがまちのネットワーク形成図", "市全体", "2版"]
    nodes, ties = (int(x) for x in city[4].removeprefix("点").split("・線"))
    assert 50 <= nodes <= 70 and 100 <= ties <= 130
    assert district[3] == "1版" and district[2] != "市全体"


def test_print_network_with_a_diff_and_on_a4(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.pdf"
    result = run("print", "network", "--map", "わがまちのネットワーク形成図", "--version", "2",
                 "--diff-from", "1", "--out", out, "--db", demo_db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    reader = read(out.read_bytes())
    assert_japanese_font_only(reader)
    pages = [t.replace(" ", "").replace("\n", "") for t in texts(reader)]
    assert len(pages) == 3 and "変更前" in pages[0] and "変更後" in pages[1]
    assert "点:追加10" in pages[1]
    a4 = tmp_path / "a4.pdf"
    city_id = maps(demo_db)[0][0]
    result = run("print", "network", "--map", city_id[:8], "--paper", "A4", "--resident",
                 "--out", a4, "--db", demo_db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert float(read(a4.read_bytes()).pages[0].mediabox.width) == pytest.approx(841.89, abs=1)


def test_graphml_export_opens_in_networkx_and_imports_as_a_new_map(
    demo_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(demo_db.read_bytes())
    out = tmp_path / "city.graphml"
    result = run("export", "network", "--map", "わがまちのネットワーク形成図", "--version", "1",
                 "--out", out, "--db", copy)  # fmt: skip
    assert result.returncode == 0, result.stderr
    g = nx.read_graphml(out)
    assert "社会福祉協議会" in "".join(str(d.get("label")) for _, d in g.nodes(data=True))
    result = run("import", "network", out, "--db", copy)
    assert result.returncode == 0, result.stderr
    assert "わがまちのネットワーク形成図（2）" in result.stdout
    assert len(maps(copy)) == 3


def test_bad_requests_say_what_is_wrong_in_japanese(demo_db: Path, tmp_path: Path) -> None:
    result = run("export", "network", "--map", "わがまちのネットワーク形成図",
                 "--out", tmp_path / "x.txt", "--db", demo_db)  # fmt: skip
    assert result.returncode == 1 and ".graphml・.svg・.png" in result.stderr
    result = run("print", "network", "--map", "ない地図", "--out", tmp_path / "x.pdf",
                 "--db", demo_db)  # fmt: skip
    assert result.returncode == 1 and "見つかりません" in result.stderr
    result = run("print", "network", "--map", "わがまちのネットワーク形成図", "--version", "9",
                 "--out", tmp_path / "x.pdf", "--db", demo_db)  # fmt: skip
    assert result.returncode == 1 and "第9版はありません" in result.stderr
    broken = tmp_path / "broken.graphml"
    broken.write_text("<graphml>", "utf-8")
    result = run("import", "network", broken, "--db", demo_db)
    assert result.returncode == 1 and "GraphML" in result.stderr


def test_export_network_as_png_and_svg(demo_db: Path, tmp_path: Path) -> None:
    png, svg = tmp_path / "city.png", tmp_path / "district.svg"
    result = run("export", "network", "--map", "わがまちのネットワーク形成図", "--out", png,
                 "--db", demo_db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    district = maps(demo_db)[1][1]
    result = run("export", "network", "--map", district, "--out", svg, "--resident",
                 "--db", demo_db)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = svg.read_text("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    words = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", text))  # Qt splits text into runs
    assert "協議体" in words and "住民向け" in words and "種類（形）" in words  # legend


def test_stats_and_charts_from_the_command_line(demo_db: Path, tmp_path: Path) -> None:
    import json

    result = run("stats", "--fiscal-year", "R6", "--json", "--db", demo_db)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["label"] == "令和6年度"
    assert figures["indicators"]["councils_set_up"]["text"] == "38／39（97.4%）"
    assert 250 <= figures["indicators"]["meetings_held"]["value"] <= 320
    listed = run("chart", "--list")
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert "ageing-district" in names and len(names) == 7
    out = tmp_path / "ageing.svg"
    result = run("chart", "ageing-district", "--fiscal-year", "2024", "--out", out, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert "地区別の高齢化率" in out.read_text("utf-8")
    result = run("chart", "pie", "--out", tmp_path / "x.png", "--db", demo_db)
    assert result.returncode == 1 and "グラフ「pie」はありません" in result.stderr
