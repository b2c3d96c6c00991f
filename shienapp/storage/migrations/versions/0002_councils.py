"""Councils (第2層協議体) and their status history; a district code (地区コード).

Revision ID: 0002_councils
Revises: 0001_registry
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_councils"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("code", sa.String(length=20), nullable=False, server_default="")
        )

    op.create_table(
        "councils",
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("coordinator_name", sa.String(length=100), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('未設置', '準備中', '設置済', '休止')",
            name=op.f("ck_councils_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_councils_district_id_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_councils")),
    )
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_councils_district_id"), ["district_id"], unique=False)

    op.create_table(
        "council_status_events",
        sa.Column("council_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('未設置', '準備中', '設置済', '休止')",
            name=op.f("ck_council_status_events_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_council_status_events_council_id_councils"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_status_events")),
    )
    with op.batch_alter_table("council_status_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_council_status_events_council_id"), ["council_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("council_status_events")
    op.drop_table("councils")
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_column("code")
