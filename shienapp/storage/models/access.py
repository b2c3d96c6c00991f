"""Staff accounts, this database's settings and the audit trail.

None of these travel in an exchange file: each copy has its own accounts and its own trail.
The audit table is append-only: triggers made by the migration refuse UPDATE and DELETE on it,
and each row carries the hash of the one before, so a row edited by other means shows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shienapp.storage.models.base import Base, utcnow


class Account(Base):
    """A member of staff who signs in: 管理者, 職員 or 閲覧."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'staff', 'viewer')", name="role_known"),
        CheckConstraint("length(login) > 0", name="login_given"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    login: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Setting(Base):
    """One setting of this database (accounts on or off, the idle lock), as text."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """One line of the audit trail: who did what to which record, when, and what changed."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    account_id: Mapped[str] = mapped_column(String(36), default="")
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(64), default="")
    record_id: Mapped[str] = mapped_column(String(36), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    changes: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
