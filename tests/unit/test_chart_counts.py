"""The meeting charts count with the database (MeetingService.held_counts) and give what
counting the list's rows gave: every held meeting, in its 年度, district and kind."""

from __future__ import annotations

from collections import Counter
from datetime import date

from shienapp.core.chart_data import meetings_by_kind, meetings_per_district
from shienapp.core.context import AppContext
from shienapp.core.demo import build_demo
from shienapp.core.jpdate import fiscal_year_short


def _counted_from_rows(ctx: AppContext) -> Counter[tuple[int, str, str]]:
    return Counter(
        (m.fiscal_year, m.district_name, m.kind)
        for m in ctx.meetings.list_meetings()
        if m.status == "開催済"
    )


def test_held_counts_match_the_list(ctx: AppContext) -> None:
    build_demo(ctx.db, today=date(2025, 11, 20))
    counts = ctx.meetings.held_counts()
    assert counts == _counted_from_rows(ctx)
    assert sum(counts.values()) > 500  # the demo's held meetings, planned ones left out
    assert all(n > 0 for n in counts.values())

    # A cancelled meeting and a deleted one no longer count.
    row = next(m for m in ctx.meetings.list_meetings() if m.status == "開催済")
    key = (row.fiscal_year, row.district_name, row.kind)
    before = counts[key]
    ctx.meetings.delete_meeting(row.id, row.version)
    assert ctx.meetings.held_counts()[key] == before - 1


def test_the_meeting_charts_read_the_counts(ctx: AppContext) -> None:
    build_demo(ctx.db, today=date(2025, 11, 20))
    rows = _counted_from_rows(ctx)
    per_district = meetings_per_district(ctx, 2024)
    shown = dict(zip(per_district.categories, per_district.series[0][1], strict=True))
    expected_district: Counter[str] = Counter()
    for (year, district, _kind), n in rows.items():
        if year == 2024 and district:
            expected_district[district] += n
    assert {d: v for d, v in shown.items() if v} == {
        d: float(n) for d, n in expected_district.items()
    }
    assert len(shown) == len(ctx.districts.list_districts())  # districts with none show 0
    by_kind = meetings_by_kind(ctx, 2024)
    totals = {name: sum(series) for name, series in by_kind.series}
    expected: Counter[str] = Counter()
    for (year, _district, kind), n in rows.items():
        if fiscal_year_short(year) in by_kind.categories:
            expected[kind] += n
    assert expected and totals == {k: float(v) for k, v in expected.items()}


def test_the_resource_chart_counts_what_the_list_holds(ctx: AppContext) -> None:
    """DirectoryService.running_counts gives what counting the list's rows gave."""
    from shienapp.core.chart_data import resources_by_district

    build_demo(ctx.db, today=date(2025, 11, 20))
    listed = Counter(
        (r.district_name, r.category)
        for r in ctx.directory.list_resources()
        if r.status == "活動中" and r.district_name
    )
    assert ctx.directory.running_counts() == listed and sum(listed.values()) > 50
    chart = resources_by_district(ctx, 2025)
    shown = {
        (district, category): value
        for category, values in chart.series
        for district, value in zip(chart.categories, values, strict=True)
        if value
    }
    assert shown == {key: float(n) for key, n in listed.items()}
    totals = [sum(values[i] for _, values in chart.series) for i in range(len(chart.categories))]
    assert totals == sorted(totals, reverse=True)  # the most first

    # A resource that stops running leaves the count.
    resource = next(r for r in ctx.directory.list_resources() if r.status == "活動中")
    key = (resource.district_name, resource.category)
    with ctx.db.write() as s:
        from shienapp.storage.models import Resource

        row = s.get(Resource, resource.id)
        assert row is not None
        row.status = "休止"
    assert ctx.directory.running_counts()[key] == listed[key] - 1


def test_the_training_chart_reads_what_the_people_hold(ctx: AppContext) -> None:
    from shienapp.core.chart_data import YEARS_SHOWN, volunteers_and_trainings
    from shienapp.core.jpdate import fiscal_year_of

    build_demo(ctx.db, today=date(2025, 11, 20))
    from_people = sorted(
        (name, done)
        for person in ctx.directory.list_people(volunteers_only=True)
        for name, done in person.trainings
        if done is not None
    )
    assert sorted(ctx.directory.training_completions()) == from_people and from_people
    chart = volunteers_and_trainings(ctx, 2025)
    years = set(range(2025 - YEARS_SHOWN + 1, 2026))
    in_years = [done for _, done in from_people if fiscal_year_of(done) in years]
    assert in_years  # the demo's completions fall in the years the chart shows
    assert sum(sum(values) for _, values in chart.series) == len(in_years)
