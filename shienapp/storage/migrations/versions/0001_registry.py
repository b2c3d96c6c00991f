"""地区台帳: blocks, districts and their yearly statistics.

Revision ID: 0001_registry
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("reading", sa.String(length=200), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
    )
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.create_index(
            "uq_blocks_name_alive",
            ["name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "districts",
        sa.Column("block_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("reading", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_id"], ["blocks.id"], name=op.f("fk_districts_block_id_blocks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
    )
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_districts_block_id"), ["block_id"], unique=False)
        batch_op.create_index(
            "uq_districts_name_alive",
            ["name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "district_statistics",
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("total_population", sa.Integer(), nullable=False),
        sa.Column("population_65_plus", sa.Integer(), nullable=False),
        sa.Column("population_75_plus", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("elderly_single_households", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "elderly_single_households IS NULL OR elderly_single_households >= 0",
            name=op.f("ck_district_statistics_single_nonneg"),
        ),
        sa.CheckConstraint(
            "fiscal_year BETWEEN 1868 AND 2199", name=op.f("ck_district_statistics_fy_range")
        ),
        sa.CheckConstraint(
            "households IS NULL OR households >= 0",
            name=op.f("ck_district_statistics_households_nonneg"),
        ),
        sa.CheckConstraint(
            "population_65_plus >= 0 AND population_65_plus <= total_population",
            name=op.f("ck_district_statistics_p65_range"),
        ),
        sa.CheckConstraint(
            "population_75_plus IS NULL OR (population_75_plus >= 0 AND population_75_plus <= population_65_plus)",
            name=op.f("ck_district_statistics_p75_range"),
        ),
        sa.CheckConstraint(
            "total_population >= 0", name=op.f("ck_district_statistics_total_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_district_statistics_district_id_districts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_statistics")),
    )
    with op.batch_alter_table("district_statistics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_statistics_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            "uq_district_statistics_year_alive",
            ["district_id", "fiscal_year"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    op.drop_table("district_statistics")
    op.drop_table("districts")
    op.drop_table("blocks")
