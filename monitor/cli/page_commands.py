"""`rivalwatch diff WATCH` and `rivalwatch preview WATCH`: the history and the filters of page and site watches.

    rivalwatch diff "Rival pricing"              # the stored diffs of a page watch, newest first
    rivalwatch diff https://rival.example/       # the last crawl's changes of a site watch
    rivalwatch preview "Rival pricing"           # what the filters make of the page right now
    rivalwatch preview --url https://rival.example/pricing --css main --ignore "/\\d+ online/"

WATCH is a watch's id, label or URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import click
from rich.markup import escape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import Change, Observation, PageDiff, Watch
from models.page_text import latest_texts
from monitor.cli.common import config_option, console, err_console, load_or_exit, open_store_or_exit
from monitor.config.selectors import check_css, check_rule, check_xpath
from monitor.kinds.base import read_options
from monitor.kinds.page.config import PageOptions
from monitor.kinds.page.preview import preview_body
from monitor.watchlist import Watchlist
from spiders.crawl_settings import crawl_settings
from spiders.engine import fetch_page, quiet_scrapy_logs
from spiders.extract.page import strip_controls
from spiders.extract.page_filter import PageFilter
from spiders.fetch import FetchedPage, FetchJob


def find_watch(session: Session, ref: str, kinds: tuple[str, ...] = ("page", "site")) -> Watch:
    """The watch `ref` names (id, label, or URL), preferring the given kinds; exits when none or many."""
    query = select(Watch).where(or_(Watch.label == ref, Watch.url == ref))
    if ref.isdigit():
        query = select(Watch).where(or_(Watch.id == int(ref), Watch.label == ref, Watch.url == ref))
    found = list(session.scalars(query.order_by(Watch.active.desc(), Watch.id)))
    preferred = [w for w in found if w.kind in kinds] or found
    if not preferred:
        err_console.print(f"[red]error[/red] no watch has the id, label or URL {ref!r}")
        raise SystemExit(2)
    active = [w for w in preferred if w.active] or preferred
    if len(active) > 1:
        names = ", ".join(f"{w.id} ({w.kind} {w.label or w.url})" for w in active[:5])
        err_console.print(f"[red]error[/red] {ref!r} names several watches: {names}; give the id")
        raise SystemExit(2)
    return active[0]


def _shown(text: str) -> str:
    """Text from a page (stored or fetched now) as the terminal may print it: no control characters
    (rows stored before they were stripped may hold some), no Rich markup."""
    return escape(strip_controls(text))


def _print_unified(text: str) -> None:
    for line in text.splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        if line.startswith(("+++", "---", "@@")):
            style = "bold"
        console.print(f"[{style}]{_shown(line)}[/{style}]")


@click.command("diff")
@click.argument("watch")
@config_option
@click.option("-n", "--limit", default=5, show_default=True, help="How many stored diffs to show.")
def diff(watch: str, config_path: str, limit: int) -> None:
    """Show the stored diffs of a page watch, or the last changes of a site watch."""
    watchlist = load_or_exit(config_path) if Path(config_path).exists() else None
    _engine, factory = open_store_or_exit(watchlist)
    with factory() as session:
        w = find_watch(session, watch)
        console.print(f"[bold]{_shown(w.label or w.url)}[/bold] ({w.kind} watch {w.id}, {_shown(w.url)})")
        if w.kind == "page":
            diffs = session.scalars(
                select(PageDiff).where(PageDiff.watch_id == w.id).order_by(PageDiff.id.desc()).limit(limit)
            ).all()
            if not diffs:
                console.print("no content change stored yet")
            for d in diffs:
                console.print(
                    f"\n[bold]{d.observed_at:%Y-%m-%d %H:%M} UTC[/bold]: "
                    f"{len(d.added_lines)} lines added, {len(d.removed_lines)} removed"
                )
                _print_unified(
                    d.unified
                    or "\n".join(["+" + x for x in d.added_lines] + ["-" + x for x in d.removed_lines])
                )
            triggers = session.scalars(
                select(Change)
                .where(Change.watch_id == w.id, Change.kind == "trigger_text_appeared")
                .order_by(Change.id.desc())
                .limit(limit)
            ).all()
            for c in triggers:
                console.print(f"[yellow]trigger[/yellow] {c.detected_at:%Y-%m-%d %H:%M}: {_shown(c.summary)}")
            return
        last = session.scalars(
            select(Change.observation_id).where(Change.watch_id == w.id).order_by(Change.id.desc()).limit(1)
        ).first()
        if last is None:
            console.print("no change recorded yet")
            return
        obs = session.get(Observation, last)
        if obs is None:
            console.print("no change recorded yet")
            return
        changes = session.scalars(
            select(Change).where(Change.observation_id == last).order_by(Change.id)
        ).all()
        console.print(f"last changes, found {obs.fetched_at:%Y-%m-%d %H:%M} UTC:")
        for c in changes:
            console.print(f"  • [bold]{c.kind.replace('_', ' ')}[/bold]: {_shown(c.summary)}")


def _configured_page(watchlist: Watchlist, ref: str) -> tuple[PageOptions, str | None, int, str]:
    """(options, last stored text, watch id, url) of the page watch `ref` names: from the watchlist
    (so a watch can be previewed before its first run), else from the store by id, label or URL."""
    entry = next((p for p in watchlist.pages if ref in (p.label, p.url)), None)
    _engine, factory = open_store_or_exit(watchlist)
    with factory() as session:
        if entry is not None:
            row = session.scalars(select(Watch).where(Watch.kind == "page", Watch.url == entry.url)).first()
            opts = entry.options()
        else:
            row = find_watch(session, ref, ("page",))
            opts = read_options(PageOptions, row.options)
        last = latest_texts(session, [row.id]).get(row.id) if row is not None else None
    url = entry.url if entry is not None else row.url if row is not None else ref
    return opts, last[1] if last else None, row.id if row is not None else 0, url


@dataclass(frozen=True)
class FilterGiven:
    """The filter options given on the command line: each one given replaces the watch's own."""

    css: str | None = None
    xpath: str | None = None
    regex: str | None = None
    remove: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    trigger: tuple[str, ...] = ()

    def check(self) -> None:
        """ValueError for an option the watchlist would refuse, so a filter that previews is one that loads."""
        for value, check in ((self.css, check_css), (self.xpath, check_xpath)):
            if value is not None:
                check(value)
        regex = [self.regex if self.regex.startswith("/") else f"/{self.regex}/"] if self.regex else []
        for rule in (*self.ignore, *self.trigger, *regex):
            check_rule(rule)
        for selector in self.remove:
            check_css(selector)

    def over(self, base: PageFilter) -> PageFilter:
        """The watch's filter `base` with the options given here in place of its own."""
        return replace(
            base,
            css=self.css if self.css is not None else base.css,
            xpath=self.xpath if self.xpath is not None else base.xpath,
            regex=self.regex if self.regex is not None else base.regex,
            remove=list(self.remove) or list(base.remove),
            ignore=list(self.ignore) or list(base.ignore),
            trigger=list(self.trigger) or list(base.trigger),
        )


