"""The people and resource lists read a page at a time: filters, search (kana and width folded)
and 五十音順 done by the database over the stored keys, the same rows the whole lists give."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput, ResourceInput
from shienapp.core.districts import DistrictInput
from shienapp.core.paging import ListQuery
from shienapp.core.schedule import parse_slot
from shienapp.storage.models import Person, Resource

READINGS = (
    ("渡辺 陽子", "わたなべ ようこ"),
    ("青木 一郎", "あおき いちろう"),
    ("佐藤 花子", "サトウ ハナコ"),
    ("伊藤 健", "いとう けん"),
    ("山田 太郎", "やまだ たろう"),
    ("加藤 誠", "かとう まこと"),
    ("斉藤 真一", "さいとう しんいち"),
)


@pytest.fixture
def districts(ctx: AppContext) -> dict[str, uuid.UUID]:
    block, _ = ctx.districts.create_block("北部ブロック", "ほくぶ")
    out = {}
    for name, reading in (("中居", "なかい"), ("八幡", "やわた")):
        out[name], _ = ctx.districts.create_district(DistrictInput(name, reading, block.id))
    return out


def test_people_come_a_page_at_a_time_in_reading_order(
    ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    for i, (name, reading) in enumerate(READINGS):
        ctx.directory.create_person(
            PersonInput(
                name,
                reading,
                district_id=districts["中居"] if i % 2 else districts["八幡"],
                volunteer_status="活動中" if i < 3 else "",
                skills=("送迎",) if i < 3 else (),
            )
        )
    d = ctx.directory
    first = d.person_page(ListQuery(), 0, 3)
    assert len(first.rows) == 3 and first.total == 7 and first.everything == 7
    rest = d.person_page(ListQuery(), 3, 3).rows + d.person_page(ListQuery(), 6, 3).rows
    paged = [r.name for r in [*first.rows, *rest]]
    assert paged == [r.name for r in d.list_people()]
    assert paged[:3] == ["青木 一郎", "伊藤 健", "加藤 誠"]

    for text in ("ｻﾄｳ", "さとう", "サトウ", "さとう はなこ"):
        found = d.person_page(ListQuery(text=text), 0, 10)
        assert [r.name for r in found.rows] == ["佐藤 花子"], text
        assert found.total == 1 and found.everything == 7
    assert {r.name for r in d.person_page(ListQuery(text="やわた"), 0, 10).rows} == {
        name for i, (name, _r) in enumerate(READINGS) if i % 2 == 0
    }  # the district's reading
    helpers = d.person_page(ListQuery(filters={"volunteers": True}), 0, 10)
    assert [r.name for r in helpers.rows] == ["青木 一郎", "佐藤 花子", "渡辺 陽子"]
    assert d.person_page(ListQuery(text="送迎 ﾜﾀﾅﾍﾞ"), 0, 10).total == 1


def test_the_district_filter_takes_those_who_cover_it(
    ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    d = ctx.directory
    d.create_person(PersonInput("中居 住人", "なかい じゅうにん", district_id=districts["中居"]))
    d.create_person(
        PersonInput(
            "八幡 担い手",
            "やわた にないて",
            district_id=districts["八幡"],
            volunteer_status="活動中",
            covered_district_ids=(districts["中居"],),
        )
    )
    page = d.person_page(ListQuery(filters={"district": districts["中居"]}), 0, 10)
    assert [r.name for r in page.rows] == ["中居 住人", "八幡 担い手"]
    page = d.person_page(ListQuery(filters={"district": districts["八幡"]}), 0, 10)
    assert [r.name for r in page.rows] == ["八幡 担い手"]


def test_people_written_without_keys_are_found(ctx: AppContext) -> None:
    """Rows from a Core insert (the large demo, a sync) get their keys before a page."""
    person_id, _ = ctx.directory.create_person(PersonInput("ｻｻｷ 良子", "ささき りょうこ"))
    with ctx.db.write() as s:
        s.execute(update(Person).values(search_text=None, sort_key=None))
    page = ctx.directory.person_page(ListQuery(text="ササキ"), 0, 10)
    assert [r.id for r in page.rows] == [person_id]


def test_resources_by_category_then_reading_with_facet_filters(
    ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    d = ctx.directory
    for name, reading, category, targets, slot in (
        ("八幡カフェ", "やわたかふぇ", "居場所・サロン", ("高齢者",), "第2・第4木曜 10:00-12:00"),
        ("あおば食堂", "あおばしょくどう", "子ども食堂", ("子ども",), "毎週水曜 17:00-19:00"),
        ("中居サロン", "なかいさろん", "居場所・サロン", ("誰でも",), "毎週火曜 14:00-16:00"),
        ("見守り隊", "みまもりたい", "見守り", ("高齢者", "障がい者"), "毎週月曜 午前"),
        ("新しい会", "あたらしいかい", "多世代交流", (), "毎週火曜 午前"),
    ):
        d.create_resource(
            ResourceInput(
                name, reading, category, targets, districts["中居"], "", (parse_slot(slot),)
            )
        )
    everything = d.resource_page(ListQuery(), 0, None)
    assert [r.name for r in everything.rows] == [r.name for r in d.list_resources()]
    assert [r.name for r in everything.rows] == [
        "中居サロン",
        "八幡カフェ",
        "見守り隊",
        "あおば食堂",
        "新しい会",
    ]  # the category list's order (a new one joins it last), then 五十音順
    first = d.resource_page(ListQuery(), 0, 2)
    assert len(first.rows) == 2 and first.total == 5
    by_name = d.resource_page(ListQuery(sort="name"), 0, 10)
    assert [r.name for r in by_name.rows][:2] == ["あおば食堂", "新しい会"]

    def names(**filters: object) -> list[str]:
        return [r.name for r in d.resource_page(ListQuery(filters=filters), 0, 10).rows]

    assert names(target="障がい者") == ["中居サロン", "見守り隊"]  # 誰でも is for everyone
    assert names(weekday=1) == ["中居サロン", "新しい会"]  # 火曜
    assert names(weekday=3, category="居場所・サロン") == ["八幡カフェ"]
    for text in ("ｻﾛﾝ", "さろん"):
        found = d.resource_page(ListQuery(text=text), 0, 10)
        assert [r.name for r in found.rows] == ["中居サロン", "八幡カフェ"], text
    assert d.resource_categories()[-1] == "多世代交流"


def test_resources_written_without_keys_are_found(ctx: AppContext) -> None:
    resource_id, _ = ctx.directory.create_resource(
        ResourceInput("ｻﾛﾝ本町", "さろんほんまち", schedule=(parse_slot("毎週金曜 午後"),))
    )
    with ctx.db.write() as s:
        s.execute(update(Resource).values(search_text=None, sort_key=None, facets=None))
    page = ctx.directory.resource_page(ListQuery(text="サロン", filters={"weekday": 4}), 0, 10)
    assert [r.id for r in page.rows] == [resource_id]


def test_forms_and_candidates_read_their_own_people(
    ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    """Not the pages the list has read: every person for a form, the volunteers with a skill
    for the matching."""
    d = ctx.directory
    for i, (name, reading) in enumerate(READINGS):
        d.create_person(
            PersonInput(
                name,
                reading,
                district_id=districts["中居"] if i == 0 else None,
                volunteer_status=("活動中", "休止", "")[i % 3],
                skills=("送迎",) if i < 4 else ("買い物",),
            )
        )
    choices = d.person_choices()
    assert [c.name for c in choices] == [r.name for r in d.list_people()]
    assert [c.district_name for c in choices if c.district_name] == ["中居"]
    assert {c.name for c in choices if c.is_volunteer} == {
        r.name for r in d.list_people(volunteers_only=True)
    }
    assert [r.name for r in d.volunteers_for("送迎")] == ["伊藤 健", "渡辺 陽子"]
    assert [r.name for r in d.volunteers_for("買い物")] == ["斉藤 真一"]
    assert d.volunteers_for("") == []


def test_organisations_come_by_pages_in_reading_order(
    ctx: AppContext, districts: dict[str, uuid.UUID]
) -> None:
    from shienapp.core.directory import OrganisationInput

    d = ctx.directory
    for name, reading, kind in (
        ("八幡自治会", "やわたじちかい", "自治会"),
        ("ｻｻｴｱｲ NPO", "ささえあい", "NPO"),
        ("青葉社協", "あおばしゃきょう", "社協"),
    ):
        d.create_organisation(OrganisationInput(name, reading, kind, districts["八幡"]))
    first = d.organisation_page(ListQuery(), 0, 2)
    assert [o.name for o in first.rows] == ["青葉社協", "ｻｻｴｱｲ NPO"] and first.total == 3
    assert [o.name for o in d.organisation_page(ListQuery(), 2, 2).rows] == ["八幡自治会"]
    assert [o.name for o in d.organisation_page(ListQuery(text="ササエアイ"), 0, 9).rows] == [
        "ｻｻｴｱｲ NPO"
    ]
    assert d.organisation_page(ListQuery(text="やわた"), 0, 9).total == 3  # the district
