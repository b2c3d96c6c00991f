"""事業計画と評価: a plan over several 年度, its medium-term goals, yearly targets (optionally
tied to an indicator with a target value) and a yearly evaluation of each goal (進捗度 A–E)."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shienapp.storage.models.base import Base, RecordMixin


class BusinessPlan(RecordMixin, Base):
    """事業計画（例: 令和6～8年度 生活支援体制整備事業計画）."""

    __tablename__ = "business_plans"

    title: Mapped[str] = mapped_column(String(200))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (CheckConstraint("first_year <= last_year", name="years_in_order"),)


class PlanGoal(RecordMixin, Base):
    """中長期目標, with the state it aims for (めざす状態)."""

    __tablename__ = "plan_goals"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("business_plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    aim: Mapped[str] = mapped_column(Text, default="")


class PlanTarget(RecordMixin, Base):
    """今年度の事業目標: a yearly target of a goal, tied to an indicator when it can be counted."""

    __tablename__ = "plan_targets"

    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_goals.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    indicator_key: Mapped[str] = mapped_column(String(40), default="")
    target_value: Mapped[float | None] = mapped_column(Float, default=None)


class GoalEvaluation(RecordMixin, Base):
    """One goal's evaluation for one 年度 (seed 004): 成果, 取組, 課題, 方向性, 進捗度."""

    __tablename__ = "goal_evaluations"

    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_goals.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1), default="")
    results: Mapped[str] = mapped_column(Text, default="")
    effective: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("grade IN ('', 'A', 'B', 'C', 'D', 'E')", name="grade_known"),
        Index(
            "uq_goal_evaluations_goal_year_alive",
            "goal_id",
            "fiscal_year",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )
