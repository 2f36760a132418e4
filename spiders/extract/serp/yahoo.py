"""Yahoo search: query URLs and result pages from the 1999 directory-backed lists
(``srd.yahoo.com/...*http://target`` links) through the 2013 ``div.res`` and the 2016+
``div.algo`` layouts (``r.search.yahoo.com/.../RU=<target>/`` links)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "yahoo"
HOSTS = ("yahoo.com",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"\bYahoo\b")

_ORGANIC = " | ".join(
    (
        f"//div[{cls('algo')}]//h3/a[@href]",
        f"//div[{cls('res')}]//h3/a[@href]",
        f"//div[{cls('sc')}]/h3/a[@href]",
        # 2000-2003: every result goes through the srd.yahoo.com click counter
        # (``/srctg/`` ones are the category trail printed above each site, not results)
        "//li//a[starts-with(@href, 'http://srd.yahoo.com/')][not(contains(@href, '/srctg/'))]",
        # 1999-2000: plain lists straight under the body, directory matches as dd > li > a
        "/html/body/ul/li/a[@href] | //dd/li/a[@href]",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://search.yahoo.com/search",
    organic=_ORGANIC,
    block=f"ancestor::*[{cls('algo')} or {cls('res')} or {cls('itm')} or self::li][1]",
    snippet=(f"(.//*[{cls('compText')}] | .//div[{cls('abstr')}] | .//*[{cls('sm-abs')}])[1]"),
    # 2021+ title links start with an absolutely positioned breadcrumb span: not title text
    title=".//text()[not(ancestor::span[contains(@class, 'p-abs')])]",
    exclude=(
        f"ancestor::*[{cls('ads')} or {cls('searchCenterTop')} or {cls('searchCenterBottom')}"
        f" or {cls('spns')} or @id='east' or @id='right' or @id='sponsored']"
    ),
    ads=f"//*[{cls('searchCenterTop')} or {cls('searchCenterBottom')}]//*[{cls('ads')}]//h3/a[@href]",
    skip_url=re.compile(
        r"^https?://([a-z]+\.)*search\.yahoo\.com/(search|bin/search|web/advanced|preferences)|"
        r"^https?://(help|edit|login|my|mail)\.yahoo\.com|^https?://(www\.)?yahoo\.com/?$|"
        r"^https?://r\.search\.yahoo\.com/(cbclk|aclk)"
    ),
    no_results_text=("We did not find results for", "No results were found", "did not match any"),
    consent_text=("consent.yahoo.com/v2/collectConsent", "guce.yahoo.com/consent"),
    features={
        "people_also_ask": f"//*[{cls('AlsoTry')} or {cls('rel-q')}]",
        "images": f"//*[{cls('sys_image')} or {cls('img-tiles')}]",
        "videos": f"//*[{cls('sys_video')} or {cls('vid-tiles')}]",
        "news": f"//*[{cls('sys_news_auto')} or {cls('news-auto')}]",
        "shopping": f"//*[{cls('sys_shopping')}]",
        "local_pack": f"//*[{cls('sys_local')}]",
    },
    result_count=f"//*[{cls('compPagination')}]/span | //*[@id='resultCount']",
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
    """``/search?p=&n=&b=&vl=``; the country picks the regional host (``de.search.yahoo.com``)."""
    check_paging(page, per_page)
    host = (
        f"https://{country.lower()}.search.yahoo.com"
        if country and country.lower() != "us"
        else "https://search.yahoo.com"
    )
    params = [("p", keyword), ("n", str(per_page)), ("b", str((page - 1) * per_page + 1) if page > 1 else "")]
    params += [("vl", f"lang_{language.lower()}" if language else "")]
    return compose_url(host, "/search", params, base_url)
