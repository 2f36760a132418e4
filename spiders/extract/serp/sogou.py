"""Sogou web search: query URLs and result pages (2012 ``div.rb``/``div.vrwrap`` blocks to the
2022 ``vr-title`` ones). Links are ``sogou.com/link?url=`` redirects or direct; pages may be GBK."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, first, inside
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """Desktop ``www.sogou.com/web?query=&page=&num=``; mobile ``m.sogou.com/web/searchList.jsp``.

    Sogou serves China only, so country and language are accepted and ignored."""
    page = q.past_first(q.page)
    if q.device == "mobile":
        return q.url("https://m.sogou.com", "/web/searchList.jsp", [("keyword", q.keyword), ("p", page)])
    params = [("query", q.keyword), ("page", page), ("num", str(q.per_page)), ("ie", "utf8")]
    return q.url("https://www.sogou.com", "/web", params)


SPEC = EngineSpec(
    name="sogou",
    query=build_url,
    organic=f"//div[{cls('results')}]/div//h3/a[@href]",
    block=f"ancestor::div[parent::div[{cls('results')}]][1]",
    snippet=first(cls("ft", "str_info", "star-wiki", "text-layout", "str-text-info", "space-txt")),
    exclude=inside(f"{cls('sponsored')} or @id='promotion_adv_container' or {cls('biz_sponsor')}"),
    ads=f"//*[{cls('sponsored')} or @id='promotion_adv_container']//h3/a[@href]",
    skip_url=re.compile(r"^https?://(www\.)?sogou\.com/(web|sogou)\?"),
    no_results=anywhere(f"@id='noresult_part1_container' or {cls('no-result')}"),
    no_results_text=("没有找到相关的网页", "暂无与", "抱歉，没有找到"),
    blocked_text=("antispider", "检测到您网络中存在异常访问请求", "用户您好，我们的系统检测到"),
    features={
        "images": "//*[starts-with(@id, 'sogou_vr_3001') and contains(@id, 'pic')]",
        "videos": anywhere(cls("vr-video")),
        "people_also_ask": anywhere(cls("vr-wenwen")),
    },
    result_count=anywhere(f"{cls('num-tips')} or @id='scd_num'"),
    charset_fallback="gb18030",
)
