"""The yearly evaluation sheet's content: each goal of the plan covering the 年度, its targets
with the indicators' actual values beside them, and the evaluation written for that year."""

from __future__ import annotations

from dataclasses import dataclass

from shienapp.core.context import AppContext
from shienapp.core.errors import UserError
from shienapp.core.indicators import compute
from shienapp.core.jpdate import fiscal_year_label
from shienapp.core.plans import EvaluationRow, GoalRow, PlanRow, TargetRow


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: TargetRow
    actual: float | None
    actual_text: str  # as the indicator prints it
    achieved: bool | None  # None when the target has no indicator or value

    def line(self) -> str:
        if not self.target.indicator_key:
            return self.target.text
        goal = f"目標 {self.target.target_value:g}" if self.target.target_value is not None else ""
        mark = {True: "（達成）", False: "（未達成）", None: ""}[self.achieved]
        return f"{self.target.text}　{goal}／実績 {self.actual_text}{mark}".replace("　／", "　")


@dataclass(frozen=True, slots=True)
class GoalSheet:
    goal: GoalRow
    targets: tuple[TargetResult, ...]
    evaluation: EvaluationRow | None


@dataclass(frozen=True, slots=True)
class EvaluationSheet:
    plan: PlanRow
    fiscal_year: int
    goals: tuple[GoalSheet, ...]


def evaluation_sheet(ctx: AppContext, fiscal_year: int) -> EvaluationSheet:
    plan = ctx.plans.plan_for(fiscal_year)
    if plan is None:
        raise UserError(
            f"{fiscal_year_label(fiscal_year)}を含む事業計画がありません。"
            "「集計・グラフ」の「事業計画と評価」で計画を作ってください。"
        )
    figures = compute(ctx, fiscal_year)
    goals = []
    for goal in plan.goals:
        results = []
        for target in (t for t in goal.targets if t.fiscal_year == fiscal_year):
            actual, text, achieved = None, "", None
            if target.indicator_key:
                indicator = figures.get(target.indicator_key)
                actual, text = indicator.value, indicator.text
                if target.target_value is not None and actual is not None:
                    achieved = actual >= target.target_value
            results.append(TargetResult(target, actual, text, achieved))
        goals.append(GoalSheet(goal, tuple(results), goal.evaluations.get(fiscal_year)))
    return EvaluationSheet(plan, fiscal_year, tuple(goals))


def prefilled_results(sheet: GoalSheet) -> str:
    """What the 成果 box starts with when nothing is written yet: the targets and their figures."""
    return "\n".join(f"・{t.line()}" for t in sheet.targets)
