"""Page-content watches (like urlwatch and changedetection.io): filter a response, then turn it into
comparable text.

    f = PageFilter(css="main .plan", remove=[".cookie-banner"], maxitems=3, sort="asc")
    text = render_text(body, url, "text/html", f)

`render_text` is the one entry point: it reads the response as what it is (HTML, XML/RSS/Atom,
JSON or plain text) and applies, in order:

1. `remove`: CSS selectors of HTML elements dropped first;
2. the selection: `css` and/or `xpath` on HTML and XML (namespaced XML too), `json` (JSONPath)
   and/or `jq` on JSON. Each selected element gives its own text only (never the text after
   it), one item per element;
3. `skip` / `maxitems`: drop the first N items, keep at most M (items are the selected elements
   or values; without a selection, the lines of the text);
4. rendering: HTML through inscriptis as plain text (no list bullets, no indentation);
5. `regex`: keep only the text its matches cover, one line per match;
6. `re_sub`: (pattern, replacement) pairs, replacements may use groups (``\\1``);
7. `sort`: "asc" or "desc" sorts the lines; then trailing spaces, blank-line runs and indents go.

Ignore rules and trigger text are applied when comparing (`monitor.kinds.page.changes`), not here, so
a preview shows the text the watch really stores. Rules given as `/pattern/` (optionally
`/pattern/i`) are regular expressions, anything else is plain text matched case-insensitively:
the changedetection.io convention.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from inscriptis.model.tag import CustomHtmlTagHandlerMapping

from spiders.extract import page_select as sel
from spiders.extract.listing_html import TooDeep, decode_body, parse_html
from spiders.extract.page_filter import FilterError, PageFilter, UnreadablePage, as_regex

_INVISIBLE = ("script", "style", "noscript", "template", "head")


# inscriptis without decoration: list items get no "* " or "1. " in front of them.
def _plain_li(state, _tag) -> None:  # noqa: ANN001 - inscriptis' handler signature
    state.tags[-1].list_bullet = ""
    state.tags[-1].write("")


_INSCRIPTIS = ParserConfig(
    display_links=False,
    display_images=False,
    custom_html_tag_handler_mapping=CustomHtmlTagHandlerMapping(start_tag_mapping={"li": _plain_li}, end_tag_mapping={}),
)


def _html_to_text(html: str) -> str:
    return get_text(html, _INSCRIPTIS) if html.strip() else ""


def _html_items(body: bytes | str, page_filter: PageFilter) -> list[str]:
    """The texts of the selected HTML elements (or of the whole page), each its own text only."""
    try:
        root = parse_html(body, refuse_too_deep=True)
    except TooDeep as exc:
        raise UnreadablePage(str(exc)) from None
    for el in list(root.iter(*_INVISIBLE)):
        if el.getparent() is not None:
            el.drop_tree()
    for selector in page_filter.remove:
        try:
            doomed = root.cssselect(selector)
        except Exception as exc:  # cssselect raises several parse error types
            raise FilterError(f"bad CSS selector in remove {selector!r}: {exc}") from exc
        for el in doomed:
            if el.getparent() is not None:
                el.drop_tree()
    if page_filter.json or page_filter.jq:
        raise FilterError("json and jq select in JSON responses; this response is HTML (use css or xpath)")
    if not (page_filter.css or page_filter.xpath):
        return [_html_to_text(lxml.html.tostring(root, encoding="unicode"))]
    picked: list[sel.Item] = []
    if page_filter.css:
        picked += sel.css_html(root, page_filter.css)
    if page_filter.xpath:
        picked += sel.xpath_any(root, page_filter.xpath)
    elements = {p for p in picked if not isinstance(p, str)}
    # A selected element inside another selected one would be rendered twice.
    picked = [p for p in picked if isinstance(p, str) or not any(a in elements for a in p.iterancestors())]
    return [_item_text(p) for p in _window(picked, page_filter)]


def _item_text(item: sel.Item) -> str:
    if isinstance(item, str):
        return item.strip()
    # with_tail=False: the element's own text, never the text that follows it in its parent.
    return _html_to_text(lxml.html.tostring(item, encoding="unicode", with_tail=False))


def _window(items: list, page_filter: PageFilter) -> list:
    """`skip` then `maxitems` over a list of selected items (or lines)."""
    end = None if page_filter.maxitems is None else page_filter.skip + page_filter.maxitems
    return items[page_filter.skip : end]


def _xml_items(body: bytes, page_filter: PageFilter) -> list[str]:
    if page_filter.json or page_filter.jq:
        raise FilterError("json and jq select in JSON responses; this response is XML (use css or xpath)")
    if not (page_filter.css or page_filter.xpath):
        return [decode_body(body)]
    root = sel.parse_xml(body)
    return [sel.xml_text(item) for item in _window(sel.select_xml(root, page_filter.css, page_filter.xpath), page_filter)]


def _json_items(body: bytes, content_type: str, page_filter: PageFilter) -> list[str]:
    if page_filter.css or page_filter.xpath:
        raise FilterError("css and xpath select in HTML and XML; this response is JSON (use json or jq)")
    if not (page_filter.json or page_filter.jq):
        return [decode_body(body, content_type)]
    values = sel.select_json(sel.load_json(body, content_type), page_filter.json, page_filter.jq)
    return [sel.json_text(v) for v in _window(values, page_filter)]


_FEED_ROOT = re.compile(r"(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<\?xml-stylesheet[^>]*\?>\s*)*<(?:rss|feed|rdf:rdf)\b", re.S)


def body_kind(content_type: str | None, body: bytes | str) -> str:
    """'html', 'xml', 'json' or 'text', by the content type, else by what the body starts with."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    head = (body[:512].decode("utf-8", "replace") if isinstance(body, bytes) else body[:512]).lstrip("\ufeff \t\r\n")
    low = head.lower()
    feed = low.startswith(("<?xml", "<rss", "<feed", "<rdf:")) and "<html" not in low
    if "html" in ctype:
        # A feed some servers label text/html (its root is rss, feed or rdf:RDF): read as HTML, its
        # items' titles and links would be lost.
        return "xml" if _FEED_ROOT.match(low) else "html"
    if "json" in ctype:
        return "json"
    if "xml" in ctype or ctype.endswith(("+rss", "/rss", "/atom")):
        return "xml"
    if ctype.startswith("text/") and ctype != "text/plain":
        return "text"
    if feed:
        return "xml"
    if head[:1] in ("{", "[") and ctype in ("", "text/plain"):
        return "json"
    if ctype == "text/plain":
        return "text"
    return "html"


