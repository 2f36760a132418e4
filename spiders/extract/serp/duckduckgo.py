"""DuckDuckGo: query URLs for its HTML endpoint (no JavaScript needed) and result pages of
the HTML endpoint and of the JavaScript site, whose static HTML only holds results in old
captures: newer ones are shells that load results by script (``needs_render``)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, first, inside, union
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """``html.duckduckgo.com/html/?q=&kl=<cc>-<lang>&s=<offset>``.

    The HTML endpoint has a fixed page size; ``s`` is the offset of the first result wanted."""
    region = f"{(q.country or 'wt').lower()}-{(q.language or ('wt' if not q.country else 'en')).lower()}"
    params = [("q", q.keyword), ("kl", region if (q.country or q.language) else ""), ("s", q.past_first(q.offset))]
    return q.url("https://html.duckduckgo.com", "/html/", params)


_LINKS = cls("results_links", "results_links_deep")  # blocks of the 2012-2014 layout

SPEC = EngineSpec(
    name="duckduckgo",
    query=build_url,
    organic=union(
        f"//a[{cls('result__a')}][@href]",
        f"//div[{_LINKS}]//div[{cls('icon_fav')}]/a[@href]",
        f"//a[{cls('result-link')}][@href]",
    ),
    block=union(f"ancestor::div[{cls('result')} or {_LINKS}][1]", "ancestor::tr[1]"),
    snippet=first(cls("result__snippet", "snippet", "result-snippet")),
    title=f"(ancestor::div[{_LINKS}][1]//h2/a)[1]",
    # ads of the HTML endpoint, of the 2012-2014 site, and the lite endpoint's sponsored rows
    exclude=inside(f"{cls('result--ad', 'results_links_ad', 'result-sponsored')} or @id='ads'"),
    ads=f"//div[{cls('result--ad')}]//a[{cls('result__a')}][@href]",
    skip_url=re.compile(r"^https?://(html\.|lite\.)?duckduckgo\.com/(\?|html|lite|y\.js)"),
    no_results=union(anywhere(cls("no-results")), "//*[@id='nrreld']"),
    no_results_text=("No  results.", "No results found for"),
    blocked_text=("anomaly-modal", "Unfortunately, bots use DuckDuckGo too", "challenge-form"),
    render_text=("nrj('/d.js", "DDG.deep", "/d.js?q=", "DDG.ready("),
    features={
        "featured_snippet": anywhere(f"{cls('zci-wrapper')} or @id='zero_click_abstract'"),
        "images": "//*[@id='zci-images'][.//img]",
        "videos": "//*[@id='zci-videos'][.//img]",
        "news": anywhere(cls("module--news")),
    },
)
