"""DuckDuckGo: query URLs for its HTML endpoint (no JavaScript needed) and result pages of
the HTML endpoint and of the JavaScript site, whose static HTML only holds results in old
captures: newer ones are shells that load results by script (``needs_render``)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "duckduckgo"
HOSTS = ("duckduckgo.com",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"\bDuckDuckGo\b")

_ORGANIC = " | ".join(
    (
        f"//a[{cls('result__a')}][@href]",
        f"//div[{cls('results_links')} or {cls('results_links_deep')}]//div[{cls('icon_fav')}]/a[@href]",
        f"//a[{cls('result-link')}][@href]",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://html.duckduckgo.com/html/",
    organic=_ORGANIC,
    block=f"ancestor::div[{cls('result')} or {cls('results_links')} or {cls('results_links_deep')}][1] | ancestor::tr[1]",
    snippet=f"(.//*[{cls('result__snippet')} or {cls('snippet')} or {cls('result-snippet')}])[1]",
    title=f"(ancestor::div[{cls('results_links')} or {cls('results_links_deep')}][1]//h2/a)[1]",
    exclude=f"ancestor::*[{cls('result--ad')} or {cls('results_links_ad')} or @id='ads']",
    ads=f"//div[{cls('result--ad')}]//a[{cls('result__a')}][@href]",
    skip_url=re.compile(r"^https?://(html\.|lite\.)?duckduckgo\.com/(\?|html|lite|y\.js)"),
    no_results=f"//*[{cls('no-results')}] | //*[@id='nrreld']",
    no_results_text=("No  results.", "No results found for"),
    blocked_text=("anomaly-modal", "Unfortunately, bots use DuckDuckGo too", "challenge-form"),
    render_text=("nrj('/d.js", "DDG.deep", "/d.js?q=", "DDG.ready("),
    features={
        "featured_snippet": f"//*[{cls('zci-wrapper')} or @id='zero_click_abstract']",
        "images": "//*[@id='zci-images'][.//img]",
        "videos": "//*[@id='zci-videos'][.//img]",
        "news": f"//*[{cls('module--news')}]",
    },
)


def build_url(
    keyword: str,
    *,
    page: int = 1,
    per_page: int = 10,
    country: str | None = None,
    language: str | None = None,
    device: str = "desktop",
    base_url: str | None = None,
) -> str:
    """``html.duckduckgo.com/html/?q=&kl=<cc>-<lang>&s=<offset>``.

    The HTML endpoint has a fixed page size; ``s`` is the offset of the first result wanted."""
    check_paging(page, per_page)
    region = f"{(country or 'wt').lower()}-{(language or ('wt' if not country else 'en')).lower()}"
    params = [
        ("q", keyword),
        ("kl", region if (country or language) else ""),
        ("s", str((page - 1) * per_page) if page > 1 else ""),
    ]
    return compose_url("https://html.duckduckgo.com", "/html/", params, base_url)
