"""Ranking the resources and 担い手 that fit a need, and counting the needs still open."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput, ResourceInput
from shienapp.core.districts import DistrictInput
from shienapp.core.matching import (
    PENALTY_DOUBLE_BOOKED,
    SCORE_CATEGORY,
    SCORE_DISTRICT,
    SCORE_SKILL,
    SCORE_TIME,
    Candidate,
    NeedInput,
)
from shienapp.core.schedule import parse_slot

SINCE = date(2025, 6, 1)
THURSDAY_MORNING = "毎週木曜 9:30～10:30"


@pytest.fixture
def places(ctx: AppContext) -> tuple[uuid.UUID, uuid.UUID]:
    """Two districts: 中居 (where the needs are) and 八幡 (elsewhere)."""
    block, _ = ctx.districts.create_block("東ブロック", "ひがし")
    home, _ = ctx.districts.create_district(DistrictInput("中居", "なかい", block.id))
    other, _ = ctx.districts.create_district(DistrictInput("八幡", "やわた", block.id))
    return home, other


def volunteer(
    ctx: AppContext,
    name: str,
    reading: str,
    *,
    skills: tuple[str, ...] = ("ごみ出し",),
    when: str = "",
    covers: uuid.UUID | None = None,
    lives: uuid.UUID | None = None,
    status: str = "活動中",
) -> uuid.UUID:
    person_id, _ = ctx.directory.create_person(
        PersonInput(
            name=name,
            reading=reading,
            volunteer_status=status,
            skills=skills,
            availability=(parse_slot(when),) if when else (),
            covered_district_ids=(covers,) if covers else (),
            district_id=lives,
        )
    )
    return person_id


def need(ctx: AppContext, district: uuid.UUID | None, when: str, **kw: str) -> uuid.UUID:
    data = NeedInput("手伝ってほしい", date(2025, 6, 1), "匿名", district_id=district)
    need_id, _ = ctx.matching.create_need(replace(data, needed=(parse_slot(when),), **kw))
    return need_id


def ranked(ctx: AppContext, need_id: uuid.UUID) -> list[Candidate]:
    return ctx.matching.candidates(
        need_id,
        ctx.directory.list_resources(),
        ctx.directory.list_people(volunteers_only=True),
        since=SINCE,
    )


def test_volunteers_rank_by_district_skill_and_time(
    ctx: AppContext, places: tuple[uuid.UUID, uuid.UUID]
) -> None:
    home, other = places
    volunteer(ctx, "渡辺 花子", "わたなべ はなこ", when="毎週木曜 午前", covers=home)
    volunteer(ctx, "井上 健", "いのうえ けん", when="毎週月曜 午前", lives=home)
    volunteer(ctx, "上田 清", "うえだ きよし", when="毎週木曜 午前", lives=other)
    volunteer(ctx, "阿部 次郎", "あべ じろう", lives=other)
    volunteer(ctx, "和田 勇", "わだ いさむ", when="毎週木曜 午前", lives=home, status="休止")
    volunteer(ctx, "秋山 修", "あきやま おさむ", skills=("買い物",), lives=home)
    found = ranked(ctx, need(ctx, home, THURSDAY_MORNING, skill="ごみ出し"))
    assert [c.name for c in found] == ["渡辺 花子", "井上 健", "上田 清", "阿部 次郎"]
    both = SCORE_DISTRICT + SCORE_SKILL
    assert [c.score for c in found] == [
        both + SCORE_TIME,
        both,
        SCORE_SKILL + SCORE_TIME,
        SCORE_SKILL,
    ]
    assert all(c.kind == "person" and not c.double_booked for c in found)
    assert found[0].reasons == (
        "担当地区に含まれる",
        "できること：ごみ出し",
        "活動できる日時が合う",
    )
    assert found[3].reasons == ("できること：ごみ出し",)


def test_ties_are_ordered_by_reading_not_by_code_point(
    ctx: AppContext, places: tuple[uuid.UUID, uuid.UUID]
) -> None:
    home, _ = places
    # 和 (U+548C) sorts before 阿 (U+963F) by code point; あべ comes before わだ in 五十音順.
    volunteer(ctx, "和田 勇", "わだ いさむ", lives=home)
    volunteer(ctx, "阿部 次郎", "あべ じろう", lives=home)
    volunteer(ctx, "加藤 明", "かとう あきら", lives=home)
    found = ranked(ctx, need(ctx, home, THURSDAY_MORNING, skill="ごみ出し"))
    assert [c.name for c in found] == ["阿部 次郎", "加藤 明", "和田 勇"]
    assert len({c.score for c in found}) == 1


def test_a_volunteer_booked_at_an_overlapping_time_is_flagged_and_ranked_lower(
    ctx: AppContext, places: tuple[uuid.UUID, uuid.UUID]
) -> None:
    home, _ = places
    busy = volunteer(ctx, "阿部 次郎", "あべ じろう", when="毎週木曜 午前", lives=home)
    elsewhere = volunteer(ctx, "加藤 明", "かとう あきら", when="毎週木曜 午前", lives=home)
    volunteer(ctx, "和田 勇", "わだ いさむ", when="毎週木曜 午前", lives=home)
    first = need(ctx, home, "毎週木曜 10:00～11:00", skill="ごみ出し")
    friday = need(ctx, home, "毎週金曜 10:00～11:00", skill="ごみ出し")
    ctx.matching.record_match(first, person_id=busy, matched_on=date(2025, 5, 1))
    ctx.matching.record_match(friday, person_id=elsewhere, matched_on=date(2025, 5, 1))
    found = ranked(ctx, need(ctx, home, THURSDAY_MORNING, skill="ごみ出し"))
    assert [(c.name, c.double_booked) for c in found] == [
        ("加藤 明", False),
        ("和田 勇", False),
        ("阿部 次郎", True),
    ]
    full = SCORE_DISTRICT + SCORE_SKILL + SCORE_TIME
    assert found[2].score == full - PENALTY_DOUBLE_BOOKED
    assert found[2].reasons[-1] == "同じ時間帯に別のマッチあり（重複）"
    # The need the volunteer is matched to does not count against them.
    own = ranked(ctx, first)
    assert [c.name for c in own if c.double_booked] == []
    assert own[0].name == "阿部 次郎" and own[0].score == full


def test_a_category_need_proposes_active_resources_of_that_category(
    ctx: AppContext, places: tuple[uuid.UUID, uuid.UUID]
) -> None:
    home, other = places

    def resource(name: str, reading: str, when: str, **kw: Any) -> None:
        kw.setdefault("category", "居場所・サロン")
        kw.setdefault("district_id", home)
        schedule = (parse_slot(when),) if when else ()
        ctx.directory.create_resource(ResourceInput(name, reading, schedule=schedule, **kw))

    resource("中居サロン", "なかいさろん", "毎週火曜 14:00～16:00")
    resource("本町カフェ", "ほんまちかふぇ", "毎週金曜 14:00～16:00")
    resource("八幡の家", "やわたのいえ", "毎週火曜 午後", district_id=other)
    resource("荒町サロン", "あらまちさろん", "", district_id=other)
    resource("休みのサロン", "やすみのさろん", "毎週火曜 午後", status="休止")
    resource("これからサロン", "これからさろん", "毎週火曜 午後", status="準備中")
    resource("見守り隊", "みまもりたい", "毎週火曜 午後", category="見守り")
    volunteer(ctx, "阿部 次郎", "あべ じろう", skills=("居場所・サロン",), lives=home)
    found = ranked(ctx, need(ctx, home, "毎週火曜 午後", category="居場所・サロン"))
    assert [c.name for c in found] == ["中居サロン", "本町カフェ", "八幡の家", "荒町サロン"]
    both = SCORE_DISTRICT + SCORE_CATEGORY
    assert [c.score for c in found] == [
        both + SCORE_TIME,
        both,
        SCORE_CATEGORY + SCORE_TIME,
        SCORE_CATEGORY,
    ]
    assert {c.kind_label for c in found} == {"活動・資源"}
    assert found[0].reasons == ("地区が同じ（中居）", "分類が同じ（居場所・サロン）", "日時が合う")


def test_a_skill_need_does_not_propose_resources(
    ctx: AppContext, places: tuple[uuid.UUID, uuid.UUID]
) -> None:
    home, _ = places
    ctx.directory.create_resource(
        ResourceInput("ごみ出し隊", category="ごみ出し", district_id=home)
    )
    volunteer(ctx, "阿部 次郎", "あべ じろう", lives=home)
    found = ranked(ctx, need(ctx, home, THURSDAY_MORNING, skill="ごみ出し"))
    assert [(c.kind, c.name) for c in found] == [("person", "阿部 次郎")]


def test_unmet_counts_by_district_and_category(
    ctx: AppContext, places: tuple[uuid.UUID, uuid.UUID]
) -> None:
    home, other = places
    need(ctx, home, THURSDAY_MORNING, skill="ごみ出し")
    need(ctx, home, "毎週月曜 午前", skill="ごみ出し")
    need(ctx, home, "毎週火曜 午後", category="居場所・サロン")
    need(ctx, other, "毎週金曜 午前", skill="買い物")
    need(ctx, None, "毎週金曜 午前", skill="送迎")
    need(ctx, other, "毎週金曜 午前", skill="買い物", status="終了")
    met = need(ctx, other, "毎週金曜 午前", skill="買い物")
    helper = volunteer(ctx, "阿部 次郎", "あべ じろう", skills=("買い物",))
    ctx.matching.record_match(met, person_id=helper, status="成立")
    counts = [(u.district_name, u.category, u.count) for u in ctx.matching.unmet_counts()]
    assert counts == [
        ("中居", "ごみ出し", 2),
        ("中居", "居場所・サロン", 1),
        ("八幡", "買い物", 1),
        ("（地区なし）", "送迎", 1),
    ]
