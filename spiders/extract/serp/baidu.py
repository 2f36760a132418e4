"""Baidu web search: query URLs and result pages (2008 table layout, 2013+ ``c-container``
blocks, and Tieba thread lists). Result links stay ``baidu.com/link?url=`` redirects: the
target is only known to Baidu's server. Pages may be GBK-encoded."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, inside, nearest, union
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """Desktop ``www.baidu.com/s?wd=&rn=&pn=``; mobile ``m.baidu.com/s?word=&pn=``.

    Baidu serves China only, so country and language are accepted and ignored."""
    offset = q.past_first(q.offset)
    if q.device == "mobile":
        return q.url("https://m.baidu.com", "/s", [("word", q.keyword), ("pn", offset)])
    params = [("wd", q.keyword), ("rn", str(q.per_page)), ("pn", offset), ("ie", "utf-8")]
    return q.url("https://www.baidu.com", "/s", params)


# Ad blocks: ids 3001, 4001, 5001... (organic blocks are numbered by rank), tuiguang marks.
_AD = f"starts-with(@id, '300') or starts-with(@id, '400') or starts-with(@id, '500') or @data-tuiguang or {cls('ec_tuiguang_ppouter')} or starts-with(@class, 'EC_')"


def _template(*names: str) -> str:
    """Blocks drawn by one of the page templates `names` (Baidu names each block's template)."""
    return anywhere(" or ".join(f"@tpl='{name}'" for name in names))


SPEC = EngineSpec(
    name="baidu",
    query=build_url,
    organic=union(
        f"//div[@id='content_left']//div[{cls('result')}]//h3/a[@href]",
        "//table//td[@class='f']/a[@href][font or string-length(normalize-space(.)) > 0]",
        f"//a[{cls('j_th_tit')}][@href]",
    ),
    block=nearest(f"{cls('c-container', 'result')} or self::td or {cls('j_thread_list')}"),
    snippet=f"(.//*[{cls('c-abstract', 'content-right_8Zs40', 'c-span-last', 'threadlist_abs')}] | .//font[@size='-1'])[1]",
    exclude=inside(_AD),
    ads=f"//div[@id='content_left']/div[{_AD}]//h3/a[@href]",
    skip_url=re.compile(r"^https?://(www\.)?baidu\.com/(s\?|baidu\?|more/)"),
    no_results=f"//div[{cls('nors')}]",
    no_results_text=("抱歉没有找到与", "很抱歉，没有找到与", "没有找到该URL"),
    blocked_text=("百度安全验证", "wappass.baidu.com/static/captcha", "verify.baidu.com"),
    features={
        "images": _template("image", "ala_img", "img_normal"),
        "videos": _template("video", "short_video", "bjh_video"),
        "news": _template("news-realtime", "sp_realtime_bigpic5"),
        "people_also_ask": _template("wenda_abstract", "recommend_list"),
        "local_pack": _template("map", "poi_list"),
    },
    result_count=f"//span[{cls('nums_text')}] | //div[{cls('nums')}]",
    charset_fallback="gb18030",
)
