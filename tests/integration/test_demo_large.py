"""The large demo city (``shienapp demo --scale large``), built here at 1 % of its size: the
full city takes about half a minute and is measured by hand, not in the default run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, func, select, text

from shienapp.cli import build_parser
from shienapp.core import demo_large
from shienapp.core.context import AppContext
from shienapp.core.demo_large import LargeDemoSummary, build_large_demo, scaled
from shienapp.core.errors import UserError
from shienapp.core.text import is_reading, reading_sort_key
from shienapp.storage.models import Base, Person

SCALE = 0.01
TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, LargeDemoSummary]]:
    path = tmp_path_factory.mktemp("large") / "large.sqlite3"
    ctx = AppContext.open(path)
    steps: list[str] = []
    try:
        summary = build_large_demo(ctx.db, steps.append, scale=SCALE, today=TODAY)
    finally:
        ctx.close()
    assert steps and all(step.endswith("…") for step in steps)
    yield path, summary


@pytest.fixture
def opened(built: tuple[Path, LargeDemoSummary]) -> Iterator[AppContext]:
    ctx = AppContext.open(built[0])
    yield ctx
    ctx.close()


def test_counts_are_the_full_city_scaled(built: tuple[Path, LargeDemoSummary]) -> None:
    _, summary = built
    assert summary["blocks"] == scaled(demo_large.BLOCKS, SCALE)
    assert summary["districts"] == scaled(demo_large.DISTRICTS, SCALE) == 3
    assert summary["people"] == scaled(demo_large.PEOPLE, SCALE) == 500
    assert summary.volunteers == scaled(demo_large.VOLUNTEERS, SCALE) == 50
    assert summary["resources"] == scaled(demo_large.RESOURCES, SCALE) == 50
    assert summary["meetings"] == scaled(demo_large.MEETINGS, SCALE) == 300
    assert summary["network_maps"] == scaled(demo_large.MAPS, SCALE) == 1
    assert summary["district_statistics"] == 3 * demo_large.YEARS
    # About ten lines on the sign-in sheet of each meeting (300,000 for 30,000 at full size).
    assert 8 * 300 <= summary["attendances"] <= 12 * 300
    for table in ("agenda_items", "decisions", "action_items", "council_members"):
        assert summary[table] > 0, table
    assert summary["network_nodes"] > 0 and summary["network_edges"] >= summary["network_nodes"] / 2
    assert "大規模デモの架空の市" in summary.summary()
    assert "人 500 人（担い手 50）" in summary.summary()
    assert "会議 300 回" in summary.summary()


def test_the_database_passes_its_own_checks(built: tuple[Path, LargeDemoSummary]) -> None:
    connection = sqlite3.connect(built[0])
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


def test_every_check_constraint_holds(opened: AppContext) -> None:
    checked = 0
    with opened.db.read() as s:
        s.info["system"] = True
        for table in Base.metadata.sorted_tables:
            for constraint in table.constraints:
                if isinstance(constraint, CheckConstraint):
                    where = f"NOT ({constraint.sqltext})"
                    bad = s.scalar(text(f'SELECT count(*) FROM "{table.name}" WHERE {where}'))
                    assert bad == 0, f"{table.name}: {constraint.sqltext}"
                    checked += 1
            # No record is left without what the ORM would have given it.
            if {"id", "created_at", "updated_at", "version", "deleted_at"} <= set(table.c.keys()):
                missing = s.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(
                        (table.c.created_at.is_(None))
                        | (table.c.updated_at.is_(None))
                        | (table.c.version != 1)
                        | (table.c.deleted_at.is_not(None))
                    )
                )
                assert missing == 0, table.name
    assert checked > 20


def test_the_services_read_it_sorted_by_reading(opened: AppContext) -> None:
    districts = opened.districts.list_districts()
    assert len(districts) == 3
    assert all(is_reading(d.reading) for d in districts)
    assert [d.sort_key for d in districts] == sorted(d.sort_key for d in districts)
    people = opened.directory.list_people()
    assert len(people) == 500
    assert all(is_reading(p.reading) for p in people)
    keys = [reading_sort_key(p.reading, p.name) for p in people]
    assert keys == sorted(keys)
    assert len(opened.directory.list_people(volunteers_only=True)) == 50
    assert len(opened.directory.list_resources()) == 50
    meetings = opened.meetings.list_meetings()
    assert len(meetings) == 300
    held = [m.held_on for m in meetings]
    assert held == sorted(held, reverse=True)


def test_one_line_in_the_audit_trail(opened: AppContext) -> None:
    lines = opened.audit.list()
    assert len(lines) == 1
    assert lines[0].action == "作成" and "大規模デモ" in lines[0].label
    assert opened.audit.verify() == []


def test_same_seed_same_city(built: tuple[Path, LargeDemoSummary], tmp_path: Path) -> None:
    again = AppContext.open(tmp_path / "again.sqlite3")
    first = AppContext.open(built[0])
    try:
        build_large_demo(again.db, scale=SCALE, today=TODAY)
        names = select(Person.id, Person.name, Person.reading).order_by(Person.id)
        with again.db.read() as a, first.db.read() as b:
            assert list(a.execute(names)) == list(b.execute(names))
    finally:
        again.close()
        first.close()


def test_refused_on_a_database_that_has_districts(opened: AppContext) -> None:
    with pytest.raises(UserError, match="空のデータベースにだけ"):
        build_large_demo(opened.db, scale=SCALE, today=TODAY)


def test_the_command_has_a_scale_option() -> None:
    parser = build_parser()
    args = parser.parse_args(["demo", "--scale", "large", "--db", "x.sqlite3"])
    assert args.scale == "large" and args.handler.__name__ == "cmd_demo"
    assert parser.parse_args(["demo", "--db", "x.sqlite3"]).scale == "standard"
    with pytest.raises(SystemExit):
        parser.parse_args(["demo", "--scale", "huge"])