@click.command("preview")
@click.argument("watch", required=False)
@config_option
@click.option("--url", help="Preview this URL instead of (or for) a configured watch.")
@click.option(
    "--html", "html_file", type=click.Path(exists=True, dir_okay=False), help="Use this saved page; no fetch."
)
@click.option("--css", help="CSS selector of the part to keep.")
@click.option("--xpath", help="XPath of the part to keep.")
@click.option("--regex", help="Keep only the text this regex matches.")
@click.option("--remove", multiple=True, help="CSS selector of elements to drop (repeatable).")
@click.option("--ignore", multiple=True, help="Text or /regex/ to ignore when comparing (repeatable).")
@click.option("--trigger", multiple=True, help="Text or /regex/ to alert on (repeatable).")
@click.option("--render", type=click.Choice(["http", "browser"]), help="Fetch with Chromium.")
@click.option("--allow-private", is_flag=True, help="Allow 127.0.0.1 and private addresses (no config).")
def preview(  # noqa: PLR0913
    watch: str | None,
    config_path: str,
    url: str | None,
    html_file: str | None,
    css: str | None,
    xpath: str | None,
    regex: str | None,
    remove: tuple[str, ...],
    ignore: tuple[str, ...],
    trigger: tuple[str, ...],
    render: str | None,
    allow_private: bool,
) -> None:
    """Fetch a page now and show what the filters produce, before the watch runs for real."""
    if not watch and not url:
        raise click.UsageError("give a WATCH (id, label or URL) or --url")
    given = FilterGiven(css, xpath, regex, remove, ignore, trigger)
    try:
        given.check()
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    quiet_scrapy_logs(logging.CRITICAL)
    have_config = Path(config_path).exists()
    watchlist = load_or_exit(config_path) if have_config else Watchlist()
    if allow_private:
        watchlist = watchlist.model_copy(
            update={"settings": watchlist.settings.model_copy(update={"allow_private_addresses": True})}
        )
    opts, stored, watch_id = PageOptions(), None, 0
    if watch and (have_config or not url):
        opts, stored, watch_id, target = _configured_page(watchlist, watch)
        url = url or target
    elif watch:
        url = url or watch
    page_filter = given.over(opts.page_filter())
    if not url:
        raise click.UsageError(f"no page watch named {watch!r} and no --url given")
    target = url
    job = FetchJob(
        watch_id=watch_id,
        url=target,
        kind="page",
        render=render or opts.render,
        wait_for=opts.wait_for,
    )
    if html_file:
        page = FetchedPage(job=job, url=target, status=200, body=Path(html_file).read_bytes(), headers={})
    else:
        with console.status(f"fetching {target}"):
            page = fetch_page(job, crawl_settings(watchlist.settings.crawl_limits(), job.render == "browser"))
    result = preview_body(page, page_filter, stored)
    console.print(f"[bold]{_shown(result.url)}[/bold] (HTTP {result.status or '-'})")
    if result.error:
        console.print(f"[red]✗ a check now would fail:[/red] {_shown(result.error)}")
    console.rule("text the watch stores")
    console.print(_shown(result.text) if result.text else "[dim](no text)[/dim]")
    console.rule()
    console.print(f"{len(result.text.splitlines())} lines")
    for line in result.ignored_lines[:20]:
        console.print(f"[dim]ignored when comparing:[/dim] {_shown(line)}")
    for rule, line in result.triggers.items():
        console.print(f"[yellow]trigger {_shown(rule)!s} present:[/yellow] {_shown(line)}")
    if result.compared_with_stored:
        if result.added_lines or result.removed_lines:
            console.print("[bold]a check now would report:[/bold]")
            for line in result.removed_lines:
                console.print(f"[red]- {_shown(line)}[/red]")
            for line in result.added_lines:
                console.print(f"[green]+ {_shown(line)}[/green]")
        else:
            console.print("same as the stored text: a check now would report no change")
    if result.error:
        raise SystemExit(1)
