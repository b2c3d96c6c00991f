"""The 地区カルテ: its data, its chart and the one-page PDF, read back as a reader would."""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import replace
from datetime import date

import pytest
from pdfcheck import assert_japanese_font_only
from pypdf import PdfReader

from shienapp.charts.ageing import (
    ageing_rate_figure,
    ageing_rate_series,
    district_label,
    figure_png,
)
from shienapp.core.context import AppContext
from shienapp.core.district_sheet import DistrictSheetData, district_sheet_data
from shienapp.core.districts import (
    CouncilEvent,
    CouncilInput,
    DistrictInput,
    DistrictService,
    StatisticsInput,
)
from shienapp.reports.district_sheet import _points, render_district_sheet

ISSUED = date(2025, 2, 20)


@pytest.fixture
def service(ctx: AppContext) -> DistrictService:
    return ctx.districts


def make_district(
    service: DistrictService,
    name: str = "井野",
    years: dict[int, tuple[int, int]] | None = None,
    *,
    council: CouncilInput | None = None,
) -> uuid.UUID:
    block, _ = service.create_block("北部ブロック", "ほくぶぶろっく", None)
    district_id, _ = service.create_district(
        DistrictInput(
            name,
            "いの",
            block.id,
            code="007",
            council=council
            or CouncilInput(
                status="設置済",
                established_on=date(2019, 7, 3),
                coordinator_name="架空 春子",
                domains=("高齢", "全世代"),
                status_changed_on=date(2019, 7, 3),
            ),
        )
    )
    for year, (total, p65) in (years or {}).items():
        service.set_statistics(
            district_id, StatisticsInput(year, total, p65, p65 // 2, total // 2, p65 // 5)
        )
    return district_id


def pdf_of(data: DistrictSheetData) -> PdfReader:
    return PdfReader(io.BytesIO(render_district_sheet(data)))


def all_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_sheet_prints_name_rate_against_the_city_and_dates_in_wareki(
    ctx: AppContext, service: DistrictService
) -> None:
    district_id = make_district(service, years={2023: (1000, 300), 2024: (1000, 320)})
    # A second district makes the city differ from the district.
    other = make_district_in_same_block(service, "中居", {2024: (3000, 600)})
    assert other

    reader = pdf_of(district_sheet_data(service, district_id, ISSUED))
    text = all_text(reader)

    assert len(reader.pages) == 1
    assert "地区カルテ" in text
    assert "井野" in text and "いの" in text
    assert "北部ブロック" in text and "007" in text
    assert "令和7年2月20日" in text  # issue date, 和暦
    assert "令和元年7月3日" in text  # council set up
    assert "設置済" in text and "架空 春子" in text and "高齢・全世代" in text
    assert "高齢化率" in text
    assert "32.0%" in text  # 320 / 1000
    # City FY2024: (320 + 600) / (1000 + 3000) = 23.0%; the district is 9.0 points older.
    assert "23.0%" in text
    assert "+9.0ポイント" in text
    assert "令和6年度" in text and "令和5年度" in text
    assert text.rstrip().endswith("1 / 1")


def make_district_in_same_block(
    service: DistrictService, name: str, years: dict[int, tuple[int, int]]
) -> uuid.UUID:
    block = service.list_blocks()[0]
    district_id, _ = service.create_district(DistrictInput(name, "なかい", block.id))
    for year, (total, p65) in years.items():
        service.set_statistics(district_id, StatisticsInput(year, total, p65))
    return district_id


def test_every_font_in_the_sheet_is_the_embedded_japanese_font(
    service: DistrictService,
) -> None:
    district_id = make_district(service, years={2024: (1000, 320)})
    assert_japanese_font_only(pdf_of(district_sheet_data(service, district_id, ISSUED)))


def test_sheet_without_statistics_says_so_and_draws_no_chart(service: DistrictService) -> None:
    district_id = make_district(service)
    reader = pdf_of(district_sheet_data(service, district_id, ISSUED))
    text = all_text(reader)
    assert len(reader.pages) == 1
    assert "人口統計が未登録です" in text
    assert "高齢化率の推移" not in text
    assert not reader.pages[0]["/Resources"].get("/XObject")


def test_sheet_with_one_year_has_chart_but_no_years_table(service: DistrictService) -> None:
    district_id = make_district(service, years={2024: (800, 200)})
    text = all_text(pdf_of(district_sheet_data(service, district_id, ISSUED)))
    assert "25.0%" in text
    assert "年度別の推移" not in text
    assert "高齢化率の推移" in text


def test_a_long_history_still_fits_on_one_page(service: DistrictService) -> None:
    years = {2005 + i: (2000 - i * 10, 400 + i * 12) for i in range(20)}
    district_id = make_district(service, years=years)
    data = district_sheet_data(service, district_id, ISSUED)
    council = data.council
    assert council is not None
    events = tuple(
        CouncilEvent(date(2000 + i, 4, 1), "準備中" if i % 2 else "設置済", f"第{i}回の記録")
        for i in range(30)
    )
    long_note = "地域の集いの場が少なく、移動手段の確保が課題。" * 60
    data = replace(
        data,
        detail=replace(data.detail, council=replace(council, events=events, note=long_note)),
    )
    reader = pdf_of(data)
    text = all_text(reader)
    assert len(reader.pages) == 1
    assert "直近 8 年度" in text
    assert "全文は地区台帳に記載" in text
    assert "ほかに古い記録 25 件" in text
    assert "令和6年度" in text  # the newest year is the one kept
    assert "平成29年度" in text and "平成28年度" not in text  # 2017 kept, 2016 dropped
    assert "第29回の記録" in text and "第24回の記録" not in text


def test_markup_characters_in_a_name_print_as_typed(service: DistrictService) -> None:
    district_id = make_district(service, name="A&B<東>", years={2024: (100, 30)})
    text = all_text(pdf_of(district_sheet_data(service, district_id, ISSUED)))
    assert "A&B<東>" in text


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (32.0, 23.0, "+9.0ポイント"),
        (20.04, 23.0, "−3.0ポイント"),
        (23.02, 23.0, "±0.0ポイント"),
        (None, 23.0, "—"),
        (23.0, None, "—"),
    ],
)
def test_point_difference(mine: float | None, theirs: float | None, expected: str) -> None:
    assert _points(mine, theirs) == expected


