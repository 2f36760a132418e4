"""Machine-readable files every demo shop serves: robots.txt and its sitemaps (an index, plain and gzipped)."""

from __future__ import annotations

import gzip
from datetime import date
from xml.sax.saxutils import escape

ROBOTS_DISALLOW = ("/private/", "/cart", "/account/", "/__demo/")


def robots_txt(base: str) -> str:
    """Everyone may crawl the shop except its private, cart and account areas; one bot is banned."""
    lines = ["# robots.txt for the rivalwatch demo market", "User-agent: *"]
    lines += [f"Disallow: {p}" for p in ROBOTS_DISALLOW]
    lines += ["Allow: /", "", "User-agent: BadBot", "Disallow: /", "", f"Sitemap: {base}/sitemap.xml", ""]
    return "\n".join(lines)


def _sitemap(root: str, tag: str, base: str, entries: list[tuple[str, date]], sep: str) -> str:
    items = sep.join(
        f"<{tag}><loc>{escape(base + path)}</loc><lastmod>{when.isoformat()}</lastmod></{tag}>"
        for path, when in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sep}{items}{sep}</{root}>\n'
    )


def sitemap_index(base: str, parts: list[tuple[str, date]]) -> str:
    return _sitemap("sitemapindex", "sitemap", base, parts, "")


def urlset(base: str, entries: list[tuple[str, date]]) -> str:
    return _sitemap("urlset", "url", base, entries, "\n")


def gzipped(text: str) -> bytes:
    # mtime=0 keeps the bytes (and so the ETag) the same for the same content.
    return gzip.compress(text.encode(), mtime=0)
