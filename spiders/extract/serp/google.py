"""Google web search: query URLs and result pages, from the 2009 ``li.g`` layout to the
2022 desktop (``div.g`` with the title link around an ``h3``) and basic-HTML (``kCrYT``) ones."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "google"
HOSTS = ("google.",)

# Title links of organic results: a link wrapping an h3 (2016+ desktop, 2021+ basic HTML),
# a link inside h3.r (2009-2016), the basic-HTML title div, the image-search grid.
_ORGANIC = " | ".join(
    (
        "//a[@href][.//h3]",
        "//h3/a[@href]",
        "//a[@href][div[contains(@class, 'vvjwJb')]]",
        "//table[contains(@class, 'images_table')]//td/a[@href][.//img]",
    )
)
# Ads, the right-hand knowledge panel, carousels (top stories, videos), people-also-ask.
_SPECIAL = " or ".join(
    (
        "@id='tads'",
        "@id='tadsb'",
        "@id='bottomads'",
        "@id='rhs'",
        "@aria-label='Ads'",
        cls("ads-ad"),
        cls("commercial-unit-desktop-top"),
        "self::g-scrolling-carousel",
        "self::g-inner-card",
        "self::g-accordion-expander",
        cls("related-question-pair"),
        "@jsname='Cpkphb'",
        "self::g-section-with-header",
        "self::block-component",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://www.google.com/search",
    organic=_ORGANIC,
    block=(
        f"ancestor::*[(self::div or self::li) and ({cls('g')} or {cls('ZINbbc')} or {cls('Gx5Zad')})][1]"
        " | ancestor::td[1]"
    ),
    snippet=(
        "(.//*["
        + " or ".join((cls("VwiC3b"), cls("st"), cls("s3v9rd"), cls("IsZvec"), cls("aCOpRe")))
        + "])[1]"
    ),
    title="(.//h3 | .//div[contains(@class, 'vvjwJb')])[1]",
    exclude=f"ancestor::*[{_SPECIAL}]",
    ads=(
        "//*[@id='tads' or @id='tadsb' or @id='bottomads']//a[@href][.//h3 or .//*[@role='heading']]"
        f" | //li[{cls('ads-ad')}]//h3/a[@href]"
        # basic-HTML ads: same blocks as results, but the link goes through /aclk
        " | //a[contains(@href, '/aclk?')][.//h3 or .//div[contains(@class, 'vvjwJb')]]"
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
    blocked="//form[@id='captcha-form'] | //*[@id='recaptcha'] | //form[contains(@action, 'consent.google')]",
    blocked_text=(
        "Our systems have detected unusual traffic",
        "detected unusual traffic from your computer",
        "/sorry/index",
        "Before you continue to Google",
    ),
    # 2023+ pages served without JavaScript only say "enable JavaScript" and retry
    render_text=("/httpservice/retry/enablejs",),
    features={
        "featured_snippet": f"//*[{cls('ifM9O')} or {cls('c2xzTb')} or {cls('xpdopen')}]",
        "people_also_ask": f"//*[{cls('related-question-pair')} or @jsname='Cpkphb']",
        "local_pack": f"//*[@id='lu_map' or {cls('rllt__details')} or {cls('local-pack')}]",
        "images": "//*[@id='imagebox_bigimages' or @id='iur' or contains(@class, 'images_table')]",
        "videos": "//g-scrolling-carousel//a[contains(@href, 'youtube.com/watch')] | //video-voyager",
        "news": "//g-section-with-header[.//g-inner-card] | //*[@id='top-stories']",
        "shopping": f"//*[{cls('commercial-unit-desktop-top')} or {cls('cu-container')} or {cls('pla-unit')}]",
    },
    result_count="//*[@id='result-stats' or @id='resultStats']",
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
    """``/search?q=&num=&start=&hl=&gl=``; the device is chosen by the user agent, not the URL."""
    check_paging(page, per_page)
    params = [
        ("q", keyword),
        ("num", str(per_page)),
        ("start", str((page - 1) * per_page) if page > 1 else ""),
    ]
    params += [("hl", language or ""), ("gl", (country or "").lower())]
    return compose_url("https://www.google.com", "/search", params, base_url)