# --- the chart ------------------------------------------------------------------------------


def test_series_leaves_a_gap_for_an_unrecorded_year(service: DistrictService) -> None:
    district_id = make_district(service, years={2019: (1000, 250), 2021: (1000, 300)})
    series = ageing_rate_series(district_sheet_data(service, district_id, ISSUED))
    assert series.years == [2019, 2020, 2021]
    assert series.district == [25.0, None, 30.0]
    assert series.city == [25.0, None, 30.0]


def test_chart_plots_district_and_city_with_japanese_labels(service: DistrictService) -> None:
    district_id = make_district(service, years={2019: (1000, 250), 2021: (1000, 300)})
    make_district_in_same_block(service, "中居", {2021: (1000, 100)})
    data = district_sheet_data(service, district_id, ISSUED)
    fig = ageing_rate_figure(data)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"井野地区", "市全体"}
    district_y = list(lines["井野地区"].get_ydata())
    assert district_y[0] == 25.0 and math.isnan(district_y[1]) and district_y[2] == 30.0
    assert list(lines["市全体"].get_ydata())[2] == pytest.approx(20.0)
    # Colour and dash both differ, so the lines survive a black-and-white copy.
    assert lines["井野地区"].get_color() != lines["市全体"].get_color()
    assert lines["井野地区"].get_linestyle() != lines["市全体"].get_linestyle()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["R1", "R2", "R3"]
    assert ax.get_ylabel() == "高齢化率"
    assert "IPAexGothic" in ax.xaxis.label.get_fontname()
    png = figure_png(fig, dpi=60)  # a missing glyph would warn, and warnings fail the test
    assert png.startswith(b"\x89PNG")


def test_chart_without_data_says_so(service: DistrictService) -> None:
    district_id = make_district(service)
    fig = ageing_rate_figure(district_sheet_data(service, district_id, ISSUED))
    assert not fig.axes
    assert "高齢化率のデータがありません" in fig.texts[0].get_text()


def test_district_label_adds_chiku_once() -> None:
    assert district_label("中居") == "中居地区"
    assert district_label("中居地区") == "中居地区"
