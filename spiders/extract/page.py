"""Page-content watches (like changedetection.io): filter a page, then turn it into comparable text.

    f = PageFilter(css="main", remove=[".cookie-banner"], ignore=["/Updated \\d+ min ago/"])
    text = render_page_text(body, url, f)

Order: elements matching `remove` are dropped; then `css` and/or `xpath` select the parts to keep
(all matches, in page order); the result is rendered to text by inscriptis (so tables and lists
keep their layout); then `regex`, when given, keeps only the text its matches cover (one line per
match). Ignore rules and trigger text are applied when comparing (`monitor.kinds.page.changes`), not here,
so a preview shows the text the watch really stores.

Rules given as `/pattern/` (optionally `/pattern/i`) are regular expressions, anything else is
plain text matched case-insensitively: the changedetection.io convention.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
from inscriptis import get_text
from inscriptis.model.config import ParserConfig

from spiders.extract.listing_html import decode_body, parse_html

_RULE_REGEX = re.compile(r"^/(.+)/([imsx]*)$", re.DOTALL)
_INVISIBLE = ("script", "style", "noscript", "template", "head")


class FilterError(ValueError):
    """A filter the user wrote that cannot be applied (bad CSS, XPath or regex)."""


@dataclass(frozen=True)
class PageFilter:
    """What part of a page a content watch looks at, and what differences it ignores."""

    css: str | None = None
    xpath: str | None = None
    regex: str | None = None
    remove: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    trigger: list[str] = field(default_factory=list)


def compile_rule(rule: str) -> re.Pattern[str]:
    """A rule string as a compiled pattern: `/re/flags` as a regex, other text literally (any case)."""
    match = _RULE_REGEX.match(rule.strip())
    try:
        if match:
            flags = 0
            for ch in match.group(2):
                flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}[ch]
            return re.compile(match.group(1), flags)
        return re.compile(re.escape(rule.strip()), re.IGNORECASE)
    except re.error as exc:
        raise FilterError(f"bad regular expression {rule!r}: {exc}") from exc


def _select(root: lxml.html.HtmlElement, page_filter: PageFilter) -> list[lxml.html.HtmlElement]:
    picked: list[lxml.html.HtmlElement] = []
    if page_filter.css:
        try:
            picked += root.cssselect(page_filter.css)
        except Exception as exc:  # cssselect raises several parse error types
            raise FilterError(f"bad CSS selector {page_filter.css!r}: {exc}") from exc
    if page_filter.xpath:
        try:
            found = root.xpath(page_filter.xpath)
        except lxml.etree.XPathError as exc:
            raise FilterError(f"bad XPath {page_filter.xpath!r}: {exc}") from exc
        picked += [el for el in found if isinstance(el, lxml.etree._Element)]
        # XPath may select text or attributes: keep them as text blocks.
        picked += [_text_element(str(v)) for v in found if isinstance(v, str) and v.strip()]
    # A selected element inside another selected one would be rendered twice.
    chosen = set(picked)
    return [el for el in picked if not any(a in chosen for a in el.iterancestors())]


def _text_element(text: str) -> lxml.html.HtmlElement:
    el = lxml.html.Element("div")
    el.text = text
    return el


def render_page_text(body: bytes | str, url: str, page_filter: PageFilter | None = None) -> str:
    """The text a content watch compares: filtered, rendered by inscriptis, blank lines collapsed."""
    page_filter = page_filter or PageFilter()
    root = parse_html(body)
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
    if page_filter.css or page_filter.xpath:
        parts = _select(root, page_filter)
        html = "".join(lxml.html.tostring(el, encoding="unicode") for el in parts)
    else:
        html = lxml.html.tostring(root, encoding="unicode")
    text = get_text(html, ParserConfig(display_links=False, display_images=False)) if html.strip() else ""
    if page_filter.regex:
        pattern = compile_rule(
            page_filter.regex if page_filter.regex.startswith("/") else f"/{page_filter.regex}/"
        )
        text = "\n".join(m.group(0) for m in pattern.finditer(text))
    return normalise_text(text)


def normalise_text(text: str) -> str:
    """Trailing spaces and common indentation stripped, runs of blank lines collapsed: layout noise
    is not a change."""
    text = textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip():
            if out and out[-1] == "":
                continue
            out.append("")
        else:
            out.append(line)
    return "\n".join(out).strip("\n")


_HTML_TYPES = ("text/html", "application/xhtml")


def render_text(body: bytes, url: str, content_type: str, page_filter: PageFilter) -> str:
    """The watch's text for a body: HTML through the filters and inscriptis; plain text, JSON and
    XML as they are (the regex filter still applies). Raises FilterError for a filter that cannot run."""
    ctype = content_type.split(";")[0].strip().lower()
    if not ctype or ctype.startswith(_HTML_TYPES):
        return render_page_text(body, url, page_filter)
    text = decode_body(body, content_type)
    if page_filter.regex:
        rule = page_filter.regex if page_filter.regex.startswith("/") else f"/{page_filter.regex}/"
        text = "\n".join(m.group(0) for m in compile_rule(rule).finditer(text))
    return normalise_text(text)
