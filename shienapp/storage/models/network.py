"""ネットワーク形成図: maps, their versions (版), nodes, ties and saved views.

A map has one working copy (number 0) that the editor changes, and frozen versions 1, 2, …
that are never edited again. A node or tie keeps its ``key`` from version to version, so two
versions can be compared item by item and a merge can tell the same tie on two machines apart
from a new one.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shienapp.storage.models.base import Base, RecordMixin

NODE_KINDS = ("人", "組織", "協議体", "社会資源", "場", "その他")
NODE_DOMAINS = ("高齢", "障害", "子ども", "生活困窮", "全世代", "その他")
RELATIONS = ("連携", "相談", "紹介", "参加", "情報共有", "委託", "支援")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class NetworkMap(RecordMixin, Base):
    """わがまちのネットワーク形成図: for the city or one district."""

    __tablename__ = "network_maps"

    title: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("districts.id"), index=True, default=None
    )
    description: Mapped[str] = mapped_column(Text, default="")


class NetworkMapVersion(RecordMixin, Base):
    """版: number 0 is the working copy; 1, 2, … are frozen snapshots with a date and a note."""

    __tablename__ = "network_map_versions"

    map_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_maps.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=0)
    saved_on: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (
        Index(
            "uq_network_map_versions_number_alive",
            "map_id",
            "number",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        CheckConstraint("number >= 0", name="number_not_negative"),
    )


class NetworkNode(RecordMixin, Base):
    __tablename__ = "network_nodes"

    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_map_versions.id"), index=True)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="組織")
    domain: Mapped[str] = mapped_column(String(10), default="全世代")
    # The registry record it stands for: person / organisation / council / resource.
    link_kind: Mapped[str] = mapped_column(String(20), default="")
    link_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    # What a residents' print shows instead of a private person's name (民生委員, 住民ボランティア).
    public_label: Mapped[str] = mapped_column(String(100), default="")
    group: Mapped[str] = mapped_column(String(100), default="")
    x: Mapped[float] = mapped_column(Float, default=0.0)
    y: Mapped[float] = mapped_column(Float, default=0.0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(_in("kind", NODE_KINDS), name="kind_known"),
        CheckConstraint(_in("domain", NODE_DOMAINS), name="domain_known"),
    )


class NetworkEdge(RecordMixin, Base):
    __tablename__ = "network_edges"

    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_map_versions.id"), index=True)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    source_key: Mapped[uuid.UUID] = mapped_column(Uuid)
    target_key: Mapped[uuid.UUID] = mapped_column(Uuid)
    relation: Mapped[str] = mapped_column(String(10), default="連携")
    strength: Mapped[int] = mapped_column(Integer, default=2)
    directed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(_in("relation", RELATIONS), name="relation_known"),
        CheckConstraint("strength BETWEEN 1 AND 3", name="strength_range"),
        CheckConstraint("source_key <> target_key", name="not_a_loop"),
    )


class NetworkView(RecordMixin, Base):
    """A saved view: a filter, a focus expanding step by step, a zoom (settings as JSON)."""

    __tablename__ = "network_views"

    map_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_maps.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
