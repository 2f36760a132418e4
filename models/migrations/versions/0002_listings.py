"""listings: one snapshot per good observation of a listing watch, and its ordered cards

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("stop_reason", sa.String(length=40), nullable=True),
        sa.Column("page_hashes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_listing_snapshots_observation_id_observations"),
        ),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["watches.id"], name=op.f("fk_listing_snapshots_watch_id_watches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_snapshots")),
        sa.UniqueConstraint("observation_id", name=op.f("uq_listing_snapshots_observation_id")),
    )
    with op.batch_alter_table("listing_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_listing_snapshots_watch_time", ["watch_id", "observed_at"], unique=False)
    op.create_table(
        "listing_snapshot_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("currency", sa.String(length=10), nullable=True),
        sa.Column("sponsored", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["listing_snapshots.id"],
            name=op.f("fk_listing_snapshot_items_snapshot_id_listing_snapshots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_snapshot_items")),
    )
    with op.batch_alter_table("listing_snapshot_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_snapshot_items_snapshot_id"), ["snapshot_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_snapshot_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_snapshot_items_snapshot_id"))
    op.drop_table("listing_snapshot_items")
    with op.batch_alter_table("listing_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_snapshots_watch_time")
    op.drop_table("listing_snapshots")
