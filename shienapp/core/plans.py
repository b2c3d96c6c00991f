"""事業計画と評価: the plan (seed 001's 令和6～8年度), its goals and yearly targets, and each
goal's yearly evaluation with the 進捗度 of seed 004.

A target tied to an indicator shows the indicator's actual value beside its target value, so
the evaluation starts from the figures instead of from a blank page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shienapp.core.changes import Changes
from shienapp.core.errors import NotFoundError, UserError
from shienapp.core.jpdate import fiscal_year_label
from shienapp.storage.db import Database
from shienapp.storage.models import BusinessPlan, GoalEvaluation, PlanGoal, PlanTarget, utcnow

# Seed 004's 進捗度, with "4年後" made "計画の終わり" (plans run three or four years).
GRADES: dict[str, str] = {
    "A": "計画の終わりにめざす状態をすでに実現している",
    "B": "めざす状態の実現に向けて大変順調に進んでいる",
    "C": "めざす状態の実現に向けて概ね順調に進んでいる",
    "D": "めざす状態の実現には努力が必要である",
    "E": "めざす状態の実現には相当努力が必要である",
}
# Indicators a target can be tied to (keys of core/indicators.py) and their units.
TARGET_INDICATORS: dict[str, str] = {
    "councils_set_up": "第2層協議体の設置率（%）",
    "councils_new": "今年度に設置した協議体（地区）",
    "meetings_held": "協議体などの開催回数（回）",
    "attendance": "出席者 延べ（人）",
    "resources_running": "活動中の社会資源（件）",
    "resources_new": "今年度に始まった活動（件）",
    "volunteers_active": "活動中の担い手（人）",
    "volunteers_trained": "研修を修了した担い手（人）",
    "needs_received": "受け付けたニーズ（件）",
    "needs_met": "つながったニーズ（件）",
}


@dataclass(frozen=True, slots=True)
class TargetRow:
    id: uuid.UUID
    fiscal_year: int
    text: str
    indicator_key: str
    target_value: float | None


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    fiscal_year: int
    grade: str
    results: str
    effective: str
    issues: str
    next_steps: str


@dataclass(frozen=True, slots=True)
class GoalRow:
    id: uuid.UUID
    position: int
    title: str
    aim: str
    targets: tuple[TargetRow, ...]
    evaluations: dict[int, EvaluationRow]


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: uuid.UUID
    version: int
    title: str
    first_year: int
    last_year: int
    note: str
    goals: tuple[GoalRow, ...]

    @property
    def period(self) -> str:
        first = fiscal_year_label(self.first_year).removesuffix("年度")
        last = fiscal_year_label(self.last_year).removeprefix("令和").removeprefix("平成")
        return f"{first}～{last}"

    def covers(self, fiscal_year: int) -> bool:
        return self.first_year <= fiscal_year <= self.last_year


@dataclass(frozen=True, slots=True)
class TargetInput:
    text: str
    indicator_key: str = ""
    target_value: float | None = None


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise UserError(f"{what}を入力してください。")
    if len(value) > limit:
        raise UserError(f"{what}は {limit} 文字以内にしてください。")
    return value


class PlanService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list_plans(self) -> list[PlanRow]:
        with self._db.read() as s:
            plans = s.scalars(select(BusinessPlan).where(BusinessPlan.deleted_at.is_(None)))
            rows = [_plan_row(s, p) for p in plans]
        return sorted(rows, key=lambda p: -p.first_year)

    def plan_for(self, fiscal_year: int) -> PlanRow | None:
        """The plan whose period covers the 年度 (the newest if two overlap)."""
        return next((p for p in self.list_plans() if p.covers(fiscal_year)), None)

    def create_plan(
        self, title: str, first_year: int, last_year: int, note: str = ""
    ) -> tuple[uuid.UUID, Changes]:
        title = _text(title, "計画の名前", 200)
        if not 2000 <= first_year <= last_year <= first_year + 10:
            raise UserError(
                "計画の期間は、始まりの年度から終わりの年度まで（10年以内）にしてください。"
            )
        with self._db.write() as s:
            plan = BusinessPlan(title=title, first_year=first_year, last_year=last_year, note=note)
            s.add(plan)
            s.flush()
            return plan.id, Changes(statistics=True)

    def update_plan(
        self, plan_id: uuid.UUID, title: str, first_year: int, last_year: int
    ) -> Changes:
        title = _text(title, "計画の名前", 200)
        if not 2000 <= first_year <= last_year <= first_year + 10:
            raise UserError(
                "計画の期間は、始まりの年度から終わりの年度まで（10年以内）にしてください。"
            )
        with self._db.write() as s:
            plan = _get(s, BusinessPlan, plan_id, "計画")
            plan.title, plan.first_year, plan.last_year = title, first_year, last_year
        return Changes(statistics=True)

    def delete_goal(self, goal_id: uuid.UUID) -> Changes:
        """The goal goes with its targets and evaluations (soft-deleted, so a merge sees it)."""
        with self._db.write() as s:
            goal = _get(s, PlanGoal, goal_id, "目標")
            now = utcnow()
            for model in (PlanTarget, GoalEvaluation):
                for row in _alive(s, model, model.goal_id == goal_id):  # type: ignore[attr-defined]
                    row.deleted_at = now
            goal.deleted_at = now
        return Changes(statistics=True)

    def add_goal(self, plan_id: uuid.UUID, title: str, aim: str = "") -> tuple[uuid.UUID, Changes]:
        title = _text(title, "目標", 300)
        with self._db.write() as s:
            _get(s, BusinessPlan, plan_id, "計画")
            count = len(_alive(s, PlanGoal, PlanGoal.plan_id == plan_id))
            goal = PlanGoal(plan_id=plan_id, position=count, title=title, aim=aim.strip())
            s.add(goal)
            s.flush()
            return goal.id, Changes(statistics=True)

    def update_goal(self, goal_id: uuid.UUID, title: str, aim: str) -> Changes:
        title = _text(title, "目標", 300)
        with self._db.write() as s:
            goal = _get(s, PlanGoal, goal_id, "目標")
            goal.title, goal.aim = title, aim.strip()
        return Changes(statistics=True)

    def set_targets(
        self, goal_id: uuid.UUID, fiscal_year: int, targets: list[TargetInput]
    ) -> Changes:
        """Replace the goal's targets for one 年度 (in the order given)."""
        for t in targets:
            _text(t.text, "事業目標", 300)
            if t.indicator_key and t.indicator_key not in TARGET_INDICATORS:
                raise UserError(f"指標「{t.indicator_key}」はありません。")
            if t.target_value is not None and not t.indicator_key:
                raise UserError("目標値は、指標を選んだときだけ入力できます。")
        with self._db.write() as s:
            goal = _get(s, PlanGoal, goal_id, "目標")
            plan = _get(s, BusinessPlan, goal.plan_id, "計画")
            if not plan.first_year <= fiscal_year <= plan.last_year:
                raise UserError(f"{fiscal_year_label(fiscal_year)}は計画の期間の外です。")
            for old in _alive(
                s, PlanTarget, PlanTarget.goal_id == goal_id, PlanTarget.fiscal_year == fiscal_year
            ):
                old.deleted_at = utcnow()
            for position, t in enumerate(targets):
                s.add(
                    PlanTarget(
                        goal_id=goal_id, fiscal_year=fiscal_year, position=position,
                        text=t.text.strip(), indicator_key=t.indicator_key,
                        target_value=t.target_value,
                    )
                )  # fmt: skip
        return Changes(statistics=True)

    def evaluate(self, goal_id: uuid.UUID, fiscal_year: int, data: EvaluationRow) -> Changes:
        if data.grade not in ("", *GRADES):
            raise UserError(f"進捗度「{data.grade}」は選べません（A～E）。")
        for value, what in (
            (data.results, "得られた成果"),
            (data.effective, "効果のあった取組"),
            (data.issues, "解決すべき課題"),
            (data.next_steps, "今後の取組の方向性"),
        ):
            if len(value) > 5000:
                raise UserError(f"{what}は 5,000 文字以内にしてください。")
        with self._db.write() as s:
            _get(s, PlanGoal, goal_id, "目標")
            found = _alive(
                s,
                GoalEvaluation,
                GoalEvaluation.goal_id == goal_id,
                GoalEvaluation.fiscal_year == fiscal_year,
            )
            record = found[0] if found else GoalEvaluation(goal_id=goal_id, fiscal_year=fiscal_year)
            if not found:
                s.add(record)
            record.grade, record.results, record.effective = (
                data.grade,
                data.results,
                data.effective,
            )
            record.issues, record.next_steps = data.issues, data.next_steps
        return Changes(statistics=True)


