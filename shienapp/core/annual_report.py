"""What the yearly report (取組状況報告, seed 000) says, gathered from the records of one 年度.

Sections as seed 000 has them: councils set up and not yet, activity counts, main activities,
voices of participants, support given. Voices are the words coordinators write in 「」 in the
minutes' notes, so nothing is typed twice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from shienapp.core.context import AppContext
from shienapp.core.indicators import Indicators, compute

VOICE_RE = re.compile(r"「([^「」]{6,120})」")
MAX_VOICES = 12
MAX_ACTIVITIES = 20
# 定例会 are the routine; the main activities are the meetings of other kinds.
ROUTINE = "定例会"


@dataclass(frozen=True, slots=True)
class AnnualReport:
    fiscal_year: int
    issued_on: date
    indicators: Indicators
    not_set_up: tuple[tuple[str, str], ...]  # (district, status)
    set_up_this_year: tuple[tuple[str, date], ...]
    meetings_by_kind: tuple[tuple[str, int], ...]
    main_activities: tuple[tuple[date, str, str, str], ...]  # date, council, kind, title
    voices: tuple[tuple[str, str], ...]  # (words, where: council and date)
    needs_by_category: tuple[tuple[str, int, int], ...]  # category, received, met
    new_resources: tuple[tuple[str, str, str], ...]  # name, category, district


def annual_report(ctx: AppContext, fiscal_year: int, issued_on: date | None = None) -> AnnualReport:
    from shienapp.core.jpdate import fiscal_year_range, format_wareki

    figures = compute(ctx, fiscal_year)
    start, end = fiscal_year_range(fiscal_year)
    set_up_keys = {r.id for r in figures.get("councils_set_up").records}
    districts = ctx.districts.list_districts()
    not_set_up = tuple((d.name, d.council_status) for d in districts if d.id not in set_up_keys)
    new = tuple(
        (d.name, d.established_on)
        for d in districts
        if d.established_on is not None and start <= d.established_on <= end and d.id in set_up_keys
    )
    held = [m for m in ctx.meetings.list_meetings(fiscal_year=fiscal_year) if m.status == "開催済"]
    notes_of_year = ctx.meetings.agenda_notes(fiscal_year)
    topics: dict[object, list[str]] = {}
    for meeting, title, _notes in notes_of_year:
        topics.setdefault(meeting.id, []).append(title)
    main = sorted(
        (
            (
                m.held_on,
                m.council_name,
                m.kind,
                "、".join(topics.get(m.id, [])[:2]) or m.title or m.kind,
            )
            for m in held
            if m.kind != ROUTINE
        ),
        key=lambda x: x[0],
    )
    # Spread over the year rather than the first weeks of April.
    step = max(1, len(main) // MAX_ACTIVITIES)
    main = main[::step][:MAX_ACTIVITIES]
    voices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for meeting, _title, notes in notes_of_year:
        for words in VOICE_RE.findall(notes or ""):
            if words not in seen:
                seen.add(words)
                voices.append(
                    (words, f"{meeting.council_name}（{format_wareki(meeting.held_on)}）")
                )
    needs = [n for n in ctx.matching.list_needs() if start <= n.received_on <= end]
    received = Counter(n.category or n.skill or "その他" for n in needs)
    met = Counter(
        n.category or n.skill or "その他" for n in needs if n.status in ("マッチ済", "終了")
    )
    started = [
        r
        for r in ctx.directory.list_resources()
        if r.started_on is not None and start <= r.started_on <= end
    ]
    return AnnualReport(
        fiscal_year=fiscal_year,
        issued_on=issued_on or date.today(),
        indicators=figures,
        not_set_up=not_set_up,
        set_up_this_year=new,  # type: ignore[arg-type]
        meetings_by_kind=tuple(sorted(figures.meetings_by_kind.items(), key=lambda kv: -kv[1])),
        main_activities=tuple(main),
        voices=tuple(voices[:MAX_VOICES]),
        needs_by_category=tuple((c, n, met.get(c, 0)) for c, n in received.most_common()),
        new_resources=tuple((r.name, r.category, r.district_name) for r in started),
    )
