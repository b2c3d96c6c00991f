"""The network map on paper: A3/A4 landscape, legend always, analysis page, before and after."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pdfcheck import assert_japanese_font_only, read, texts

from shienapp.core.network import MapDocument, Node, Tie
from shienapp.reports.fonts import register_japanese_font
from shienapp.reports.network import PrintOptions, render_comparison, render_network, wrap_text

A3_LANDSCAPE = (1190.55, 841.89)
A4_LANDSCAPE = (841.89, 595.28)


def _doc(number: int, nodes: list[Node], ties: list[Tie]) -> MapDocument:
    return MapDocument(
        uuid.uuid4(), 1, "わがまちの形成図", "市全体", number, date(2025, 3, 14),
        "住民向けに再編成", tuple(nodes), tuple(ties),
    )  # fmt: skip


@pytest.fixture
def versions() -> tuple[MapDocument, MapDocument]:
    shakyo = Node(uuid.uuid4(), "社会福祉協議会", "組織", "全世代", "専門機関", 0, 0)
    hokatsu = Node(uuid.uuid4(), "地域包括支援センター", "組織", "高齢", "専門機関", 200, 0)
    person = Node(uuid.uuid4(), "山田 花子", "人", "全世代", "地域住民", 100, 150,
                  public_label="民生委員")  # fmt: skip
    kids = Node(uuid.uuid4(), "みどり子ども食堂", "社会資源", "子ども", "活動・場", 400, 150)
    old_ties = [
        Tie(uuid.uuid4(), shakyo.key, hokatsu.key),
        Tie(uuid.uuid4(), person.key, hokatsu.key, "相談", 3, True),
    ]
    old = _doc(1, [shakyo, hokatsu, person], old_ties)
    new = _doc(
        2,
        [shakyo, hokatsu, person, kids],
        [*old_ties, Tie(uuid.uuid4(), kids.key, shakyo.key, "支援")],
    )
    return old, new


def _text(pdf: bytes) -> list[str]:
    return [t.replace(" ", "").replace("\n", "") for t in texts(read(pdf))]


def test_an_a3_print_has_title_version_legend_and_analysis(
    versions: tuple[MapDocument, MapDocument],
) -> None:
    _, new = versions
    pdf = render_network(new, PrintOptions("A3", issued_on=date(2026, 11, 23)))
    reader = read(pdf)
    assert_japanese_font_only(reader)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A3_LANDSCAPE, abs=1)
    first, analysis = _text(pdf)
    assert "わがまちの形成図" in first and "第2版" in first and "令和7年3月14日" in first
    for legend in ("凡例", "協議体", "生活困窮", "情報共有", "一方向"):
        assert legend in first
    assert "山田花子" in first and "みどり子ども食堂" in first
    assert "分析" in analysis and "カットポイント" in analysis
    assert "社会福祉協議会" in analysis  # the one node holding the map together


def test_a_residents_a4_print_shows_people_by_role(
    versions: tuple[MapDocument, MapDocument],
) -> None:
    _, new = versions
    pdf = render_network(new, PrintOptions("A4", resident_safe=True))
    box = read(pdf).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=1)
    text = "".join(_text(pdf))
    assert "山田" not in text and "民生委員" in text and "住民向け" in text


def test_before_and_after_marks_what_changed(versions: tuple[MapDocument, MapDocument]) -> None:
    old, new = versions
    pages = _text(render_comparison(old, new))
    assert len(pages) == 3
    assert pages[0].find("変更前") >= 0 and "みどり子ども食堂" not in pages[0]
    assert "変更後" in pages[1] and "前の版からの変更" in pages[1]
    assert "点:追加1・削除0・変更0" in pages[1]
    assert "加わった点みどり子ども食堂" in pages[2]


def test_an_empty_map_prints(versions: tuple[MapDocument, MapDocument]) -> None:
    text = "".join(_text(render_network(_doc(0, [], []))))
    assert "まだ点がありません" in text and "作業中の版" in text


def test_long_japanese_labels_wrap_by_character() -> None:
    font = register_japanese_font()
    lines = wrap_text("みどり野市民生委員児童委員協議会", font, 10, 60, max_lines=3)
    assert len(lines) >= 2 and "".join(lines).startswith("みどり野市")
