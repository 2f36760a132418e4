"""Keyword watches: one per keyword x engine x locale x device of each keyword group (`keywords:`).

A watch's identity is the real engine's page-1 URL plus ``#group/locale/device`` (some engines' URLs
carry neither the locale nor the device, which the user agent and headers choose), so pointing a group at a stand-in engine (`base_url`) keeps its history.
Tracked domains are resolved here: a group's `competitors` may name configured competitors (their
domains count, and rank changes are filed under them) or give domains directly.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from models.rank import last_good_checks, results_of
from monitor.config.secrets import expand_env_refs, secret_values
from monitor.kinds.base import (
    CrawlPlan,
    CycleContext,
    SpecContext,
    WatchKind,
    WatchSpec,
    memory_fields,
    read_options,
    store_options,
)
from monitor.kinds.keyword.changes import CHANGE_KINDS
from monitor.kinds.keyword.config import EngineAccess, KeywordGroup, KeywordOptions
from monitor.kinds.keyword.observe import OBSERVER, RankMemory
from monitor.kinds.keyword.ranks import RankObservation
from spiders.extract.serp import build_query_url
from spiders.serp_fetch import SerpJob

DEFAULT_INTERVAL = 86400.0  # ranks are a daily figure; engines throttle anyone asking more often
RETRY_CODES = [500, 502, 503, 504, 522, 524, 408]  # not 429: a block is backed off, not retried now


def tracked_domains(group: KeywordGroup, competitor_list: Sequence[Any]) -> list[tuple[str, str | None]]:
    """(domain, competitor name or None for ours) for every domain the group follows."""
    competitors = {c.name: c for c in competitor_list}
    out: list[tuple[str, str | None]] = [(d.lower(), None) for d in group.domains]
    for ref in group.competitors:
        if ref in competitors:
            domains = competitors[ref].domains
            if not domains:
                raise ValueError(
                    f"keyword group {group.name!r}: competitor {ref!r} has no domains configured"
                )
            out += [(d, ref) for d in domains]
        elif "." in ref or ":" in ref:
            owner = next((c.name for c in competitor_list if ref.lower() in c.domains), None)
            out.append((ref.lower(), owner))
        else:
            raise ValueError(
                f"keyword group {group.name!r}: {ref!r} is neither a configured competitor nor a domain"
            )
    seen: set[str] = set()
    return [(d, o) for d, o in out if not (d in seen or seen.add(d))]


def slot_of(engine: str, base_url: str | None) -> str:
    """One download slot per engine endpoint: a stand-in engine is paced and paused on its own."""
    return f"serp:{engine}" if not base_url else f"serp:{engine}@{urlsplit(base_url).netloc}"


def merged_access(groups: list[KeywordGroup]) -> dict[str, EngineAccess]:
    """Per slot, the most polite of the groups' settings: longest delay and backoff, least concurrency."""
    merged: dict[str, EngineAccess] = {}
    for group in groups:
        for engine in group.engines:
            slot, access = slot_of(engine, group.base_url), group.access_for(engine)
            have = merged.get(slot)
            if have is not None:
                access = have.model_copy(
                    update={
                        "min_delay": max(have.min_delay, access.min_delay),
                        "random_delay": max(have.random_delay, access.random_delay),
                        "backoff": max(have.backoff, access.backoff),
                        "concurrency": min(have.concurrency, access.concurrency),
                    }
                )
            merged[slot] = access
    return merged


def specs(entries: Sequence[KeywordGroup], ctx: SpecContext) -> list[WatchSpec]:
    """One watch per keyword x engine x locale x device of each group."""
    out: list[WatchSpec] = []
    for group in entries:
        domains = tracked_domains(group, ctx.competitors)
        interval = group.interval if group.interval is not None or group.cron else DEFAULT_INTERVAL
        for keyword in group.keywords:
            for engine in group.engines:
                for locale in group.locales:
                    for device in group.devices:
                        url = build_query_url(
                            engine, keyword, country=locale.country, language=locale.language, device=device
                        )
                        options = KeywordOptions(
                            group=group.name,
                            keyword=keyword,
                            engine=engine,
                            country=locale.country,
                            language=locale.language,
                            locale=locale.label,
                            device=device,
                            depth=group.depth,
                            base_url=group.base_url,
                            domains=domains,
                            min_move=group.min_move,
                        )
                        out.append(
                            WatchSpec(
                                "keyword",
                                f"{url}#{quote(group.name)}/{quote(locale.label)}/{device}",
                                f"{keyword} · {engine} · {locale.label} · {device}"[:300],
                                None,
                                store_options(options),
                                interval,
                                group.cron,
                                list(group.tags),
                            )
                        )
    return out


