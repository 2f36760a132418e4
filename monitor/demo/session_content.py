"""The demo's site watch and page-content watch: one shop's whole site, and its blog page's text.

`rivalwatch demo` adds these to its watchlist and prints what they found each day (new blog posts,
products added and removed, the blog page's text diff, and a trigger text when it appears).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from sqlalchemy import select

from models import Watch
from monitor.kinds import kinds_of

CONTENT_KINDS = kinds_of("site") | kinds_of("page")


def demo_content_watches(market) -> dict[str, list[dict]]:  # noqa: ANN001
    """A site watch and a page-content watch on the demo market's first shop."""
    shop, base = next(iter(market.base_urls.items()))
    name = shop.capitalize()
    return {
        "sites": [{"url": base + "/", "competitor": name, "label": f"{name} · whole site", "max_pages": 300}],
        "pages": [
            {
                "url": base + "/blog/",
                "competitor": name,
                "label": f"{name} · blog",
                "css": "main.blog",
                "trigger": ["Deals roundup"],
            }
        ],
    }


def print_content_day(console: Console, session_factory, summary) -> None:  # noqa: ANN001
    """The day's site and page-content changes, each under its watch."""

    mine = [c for c in summary.changes if c.kind in CONTENT_KINDS]
    if not mine:
        return
    with session_factory() as session:
        labels = {
            w.id: w.label or w.url
            for w in session.scalars(select(Watch).where(Watch.id.in_({c.watch_id for c in mine})))
        }
    for watch_id in dict.fromkeys(c.watch_id for c in mine):
        console.print(f"   [bold]{escape(labels.get(watch_id, str(watch_id)))}[/bold]")
        for c in [c for c in mine if c.watch_id == watch_id][:8]:
            console.print(f"     • {escape(c.summary)}")
            if c.kind == "content_changed":
                for line in (c.details.get("added_lines") or [])[:4]:
                    if line.strip():
                        console.print(f"       [green]+ {escape(line.strip())}[/green]")
                for line in (c.details.get("removed_lines") or [])[:4]:
                    if line.strip():
                        console.print(f"       [red]- {escape(line.strip())}[/red]")
