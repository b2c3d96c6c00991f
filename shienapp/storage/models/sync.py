"""持ち出し・持ち帰り: what each copy of the database knows about the exchange.

These tables are not ``RecordMixin`` records: they describe this copy (its device id, what it has
exchanged, the conflicts waiting for a person) and never travel in an exchange file themselves.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shienapp.storage.models.base import Base, utcnow


class SyncDevice(Base):
    """This installation (本所PC, 佐藤ノートPC): one row, made the first time it is needed."""

    __tablename__ = "sync_device"

    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SyncRecord(Base):
    """A record's lineage: the hashes of the states of it that have been exchanged, oldest first.

    Two copies compare lineages to tell "the other side has seen this" from "both sides edited".
    """

    __tablename__ = "sync_records"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    lineage: Mapped[str] = mapped_column(Text, default="")


class SyncState(Base):
    """The content of an exchanged state, by hash: the common base of a three-way merge."""

    __tablename__ = "sync_states"

    hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class SyncPeer(Base):
    """Another copy this one has exchanged with, and when."""

    __tablename__ = "sync_peers"

    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    last_import_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class SyncConflict(Base):
    """A record both sides changed (競合): both versions kept until a person chooses."""

    __tablename__ = "sync_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    fields: Mapped[list[str]] = mapped_column(JSON)
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    ours: Mapped[dict[str, Any]] = mapped_column(JSON)
    theirs: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_device: Mapped[uuid.UUID] = mapped_column(Uuid)
    source_name: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    resolution: Mapped[str] = mapped_column(String(20), default="")
    resolved_by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        CheckConstraint("kind IN ('編集と編集', '削除と編集', '両方で作成')", name="kind_known"),
        Index("ix_sync_conflicts_open", "resolved_at"),
        Index("ix_sync_conflicts_record", "table_name", "record_id"),
    )


class SyncHistory(Base):
    """One exchange: which file, when, by whom, with whom, and what it changed."""

    __tablename__ = "sync_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    direction: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(500))
    peer_device: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    peer_name: Mapped[str] = mapped_column(String(100), default="")
    by_user: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (CheckConstraint("direction IN ('export', 'import')", name="direction_known"),)
