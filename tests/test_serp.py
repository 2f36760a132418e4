"""SERP extraction units: redirect unwrapping, query URLs for every engine, page kinds on
small hand-written pages, charsets, never raising, and the CLI."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from monitor.cli.extract_serp import command
from spiders.extract.serp import ENGINES, build_query_url, detect_engine, parse_serp, unwrap_redirect
from spiders.extract.serp.common import decode_body


# --- redirect unwrapping -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        (
            "https://www.google.com/url?q=https://example.com/a%3Fb%3D1&sa=U&ved=x",
            "https://example.com/a?b=1",
        ),
        ("http://www.google.co.uk/url?url=https://example.org/&sa=t", "https://example.org/"),
        (
            "https://r.search.yahoo.com/_ylt=A0/RV=2/RE=1/RO=10/RU=https%3a%2f%2fexample.com%2fpage/RK=2/RS=x-",
            "https://example.com/page",
        ),
        ("http://srd.yahoo.com/srst/1/funny/1/2/*http://www.funny.co.uk/", "http://www.funny.co.uk/"),
        ("https://duckduckgo.com/l/?kh=-1&uddg=https%3A%2F%2Fexample.net%2Fx", "https://example.net/x"),
    ],
)
def test_unwrap_known_wrappers(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


def test_unwrap_bing_ck_link_when_decodable() -> None:
    encoded = base64.urlsafe_b64encode(b"https://example.com/bing-target").decode().rstrip("=")
    assert (
        unwrap_redirect(f"https://www.bing.com/ck/a?!&&p=abc&u=a1{encoded}&ntb=1")
        == "https://example.com/bing-target"
    )
    assert unwrap_redirect("https://www.bing.com/ck/a?!&&p=abc&u=zz&ntb=1").startswith(
        "https://www.bing.com/ck/a"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://www.baidu.com/link?url=g_EKJXV6RALxLrVHq5c",  # target known only to Baidu
        "https://www.sogou.com/link?url=hedJjaC291Osj6fm",
        "https://www.google.com/search?q=shoes",
        "https://example.com/url?q=https://elsewhere.com/",  # not an engine host
        "https://www.google.com/url?q=javascript:alert(1)",  # not an http target
    ],
)
def test_urls_without_a_readable_target_stay(url: str) -> None:
    assert unwrap_redirect(url) == url


# --- query URLs ----------------------------------------------------------------------------
KEYWORD_PARAM = {
    "google": "q", "bing": "q", "baidu": "wd", "sogou": "query",
    "yahoo": "p", "duckduckgo": "q", "yandex": "text", "ask": "q",
}  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
def test_build_query_url_every_engine(engine: str) -> None:
    url = build_query_url(engine, "running shoes 跑鞋", page=3, per_page=20, country="de", language="de")
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parse_qs(parts.query)[KEYWORD_PARAM[engine]] == ["running shoes 跑鞋"]
    first = build_query_url(engine, "running shoes")
    assert first != url  # page 3 differs from page 1
    local = build_query_url(
        engine,
        "running shoes 跑鞋",
        page=3,
        per_page=20,
        country="de",
        language="de",
        base_url="http://127.0.0.1:8765/",
    )
    local_parts = urlsplit(local)
    assert local_parts.netloc == "127.0.0.1:8765"
    assert (local_parts.path, local_parts.query) == (parts.path, parts.query)


@pytest.mark.parametrize(
    ("engine", "expected"),
    [
        ("google", {"q": ["shoes"], "num": ["10"], "start": ["20"], "hl": ["fr"], "gl": ["fr"]}),
        ("bing", {"q": ["shoes"], "count": ["10"], "first": ["21"], "setlang": ["fr"], "cc": ["FR"]}),
        ("baidu", {"wd": ["shoes"], "rn": ["10"], "pn": ["20"], "ie": ["utf-8"]}),
        ("sogou", {"query": ["shoes"], "page": ["3"], "num": ["10"], "ie": ["utf8"]}),
        ("yahoo", {"p": ["shoes"], "n": ["10"], "b": ["21"], "vl": ["lang_fr"]}),
        ("duckduckgo", {"q": ["shoes"], "kl": ["fr-fr"], "s": ["20"]}),
        ("yandex", {"text": ["shoes"], "p": ["2"], "numdoc": ["10"], "lang": ["fr"]}),
        ("ask", {"q": ["shoes"], "page": ["3"]}),
    ],
)
def test_build_query_url_paging_and_locale(engine: str, expected: dict[str, list[str]]) -> None:
    url = build_query_url(engine, "shoes", page=3, country="fr", language="fr")
    assert parse_qs(urlsplit(url).query) == expected


def test_mobile_hosts_and_regional_hosts() -> None:
    assert urlsplit(build_query_url("baidu", "x", device="mobile")).netloc == "m.baidu.com"
    assert urlsplit(build_query_url("sogou", "x", device="mobile")).netloc == "m.sogou.com"
    assert urlsplit(build_query_url("yahoo", "x", country="de")).netloc == "de.search.yahoo.com"
    assert urlsplit(build_query_url("yandex", "x", country="ru")).netloc == "yandex.ru"
    assert build_query_url("google", "x") == "https://www.google.com/search?q=x&num=10"


def test_build_query_url_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown search engine"):
        build_query_url("altavista", "x")
    with pytest.raises(ValueError, match="page"):
        build_query_url("google", "x", page=0)
    with pytest.raises(ValueError, match="device"):
        build_query_url("google", "x", device="tablet")
    with pytest.raises(ValueError, match="keyword"):
        build_query_url("google", "  ")


# --- parsing small pages -------------------------------------------------------------------
GOOGLE_PAGE = """<html><body><div id="tads"><div><a href="https://ads.example/x"><h3>Buy now</h3></a></div></div>
<div id="rso"><div class="g"><div class="yuRUbf"><a href="/url?q=https://one.example/&amp;sa=U"><h3>One</h3></a></div>
<div class="VwiC3b">First snippet</div></div>
<g-section-with-header><g-scrolling-carousel><g-inner-card><a href="https://news.example/"><h3>News</h3></a>
</g-inner-card></g-scrolling-carousel></g-section-with-header>
<div class="g"><div class="yuRUbf"><a href="https://two.example/p"><h3>Two</h3></a></div>
<div class="VwiC3b">Second snippet</div></div></div>
<div id="result-stats">About 1,230 results</div></body></html>"""


def test_google_organic_ads_and_special_blocks() -> None:
    page = parse_serp(GOOGLE_PAGE, "google", "https://www.google.com/search?q=x")
    assert page.kind == "results"
    assert [(r.rank, r.url, r.title, r.snippet) for r in page.organic] == [
        (1, "https://one.example/", "One", "First snippet"),
        (2, "https://two.example/p", "Two", "Second snippet"),
    ]
    assert [a.url for a in page.ads] == ["https://ads.example/x"]
    assert "news" in page.features
    assert page.result_count_text == "About 1,230 results"
    record = page.to_json("f.html")
    assert record["file"] == "f.html" and record["organic"][0]["rank"] == 1
    json.dumps(record)


def test_no_results_blocked_and_js_shell_kinds() -> None:
    bing_empty = '<html><body><ol id="b_results"><li class="b_no"><h1>There are no results for x</h1></li></ol></body></html>'
    assert parse_serp(bing_empty, "bing").kind == "no_results"
    captcha = '<html><body><form id="captcha-form" action="/sorry/index"></form>unusual traffic</body></html>'
    blocked = parse_serp(captcha, "google")
    assert blocked.kind == "blocked" and blocked.reason
    shell = "<html><body><div id='links'></div><script>nrj('/d.js?q=x&l=us-en');DDG.ready(f)</script></body></html>"
    assert parse_serp(shell, "duckduckgo").kind == "needs_render"
    unknown = parse_serp("<html><body><p>hello</p></body></html>", "yandex")
    assert unknown.kind == "no_results" and unknown.reason.startswith("unconfirmed")


@pytest.mark.parametrize(
    "body", [b"", "   ", b"\x00\xff\xfe garbage", "<?xml version='1.0' encoding='utf-8'?><x/>", 12]
)
def test_never_raises_on_bad_input(body: object) -> None:
    for engine in ENGINES:
        page = parse_serp(body, engine)  # type: ignore[arg-type]
        assert page.kind in ("blocked", "no_results")
        assert page.reason


def test_gbk_declared_page_is_decoded() -> None:
    html = (
        '<html><head><meta charset="gbk"></head><body><div class="results"><div class="rb"><h3 class="pt">'
        '<a href="http://example.cn/">跑鞋评测</a></h3></div></div></body></html>'
    )
    page = parse_serp(html.encode("gbk"), "sogou")
    assert [(r.url, r.title) for r in page.organic] == [("http://example.cn/", "跑鞋评测")]
    assert decode_body("跑鞋".encode("gb18030"), fallback="gbk") == "跑鞋"


def test_baidu_special_blocks_are_not_organic() -> None:
    html = """<html><body><div id="content_left">
    <div class="result-op c-container" id="1"><h3><a href="http://www.baidu.com/link?url=op">Baike</a></h3></div>
    <div class="result c-container" id="2"><h3 class="t"><a href="http://www.baidu.com/link?url=abc">Shoes</a></h3>
    <div class="c-abstract">Cheap shoes</div></div>
    <div class="result c-container" id="3001" data-tuiguang="1"><h3><a href="http://ad.example/">Ad</a></h3></div>
    </div></body></html>"""
    page = parse_serp(html, "baidu")
    assert [(r.url, r.snippet) for r in page.organic] == [
        ("http://www.baidu.com/link?url=abc", "Cheap shoes")
    ]


def test_detect_engine_from_url_and_page() -> None:
    assert detect_engine("", "https://www.bing.com/search?q=x") == "bing"
    assert detect_engine('<a href="https://www.baidu.com/link?url=1">x</a>' * 3) == "baidu"
    assert detect_engine("<html>nothing</html>") is None
    assert parse_serp("<html>nothing</html>", "auto").kind == "blocked"


# --- CLI -------------------------------------------------------------------------------------
def test_cli_prints_json_lines(tmp_path) -> None:
    first = tmp_path / "g.html"
    first.write_text(GOOGLE_PAGE, encoding="utf-8")
    second = tmp_path / "empty.html"
    second.write_bytes(b"")
    result = CliRunner().invoke(command, ["--engine", "google", str(first), str(second)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["kind"] for line in lines] == ["results", "blocked"]
    assert lines[0]["file"] == str(first) and lines[0]["engine"] == "google"
    assert set(lines[0]) >= {"file", "engine", "kind", "organic", "ads", "features"}


def test_cli_rejects_unknown_engine(tmp_path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html></html>")
    result = CliRunner().invoke(command, ["--engine", "altavista", str(page)])
    assert result.exit_code != 0


def test_google_basic_html_ads_are_not_organic() -> None:
    html = """<html><body><div id="main">
    <div><div class="ZINbbc"><div class="kCrYT"><a href="/aclk?sa=l&amp;adurl=https://ad.example/">
    <h3><div class="BNeawe vvjwJb">Sponsored shoes</div></h3></a></div></div></div>
    <div><div class="ZINbbc"><div class="kCrYT"><a href="/url?q=https://shoes.example/&amp;sa=U">
    <h3><div class="BNeawe vvjwJb">Shoes</div></h3></a></div>
    <div class="kCrYT"><div class="BNeawe s3v9rd">Great shoes</div></div></div></div></div></body></html>"""
    page = parse_serp(html, "google", "https://www.google.com/search?q=shoes")
    assert [(r.url, r.title, r.snippet) for r in page.organic] == [
        ("https://shoes.example/", "Shoes", "Great shoes")
    ]
    assert len(page.ads) == 1
