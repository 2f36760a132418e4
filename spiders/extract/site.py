"""Whole-site watches: per-page SEO facts, robots.txt (Protego), sitemaps, and the URL section tree.

    facts = extract_page_facts(body, "https://rival.example/blog/post", 200, headers)
    policy = parse_robots(robots_bytes, "https://rival.example/robots.txt")
    sitemap = parse_sitemap(sitemap_bytes, "https://rival.example/sitemap.xml.gz")

All pure: bytes and URLs in, records out. `parse_robots` and `parse_sitemap` never raise on bad
input (HTML error pages, wrong charsets, truncated gzip): they return a record with `error` set.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
from protego import Protego

from spiders.extract.listing_html import drop_invisible, parse_html
from spiders.extract.listing_urls import absolute_url

# The sitemap protocol caps a sitemap at 50 MB uncompressed; more is a zip bomb or a mistake.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# Google reads the first 500 KiB of a robots.txt and ignores the rest; so do we, gzipped or not.
MAX_ROBOTS_BYTES = 500 * 1024
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class PageFacts:
    """What a site watch records about one page."""

    url: str
    status: int
    title: str | None = None
    meta_description: str | None = None
    meta_keywords: str | None = None
    h1: str | None = None
    h1_count: int = 0
    canonical: str | None = None
    hreflang: dict[str, str] = field(default_factory=dict)
    robots: str | None = None
    noindex: bool = False
    nofollow: bool = False
    word_count: int = 0
    internal_links: int = 0
    outbound_links: int = 0
    structured_data_types: list[str] = field(default_factory=list)
    internal_urls: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True for a page that answered 2xx (the ones whose facts mean something)."""
        return 200 <= self.status < 300


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def same_site(host_a: str, host_b: str) -> bool:
    """Hosts of one site: equal once `www.` is dropped (`shop.example` and `www.shop.example`)."""
    return host_a.lower().removeprefix("www.") == host_b.lower().removeprefix("www.")


def extract_page_facts(
    body: bytes | str, url: str, status: int, headers: Mapping[str, str] | None = None
) -> PageFacts:
    """The SEO facts of one fetched page. Non-HTML or error bodies give facts with only the status."""
    content_type = _header(headers, "content-type")
    if content_type and "html" not in content_type.lower() and "xml" not in content_type.lower():
        return PageFacts(url=url, status=status)
    root = parse_html(body, content_type)
    types = _structured_types(root)
    head_meta = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name and name not in head_meta:
            head_meta[name] = meta.get("content")
    canonical = hreflang = None
    hreflang = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = absolute_url(link.get("href"), url)
        if not href:
            continue
        if "canonical" in rel and canonical is None:
            canonical = href
        if "alternate" in rel and link.get("hreflang"):
            hreflang.setdefault(link.get("hreflang").strip().lower(), href)
    robots_parts = [p for p in (head_meta.get("robots"), _header(headers, "x-robots-tag")) if p]
    robots = _clean(", ".join(robots_parts)) if robots_parts else None
    directives = {d.strip().split(":")[-1].strip() for d in (robots or "").lower().split(",")}
    titles = root.xpath("//title")
    title = _clean(titles[0].text_content()) if titles else None
    drop_invisible(root)
    h1s = [_clean(h.text_content()) for h in root.iter("h1")]
    h1s = [h for h in h1s if h]
    page_host = urlsplit(url).hostname or ""
    internal, outbound = [], 0
    for a in root.iter("a"):
        href = absolute_url(a.get("href"), url)
        if not href:
            continue
        if same_site(urlsplit(href).hostname or "", page_host):
            internal.append(href.split("#", 1)[0])
        else:
            outbound += 1
    body_el = root.find("body")
    # Text nodes joined with spaces: adjacent blocks (`<h1>A</h1><h1>B</h1>`) are separate words.
    text = " ".join((body_el if body_el is not None else root).itertext())
    return PageFacts(
        url=url,
        status=status,
        title=title,
        meta_description=_clean(head_meta.get("description")),
        meta_keywords=_clean(head_meta.get("keywords")),
        h1=h1s[0] if h1s else None,
        h1_count=len(h1s),
        canonical=canonical,
        hreflang=hreflang,
        robots=robots,
        noindex="noindex" in directives or "none" in directives,
        nofollow="nofollow" in directives or "none" in directives,
        word_count=len(_WORD.findall(text)),
        internal_links=len(internal),
        outbound_links=outbound,
        structured_data_types=types,
        internal_urls=list(dict.fromkeys(internal)),
    )


def _structured_types(root: lxml.html.HtmlElement) -> list[str]:
    """schema.org types named by JSON-LD, microdata and RDFa, without the vocabulary prefix."""
    found: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str):
            for token in value.split():
                name = token.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
                if name and name not in found:
                    found.append(name)
        elif isinstance(value, list):
            for v in value:
                add(v)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            add(node.get("@type"))
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for script in root.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
        try:
            walk(json.loads(script.text_content() or "null"))
        except (ValueError, RecursionError):  # unreadable, or nested deeper than any real page
            continue
    for el in root.xpath("//*[@itemtype]"):
        add(el.get("itemtype"))
    for el in root.xpath("//*[@typeof]"):
        add(el.get("typeof"))
    return found


# ---------------------------------------------------------------- robots.txt


