"""SERPs: block pages in any language and by status, consent walls apart from blocks, verticals
apart from organic results, current mobile and no-JavaScript layouts, /url?q= targets that are
not web pages, and telling the engine from the page alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli.extract_serp import command
from spiders.extract.serp import (
    BLOCKED,
    CONSENT,
    NO_RESULTS,
    RESULTS,
    detect_engine,
    parse_serp,
    unwrap_redirect,
)


def _html(body: str, title: str = "shoes - Google Search") -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    "message",
    [
        "Unsere Systeme haben ungewöhnlichen Datenverkehr aus Ihrem Computernetzwerk festgestellt.",
        "Nos systèmes ont détecté un trafic exceptionnel sur votre réseau informatique.",
        "Nuestros sistemas han detectado tráfico inusual procedente de tu red de ordenadores.",
        "Подтвердите, что запросы отправляли вы, а не робот",
        "我们的系统检测到您的计算机网络中存在异常流量。",
        "システムが異常なトラフィックを検出しました。",
        "Please complete the CAPTCHA below",
    ],
)
@pytest.mark.parametrize("engine", ["google", "bing", "yandex", "baidu"])
def test_block_pages_in_other_languages(engine: str, message: str) -> None:
    page = parse_serp(_html(f"<div><p>{message}</p><form><input name='c'></form></div>", "Sorry"), engine)
    assert page.kind == BLOCKED, page.reason


def test_bare_403_page_is_blocked() -> None:
    body = b"<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1></body></html>"
    assert parse_serp(body, "bing").kind == BLOCKED


@pytest.mark.parametrize("status", [403, 429])
def test_refusal_status_on_an_empty_page_is_blocked(status: int) -> None:
    page = parse_serp(_html("<div>nothing here</div>"), "google", status=status)
    assert page.kind == BLOCKED and str(status) in (page.reason or "")


def test_results_stay_results_whatever_the_status() -> None:
    body = _html("<div class='g'><a href='https://shoes.example/'><h3>Shoes</h3></a></div>")
    assert parse_serp(body, "google", status=200).kind == RESULTS


CONSENT_DIALOG = (
    "<div role='dialog'><h1>Before you continue to Google</h1>"
    "<form action='https://consent.google.com/save' method='post'><button>Accept all</button></form></div>"
)


def test_consent_wall_is_not_a_block() -> None:
    page = parse_serp(_html(CONSENT_DIALOG), "google")
    assert page.kind == CONSENT and not page.ok


def test_consent_dialog_over_a_no_results_page_is_no_results() -> None:
    body = _html(CONSENT_DIALOG + "<div id='topstuff'><p>Your search - <b>qqxqq</b> - did not match any documents.</p></div>")
    assert parse_serp(body, "google").kind == NO_RESULTS


def test_consent_wall_in_another_language_and_engine() -> None:
    body = _html("<div class='consent'><h2>Bevor Sie fortfahren</h2><button>Alle akzeptieren</button></div>", "Yahoo")
    assert parse_serp(body, "yahoo").kind == CONSENT


GOOGLE_MOBILE_2023 = """
<div id="rso">
 <div class="MjjYud"><div class="Ww4FFb"><a class="cz3goc BmP5tf" href="https://shoes.example/running">
   <div class="v5yQqb"><span>shoes.example</span></div>
   <div class="MUxGbd v0nnCb aLF0Z OSrXXb" role="heading" aria-level="3">Running shoes for everyone</div></a>
   <div class="MUxGbd yDYNvb">Light running shoes.</div></div></div>
 <div class="MjjYud"><div class="Ww4FFb"><a class="cz3goc BmP5tf" href="https://other.example/shoes">
   <div class="MUxGbd v0nnCb aLF0Z OSrXXb" role="heading" aria-level="3">Shoes at Other</div></a></div></div>
