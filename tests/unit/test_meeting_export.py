"""Meetings out of the app: the Excel list with its 活動件数, the .ics calendar, the demo."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.errors import UserError
from shienapp.core.meeting_export import calendar_bytes, export_calendar, export_meetings
from shienapp.core.meetings import ActionInput, MeetingInput, MinutesInput

TODAY = date(2025, 3, 1)


@pytest.fixture
def council(ctx: AppContext) -> uuid.UUID:
    block, _ = ctx.districts.create_block("北部ブロック", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("井野", "いの", block.id, council=CouncilInput("設置済"))
    )
    return ctx.councils.list_councils()[0].id


def meeting(ctx: AppContext, council: uuid.UUID, held_on: date, **kw: object) -> uuid.UUID:
    meeting_id, _ = ctx.meetings.create_meeting(MeetingInput(council, held_on, **kw))  # type: ignore[arg-type]
    return meeting_id


def test_export_lists_meetings_and_counts_by_fiscal_year(
    ctx: AppContext, council: uuid.UUID, tmp_path: Path
) -> None:
    meeting(ctx, council, date(2025, 3, 31), status="開催済", venue="=HYPERLINK(1)")
    meeting(ctx, council, date(2025, 4, 1), status="開催済", kind="座談会")
    meeting(ctx, council, date(2025, 4, 20), status="開催済")
    meeting(ctx, council, date(2025, 5, 1), status="中止")
    path = tmp_path / "meetings.xlsx"

    assert export_meetings(ctx.meetings, path, fiscal_year=2025) == 3
    book = load_workbook(path)
    listing = book["会議一覧"]
    rows = list(listing.iter_rows(values_only=True))
    assert rows[0][:4] == ("年度", "開催日", "曜日", "開始")
    assert [r[0] for r in rows[1:]] == ["令和7年度"] * 3  # 3月31日 is in 令和6年度: left out
    assert rows[1][1] == datetime(2025, 4, 1) and rows[1][2] == "火"
    counts = list(book.worksheets[1].iter_rows(values_only=True))
    assert counts[0] == ("協議体", "地区", "定例会", "座談会", "合計")
    assert counts[1] == ("井野地区 第2層協議体", "井野", 1, 1, 2)
    assert counts[-1] == ("合計", None, 1, 1, 2)

    export_meetings(ctx.meetings, path)
    every = load_workbook(path)["会議一覧"]
    cells = [c for row in every.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    venues = [row[9] for row in every.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in venues


def test_calendar_holds_planned_meetings_in_japan_time(ctx: AppContext, council: uuid.UUID) -> None:
    from icalendar import Calendar

    held = meeting(ctx, council, date(2025, 2, 1), status="開催済")
    ctx.meetings.save_minutes(
        held,
        ctx.meetings.get_meeting(held).row.version,
        MinutesInput(actions=(ActionInput("チラシ作成", "山田"),)),
    )
    planned = meeting(
        ctx, council, date(2025, 3, 10), starts_at=time(14), ends_at=time(15, 30), venue="公民館"
    )
    undecided = meeting(ctx, council, date(2025, 4, 2))
    meeting(ctx, council, date(2025, 3, 12), status="中止")
    meeting(ctx, council, date(2025, 2, 20))  # planned, but already past

    calendar = Calendar.from_ical(calendar_bytes(ctx.meetings, today=TODAY))
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{planned}@shienapp", f"{undecided}@shienapp"}
    timed = events[f"{planned}@shienapp"]
    start = timed.decoded("dtstart")
    assert start == datetime(2025, 3, 10, 14, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert start.astimezone(ZoneInfo("UTC")).hour == 5
    assert timed.decoded("dtend") - start == timedelta(hours=1, minutes=30)
    assert str(timed["location"]) == "公民館"
    assert str(timed["summary"]) == "井野地区 第2層協議体 定例会"
    assert "チラシ作成（山田）" in str(timed["description"])
    all_day = events[f"{undecided}@shienapp"]
    assert all_day.decoded("dtstart") == date(2025, 4, 2)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_an_empty_calendar_is_refused_with_a_message(
    ctx: AppContext, council: uuid.UUID, tmp_path: Path
) -> None:
    meeting(ctx, council, date(2025, 2, 1), status="開催済")
    target = tmp_path / "none.ics"
    with pytest.raises(UserError, match=r"予定.*の会議がありません"):
        export_calendar(ctx.meetings, target, today=TODAY)
    assert not target.exists()


def test_demo_city_holds_about_300_meetings_a_year(ctx: AppContext) -> None:
    from shienapp.core.demo import build_demo

    summary, _ = build_demo(ctx.db, today=date(2026, 11, 22))
    assert summary.meetings is not None
    per_year: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    for (fy, _district, kind), n in ctx.meetings.held_counts().items():
        per_year[fy] += n
        if fy == 2025:
            kinds[kind] += n
    assert 250 <= per_year[2025] <= 350  # seed 000: 302 in a year across 39 districts
    assert per_year[2025] == max(per_year.values())
    assert kinds.most_common(1)[0][0] == "定例会" and len(kinds) >= 6
    tiers = {c.tier for c in ctx.councils.list_councils()}
    assert tiers == {"第1層", "第2層"}
    actions = ctx.meetings.open_actions()
    assert any(a.is_overdue(date(2026, 11, 22)) for a in actions)
    assert any(not a.is_overdue(date(2026, 11, 22)) for a in actions)
    planned = [m for m in ctx.meetings.list_meetings() if m.status == "予定"]
    assert planned and all(m.held_on >= date(2026, 11, 22) for m in planned)
    some = next(m for m in ctx.meetings.list_meetings() if m.status == "開催済")
    detail = ctx.meetings.get_meeting(some.id)
    assert detail.members and detail.agenda
    assert {a.status for a in detail.attendance} <= {"出席", "欠席", "代理", "オブザーバー"}
    assert any(m.role == "オブザーバー" for m in detail.members)  # the SC