def render_text(body: bytes | str, url: str, content_type: str | None, page_filter: PageFilter) -> str:
    """The watch's text for a response (see the module docstring for the order of the filters).
    Raises FilterError for a filter that cannot run on this response."""
    kind = body_kind(content_type, body)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        if kind == "html":
            items = _html_items(body, page_filter)
        elif kind == "xml":
            items = _xml_items(raw, page_filter)
        elif kind == "json":
            items = _json_items(raw, content_type or "", page_filter)
        else:
            if page_filter.selects:
                raise FilterError("css, xpath, json and jq need an HTML, XML or JSON response; this one is plain text")
            items = [decode_body(raw, content_type)]
    except sel.SelectError as exc:
        raise FilterError(str(exc)) from exc
    text = "\n".join(items)
    if not page_filter.selects and (page_filter.skip or page_filter.maxitems):
        text = "\n".join(_window([line for line in normalise_text(text).split("\n") if line.strip()], page_filter))
    return shape_text(text, page_filter)


def render_page_text(body: bytes | str, url: str, page_filter: PageFilter | None = None) -> str:
    """An HTML page's watch text (`render_text` for a response known to be HTML)."""
    return render_text(body, url, "text/html", page_filter or PageFilter())


def shape_text(text: str, page_filter: PageFilter) -> str:
    """regex, re_sub and sort over rendered text, then `normalise_text`."""
    if page_filter.regex:
        text = "\n".join(m.group(0) for m in as_regex(page_filter.regex).finditer(text))
    for pattern, replacement in page_filter.re_sub:
        try:
            text = as_regex(pattern).sub(replacement, text)
        except (re.error, IndexError) as exc:
            raise FilterError(f"bad replacement {replacement!r} for {pattern!r}: {exc}") from exc
    text = normalise_text(text)
    if page_filter.sort:
        lines = sorted((line for line in text.split("\n") if line), reverse=page_filter.sort == "desc")
        text = "\n".join(lines)
    return text


# C0 and C1 control characters but tab and newline (ESC starts the terminal sequences that move the
# cursor, set the window title or write the clipboard), and the bidirectional overrides that make
# a line read otherwise than it is stored.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """`text` without control characters (tab and newline kept): safe to store and to print."""
    return _CONTROLS.sub("", text)


def normalise_text(text: str) -> str:
    """Leading and trailing spaces of every line stripped, runs of blank lines collapsed: layout
    noise (indentation inscriptis gives nested blocks, a leading indent) is not a change. Control
    characters are dropped: a competitor's page must not drive the terminal that shows its text."""
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line:
            if out and out[-1] == "":
                continue
            out.append("")
        else:
            out.append(line)
    return "\n".join(out).strip("\n")
