"""Helpers every engine parser shares: charset decoding, HTML parsing, redirect unwrapping, text.

Pure functions, no I/O. Redirect unwrapping only uses what the wrapper URL itself carries:
wrappers whose target lives on the engine's server (Baidu ``link?url=``, Sogou ``link?url=``,
Yandex ``clck``) are returned unchanged.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlencode, urljoin, urlsplit

import lxml.html
from lxml import etree

from spiders.extract.xpath import Node, strings

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACE = re.compile(r"\s+")

# Chinese legacy charsets are all subsets of GB18030: decoding with it is never worse.
_CHARSET_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in a BOM or a ``<meta>`` within its first 4 KB, if any."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    m = _META_CHARSET.search(raw[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    return _CHARSET_ALIASES.get(name, name)


def decode_body(body: bytes | str, fallback: str = "utf-8") -> str:
    """Bytes to text using the declared charset; undeclared pages try UTF-8, then `fallback`."""
    if isinstance(body, str):
        return body
    charset = declared_charset(body)
    if charset:
        try:
            return body.decode(charset, "replace")
        except LookupError:
            pass  # an unknown charset name: fall through to guessing
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode(_CHARSET_ALIASES.get(fallback, fallback), "replace")


def parse_html(text: str) -> etree._Element | None:
    """An lxml HTML tree, or None when the text holds no parseable document."""
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def clean_text(text: str | None) -> str:
    """Collapse whitespace; None becomes ''."""
    if not text:
        return ""
    return _SPACE.sub(" ", text).strip()


_VISIBLE_TEXT = ".//text()[not(ancestor::script) and not(ancestor::style)]"


def element_text(el: etree._Element | None) -> str:
    """Visible text of an element, whitespace collapsed (script and style skipped)."""
    if el is None:
        return ""
    return clean_text(" ".join(strings(el.xpath(_VISIBLE_TEXT))))


def node_text(node: Node) -> str:
    """What an XPath picked, as text: an element's visible text, or a string whitespace-collapsed."""
    return clean_text(node) if isinstance(node, str) else element_text(node)


def _first(qs: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        values = qs.get(name)
        if values and values[0]:
            return values[0]
    return None


def _bing_target(qs: dict[str, list[str]]) -> str | None:
    """Bing ``/ck/a?...&u=a1<base64url>``: the target URL, base64url-encoded after ``a1``."""
    u = _first(qs, "u")
    if not u or not u.startswith("a1"):
        return None
    payload = u[2:]
    try:
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.startswith(("http://", "https://")) else None


_UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _is_google_wrapper(host: str, path: str) -> bool:
    return path in ("/url", "/interstitial", "/local_url") and ("google." in host or not host)


def _google_target(url: str, target: str | None) -> str:
    """The target of a Google ``/url?q=`` wrapper: an http(s) URL as it is, a site path on
    Google's own host ("/search?...", "/maps/place/..."), another scheme ("tel:", "android-app:")
    as it is (no parser takes those for results); scripts and data, and no target, leave the
    wrapper as it was."""
    if not target:
        return url
    target = target.strip()
    if target.startswith(("http://", "https://")):
        return target
    if target.startswith("/") and not target.startswith("//"):
        return urljoin(url, quote(target, safe="/?&=%#:@+,;!$'()*~"))
    if _SCHEME.match(target) and not target.lower().startswith(_UNSAFE_SCHEMES):
        return target
    return url


def is_unresolved_wrapper(url: str) -> bool:
    """A Google ``/url`` wrapper whose target could not be read: a link to nowhere we know."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return _is_google_wrapper((parts.hostname or "").lower(), parts.path)


def unwrap_redirect(url: str) -> str:
    """The target of an engine click-tracking wrapper when the wrapper carries it, else `url`.

    Handles Google ``/url?q=`` (and ``url=``), Yahoo ``/RU=<target>/`` and the older
    ``srd.yahoo.com/...*http://target``, DuckDuckGo ``/l/?uddg=``, Bing ``/ck/a?u=a1<b64>``.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    path = parts.path
    if "yahoo." in host:
        ru = re.search(r"/RU=([^/]+)/", path)
        if ru:
            target = unquote(ru.group(1))
            if target.startswith(("http://", "https://")):
                return target
        star = url.find("*http")
        if star != -1:
            target = url[star + 1 :].lstrip("*")
            return unquote(target) if "%3a" in target[:10].lower() else target
        return url
    qs = parse_qs(parts.query) if parts.query else {}
    if _is_google_wrapper(host, path):
        return _google_target(url, _first(qs, "q", "url"))
    if "duckduckgo." in host and path.startswith("/l/"):
        target = _first(qs, "uddg")
        return target if target and target.startswith(("http://", "https://")) else url
    if "bing." in host and path.startswith("/ck/a"):
        return _bing_target(qs) or url
    return url


def absolute_url(href: str | None, base: str) -> str | None:
    """`href` resolved against `base` and unwrapped; None unless it is http(s)."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    try:
        full = urljoin(base, href)
    except ValueError:
        return None
    full = unwrap_redirect(full)
    if not full.startswith(("http://", "https://")) or is_unresolved_wrapper(full):
        return None
    return full


def host_of(url: str) -> str:
    """The lower-case host of a URL without a leading ``www.``; '' when unparseable."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class Query:
    """One result page asked of an engine: the keyword, the page, and where and how it is asked."""

    keyword: str
    page: int = 1  # from 1
    per_page: int = 10
    country: str | None = None
    language: str | None = None
    device: str = "desktop"
    base_url: str | None = None  # a stand-in engine's origin (see `compose_url`)

    @property
    def offset(self) -> int:
        """How many results come before this page's first one."""
        return (self.page - 1) * self.per_page

    def past_first(self, value: int) -> str:
        """A paging parameter: `value` from the second page on, '' (left out) on the first."""
        return str(value) if self.page > 1 else ""

    def url(self, origin: str, path: str, params: list[tuple[str, str]]) -> str:
        """The engine's URL for this query (see `compose_url`)."""
        return compose_url(origin, path, params, self.base_url)


def compose_url(origin: str, path: str, params: list[tuple[str, str]], base_url: str | None = None) -> str:
    """``origin + path + ?query`` with `params` in order; `base_url` (scheme://host[:port][/prefix])
    replaces the engine's origin so a local stand-in engine gets the same path and parameters."""
    root = (base_url or origin).rstrip("/")
    query = urlencode([(k, v) for k, v in params if v is not None and v != ""])
    return f"{root}{path}?{query}" if query else f"{root}{path}"


def check_paging(page: int, per_page: int) -> None:
    """Reject impossible paging early, with a message a user can act on."""
    if page < 1:
        raise ValueError(f"page must be >= 1, got {page}")
    if per_page < 1:
        raise ValueError(f"per_page must be >= 1, got {per_page}")
