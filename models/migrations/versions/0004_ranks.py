"""keyword ranks: rank checks, their organic results, tracked domains' ranks

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rank_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("keyword", sa.Text(), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=40), nullable=False),
        sa.Column("device", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("page_kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("pages_checked", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("result_count_text", sa.Text(), nullable=True),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"], ["observations.id"], name=op.f("fk_rank_checks_observation_id_observations")
        ),
        sa.ForeignKeyConstraint(["watch_id"], ["watches.id"], name=op.f("fk_rank_checks_watch_id_watches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rank_checks")),
        sa.UniqueConstraint("observation_id", name=op.f("uq_rank_checks_observation_id")),
    )
    op.create_index("ix_rank_checks_watch_time", "rank_checks", ["watch_id", "checked_at"], unique=False)
    op.create_table(
        "rank_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("domain", sa.String(length=300), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"], ["rank_checks.id"], name=op.f("fk_rank_results_check_id_rank_checks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rank_results")),
    )
    op.create_index("ix_rank_results_check_rank", "rank_results", ["check_id", "rank"], unique=False)
    op.create_table(
        "domain_ranks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("domain", sa.String(length=300), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"], ["rank_checks.id"], name=op.f("fk_domain_ranks_check_id_rank_checks")
        ),
        sa.ForeignKeyConstraint(["watch_id"], ["watches.id"], name=op.f("fk_domain_ranks_watch_id_watches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_ranks")),
    )
    op.create_index(op.f("ix_domain_ranks_check_id"), "domain_ranks", ["check_id"], unique=False)
    op.create_index(
        "ix_domain_ranks_watch_domain", "domain_ranks", ["watch_id", "domain", "checked_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_domain_ranks_watch_domain", table_name="domain_ranks")
    op.drop_index(op.f("ix_domain_ranks_check_id"), table_name="domain_ranks")
    op.drop_table("domain_ranks")
    op.drop_index("ix_rank_results_check_rank", table_name="rank_results")
    op.drop_table("rank_results")
    op.drop_index("ix_rank_checks_watch_time", table_name="rank_checks")
    op.drop_table("rank_checks")
