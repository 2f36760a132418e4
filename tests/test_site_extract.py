"""Site watch extraction: page SEO facts, sitemaps (plain, index, gzip, broken) and URL sections."""

from __future__ import annotations

import gzip

from spiders.extract.site import extract_page_facts, parse_sitemap, section_counts, section_of

PAGE = b"""<!doctype html><html lang="en"><head>
<title>  Blue Lamps | Rival </title>
<meta name="description" content="All our  blue lamps.">
<meta name="keywords" content="lamps, blue">
<meta name="robots" content="noindex, follow">
<link rel="canonical" href="/lamps/blue">
<link rel="alternate" hreflang="de" href="https://rival.example/de/lampen/blau">
<link rel="alternate" hreflang="x-default" href="https://rival.example/lamps/blue">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"BreadcrumbList"},{"@type":["Product","Thing"],"offers":{"@type":"Offer"}}]}</script>
<script>var words = "not counted at all";</script>
</head><body>
<h1>Blue lamps</h1><h1>Second heading</h1>
<p>Three blue lamps here.</p>
<div itemscope itemtype="http://schema.org/Organization"></div>
<a href="/lamps/red">Red</a><a href="https://www.rival.example/about">About</a>
<a href="https://other.example/">Partner</a><a href="#top">Top</a><a href="mailto:a@b.c">Mail</a>
</body></html>"""


def test_page_facts():
    facts = extract_page_facts(
        PAGE, "https://rival.example/lamps/blue?x=1", 200, {"Content-Type": "text/html"}
    )
    assert facts.title == "Blue Lamps | Rival"
    assert facts.meta_description == "All our blue lamps."
    assert facts.meta_keywords == "lamps, blue"
    assert facts.h1 == "Blue lamps" and facts.h1_count == 2
    assert facts.canonical == "https://rival.example/lamps/blue"
    assert facts.hreflang == {
        "de": "https://rival.example/de/lampen/blau",
        "x-default": "https://rival.example/lamps/blue",
    }
    assert facts.robots == "noindex, follow" and facts.noindex and not facts.nofollow
    assert facts.internal_links == 2 and facts.outbound_links == 1
    assert facts.internal_urls == ["https://rival.example/lamps/red", "https://www.rival.example/about"]
    assert set(facts.structured_data_types) == {"BreadcrumbList", "Product", "Thing", "Offer", "Organization"}
    # Blue lamps / Second heading / Three blue lamps here. / Red About Partner Top Mail
    assert facts.word_count == 2 + 2 + 4 + 5
    assert facts.ok


def test_page_facts_x_robots_tag_and_non_html_and_errors():
    facts = extract_page_facts(
        b"<html><title>x</title></html>", "https://r.example/", 200, {"X-Robots-Tag": "nofollow"}
    )
    assert facts.nofollow and not facts.noindex
    pdf = extract_page_facts(b"%PDF-1.4", "https://r.example/a.pdf", 200, {"content-type": "application/pdf"})
    assert pdf.title is None and pdf.word_count == 0
    broken = extract_page_facts(b"", "https://r.example/x", 503)
    assert broken.status == 503 and not broken.ok and broken.title is None


def test_cjk_word_count_counts_characters():
    facts = extract_page_facts(
        "<html><body><p>京东商城 JD</p></body></html>".encode(), "https://r.example/", 200
    )
    assert facts.word_count == 5


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://rival.example/</loc><lastmod>2024-05-01</lastmod></url>
<url><loc> https://rival.example/blog/post-1 </loc></url>
<url><loc>/relative/page</loc></url>
</urlset>"""
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://rival.example/sitemap-posts.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
<sitemap><loc>https://rival.example/sitemap-pages.xml</loc></sitemap>
</sitemapindex>"""


def test_sitemap_urlset():
    sm = parse_sitemap(URLSET, "https://rival.example/sitemap.xml")
    assert [u.loc for u in sm.urls] == [
        "https://rival.example/",
        "https://rival.example/blog/post-1",
        "https://rival.example/relative/page",
    ]
    assert sm.urls[0].lastmod == "2024-05-01" and sm.child_sitemaps == [] and sm.error is None


def test_sitemap_index():
    sm = parse_sitemap(INDEX, "https://rival.example/sitemap_index.xml")
    assert sm.child_sitemaps == [
        "https://rival.example/sitemap-posts.xml.gz",
        "https://rival.example/sitemap-pages.xml",
    ]
    assert sm.urls == []


def test_gzip_detected_by_magic_bytes_not_by_name():
    sm = parse_sitemap(gzip.compress(URLSET), "https://rival.example/sitemap.xml")
    assert len(sm.urls) == 3
    idx = parse_sitemap(gzip.compress(INDEX), "https://rival.example/whatever")
    assert len(idx.child_sitemaps) == 2
    # A .gz URL served already decompressed (Content-Encoding) still parses.
    assert len(parse_sitemap(URLSET, "https://rival.example/sitemap.xml.gz").urls) == 3


def test_broken_sitemaps_never_raise():
    url = "https://rival.example/sitemap.xml"
    assert parse_sitemap(b"\x1f\x8b\x08\x00garbage", url).error
    assert parse_sitemap(gzip.compress(URLSET)[:40], url).error
    assert parse_sitemap(b"<html><body>Not found</body></html>", url).error
    assert parse_sitemap(b"", url).error
    truncated = parse_sitemap(URLSET[:-40], url)
    assert [u.loc for u in truncated.urls][:2] == [
        "https://rival.example/",
        "https://rival.example/blog/post-1",
    ]
    text = parse_sitemap(b"https://rival.example/a\nhttps://rival.example/b\n", url)
    assert [u.loc for u in text.urls] == ["https://rival.example/a", "https://rival.example/b"]
    entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc></url></urlset>'
    assert all("root:" not in u.loc for u in parse_sitemap(entity, url).urls)


def test_sections():
    assert section_of("https://r.example/blog/2024/05/post") == "/blog/"
    assert section_of("https://r.example/blog/2024/05/post", depth=2) == "/blog/2024/"
    assert section_of("https://r.example/Blog/") == "/blog/"
    assert section_of("https://r.example/about.html") == "/"
    assert section_of("https://r.example/") == "/"
    urls = [
        "https://r.example/blog/a",
        "https://r.example/blog/b",
        "https://r.example/shop/x",
        "https://r.example/",
    ]
    assert section_counts(urls) == {"/blog/": 2, "/": 1, "/shop/": 1}
