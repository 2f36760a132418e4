"""A finished keyword check -> an outcome: failed with its reason, or results, ranks and rank changes. Pure.

`conclude_check` (pure) decides what a check means. Only a check whose pages all read as results (or
a confirmed "no results" page) is good; a block page, an HTTP error, a transport failure, a page that
needs a browser, a layout we do not recognise, or a check skipped because its engine was paused is a
failed observation with its reason, retried after the engine's backoff. A failed check has no ranks:
never "rank 0", never "not in the top 100". Changes come from `monitor.kinds.keyword.ranks.detect_changes`, each good
check against the watch's last GOOD one, so a failure between two good days hides nothing and invents
nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from models.rank import DomainRank, RankCheck, RankResult
from monitor.changes.record import DetectedChange
from monitor.kinds.base import Observer
from monitor.kinds.keyword.ranks import RankObservation, detect_changes, host_of, matches_domain, rank_of
from monitor.kinds.outcome import Memory, Outcome, RowPlan, advance, begin_outcome
from spiders.extract.serp import BLOCKED, NEEDS_RENDER, NO_RESULTS, RESULTS, SerpResult
from spiders.serp_fetch import SerpFetch, blocked_status

KEEP_BODY_BYTES = 2_000_000


@dataclass
class RankMemory(Memory):
    """What a keyword watch must know: its identity, tracked domains, last good check.

    Its `retry_first_s` is the engine's backoff: a blocked engine is left alone that long, doubling."""

    group: str = ""
    keyword: str = ""
    engine: str = ""
    locale: str = ""
    device: str = "desktop"
    domains: list[str] = field(default_factory=list)
    owners: dict[str, int | None] = field(default_factory=dict)  # domain -> competitor id (None: ours)
    names: dict[str, str] = field(default_factory=dict)  # domain -> competitor name, for summaries
    competitor_domains: Sequence[tuple[str, int]] = ()  # every configured competitor's domains
    min_move: int = 1
    secrets: tuple[str, ...] = ()  # proxy credentials to keep out of stored reasons
    last_good: RankObservation | None = None


@dataclass(frozen=True)
class RankRead:
    """What one check read: the kind of page, and for a good check the organic results, ranked."""

    page_kind: str  # results | no_results | blocked | needs_render | error | skipped
    pages_checked: int = 0
    depth: int = 0
    results: tuple[SerpResult, ...] = ()
    result_count_text: str | None = None
    features: tuple[str, ...] = ()
    observation: RankObservation | None = None


RankOutcome = Outcome[RankRead]


def _mask(text: str, secrets: Sequence[str]) -> str:
    for value in sorted(set(secrets), key=len, reverse=True):
        if len(value) >= 3:
            text = text.replace(value, "***")
    return text


def _named(change: DetectedChange, names: dict[str, str]) -> str:
    """The summary with a tracked competitor's name beside its domain ("Beta (beta.example) moved up 2 ...")."""
    domain = str(change.details.get("domain") or "")
    name = names.get(domain)
    if not name or not change.summary.startswith(domain):
        return change.summary
    return f"{name} ({domain})" + change.summary[len(domain) :]


def _merged_results(fetch: SerpFetch) -> list[SerpResult]:
    """Organic results of all pages, ranked across pages; a URL repeated on a later page counts once."""
    out: list[SerpResult] = []
    seen: set[str] = set()
    for page in fetch.pages:
        for r in page.parsed.organic:
            if r.url in seen:
                continue
            seen.add(r.url)
            out.append(SerpResult(len(out) + 1, r.url, r.title, r.snippet))
    return out


def _failure(fetch: SerpFetch) -> tuple[str, str] | None:
    """(page kind, reason) when the check failed; None when it is good."""
    if fetch.skipped:
        return "skipped", fetch.skipped
    if fetch.error:
        return "error", f"{fetch.error} (page {len(fetch.pages) + 1})"
    if not fetch.pages:
        return "error", "no page fetched"
    last = fetch.pages[-1]
    parsed, where = last.parsed, f"page {last.number}, HTTP {last.status}"
    if parsed.kind == BLOCKED or blocked_status(last.status):
        return "blocked", f"blocked: {parsed.reason or 'block page'} ({where}); backing off"
    if last.status >= 400:
        return "error", f"HTTP {last.status} (page {last.number})"
    if parsed.kind == NEEDS_RENDER:
        return "needs_render", f"{parsed.reason} ({where})"
    if parsed.kind == NO_RESULTS and (parsed.reason or "").startswith("unconfirmed"):
        return "error", f"result page not recognised ({where}): {parsed.reason}"
    if parsed.kind not in (RESULTS, NO_RESULTS):
        return "error", f"unexpected page kind {parsed.kind!r} ({where})"
    return None


