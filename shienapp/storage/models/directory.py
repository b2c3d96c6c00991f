"""担い手・社会資源: organisations, resources (activities), needs, matches and the editable lists.

People live in meetings.py (a person is one record whether they sit on a council, volunteer
or ask for help); the directory adds their contact, roles, consent and volunteer details there.
Lists that a city extends (categories, skills, kinds) are rows of ``vocabulary``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shienapp.storage.models.base import Base, RecordMixin


class VocabularyEntry(RecordMixin, Base):
    """One entry of an editable list: a resource category, a volunteer skill, an org kind…"""

    __tablename__ = "vocabulary"

    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index(
            "uq_vocabulary_kind_name_alive",
            "kind",
            "name",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )


class Organisation(RecordMixin, Base):
    """組織・団体: 社協, 地域包括支援センター, 自治会, NPO, 企業, 学校 …"""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))
    reading: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    district_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("districts.id"), index=True, default=None
    )
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Written by core.record_keys: 五十音順 and folded search words, for lists read by pages.
    sort_key: Mapped[str | None] = mapped_column(Text, default=None, index=True)
    search_text: Mapped[str | None] = mapped_column(Text, default=None)


class Resource(RecordMixin, Base):
    """社会資源・支え合い活動: a 居場所, a 見守り group, a 子ども食堂 … with its schedule."""

    __tablename__ = "resources"

    name: Mapped[str] = mapped_column(String(200))
    reading: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(60), default="")
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    district_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("districts.id"), index=True, default=None
    )
    venue: Mapped[str] = mapped_column(String(200), default="")
    # [{"rule": "FREQ=WEEKLY;BYDAY=TU", "starts": "14:00", "ends": "16:00", "note": ""}, …]
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fee: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int | None] = mapped_column(Integer, default=None)
    operator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), default=None
    )
    contact_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id"), default=None
    )
    public_contact: Mapped[str] = mapped_column(String(200), default="")  # printed for residents
    status: Mapped[str] = mapped_column(String(10), default="活動中")
    started_on: Mapped[date | None] = mapped_column(Date, default=None)
    helper_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # people who help in it
    note: Mapped[str] = mapped_column(Text, default="")
    # Written by core.record_keys: 五十音順, folded search words, and 対象・曜日 for filters.
    sort_key: Mapped[str | None] = mapped_column(Text, default=None, index=True)
    search_text: Mapped[str | None] = mapped_column(Text, default=None)
    facets: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (
        CheckConstraint("status IN ('準備中', '活動中', '休止', '終了')", name="status_known"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )


class Need(RecordMixin, Base):
    """ニーズ・困りごと: who needs what, where and when, and how far it has got."""

    __tablename__ = "needs"

    source: Mapped[str] = mapped_column(String(10), default="本人")  # 本人 / 匿名 / 調査
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    source_note: Mapped[str] = mapped_column(String(200), default="")
    district_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("districts.id"), index=True, default=None
    )
    category: Mapped[str] = mapped_column(String(60), default="")
    skill: Mapped[str] = mapped_column(String(60), default="")
    summary: Mapped[str] = mapped_column(Text)
    needed: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # like a schedule
    status: Mapped[str] = mapped_column(String(10), default="受付")
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(
            "status IN ('受付', '調整中', 'マッチ済', '終了', '対応不可')", name="status_known"
        ),
        CheckConstraint("source IN ('本人', '匿名', '調査')", name="source_known"),
    )


class Match(RecordMixin, Base):
    """A need paired with a resource or a volunteer, and how it turned out."""

    __tablename__ = "matches"

    need_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("needs.id"), index=True)
    resource_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resources.id"), default=None)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    slot: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(10), default="調整中")
    matched_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("status IN ('調整中', '成立', '終了', '不成立')", name="status_known"),
        CheckConstraint("(resource_id IS NULL) <> (person_id IS NULL)", name="resource_or_person"),
    )
