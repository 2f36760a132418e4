"""series states for the streaming anomaly models

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series_states",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("last_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["watch_id"], ["watches.id"], name=op.f("fk_series_states_watch_id_watches")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_series_states")),
    )
    op.create_index(op.f("ix_series_states_watch_id"), "series_states", ["watch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_series_states_watch_id"), table_name="series_states")
    op.drop_table("series_states")
