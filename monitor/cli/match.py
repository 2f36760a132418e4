"""`rivalwatch match`: which competitor page sells which product of ours. Lists matches and the
proposals waiting for a person, accepts or rejects them, and matches new pages now."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.markup import escape
from rich.table import Table

from models.catalogue_queries import MatchRow, match_rows
from monitor.catalogue.auto_match import MatchError, decide_match
from monitor.catalogue_cycle import CatalogueRun, catalogue_run
from monitor.cli.common import config_option, console, err_console, load_or_exit, open_store_or_exit


def _evidence(row: MatchRow) -> str:
    e = row.evidence
    if row.method == "gtin":
        return f"GTIN {e.get('gtin')}"
    if row.method in ("mpn", "sku"):
        code = e.get("page_mpn") or e.get("page_sku")
        return f"{row.method.upper()} {code}" + (f"; {e['title_conflict']}" if e.get("title_conflict") else "")
    if row.method == "title":
        return f"title {e.get('similarity', 0):.0%} alike" + (", codes " + " ".join(e["codes"]) if e.get("codes") else "")
    return row.method


def print_matches(rows: list[MatchRow]) -> None:
    table = Table(title_justify="left")
    for col in ("#", "status", "confidence", "competitor page", "our product", "evidence"):
        table.add_column(col, overflow="fold")
    for r in rows:
        page = escape(r.page_name or r.label or r.url)
        table.add_row(
            str(r.id), r.status, f"{r.confidence:.2f}", f"{escape(r.competitor or '?')} · {page}",
            f"{escape(r.our_sku)} {escape(r.our_name)}", escape(_evidence(r)),
        )
    console.print(table)


def _refresh(config_path: str) -> CatalogueRun:
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    return catalogue_run(watchlist, factory, lambda: datetime.now(UTC), trigger="match")


@click.group()
def group() -> None:
    """Matches between competitor product pages and our products."""


@group.command("list")
@config_option
@click.option("--all", "show_all", is_flag=True, help="Accepted and rejected matches too.")
def list_matches(config_path: str, show_all: bool) -> None:
    """The proposals waiting for a decision (with --all: every match)."""
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    statuses = ("proposed", "accepted", "rejected") if show_all else ("proposed",)
    with factory() as session:
        rows = match_rows(session, statuses)
    if not rows:
        console.print("no proposals waiting" if not show_all else "no matches yet")
        return
    print_matches(rows)
    if not show_all:
        console.print("[dim]`rivalwatch match accept ID...` applies a proposal, `reject ID...` never proposes it again[/dim]")


def _decide(config_path: str, ids: tuple[int, ...], accept: bool, above: float | None) -> None:
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    now = datetime.now(UTC)
    with factory.begin() as session:
        chosen = list(ids)
        if above is not None:
            chosen += [r.id for r in match_rows(session, ("proposed",)) if r.confidence >= above]
        if not chosen:
            err_console.print("[red]error[/red] no match given (IDs, or --above CONFIDENCE)")
            raise SystemExit(2)
        try:
            for match_id in dict.fromkeys(chosen):
                decide_match(session, match_id, accept, now)
        except MatchError as exc:
            err_console.print(f"[red]error[/red] {exc}")
            raise SystemExit(2) from None
    done = _refresh(config_path)
    verb = "accepted" if accept else "rejected"
    changes = len(done.refresh.changes) if done.refresh else 0
    console.print(f"{len(set(chosen))} {verb}; the matrix is up to date ({changes} changes)")


@group.command()
@config_option
@click.argument("ids", nargs=-1, type=int)
@click.option("--above", type=float, help="Every proposal with at least this confidence.")
def accept(config_path: str, ids: tuple[int, ...], above: float | None) -> None:
    """Apply proposals (or replace a watch's match): the page counts in the matrix from now on."""
    _decide(config_path, ids, True, above)


@group.command()
@config_option
@click.argument("ids", nargs=-1, type=int)
def reject(config_path: str, ids: tuple[int, ...]) -> None:
    """Reject matches or proposals: never proposed again; the page is matched again without them."""
    _decide(config_path, ids, False, None)


@group.command()
@config_option
def run(config_path: str) -> None:
    """Match the pages checked since the last crawl now, and bring the matrix up to date."""
    done = _refresh(config_path)
    m = done.refresh.matches if done.refresh else None
    if m is None:
        console.print("the watchlist has no `catalogue:` section")
        return
    console.print(f"{m.tried} pages matched again: {m.accepted} accepted, {m.proposed} proposed")
