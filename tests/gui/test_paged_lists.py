"""Lists read a page at a time: the first page, the rest as the view asks, search and order
done by the database over the stored keys (kana and width folded, 五十音順)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.meetings import MeetingInput
from shienapp.core.paging import ListQuery
from shienapp.gui.meetings.model import (
    ID_ROLE,
    MeetingColumn,
    MeetingFilterProxy,
    MeetingTableModel,
)


@pytest.fixture
def council_id(ctx: AppContext) -> uuid.UUID:
    block, _ = ctx.districts.create_block("北部ブロック", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("青葉", "あおば", block.id, council=CouncilInput("設置済"))
    )
    return ctx.councils.list_councils()[0].id


def test_meetings_come_a_page_at_a_time_newest_first(
    ctx: AppContext, council_id: uuid.UUID, qtmodeltester: object
) -> None:
    first = date(2024, 4, 1)
    for day in range(7):
        venue = "ササエアイ集会所" if day == 3 else "公民館"
        ctx.meetings.create_meeting(
            MeetingInput(council_id, first + timedelta(days=day), venue=venue)
        )
    model = MeetingTableModel()
    model.page_size = 3
    model.set_source(ctx.meetings.meeting_page)
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(MeetingColumn.DATE, Qt.SortOrder.DescendingOrder)
    model.reload()
    assert model.rowCount() == 3 and model.total == 7 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 7 and not model.canFetchMore()
    held = [r.held_on for r in model.rows]
    assert held == sorted(held, reverse=True)
    qtmodeltester.check(model)  # type: ignore[attr-defined]

    proxy.set_filters(text="ｻｻｴｱｲ")  # half-width katakana, searched by the database
    assert model.total == 1 and proxy.rowCount() == 1
    assert proxy.index(0, MeetingColumn.VENUE).data() == "ササエアイ集会所"
    proxy.set_filters(text="あおば")  # also the council's district
    assert model.total == 7 and model.everything == 7

    proxy.set_filters(text="")
    proxy.sort(MeetingColumn.DATE, Qt.SortOrder.AscendingOrder)
    assert model.rows[0].held_on == first
    last = ctx.meetings.meeting_page(ListQuery(), 6, 3).rows[0]
    assert model.fetch_until(last.id) == 6
    assert proxy.index(6, 0).data(ID_ROLE) == last.id


def test_a_meeting_written_without_keys_is_found(ctx: AppContext, council_id: uuid.UUID) -> None:
    """Rows from a Core insert (the large demo, a sync) get their search words before a list."""
    from sqlalchemy import update

    from shienapp.storage.models import Meeting

    meeting_id, _ = ctx.meetings.create_meeting(
        MeetingInput(council_id, date(2025, 1, 1), venue="ささえあいセンター")
    )
    with ctx.db.write() as s:
        s.execute(update(Meeting).values(search_text=None, updated_at=Meeting.updated_at))
    page = ctx.meetings.meeting_page(ListQuery(text="ササエアイ"), 0, 10)
    assert [r.id for r in page.rows] == [meeting_id]


def test_people_and_resources_in_the_directory_tab_come_by_pages(
    ctx: AppContext, qtmodeltester: object
) -> None:
    from shienapp.core.directory import PersonInput, ResourceInput
    from shienapp.gui.directory.model import PersonTableModel, ResourceTableModel, SearchProxy

    for i, kana in enumerate("あいうえおかきく"):
        ctx.directory.create_person(PersonInput(f"住民 {i}", f"じゅうみん {kana}"))
    ctx.directory.create_person(PersonInput("佐々木 良子", "ササキ リョウコ"))
    model = PersonTableModel()
    model.page_size = 4
    proxy = SearchProxy()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    model.set_source(ctx.directory.person_page)
    model.reload()
    assert model.rowCount() == 4 and model.total == 9 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert [r.name for r in model.rows] == [p.name for p in ctx.directory.list_people()]
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    proxy.set_text("ｻｻｷ")  # half-width katakana, searched by the database
    assert model.total == 1 and model.everything == 9 and proxy.rowCount() == 1
    assert proxy.index(0, 0).data() == "佐々木 良子"
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, 0).data() == "佐々木 良子" and model.total == 1
    proxy.set_text("")
    everyone = [p.name for p in ctx.directory.list_people()]
    assert [r.name for r in model.rows] == everyone[::-1][:4]  # 五十音順, backwards

    for name in ("いこい", "ひだまり", "あおば"):
        ctx.directory.create_resource(ResourceInput(name, target_groups=("子ども",)))
    resources = ResourceTableModel()
    resources.page_size = 2
    resources.set_source(ctx.directory.resource_page)
    rproxy = SearchProxy()
    rproxy.setSourceModel(resources)
    rproxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [r.name for r in resources.rows] == ["あおば", "いこい"]
    last = ctx.directory.resource_page(resources.query, 2, 1).rows[0]
    assert resources.fetch_until(last.id) == 2
    rproxy.set_filter("target", "高齢者")
    assert resources.total == 0
    rproxy.set_filter("target", None)
    assert resources.total == 3
