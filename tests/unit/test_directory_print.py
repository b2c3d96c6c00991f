"""The directory on paper: the booklet by category, the resident-safe mode, timetable, roster."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pdfcheck import assert_japanese_font_only, read, texts

from shienapp.core import directory_print
from shienapp.core.context import AppContext
from shienapp.core.directory import (
    DEFAULT_CATEGORIES,
    OrganisationInput,
    PersonInput,
    ResourceInput,
)
from shienapp.core.districts import DistrictInput
from shienapp.core.errors import UserError
from shienapp.core.schedule import parse_slot
from shienapp.reports.directory import render_booklet, render_roster, render_timetable

ISSUED = date(2025, 6, 2)
KANA = "あいうえおかきくけこ"


def _joined(pdf: bytes) -> str:
    return "".join(texts(read(pdf))).replace(" ", "").replace("\n", "")


@pytest.fixture
def city(ctx: AppContext) -> dict[str, uuid.UUID]:
    ctx.districts.create_block("東ブロック", "ひがし")
    block = ctx.districts.list_blocks()[0].id
    nakai, _ = ctx.districts.create_district(DistrictInput("中居", "なかい", block))
    yawata, _ = ctx.districts.create_district(DistrictInput("八幡", "やわた", block))
    council, _ = ctx.directory.create_organisation(OrganisationInput(name="中居自治会"))
    leader, _ = ctx.directory.create_person(
        PersonInput(name="秘密 花子", reading="ひみつ はなこ", phone="099-111-2222")
    )
    helper, _ = ctx.directory.create_person(
        PersonInput(
            name="手伝 一郎",
            reading="てつだい いちろう",
            district_id=yawata,
            covered_district_ids=(nakai,),
            phone="099-333-4444",
            consent_on=date(2024, 4, 1),
            volunteer_status="活動中",
            skills=("送迎",),
            availability=(parse_slot("毎週火曜 午前"),),
        )
    )

    def resource(name: str, reading: str, category: str, district: uuid.UUID, **kw: object) -> None:
        ctx.directory.create_resource(
            ResourceInput(name=name, reading=reading, category=category, district_id=district,
                          **kw)  # type: ignore[arg-type]
        )  # fmt: skip

    # Created out of order: the booklet puts categories in the list's order, names 五十音順.
    resource("八幡子ども食堂", "やわたこどもしょくどう", "子ども食堂", yawata,
             schedule=(parse_slot("第2・第4土曜 11:00～14:00"),))  # fmt: skip
    resource(
        "中居いきいきサロン",
        "なかいいきいきさろん",
        "居場所・サロン",
        nakai,
        schedule=(parse_slot("毎週火曜 14:00～16:00"),),
        operator_id=council,
        contact_person_id=leader,
        helper_ids=(helper,),
        public_contact="社協 099-900-1234",
        fee="100円",
        capacity=20,
        note="鍵は会長宅",
    )
    resource("青空サロン", "あおぞらさろん", "居場所・サロン", yawata,
             schedule=(parse_slot("第3水曜 午後"),))  # fmt: skip
    resource("中居見守り隊", "なかいみまもりたい", "見守り", nakai, status="休止")
    resource("旧配食", "きゅうはいしょく", "配食", nakai, status="終了")
    return {"nakai": nakai, "yawata": yawata, "leader": leader, "helper": helper}


def test_the_booklet_lists_categories_in_the_list_order_and_names_by_reading(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    data = directory_print.booklet(ctx.directory, issued_on=ISSUED)
    assert [c for c, _ in data.sections] == ["居場所・サロン", "子ども食堂"]
    assert [e.name for e in data.sections[0][1]] == ["青空サロン", "中居いきいきサロン"]
    reader = read(render_booklet(data))
    assert_japanese_font_only(reader)
    text = "".join(texts(reader)).replace(" ", "").replace("\n", "")
    positions = [text.index(f"■{c}") for c in ("居場所・サロン", "子ども食堂")]
    assert positions == sorted(positions)
    assert DEFAULT_CATEGORIES.index("居場所・サロン") < DEFAULT_CATEGORIES.index("子ども食堂")
    assert text.index("青空サロン") < text.index("中居いきいきサロン")
    assert "令和7年6月2日発行" in text
    assert "第2・第4土曜11:00～14:00" in text
    assert "掲載3件" in text


def test_the_residents_booklet_leaves_out_private_people_but_keeps_the_public_contact(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    text = _joined(render_booklet(directory_print.booklet(ctx.directory, issued_on=ISSUED)))
    assert "社協099-900-1234" in text
    for private in ("秘密花子", "手伝一郎", "鍵は会長宅", "取扱注意"):
        assert private not in text
    # Resting and ended activities are not offered to residents.
    assert "中居見守り隊" not in text and "旧配食" not in text


def test_the_staff_booklet_names_the_people_and_is_marked_on_every_page(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    data = directory_print.booklet(ctx.directory, staff=True, district="中居", issued_on=ISSUED)
    assert data.scope == "中居地区"
    assert [c for c, _ in data.sections] == ["居場所・サロン", "見守り"]
    pages = texts(read(render_booklet(data)))
    assert all("取扱注意" in page for page in pages)
    text = "".join(pages).replace(" ", "").replace("\n", "")
    assert "担当:秘密花子" in text and "協力:手伝一郎" in text and "中居見守り隊（休止）" in text
    assert "八幡子ども食堂" not in text


def test_an_unknown_district_is_refused_in_japanese(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    with pytest.raises(UserError, match="地区「どこか」が見つかりません"):
        directory_print.booklet(ctx.directory, district="どこか")


def test_an_empty_booklet_says_so(ctx: AppContext) -> None:
    text = _joined(render_booklet(directory_print.booklet(ctx.directory, issued_on=ISSUED)))
    assert "掲載できる活動がありません" in text


def test_the_weekly_timetable_is_a4_landscape_with_each_activity_on_its_day(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    data = directory_print.weekly_timetable(ctx.directory, district="中居", issued_on=ISSUED)
    assert data.cells == {(1, "午後"): ["中居いきいきサロン 14:00～16:00"]}
    reader = read(render_timetable(data))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    assert_japanese_font_only(reader)
    assert "中居いきいきサロン" in _joined(render_timetable(data))


def test_a_crowded_timetable_continues_on_more_rows_instead_of_failing(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    for i in range(40):
        ctx.directory.create_resource(
            ResourceInput(name=f"体操教室{i}", category="介護予防", district_id=city["nakai"],
                          schedule=(parse_slot("毎週月曜 10:00～11:00"),))
        )  # fmt: skip
    data = directory_print.weekly_timetable(ctx.directory, issued_on=ISSUED)
    text = _joined(render_timetable(data))
    assert "午前（続き）" in text
    assert all(f"体操教室{i}10:00" in text for i in range(40))


def test_a_venue_timetable_and_an_unknown_venue(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    ctx.directory.create_resource(
        ResourceInput(name="公民館体操", category="介護予防", venue="中居公民館",
                      schedule=(parse_slot("毎週木曜 午前"),))
    )  # fmt: skip
    data = directory_print.weekly_timetable(ctx.directory, venue="中居公民館")
    assert data.scope == "会場：中居公民館" and data.count == 1
    with pytest.raises(UserError, match="会場「体育館」"):
        directory_print.weekly_timetable(ctx.directory, venue="体育館")


def test_the_roster_is_marked_on_every_page_and_flags_missing_consent(
    ctx: AppContext, city: dict[str, uuid.UUID]
) -> None:
    for i in range(60):
        ctx.directory.create_person(
            PersonInput(
                name=f"担い手{i:02d}",
                reading="にないて" + KANA[i // 10] + KANA[i % 10],
                phone="099-000-0000",
                volunteer_status="活動中",
                skills=("見守り",),
            )
        )
    data = directory_print.roster(ctx.directory, issued_on=ISSUED)
    assert len(data.volunteers) == 61
    pages = texts(read(render_roster(data)))
    assert len(pages) >= 2
    assert all("取扱注意" in page for page in pages)
    text = "".join(pages).replace(" ", "").replace("\n", "")
    assert "同意未確認60人" in text
    assert text.index("手伝一郎") < text.index("担い手00")  # て before に
    # A district's roster: who lives there or covers it.
    assert [v.name for v in directory_print.roster(ctx.directory, district="中居").volunteers] == [
        "手伝 一郎"
    ]
