"""Keys for lists read a page at a time: 五十音順 (sort_key) and folded search words
(search_text) on people, organisations and resources, 対象・曜日 (facets) on resources, search
words on meetings; indexes for the lists' order. Existing rows get their keys here.

Revision ID: 0009_list_keys
Revises: 0008_access
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_list_keys"
down_revision = "0008_access"
branch_labels = None
depends_on = None

KEYED = ("people", "organisations", "resources")


def upgrade() -> None:
    for table in KEYED:
        op.add_column(table, sa.Column("sort_key", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("search_text", sa.Text(), nullable=True))
        op.create_index(op.f(f"ix_{table}_sort_key"), table, ["sort_key"], unique=False)
    op.add_column("resources", sa.Column("facets", sa.Text(), nullable=True))
    op.add_column("meetings", sa.Column("search_text", sa.Text(), nullable=True))

    from shienapp.core.record_keys import fill_missing

    fill_missing(op.get_bind())


def downgrade() -> None:
    op.drop_column("meetings", "search_text")
    with op.batch_alter_table("resources") as batch_op:
        batch_op.drop_column("facets")
    for table in KEYED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_sort_key"))
            batch_op.drop_column("search_text")
            batch_op.drop_column("sort_key")
