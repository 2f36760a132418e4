"""`rivalwatch demo`: run rivalwatch over several simulated days against the bundled demo market.

Everything is real and local: the market is served over HTTP on 127.0.0.1, the store is SQLite under
./var/demo/, and alerts are delivered by Apprise to an SMTP server on 127.0.0.1 that keeps each mail
as an .eml file. The watchlist the demo used is written beside them, so a user can read and reuse it.

The simulated days are the store's last days: day d is checked at this moment minus (days - d) days,
so the last one is yesterday, at this time of day. The store then looks like one that has run once
a day for `days` days (its next checks are due now), the market's pages show the same dates, every
day's 09:00 digest has gone out by the end, and the report the demo writes covers the demo's days
and is dated now. A store that has run a week has no anomaly scores yet (they need 14 days of
history; messages say "not enough history yet"): `--days 21` shows them from the 15th day on.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from rich.console import Console

from alerts.dispatcher import dispatch_pending
from models.db import open_store
from monitor.crawl.runner import RunSummary, run_cycle, sync_store
from monitor.demo import DemoMarket
from monitor.demo.mailbox import LocalMailbox
from monitor.demo.report import write_demo_report
from monitor.demo.session_content import CONTENT_KINDS, demo_content_watches, print_content_day
from monitor.demo.session_listings import DEMO_LISTING_RULES, LISTING_KINDS, demo_listings, print_listing_day
from monitor.demo.session_prices import DEMO_MATRIX_RULES, demo_catalogue, print_prices
from monitor.demo.session_ranks import DEMO_RANK_RULES, RANK_KINDS, demo_keyword_groups, print_rank_day
from monitor.demo.shops import SHOPS
from monitor.watchlist import load_watchlist


@dataclass(frozen=True)
class DemoResult:
    workdir: Path
    database_url: str
    watchlist_path: Path
    mailbox: Path
    mails: int
    summaries: list[RunSummary]


DIGEST_AT = "09:00"  # the demo's mail channel: one digest a morning, in the watchlist's time zone
DEMO_TZ = "Asia/Shanghai"


def demo_session_watchlist(market, mail_url: str, db_url: str, rates_file: Path, today: date) -> dict:  # noqa: ANN001
    """The whole watchlist `rivalwatch demo` writes: the shops' products, keyword groups, listings,
    sites and pages, our catalogue (its rates written to `rates_file`), and the rules of each."""
    data = demo_watchlist(market, mail_url)
    data["settings"]["database_url"] = db_url
    data["keywords"] = demo_keyword_groups(market, [c["name"] for c in data["competitors"]])
    data["rules"] += DEMO_RANK_RULES
    data["listings"] = demo_listings(market)
    data["rules"] += DEMO_LISTING_RULES
    for key, watches in demo_content_watches(market).items():
        data.setdefault(key, []).extend(watches)
    data["catalogue"] = demo_catalogue(market, rates_file, today)
    data["rules"] += DEMO_MATRIX_RULES
    return data


def demo_watchlist(market, mail_url: str) -> dict:  # noqa: ANN001
    """The watchlist a user would write for the demo market: one competitor per shop, each product
    tied to ours by `our_sku` (the same product at every shop) with our price in the shop's currency."""

    our_prices: dict[str, dict[str, Decimal]] = {shop: market.our_prices(shop) for shop in market.base_urls}
    competitors, products = [], []
    for shop, base in market.base_urls.items():
        netloc = base.split("://", 1)[1]
        competitors.append({"name": shop.capitalize(), "domains": [netloc], "tags": ["demo"]})
    opening = market.truth(0) if hasattr(market, "truth") else {}
    names = {shop: {pid: t.name for pid, t in products.items()} for shop, products in opening.items()}
    for shop, product_id, url in market.product_urls():
        name = names.get(shop, {}).get(product_id, product_id)
        watch = {
            "url": url,
            "competitor": shop.capitalize(),
            "label": f"{shop.capitalize()} · {name}",
            "our_sku": product_id,
        }
        selectors = dict(SHOPS[shop].selectors)
        if selectors:
            watch["selectors"] = dict(selectors)
        if SHOPS[shop].needs_browser:  # prices exist only after JavaScript ran
            watch.update(render="browser", wait_for=selectors.get("price") or "body")
        ours = our_prices.get(shop, {}).get(product_id)
        if ours is not None:
            watch["our_price"] = str(ours)
        products.append(watch)
    return {
        "settings": {"allow_private_addresses": True, "default_interval": "1d", "timezone": DEMO_TZ},
        "competitors": competitors,
        "products": products,
        "channels": [
            {
                "name": "ops-mail",
                "url": mail_url,
                "tags": ["ops"],
                "mode": "digest",
                "at": [DIGEST_AT],
                "locale": "en",
            }
        ],
        "rules": [
            {"name": "price-drop", "when": "price_drop", "threshold_pct": 5, "severity": "warning"},
            {"name": "price-rise", "when": "price_rise", "threshold_pct": 10, "severity": "info"},
            {"name": "undercut", "when": "undercut", "severity": "critical"},
            {"name": "stock-out", "when": "out_of_stock", "severity": "warning"},
            {"name": "restock", "when": "back_in_stock", "severity": "info"},
            {"name": "gone", "when": "product_gone", "severity": "warning"},
        ],
    }


