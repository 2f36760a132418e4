"""digest windows in the outbox, and which change went to which channel

Revision ID: 0006_outbox_windows
Revises: 0001
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0006_outbox_windows"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("window_start", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("window_end", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_alert_deliveries_window", ["channel", "window_end"], unique=False)
    op.create_table(
        "alert_delivery_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["alert_deliveries.id"],
            name=op.f("fk_alert_delivery_changes_delivery_id_alert_deliveries"),
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name=op.f("fk_alert_delivery_changes_change_id_changes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery_changes")),
        sa.UniqueConstraint("change_id", "channel", name="uq_alert_delivery_changes_change_channel"),
    )
    op.create_index(
        op.f("ix_alert_delivery_changes_delivery_id"), "alert_delivery_changes", ["delivery_id"], unique=False
    )
    # Deliveries written before this revision: their changes count as alerted, so nothing is sent twice.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, channel, change_ids FROM alert_deliveries")).all()
    seen: set[tuple[int, str]] = set()
    table = sa.table(
        "alert_delivery_changes", sa.column("delivery_id"), sa.column("change_id"), sa.column("channel")
    )
    for delivery_id, channel, ids in rows:
        ids = json.loads(ids) if isinstance(ids, str) else ids  # SQLite hands JSON back as text here
        for change_id in ids or []:
            if (change_id, channel) not in seen:
                seen.add((change_id, channel))
                op.execute(table.insert().values(delivery_id=delivery_id, change_id=change_id, channel=channel))


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_delivery_changes_delivery_id"), table_name="alert_delivery_changes")
    op.drop_table("alert_delivery_changes")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_window")
        batch_op.drop_column("revision")
        batch_op.drop_column("window_end")
        batch_op.drop_column("window_start")
