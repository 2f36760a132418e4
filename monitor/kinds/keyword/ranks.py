"""Keyword rank analytics: rank history, best rank, daily moves, top-N crossings, new domains
in the top 10, and a click-through-weighted visibility score. Pure: dataclasses in, out.

A failed observation (blocked page, timeout, page needing a browser) has ``results=None``: it
is never turned into a rank. A good observation where a domain is absent gives rank ``None``
with status ``not_found``, meaning "not within the depth checked" (``depth``), which is a
different thing from a failed one. Changes compare each good observation with the previous
good one of the same keyword x engine x locale x device, within the depth both checked.

CTR curve (`CTR_CURVE`): Sistrix's 2020 study of organic desktop click-through rates by
position (28.5%, 15.7%, 11.0%, 8.0%, 7.2%, 5.1%, 4.0%, 3.2%, 2.8%, 2.5% for 1 to 10), then a
flat 1% for positions 11 to 20 (page two) and 0 beyond.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from monitor.changes.record import DetectedChange

CTR_CURVE: tuple[float, ...] = (0.285, 0.157, 0.110, 0.080, 0.072, 0.051, 0.040, 0.032, 0.028, 0.025) + (
    0.01,
) * 10
TOP_N = (3, 10, 20)

RANKED, NOT_FOUND, FAILED = "ranked", "not_found", "failed"


@dataclass(frozen=True)
class TrackKey:
    """What one rank series is about: a keyword on one engine, locale and device."""

    keyword: str
    engine: str
    locale: str
    device: str

    def label(self) -> str:
        return f"'{self.keyword}' on {self.engine} ({self.locale}, {self.device})"


@dataclass(frozen=True)
class RankObservation:
    """One check of a keyword: the organic results seen, or None when the check failed."""

    keyword: str
    engine: str
    locale: str
    device: str
    day: date
    results: tuple[tuple[int, str], ...] | None  # (rank, url), rank from 1; None = failed
    depth: int = 10  # how many positions were checked (pages x results per page)
    error: str | None = None

    @property
    def key(self) -> TrackKey:
        return TrackKey(self.keyword, self.engine, self.locale, self.device)

    @property
    def ok(self) -> bool:
        return self.results is not None


@dataclass(frozen=True)
class RankPoint:
    """A domain's position on one day: ``rank`` is None unless ``status`` is ``ranked``."""

    day: date
    status: str  # ranked | not_found | failed
    rank: int | None = None
    url: str | None = None
    depth: int = 10


@dataclass(frozen=True)
class RankMove:
    """Position change between two consecutive good observations (positive = climbed)."""

    day: date
    previous_day: date
    old: int | None
    new: int | None

    @property
    def delta(self) -> int | None:
        return None if self.old is None or self.new is None else self.old - self.new


@dataclass(frozen=True)
class Visibility:
    """Click-through-weighted share of voice of a domain over a keyword group, in [0, 1]:
    1.0 means rank 1 on every keyword counted. Keywords whose latest check failed are left
    out of the score and counted in ``keywords_failed``."""

    domain: str
    score: float
    keywords_counted: int
    keywords_failed: int


