"""Turning fetched bytes into an lxml tree: charset detection, and the visible-text helpers.

Shared by the listing, site and page extractors. Bodies arrive as raw bytes in whatever charset
the site used (GBK, Shift-JIS, UTF-8 with or without a BOM); w3lib picks the charset from the
Content-Type header, the BOM or the `<meta>` tag, in that order.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from w3lib.encoding import html_to_unicode

# Elements whose text a visitor never reads as page content.
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "textarea", "svg", "iframe", "object", "head")


def decode_body(body: bytes | str, content_type: str | None = None) -> str:
    """Decode a response body to text, never raising on bad bytes."""
    if isinstance(body, str):
        return body
    _encoding, text = html_to_unicode(content_type, body)
    return text


MAX_DEPTH = 255  # libxml2 stops reading a document nested deeper than this (without XML_PARSE_HUGE)


class TooDeep(ValueError):
    """The page nests elements past the parser's depth limit: what follows that point is not read."""


def parse_html(
    body: bytes | str, content_type: str | None = None, *, refuse_too_deep: bool = False
) -> lxml.html.HtmlElement:
    """Parse a page into an lxml tree; an empty or unparsable body gives an empty `<html>`.
    With `refuse_too_deep`, a page nested past the parser's limit raises TooDeep instead of
    silently losing the rest of its text."""
    text = decode_body(body, content_type)
    # lxml refuses str input that declares an encoding, and chokes on NUL characters.
    text = text.replace("\x00", "")
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    if not text.strip():
        return lxml.html.fromstring("<html></html>")
    parser = lxml.html.HTMLParser() if refuse_too_deep else None  # its own, to read its error log
    try:
        root = lxml.html.document_fromstring(text, parser) if parser else lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.fromstring("<html></html>")
    if parser is not None and any("Excessive depth" in e.message for e in parser.error_log):
        raise TooDeep(
            f"the page nests elements more than {MAX_DEPTH} deep; the parser stops there, "
            "so its text from that point on cannot be read"
        )
    return root


def drop_invisible(root: lxml.html.HtmlElement, tags: tuple[str, ...] = INVISIBLE_TAGS) -> None:
    """Remove elements that carry no visible text (scripts, styles, templates) and comments, in place."""
    for el in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        parent = el.getparent()
        if parent is not None:
            _drop_keep_tail(el)
    for el in list(root.iter(*tags)):
        if el.getparent() is not None:
            _drop_keep_tail(el)


def _drop_keep_tail(el: lxml.etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def element_text(el: lxml.html.HtmlElement) -> str:
    """The text of an element with whitespace collapsed."""
    return " ".join(el.text_content().split())
