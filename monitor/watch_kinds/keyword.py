"""Keyword watches: one per keyword x engine x locale x device of each keyword group (`keywords:`).

A watch's identity is the real engine's page-1 URL plus ``#group/locale/device`` (some engines' URLs
carry neither the locale nor the device, which the user agent and headers choose), so pointing a group at a stand-in engine (`base_url`) keeps its history.
Tracked domains are resolved here: a group's `competitors` may name configured competitors (their
domains count, and rank changes are filed under them) or give domains directly.
"""

from __future__ import annotations

import os
import random
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Competitor, Watch
from models.rank import last_good_checks, results_of
from monitor.config.keyword_watch import EngineAccess, KeywordGroup
from monitor.jobs import crawl_settings
from monitor.ranks import RankObservation
from monitor.watch_kinds.base import CycleContext, KindCrawl, WatchSpec
from spiders.extract.serp import build_query_url

DEFAULT_INTERVAL = 86400.0  # ranks are a daily figure; engines throttle anyone asking more often
RETRY_CODES = [500, 502, 503, 504, 522, 524, 408]  # not 429: a block is backed off, not retried now


def tracked_domains(group: KeywordGroup, watchlist: Any) -> list[tuple[str, str | None]]:
    """(domain, competitor name or None for ours) for every domain the group follows."""
    competitors = {c.name: c for c in watchlist.competitors}
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
            owner = next((c.name for c in watchlist.competitors if ref.lower() in c.domains), None)
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


def _env(watchlist: Any) -> dict[str, str]:
    from monitor.config.loader import load_secrets_file

    values = load_secrets_file(watchlist.settings.secrets_file)
    values.update(os.environ)
    return values


class KeywordKind:
    name = "keyword"

    def specs(self, watchlist: Any) -> list[WatchSpec]:
        out: list[WatchSpec] = []
        names = [g.name for g in watchlist.keywords]
        if len(set(names)) != len(names):
            raise ValueError("keyword group names must be unique")
        for group in watchlist.keywords:
            domains = tracked_domains(group, watchlist)
            interval = group.interval if group.interval is not None or group.cron else DEFAULT_INTERVAL
            for keyword in group.keywords:
                for engine in group.engines:
                    for locale in group.locales:
                        for device in group.devices:
                            url = build_query_url(
                                engine,
                                keyword,
                                country=locale.country,
                                language=locale.language,
                                device=device,
                            )
                            options = {
                                "group": group.name,
                                "keyword": keyword,
                                "engine": engine,
                                "country": locale.country,
                                "language": locale.language,
                                "locale": locale.label,
                                "device": device,
                                "depth": group.depth,
                                "base_url": group.base_url,
                                "domains": [[d, owner] for d, owner in domains],
                                "min_move": group.min_move,
                            }
                            out.append(
                                WatchSpec(
                                    self.name,
                                    f"{url}#{quote(group.name)}/{quote(locale.label)}/{device}",
                                    f"{keyword} · {engine} · {locale.label} · {device}"[:300],
                                    None,
                                    options,
                                    interval,
                                    group.cron,
                                    list(group.tags),
                                )
                            )
        return out

    def prepare(self, ctx: CycleContext, session: Session, watches: list[Watch]) -> KindCrawl:
        from monitor.config.loader import expand_env_refs, secret_values
        from monitor.rank_sink import RankMemory, RankSink
        from spiders.serp_fetch import SerpJob
        from spiders.serp_spider import SerpSpider

        watchlist = ctx.watchlist
        groups = {g.name: g for g in watchlist.keywords}
        access = merged_access(list(groups.values()))
        competitor_rows = list(session.scalars(select(Competitor)))
        competitor_id = {c.name: c.id for c in competitor_rows}
        last = last_good_checks(session, [w.id for w in watches])
        results = results_of(session, [c.id for c in last.values()])
        env = _env(watchlist)
        rng = random.Random()
        jobs, memories = [], {}
        for w in watches:
            o = w.options
            group = groups.get(o["group"])
            if group is None:
                continue
            engine_access = group.access_for(o["engine"])
            slot = slot_of(o["engine"], group.base_url)
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
            jobs.append(
                SerpJob(
                    watch_id=w.id,
                    keyword=o["keyword"],
                    engine=o["engine"],
                    slot=slot,
                    device=o["device"],
                    country=o.get("country"),
                    language=o.get("language"),
                    depth=group.depth,
                    per_page=engine_access.results_per_page,
                    base_url=group.base_url,
                    user_agent=rng.choice(engine_access.agents(o["device"])),
                    proxy=proxy,
                    render=engine_access.render,
                    wait_for=engine_access.wait_for,
                    obey_robots=engine_access.obey_robots,
                    problem=problem,
                )
            )
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
                watch_id=w.id,
                group=group.name,
                keyword=o["keyword"],
                engine=o["engine"],
                locale=o["locale"],
                device=o["device"],
                domains=[d for d, _ in o["domains"]],
                owners={d: competitor_id.get(owner) if owner else None for d, owner in o["domains"]},
                names={d: owner for d, owner in o["domains"] if owner},
                min_move=int(o.get("min_move") or 1),
                interval_s=w.interval_s or DEFAULT_INTERVAL,
                backoff_s=access[slot].backoff,
                secrets=tuple(s for s in secrets if s),
                last_good=previous,
                consecutive_failures=w.consecutive_failures,
            )
        sink = RankSink(
            ctx.session_factory,
            ctx.run_id,
            memories,
            competitor_domains=[(d, c.id) for c in competitor_rows for d in (c.domains or [])],
            clock=ctx.clock,
            on_outcome=ctx.on_outcome,
        )
        used = {j.slot for j in jobs}
        settings = crawl_settings(watchlist, any(j.render == "browser" for j in jobs))
        settings.update(
            {
                "AUTOTHROTTLE_ENABLED": False,  # each engine's pace is its slot's delay, not a guess
                "DOWNLOAD_SLOTS": {
                    slot: {"delay": a.min_delay, "jitter": a.random_delay, "concurrency": a.concurrency}
                    for slot, a in access.items()
                    if slot in used
                },
                "ITEM_PIPELINES": {"spiders.serp_spider.SerpSinkPipeline": 300},
                "RETRY_HTTP_CODES": RETRY_CODES,
                "COOKIES_ENABLED": False,
            }
        )
        spider_kwargs = {
            "jobs": jobs,
            "sink": sink,
            "concurrency": {slot: a.concurrency for slot, a in access.items()},
        }
        return KindCrawl(self.name, SerpSpider, spider_kwargs, sink, settings, len(jobs))
