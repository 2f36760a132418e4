"""due-watch claims with a lease; the process behind each crawl run

Revision ID: 0020_claims
Revises: 0019_catalogue
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0020_claims"
down_revision = "0019_catalogue"
branch_labels = None
depends_on = None

UTC = models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("watches") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("claimed_until", UTC, nullable=True))
        batch.create_index(batch.f("ix_watches_claimed_by"), ["claimed_by"], unique=False)
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lease_until", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("pid")
        batch.drop_column("host")
    with op.batch_alter_table("watches") as batch:
        batch.drop_index(batch.f("ix_watches_claimed_by"))
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
