"""Meetings out of the app: an Excel list with the 活動件数 per council, and an .ics calendar.

The Excel file is what the office pastes into the yearly report (seed 000: 「302回」); the
calendar lets a coordinator's phone or calendar program show the planned meetings.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from shienapp.core.errors import UserError
from shienapp.core.jpdate import fiscal_year_label, weekday_ja
from shienapp.core.meetings import KINDS, MeetingRow, MeetingService
from shienapp.io.tabular import Sheet, write_xlsx

TIMEZONE = "Asia/Tokyo"
PRODID = "-//shienapp//会議予定//JA"

MEETING_HEADERS = (
    "年度",
    "開催日",
    "曜日",
    "開始",
    "終了",
    "協議体",
    "地区",
    "種類",
    "会議名",
    "会場",
    "状態",
    "出席者数",
)


def meeting_rows(service: MeetingService, fiscal_year: int | None = None) -> list[MeetingRow]:
    """Oldest first, as a yearly list is read."""
    return sorted(
        service.list_meetings(fiscal_year=fiscal_year),
        key=lambda r: (r.held_on, r.starts_at or datetime.min.time(), r.council_name),
    )


def count_table(rows: list[MeetingRow]) -> tuple[list[str], list[list[object]]]:
    """Meetings held (開催済) per council × kind, with a total per council and per kind."""
    held = [r for r in rows if r.status == "開催済"]
    kinds = [k for k in KINDS if any(r.kind == k for r in held)]
    per: Counter[tuple[str, str, str]] = Counter()
    councils: dict[str, str] = {}
    for r in held:
        per[(r.council_name, r.district_name, r.kind)] += 1
        councils[r.council_name] = r.district_name
    headers = ["協議体", "地区", *kinds, "合計"]
    table: list[list[object]] = []
    for name, district in sorted(councils.items(), key=lambda kv: (kv[1], kv[0])):
        counts = [per[(name, district, k)] for k in kinds]
        table.append([name, district, *counts, sum(counts)])
    totals = [sum(per[(n, d, k)] for n, d in councils.items()) for k in kinds]
    table.append(["合計", "", *totals, sum(totals)])
    return headers, table


def export_meetings(service: MeetingService, path: Path, fiscal_year: int | None = None) -> int:
    """Write 会議一覧 and 集計 to ``path`` (.xlsx); returns the number of meetings written."""
    rows = meeting_rows(service, fiscal_year)
    listing = [
        [
            fiscal_year_label(r.fiscal_year),
            r.held_on,
            weekday_ja(r.held_on),
            f"{r.starts_at:%H:%M}" if r.starts_at else "",
            f"{r.ends_at:%H:%M}" if r.ends_at else "",
            r.council_name,
            r.district_name,
            r.kind,
            r.title,
            r.venue,
            r.status,
            r.present if r.status == "開催済" else "",
        ]
        for r in rows
    ]
    headers, counts = count_table(rows)
    scope = fiscal_year_label(fiscal_year) if fiscal_year else "全期間"
    write_xlsx(
        Path(path),
        [
            Sheet("会議一覧", MEETING_HEADERS, listing),
            Sheet(f"集計（{scope}・開催済）", headers, counts),
        ],
    )
    return len(rows)


def calendar_bytes(service: MeetingService, *, today: date | None = None) -> bytes:
    """Planned meetings (予定) from today on, as an iCalendar file in Japan time."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    tz = ZoneInfo(TIMEZONE)
    today = today or date.today()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "協議体の会議予定")
    calendar.add("x-wr-timezone", TIMEZONE)
    stamp = datetime.now(tz).replace(microsecond=0)
    planned = [r for r in service.list_meetings() if r.status == "予定" and r.held_on >= today]
    for r in sorted(planned, key=lambda r: (r.held_on, r.starts_at or datetime.min.time())):
        event = Event()
        event.add("uid", f"{r.id}@shienapp")
        event.add("dtstamp", stamp)
        event.add("summary", f"{r.council_name} {r.title or r.kind}")
        if r.starts_at is None:
            event.add("dtstart", r.held_on)  # all day: the time is not decided yet
            event.add("dtend", r.held_on + timedelta(days=1))
        else:
            start = datetime.combine(r.held_on, r.starts_at, tz)
            end = (
                datetime.combine(r.held_on, r.ends_at, tz)
                if r.ends_at
                else start + timedelta(hours=2)
            )
            event.add("dtstart", start)
            event.add("dtend", end)
        if r.venue:
            event.add("location", r.venue)
        description = _description(service, r)
        if description:
            event.add("description", description)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _description(service: MeetingService, row: MeetingRow) -> str:
    detail = service.get_meeting(row.id)
    lines = [f"種類：{row.kind}"]
    if row.district_name:
        lines.append(f"地区：{row.district_name}")
    if detail.carried:
        lines.append("前回からの宿題：")
        lines.extend(f"・{a.text}" + (f"（{a.owner}）" if a.owner else "") for a in detail.carried)
    return "\n".join(lines)


def export_calendar(service: MeetingService, path: Path, *, today: date | None = None) -> int:
    """Write the planned meetings to ``path`` (.ics); returns how many there are."""
    from shienapp.core.files import write_bytes_atomically

    data = calendar_bytes(service, today=today)
    count = data.count(b"BEGIN:VEVENT")
    if count == 0:
        raise UserError(
            "予定（状態が「予定」で今日以降）の会議がありません。書き出すものがありません。"
        )
    write_bytes_atomically(Path(path), data)
    return count