def serp_job(
    w: Watch, o: KeywordOptions, group: KeywordGroup, env: dict[str, str], rng: random.Random
) -> tuple[SerpJob, tuple[str, ...]]:
    """The check to run, and the proxy secrets to keep out of what is stored."""
    engine_access = group.access_for(o.engine)
    problem = proxy = None
    secrets: list[str] = []
    if engine_access.proxies:
        chosen = rng.choice(engine_access.proxies)
        literal = urlsplit(chosen).password or ""  # a password written in clear is masked too
        secrets = secret_values(chosen, env) + ([literal] if "${" not in literal else [])
        try:
            proxy = expand_env_refs(chosen, env)
        except KeyError as exc:
            problem = f"not checked: proxy secret ${{{exc.args[0]}}} is not set (environment or secrets file)"
    job = SerpJob(
        watch_id=w.id,
        keyword=o.keyword,
        engine=o.engine,
        slot=slot_of(o.engine, group.base_url),
        device=o.device,
        country=o.country,
        language=o.language,
        depth=group.depth,
        per_page=engine_access.results_per_page,
        base_url=group.base_url,
        user_agent=rng.choice(engine_access.agents(o.device)),
        proxy=proxy,
        render=engine_access.render,
        wait_for=engine_access.wait_for,
        obey_robots=engine_access.obey_robots,
        problem=problem,
    )
    return job, tuple(s for s in secrets if s)


def plan(ctx: CycleContext, session: Session, watches: list[Watch]) -> CrawlPlan:
    groups = {g.name: g for g in ctx.entries if isinstance(g, KeywordGroup)}
    access = merged_access(list(groups.values()))
    competitor_rows = list(session.scalars(select(Competitor)))
    competitor_id = {c.name: c.id for c in competitor_rows}
    competitor_domains = [(d, c.id) for c in competitor_rows for d in (c.domains or [])]
    last = last_good_checks(session, [w.id for w in watches])
    results = results_of(session, [c.id for c in last.values()])
    rng = random.Random()
    jobs, memories = [], {}
    for w in watches:
        o = read_options(KeywordOptions, w.options)
        group = groups.get(o.group)
        if group is None:
            continue
        job, secrets = serp_job(w, o, group, ctx.env, rng)
        jobs.append(job)
        check = last.get(w.id)
        previous = None
        if check is not None:
            previous = RankObservation(
                check.keyword,
                check.engine,
                check.locale,
                check.device,
                check.checked_at.date(),
                tuple((r.rank, r.url) for r in results.get(check.id, [])),
                check.depth,
            )
        memories[w.id] = RankMemory(
            **memory_fields(w, DEFAULT_INTERVAL),
            retry_first_s=access[job.slot].backoff,
            group=group.name,
            keyword=o.keyword,
            engine=o.engine,
            locale=o.locale,
            device=o.device,
            domains=[d for d, _ in o.domains],
            owners={d: competitor_id.get(owner) if owner else None for d, owner in o.domains},
            names={d: owner for d, owner in o.domains if owner},
            competitor_domains=competitor_domains,
            min_move=o.min_move,
            secrets=secrets,
            last_good=previous,
        )
    used = {j.slot for j in jobs}
    settings = {
        "AUTOTHROTTLE_ENABLED": False,  # each engine's pace is its slot's delay, not a guess
        "DOWNLOAD_SLOTS": {
            slot: {"delay": a.min_delay, "jitter": a.random_delay, "concurrency": a.concurrency}
            for slot, a in access.items()
            if slot in used
        },
        "RETRY_HTTP_CODES": RETRY_CODES,
        "COOKIES_ENABLED": False,
    }
    return CrawlPlan(
        jobs,
        dict(memories),
        settings=settings,
        spider_kwargs={"concurrency": {slot: a.concurrency for slot, a in access.items()}},
    )


KEYWORD = WatchKind("keyword", "keywords", CHANGE_KINDS, "spiders.serp_spider.SerpSpider", OBSERVER, plan, specs)
