"""Indicators and chart data on a small hand-built city with known answers."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from shienapp.core.chart_data import CHARTS, chart
from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput, ResourceInput
from shienapp.core.districts import CouncilInput, DistrictInput, StatisticsInput
from shienapp.core.errors import UserError
from shienapp.core.indicators import compute
from shienapp.core.matching import NeedInput
from shienapp.core.meetings import MeetingInput


@pytest.fixture
def city(ctx: AppContext) -> dict[str, uuid.UUID]:
    """Four districts: two set up before 年度 2024, one set up in it, one not at all."""
    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    ids: dict[str, uuid.UUID] = {}
    for name, reading, council in (
        ("青葉", "あおば", CouncilInput("設置済", date(2019, 7, 1))),
        ("北山", "きたやま", CouncilInput("休止", date(2020, 5, 1))),
        ("中居", "なかい", CouncilInput("設置済", date(2024, 4, 1))),  # 年度 2024's first day
        ("八幡", "やわた", CouncilInput("準備中")),
    ):
        ids[name], _ = ctx.districts.create_district(
            DistrictInput(name, reading, block.id, council=council)
        )
    for name, total, old in (("青葉", 1000, 300), ("北山", 3000, 600)):
        ctx.districts.set_statistics(ids[name], StatisticsInput(2024, total, old))
    councils = {c.district_id: c.id for c in ctx.councils.list_councils()}
    meetings = ctx.meetings
    for held_on, status in (
        (date(2024, 3, 31), "開催済"),  # 年度 2023
        (date(2024, 4, 1), "開催済"),  # 年度 2024
        (date(2025, 3, 31), "開催済"),  # 年度 2024
        (date(2025, 4, 1), "開催済"),  # 年度 2025
        (date(2024, 6, 1), "中止"),
    ):
        meetings.create_meeting(MeetingInput(councils[ids["青葉"]], held_on, status=status))
    gone, _ = meetings.create_meeting(
        MeetingInput(councils[ids["北山"]], date(2024, 9, 1), status="開催済")
    )
    meetings.delete_meeting(gone, 1)  # soft-deleted: never counted
    meetings.create_meeting(MeetingInput(councils[ids["北山"]], date(2024, 10, 1), status="開催済"))
    d = ctx.directory
    d.create_resource(
        ResourceInput(
            name="青葉サロン",
            category="居場所・サロン",
            district_id=ids["青葉"],
            started_on=date(2024, 5, 1),
        )
    )
    d.create_resource(
        ResourceInput(
            name="北山見守り",
            category="見守り",
            district_id=ids["北山"],
            started_on=date(2023, 5, 1),
        )
    )
    d.create_resource(
        ResourceInput(name="旧体操", category="介護予防", district_id=ids["北山"], status="終了")
    )
    course = "傾聴ボランティア講座"
    d.create_person(PersonInput(name="担い手 一", volunteer_status="活動中",
                                trainings=((course, date(2025, 3, 31)),)))  # fmt: skip
    d.create_person(PersonInput(name="担い手 二", volunteer_status="休止",
                                trainings=((course, date(2025, 4, 1)),)))  # fmt: skip
    for received, status in (
        (date(2024, 4, 1), "マッチ済"),
        (date(2025, 3, 31), "受付"),
        (date(2025, 4, 1), "終了"),
    ):
        ctx.matching.create_need(NeedInput("困りごと", received, source="匿名", status=status))
    return ids


def test_the_indicators_of_a_year(ctx: AppContext, city: dict[str, uuid.UUID]) -> None:
    result = compute(ctx, 2024)
    assert result.get("councils_set_up").text == "3／4（75.0%）"
    assert "休止中も設置済" in result.get("councils_set_up").note
    assert result.get("councils_new").value == 1  # 中居, set up on 1 April 2024
    assert result.get("meetings_held").value == 3  # 1 Apr 2024, 31 Mar 2025, 北山's October
    assert "中止 1 回" in result.get("meetings_held").note
    assert result.get("resources_running").value == 2
    assert result.get("resources_new").value == 1
    assert result.get("volunteers_active").value == 1
    assert result.get("volunteers_trained").value == 1  # 31 March counts, 1 April does not
    assert result.get("needs_received").value == 2
    assert result.get("needs_met").text == "1件（50.0%）"
    assert result.get("city_ageing_rate").text == "22.5%"  # 900 / 4000, weighted by population
    by_name = {d.name: d for d in result.districts}
    assert by_name["青葉"].meetings_held == 2 and by_name["北山"].meetings_held == 1
    assert by_name["青葉"].ageing_rate == pytest.approx(30.0)
    assert compute(ctx, 2023).get("meetings_held").value == 1
    assert compute(ctx, 2023).get("councils_set_up").text == "2／4（50.0%）"


def test_indicators_keep_the_records_behind_them(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    result = compute(ctx, 2024)
    assert {r.label for r in result.get("councils_set_up").records} == {"青葉", "北山", "中居"}
    assert all(r.kind == "meeting" for r in result.get("meetings_held").records)
    assert result.as_dict()["indicators"]["meetings_held"]["value"] == 3


def test_chart_data(ctx: AppContext, city: dict[str, uuid.UUID]) -> None:
    setup = chart("setup").build(ctx, 2024)
    assert dict(zip(setup.categories, setup.series[0][1], strict=True))["R6"] == 3
    assert dict(zip(setup.categories, setup.series[0][1], strict=True))["R5"] == 2
    assert setup.reference == ("地区数", 4.0)
    per_district = chart("meetings-district").build(ctx, 2024)
    assert per_district.categories[:2] == ("青葉", "北山")
    assert per_district.series[0][1][:2] == (2.0, 1.0)
    assert per_district.reference == ("市の平均", 0.8)
    kinds = chart("meetings-kind").build(ctx, 2024)
    assert kinds.categories[-2:] == ("R5", "R6")
    assert dict(kinds.series)["定例会"][-2:] == (1.0, 3.0)
    ageing = chart("ageing-district").build(ctx, 2024)
    assert ageing.categories == ("青葉", "北山") and ageing.reference == ("市全体", 22.5)
    needs = chart("needs").build(ctx, 2024)
    assert dict(needs.series)["つながった"][-1] == 1.0
    assert dict(needs.series)["未対応・対応不可"][-1] == 1.0
    headers, rows = setup.table()
    assert headers == ["", "設置済の地区（年度末）"] and rows[-1] == ["地区数", 4.0]


def test_every_chart_draws_with_japanese_and_hatching(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from shienapp.charts.dashboard import figure, save

    for spec in CHARTS:
        data = spec.build(ctx, 2024)
        fig = figure(data)
        ax = fig.axes[0]
        assert ax.get_title() == data.title
        bars = [p for p in ax.patches if p.get_width() or p.get_height()]
        if len(data.series) > 1 and data.kind != "line":
            hatches = {p.get_hatch() or "" for p in bars}
            assert len(hatches) >= min(2, len(data.series))  # black and white still tells apart
    save(chart("setup").build(ctx, 2024), tmp_path / "setup.svg")
    assert "設置済の地区" in (tmp_path / "setup.svg").read_text("utf-8")  # text stays text


def test_an_unknown_chart_is_refused() -> None:
    with pytest.raises(UserError, match="グラフ「pie」はありません"):
        chart("pie")