def day_clock(days_ago: int) -> Callable[[], datetime]:
    """The store's clock for a simulated day: this moment, `days_ago` days back (it moves on with real time)."""

    def clock() -> datetime:
        return datetime.now(UTC) - timedelta(days=days_ago)

    return clock


def run_demo(
    days: int = 7,
    seed: int = 7,
    n_products: int = 50,
    workdir: Path = Path("var/demo"),
    console: Console | None = None,
    keep: bool = False,
) -> DemoResult:

    console = console or Console(highlight=False)
    workdir = workdir.resolve()
    if workdir.exists() and not keep:
        shutil.rmtree(workdir)  # the demo is reproducible: same seed, same story, fresh store
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{workdir / 'rivalwatch.db'}"
    mailbox = LocalMailbox(workdir / "mailbox")
    mailbox.start()
    tz = ZoneInfo(DEMO_TZ)
    first_day = day_clock(days)().astimezone(tz).date()  # the market shows the store's dates
    market = DemoMarket(seed=seed, n_products=n_products, day0=first_day)
    market.start()
    summaries: list[RunSummary] = []
    try:
        watchlist_path = workdir / "watchlist.yaml"
        start = datetime.now(UTC).replace(microsecond=0)
        data = demo_session_watchlist(market, mailbox.apprise_url(), db_url, workdir / "rates.xml", start.date())
        watchlist_path.write_text(
            "# The watchlist `rivalwatch demo` used against the demo market (ports change every run).\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        watchlist = load_watchlist(watchlist_path)
        _engine, factory = open_store(db_url)
        shops = ", ".join(f"{s} ({u})" for s, u in market.base_urls.items())
        console.print(
            f"[bold]demo market[/bold] on 127.0.0.1: {shops}; {len(watchlist.products)} product watches; "
            f"{days} days, {market.catalogue.date(0):%a %Y-%m-%d} to {market.catalogue.date(days - 1):%a %Y-%m-%d}"
        )
        sync_store(watchlist, factory)  # once, as a process does when it starts
        moments: list[datetime] = []
        for day in range(days):
            market.set_day(day)
            clock = day_clock(days - day)
            moments.append(clock())
            summary = run_cycle(watchlist, factory, force=True, clock=clock, trigger="demo", sync=False)
            summaries.append(summary)
            _print_day(console, market.day_label(day), summary)
            print_rank_day(console, factory, summary)
            print_listing_day(console, summary, factory)
            print_content_day(console, factory, summary)
        # The last day's digest closed before now: send what is due, as the service would.
        last = dispatch_pending(factory, watchlist)
        for error in last.errors[:3]:
            console.print(f"   [red]alert error[/red] {error}")
        print_prices(console, watchlist, factory, watchlist_path)
        mails = len(mailbox.messages())
    finally:
        market.stop()
        mailbox.stop()
    console.print()
    console.print(
        f"[bold]data[/bold]      {workdir / 'rivalwatch.db'} (SQLite; `rivalwatch status -c {watchlist_path}`)"
    )
    console.print(
        f"[bold]mailbox[/bold]   {workdir / 'mailbox'} ({mails} mails delivered over SMTP, one .eml each: "
        f"a digest every morning at {DIGEST_AT})"
    )
    console.print(f"[bold]watchlist[/bold] {watchlist_path}")

    write_demo_report(console, watchlist, factory, moments, workdir / "reports")
    return DemoResult(workdir, db_url, watchlist_path, workdir / "mailbox", mails, summaries)


def _print_day(console: Console, label: str, summary: RunSummary) -> None:
    s = summary.stats
    kinds = Counter(c.kind for c in summary.changes)
    alerts = []
    if summary.alerts_queued:
        alerts.append(f"{summary.alerts_queued} alerts for the next digest")
    if summary.alerts_sent:
        alerts.append(f"{summary.alerts_sent} mail sent")
    console.print(
        f"[bold]{label}[/bold]: {summary.due} pages checked, {s.ok} ok ({s.unchanged} unchanged), {s.failed} failed; "
        + (", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(kinds.items())) or "no changes")
        + (f"; {', '.join(alerts)}" if alerts else "")
    )
    apart = RANK_KINDS | CONTENT_KINDS | LISTING_KINDS  # printed by their own parts of the demo
    others = [c for c in summary.changes if c.kind not in apart]
    for change in others[:12]:
        console.print(f"   • {change.summary}")
    if len(others) > 12:
        console.print(f"   … and {len(others) - 12} more")
    failures = Counter(o.reason for o in s.outcomes if o.status == "failed")
    for reason, n in failures.most_common(3):
        console.print(f"   [yellow]✗[/yellow] {n} failed: {reason}")
    for error in summary.alert_errors[:3]:
        console.print(f"   [red]alert error[/red] {error}")
