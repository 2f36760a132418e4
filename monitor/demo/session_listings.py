"""The listing part of `rivalwatch demo`: a few category and "new arrivals" pages of the demo shops,
watched across their pages, and the day's listing changes, printed."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from sqlalchemy import select

from models import Watch
from monitor.kinds import kinds_of
from monitor.kinds.listing.observe import ListingRead

LISTING_KINDS = kinds_of("listing")
SHOWN = 8


def demo_listings(market) -> list[dict]:  # noqa: ANN001
    """Two category listings and two "new arrivals" pages, on different shops (automatic card detection)."""
    shops = list(market.base_urls)
    picks = [(shops[0], "/category/headphones"), (shops[min(2, len(shops) - 1)], "/category/phones")]
    picks += [(shops[0], "/new"), (shops[min(1, len(shops) - 1)], "/new")]
    out = []
    for shop, path in picks:
        what = "new arrivals" if path == "/new" else path.rsplit("/", 1)[1]
        watch = {
            "url": market.url(shop, path),
            "competitor": shop.capitalize(),
            "label": f"{shop.capitalize()} · {what}",
            "max_pages": 20,
            "tags": ["demo"],
        }
        if path == "/new":
            # New arrivals may hold a single card, which no automatic detection can call a pattern.
            watch["selectors"] = {"card": "li.product-card", "price": ".price"}
        out.append(watch)
    return out


DEMO_LISTING_RULES = [
    {"name": "listing-new-item", "when": "listing_item_added", "severity": "info"},
]


def print_listing_day(console: Console, summary, factory=None) -> None:  # noqa: ANN001
    """One line for the day's listing checks, then their changes (named by their watch's label)."""
    stats = summary.by_kind.get("listing")
    if stats is None:
        return
    changes = [c for c in summary.changes if c.kind in LISTING_KINDS]
    kinds = Counter(c.kind.removeprefix("listing_").replace("_", " ") for c in changes)
    items = sum(len(o.value.items) for o in stats.outcomes if o.ok and isinstance(o.value, ListingRead))
    console.print(
        f"   [bold]listings[/bold]: {stats.ok + stats.failed} checked ({items} cards), {stats.failed} failed; "
        + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no changes")
    )
    labels = _labels(factory, {c.watch_id for c in changes}) if factory is not None else {}
    for change in changes[:SHOWN]:
        where = labels.get(change.watch_id)
        console.print(f"     ◦ {where}: {change.summary}" if where else f"     ◦ {change.summary}")
    if len(changes) > SHOWN:
        console.print(f"     … and {len(changes) - SHOWN} more")
    for o in stats.outcomes:
        if o.status == "failed":
            console.print(f"     [yellow]✗[/yellow] {o.url}: {o.reason}")


def _labels(factory, watch_ids: set[int]) -> dict[int, str]:  # noqa: ANN001

    if not watch_ids:
        return {}
    with factory() as session:
        rows = session.execute(select(Watch.id, Watch.label, Watch.url).where(Watch.id.in_(watch_ids)))
        return {wid: label or url for wid, label, url in rows}
