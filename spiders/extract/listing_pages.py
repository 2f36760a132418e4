"""Page-level signals of a listing: the next-page link, and the "no results" message.

Next page, in order of trust: `<link rel=next>` / `<a rel=next>`; a link whose text or label says
"next" in one of many languages (or is a lone `›`/`»`/`>` arrow); a link whose page parameter is
the current page plus one.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import lxml.html

from spiders.extract.listing_html import element_text
from spiders.extract.listing_urls import absolute_url

_NEXT_WORDS = re.compile(
    r"^\s*(next|next page|more results|show more|load more|weiter|nächste|nächste seite|suivant|"
    r"page suivante|siguiente|próxima|seguinte|successiva|successivo|volgende|nästa|neste|næste|"
    r"następna|далее|следующая|sonraki|次へ|次のページ|下一页|下页|下一頁|다음)\s*[›»>→]*\s*$",
    re.IGNORECASE,
)
_ARROWS = re.compile(r"^\s*[›»>→⟩]{1,2}\s*$")
_PAGE_PARAMS = ("page", "p", "pg", "pageno", "page_no", "pagenum", "pn", "_pgn", "paged", "currentpage")

# Messages a search or category page shows when nothing matched. Items shown after such a
# message are suggestions, not results.
_NO_RESULTS = re.compile(
    r"(?<![\d.,])0\s+(results?|resultaten|résultats?|ergebnisse|treffer|risultati|resultados|listings|"
    r"items|products|produkte|artikel)\b"
    r"|\bno (results|items|products|listings|matches) (were )?(found|for|match)"
    r"|\bdid not match any (products|items|results|documents)"
    r"|\bwe (couldn'?t|could not|can'?t|cannot) find (any|anything|a match|results|items)"
    r"|\bkeine (ergebnisse|treffer|artikel)\b|\baucun (résultat|article|produit)"
    r"|\bno se encontraron|\bnessun risultato|\bgeen resultaten"
    r"|没有找到|未找到|找不到|共0件商品|一致する商品はありません|見つかりませんでした|検索結果はありません",
    re.IGNORECASE,
)

_REPLACED_QUERY = re.compile(
    r"(showing|show|displaying|here are|including) (results|items|products) for|did you mean|"
    r"ergebnisse für|résultats pour|resultados para|为您推荐\s*[“\"]|为你推荐\s*[“\"]|"
    r"以下是|の検索結果を表示",
    re.IGNORECASE,
)


def find_no_results_message(root: lxml.html.HtmlElement) -> str | None:
    """The no-results message shown in the page's own text, if any (after invisible parts are gone)."""
    # itertext, not text_content: neighbouring elements must not glue into one word ("0 productsMost popular").
    text = " ".join(" ".join(root.itertext()).split())
    match = _NO_RESULTS.search(text)
    if not match:
        return None
    if _REPLACED_QUERY.search(text, match.end(), match.end() + 160):
        # "No results for X, showing results for Y": the page lists real results for Y.
        return None
    start = max(0, match.start() - 30)
    return text[start : match.end() + 40]


def find_next_page(root: lxml.html.HtmlElement, page_url: str) -> str | None:
    """The URL of the next page of this listing, or None when this looks like the last page."""
    for el in root.iter("link", "a"):
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel:
            url = absolute_url(el.get("href"), page_url)
            if url and url != page_url:
                return url
    for a in root.iter("a"):
        label = " ".join(
            filter(None, [element_text(a), a.get("aria-label") or "", a.get("title") or ""])
        ).strip()
        if not label:
            continue
        first = element_text(a) or label
        if _NEXT_WORDS.match(first) or _NEXT_WORDS.match(a.get("aria-label") or "") or _ARROWS.match(first):
            url = absolute_url(a.get("href"), page_url)
            if url and url != page_url:
                return url
    return _next_by_parameter(root, page_url)


def _page_number(url: str) -> tuple[str, int] | None:
    for name, value in parse_qsl(urlsplit(url).query):
        if name.lower() in _PAGE_PARAMS and value.isdigit():
            return name.lower(), int(value)
    return None


def _next_by_parameter(root: lxml.html.HtmlElement, page_url: str) -> str | None:
    current = _page_number(page_url)
    want = (current[1] + 1) if current else 2
    page_path = urlsplit(page_url).path
    for a in root.iter("a"):
        url = absolute_url(a.get("href"), page_url)
        if not url:
            continue
        found = _page_number(url)
        if found and found[1] == want and urlsplit(url).path == page_path:
            if current is None or found[0] == current[0]:
                return url
    return None
