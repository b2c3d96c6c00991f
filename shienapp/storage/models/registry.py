"""地区台帳: blocks, districts, their yearly statistics and their councils."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shienapp.storage.models.base import Base, RecordMixin

_ALIVE = text("deleted_at IS NULL")


class Block(RecordMixin, Base):
    """ブロック: a group of districts (seed 000: 39 districts in 5 blocks)."""

    __tablename__ = "blocks"

    name: Mapped[str] = mapped_column(String(100))
    reading: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    districts: Mapped[list[District]] = relationship(back_populates="block")

    __table_args__ = (
        Index(
            "uq_blocks_name_alive",
            "name",
            unique=True,
            sqlite_where=_ALIVE,
            postgresql_where=_ALIVE,
        ),
    )


class District(RecordMixin, Base):
    """地区: a 第2層 area, usually a 地区連合自治会圏域 or a junior-high-school area."""

    __tablename__ = "districts"

    block_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("blocks.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    name: Mapped[str] = mapped_column(String(100))
    reading: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    block: Mapped[Block] = relationship(back_populates="districts")
    statistics: Mapped[list[DistrictStatistics]] = relationship(back_populates="district")

    __table_args__ = (
        Index(
            "uq_districts_name_alive",
            "name",
            unique=True,
            sqlite_where=_ALIVE,
            postgresql_where=_ALIVE,
        ),
    )


class DistrictStatistics(RecordMixin, Base):
    """One 年度's population figures for a district. The ageing rate is computed, never stored."""

    __tablename__ = "district_statistics"

    district_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("districts.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date | None] = mapped_column(Date, default=None)
    total_population: Mapped[int] = mapped_column(Integer)
    population_65_plus: Mapped[int] = mapped_column(Integer)
    population_75_plus: Mapped[int | None] = mapped_column(Integer, default=None)
    households: Mapped[int | None] = mapped_column(Integer, default=None)
    elderly_single_households: Mapped[int | None] = mapped_column(Integer, default=None)

    district: Mapped[District] = relationship(back_populates="statistics")

    __table_args__ = (
        CheckConstraint("total_population >= 0", name="total_nonneg"),
        CheckConstraint(
            "population_65_plus >= 0 AND population_65_plus <= total_population", name="p65_range"
        ),
        CheckConstraint(
            "population_75_plus IS NULL OR "
            "(population_75_plus >= 0 AND population_75_plus <= population_65_plus)",
            name="p75_range",
        ),
        CheckConstraint("households IS NULL OR households >= 0", name="households_nonneg"),
        CheckConstraint(
            "elderly_single_households IS NULL OR elderly_single_households >= 0",
            name="single_nonneg",
        ),
        CheckConstraint("fiscal_year BETWEEN 1868 AND 2199", name="fy_range"),
        Index(
            "uq_district_statistics_year_alive",
            "district_id",
            "fiscal_year",
            unique=True,
            sqlite_where=_ALIVE,
            postgresql_where=_ALIVE,
        ),
    )


class Council(RecordMixin, Base):
    """協議体. In the registry: the 第2層協議体 of a district (one per district)."""

    __tablename__ = "councils"

    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("districts.id"), index=True)
    # A 部会 sits under another council.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("councils.id"), index=True, default=None
    )
    tier: Mapped[str] = mapped_column(String(20), default="第2層")
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="未設置")
    established_on: Mapped[date | None] = mapped_column(Date, default=None)
    coordinator_name: Mapped[str] = mapped_column(String(100), default="")
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    events: Mapped[list[CouncilStatusEvent]] = relationship(back_populates="council")

    __table_args__ = (
        CheckConstraint("status IN ('未設置', '準備中', '設置済', '休止')", name="status_known"),
        CheckConstraint(
            "tier IN ('第1層', '第2層', '地域支え合い協議体', '部会')", name="tier_known"
        ),
        CheckConstraint("tier <> '部会' OR parent_id IS NOT NULL", name="section_has_parent"),
    )


class CouncilStatusEvent(RecordMixin, Base):
    """One step in a council's history: 準備中 from, 設置 on, 休止 on …"""

    __tablename__ = "council_status_events"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")

    council: Mapped[Council] = relationship(back_populates="events")

    __table_args__ = (
        CheckConstraint("status IN ('未設置', '準備中', '設置済', '休止')", name="status_known"),
    )
