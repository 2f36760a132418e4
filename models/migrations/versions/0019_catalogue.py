"""our catalogue, matches, exchange rates, converted prices and the price matrix (issue 19)

Revision ID: 0019_catalogue
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0019_catalogue"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = models.base.UTCDateTime(timezone=True)
MONEY = sa.Numeric(20, 6)
RATE = sa.Numeric(24, 10)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    with op.batch_alter_table("product_states") as batch:
        batch.add_column(sa.Column("gtin", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("mpn", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("shipping", MONEY, nullable=True))
        batch.add_column(sa.Column("shipping_currency", sa.String(length=10), nullable=True))
    op.create_table(
        "our_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("mpn", sa.String(length=200), nullable=True),
        sa.Column("price", MONEY, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("map_price", MONEY, nullable=True),
        sa.Column("cost_floor", MONEY, nullable=True),
        sa.Column("category", sa.String(length=300), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("availability", sa.String(length=20), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_our_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_our_products_sku")),
    )
    op.create_index(op.f("ix_our_products_gtin"), "our_products", ["gtin"], unique=False)
    op.create_table(
        "our_price_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("our_product_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("price", MONEY, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("map_price", MONEY, nullable=True),
        sa.Column("cost_floor", MONEY, nullable=True),
        sa.Column("availability", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        _fk("our_price_history", "our_product_id", "our_products"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_our_price_history")),
    )
    op.create_index("ix_our_price_history_product_time", "our_price_history", ["our_product_id", "at"])
    op.create_table(
        "product_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("our_product_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=False),
        _fk("product_matches", "watch_id", "watches"),
        _fk("product_matches", "our_product_id", "our_products"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_matches")),
        sa.UniqueConstraint("watch_id", "our_product_id", name="uq_product_matches_watch_product"),
    )
    op.create_index(op.f("ix_product_matches_watch_id"), "product_matches", ["watch_id"])
    op.create_index(op.f("ix_product_matches_our_product_id"), "product_matches", ["our_product_id"])
    op.create_table(
        "match_checks",
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("state_id", sa.Integer(), nullable=True),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("checked_at", UTC, nullable=False),
        _fk("match_checks", "watch_id", "watches"),
        sa.PrimaryKeyConstraint("watch_id", name=op.f("pk_match_checks")),
    )
    op.create_table(
        "fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
        sa.UniqueConstraint("day", "base", "currency", name="uq_fx_rates_day_base_currency"),
    )
    op.create_table(
        "price_conversions",
        sa.Column("state_id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", UTC, nullable=False),
        sa.Column("from_currency", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("shipping", MONEY, nullable=True),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("rate_day", sa.Date(), nullable=False),
        _fk("price_conversions", "state_id", "product_states"),
        _fk("price_conversions", "watch_id", "watches"),
        sa.PrimaryKeyConstraint("state_id", name=op.f("pk_price_conversions")),
    )
    op.create_index(op.f("ix_price_conversions_watch_id"), "price_conversions", ["watch_id"])
    op.create_table(
        "matrix_cells",
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("our_product_id", sa.Integer(), nullable=False),
        sa.Column("competitor_id", sa.Integer(), nullable=True),
        sa.Column("state_id", sa.Integer(), nullable=True),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("observed_at", UTC, nullable=True),
        sa.Column("price", MONEY, nullable=True),
        sa.Column("currency", sa.String(length=10), nullable=True),
        sa.Column("converted", MONEY, nullable=True),
        sa.Column("shipping", MONEY, nullable=True),
        sa.Column("rate", RATE, nullable=True),
        sa.Column("rate_day", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("availability", sa.String(length=20), nullable=True),
        sa.Column("gone", sa.Boolean(), nullable=False),
        sa.Column("price_since", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        _fk("matrix_cells", "watch_id", "watches"),
        _fk("matrix_cells", "our_product_id", "our_products"),
        _fk("matrix_cells", "competitor_id", "competitors"),
        sa.PrimaryKeyConstraint("watch_id", name=op.f("pk_matrix_cells")),
    )
    op.create_index(op.f("ix_matrix_cells_our_product_id"), "matrix_cells", ["our_product_id"])
    op.create_table(
        "matrix_products",
        sa.Column("our_product_id", sa.Integer(), nullable=False),
        sa.Column("cheapest_watch_id", sa.Integer(), nullable=True),
        sa.Column("most_expensive", sa.Boolean(), nullable=False),
        sa.Column("our_rank", sa.Integer(), nullable=True),
        sa.Column("our_price", MONEY, nullable=True),
        sa.Column("map_price", MONEY, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _fk("matrix_products", "our_product_id", "our_products"),
        sa.PrimaryKeyConstraint("our_product_id", name=op.f("pk_matrix_products")),
    )
    op.create_table(
        "catalogue_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("converted_upto", sa.Integer(), nullable=False),
        sa.Column("catalogue_version", sa.Integer(), nullable=False),
        sa.Column("rates_version", sa.Integer(), nullable=False),
        sa.Column("compared_catalogue", sa.Integer(), nullable=False),
        sa.Column("compared_rates", sa.Integer(), nullable=False),
        sa.Column("watchlist_digest", sa.String(length=64), nullable=True),
        sa.Column("refreshed_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_meta")),
    )
    # The one meta row exists from the start, so the first refreshes of two workers lock it, not race to create it.
    op.execute(
        "INSERT INTO catalogue_meta (id, converted_upto, catalogue_version, rates_version, compared_catalogue, "
        "compared_rates) VALUES (1, 0, 0, 0, -1, -1)"
    )
    op.create_table(
        "catalogue_imports",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("last_at", UTC, nullable=True),
        sa.Column("last_ok_at", UTC, nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_catalogue_imports")),
    )


def downgrade() -> None:
    for table in (
        "catalogue_imports",
        "catalogue_meta",
        "matrix_products",
        "matrix_cells",
        "price_conversions",
        "fx_rates",
        "match_checks",
        "product_matches",
        "our_price_history",
        "our_products",
    ):
        op.drop_table(table)
    with op.batch_alter_table("product_states") as batch:
        for column in ("shipping_currency", "shipping", "mpn", "gtin"):
            batch.drop_column(column)
