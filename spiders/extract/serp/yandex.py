"""Yandex web search: query URLs and result pages (2014 ``serp-item__title-link`` to the
2019+ ``organic__title-wrapper`` and ``OrganicTitle`` layouts)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, cls
from spiders.extract.serp.common import check_paging, compose_url

NAME = "yandex"
HOSTS = ("yandex.",)
# The name the engine shows itself by (page titles, logos), to tell its pages apart offline.
BRAND = re.compile(r"(?:Яндекс|\bYandex\b)")

# Direct (ads) blocks are marked by data attributes, labels or dedicated classes.
_AD = (
    f"@data-fast-name='direct' or {cls('serp-adv-item')} or {cls('serp-item_card_direct')}"
    f" or {cls('serp-block_type_adv')}"
)

# Wizards: the engine's own blocks (Market, Collections, News, images, video, companies) are
# serp items marked with the wizard's name; organic items carry none.
_WIZARD = (
    "(@data-fast-wzrd and @data-fast-wzrd != '') or (@data-fast-name and @data-fast-name != ''"
    " and @data-fast-name != 'organic' and @data-fast-name != 'direct')"
)
_WIZARD_KINDS = {
    "market": "market",
    "collections": "collections",
    "news": "news",
    "images": "images",
    "video": "video",
    "companies": "local_pack",
}


def _wizard_links(word: str | None) -> str:
    kind = "" if word is None else f" and (contains(@data-fast-wzrd, '{word}') or contains(@data-fast-name, '{word}'))"
    return f"//*[{cls('serp-item')}][({_WIZARD}){kind}]//a[@href][ancestor::h2 or ancestor::*[contains(@class, 'title')]]"


_VERTICALS = {name: _wizard_links(word) for word, name in _WIZARD_KINDS.items()}
_VERTICALS["wizard"] = _wizard_links(None)

_ORGANIC = " | ".join(
    (
        f"//*[{cls('serp-item')}]//h2//a[@href]",
        f"//li[{cls('serp-item')}]//a[{cls('OrganicTitle-Link')}][@href]",
    )
)

SPEC = EngineSpec(
    name=NAME,
    base_url="https://yandex.com/search/",
    organic=_ORGANIC,
    block=f"ancestor::*[{cls('serp-item')}][1]",
    snippet=(
        f"(.//*[{cls('serp-item__text')} or {cls('text-container')} or {cls('organic__content-wrapper')}"
        f" or {cls('OrganicText')}])[1]"
    ),
    exclude=f"ancestor::*[{_AD}] | ancestor::*[{cls('serp-item')}][{_WIZARD}]",
    verticals=_VERTICALS,
    ads=f"//*[{_AD}]//h2//a[@href] | //*[{cls('serp-item')}]//h2//a[contains(@href, '//yabs.yandex.')]",
    # yabs.yandex.* is the Direct ad click counter; maps.yandex.* links are company cards
    # the engine's own properties (Market, Collections, News, Zen, maps) are never organic
    skip_url=re.compile(
        r"^https?://(www\.)?yandex\.[a-z.]+/(search|yandsearch|images|video|maps|collections|products|news)|"
        r"//(yabs|maps|market|pokupki\.market|collections|news|zen|an)\.yandex\.|//zen\.ya\.ru"
    ),
    no_results_text=(
        "ничего не нашлось",
        "Sorry, there are no results",
        "ничего не найдено",
        "Nothing found",
    ),
    blocked=("//form[contains(@action, 'checkcaptcha')] | //*[contains(@class, 'CheckboxCaptcha')]"),
    blocked_text=("showcaptcha", "checkcaptcha", "похожи на автоматические"),
    features={
        "images": "//*[@data-fast-name='images' or @data-fast-wzrd='images']",
        "videos": "//*[@data-fast-name='videowiz' or @data-fast-wzrd='videowiz']",
        "news": "//*[@data-fast-name='news' or @data-fast-wzrd='news']",
        "featured_snippet": "//*[@data-fast-name='entity_search' or @data-fast-wzrd='object_answer']",
        "local_pack": "//*[@data-fast-name='companies' or @data-fast-wzrd='companies'] | //h2//a[contains(@href, '//maps.yandex.')]",
    },
    result_count=f"//*[{cls('serp-adv__found')}]",
)

_LANG_HOSTS = {
    "ru": "yandex.ru",
    "tr": "yandex.com.tr",
    "by": "yandex.by",
    "kz": "yandex.kz",
    "ua": "yandex.ua",
}


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
    """``/search/?text=&p=<0-based page>&numdoc=&lang=``; the country picks the host
    (``yandex.ru``, ``yandex.com.tr``...), ``/search/touch/`` serves mobile."""
    check_paging(page, per_page)
    host = _LANG_HOSTS.get((country or "").lower(), "yandex.com")
    path = "/search/touch/" if device == "mobile" else "/search/"
    params = [
        ("text", keyword),
        ("p", str(page - 1) if page > 1 else ""),
        ("numdoc", str(per_page)),
        ("lang", language or ""),
    ]
    return compose_url(f"https://{host}", path, params, base_url)
