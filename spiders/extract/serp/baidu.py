"""Baidu web search: query URLs and result pages (2008 table layout, 2013+ ``c-container``
blocks, and Tieba thread lists). Result links stay ``baidu.com/link?url=`` redirects: the
target is only known to Baidu's server. Pages may be GBK-encoded."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "baidu"
HOSTS = ("baidu.com",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"(?:百度|\bBaidu\b)")

# Ad blocks: ids 3001, 4001, 5001... (organic blocks are numbered by rank), tuiguang marks.
_AD = f"starts-with(@id, '300') or starts-with(@id, '400') or starts-with(@id, '500') or @data-tuiguang or {cls('ec_tuiguang_ppouter')} or starts-with(@class, 'EC_')"

_ORGANIC = " | ".join(
    (
        f"//div[@id='content_left']//div[{cls('result')}]//h3/a[@href]",
        "//table//td[@class='f']/a[@href][font or string-length(normalize-space(.)) > 0]",
        f"//a[{cls('j_th_tit')}][@href]",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://www.baidu.com/s",
    organic=_ORGANIC,
    block=f"ancestor::*[{cls('c-container')} or {cls('result')} or self::td or {cls('j_thread_list')}][1]",
    snippet=(
        f"(.//*[{cls('c-abstract')} or {cls('content-right_8Zs40')} or {cls('c-span-last')}"
        f" or {cls('threadlist_abs')}] | .//font[@size='-1'])[1]"
    ),
    exclude=f"ancestor::*[{_AD}]",
    ads=f"//div[@id='content_left']/div[{_AD}]//h3/a[@href]",
    skip_url=re.compile(r"^https?://(www\.)?baidu\.com/(s\?|baidu\?|more/)"),
    no_results=f"//div[{cls('nors')}]",
    no_results_text=("抱歉没有找到与", "很抱歉，没有找到与", "没有找到该URL"),
    blocked_text=("百度安全验证", "wappass.baidu.com/static/captcha", "verify.baidu.com"),
    features={
        "images": "//*[@tpl='image' or @tpl='ala_img' or @tpl='img_normal']",
        "videos": "//*[@tpl='video' or @tpl='short_video' or @tpl='bjh_video']",
        "news": "//*[@tpl='news-realtime' or @tpl='sp_realtime_bigpic5']",
        "people_also_ask": "//*[@tpl='wenda_abstract' or @tpl='recommend_list']",
        "local_pack": "//*[@tpl='map' or @tpl='poi_list']",
    },
    result_count=f"//span[{cls('nums_text')}] | //div[{cls('nums')}]",
    charset_fallback="gb18030",
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
    """Desktop ``www.baidu.com/s?wd=&rn=&pn=``; mobile ``m.baidu.com/s?word=&pn=``.

    Baidu serves China only, so country and language are accepted and ignored."""
    check_paging(page, per_page)
    offset = str((page - 1) * per_page) if page > 1 else ""
    if device == "mobile":
        return compose_url("https://m.baidu.com", "/s", [("word", keyword), ("pn", offset)], base_url)
    params = [("wd", keyword), ("rn", str(per_page)), ("pn", offset), ("ie", "utf-8")]
    return compose_url("https://www.baidu.com", "/s", params, base_url)