def _alive(s: Session, model: type, *criteria: object) -> list:  # type: ignore[type-arg]
    return list(s.scalars(select(model).where(model.deleted_at.is_(None), *criteria)))  # type: ignore[attr-defined]


def _get(s: Session, model: type, record_id: uuid.UUID, label: str):  # type: ignore[no-untyped-def]
    record = s.get(model, record_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError(f"{label}が見つかりません（削除されたか、別の人が削除しました）。")
    return record


def _plan_row(s: Session, plan: BusinessPlan) -> PlanRow:
    goals = sorted(_alive(s, PlanGoal, PlanGoal.plan_id == plan.id), key=lambda g: g.position)
    rows = []
    for g in goals:
        targets = sorted(
            _alive(s, PlanTarget, PlanTarget.goal_id == g.id),
            key=lambda t: (t.fiscal_year, t.position),
        )
        evaluations = {
            e.fiscal_year: EvaluationRow(
                e.fiscal_year, e.grade, e.results, e.effective, e.issues, e.next_steps
            )
            for e in _alive(s, GoalEvaluation, GoalEvaluation.goal_id == g.id)
        }
        target_rows = tuple(
            TargetRow(t.id, t.fiscal_year, t.text, t.indicator_key, t.target_value) for t in targets
        )
        rows.append(GoalRow(g.id, g.position, g.title, g.aim, target_rows, evaluations))
    return PlanRow(
        plan.id, plan.version, plan.title, plan.first_year, plan.last_year, plan.note, tuple(rows)
    )
