"""Recording how a match turned out, and the need following it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from shienapp.core.context import AppContext
from shienapp.core.directory import PersonInput
from shienapp.core.errors import StaleEditError, UserError
from shienapp.core.matching import NeedInput
from shienapp.core.schedule import parse_slot


def _need_and_two_volunteers(ctx: AppContext) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    need_id, _ = ctx.matching.create_need(
        NeedInput(
            summary="ごみ出しを手伝ってほしい",
            received_on=date(2025, 5, 1),
            source="匿名",
            skill="ごみ出し",
            needed=(parse_slot("毎週木曜 8:00～9:00"),),
        )
    )
    a, _ = ctx.directory.create_person(
        PersonInput(name="青木 一郎", volunteer_status="活動中", skills=("ごみ出し",))
    )
    b, _ = ctx.directory.create_person(
        PersonInput(name="石川 和子", volunteer_status="活動中", skills=("ごみ出し",))
    )
    return need_id, a, b


def test_matches_of_a_need_are_listed_with_their_partner(ctx: AppContext) -> None:
    need_id, a, _ = _need_and_two_volunteers(ctx)
    ctx.matching.record_match(need_id, person_id=a, matched_on=date(2025, 5, 3))
    [row] = ctx.matching.list_matches(need_id)
    assert (row.partner_name, row.kind_label, row.status) == ("青木 一郎", "担い手", "調整中")
    assert row.slot is not None and row.slot.describe() == "毎週 木曜 08:00～09:00"
    assert ctx.matching.get_need(need_id).status == "調整中"


def test_a_match_that_holds_marks_the_need_matched_and_its_end_closes_it(
    ctx: AppContext,
) -> None:
    need_id, a, _ = _need_and_two_volunteers(ctx)
    match_id, _ = ctx.matching.record_match(need_id, person_id=a)
    ctx.matching.update_match(match_id, 1, "成立", "毎週木曜に訪問")
    assert ctx.matching.get_need(need_id).status == "マッチ済"
    [row] = ctx.matching.list_matches(need_id)
    ctx.matching.update_match(match_id, row.version, "終了", "転居のため終了")
    assert ctx.matching.get_need(need_id).status == "終了"
    assert ctx.matching.list_matches(need_id)[0].outcome == "転居のため終了"


def test_a_failed_match_sends_the_need_back_unless_another_is_active(ctx: AppContext) -> None:
    need_id, a, b = _need_and_two_volunteers(ctx)
    first, _ = ctx.matching.record_match(need_id, person_id=a, matched_on=date(2025, 5, 3))
    second, _ = ctx.matching.record_match(need_id, person_id=b, matched_on=date(2025, 5, 4))
    ctx.matching.update_match(first, 1, "不成立", "時間が合わなかった")
    assert ctx.matching.get_need(need_id).status == "調整中"
    ctx.matching.update_match(second, 1, "成立", "")
    assert ctx.matching.get_need(need_id).status == "マッチ済"
    # The failed volunteer is no longer booked at that time; the active one is.
    booked = ctx.matching.booked_slots()
    assert b in booked and a not in booked


def test_a_stale_or_bad_outcome_is_refused_and_nothing_changes(ctx: AppContext) -> None:
    need_id, a, _ = _need_and_two_volunteers(ctx)
    match_id, _ = ctx.matching.record_match(need_id, person_id=a)
    ctx.matching.update_match(match_id, 1, "成立", "")
    with pytest.raises(StaleEditError):
        ctx.matching.update_match(match_id, 1, "終了", "古い画面から")
    with pytest.raises(UserError, match="選べません"):
        ctx.matching.update_match(match_id, 2, "保留", "")
    [row] = ctx.matching.list_matches(need_id)
    assert (row.status, row.outcome) == ("成立", "")


def test_unmet_needs_count_a_need_for_a_hand_by_its_skill(ctx: AppContext) -> None:
    _need_and_two_volunteers(ctx)
    [unmet] = ctx.matching.unmet_counts()
    assert (unmet.district_name, unmet.category, unmet.count) == ("（地区なし）", "ごみ出し", 1)
