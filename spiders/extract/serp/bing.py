"""Bing web search: query URLs and result pages (2009 ``sa_wr`` to 2022 ``li.b_algo``, plus the
image and video verticals that share the ``/search`` family of URLs)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, inside, nearest, union
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """``/search?q=&count=&first=&setlang=&cc=``; ``first`` is the 1-based offset."""
    params = [("q", q.keyword), ("count", str(q.per_page)), ("first", q.past_first(q.offset + 1))]
    params += [("setlang", q.language or ""), ("cc", (q.country or "").upper())]
    return q.url("https://www.bing.com", "/search", params)


SPEC = EngineSpec(
    name="bing",
    query=build_url,
    organic=union(
        f"//li[{cls('b_algo')}]//h2/a[@href]",
        # 2023+ layouts (mobile, and pages without JavaScript): the link wraps the h2
        f"//li[{cls('b_algo')}]//a[@href][h2 or div/h2][not(ancestor::h2)]",
        f"//li[{cls('sa_wr')}]//h3/a[@href]",
        # video vertical: title links of the result tiles
        f"//div[{cls('item')}]/div[{cls('meta')}]/a[{cls('tit')}][@href]",
        # image vertical: the page link under each image
        f"//div[{cls('imgpt')}]//div[{cls('lnkw')}]/a[@href]",
    ),
    block=nearest(cls("b_algo", "sa_wr", "item", "imgpt")),
    snippet=(
        f"(.//*[{cls('b_caption')}]/p | .//*[{cls('b_algoSlug')}] | .//p[{cls('b_lineclamp2')}]"
        f" | .//*[{cls('sa_mc')}]/p | .//p)[1]"
    ),
    # ads, the right-hand column, and carousels of result cards (b_slidebar) inside answers
    exclude=inside(f"{cls('b_ad', 'sb_add', 'sb_adsW')} or @id='b_context' or {cls('b_slidebar')}"),
    ads=f"//li[{cls('b_ad')}]//h2/a[@href] | {anywhere(cls('sb_add', 'sb_adsW'))}//h3/a[@href]",
    skip_url=re.compile(
        r"^https?://(www\.|cn\.)?bing\.com/(search|images/search|videos/search|account|ck/a|aclk)"
    ),
    no_results=f"//li[{cls('b_no')}]",
    no_results_text=("There are no results for", "No results found for"),
    blocked=union(anywhere(f"@id='b_captcha' or {cls('captcha')}"), "//form[contains(@action, 'challenge')]"),
    blocked_text=("Please solve the challenge below to continue", "/challenge/verify", "One last step"),
    features={
        "featured_snippet": f"{anywhere(cls('b_ans'))}//*[{cls('df_con', 'b_focusText')}]",
        "people_also_ask": anywhere(f"@id='relatedQnAListDisplay' or {cls('df_qntext')}"),
        "local_pack": anywhere(f"{cls('b_localpack')} or @id='lMapContainer'"),
        "images": anywhere(f"{cls('imgans')} or @id='imageAnswer' or {cls('b_imagePair')}"),
        "videos": anywhere(f"{cls('b_vidAns')} or @id='vidans2'"),
        "news": anywhere(cls("b_nwsAns", "na_cnt")),
        "shopping": anywhere(cls("pa_carousel", "b_adPA")),
    },
    result_count=f"//span[{cls('sb_count')}]",
)
