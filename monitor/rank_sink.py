"""The rank sink: a finished keyword check -> observation, rank rows and rank changes, in one transaction.

`conclude_check` (pure) decides what a check means. Only a check whose pages all read as results (or
a confirmed "no results" page) is good; a block page, an HTTP error, a transport failure, a page that
needs a browser, a layout we do not recognise, or a check skipped because its engine was paused is a
failed observation with its reason, retried after the engine's backoff. A failed check has no ranks:
never "rank 0", never "not in the top 100". Changes come from `monitor.ranks.detect_changes`, each good
check against the watch's last GOOD one, so a failure between two good days hides nothing and invents
nothing.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from models import Body, Change, Watch
from models.crawl import Observation
from models.rank import DomainRank, RankCheck, RankResult
from monitor.changes.record import DetectedChange
from monitor.ranks import RankObservation, detect_changes, host_of, matches_domain, rank_of
from monitor.sink import SinkStats, utc_now
from spiders.extract.serp import BLOCKED, NEEDS_RENDER, NO_RESULTS, RESULTS, SerpResult
from spiders.serp_fetch import SerpFetch, blocked_status

KEEP_BODY_BYTES = 2_000_000
CHANGE_FIELD_MAX = 40  # changes.field is String(40); long hosts are cut, details keep them whole


@dataclass
class RankMemory:
    """What the sink must know of a keyword watch: its identity, tracked domains, last good check."""

    watch_id: int
    group: str
    keyword: str
    engine: str
    locale: str
    device: str
    domains: list[str]
    owners: dict[str, int | None] = field(default_factory=dict)  # domain -> competitor id (None: ours)
    names: dict[str, str] = field(default_factory=dict)  # domain -> competitor name, for summaries
    min_move: int = 1
    interval_s: float = 86400.0
    backoff_s: float = 3600.0
    secrets: tuple[str, ...] = ()  # proxy credentials to keep out of stored reasons
    last_good: RankObservation | None = None
    consecutive_failures: int = 0


@dataclass
class RankOutcome:
    watch_id: int
    fetched_at: datetime
    status: str  # ok | failed
    url: str
    page_kind: str  # results | no_results | blocked | needs_render | error | skipped
    reason: str | None = None
    http_status: int | None = None
    elapsed_ms: float | None = None
    body: bytes | None = None
    content_type: str | None = None
    pages_checked: int = 0
    depth: int = 0
    results: list[SerpResult] = field(default_factory=list)
    result_count_text: str | None = None
    features: list[str] = field(default_factory=list)
    observation: RankObservation | None = None
    changes: list[DetectedChange] = field(default_factory=list)


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


def conclude_check(fetch: SerpFetch, memory: RankMemory, now: datetime) -> RankOutcome:
    """What one finished check means: a failed observation with its reason, or results, ranks, changes."""
    job = fetch.job
    pages = fetch.pages
    last = pages[-1] if pages else None
    outcome = RankOutcome(
        watch_id=memory.watch_id,
        fetched_at=now,
        status="failed",
        url=fetch.error_url or (last.url if last else job.page_url(1)),
        page_kind="error",
        http_status=last.status if last and not fetch.error else None,
        elapsed_ms=sum(p.elapsed_ms for p in pages) if pages else None,
        pages_checked=len(pages),
        depth=job.depth * job.per_page,
    )
    failure = _failure(fetch)
    if failure is not None:
        outcome.page_kind, reason = failure
        outcome.reason = _mask(reason, memory.secrets)
        if last is not None and not fetch.error and len(last.body) <= KEEP_BODY_BYTES:
            outcome.body, outcome.content_type = last.body, last.content_type or None
        return outcome
    first = pages[0]
    results = _merged_results(fetch)
    outcome.status = "ok"
    outcome.url = first.url
    outcome.page_kind = RESULTS if results else NO_RESULTS
    outcome.results = results
    outcome.result_count_text = first.parsed.result_count_text
    outcome.features = sorted({f for p in pages for f in p.parsed.features})
    if len(first.body) <= KEEP_BODY_BYTES:
        outcome.body, outcome.content_type = first.body, first.content_type or None
    obs = RankObservation(
        memory.keyword,
        memory.engine,
        memory.locale,
        memory.device,
        now.date(),
        tuple((r.rank, r.url) for r in results),
        outcome.depth,
    )
    outcome.observation = obs
    if memory.last_good is not None:
        outcome.changes = detect_changes([memory.last_good, obs], memory.domains, min_move=memory.min_move)
    return outcome


def remember(memory: RankMemory, outcome: RankOutcome) -> None:
    if outcome.status == "ok":
        memory.last_good = outcome.observation
        memory.consecutive_failures = 0
    else:
        memory.consecutive_failures += 1


def next_due(memory: RankMemory, outcome: RankOutcome) -> datetime:
    """Good: after the interval. Failed: after the backoff, doubling per failure, never past the interval."""
    if outcome.status == "ok":
        seconds = memory.interval_s
    else:
        seconds = min(memory.interval_s, memory.backoff_s * 2 ** min(memory.consecutive_failures - 1, 6))
    return outcome.fetched_at + timedelta(seconds=seconds * (1 + random.uniform(-0.05, 0.05)))


class RankSink:
    """Stores finished checks in batches; `.stats` and `.flush()` like monitor.sink.ObservationSink."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        run_id: int | None,
        memories: dict[int, RankMemory],
        *,
        competitor_domains: Sequence[tuple[str, int]] = (),
        clock: Callable[[], datetime] = utc_now,
        on_outcome: Callable[[RankOutcome], None] | None = None,
        batch_size: int = 100,
    ) -> None:
        self.session_factory = session_factory
        self.run_id = run_id
        self.memories = memories
        self.competitor_domains = list(competitor_domains)
        self.clock = clock
        self.on_outcome = on_outcome
        self.batch_size = batch_size
        self.pending: list[RankOutcome] = []
        self.stats = SinkStats()

    def accept(self, fetch: SerpFetch) -> RankOutcome:
        memory = self.memories[fetch.job.watch_id]
        outcome = conclude_check(fetch, memory, self.clock())
        remember(memory, outcome)
        self.pending.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return outcome

    async def accept_async(self, fetch: SerpFetch) -> RankOutcome:
        return self.accept(fetch)

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        with self.session_factory.begin() as session:
            self._write(session, batch)

    def _competitor_of(self, memory: RankMemory, change: DetectedChange) -> int | None:
        domain = str(change.details.get("domain") or change.field or "")
        if domain in memory.owners:
            return memory.owners[domain]
        for known, competitor_id in self.competitor_domains:
            if matches_domain("//" + domain, known):
                return competitor_id
        return None

    def _store_body(self, session: Session, o: RankOutcome, known: set[str]) -> str | None:
        if o.body is None:
            return None
        digest = hashlib.sha256(o.body).hexdigest()
        if digest not in known and session.get(Body, digest) is None:
            session.add(
                Body(hash=digest, size=len(o.body), content_type=o.content_type, data=Body.compress(o.body))
            )
        known.add(digest)
        return digest

    def _write(self, session: Session, batch: list[RankOutcome]) -> None:
        known: set[str] = set()
        updates = []
        for o in batch:
            memory = self.memories[o.watch_id]
            obs = Observation(
                watch_id=o.watch_id,
                run_id=self.run_id,
                fetched_at=o.fetched_at,
                status=o.status,
                http_status=o.http_status,
                elapsed_ms=o.elapsed_ms,
                error_reason=o.reason,
                content_hash=self._store_body(session, o, known),
                final_url=o.url,
            )
            session.add(obs)
            session.flush()
            check = RankCheck(
                watch_id=o.watch_id,
                observation_id=obs.id,
                checked_at=o.fetched_at,
                group_name=memory.group,
                keyword=memory.keyword,
                engine=memory.engine,
                locale=memory.locale,
                device=memory.device,
                status=o.status,
                page_kind=o.page_kind,
                reason=o.reason,
                pages_checked=o.pages_checked,
                depth=o.depth,
                result_count_text=o.result_count_text,
                features=list(o.features),
            )
            session.add(check)
            session.flush()
            if o.status == "ok" and o.observation is not None:
                session.add_all(
                    RankResult(
                        check_id=check.id, rank=r.rank, url=r.url, domain=host_of(r.url)[:300], title=r.title
                    )
                    for r in o.results
                )
                for domain in memory.domains:
                    point = rank_of(o.observation, domain)
                    session.add(
                        DomainRank(
                            check_id=check.id,
                            watch_id=o.watch_id,
                            checked_at=o.fetched_at,
                            domain=domain,
                            rank=point.rank,
                            url=point.url,
                        )
                    )
            for c in o.changes:
                session.add(
                    Change(
                        watch_id=o.watch_id,
                        observation_id=obs.id,
                        competitor_id=self._competitor_of(memory, c),
                        run_id=self.run_id,
                        detected_at=o.fetched_at,
                        kind=c.kind,
                        summary=_named(c, memory.names),
                        field=(c.field or "")[:CHANGE_FIELD_MAX] or None,
                        old=c.old,
                        new=c.new,
                        magnitude=c.magnitude,
                        details={**c.details, "group": memory.group},
                    )
                )
            values = {
                "id": o.watch_id,
                "last_checked_at": o.fetched_at,
                "consecutive_failures": memory.consecutive_failures,
                "next_due_at": next_due(memory, o),
            }
            if o.status == "ok":
                values.update(last_good_at=o.fetched_at, last_error=None)
            else:
                values["last_error"] = o.reason
            updates.append(values)
            self.stats.ok += o.status == "ok"
            self.stats.failed += o.status == "failed"
            self.stats.changes += len(o.changes)
            o.body = None  # stored; keep memory flat over a long crawl
            self.stats.outcomes.append(o)
        by_id: dict[int, dict] = {}
        for row in updates:
            by_id.setdefault(row["id"], {}).update(row)
        session.execute(update(Watch), list(by_id.values()))
