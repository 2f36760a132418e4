"""URL helpers for listing pages: absolute links, redirect unwrapping, item identity keys, URL shapes.

A listing item's URL carries tracking noise that changes on every crawl (search ids, timestamps,
positions), so changes are keyed on `item_key`, not on the raw URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

# Query parameters that commonly carry the real target of a click-tracking redirect.
_REDIRECT_PARAMS = ("url", "u", "q", "dest", "destination", "target", "to", "redirect", "redirect_url", "ru")
# Query parameters that never identify a product: trackers, positions, session or search echoes.
_TRACKING_PARAM = re.compile(
    r"^(utm_.*|ref|ref_|refid|sr|qid|sid|spm|scm|pvid|pf_rd_.*|pd_rd_.*|psc|keywords|_trksid|hash|"
    r"ga_.*|gclid|fbclid|mc_.*|tag|linkcode|camp|creative|clickid|aff.*|source|from|ws_ab_test|btsid|"
    r"algo_.*|crid|sprefix|dchild|th|smid|sres|qsid|s|rnid|search.*|frs|cns|organic_search_click)$",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
_EMBEDDED_URL = re.compile(r"/https?:/", re.IGNORECASE)


def absolute_url(href: str | None, base: str) -> str | None:
    """Resolve `href` against `base`; None for empty, script, mail and same-page fragment links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    low = href[:12].lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:", "about:")):
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url


def unwrap_redirect(url: str) -> str:
    """Follow a click-tracking wrapper offline: `/redirect?url=%2Fitem%2F1` -> the wrapped URL.

    Only a parameter whose value is itself an absolute URL or a site path counts, so ordinary
    search parameters (`q=shoes`) are left alone.
    """
    embedded = _EMBEDDED_URL.search(url, 8)
    if embedded:
        # Ad servers put the target in the path: `/x/c/TOKEN/https://shop/dp/1`.
        target = url[embedded.start() + 1 :]
        return re.sub(r"^(https?:)/+", r"\1//", target)
    parts = urlsplit(url)
    if not parts.query:
        return url
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if name.lower() not in _REDIRECT_PARAMS:
            continue
        value = value.strip()
        if value.startswith(("http://", "https://")):
            return value
        if value.startswith("/") and not value.startswith("//"):
            return urlunsplit((parts.scheme, parts.netloc, value.split("?")[0], _query_of(value), ""))
    return url


def _query_of(value: str) -> str:
    return value.split("?", 1)[1] if "?" in value else ""


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=Keyed)


def first_per_key(items: Iterable[K]) -> list[K]:
    """The items in order, each key's first only (a product linked twice on a page is one card)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.key not in seen:
            seen.add(item.key)
            unique.append(item)
    return unique


def item_key(url: str) -> str:
    """A stable identity for a listed item's URL, the same across crawls.

    Unwraps redirects, drops scheme, `www.`, fragment and tracking parameters; the remaining query
    is sorted, and dropped entirely when a path segment carries an identifier (digits), as
    product URLs do (`/item/123.html`, `/dp/B08WJG41B4`, `/listing/98873266/...`). Path segments like Amazon's `/ref=sr_1_3` are position trackers inside the path and
    are dropped too (a `name=value` path segment never names a product on its own).
    """
    url = unwrap_redirect(url)
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    if host.endswith(":80") or host.endswith(":443"):
        host = host.rsplit(":", 1)[0]
    segments = [s for s in unquote(parts.path).split("/") if s and "=" not in s]
    path = "/" + "/".join(segments)
    if any(_HAS_DIGIT.search(s) for s in segments):
        # The path names the item already: its query is presentation and tracking.
        return host + path
    kept = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False) if not _TRACKING_PARAM.match(k)
    )
    query = "&".join(f"{k}={v}" for k, v in kept)
    return host + path + ("?" + query if query else "")


def url_shape(url: str) -> str:
    """The shape of a URL for grouping similar links: host plus its fixed path words.

    Variable segments (with digits, punctuation or capitals, like ids and slugs) are left out, so
    `/item/Red-Bag/123.html` and `/item/Blue-Shoe/456.html` share the shape `host/item`, and a
    product link and a category link usually do not.
    """
    parts = urlsplit(unwrap_redirect(url))
    host = parts.netloc.lower().removeprefix("www.")
    fixed = [seg for seg in unquote(parts.path).split("/") if _FIXED_SEGMENT.match(seg)]
    return host + "/" + "/".join(fixed)


_FIXED_SEGMENT = re.compile(r"^[a-z]{1,14}$")


def looks_like_item_url(url: str) -> bool:
    """True when a URL's path carries an identifier (digits or a long slug), as product pages do."""
    parts = urlsplit(unwrap_redirect(url))
    segs = [s for s in unquote(parts.path).split("/") if s and "=" not in s]
    if any(_HAS_DIGIT.search(s) or len(s) > 18 for s in segs):
        return True
    return any(
        _HAS_DIGIT.search(v) for k, v in parse_qsl(parts.query) if k.lower() in ("id", "pid", "item", "sku")
    )