def _host_port(url: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None
    return (host[4:] if host.startswith("www.") else host), port


def host_of(url: str) -> str:
    """The site a result is on: its host without ``www.``, with the port when the URL names one
    (sites told apart only by port, such as local stand-ins on 127.0.0.1, stay apart)."""
    host, port = _host_port(url)
    return f"{host}:{port}" if host and port is not None else host


class HasDomains(Protocol):
    @property
    def domains(self) -> Any: ...  # a sequence of domains (a model's column reads as Mapped to a checker)


Owner = TypeVar("Owner", bound=HasDomains)


@lru_cache(maxsize=4096)
def norm_domain(domain: str) -> str:
    d = domain.strip().lower()
    return d[4:] if d.startswith("www.") else d


def owner_of(domain: str, competitors: Iterable[Owner]) -> Owner | None:
    """The first competitor whose domains hold `domain` or a parent of it (``www.`` ignored; a
    competitor's domain written with a port owns that port only)."""
    d = norm_domain(domain)
    bare = d.split(":", 1)[0]
    for c in competitors:
        for cd in c.domains:
            cd = norm_domain(cd)
            if d == cd or (":" not in cd and (bare == cd or bare.endswith("." + cd))):
                return c
    return None


def matches_domain(url: str, domain: str) -> bool:
    """True when `url` is on `domain` or one of its subdomains (``www.`` ignored). A domain
    written with a port (``127.0.0.1:8001``) matches that port only."""
    host, port = _host_port(url)
    want, want_port = _host_port("//" + domain.strip().lower())
    if want_port is not None and port != want_port:
        return False
    return bool(want) and (host == want or host.endswith("." + want))


def rank_of(obs: RankObservation, domain: str, depth: int | None = None) -> RankPoint:
    """Best (lowest) rank of `domain` in `obs`, looking no deeper than `depth` (default: obs.depth)."""
    limit = min(obs.depth, depth) if depth else obs.depth
    if obs.results is None:
        return RankPoint(obs.day, FAILED, depth=limit)
    found = [(rank, url) for rank, url in obs.results if rank <= limit and matches_domain(url, domain)]
    if not found:
        return RankPoint(obs.day, NOT_FOUND, depth=limit)
    rank, url = min(found)
    return RankPoint(obs.day, RANKED, rank, url, limit)


def group_by_key(observations: Iterable[RankObservation]) -> dict[TrackKey, list[RankObservation]]:
    """Observations per track key, each list in day order."""
    grouped: dict[TrackKey, list[RankObservation]] = {}
    for obs in observations:
        grouped.setdefault(obs.key, []).append(obs)
    return {key: sorted(items, key=lambda o: o.day) for key, items in grouped.items()}


def rank_history(observations: Iterable[RankObservation], domain: str) -> dict[TrackKey, list[RankPoint]]:
    """Per track key, the domain's rank point for every observation (failed ones included)."""
    return {key: [rank_of(o, domain) for o in obs] for key, obs in group_by_key(observations).items()}


def best_rank(points: Iterable[RankPoint]) -> int | None:
    """The best rank ever reached; None when never ranked."""
    ranks = [p.rank for p in points if p.rank is not None]
    return min(ranks) if ranks else None


def daily_moves(points: Sequence[RankPoint]) -> list[RankMove]:
    """Moves between consecutive good points; failed points are skipped, never read as ranks."""
    good = [p for p in points if p.status != FAILED]
    return [RankMove(b.day, a.day, a.rank, b.rank) for a, b in zip(good, good[1:], strict=False)]


def _top_domains(obs: RankObservation, n: int) -> set[str]:
    return {host_of(url) for rank, url in (obs.results or ()) if rank <= n} - {""}


def _crossings(old: int | None, new: int | None, thresholds: Sequence[int]) -> tuple[list[int], list[int]]:
    def inside(rank: int | None, n: int) -> bool:
        return rank is not None and rank <= n

    entered = [n for n in thresholds if inside(new, n) and not inside(old, n)]
    left = [n for n in thresholds if inside(old, n) and not inside(new, n)]
    return entered, left


def _fmt(rank: int | None, depth: int) -> str:
    return f"#{rank}" if rank is not None else f"not in top {depth}"


def compare(
    previous: RankObservation | None,
    current: RankObservation,
    domains: Sequence[str],
    *,
    min_move: int = 1,
    thresholds: Sequence[int] = TOP_N,
) -> list[DetectedChange]:
    """Changes between the previous good observation of a key and the current one.

    Nothing is reported when either observation failed or is missing: a failure is retried,
    not compared. Kinds: ``rank_moved``, ``entered_top_n``, ``left_top_n`` (one each per
    domain: the tightest top-N entered, the widest left) and ``new_domain_top10`` (an untracked
    domain that was not in the previous top 10)."""
    if previous is None or not previous.ok or not current.ok:
        return []
    depth = min(previous.depth, current.depth)
    key = current.key
    changes: list[DetectedChange] = []
    for domain in domains:
        old = rank_of(previous, domain, depth).rank
        new = rank_of(current, domain, depth).rank
        if old == new:
            continue
        base = {
            "domain": domain,
            "keyword": key.keyword,
            "engine": key.engine,
            "locale": key.locale,
            "device": key.device,
            "day": current.day.isoformat(),
            "depth": depth,
        }
        if old is not None and new is not None and abs(old - new) >= min_move:
            verb = "up" if new < old else "down"
            changes.append(
                DetectedChange(
                    kind="rank_moved",
                    summary=f"{domain} moved {verb} {abs(old - new)} on {key.label()}: #{old} -> #{new}",
                    field=domain,
                    old=str(old),
                    new=str(new),
                    magnitude=(old - new) / old,  # relative climb: +0.5 for #4 -> #2
                    details={**base, "delta": old - new},
                )
            )
        entered, left = _crossings(old, new, [n for n in thresholds if n <= depth])
        # Entering and leaving a top N are one event seen from either side: the tightest top N
        # entered (#12 -> #2 entered the top 3), the widest one left.
        for kind, verb, crossed, n in (
            ("entered_top_n", "entered", entered, min(entered, default=0)),
            ("left_top_n", "left", left, max(left, default=0)),
        ):
            if crossed:
                changes.append(
                    DetectedChange(
                        kind=kind,
                        summary=f"{domain} {verb} the top {n} on {key.label()}: {_fmt(old, depth)} -> {_fmt(new, depth)}",
                        field=domain,
                        old=None if old is None else str(old),
                        new=None if new is None else str(new),
                        details={**base, "n": n, "crossed": crossed},
                    )
                )
    if depth >= 10:
        for host in sorted(_top_domains(current, 10) - _top_domains(previous, 10)):
            if any(matches_domain(f"//{host}", d) for d in domains):
                continue  # a tracked domain arriving is already reported as entered_top_n
            rank = min(r for r, url in current.results or () if r <= 10 and host_of(url) == host)
            changes.append(
                DetectedChange(
                    kind="new_domain_top10",
                    summary=f"new domain in the top 10 on {key.label()}: {host} at #{rank}",
                    field=host,
                    new=str(rank),
                    details={
                        "domain": host,
                        "keyword": key.keyword,
                        "engine": key.engine,
                        "locale": key.locale,
                        "device": key.device,
                        "day": current.day.isoformat(),
                    },
                )
            )
    return changes


def detect_changes(
    observations: Iterable[RankObservation], domains: Sequence[str], **options: object
) -> list[DetectedChange]:
    """All changes over a history: each good observation against the previous good one."""
    changes: list[DetectedChange] = []
    for series in group_by_key(observations).values():
        previous: RankObservation | None = None
        for obs in series:
            if not obs.ok:
                continue
            changes.extend(compare(previous, obs, domains, **options))  # type: ignore[arg-type]
            previous = obs
    return changes


def ctr(rank: int | None, curve: Sequence[float] = CTR_CURVE) -> float:
    """Expected click-through rate of an organic position (0 when unranked or beyond the curve)."""
    if rank is None or rank < 1 or rank > len(curve):
        return 0.0
    return curve[rank - 1]


def visibility(
    observations: Iterable[RankObservation],
    domains: Sequence[str],
    *,
    weights: Mapping[str, float] | None = None,
    curve: Sequence[float] = CTR_CURVE,
) -> list[Visibility]:
    """Visibility of each domain over a keyword group, from each key's latest observation.

    score = sum_k w_k * CTR(rank_k) / sum_k w_k * CTR(1), over keys whose latest observation is
    good; w_k is the keyword's weight (e.g. monthly search volume), 1 by default."""
    latest = {key: series[-1] for key, series in group_by_key(observations).items()}
    good = [o for o in latest.values() if o.ok]
    failed = len(latest) - len(good)
    top = ctr(1, curve)
    out: list[Visibility] = []
    for domain in domains:
        total = possible = 0.0
        for obs in good:
            w = (weights or {}).get(obs.keyword, 1.0)
            total += w * ctr(rank_of(obs, domain).rank, curve)
            possible += w * top
        out.append(Visibility(domain, total / possible if possible else 0.0, len(good), failed))
    return out
