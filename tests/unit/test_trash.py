"""ごみ箱: what was deleted together comes back together; emptying erases but keeps the deletion."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.errors import UserError
from shienapp.core.meetings import MeetingInput
from shienapp.core.trash import ERASED


@pytest.fixture
def city(ctx: AppContext) -> AppContext:
    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    for name, reading in (("青葉", "あおば"), ("八幡", "やわた")):
        ctx.districts.create_district(
            DistrictInput(name, reading, block.id, council=CouncilInput("設置済", date(2019, 7, 1)))
        )
    return ctx


def _district(ctx: AppContext, name: str):  # type: ignore[no-untyped-def]
    return next(d for d in ctx.districts.list_districts() if d.name == name)


def test_a_deleted_district_comes_back_with_its_council(city: AppContext) -> None:
    aoba = _district(city, "青葉")
    city.districts.delete_district(aoba.id)
    (entry,) = city.trash.list()  # the council went with it and is listed under it
    assert (entry.kind, entry.label, entry.children) == ("地区", "青葉", 1)
    assert city.trash.find(entry.id.hex[:8]) == entry
    city.trash.restore(entry.table, entry.id)
    assert city.trash.list() == []
    assert sorted(d.name for d in city.districts.list_districts()) == ["八幡", "青葉"]
    council = next(c for c in city.councils.list_councils() if c.district_id == aoba.id)
    assert council.name.startswith("青葉")


def test_a_deleted_meeting_comes_back_with_its_minutes(city: AppContext) -> None:
    council = next(c for c in city.councils.list_councils() if c.district_id is not None)
    meeting_id, _ = city.meetings.create_meeting(
        MeetingInput(council.id, date(2024, 5, 10), title="第1回", status="開催済")
    )
    record = city.meetings.get_meeting(meeting_id)
    city.meetings.delete_meeting(meeting_id, record.row.version)
    (entry,) = city.trash.list()
    assert entry.kind == "会議"
    city.trash.restore(entry.table, entry.id)
    assert city.meetings.get_meeting(meeting_id).row.title == "第1回"


def test_restore_is_refused_while_its_name_is_taken(
    city: AppContext,
) -> None:
    aoba = _district(city, "青葉")
    city.districts.delete_district(aoba.id)
    city.districts.create_district(DistrictInput("青葉", "あおば", _block_id(city)))
    (entry, *_rest) = [e for e in city.trash.list() if e.kind == "地区"]
    with pytest.raises(UserError, match="同じ内容の地区がすでにある"):
        city.trash.restore(entry.table, entry.id)
    assert [e.kind for e in city.trash.list()].count("地区") == 1  # nothing changed


def _block_id(ctx: AppContext):  # type: ignore[no-untyped-def]
    return ctx.districts.list_blocks()[0].id


def test_emptying_erases_content_but_keeps_the_deletion(city: AppContext, db_path: Path) -> None:
    import sqlite3

    aoba = _district(city, "青葉")
    city.districts.delete_district(aoba.id)
    erased = city.trash.empty()
    assert erased == 2  # the district and the council that went with it
    assert city.trash.list() == []
    with sqlite3.connect(db_path) as connection:
        name, note, deleted = connection.execute(
            "SELECT name, note, deleted_at FROM districts WHERE id = ?", (aoba.id.hex,)
        ).fetchone()
    assert (name, note) == (ERASED, "") and deleted is not None
    with pytest.raises(UserError):
        city.trash.restore("districts", aoba.id)


def test_restore_is_refused_while_its_parent_is_in_the_trash(city: AppContext) -> None:
    block = city.districts.list_blocks()[0]
    yahata = _district(city, "八幡")
    city.districts.delete_district(yahata.id)
    for district in city.districts.list_districts():
        city.districts.delete_district(district.id)
    city.districts.delete_block(block.id)
    entry = next(e for e in city.trash.list() if e.label == "八幡")
    with pytest.raises(UserError, match="ブロック「北部」もごみ箱にあります"):
        city.trash.restore(entry.table, entry.id)
    block_entry = next(e for e in city.trash.list() if e.kind == "ブロック")
    city.trash.restore(block_entry.table, block_entry.id)
    city.trash.restore(entry.table, entry.id)
    assert "八幡" in [d.name for d in city.districts.list_districts()]
