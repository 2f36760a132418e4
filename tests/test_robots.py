"""robots.txt through Protego: rules, sitemaps, and bodies that are not robots.txt at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.extract.site import parse_robots

ROBOTS = b"""User-agent: *
Disallow: /private/
Crawl-delay: 2
User-agent: rivalwatch
Disallow: /no-bots/
Sitemap: https://rival.example/sitemap_index.xml
Sitemap: /sitemap-news.xml
"""


def test_rules_delay_and_sitemaps():
    policy = parse_robots(ROBOTS, "https://rival.example/robots.txt")
    assert policy.error is None
    assert not policy.can_fetch("https://rival.example/private/x", "somebot")
    assert policy.can_fetch("https://rival.example/private/x", "rivalwatch")
    assert not policy.can_fetch("https://rival.example/no-bots/x", "rivalwatch")
    assert policy.crawl_delay("somebot") == 2.0
    assert policy.sitemaps == [
        "https://rival.example/sitemap_index.xml",
        "https://rival.example/sitemap-news.xml",
    ]


def test_hostile_bodies_never_raise_and_allow_all():
    url = "https://rival.example/robots.txt"
    for body in (
        b"",
        b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
        "User-agent: *\nDisallow: /caf\xe9/\n".encode("latin-1"),
        b"\xff\xfe\x00\x00garbage\x00\x00",
        b"User-agent: *\nDisallow: /" + b"a" * 100_000,
        b"\x1f\x8b\x08broken-gzip",
    ):
        policy = parse_robots(body, url)
        assert isinstance(policy.can_fetch("https://rival.example/page"), bool)
    assert parse_robots(b"<html><body>error</body></html>", url).can_fetch("https://rival.example/private/")


@pytest.mark.corpus
def test_every_real_robots_file_parses(corpora):
    folder = corpora / "robots_txt" / "files"
    if not folder.is_dir():
        pytest.skip("robots_txt corpus absent")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert len(files) > 900
    for path in files:
        policy = parse_robots(path.read_bytes(), f"https://{path.name}/robots.txt")
        assert isinstance(policy.can_fetch(f"https://{path.name}/some/page", "rivalwatch"), bool), path
        policy.crawl_delay("rivalwatch")
        assert all(s.startswith("http") for s in policy.sitemaps), path


def test_corpus_helper_path_is_not_copied_into_repo():
    assert not (Path(__file__).parent / "robots_txt").exists()


def test_gzip_bomb_is_inflated_only_as_far_as_it_is_read():
    # 200 MB of rules compress to about 200 KB: inflating all of it (and trimming after) would
    # hold 200 MB at once; a bounded read holds the 500 KiB a robots.txt may have.
    import gzip
    import tracemalloc

    rules = b"User-agent: *\nDisallow: /private/\n" + b"#" * (200 * 1024 * 1024)
    bomb = gzip.compress(rules, compresslevel=9)
    del rules
    tracemalloc.start()
    try:
        policy = parse_robots(bomb, "https://rival.example/robots.txt")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB held while parsing a gzipped robots.txt"
    assert policy.error is None
    assert not policy.can_fetch("https://rival.example/private/x", "rivalwatch")
