"""`rivalwatch ranks [GROUP]`: the latest rank of each tracked domain per keyword, its move, best rank,
and per group each domain's visibility and share of voice."""

from __future__ import annotations

import json

import click
from rich.table import Table

from monitor.cli.common import config_option, console, load_or_exit, open_store_or_exit
from monitor.kinds.keyword.summary import GroupReport, move_text, rank_report, rank_text


def _label(domain: str, owner: str | None) -> str:
    return f"{owner} ({domain})" if owner else f"ours: {domain}"


def print_group(report: GroupReport, out=console) -> None:  # noqa: ANN001
    table = Table(title=f"keyword group {report.name!r}", title_justify="left", show_lines=False)
    table.add_column("keyword")
    table.add_column("engine · locale · device")
    for domain, owner in report.domains:
        table.add_column(_label(domain, owner), justify="right")
    table.add_column("last check")
    for row in report.rows:
        cells = []
        for cell in row.cells:
            move = move_text(cell)
            best = f" best #{cell.best}" if cell.best is not None else ""
            cells.append(f"{rank_text(cell)} {move}".strip() + f"[dim]{best}[/dim]")
        when = row.checked_at.strftime("%Y-%m-%d %H:%M") if row.checked_at else "never"
        status = f"[red]failed[/red] {row.last_error}" if row.last_status == "failed" else when
        table.add_row(row.keyword, f"{row.engine} · {row.locale} · {row.device}", *cells, status)
    out.print(table)
    share = report.share_of_voice()
    for v in sorted(report.visibility, key=lambda v: -v.score):
        owner = dict(report.domains).get(v.domain)
        failed = f", {v.keywords_failed} not counted (last check failed)" if v.keywords_failed else ""
        out.print(
            f"  visibility {v.score:6.1%}  share of voice {share[v.domain]:6.1%}  {_label(v.domain, owner)}"
            f"  [dim]over {v.keywords_counted} keyword checks{failed}[/dim]"
        )


def report_json(report: GroupReport) -> dict:
    share = report.share_of_voice()
    return {
        "group": report.name,
        "keywords": [
            {
                "keyword": r.keyword,
                "engine": r.engine,
                "locale": r.locale,
                "device": r.device,
                "last_status": r.last_status,
                "last_error": r.last_error,
                "domains": {
                    c.domain: {"status": c.status, "rank": c.rank, "previous": c.previous, "best": c.best}
                    for c in r.cells
                },
            }
            for r in report.rows
        ],
        "visibility": {
            v.domain: {"score": v.score, "share_of_voice": share[v.domain]} for v in report.visibility
        },
    }


@click.command("ranks")
@click.argument("group", required=False)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per group.")
def ranks(group: str | None, config_path: str, as_json: bool) -> None:
    """Latest ranks per keyword x engine of each keyword group (or just GROUP), with moves and visibility."""
    watchlist = load_or_exit(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    weights = {g.name: dict(g.weights) for g in watchlist.keywords}
    with factory() as session:
        reports = rank_report(session, group, weights)
    if group is not None and not reports:
        known = ", ".join(g.name for g in watchlist.keywords) or "none configured"
        raise click.ClickException(f"no checks stored for keyword group {group!r} (groups: {known})")
    for report in reports:
        if as_json:
            click.echo(json.dumps(report_json(report), ensure_ascii=False))
        else:
            print_group(report)
    if not reports and not as_json:
        console.print("no keyword checks stored yet: add a `keywords:` group and run `rivalwatch run`")
