"""The price matrix as the CLI, the exports, the report and the web read it (from the store).

    rows = price_matrix(session)                       # every product of ours, cheapest offers first
    where_most_expensive(rows, 10)                     # "where are we the most expensive, by how much?"
    map_violations(rows)                               # per competitor, offers below our MAP

The store keeps the matrix as the last refresh after a crawl left it (`monitor.catalogue.refresh`),
so reading it costs two queries, whatever the history.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from models.catalogue_queries import ProductRow, matrix_offers, matrix_products
from monitor.catalogue.matrix import MatrixRow, OurView, build_matrix


def our_view(row: ProductRow, currency: str) -> OurView:
    return OurView(
        id=row.id,
        sku=row.sku,
        name=row.name,
        currency=currency,
        price=row.matrix_price,
        map_price=row.matrix_map,
        brand=row.brand,
        category=row.category,
        tags=row.tags,
        availability=row.availability,
        own_price=row.price if row.currency != currency else None,
        own_currency=row.currency if row.currency != currency else None,
        note=row.note,
    )


def price_matrix(
    session: Session,
    currency: str,
    *,
    skus: Iterable[str] | None = None,
    competitors: Iterable[str] | None = None,
    category: str | None = None,
    product_ids: Iterable[int] | None = None,
) -> list[MatrixRow]:
    """The matrix in `currency` (the catalogue's), optionally for some SKUs, competitors or a category."""
    products = matrix_products(session, product_ids)
    wanted = set(skus) if skus is not None else None
    products = [
        p for p in products if (wanted is None or p.sku in wanted) and (category is None or p.category == category)
    ]
    offers = matrix_offers(session, [p.id for p in products] if wanted is not None or category else product_ids)
    keep = set(competitors) if competitors is not None else None
    cells = {
        pid: [o for o in rows if keep is None or o.competitor in keep] for pid, rows in offers.items()
    }
    return build_matrix([our_view(p, currency) for p in products], cells)
