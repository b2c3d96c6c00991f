"""Plans, goals, targets tied to indicators, yearly evaluations, and the evaluation sheet."""

from __future__ import annotations

import uuid

import pytest
from pdfcheck import assert_japanese_font_only, read, texts

from shienapp.core.context import AppContext
from shienapp.core.districts import CouncilInput, DistrictInput
from shienapp.core.errors import UserError
from shienapp.core.evaluation import evaluation_sheet, prefilled_results
from shienapp.core.meetings import MeetingInput
from shienapp.core.plans import GRADES, EvaluationRow, TargetInput
from shienapp.reports.evaluation_sheet import render_evaluation_sheet


@pytest.fixture
def plan(ctx: AppContext) -> tuple[uuid.UUID, uuid.UUID]:
    from datetime import date

    block, _ = ctx.districts.create_block("北部", "ほくぶ")
    ctx.districts.create_district(
        DistrictInput("青葉", "あおば", block.id, council=CouncilInput("設置済", date(2019, 7, 1)))
    )
    council = ctx.councils.list_councils()[0].id
    for month in (5, 6, 7):
        ctx.meetings.create_meeting(MeetingInput(council, date(2024, month, 1), status="開催済"))
    plan_id, _ = ctx.plans.create_plan("生活支援体制整備事業計画", 2024, 2026)
    goal_id, _ = ctx.plans.add_goal(
        plan_id, "協議体を定期的に開催する", "すべての地区で定期的に開かれている"
    )
    ctx.plans.set_targets(
        goal_id, 2024,
        [TargetInput("協議体を年3回開く", "meetings_held", 3.0), TargetInput("広報紙で紹介する")],
    )  # fmt: skip
    return plan_id, goal_id


def test_targets_show_the_indicators_actual_values(ctx: AppContext, plan: tuple) -> None:
    [plan_row] = ctx.plans.list_plans()
    assert plan_row.period == "令和6～8年度" and plan_row.covers(2025) and not plan_row.covers(2027)
    sheet = evaluation_sheet(ctx, 2024)
    [goal] = sheet.goals
    held, plain = goal.targets
    assert (held.actual, held.achieved) == (3, True)
    assert held.line() == "協議体を年3回開く　目標 3／実績 3回（達成）"
    assert plain.line() == "広報紙で紹介する" and plain.achieved is None
    assert prefilled_results(goal).startswith("・協議体を年3回開く")
    assert goal.evaluation is None


def test_an_evaluation_is_kept_per_year_and_grades_are_checked(
    ctx: AppContext, plan: tuple
) -> None:
    _, goal_id = plan
    ctx.plans.evaluate(
        goal_id, 2024, EvaluationRow(2024, "C", "定例会が定着した", "定例会", "差がある", "出向く")
    )
    ctx.plans.evaluate(
        goal_id, 2024, EvaluationRow(2024, "B", "定例会が定着した", "定例会", "差がある", "出向く")
    )
    [goal] = ctx.plans.list_plans()[0].goals
    assert list(goal.evaluations) == [2024] and goal.evaluations[2024].grade == "B"
    with pytest.raises(UserError, match="進捗度「F」は選べません"):
        ctx.plans.evaluate(goal_id, 2024, EvaluationRow(2024, "F", "", "", "", ""))
    with pytest.raises(UserError, match="計画の期間の外"):
        ctx.plans.set_targets(goal_id, 2030, [TargetInput("x")])
    with pytest.raises(UserError, match="目標値は、指標を選んだときだけ"):
        ctx.plans.set_targets(goal_id, 2024, [TargetInput("x", "", 3.0)])
    with pytest.raises(UserError, match="10年以内"):
        ctx.plans.create_plan("長すぎる計画", 2024, 2040)


def test_the_evaluation_sheet_prints_the_grade_and_its_definitions(
    ctx: AppContext, plan: tuple
) -> None:
    _, goal_id = plan
    ctx.plans.evaluate(
        goal_id,
        2024,
        EvaluationRow(2024, "C", "定例会が定着した", "定例会", "地区に差がある", "出向く"),
    )
    reader = read(render_evaluation_sheet(evaluation_sheet(ctx, 2024)))
    assert_japanese_font_only(reader)
    text = "".join(texts(reader)).replace(" ", "").replace("\n", "")
    assert "令和6年度事業評価シート" in text and "進捗度" in text
    assert "C" in text.split("進捗度", 2)[2][:20]  # the grade sits beside 進捗度
    for letter, meaning in GRADES.items():
        assert f"{letter}：{meaning}".replace(" ", "") in text
    assert "定例会が定着した" in text and "目標3／実績3回（達成）" in text


def test_a_year_without_a_plan_says_what_to_do(ctx: AppContext) -> None:
    with pytest.raises(UserError, match="事業計画がありません"):
        evaluation_sheet(ctx, 2024)


def test_a_plan_can_be_renamed_and_a_goal_deleted_with_its_rows(
    ctx: AppContext, plan: tuple
) -> None:
    plan_id, goal_id = plan
    ctx.plans.evaluate(goal_id, 2024, EvaluationRow(2024, "C", "", "", "", ""))
    ctx.plans.update_plan(plan_id, "第2期 事業計画", 2024, 2027)
    [row] = ctx.plans.list_plans()
    assert (row.title, row.period) == ("第2期 事業計画", "令和6～9年度")
    ctx.plans.delete_goal(goal_id)
    assert ctx.plans.list_plans()[0].goals == ()
    assert evaluation_sheet(ctx, 2024).goals == ()
    with pytest.raises(UserError, match="10年以内"):
        ctx.plans.update_plan(plan_id, "x", 2027, 2024)
