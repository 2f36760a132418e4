"""Keyword watches: one per keyword x engine x locale x device of each keyword group (`keywords:`).

A watch's identity is the real engine's page-1 URL plus ``#group/locale/device`` (some engines' URLs
carry neither the locale nor the device, which the user agent and headers choose), so pointing a group at a stand-in engine (`base_url`) keeps its history.
Tracked domains are resolved here: a group's `competitors` may name configured competitors (their
domains count, and rank changes are filed under them) or give domains directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from monitor.kinds.base import SpecContext, WatchKind, WatchSpec, store_options
from monitor.kinds.keyword.changes import CHANGE_KINDS
from monitor.kinds.keyword.config import EngineAccess, KeywordGroup, KeywordOptions

DEFAULT_INTERVAL = 86400.0  # ranks are a daily figure; engines throttle anyone asking more often


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
    # Here, not at the top: every process loads the kinds, and the engines' parsers are only
    # needed where keyword watches are declared.
    from spiders.extract.serp import build_query_url

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


KEYWORD = WatchKind(
    "keyword",
    "keywords",
    CHANGE_KINDS,
    "spiders.serp_spider.SerpSpider",
    "monitor.kinds.keyword.crawl",
    specs,
)
