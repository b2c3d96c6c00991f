"""会議・議事録: people, council members, meetings, attendance, agenda, decisions and 宿題."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shienapp.storage.models.base import Base, RecordMixin

_ALIVE = text("deleted_at IS NULL")


class Person(RecordMixin, Base):
    """A person, once: a council member, a 担い手, a resident who asked for help.

    Contact details are personal information (個人情報): ``consent_on``/``consent_scope``
    record the consent to use them; lists flag a person whose contact shows without it.
    """

    __tablename__ = "people"

    name: Mapped[str] = mapped_column(String(100))
    reading: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    district_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("districts.id"), index=True, default=None
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), default=None
    )
    postal_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    consent_on: Mapped[date | None] = mapped_column(Date, default=None)
    consent_scope: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # 担い手 (volunteer) details; empty for everyone else.
    volunteer_status: Mapped[str] = mapped_column(String(10), default="", server_default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    availability: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    covered_district_ids: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    trainings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # Written by core.record_keys: 五十音順 and folded search words, for lists read by pages.
    sort_key: Mapped[str | None] = mapped_column(Text, default=None, index=True)
    search_text: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (
        CheckConstraint(
            "volunteer_status IN ('', '活動中', '休止')", name="volunteer_status_known"
        ),
    )


class CouncilMember(RecordMixin, Base):
    """A person's seat on a council, with a role and the dates it ran."""

    __tablename__ = "council_members"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="委員")
    organisation: Mapped[str] = mapped_column(String(200), default="")  # 所属・役職 on this council
    from_on: Mapped[date | None] = mapped_column(Date, default=None)
    to_on: Mapped[date | None] = mapped_column(Date, default=None)

    __table_args__ = (
        CheckConstraint(
            "role IN ('会長', '副会長', '委員', 'オブザーバー', '事務局')", name="role_known"
        ),
        CheckConstraint("to_on IS NULL OR from_on IS NULL OR to_on >= from_on", name="dates_order"),
    )


class Meeting(RecordMixin, Base):
    """One meeting of one council: planned (予定), held (開催済) or called off (中止)."""

    __tablename__ = "meetings"

    council_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("councils.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="定例会")
    title: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[time | None] = mapped_column(Time, default=None)
    ends_at: Mapped[time | None] = mapped_column(Time, default=None)
    venue: Mapped[str] = mapped_column(String(200), default="")
    chair: Mapped[str] = mapped_column(String(100), default="")
    recorder: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="予定")
    next_meeting_on: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str | None] = mapped_column(Text, default=None)  # core.record_keys

    __table_args__ = (
        CheckConstraint("status IN ('予定', '開催済', '中止')", name="status_known"),
        CheckConstraint(
            "kind IN ('定例会', '住民企画会議', '事業推進会議', '情報交換会', '勉強会', '座談会',"
            " '研修', '部会', 'その他')",
            name="kind_known",
        ),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR ends_at >= starts_at", name="times_order"
        ),
    )


class Attendance(RecordMixin, Base):
    """One line of the sign-in sheet: a person on record, or a guest known only by name."""

    __tablename__ = "attendances"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    guest_name: Mapped[str] = mapped_column(String(100), default="")
    guest_organisation: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="出席")
    proxy_name: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        CheckConstraint("status IN ('出席', '欠席', '代理', 'オブザーバー')", name="status_known"),
        CheckConstraint("person_id IS NOT NULL OR guest_name <> ''", name="who"),
        Index(
            "uq_attendances_meeting_person_alive",
            "meeting_id",
            "person_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL AND person_id IS NOT NULL"),
            postgresql_where=text("deleted_at IS NULL AND person_id IS NOT NULL"),
        ),
    )


class AgendaItem(RecordMixin, Base):
    """議題, with the notes of what was said about it."""

    __tablename__ = "agenda_items"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")


class Decision(RecordMixin, Base):
    """決定事項."""

    __tablename__ = "decisions"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)


class ActionItem(RecordMixin, Base):
    """宿題: who does what by when; carried to the council's next meetings until done."""

    __tablename__ = "action_items"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100), default="")
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(10), default="未着手")
    completed_on: Mapped[date | None] = mapped_column(Date, default=None)
    # A follow-up of a network map: the node or tie (its key, kept across versions) it is about.
    map_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("network_maps.id"), index=True, default=None
    )
    map_item_key: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)

    __table_args__ = (
        CheckConstraint("status IN ('未着手', '対応中', '完了')", name="status_known"),
        CheckConstraint("status = '完了' OR completed_on IS NULL", name="completed_when_done"),
    )
