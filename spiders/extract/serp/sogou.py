"""Sogou web search: query URLs and result pages (2012 ``div.rb``/``div.vrwrap`` blocks to the
2022 ``vr-title`` ones). Links are ``sogou.com/link?url=`` redirects or direct; pages may be GBK."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "sogou"
HOSTS = ("sogou.com",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"(?:搜狗|\bSogou\b)")

SPEC = EngineSpec(
    name=NAME,
    base_url="https://www.sogou.com/web",
    organic=f"//div[{cls('results')}]/div//h3/a[@href]",
    block=f"ancestor::div[parent::div[{cls('results')}]][1]",
    snippet=(
        f"(.//*[{cls('ft')} or {cls('str_info')} or {cls('star-wiki')} or {cls('text-layout')}"
        f" or {cls('str-text-info')} or {cls('space-txt')}])[1]"
    ),
    exclude=f"ancestor::*[{cls('sponsored')} or @id='promotion_adv_container' or {cls('biz_sponsor')}]",
    ads=f"//*[{cls('sponsored')} or @id='promotion_adv_container']//h3/a[@href]",
    skip_url=re.compile(r"^https?://(www\.)?sogou\.com/(web|sogou)\?"),
    no_results=f"//*[@id='noresult_part1_container' or {cls('no-result')}]",
    no_results_text=("没有找到相关的网页", "暂无与", "抱歉，没有找到"),
    blocked_text=("antispider", "检测到您网络中存在异常访问请求", "用户您好，我们的系统检测到"),
    features={
        "images": "//*[starts-with(@id, 'sogou_vr_3001') and contains(@id, 'pic')]",
        "videos": f"//*[{cls('vr-video')}]",
        "people_also_ask": f"//*[{cls('vr-wenwen')}]",
    },
    result_count=f"//*[{cls('num-tips')} or @id='scd_num']",
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
    """Desktop ``www.sogou.com/web?query=&page=&num=``; mobile ``m.sogou.com/web/searchList.jsp``.

    Sogou serves China only, so country and language are accepted and ignored."""
    check_paging(page, per_page)
    if device == "mobile":
        params = [("keyword", keyword), ("p", str(page) if page > 1 else "")]
        return compose_url("https://m.sogou.com", "/web/searchList.jsp", params, base_url)
    params = [
        ("query", keyword),
        ("page", str(page) if page > 1 else ""),
        ("num", str(per_page)),
        ("ie", "utf8"),
    ]
    return compose_url("https://www.sogou.com", "/web", params, base_url)
