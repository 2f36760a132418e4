"""the change feed by competitor: an index on changes (competitor_id, detected_at)

Revision ID: 0022_web_feed
Revises: 0021_web
Create Date: 2026-12-02
"""

from alembic import op

revision = "0022_web_feed"
down_revision = "0021_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_changes_competitor_detected", "changes", ["competitor_id", "detected_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_changes_competitor_detected", table_name="changes")
