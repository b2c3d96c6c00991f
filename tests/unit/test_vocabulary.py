"""The editable lists (分類, できること, 種別, 研修): built-in until edited, then the city's own."""

from __future__ import annotations

import pytest

from shienapp.core.context import AppContext
from shienapp.core.directory import (
    DEFAULT_CATEGORIES,
    DEFAULT_SKILLS,
    OrganisationInput,
    PersonInput,
    ResourceInput,
)
from shienapp.core.errors import UserError


def test_lists_start_with_the_built_in_words(ctx: AppContext) -> None:
    assert ctx.directory.terms("category") == list(DEFAULT_CATEGORIES)
    assert ctx.directory.terms("skill") == list(DEFAULT_SKILLS)


def test_an_edited_list_keeps_its_order_and_removals(ctx: AppContext) -> None:
    ctx.directory.set_terms("skill", ["見守り", "送迎", "将棋の相手"])
    assert ctx.directory.terms("skill") == ["見守り", "送迎", "将棋の相手"]
    ctx.directory.set_terms("skill", ["将棋の相手", "見守り"])
    assert ctx.directory.terms("skill") == ["将棋の相手", "見守り"]
    # A removed word can come back.
    ctx.directory.set_terms("skill", ["将棋の相手", "見守り", "送迎"])
    assert ctx.directory.terms("skill") == ["将棋の相手", "見守り", "送迎"]


@pytest.mark.parametrize(
    ("names", "message"),
    [([], "空にはできません"), (["送迎", "送迎"], "二度"), (["  ", ""], "空にはできません")],
)
def test_a_bad_list_is_refused_and_nothing_changes(
    ctx: AppContext, names: list[str], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        ctx.directory.set_terms("skill", names)
    assert ctx.directory.terms("skill") == list(DEFAULT_SKILLS)


def test_a_word_typed_into_a_record_joins_its_list(ctx: AppContext) -> None:
    ctx.directory.create_resource(ResourceInput(name="将棋クラブ", category="趣味の会"))
    ctx.directory.create_person(
        PersonInput(name="青木 一郎", volunteer_status="活動中", skills=("囲碁の相手",))
    )
    ctx.directory.create_organisation(OrganisationInput(name="みどり野大学", kind="大学"))
    assert ctx.directory.terms("category") == [*DEFAULT_CATEGORIES, "趣味の会"]
    assert ctx.directory.terms("skill")[-1] == "囲碁の相手"
    assert ctx.directory.terms("organisation_kind")[-1] == "大学"


def test_an_unknown_list_is_refused(ctx: AppContext) -> None:
    with pytest.raises(UserError, match="一覧"):
        ctx.directory.terms("colour")
