"""Google web search: query URLs and result pages, from the 2009 ``li.g`` layout to the
2022 desktop (``div.g`` with the title link around an ``h3``) and basic-HTML (``kCrYT``) ones."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, first, union
from spiders.extract.serp.common import Query


def build_url(q: Query) -> str:
    """``/search?q=&num=&start=&hl=&gl=``; the device is chosen by the user agent, not the URL."""
    params = [("q", q.keyword), ("num", str(q.per_page)), ("start", q.past_first(q.offset))]
    params += [("hl", q.language or ""), ("gl", (q.country or "").lower())]
    return q.url("https://www.google.com", "/search", params)


# Title links of organic results: a link wrapping an h3 (2016+ desktop, 2021+ basic HTML),
# a link inside h3.r (2009-2016), the basic-HTML title div, the image-search grid.
_ORGANIC = union(
    "//a[@href][.//h3]",
    "//h3/a[@href]",
    "//a[@href][div[contains(@class, 'vvjwJb')]]",
    "//table[contains(@class, 'images_table')]//td/a[@href][.//img]",
    # 2023+ pages served without JavaScript: the title is a span.CVA68e inside the link
    "//a[@href][span[contains(@class, 'CVA68e')]]",
)
# 2023+ mobile: no h3 at all, the title is a div with role=heading, level 3. Desktop pages use
# such headings for video and news cards, so this is read only when the above finds nothing.
_MOBILE = "//a[@href][.//*[@role='heading'][@aria-level='3']][not(ancestor::*[@role='heading'])]"
# The local pack: map results with their own title links ("rllt" = local results).
_LOCAL = f"{cls('VkpGBb', 'rllt__details')} or @id='lu_map' or {cls('cXedhc')} or @data-local-attribute"
# Ads (shopping units too), the right-hand knowledge panel, carousels and video cards (top
# stories, videos: the `videos` vertical), people-also-ask.
_SPECIAL = " or ".join(
    (
        "@id='tads'",
        "@id='tadsb'",
        "@id='bottomads'",
        "@id='rhs'",
        "@aria-label='Ads'",
        cls("ads-ad", "commercial-unit-desktop-top", "cu-container", "pla-unit"),
        "self::g-scrolling-carousel",
        "self::video-voyager",
        "self::g-inner-card",
        "self::g-accordion-expander",
        cls("related-question-pair"),
        "@jsname='Cpkphb'",
        "self::g-section-with-header",
        "self::block-component",
        _LOCAL,
    )
)

SPEC = EngineSpec(
    name="google",
    query=build_url,
    organic=_ORGANIC,
    organic_fallback=_MOBILE,
    block=union(
        f"ancestor::*[(self::div or self::li) and ({cls('g', 'ZINbbc', 'Gx5Zad')})][1]", "ancestor::td[1]"
    ),
    snippet=first(cls("VwiC3b", "st", "s3v9rd", "IsZvec", "aCOpRe")),
    title=(
        "(.//h3 | .//div[contains(@class, 'vvjwJb')] | .//*[@role='heading'][@aria-level='3']"
        " | span[contains(@class, 'CVA68e')])[1]"
    ),
    exclude=f"ancestor::*[{_SPECIAL}]",
    verticals={
        "local_pack": union(
            f"{anywhere(_LOCAL)}//a[@href][.//*[@role='heading'] or .//span[{cls('OSrXXb')}]]",
            f"//a[{cls('rllt__link')}][@href]",
        ),
        "news": "//g-section-with-header//a[@href][.//*[@role='heading']] | //*[@id='top-stories']//a[@href]",
        "videos": "//g-scrolling-carousel//a[contains(@href, 'youtube.com/watch')] | //video-voyager//a[@href][.//h3]",
    },
    ads=union(
        "//*[@id='tads' or @id='tadsb' or @id='bottomads']//a[@href][.//h3 or .//*[@role='heading']]",
        f"//li[{cls('ads-ad')}]//h3/a[@href]",
        # basic-HTML ads: same blocks as results, but the link goes through /aclk
        "//a[contains(@href, '/aclk?')][.//h3 or .//div[contains(@class, 'vvjwJb')]]",
    ),
    skip_url=re.compile(
        r"^https?://([a-z]+\.)?google\.[a-z.]+/(search|setprefs|preferences|advanced_search|webhp|intl|history|"
        r"imgres|sorry|accounts|support|aclk)|^https?://(accounts|support|policies|maps)\.google\.|"
        r"googleadservices\.com|"
        r"webcache\.googleusercontent\.com"
    ),
    no_results_text=(
        "did not match any documents",
        "No results found for",
        "ergab keine Treffer",
        "ne correspond à aucun document",
        "no obtuvo ningún resultado",
        "找不到和您查询的",
    ),
    blocked="//form[@id='captcha-form'] | //*[@id='recaptcha']",
    blocked_text=(
        "Our systems have detected unusual traffic",
        "detected unusual traffic from your computer",
        "/sorry/index",
    ),
    consent="//form[contains(@action, 'consent.google')]",
    consent_text=("Before you continue to Google", "consent.google.com/save"),
    # 2023+ pages served without JavaScript only say "enable JavaScript" and retry
    render_text=("/httpservice/retry/enablejs",),
    features={
        "featured_snippet": anywhere(cls("ifM9O", "c2xzTb", "xpdopen")),
        "people_also_ask": anywhere(f"{cls('related-question-pair')} or @jsname='Cpkphb'"),
        "local_pack": anywhere(f"@id='lu_map' or {cls('rllt__details', 'local-pack')}"),
        "images": anywhere("@id='imagebox_bigimages' or @id='iur' or contains(@class, 'images_table')"),
        "videos": "//g-scrolling-carousel//a[contains(@href, 'youtube.com/watch')] | //video-voyager",
        "news": "//g-section-with-header[.//g-inner-card] | //*[@id='top-stories']",
        "shopping": anywhere(cls("commercial-unit-desktop-top", "cu-container", "pla-unit")),
    },
    result_count=anywhere("@id='result-stats' or @id='resultStats'"),
)
