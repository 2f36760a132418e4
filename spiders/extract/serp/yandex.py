"""Yandex web search: query URLs and result pages (2014 ``serp-item__title-link`` to the
2019+ ``organic__title-wrapper`` and ``OrganicTitle`` layouts)."""

from __future__ import annotations

import re

from spiders.extract.serp.base import EngineSpec, anywhere, cls, first, inside, nearest, union
from spiders.extract.serp.common import Query

_LANG_HOSTS = {
    "ru": "yandex.ru",
    "tr": "yandex.com.tr",
    "by": "yandex.by",
    "kz": "yandex.kz",
    "ua": "yandex.ua",
}


def build_url(q: Query) -> str:
    """``/search/?text=&p=<0-based page>&numdoc=&lang=``; the country picks the host
    (``yandex.ru``, ``yandex.com.tr``...), ``/search/touch/`` serves mobile."""
    host = _LANG_HOSTS.get((q.country or "").lower(), "yandex.com")
    path = "/search/touch/" if q.device == "mobile" else "/search/"
    params = [("text", q.keyword), ("p", q.past_first(q.page - 1)), ("numdoc", str(q.per_page))]
    params += [("lang", q.language or "")]
    return q.url(f"https://{host}", path, params)


# Direct (ads) blocks are marked by data attributes, labels or dedicated classes.
_AD = f"@data-fast-name='direct' or {cls('serp-adv-item', 'serp-item_card_direct', 'serp-block_type_adv')}"

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


def _marked(name: str) -> str:
    """A block the engine marks as its `name` wizard, by either of its two attributes."""
    return anywhere(f"@data-fast-name='{name}' or @data-fast-wzrd='{name}'")


_VERTICALS = {name: _wizard_links(word) for word, name in _WIZARD_KINDS.items()}
_VERTICALS["wizard"] = _wizard_links(None)

SPEC = EngineSpec(
    name="yandex",
    query=build_url,
    organic=union(
        f"//*[{cls('serp-item')}]//h2//a[@href]",
        f"//li[{cls('serp-item')}]//a[{cls('OrganicTitle-Link')}][@href]",
    ),
    block=nearest(cls("serp-item")),
    snippet=first(cls("serp-item__text", "text-container", "organic__content-wrapper", "OrganicText")),
    exclude=union(inside(_AD), f"ancestor::*[{cls('serp-item')}][{_WIZARD}]"),
    verticals=_VERTICALS,
    ads=union(f"{anywhere(_AD)}//h2//a[@href]", f"//*[{cls('serp-item')}]//h2//a[contains(@href, '//yabs.yandex.')]"),
    # yabs.yandex.* is the Direct ad click counter; maps.yandex.* links are company cards
    # the engine's own properties (Market, Collections, News, Zen, maps) are never organic
    skip_url=re.compile(
        r"^https?://(www\.)?yandex\.[a-z.]+/(search|yandsearch|images|video|maps|collections|products|news)|"
        r"//(yabs|maps|market|pokupki\.market|collections|news|zen|an)\.yandex\.|//zen\.ya\.ru"
    ),
    no_results_text=("ничего не нашлось", "Sorry, there are no results", "ничего не найдено", "Nothing found"),
    blocked="//form[contains(@action, 'checkcaptcha')] | //*[contains(@class, 'CheckboxCaptcha')]",
    blocked_text=("showcaptcha", "checkcaptcha", "похожи на автоматические"),
    features={
        "images": _marked("images"),
        "videos": _marked("videowiz"),
        "news": _marked("news"),
        "featured_snippet": "//*[@data-fast-name='entity_search' or @data-fast-wzrd='object_answer']",
        "local_pack": union(_marked("companies"), "//h2//a[contains(@href, '//maps.yandex.')]"),
    },
    result_count=anywhere(cls("serp-adv__found")),
)
