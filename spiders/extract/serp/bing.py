"""Bing web search: query URLs and result pages (2009 ``sa_wr`` to 2022 ``li.b_algo``, plus the
image and video verticals that share the ``/search`` family of URLs)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "bing"
HOSTS = ("bing.com",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"(?:\bBing\b|必应)")

_ORGANIC = " | ".join(
    (
        f"//li[{cls('b_algo')}]//h2/a[@href]",
        # 2023+ layouts (mobile, and pages without JavaScript): the link wraps the h2
        f"//li[{cls('b_algo')}]//a[@href][h2 or div/h2][not(ancestor::h2)]",
        f"//li[{cls('sa_wr')}]//h3/a[@href]",
        # video vertical: title links of the result tiles
        f"//div[{cls('item')}]/div[{cls('meta')}]/a[{cls('tit')}][@href]",
        # image vertical: the page link under each image
        f"//div[{cls('imgpt')}]//div[{cls('lnkw')}]/a[@href]",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://www.bing.com/search",
    organic=_ORGANIC,
    block=f"ancestor::*[{cls('b_algo')} or {cls('sa_wr')} or {cls('item')} or {cls('imgpt')}][1]",
    snippet=(
        f"(.//*[{cls('b_caption')}]/p | .//*[{cls('b_algoSlug')}] | .//p[{cls('b_lineclamp2')}]"
        f" | .//*[{cls('sa_mc')}]/p | .//p)[1]"
    ),
    # ads, the right-hand column, and carousels of result cards (b_slidebar) inside answers
    exclude=(
        f"ancestor::*[{cls('b_ad')} or {cls('sb_add')} or {cls('sb_adsW')} or @id='b_context'"
        f" or {cls('b_slidebar')}]"
    ),
    ads=f"//li[{cls('b_ad')}]//h2/a[@href] | //*[{cls('sb_add')} or {cls('sb_adsW')}]//h3/a[@href]",
    skip_url=re.compile(
        r"^https?://(www\.|cn\.)?bing\.com/(search|images/search|videos/search|account|ck/a|aclk)"
    ),
    no_results=f"//li[{cls('b_no')}]",
    no_results_text=("There are no results for", "No results found for"),
    blocked=f"//*[@id='b_captcha' or {cls('captcha')}] | //form[contains(@action, 'challenge')]",
    blocked_text=("Please solve the challenge below to continue", "/challenge/verify", "One last step"),
    features={
        "featured_snippet": f"//*[{cls('b_ans')}]//*[{cls('df_con')} or {cls('b_focusText')}]",
        "people_also_ask": f"//*[@id='relatedQnAListDisplay' or {cls('df_qntext')}]",
        "local_pack": f"//*[{cls('b_localpack')} or @id='lMapContainer']",
        "images": f"//*[{cls('imgans')} or @id='imageAnswer' or {cls('b_imagePair')}]",
        "videos": f"//*[{cls('b_vidAns')} or @id='vidans2']",
        "news": f"//*[{cls('b_nwsAns')} or {cls('na_cnt')}]",
        "shopping": f"//*[{cls('pa_carousel')} or {cls('b_adPA')}]",
    },
    result_count=f"//span[{cls('sb_count')}]",
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
    """``/search?q=&count=&first=&setlang=&cc=``; ``first`` is the 1-based offset."""
    check_paging(page, per_page)
    params = [
        ("q", keyword),
        ("count", str(per_page)),
        ("first", str((page - 1) * per_page + 1) if page > 1 else ""),
    ]
    params += [("setlang", language or ""), ("cc", (country or "").upper())]
    return compose_url("https://www.bing.com", "/search", params, base_url)
