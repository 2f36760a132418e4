"""The keyword part of `rivalwatch demo`: the demo keywords tracked on the demo market's search engine
(standing in for Google through `base_url`), and the day's rank moves and visibility, printed."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from monitor.kinds import kinds_of
from monitor.kinds.keyword.summary import rank_report

RANK_KINDS = kinds_of("keyword")


def demo_keyword_groups(market, competitors: list[str]) -> list[dict]:  # noqa: ANN001
    """One group: every demo keyword, 3 pages deep, following every shop (named as competitors)."""
    return [
        {
            "name": "demo-keywords",
            "keywords": market.keywords(),
            "engines": ["google"],
            "locales": [{"country": "us", "language": "en"}],
            "depth": 3,
            "competitors": competitors,
            "interval": "1d",
            "tags": ["demo"],
            # The demo engine speaks Google's markup; a real setup leaves base_url out.
            "base_url": market.search_url,
            # A local engine needs no politeness delay; real engines keep the defaults (10 s, jittered).
            "access": {"google": {"min_delay": 0, "random_delay": 0, "concurrency": 4}},
        }
    ]


DEMO_RANK_RULES = [
    {"name": "rank-top3", "when": "entered_top_n", "top_n": 3, "severity": "info"},
    {"name": "rank-fell", "when": "left_top_n", "top_n": 10, "severity": "warning"},
    {"name": "rank-big-move", "when": "rank_moved", "min_positions": 5, "severity": "info"},
]


def print_rank_day(console: Console, factory: sessionmaker[Session], summary, top: int = 6) -> None:  # noqa: ANN001
    """The day's biggest rank moves of tracked domains, and each domain's visibility over the group."""
    stats = summary.by_kind.get("keyword")
    if stats is None:
        return
    changes = [c for c in summary.changes if c.kind in RANK_KINDS]
    moves = sorted(
        (c for c in changes if c.kind == "rank_moved"),
        key=lambda c: -abs(int(c.details.get("delta") or 0)),
    )
    crossings = [c for c in changes if c.kind in ("entered_top_n", "left_top_n")]
    console.print(
        f"   [bold]ranks[/bold]: {stats.ok} keyword checks ok, {stats.failed} failed; "
        f"{len(moves)} moves, {len(crossings)} top-N entries/exits, "
        f"{sum(c.kind == 'new_domain_top10' for c in changes)} new domains in a top 10"
    )
    for c in (crossings + moves)[:top]:
        console.print(f"     ↕ {c.summary}")
    with factory() as session:
        reports = rank_report(session)
    for report in reports:
        owners = dict(report.domains)
        share = report.share_of_voice()
        parts = [
            f"{owners.get(v.domain) or v.domain} {v.score:.1%} ({share[v.domain]:.0%} SoV)"
            for v in sorted(report.visibility, key=lambda v: -v.score)
        ]
        console.print(f"     visibility ({report.name}): " + ", ".join(parts))
