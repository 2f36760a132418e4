"""Reading a card's fields: its title and whether the page marks it sponsored (its price: `listing_price`)."""

from __future__ import annotations

import re

import lxml.html

from spiders.extract.listing_html import element_text
from spiders.extract.listing_price import MONEY_SIGN

# Labels shops put on paid placements, in the languages of the shops we watch.
_SPONSORED = re.compile(
    r"^(sponsored|sponsorisé|gesponsert|anzeige|patrocinado|sponsorizzato|gesponsord|annonse|"
    r"スポンサー|広告|广告|推广|贊助|赞助|ad|ads|promoted|werbung)$",
    re.IGNORECASE,
)
_AD_CLASS = re.compile(r"(^|[\s_-])(adholder|sponsored|s-sponsored|ad-slot|advert)([\s_-]|$)", re.IGNORECASE)


def card_title(anchors: list[lxml.html.HtmlElement], card: lxml.html.HtmlElement) -> str | None:
    """The card's title: the longest title of its item links (`_link_title`), else a heading,
    else an image's alt."""
    best = ""
    for a in anchors:
        text = _link_title(a)
        if len(text) > len(best) and not _price_only(text):
            best = text
    if len(best) < 3:
        for h in card.iter("h1", "h2", "h3", "h4"):
            text = element_text(h)
            if len(text) > len(best):
                best = text
    if len(best) < 3:
        for img in card.iter("img"):
            alt = (img.get("alt") or "").strip()
            if len(alt) > len(best):
                best = alt
    return best[:500] or None


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that start a line of their own: their text is never glued to the text beside them.
_BLOCKS = {"div", "p", "ul", "ol", "li", "br", "table", "tr", "td", "section", "article", "figure", *_HEADINGS}


def _link_title(a: lxml.html.HtmlElement) -> str:
    """A link's title: a link wrapping a whole card (blocks inside) is titled by its heading, else
    its blocks' texts side by side ("Silver ring" "SilverStudio" is never "Silver ringSilverStudio");
    a plain link by its text. The title attribute only when the text is missing or cut short
    ("Desk lamp with…" of "Desk lamp with a shade"), never a tooltip around it ("Click to see X")."""
    blocks = [d for d in a.iterdescendants() if isinstance(d.tag, str) and d.tag in _BLOCKS]
    heading = next((d for d in blocks if d.tag in _HEADINGS), None)
    if heading is not None:
        text = element_text(heading)
    elif blocks:
        text = " ".join(_block_text(a).split())
    else:
        text = element_text(a)
    attr = " ".join((a.get("title") or "").split())
    stem = text.rstrip(" .…")
    if len(attr) > len(text) and (len(text) < 3 or (stem != text and attr.startswith(stem))):
        return attr
    return text


def _block_text(el: lxml.html.HtmlElement) -> str:
    """Text of an element with a space wherever a block element starts or ends."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            block = child.tag in _BLOCKS
            parts += [" " if block else "", _block_text(child), " " if block else ""]
        parts.append(child.tail or "")
    return "".join(parts)


def _price_only(text: str) -> bool:
    """A link text with no word but currency signs and codes ("$2.99 $12.95", "-19% US $151.16",
    "1,299"): a price link, never the card's title."""
    return not re.search(r"[^\W\d_]", MONEY_SIGN.sub("", text))


def is_sponsored(card: lxml.html.HtmlElement) -> bool:
    """True when the card carries a visible sponsored label or an ad marker class."""
    node = card
    for _ in range(3):
        if node is None:
            break
        if _AD_CLASS.search(node.get("class") or ""):
            return True
        node = node.getparent()
    for el in card.iter():
        if not isinstance(el.tag, str):
            continue
        if _AD_CLASS.search(el.get("class") or ""):
            return True
        text = (el.text or "").strip()
        if text and len(text) < 20 and _SPONSORED.match(text):
            return True
    return False
