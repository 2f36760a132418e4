"""Ask.com web search: query URLs and result pages (Teoma-era ``div.wresult`` blocks and the
later ``PartialSearchResults`` ones)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "ask"
HOSTS = ("ask.com",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"\bAsk(?:\.com| Jeeves)\b")

_ORGANIC = " | ".join(
    (
        f"//div[{cls('wresult')}]//a[{cls('title')}][@href]",
        f"//a[{cls('PartialSearchResults-item-title-link')}][@href]",
        f"//div[{cls('web-result')}]//h2/a[@href]",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://www.ask.com/web",
    organic=_ORGANIC,
    block=f"ancestor::div[{cls('wresult')} or {cls('PartialSearchResults-item')} or {cls('web-result')}][1]",
    # Teoma era: the title sits in div.txt_lg and the link is a "read more" at the abstract's end
    title=f"(ancestor::div[{cls('wresult')}][1]//div[{cls('txt_lg')}] | self::a[not(ancestor::div[{cls('wresult')}])])[1]",
    snippet=(
        f".//*[{cls('abstract')}]/text() | .//*[{cls('PartialSearchResults-item-abstract')}]"
        f" | .//*[{cls('web-result-description')}]"
    ),
    exclude=f"ancestor::*[{cls('spl_shd_plus')} or {cls('PartialWebAds')} or @id='sponsored']",
    skip_url=re.compile(r"^https?://(www\.)?ask\.com/(web|web\?)"),
    no_results_text=("No results found", "did not match with any results"),
    blocked_text=("captcha",),
    result_count=f"//*[{cls('PartialResultsHeader-summary')}]",
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
    """``/web?q=&page=``; Ask has a fixed page size and no country or language switch."""
    check_paging(page, per_page)
    return compose_url(
        "https://www.ask.com", "/web", [("q", keyword), ("page", str(page) if page > 1 else "")], base_url
    )
