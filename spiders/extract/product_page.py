"""Page bytes to a parsed lxml tree: charset decoding, size cap, and refusal of what is not HTML.

Decoding follows the page's declared charset (HTTP header, BOM, <meta>) through w3lib, falling back
to replacement characters so a broken encoding still yields a readable tree. Bodies that are not
HTML (JSON API answers, images, PDF, binary) are refused with a reason the caller can store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from w3lib.encoding import html_to_unicode

MAX_BODY_BYTES = 20_000_000  # past this only the first part of the body is examined

_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"RIFF": "a RIFF (WebP/AVI) file",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "gzip-compressed data",
}
_HTML_TYPES = ("html", "xml", "text/plain")
_RDFA_MARK = re.compile(r"typeof\s*=")  # the attribute, not JavaScript's "typeof x"


class PageError(ValueError):
    """The body is not a readable HTML page; the message says why."""


@dataclass
class Page:
    doc: etree._Element
    meta_lang: str | None
    truncated: bool
    has_microdata: bool = True  # "itemscope" occurs in the text: worth looking for microdata items
    has_rdfa: bool = True  # a typeof= attribute occurs in the text: worth looking for RDFa items
    text: str | None = None  # the decoded source, for cheap "does the page mention X" tests


def parse_page(body: bytes | str, url: str = "", content_type: str | None = None) -> Page:
    """Decode and parse a page body; raises PageError with a reason when it is not readable HTML."""
    if body is None or len(body) == 0:
        raise PageError("empty body")
    truncated = len(body) > MAX_BODY_BYTES
    if truncated:
        body = body[:MAX_BODY_BYTES]
    if content_type and not any(t in content_type.lower() for t in _HTML_TYPES):
        raise PageError(f"not an HTML page (content type {content_type.split(';')[0].strip()})")
    if isinstance(body, bytes):
        head = body[:16]
        for magic, what in _BINARY_MAGIC.items():
            if head.startswith(magic):
                raise PageError(f"not an HTML page ({what})")
        if body[:4096].count(b"\x00") > 64 and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise PageError("not an HTML page (binary content)")
        _, text = html_to_unicode(content_type, body)
    else:
        text = body
    stripped = text.lstrip("\ufeff \t\r\n")[:2000]
    if stripped[:1] in ("{", "[") and "<" not in stripped[:200]:
        raise PageError("not an HTML page (JSON body)")
    if "<" not in text[:100_000]:
        raise PageError("not an HTML page (no markup)")
    try:
        # Plain lxml elements, not lxml.html's: its per-element Python class lookup costs more than
        # the whole heuristic scan, and nothing here needs the HtmlElement helpers.
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        doc = etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"unparseable HTML: {exc}") from exc
    if doc is None:
        raise PageError("unparseable HTML")
    lang = doc.get("lang") or doc.get("xml:lang")
    if not lang:
        for meta in doc.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language" or meta.get(
                "property"
            ) == "og:locale":
                lang = meta.get("content")
                break
    if lang:
        lang = re.sub(r"[^A-Za-z_-]", "", lang)[:12] or None
    return Page(doc, lang, truncated, "itemscope" in text, bool(_RDFA_MARK.search(text)), text)
