"""Yahoo search: query URLs and result pages from the 1999 directory-backed lists
(``srd.yahoo.com/...*http://target`` links) through the 2013 ``div.res`` and the 2016+
``div.algo`` layouts (``r.search.yahoo.com/.../RU=<target>/`` links)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, inside, nearest, union
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """``/search?p=&n=&b=&vl=``; the country picks the regional host (``de.search.yahoo.com``)."""
    country = (q.country or "").lower()
    host = f"https://{country}.search.yahoo.com" if country and country != "us" else "https://search.yahoo.com"
    params = [("p", q.keyword), ("n", str(q.per_page)), ("b", q.past_first(q.offset + 1))]
    params += [("vl", f"lang_{q.language.lower()}" if q.language else "")]
    return q.url(host, "/search", params)


SPEC = EngineSpec(
    name="yahoo",
    query=build_url,
    organic=union(
        f"//div[{cls('algo')}]//h3/a[@href]",
        f"//div[{cls('res')}]//h3/a[@href]",
        f"//div[{cls('sc')}]/h3/a[@href]",
        # 2000-2003: every result goes through the srd.yahoo.com click counter
        # (``/srctg/`` ones are the category trail printed above each site, not results)
        "//li//a[starts-with(@href, 'http://srd.yahoo.com/')][not(contains(@href, '/srctg/'))]",
        # 1999-2000: plain lists straight under the body, directory matches as dd > li > a
        "/html/body/ul/li/a[@href] | //dd/li/a[@href]",
    ),
    block=nearest(f"{cls('algo', 'res', 'itm')} or self::li"),
    snippet=f"(.//*[{cls('compText')}] | .//div[{cls('abstr')}] | .//*[{cls('sm-abs')}])[1]",
    # 2021+ title links start with an absolutely positioned breadcrumb span: not title text
    title=".//text()[not(ancestor::span[contains(@class, 'p-abs')])]",
    # ads, the right-hand column, and the engine's own verticals (news, video, image, shopping,
    # local and "also try" blocks), which hold title links shaped like results
    exclude=inside(
        f"{cls('ads', 'searchCenterTop', 'searchCenterBottom', 'spns')} or @id='east' or @id='right' or @id='sponsored'"
        f" or {cls('sys_news_auto', 'news-auto', 'sys_video', 'vid-tiles', 'sys_image', 'img-tiles')}"
        f" or {cls('sys_shopping', 'sys_local', 'AlsoTry')}"
    ),
    ads=f"{anywhere(cls('searchCenterTop', 'searchCenterBottom'))}//*[{cls('ads')}]//h3/a[@href]",
    skip_url=re.compile(
        r"^https?://([a-z]+\.)*search\.yahoo\.com/(search|bin/search|web/advanced|preferences)|"
        r"^https?://(help|edit|login|my|mail)\.yahoo\.com|^https?://(www\.)?yahoo\.com/?$|"
        r"^https?://r\.search\.yahoo\.com/(cbclk|aclk)"
    ),
    no_results_text=("We did not find results for", "No results were found", "did not match any"),
    consent_text=("consent.yahoo.com/v2/collectConsent", "guce.yahoo.com/consent"),
    features={
        "people_also_ask": anywhere(cls("AlsoTry", "rel-q")),
        "images": anywhere(cls("sys_image", "img-tiles")),
        "videos": anywhere(cls("sys_video", "vid-tiles")),
        "news": anywhere(cls("sys_news_auto", "news-auto")),
        "shopping": anywhere(cls("sys_shopping")),
        "local_pack": anywhere(cls("sys_local")),
    },
    result_count=union(f"{anywhere(cls('compPagination'))}/span", "//*[@id='resultCount']"),
)
