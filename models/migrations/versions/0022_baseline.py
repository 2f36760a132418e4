"""baseline: the whole schema as the migrations 0001 to 0022_web_feed built it, in one revision

Those 22 revisions (six feature branches off 0001) were squashed into this one (issue 11). It keeps the
old head's id, so a store that had every one of them needs nothing (models.db adopts it); a store at an
older revision is refused with what to do (models.db.StoreBeforeBaseline). The next migration revises
this one.

Revision ID: 0022_web_feed
Revises:
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0022_web_feed"
down_revision = None
branch_labels = None
depends_on = None

INT, TEXT, JSON, BOOL, DOUBLE, DATE = sa.Integer(), sa.Text(), sa.JSON(), sa.Boolean(), sa.Double(), sa.Date()
UTC = models.base.UTCDateTime(timezone=True)
MONEY = sa.Numeric(20, 6)
RATE = sa.Numeric(24, 10)
HASH = sa.String(length=64)  # a body's sha256, the key of `bodies`


def _s(length: int) -> sa.String:
    return sa.String(length=length)


def _c(name: str, type_: sa.types.TypeEngine, null: bool = False, default: str | None = None) -> sa.Column:
    return sa.Column(name, type_, nullable=null, server_default=default)


def _table(
    name: str,
    *columns: sa.Column,
    pk: str = "id",
    fks: dict[str, str] | None = None,
    unique: tuple[str | tuple[str, ...], ...] = (),
    index: tuple[str | tuple[str, ...], ...] = (),
) -> None:
    """A table under the models' naming convention. pk "id" puts an integer `id` first. fks: column ->
    "table" (its `id`) or "table.column". unique, index: a column (the convention's name) or
    (name, column, ...)."""
    head = [_c("id", INT)] if pk == "id" else []
    keys = [
        sa.ForeignKeyConstraint(
            [col], [to if "." in to else f"{to}.id"], name=op.f(f"fk_{name}_{col}_{to.split('.')[0]}")
        )
        for col, to in (fks or {}).items()
    ]
    uniques = [
        sa.UniqueConstraint(*u[1:], name=u[0])
        if isinstance(u, tuple)
        else sa.UniqueConstraint(u, name=op.f(f"uq_{name}_{u}"))
        for u in unique
    ]
    primary = sa.PrimaryKeyConstraint(pk, name=op.f(f"pk_{name}"))
    op.create_table(name, *head, *columns, *keys, primary, *uniques)
    for i in index:
        index_name, *cols = i if isinstance(i, tuple) else (op.f(f"ix_{name}_{i}"), i)
        op.create_index(index_name, name, cols, unique=False)


def _observed(
    name: str, *columns: sa.Column, at: str = "observed_at", fks: dict[str, str] | None = None
) -> None:
    """A kind's row of one observation of one watch (models.base.ObservedRow), indexed by watch and time."""
    _table(
        name,
        _c("watch_id", INT),
        _c("observation_id", INT),
        _c(at, UTC),
        *columns,
        fks={"watch_id": "watches", "observation_id": "observations", **(fks or {})},
        unique=("observation_id",),
        index=((f"ix_{name}_watch_time", "watch_id", at),),
    )


def _core() -> None:
    _table("bodies", _c("hash", HASH), _c("size", INT), _c("content_type", _s(200), True),
           _c("data", sa.LargeBinary()), _c("created_at", UTC), pk="hash")  # fmt: skip
    _table("competitors", _c("name", _s(200)), _c("domains", JSON), _c("tags", JSON), _c("robots", _s(10)),
           _c("created_at", UTC), unique=("name",))  # fmt: skip
    _table("crawl_runs", _c("started_at", UTC), _c("finished_at", UTC, True), _c("trigger", _s(20)),
           _c("status", _s(20)), _c("watches_due", INT), _c("ok", INT), _c("failed", INT), _c("changes", INT),
           _c("host", _s(255), True), _c("pid", INT, True), _c("lease_until", UTC, True))  # fmt: skip
    _table("alert_deliveries", _c("dedup_key", _s(200)), _c("channel", _s(200)), _c("rule", _s(200), True),
           _c("severity", _s(10)), _c("run_id", INT, True), _c("change_ids", JSON), _c("title", TEXT),
           _c("body", TEXT), _c("body_format", _s(10)), _c("attachments", JSON), _c("status", _s(10)),
           _c("attempts", INT), _c("created_at", UTC), _c("next_attempt_at", UTC), _c("sent_at", UTC, True),
           _c("last_error", TEXT, True), _c("extra", JSON), _c("window_start", UTC, True),
           _c("window_end", UTC, True), _c("revision", INT, default="0"), fks={"run_id": "crawl_runs"},
           unique=("dedup_key",),
           index=(("ix_alert_deliveries_due", "status", "next_attempt_at"),
                  ("ix_alert_deliveries_window", "channel", "window_end")))  # fmt: skip
    _table("watches", _c("kind", _s(20)), _c("url", TEXT), _c("label", _s(300), True),
           _c("competitor_id", INT, True), _c("options", JSON), _c("tags", JSON),
           _c("interval_s", DOUBLE, True), _c("cron", _s(100), True), _c("active", BOOL),
           _c("created_at", UTC), _c("next_due_at", UTC, True), _c("last_checked_at", UTC, True),
           _c("last_good_at", UTC, True), _c("last_error", TEXT, True), _c("consecutive_failures", INT),
           _c("consecutive_gone", INT), _c("etag", _s(300), True), _c("last_modified", _s(100), True),
           _c("last_body_hash", HASH, True), _c("claimed_by", _s(100), True), _c("claimed_until", UTC, True),
           _c("paused", BOOL, default="0"), _c("muted_until", UTC, True),
           fks={"competitor_id": "competitors"}, unique=(("uq_watches_kind_url", "kind", "url"),),
           index=("competitor_id", "kind", "next_due_at", "claimed_by"))  # fmt: skip
    _table("observations", _c("watch_id", INT), _c("run_id", INT, True), _c("fetched_at", UTC),
           _c("status", _s(10)), _c("http_status", INT, True), _c("elapsed_ms", DOUBLE, True),
           _c("error_reason", TEXT, True), _c("content_hash", HASH, True), _c("unchanged", BOOL),
           _c("final_url", TEXT, True), _c("screenshot_hash", HASH, True),
           fks={"content_hash": "bodies.hash", "run_id": "crawl_runs", "screenshot_hash": "bodies.hash",
                "watch_id": "watches"},
           index=("run_id", ("ix_observations_watch_time", "watch_id", "fetched_at")))  # fmt: skip
    _table("changes", _c("watch_id", INT), _c("observation_id", INT), _c("competitor_id", INT, True),
           _c("run_id", INT, True), _c("detected_at", UTC), _c("kind", _s(40)), _c("summary", TEXT),
           _c("field", _s(40), True), _c("old", TEXT, True), _c("new", TEXT, True),
           _c("magnitude", DOUBLE, True), _c("anomaly_score", DOUBLE, True),
           _c("anomaly_explanation", TEXT, True), _c("details", JSON),
           fks={"competitor_id": "competitors", "observation_id": "observations", "run_id": "crawl_runs",
                "watch_id": "watches"},
           index=(("ix_changes_detected", "detected_at"), "observation_id", "run_id", "watch_id",
                  ("ix_changes_competitor_detected", "competitor_id", "detected_at")))  # fmt: skip
    _table("alert_delivery_changes", _c("delivery_id", INT), _c("change_id", INT), _c("channel", _s(200)),
           fks={"delivery_id": "alert_deliveries", "change_id": "changes"},
           unique=(("uq_alert_delivery_changes_change_channel", "change_id", "channel"),),
           index=("delivery_id",))  # fmt: skip
    _table("series_states", _c("key", _s(200)), _c("watch_id", INT, True), _c("state", JSON),
           _c("last_value", DOUBLE, True), _c("last_at", UTC, True), _c("updated_at", UTC), pk="key",
           fks={"watch_id": "watches"}, index=("watch_id",))  # fmt: skip


def _kinds() -> None:
    _observed("product_states", _c("price", MONEY, True), _c("currency", _s(10), True),
              _c("availability", _s(20), True), _c("name", TEXT, True), _c("sku", _s(200), True),
              _c("brand", _s(200), True), _c("sources", JSON), _c("gtin", _s(14), True),
              _c("mpn", _s(200), True), _c("shipping", MONEY, True),
              _c("shipping_currency", _s(10), True))  # fmt: skip
    _observed("listing_snapshots", _c("item_count", INT), _c("pages_fetched", INT),
              _c("stop_reason", _s(40), True), _c("page_hashes", JSON))  # fmt: skip
    _table("listing_snapshot_items", _c("snapshot_id", INT), _c("position", INT), _c("url", TEXT),
           _c("key", TEXT), _c("title", TEXT, True), _c("price", MONEY, True), _c("currency", _s(10), True),
           _c("sponsored", BOOL), fks={"snapshot_id": "listing_snapshots"},
           index=("snapshot_id",))  # fmt: skip
    _observed("page_texts", _c("text_hash", HASH), _c("lines", INT), _c("filter_key", HASH),
              fks={"text_hash": "bodies.hash"})  # fmt: skip
    _observed("site_snapshots", _c("pages_fetched", INT), _c("pages_ok", INT), _c("truncated", BOOL),
              _c("sections", JSON), _c("known_urls", JSON), _c("sitemap_urls", INT),
              _c("robots_error", TEXT, True), _c("sitemap_errors", JSON))  # fmt: skip
    _table("page_diffs", _c("watch_id", INT), _c("observation_id", INT), _c("change_id", INT, True),
           _c("observed_at", UTC), _c("old_text_hash", HASH, True), _c("new_text_hash", HASH),
           _c("added_lines", JSON), _c("removed_lines", JSON), _c("unified", TEXT),
           fks={"change_id": "changes", "new_text_hash": "bodies.hash", "observation_id": "observations",
                "old_text_hash": "bodies.hash", "watch_id": "watches"},
           index=("observation_id", ("ix_page_diffs_watch_time", "watch_id", "observed_at")))  # fmt: skip
    _table("site_pages", _c("snapshot_id", INT), _c("url", TEXT), _c("status", INT), _c("error", TEXT, True),
           _c("depth", INT), _c("in_sitemap", BOOL), _c("section", _s(300)), _c("title", TEXT, True),
           _c("meta_description", TEXT, True), _c("meta_keywords", TEXT, True), _c("h1", TEXT, True),
           _c("h1_count", INT), _c("canonical", TEXT, True), _c("hreflang", JSON),
           _c("robots", _s(300), True), _c("noindex", BOOL), _c("word_count", INT), _c("internal_links", INT),
           _c("outbound_links", INT), _c("structured_data_types", JSON),
           fks={"snapshot_id": "site_snapshots"}, index=("snapshot_id",))  # fmt: skip
    _observed("rank_checks", _c("group_name", _s(200)), _c("keyword", TEXT), _c("engine", _s(20)),
              _c("locale", _s(40)), _c("device", _s(10)), _c("status", _s(10)), _c("page_kind", _s(20)),
              _c("reason", TEXT, True), _c("pages_checked", INT), _c("depth", INT),
              _c("result_count_text", TEXT, True), _c("features", JSON), at="checked_at")  # fmt: skip
    _table("rank_results", _c("check_id", INT), _c("rank", INT), _c("url", TEXT), _c("domain", _s(300)),
           _c("title", TEXT, True), fks={"check_id": "rank_checks"},
           index=(("ix_rank_results_check_rank", "check_id", "rank"),))  # fmt: skip
    _table("domain_ranks", _c("check_id", INT), _c("watch_id", INT), _c("checked_at", UTC),
           _c("domain", _s(300)), _c("rank", INT, True), _c("url", TEXT, True),
           fks={"check_id": "rank_checks", "watch_id": "watches"},
           index=("check_id",
                  ("ix_domain_ranks_watch_domain", "watch_id", "domain", "checked_at")))  # fmt: skip


def _catalogue() -> None:
    _table("our_products", _c("sku", _s(200)), _c("name", TEXT), _c("brand", _s(200), True),
           _c("gtin", _s(14), True), _c("mpn", _s(200), True), _c("price", MONEY, True),
           _c("currency", _s(3)), _c("map_price", MONEY, True), _c("cost_floor", MONEY, True),
           _c("category", _s(300), True), _c("tags", JSON), _c("availability", _s(20), True),
           _c("url", TEXT, True), _c("source", _s(300)), _c("active", BOOL), _c("created_at", UTC),
           _c("updated_at", UTC), unique=("sku",), index=("gtin",))  # fmt: skip
    _table("our_price_history", _c("our_product_id", INT), _c("at", UTC), _c("price", MONEY, True),
           _c("currency", _s(3)), _c("map_price", MONEY, True), _c("cost_floor", MONEY, True),
           _c("availability", _s(20), True), _c("source", _s(300)), fks={"our_product_id": "our_products"},
           index=(("ix_our_price_history_product_time", "our_product_id", "at"),))  # fmt: skip
    _table("product_matches", _c("watch_id", INT), _c("our_product_id", INT), _c("status", _s(10)),
           _c("method", _s(20)), _c("confidence", DOUBLE), _c("evidence", JSON), _c("decided_by", _s(20)),
           _c("created_at", UTC), _c("decided_at", UTC),
           fks={"watch_id": "watches", "our_product_id": "our_products"},
           unique=(("uq_product_matches_watch_product", "watch_id", "our_product_id"),),
           index=("watch_id", "our_product_id"))  # fmt: skip
    _table("match_checks", _c("watch_id", INT), _c("state_id", INT, True), _c("catalogue_version", INT),
           _c("checked_at", UTC), pk="watch_id", fks={"watch_id": "watches"})  # fmt: skip
    _table("fx_rates", _c("day", DATE), _c("base", _s(3)), _c("currency", _s(3)), _c("rate", RATE),
           _c("source", TEXT), _c("loaded_at", UTC),
           unique=(("uq_fx_rates_day_base_currency", "day", "base", "currency"),))  # fmt: skip
    _table("price_conversions", _c("state_id", INT), _c("watch_id", INT), _c("observed_at", UTC),
           _c("from_currency", _s(3)), _c("currency", _s(3)), _c("amount", MONEY),
           _c("shipping", MONEY, True), _c("rate", RATE), _c("rate_day", DATE), pk="state_id",
           fks={"state_id": "product_states", "watch_id": "watches"}, index=("watch_id",))  # fmt: skip
    _table("matrix_cells", _c("watch_id", INT), _c("our_product_id", INT), _c("competitor_id", INT, True),
           _c("state_id", INT, True), _c("observation_id", INT, True), _c("observed_at", UTC, True),
           _c("price", MONEY, True), _c("currency", _s(10), True), _c("converted", MONEY, True),
           _c("shipping", MONEY, True), _c("rate", RATE, True), _c("rate_day", DATE, True),
           _c("note", TEXT, True), _c("availability", _s(20), True), _c("gone", BOOL),
           _c("price_since", UTC, True), _c("updated_at", UTC), pk="watch_id",
           fks={"watch_id": "watches", "our_product_id": "our_products", "competitor_id": "competitors"},
           index=("our_product_id",))  # fmt: skip
    _table("matrix_products", _c("our_product_id", INT), _c("cheapest_watch_id", INT, True),
           _c("most_expensive", BOOL), _c("our_rank", INT, True), _c("our_price", MONEY, True),
           _c("map_price", MONEY, True), _c("note", TEXT, True), _c("offers", INT), _c("updated_at", UTC),
           pk="our_product_id", fks={"our_product_id": "our_products"})  # fmt: skip
    _table("catalogue_meta", _c("converted_upto", INT), _c("catalogue_version", INT),
           _c("rates_version", INT), _c("compared_catalogue", INT), _c("compared_rates", INT),
           _c("watchlist_digest", HASH, True), _c("refreshed_at", UTC, True))  # fmt: skip
    # The one meta row exists from the start: the first refreshes of two workers lock it, not race to make it.
    op.execute(
        "INSERT INTO catalogue_meta (id, converted_upto, catalogue_version, rates_version, "
        "compared_catalogue, compared_rates) VALUES (1, 0, 0, 0, -1, -1)"
    )
    _table("catalogue_imports", _c("name", _s(300)), _c("last_at", UTC, True), _c("last_ok_at", UTC, True),
           _c("status", _s(10)), _c("error", TEXT, True), _c("items", INT), _c("digest", HASH, True),
           pk="name")  # fmt: skip


def _web() -> None:
    _table("users", _c("name", _s(100)), _c("password_hash", _s(200)), _c("created_at", UTC),
           _c("last_login_at", UTC, True), unique=("name",))  # fmt: skip
    _table("api_tokens", _c("name", _s(100)), _c("prefix", _s(16)), _c("token_hash", HASH),
           _c("user_id", INT, True), _c("created_at", UTC), _c("last_used_at", UTC, True),
           _c("revoked_at", UTC, True), fks={"user_id": "users"}, unique=("token_hash",))  # fmt: skip


def upgrade() -> None:
    _core()
    _kinds()
    _catalogue()
    _web()


def downgrade() -> None:
    # The baseline made every table there is but Alembic's own.
    bind = op.get_bind()
    tables = sa.MetaData()
    tables.reflect(bind, only=lambda name, _meta: name != "alembic_version")
    tables.drop_all(bind)