def _competitor_of(memory: RankMemory, change: DetectedChange) -> int | None:
    domain = str(change.details.get("domain") or change.field or "")
    if domain in memory.owners:
        return memory.owners[domain]
    for known, competitor_id in memory.competitor_domains:
        if matches_domain("//" + domain, known):
            return competitor_id
    return None


def check_rows(memory: RankMemory, outcome: RankOutcome, read: RankRead) -> list[RowPlan]:
    """The check row (failed ones too: their page kind says why), with the results and the tracked
    domains' ranks of a good check."""
    at = outcome.fetched_at
    children: list[tuple[Any, str, tuple[dict[str, Any], ...]]] = []
    if outcome.ok and read.observation is not None:
        obs = read.observation
        results = tuple(
            {"rank": r.rank, "url": r.url, "domain": host_of(r.url)[:300], "title": r.title} for r in read.results
        )
        ranks = tuple(
            {"watch_id": outcome.watch_id, "checked_at": at, "domain": d, "rank": p.rank, "url": p.url}
            for d in memory.domains
            for p in (rank_of(obs, d),)
        )
        children = [(RankResult, "check_id", results), (DomainRank, "check_id", ranks)]
    check = {
        "checked_at": at,
        "group_name": memory.group,
        "keyword": memory.keyword,
        "engine": memory.engine,
        "locale": memory.locale,
        "device": memory.device,
        "status": outcome.status,
        "page_kind": read.page_kind,
        "reason": outcome.reason,
        "pages_checked": read.pages_checked,
        "depth": read.depth,
        "result_count_text": read.result_count_text,
        "features": list(read.features),
    }
    return [RowPlan(RankCheck, check, children=tuple(children))]


def conclude_check(fetch: SerpFetch, memory: RankMemory, now: datetime) -> RankOutcome:
    """What one finished check means: a failed observation with its reason, or results, ranks, changes."""
    job = fetch.job
    pages = fetch.pages
    last = pages[-1] if pages else None
    outcome: RankOutcome = begin_outcome(
        memory,
        now,
        fetch.error_url or (last.url if last else job.page_url(1)),
        http_status=last.status if last and not fetch.error else None,
        elapsed_ms=sum(p.elapsed_ms for p in pages) if pages else None,
    )
    read = RankRead("error", len(pages), job.depth * job.per_page)
    failure = _failure(fetch)
    if failure is not None:
        kind, reason = failure
        outcome.reason = _mask(reason, memory.secrets)
        if last is not None and not fetch.error:
            outcome.keep_body(last.body, last.content_type or None, KEEP_BODY_BYTES)
        read = replace(read, page_kind=kind)
        outcome.value, outcome.rows = read, check_rows(memory, outcome, read)
        return outcome
    first = pages[0]
    results = _merged_results(fetch)
    obs = RankObservation(
        memory.keyword,
        memory.engine,
        memory.locale,
        memory.device,
        now.date(),
        tuple((r.rank, r.url) for r in results),
        read.depth,
    )
    read = replace(
        read,
        page_kind=RESULTS if results else NO_RESULTS,
        results=tuple(results),
        result_count_text=first.parsed.result_count_text,
        features=tuple(sorted({f for p in pages for f in p.parsed.features})),
        observation=obs,
    )
    outcome.status, outcome.url, outcome.value = "ok", first.url, read
    outcome.keep_body(first.body, first.content_type or None, KEEP_BODY_BYTES)
    if memory.last_good is not None:
        outcome.changes = [
            dataclasses.replace(
                c,
                summary=_named(c, memory.names),
                details={**c.details, "group": memory.group},
                competitor_id=_competitor_of(memory, c),
            )
            for c in detect_changes([memory.last_good, obs], memory.domains, min_move=memory.min_move)
        ]
    outcome.rows = check_rows(memory, outcome, read)
    return outcome


def remember_rank(memory: RankMemory, outcome: Outcome[Any]) -> None:
    advance(memory, outcome)
    if outcome.ok and isinstance(outcome.value, RankRead):
        memory.last_good = outcome.value.observation


OBSERVER: Observer[SerpFetch, RankMemory] = Observer(SerpFetch, conclude_check, remember_rank)
