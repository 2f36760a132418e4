"""The keyword kind's crawl side: due watches -> result-page jobs (paced per engine slot) and memories; its observer."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from models.rank import last_good_checks, results_of
from monitor.config.crawl_records import crawl_record
from monitor.config.secrets import expand_env_refs, secret_values
from monitor.kinds.base import CrawlPlan, CycleContext, memory_fields, read_options
from monitor.kinds.keyword.config import KeywordGroup, KeywordOptions
from monitor.kinds.keyword.kind import DEFAULT_INTERVAL, merged_access, slot_of
from monitor.kinds.keyword.observe import OBSERVER, RankMemory
from monitor.kinds.keyword.ranks import RankObservation
from spiders.serp_fetch import SerpJob

RETRY_CODES = [500, 502, 503, 504, 522, 524, 408]  # not 429: a block is backed off, not retried now


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
    # What to ask (keyword, engine, locale, device) is the watch's; how deep and how to ask, its group's now.
    job = crawl_record(
        SerpJob,
        o,
        watch_id=w.id,
        slot=slot_of(o.engine, group.base_url),
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


__all__ = ["OBSERVER", "RETRY_CODES", "plan", "serp_job"]