</div>"""


def test_google_mobile_2023_layout() -> None:
    page = parse_serp(_html(GOOGLE_MOBILE_2023), "google")
    assert page.kind == RESULTS
    assert [r.url for r in page.organic] == ["https://shoes.example/running", "https://other.example/shoes"]
    assert page.organic[0].title == "Running shoes for everyone"


def test_google_page_without_javascript() -> None:
    body = _html(
        "<div class='Gx5Zad xpd'><div class='egMi0 kCrYT'>"
        "<a href='/url?q=https://shoes.example/&amp;sa=U&amp;ved=x'><span class='CVA68e qXLe6d'>Shoes</span></a></div></div>"
        "<div class='Gx5Zad xpd'><div class='egMi0 kCrYT'>"
        "<a href='/url?q=/search%3Fq%3Dshoes%26tbm%3Disch&amp;sa=U'><span class='CVA68e'>Images for shoes</span></a></div></div>"
    )
    page = parse_serp(body, "google", "https://www.google.com/search?q=shoes&gbv=1")
    assert [r.url for r in page.organic] == ["https://shoes.example/"]


def test_bing_link_around_the_heading() -> None:
    body = _html(
        "<ol id='b_results'><li class='b_algo'><div class='b_algoheader'><a href='https://shoes.example/'>"
        "<h2>Shoes</h2></a></div><p>Good shoes.</p></li><li class='b_algo'><div class='b_title'><h2>"
        "<a href='https://other.example/'>Other</a></h2></div></li></ol>",
        "shoes - Bing",
    )
    assert [r.url for r in parse_serp(body, "bing").organic] == ["https://shoes.example/", "https://other.example/"]


@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        ("https://www.google.com/url?q=/maps/place/Shoe+Shop&sa=U", "https://www.google.com/maps/place/Shoe%20Shop"),
        ("https://www.google.com/url?q=tel:%2B441234567&sa=U", "tel:+441234567"),
        ("https://www.google.com/url?q=android-app://com.example/x&sa=U", "android-app://com.example/x"),
    ],
)
def test_google_wrapper_targets_that_are_not_web_pages(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


def test_wrapped_non_web_targets_are_never_organic() -> None:
    body = _html(
        "<div class='g'><a href='/url?q=tel:%2B441234567'><h3>Call the shop</h3></a></div>"
        "<div class='g'><a href='/url?q=javascript:void(0)'><h3>Script</h3></a></div>"
        "<div class='g'><a href='https://shoes.example/'><h3>Shoes</h3></a></div>"
    )
    assert [r.url for r in parse_serp(body, "google").organic] == ["https://shoes.example/"]


def test_yandex_wizards_are_verticals_not_organic() -> None:
    item = "<li class='serp-item' data-cid='{i}'><h2><a href='https://site{i}.example/'>Site {i}</a></h2></li>"
    market = (
        "<li class='serp-item' data-cid='1' data-fast-wzrd='market_constr'><h2>"
        "<a href='https://shop.example/offer'>Shoes on Market</a></h2></li>"
    )
    body = _html("<ul>" + item.format(i=0) + market + item.format(i=2) + "</ul>", "shoes — Яндекс")
    page = parse_serp(body, "yandex")
    assert [r.url for r in page.organic] == ["https://site0.example/", "https://site2.example/"]
    assert [r.rank for r in page.organic] == [1, 2]
    assert [(v.block, v.url) for v in page.verticals] == [("market", "https://shop.example/offer")]


def test_google_local_pack_is_a_vertical() -> None:
    body = _html(
        "<div class='VkpGBb'><a class='rllt__link' href='https://www.google.com/maps/place/x'>"
        "<div role='heading' aria-level='3'><span class='OSrXXb'>Shoe Shop</span></div></a></div>"
        "<div class='g'><a href='https://shoes.example/'><h3>Shoes</h3></a></div>"
    )
    page = parse_serp(body, "google")
    assert [r.url for r in page.organic] == ["https://shoes.example/"]
    assert [v.block for v in page.verticals] == ["local_pack"]


@pytest.mark.parametrize(
    ("title", "engine"),
    [
        ("shoes - Google Search", "google"),
        ("shoes - Bing", "bing"),
        ("shoes_百度搜索", "baidu"),
        ("shoes at DuckDuckGo", "duckduckgo"),
        ("shoes — Яндекс: нашлось 3 млн результатов", "yandex"),
        ("shoes - Yahoo Search Results", "yahoo"),
    ],
)
def test_engine_told_by_the_page_title(title: str, engine: str) -> None:
    assert detect_engine(_html("<p>no links</p>", title)) == engine


@pytest.mark.corpus
def test_cli_auto_picks_the_engine_of_every_corpus_page(corpora: Path) -> None:
    paths = sorted((corpora / "serp").glob("*/*.html"))[::5]
    result = CliRunner().invoke(command, ["--engine", "auto", *map(str, paths)])
    assert result.exit_code == 0, result.output
    engines = [json.loads(line)["engine"] for line in result.output.splitlines()]
    assert engines == [p.parent.name for p in paths]


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("Your computer or network may be sending automated queries.", "Google"),
        ("Ihr Computer oder Netzwerk sendet möglicherweise automatisierte Anfragen.", "Google"),
        ("Votre ordinateur ou votre réseau envoie peut-être des requêtes automatisées.", "Google"),
        ("Lo sentimos, pero su ordenador o red pueden estar enviando consultas automatizadas.", "Google"),
        ("Diese Seite überprüft, ob die Anfragen wirklich von Ihnen und nicht von einem Robot gesendet werden.", "x"),
        ("Нам очень жаль, но запросы, поступившие с вашего IP-адреса, похожи на автоматические.", "Ой!"),
        ("我们的系统检测到您网络中存在异常访问请求。", "搜狗搜索"),
        ("Too many requests from your IP. Please try again later.", "Search"),
        ("Checking your browser before accessing the site.", "Just a moment..."),
        ("You have been blocked. Cloudflare Ray ID: 7d1f", "Attention Required!"),
    ],
)
@pytest.mark.parametrize("engine", ["google", "bing", "yandex", "duckduckgo", "yahoo", "sogou"])
def test_automated_query_and_rate_limit_pages_are_blocked(engine: str, message: str, title: str) -> None:
    page = parse_serp(_html(f"<div><p>{message}</p></div>", title), engine)
    assert page.kind == BLOCKED, page.reason


@pytest.mark.parametrize(
    ("engine", "body", "title"),
    [
        pytest.param(
            "yahoo",
            "<div id='web'><ol>"
            "<li><div class='dd algo'><h3><a href='https://a.example/'>A</a></h3></div></li>"
            "<li><div class='dd sys_news_auto'><div class='algo'><h3><a href='https://news.example/1'>News</a></h3>"
            "</div></div></li>"
            "<li><div class='dd algo'><h3><a href='https://b.example/'>B</a></h3></div></li>"
            "<li><div class='dd sys_video'><div class='algo'><h3><a href='https://video.example/v'>Video</a></h3>"
            "</div></div></li>"
            "</ol></div>",
            "shoes - Yahoo Search Results",
            id="yahoo_news_and_video_verticals",
        ),
        pytest.param(
            "duckduckgo",
            "<table>"
            "<tr class='result-sponsored'><td><a class='result-link' href='https://ad.example/'>Ad</a></td></tr>"
            "<tr><td><a class='result-link' href='https://a.example/'>A</a></td></tr>"
            "<tr><td><a class='result-link' href='https://b.example/'>B</a></td></tr>"
            "</table>",
            "shoes at DuckDuckGo",
            id="duckduckgo_lite_sponsored_rows",
        ),
    ],
)
def test_vertical_and_sponsored_rows_are_not_organic(engine: str, body: str, title: str) -> None:
    page = parse_serp(_html(body, title), engine)
    assert [r.url for r in page.organic] == ["https://a.example/", "https://b.example/"]


def test_google_video_cards_and_shopping_units_are_not_organic() -> None:
    def result(url: str) -> str:
        return f"<div class='MjjYud'><div class='g'><div class='yuRUbf'><a href='{url}'><h3>T</h3></a></div></div></div>"

    videos = (
        "<div class='MjjYud'><h2>Videos</h2><video-voyager><a href='https://www.youtube.com/watch?v=1'><h3>V</h3></a>"
        "</video-voyager></div>"
    )
    shopping = "<div class='MjjYud'><div class='cu-container'><a href='https://shop.example/p'><h3>Product</h3></a></div></div>"
    body = _html(f"<div id='rso'>{result('https://a.example/')}{videos}{shopping}{result('https://b.example/')}</div>")
    page = parse_serp(body, "google")
    assert [r.url for r in page.organic] == ["https://a.example/", "https://b.example/"]
    assert "https://www.youtube.com/watch?v=1" in [v.url for v in page.verticals]


@pytest.mark.parametrize(
    "message",
    [
        "La ricerca di - <b>qqxqq</b> - non ha prodotto risultati in nessun documento.",
        "A sua pesquisa - <b>qqxqq</b> - não encontrou nenhum documento correspondente.",
        "Je zoekopdracht - <b>qqxqq</b> - heeft geen overeenkomende documenten opgeleverd.",
        "Il n'y a aucun résultat pour <b>qqxqq</b>",
        "Es gibt keine Ergebnisse für <b>qqxqq</b>",
        "No hay resultados para <b>qqxqq</b>",
        "<b>qqxqq</b> に一致する情報は見つかりませんでした。",
        "<b>qqxqq</b>에 대한 검색결과가 없습니다.",
        "Aramanız - <b>qqxqq</b> - hiçbir dokümanla eşleşmedi.",
    ],
)
@pytest.mark.parametrize("engine", ["google", "bing", "yahoo", "duckduckgo"])
def test_no_results_pages_in_other_languages(engine: str, message: str) -> None:
    page = parse_serp(_html(f"<div id='main'><p>{message}</p></div>", "qqxqq"), engine)
    assert page.kind == NO_RESULTS and not (page.reason or "").startswith("unconfirmed"), page.reason


def test_an_empty_page_without_any_message_stays_unconfirmed() -> None:
    page = parse_serp(_html("<div id='main'><p>Some new layout we cannot read</p></div>", "qqxqq"), "bing")
    assert page.kind == NO_RESULTS and (page.reason or "").startswith("unconfirmed")


def test_a_block_page_mentioning_no_results_is_still_blocked() -> None:
    body = _html("<p>Our systems have detected unusual traffic. No results for you.</p>", "Sorry")
    assert parse_serp(body, "google").kind == BLOCKED
