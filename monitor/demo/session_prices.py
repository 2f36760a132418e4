"""The demo's catalogue and price matrix: our products, the market's exchange rates, and the matrix
printed at the end of `rivalwatch demo`.

Our catalogue is the market's base products at our own prices (USD), with a MAP on every fourth,
plus products only we sell that look like theirs: the same model in another variant ("K12 Lite"
beside "K12 Pro"), the next model number ("K13"), and the same model under another brand. No
competitor page is matched by hand except one: matching finds the rest (GTIN where a shop's
structured data or specification table gives it, the title elsewhere), and must leave the
look-alikes alone. The rates are the market's own, as an ECB-style XML file.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from models.catalogue_queries import match_rows
from monitor.catalogue.format import row_line, summary_line
from monitor.catalogue.matrix import MatrixRow, where_most_expensive
from monitor.catalogue.rates import ecb_xml
from monitor.catalogue.view import price_matrix
from monitor.demo.catalogue import BRANDS, CATEGORIES, Product, with_check_digit
from monitor.demo.shop_style import model_of
from monitor.demo.shops import OUR_CURRENCY, SHOPS

DEMO_MATRIX_RULES = [
    {"name": "undercut-10", "when": "undercut_by", "threshold_pct": 10, "severity": "warning"},
    {"name": "map", "when": "map_violation", "severity": "critical"},
    {"name": "dearest", "when": "most_expensive", "severity": "warning"},
]
VARIANTS = ("Pro", "Lite", "Max", "Air", "Plus", "Mini", "Ultra")


def market_rates(shops: list[str]) -> dict[str, Decimal]:
    """1 EUR in each currency the market's shops use, as the market itself converts (ECB style)."""
    eur = SHOPS["beta"].fx  # the market converts from USD: 1 USD = fx units of a shop's currency
    rates = {"USD": (Decimal(1) / eur).quantize(Decimal("0.0001"), ROUND_HALF_UP)}
    for shop in shops:
        spec = SHOPS[shop]
        if spec.currency not in ("EUR", "USD"):
            rates[spec.currency] = (spec.fx / eur).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return rates


def write_rates(path: Path, day: date, shops: list[str]) -> Path:
    path.write_bytes(ecb_xml({day: market_rates(shops)}))
    return path


def our_sku(p: Product) -> str:
    return f"RW-{p.num:05d}"


def _decoys(products: list[Product], taken: set[str]) -> list[dict]:
    """Products only we sell, each a near twin of one of theirs (none named like a market product)."""
    rng = random.Random("demo-decoys")
    out = []
    for p in products[::5]:
        model = model_of(p)
        code, _, variant = model.partition(" ")
        en = CATEGORIES[p.category][0]
        other_variant = rng.choice([v for v in VARIANTS if v != variant])
        twins = [
            (f"{p.brand} {code} {other_variant} {en}", p.brand),
            (f"{p.brand} {code[0]}{int(code[1:]) + 1}{' ' + variant if variant else ''} {en}", p.brand),
            (f"{rng.choice([b for b in BRANDS if b != p.brand])} {model} {en}", None),
        ]
        for i, (name, brand) in enumerate(twins):
            if name in taken:
                continue
            brand = brand or name.split(" ")[0]
            digits = f"{(p.num * 31 + i * 7 + 101) % 10**12:012d}"
            out.append(
                {
                    "sku": f"RW-T{p.num:04d}-{i}",
                    "name": name,
                    "brand": brand,
                    "gtin": with_check_digit(digits),
                    "price": str((p.base_usd * Decimal("1.1")).quantize(Decimal("0.01"))),
                    "category": p.category,
                }
            )
    return out


def demo_catalogue(market, rates_path: Path, day: date) -> dict:  # noqa: ANN001
    """The watchlist's `catalogue:` section for the demo market (writes the rates file)."""
    write_rates(rates_path, day, list(market.base_urls))
    ours = market.our_prices()
    products = []
    base = market.catalogue.products[: market.n_products]
    for p in base:
        entry = {
            "sku": our_sku(p),
            "name": p.name,
            "brand": p.brand,
            "gtin": p.gtin,
            "price": str(ours[p.id]),
            "category": p.category,
        }
        if p.num % 4 == 0:
            entry["map_price"] = str((ours[p.id] * Decimal("0.9")).quantize(Decimal("0.01")))
        products.append(entry)
    if "gamma" in market.base_urls:  # one match by hand, as a user writes it
        products[0]["watches"] = [market.product_url("gamma", base[0].id)]
    return {
        "currency": OUR_CURRENCY,
        "rates": {"file": str(rates_path)},
        "products": products + _decoys(base, {p.name for p in market.catalogue.products}),
    }


def print_prices(
    console: Console, watchlist, factory: sessionmaker[Session], path: Path, limit: int = 10  # noqa: ANN001
) -> list[MatrixRow]:
    """Where we are the most expensive, and by how much (the whole matrix: `rivalwatch prices`)."""
    if watchlist.catalogue is None:
        return []
    with factory() as session:
        rows = price_matrix(session, watchlist.catalogue.currency)
        proposals = len(match_rows(session, ("proposed",)))
    console.print()
    console.print(f"[bold]price matrix[/bold] {summary_line(rows, proposals)}")
    console.print(f"where we are the most expensive (the whole matrix: `rivalwatch prices -c {path}`):")
    for row in where_most_expensive(rows, limit):
        console.print(f"   • {row_line(row)}")
    return rows