@dataclass
class RobotsPolicy:
    """A site's robots.txt, parsed by Protego. With `error` set, everything is allowed (as crawlers do
    when robots.txt is missing or unreadable)."""

    url: str
    sitemaps: list[str] = field(default_factory=list)
    error: str | None = None
    _parser: Protego | None = None

    def can_fetch(self, url: str, user_agent: str = "*") -> bool:
        if self._parser is None:
            return True
        try:
            return bool(self._parser.can_fetch(url, user_agent))
        except Exception:  # noqa: BLE001 - a broken rule never blocks a crawl
            return True

    def crawl_delay(self, user_agent: str = "*") -> float | None:
        if self._parser is None:
            return None
        try:
            delay = self._parser.crawl_delay(user_agent)
        except Exception:  # noqa: BLE001
            return None
        return float(delay) if delay is not None else None


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or "<html" in head[:200]


def parse_robots(body: bytes | str, url: str) -> RobotsPolicy:
    """Parse a robots.txt body. Never raises: undecodable bytes are replaced, an HTML page (a soft
    404 or error page served as robots.txt) counts as no rules, and parser errors become `error`."""
    if isinstance(body, str):
        text = body
    else:
        raw = body or b""
        if raw.startswith(b"\x1f\x8b"):
            try:
                # Inflate only what we read: a few MB of gzip can unpack to gigabytes.
                with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
                    raw = stream.read(MAX_ROBOTS_BYTES)
            except (OSError, EOFError, zlib.error):
                return RobotsPolicy(url=url, error="corrupt gzip body")
        text = raw[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff")
    if _looks_like_html(text):
        return RobotsPolicy(url=url, error="robots.txt is an HTML page")
    try:
        parser = Protego.parse(text)
        sitemaps = [s for s in parser.sitemaps if isinstance(s, str)]
    except Exception as exc:  # noqa: BLE001 - third-party parser on hostile input
        return RobotsPolicy(url=url, error=f"unparsable robots.txt: {exc.__class__.__name__}")
    return RobotsPolicy(
        url=url, sitemaps=[s for s in (absolute_url(s, url) for s in sitemaps) if s], _parser=parser
    )


# ---------------------------------------------------------------- sitemaps


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """One sitemap file: its page URLs, or (for a sitemap index) the child sitemaps to fetch next."""

    url: str
    urls: list[SitemapUrl] = field(default_factory=list)
    child_sitemaps: list[str] = field(default_factory=list)
    error: str | None = None


def _gunzip(body: bytes) -> bytes:
    """Decompress a gzip body (detected by its magic bytes, whatever the URL says), capped in size."""
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        data = stream.read(MAX_SITEMAP_BYTES + 1)
    if len(data) > MAX_SITEMAP_BYTES:
        raise ValueError("sitemap larger than 50 MB uncompressed")
    return data


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Parse a sitemap (`<urlset>`), a sitemap index (`<sitemapindex>`), gzipped or not, or a plain
    text sitemap (one URL per line). Never raises; problems go to `error`."""
    data = body or b""
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data)
        except (OSError, EOFError, ValueError, zlib.error) as exc:
            return Sitemap(url=url, error=f"bad gzip sitemap: {exc}")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        lines = stripped.decode("utf-8", errors="replace").splitlines()
        urls = [SitemapUrl(u) for u in (absolute_url(line.strip(), url) for line in lines) if u]
        return Sitemap(url=url, urls=urls, error=None if urls else "empty sitemap")
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(stripped, parser)
    except lxml.etree.XMLSyntaxError as exc:
        return Sitemap(url=url, error=f"unparsable sitemap XML: {exc}")
    if root is None:
        return Sitemap(url=url, error="unparsable sitemap XML")
    kind = lxml.etree.QName(root).localname.lower() if isinstance(root.tag, str) else ""
    if kind == "html":
        return Sitemap(url=url, error="sitemap URL returned an HTML page")
    entry_name = "sitemap" if kind == "sitemapindex" else "url"
    entries: list[SitemapUrl] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or lxml.etree.QName(el).localname.lower() != entry_name:
            continue
        loc = lastmod = None
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = lxml.etree.QName(child).localname.lower()
            if name == "loc":
                loc = absolute_url((child.text or "").strip(), url)
            elif name == "lastmod":
                lastmod = (child.text or "").strip() or None
        if loc:
            entries.append(SitemapUrl(loc, lastmod))
    if kind == "sitemapindex":
        return Sitemap(url=url, child_sitemaps=[e.loc for e in entries])
    return Sitemap(url=url, urls=entries, error=None if kind == "urlset" else f"unexpected root <{kind}>")


# ---------------------------------------------------------------- sections


def section_of(url: str, depth: int = 1) -> str:
    """The section a page belongs to in the site's URL path tree: `/blog/` for `/blog/2024/post`.

    `depth` keeps that many directory levels (`/blog/2024/` with depth 2); a page at the root, or a
    file directly under it (`/about.html`), is in `/`.
    """
    path = unquote(urlsplit(url).path or "/")
    segments = [s for s in path.split("/") if s]
    if not path.endswith("/"):
        segments = segments[:-1]  # the last segment names the page, not a section
    kept = [s.lower() for s in segments[:depth]]
    return "/" + "".join(s + "/" for s in kept)


def section_counts(urls: list[str], depth: int = 1) -> dict[str, int]:
    """Page count per section, biggest first."""
    counts: dict[str, int] = {}
    for u in urls:
        key = section_of(u, depth)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
