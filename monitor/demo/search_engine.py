"""A small search engine for rank tracking: Google-like result pages whose rankings move day to day.

`/search?q=KEYWORD&start=N&num=10` answers with 2022-style Google desktop markup (div.g blocks with
an h3 inside the title link, cite, VwiC3b snippets, ads under #tads, "people also ask", pnnext
pagination). Results mix the demo shops' category and product pages with other (.example) sites;
each result's score is a stable relevance plus daily jitter, with occasional jumps and newcomers,
so positions move, domains enter and leave the top 10. `results(keyword, day)` is the truth.
Unknown keywords get Google's no-results page; `q` containing "captcha" gets a /sorry/ block page.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, quote_plus, urlsplit

from monitor.demo import listings
from monitor.demo.catalogue import CATEGORIES, Catalogue
from monitor.demo.reply import Reply, page

DEPTH = 30  # results per keyword (3 pages of 10)
OTHER_SITES = (
    "www.gadgetreviews.example",
    "techradar.example",
    "en.wikipedia.example",
    "www.pricecompare.example",
    "forum.hifi-heads.example",
    "www.megamart.example",
    "shop.bargainbin.example",
    "www.youtube.example",
    "news.techdaily.example",
    "www.reddit.example",
    "zhidao.baidu.example",
    "www.smzdm.example",
)


@dataclass(frozen=True, slots=True)
class SerpResult:
    rank: int
    url: str
    title: str
    snippet: str


def keywords() -> list[str]:
    """The demo keywords: per category, its plural, a 'best ...' query and the Chinese name."""
    out = []
    for en, zh, _, _ in CATEGORIES.values():
        plural = en.lower() if en.endswith("s") else en.lower() + ("es" if en.endswith("ch") else "s")
        out += [plural, f"best {en.lower()}", zh]
    return out


def _category_of(keyword: str) -> str | None:
    for cat, (en, zh, _, _) in CATEGORIES.items():
        if keyword == zh or en.lower() in keyword.lower():
            return cat
    return None


def results(catalogue: Catalogue, base_urls: dict[str, str], keyword: str, day: int) -> list[SerpResult]:
    """The ordered organic results for `keyword` on `day` (empty for keywords the engine knows nothing of)."""
    cat = _category_of(keyword.strip())
    if cat is None:
        return []
    en, zh, _, _ = CATEGORIES[cat]
    candidates: list[tuple[str, str, str]] = []
    for shop, base in base_urls.items():
        if shop not in catalogue.shops:
            continue
        spec = catalogue.shops[shop]
        candidates.append(
            (f"{base}/category/{cat}", f"{en}s | {spec.title}", f"Shop {en.lower()}s at {spec.title}.")
        )
        for item in listings.category_items(catalogue, shop, cat, day)[:2]:
            candidates.append(
                (base + item.path, f"{item.title} | {spec.title}", f"Buy the {item.title} online.")
            )
    for i, site in enumerate(OTHER_SITES):
        for j in range(2):
            url = f"https://{site}/{cat}/{'best' if j == 0 else 'guide'}-{i}"
            candidates.append(
                (url, f"{en} {'reviews' if j == 0 else 'guide'} - {site}", f"All about {en.lower()} ({zh}).")
            )
    seed = catalogue.seed
    scored = []
    for url, title, snippet in candidates:
        rng = random.Random(f"serp/{seed}/{keyword}/{url}")
        relevance = rng.uniform(0, 100)
        debut = rng.choice((0,) * 8 + (3, 6))  # a few results only appear after some days
        if day < debut:
            continue
        daily = random.Random(f"serpday/{seed}/{keyword}/{url}/{day}")
        score = relevance + daily.uniform(-1.5, 1.5) + (daily.random() < 0.04) * daily.uniform(-30, 30)
        scored.append((-score, url, title, snippet))
    scored.sort()
    return [
        SerpResult(i + 1, url, title, snippet) for i, (_, url, title, snippet) in enumerate(scored[:DEPTH])
    ]


def _result_html(r: SerpResult) -> str:
    parts = urlsplit(r.url)
    crumbs = " › ".join([f"{parts.scheme}://{parts.netloc}"] + [p for p in parts.path.split("/") if p][:2])
    return (
        f'<div class="g" data-hveid="CA{r.rank}"><div class="tF2Cxc"><div class="yuRUbf">'
        f'<a href="{escape(r.url)}" data-ved="0ahUKE{r.rank}"><br><h3 class="LC20lb MBeuO DKV0Md">{escape(r.title)}</h3>'
        f'<div class="TbwUpd NJjxre"><cite class="iUh30 tjvcx" role="text">{escape(crumbs)}</cite></div></a></div>'
        f'<div class="VwiC3b yXK7lf MUxGbd yDYNvb lyLwlc"><span>{escape(r.snippet)}</span></div></div></div>'
    )


def render(keyword: str, shown: list[SerpResult], start: int, total: int, day: int) -> str:
    q = escape(keyword)
    head = (
        f'<!doctype html><html lang="en"><head><meta charset="UTF-8"><title>{q} - Google Search</title></head>'
        f'<body><div id="searchform"><form action="/search" role="search"><input name="q" value="{q}"></form></div>'
    )
    if not shown:
        return head + (
            f'<div id="main"><div id="topstuff"><div class="card-section"><p>Your search - <em>{q}</em> - did not match'
            " any documents.</p><p>Suggestions:</p><ul><li>Make sure that all words are spelled correctly.</li>"
            "</ul></div></div></div></body></html>"
        )
    ads = (
        '<div id="tads" aria-label="Ads"><div class="uEierd"><div class="v5yQqb">'
        f'<a class="sVXRqc" href="https://www.megamart.example/deals/{quote_plus(keyword)}">'
        f'<span class="U3A9Ac">Sponsored</span><div role="heading" aria-level="3">{q} - Huge Deals Today</div></a>'
        "</div></div></div>"
    )
    paa = ""
    if start == 0:
        paa = (
            '<div class="related-question-pair" data-q="1"><span>Which is the best '
            f'{q}?</span></div><div class="related-question-pair"><span>Is it worth buying {q} on sale?</span></div>'
        )
    body = "".join(_result_html(r) for r in shown[:3]) + paa + "".join(_result_html(r) for r in shown[3:])
    pages = -(-total // 10)
    nav = "".join(
        f'<td class="YyVfkd">{n + 1}</td>'
        if n * 10 == start
        else f'<td><a class="fl" href="/search?q={quote_plus(keyword)}&amp;start={n * 10}">{n + 1}</a></td>'
        for n in range(pages)
    )
    if start + 10 < total:
        nav += f'<td class="d6cvqb"><a id="pnnext" href="/search?q={quote_plus(keyword)}&amp;start={start + 10}"><span>Next</span></a></td>'
    count = 1_000_000 + (hash_keyword(keyword) % 900) * 10_000 + day * 1_000
    return head + (
        f'<div id="appbar"><div id="result-stats">About {count:,} results <nobr>(0.{40 + day % 50} seconds)</nobr></div></div>'
        f'<div id="main"><div id="center_col"><div id="taw">{ads}</div><div id="res" role="main"><div id="search">'
        f'<div id="rso">{body}</div></div></div><div id="botstuff"><div role="navigation"><table class="AaVjTc"><tr>'
        f"{nav}</tr></table></div></div></div></div></body></html>"
    )


def hash_keyword(keyword: str) -> int:
    return random.Random(f"kw/{keyword}").randint(0, 10**6)


SORRY_HTML = (
    "<!DOCTYPE html><html><head><title>https://www.google.com/search</title></head><body>"
    '<div id="recaptcha" class="g-recaptcha"></div><form id="captcha-form" action="/sorry/index" method="post">'
    "<p>Our systems have detected unusual traffic from your computer network.</p></form></body></html>"
)


class SearchSite:
    """The engine's HTTP routes; `clock()` gives the market day, `shops()` the shop base URLs."""

    def __init__(
        self, catalogue: Catalogue, clock: Callable[[], int], shops: Callable[[], dict[str, str]]
    ) -> None:
        self.catalogue = catalogue
        self.clock = clock
        self.shops = shops
        self.base = ""

    def handle(self, method: str, target: str, body: bytes = b"") -> Reply:
        split = urlsplit(target)
        if method not in ("GET", "HEAD"):
            return Reply(405, b"method not allowed\n", "text/plain")
        if split.path == "/robots.txt":
            return page("User-agent: *\nDisallow: /search\nAllow: /\n", content_type="text/plain")
        if split.path != "/search":
            return Reply(404, b"<!DOCTYPE html><title>404</title><p>Not found</p>")
        query = parse_qs(split.query)
        keyword = (query.get("q") or [""])[0]
        if "captcha" in keyword:
            return Reply(429, SORRY_HTML.encode())
        try:
            start = max(0, int((query.get("start") or ["0"])[0] or 0))
            num = min(100, max(1, int((query.get("num") or ["10"])[0] or 10)))
        except ValueError:
            return Reply(400, b"bad start or num")
        day = self.clock()
        ranked = results(self.catalogue, self.shops(), keyword, day)
        html = render(keyword, ranked[start : start + num], start, len(ranked), day)
        return page(html, modified=self.catalogue.date(day))
