"""Ask.com web search: query URLs and result pages (Teoma-era ``div.wresult`` blocks and the
later ``PartialSearchResults`` ones)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, inside, union
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """``/web?q=&page=``; Ask has a fixed page size and no country or language switch."""
    return q.url("https://www.ask.com", "/web", [("q", q.keyword), ("page", q.past_first(q.page))])


SPEC = EngineSpec(
    name="ask",
    query=build_url,
    organic=union(
        f"//div[{cls('wresult')}]//a[{cls('title')}][@href]",
        f"//a[{cls('PartialSearchResults-item-title-link')}][@href]",
        f"//div[{cls('web-result')}]//h2/a[@href]",
    ),
    block=f"ancestor::div[{cls('wresult', 'PartialSearchResults-item', 'web-result')}][1]",
    # Teoma era: the title sits in div.txt_lg and the link is a "read more" at the abstract's end
    title=f"(ancestor::div[{cls('wresult')}][1]//div[{cls('txt_lg')}] | self::a[not(ancestor::div[{cls('wresult')}])])[1]",
    snippet=union(
        f".//*[{cls('abstract')}]/text()",
        f".//*[{cls('PartialSearchResults-item-abstract')}]",
        f".//*[{cls('web-result-description')}]",
    ),
    exclude=inside(f"{cls('spl_shd_plus', 'PartialWebAds')} or @id='sponsored'"),
    skip_url=re.compile(r"^https?://(www\.)?ask\.com/(web|web\?)"),
    no_results_text=("No results found", "did not match with any results"),
    blocked_text=("captcha",),
    result_count=anywhere(cls("PartialResultsHeader-summary")),
)
