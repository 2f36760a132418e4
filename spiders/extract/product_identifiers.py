"""What identifies a product on its page, for the catalogue's matching: GTIN, MPN, brand and shipping. Pure.

The product extractor reads name, price, stock, SKU and brand; matching a competitor's page to one
of our products also needs the codes manufacturers give a product (GTIN: EAN, UPC, ISBN; MPN), and
the matrix shows shipping where the page states it. They come from the same structured data
(the JSON-LD blocks the extractor has already parsed; microdata and RDFa properties) and, for GTINs,
from a labelled specification row ("EAN 4006381333931"). A GTIN is kept only when its check digit
holds, so a random 13-digit number is never taken for one. The brand is the extractor's (structured
data, brand meta tags); where it found none, a labelled specification row or byline gives it
("Brand</td><td>Brome", "Marke: Oceana"): a brand confirms a code match, so pages without structured
data for it still get one.

The extractor calls `read_identifiers` with its own JSON-LD blocks, so a page is parsed once; the
properties and labels are read from the source with regular expressions, which cost less than walking
the tree for them. `identifiers_of_page` is for callers that hold only the bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from spiders.extract.gtin import PREFIXED, normalise_gtin
from spiders.extract.price import parse_amount
from spiders.extract.product_page import PageError, parse_page
from spiders.extract.structured import (
    VALUE_FIRST,
    canonical_keys,
    json_ld_blocks,
    text_of,
    types_of,
    walk_nodes,
)

GTIN_KEYS = ("gtin", "gtin13", "gtin14", "gtin12", "gtin8", "isbn", "ean", "upc")
_PRODUCT_TYPES = {"Product", "ProductGroup", "IndividualProduct", "ProductModel", "SomeProducts", "Book"}
_RELATED = {"isRelatedTo", "isSimilarTo", "isAccessoryOrSparePartFor", "isConsumableFor", "itemListElement"}
# <meta itemprop="gtin13" content="..."> / <span itemprop="mpn">...</span> (and RDFa `property`).
# These run over the lower-cased source (bytes.lower keeps every offset), which regular expressions
# scan several times faster than with IGNORECASE; values are sliced from the original.
_PROPERTY = re.compile(
    rb"(?:itemprop|property)\s*=\s*[\"'](?:schema:)?(gtin(?:8|12|13|14)?|mpn|model|isbn)[\"']"
)
_CONTENT = re.compile(rb"\bcontent\s*=\s*[\"']([^\"']{1,80})[\"']")
# A labelled code, in a table row, a definition list or inline text: "EAN</th><td>4006381333931".
_LABELLED = re.compile(
    rb"(?:ean(?:-?13)?|gtin(?:-?1[234])?|upc(?:-?a)?|isbn(?:-?1[03])?|barcode)\s*"
    rb"(?::|#|(?:</(?:th|td|dt|span|b|strong|label)>\s*)+(?:<(?:td|dd|span)[^>]*>\s*)+)\s*([0-9][0-9 \-]{6,17}[0-9])\b"
)

# A labelled manufacturer's model or part number in a specification row or inline ("Item model
# number</th><td>PTV17-16912", "Modellnummer: K12P"), in the languages the shops write: the MPN of
# pages without structured data for it. Kept only with a digit in it (a model code, not a word).
MPN_LABELS = (
    "item model number",
    "model number",
    "model no",
    "manufacturer part number",
    "part number",
    "mpn",
    "modellnummer",
    "herstellernummer",
    "artikelnummer des herstellers",
    "numéro du modèle de l'article",
    "numéro de modèle",
    "référence fabricant",
    "numero modello articolo",
    "numero modello",
    "número de modelo",
    "modelnummer",
    "型号",
)


# A labelled brand, in the languages the shops write: "Brand", "Marke", "Marque", "Marca", ... Not
# "manufacturer" or "Hersteller": shops write a company, an address or "No" there, not the brand.
BRAND_LABELS = ("brand", "brand name", "marke", "marque", "marca", "merk", "marka", "品牌")


@lru_cache(maxsize=8)
def _labelled_brand_pattern(labels: tuple[str, ...]) -> re.Pattern[bytes]:
    """As `_labelled_mpn_pattern`, without "." after the label ("marque.php?...") and with a value
    that is no script's text (no quote, brace, "=" or ";")."""
    return re.compile(
        rb"(?:"
        + b"|".join(re.escape(label.encode()) for label in sorted(labels, key=len, reverse=True))
        + rb")\s*"
        rb"(?:[:#]\s*(?:</(?:th|td|dt|span|b|strong|label)>\s*)*(?:<(?:td|dd|span)[^>]*>\s*)*"
        rb"|(?:</(?:th|td|dt|span|b|strong|label)>\s*)+(?:<(?:td|dd|span)[^>]*>\s*)+)"
        rb"([^<>\n\"'{}=;]{2,40}?)\s*<"
    )


@lru_cache(maxsize=8)
def _labelled_mpn_pattern(labels: tuple[str, ...]) -> re.Pattern[bytes]:
    return re.compile(
        rb"(?:" + b"|".join(re.escape(label.encode()) for label in labels) + rb")\s*"
        rb"(?:[:#.]\s*(?:</(?:th|td|dt|span|b|strong|label)>\s*)*(?:<(?:td|dd|span)[^>]*>\s*)*"
        rb"|(?:</(?:th|td|dt|span|b|strong|label)>\s*)+(?:<(?:td|dd|span)[^>]*>\s*)+)"
        rb"([^<>\n]{3,40}?)\s*<"
    )


@dataclass(frozen=True)
class PageIdentifiers:
    gtin: str | None = None  # GTIN-14 digits
    mpn: str | None = None
    shipping: Decimal | None = None
    shipping_currency: str | None = None
    mpn_label: str | None = None  # the label the MPN was read under (None: from structured data)
    brand: str | None = None  # the extractor's brand, else a labelled one
    brand_label: str | None = None  # the label the brand was read under (None: the extractor's)


def _text(value: Any) -> str | None:
    """An identifier's or an amount's text: an object's value before its name."""
    return text_of(value, VALUE_FIRST)


def _products(blocks: list[Any]) -> list[dict[str, Any]]:
    out = []
    for block in blocks:
        for node, key in walk_nodes(canonical_keys(block)):
            if types_of(node) & _PRODUCT_TYPES and key not in _RELATED:
                out.append(node)
    return out


def _gtin_of(node: dict[str, Any]) -> str | None:
    for key in GTIN_KEYS:
        gtin = normalise_gtin(_text(node.get(key)), isbn=key == "isbn")
        if gtin:
            return gtin
    for key in ("productID", "productId", "identifier"):
        text = _text(node.get(key))
        if text and PREFIXED.match(text):
            return normalise_gtin(text)
    return None


def _offers(node: dict[str, Any]) -> list[dict[str, Any]]:
    offers = node.get("offers")
    offers = offers if isinstance(offers, list) else [offers]
    return [o for o in offers if isinstance(o, dict)]


def _shipping_of(offer: dict[str, Any]) -> tuple[Decimal, str | None] | None:
    """The lowest shipping rate an offer states (schema.org OfferShippingDetails, or GoodRelations'
    DeliveryChargeSpecification); None when it states none."""
    rates: list[tuple[Decimal, str | None]] = []
    details = offer.get("shippingDetails")
    for detail in details if isinstance(details, list) else [details]:
        if not isinstance(detail, dict):
            continue
        rate = detail.get("shippingRate")
        for r in rate if isinstance(rate, list) else [rate]:
            if isinstance(r, dict):
                amount = parse_amount(_text(r.get("value")) or _text(r.get("price")))
                if amount is not None:
                    rates.append((amount, _text(r.get("currency")) or _text(r.get("priceCurrency"))))
    spec = offer.get("priceSpecification")
    for s in spec if isinstance(spec, list) else [spec]:
        if isinstance(s, dict) and "DeliveryChargeSpecification" in types_of(s):
            amount = parse_amount(_text(s.get("price")))
            if amount is not None:
                rates.append((amount, _text(s.get("priceCurrency"))))
    return min(rates, key=lambda r: r[0]) if rates else None


def _main(products: list[dict[str, Any]], sku: str | None, name: str | None) -> dict[str, Any] | None:
    """The page's own product: the one with the extractor's SKU or name, else the first with offers."""
    for node in products:
        if sku and _text(node.get("sku")) == sku:
            return node
    for node in products:
        if name and _text(node.get("name")) == name:
            return node
    with_offers = [n for n in products if _offers(n)]
    return (with_offers or products or [None])[0]


def _at_words(
    lowered: bytes, words: tuple[bytes, ...], pattern: re.Pattern[bytes]
) -> Iterator[re.Match[bytes]]:
    """`pattern` matched where one of `words` starts a word: bytes.find finds the few places in a
    large page far faster than a regular expression scanning every position. Each find is a scan of
    the whole page (the identifiers' costliest step), so a word that another of them begins is not
    looked for: its places are that word's, where `pattern` was tried already."""
    for word in _unprefixed(words):
        at = lowered.find(word)
        while at >= 0:
            if at == 0 or not lowered[at - 1 : at].isalnum():
                match = pattern.match(lowered, at)
                if match:
                    yield match
            at = lowered.find(word, at + 1)


@lru_cache(maxsize=16)
def _unprefixed(words: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """`words` in their order without those another of them begins ("modellnummer" after "model")."""
    return tuple(w for w in words if not any(o != w and w.startswith(o) for o in words))


def _marked_up(body: bytes, lowered: bytes) -> tuple[str | None, str | None]:
    """The first GTIN and MPN that microdata or RDFa properties give."""
    gtin = mpn = model = None
    for match in _at_words(lowered, (b"itemprop", b"property"), _PROPERTY):
        start, end = lowered.rfind(b"<", 0, match.start()), lowered.find(b">", match.end())
        if start < 0 or end < 0:
            continue
        content = _CONTENT.search(lowered, start, end)
        if content:
            raw = body[content.start(1) : content.end(1)]
        else:
            close = lowered.find(b"<", end)
            raw = body[end + 1 : close if 0 <= close - end <= 81 else end + 1]
        value = raw.decode("utf-8", "replace").strip()
        if match.group(1) == b"mpn":
            mpn = mpn or (value or None)
        elif match.group(1) == b"model":
            model = model or (value if any(c.isdigit() for c in value) else None)
        else:
            gtin = gtin or normalise_gtin(value)
        if gtin and mpn:
            break
    return gtin, mpn or model  # schema.org `model`: the manufacturer's model code, where no MPN is given


def _labelled_gtin(lowered: bytes) -> str | None:
    for match in _at_words(lowered, (b"ean", b"gtin", b"upc", b"isbn", b"barcode"), _LABELLED):
        gtin = normalise_gtin(
            match.group(1).decode("ascii", "replace"), isbn=match.group(0).startswith(b"isbn")
        )
        if gtin:
            return gtin
    return None


def _labelled(
    body: bytes, lowered: bytes, labels: tuple[str, ...], pattern: re.Pattern[bytes], digit: bool
) -> tuple[str, str] | None:
    """The first labelled value (with a digit in it, when `digit`), and the label that named it."""
    if not labels:
        return None
    words = tuple(sorted({label.split()[0].encode() for label in labels}))
    for match in _at_words(lowered, words, pattern):
        value = " ".join(
            html.unescape(body[match.start(1) : match.end(1)].decode("utf-8", "replace")).split()
        ).strip(" :")
        if (not digit or any(c.isdigit() for c in value)) and any(c.isalnum() for c in value):
            label = max((lb for lb in labels if lowered.startswith(lb.encode(), match.start())), key=len)
            return value, label
    return None


def read_identifiers(
    body: bytes,
    sku: str | None = None,
    name: str | None = None,
    mpn_labels: tuple[str, ...] = MPN_LABELS,
    brand: str | None = None,
    brand_labels: tuple[str, ...] = BRAND_LABELS,
    json_ld: list[Any] | None = None,
) -> PageIdentifiers:
    """GTIN, MPN, brand and shipping of a product page's own product; fields the page does not give
    are None. `brand`: the extractor's (a labelled one is read only without it). `mpn_labels`,
    `brand_labels`: the labels a model number or a brand may be written under (the benchmark
    switches some off). `json_ld`: the page's parsed JSON-LD blocks (`structured.json_ld_blocks`),
    which the extractor passes; without them the page is parsed for them."""
    lowered = body.lower()
    if json_ld is None:
        json_ld = _json_ld_of(body) if b"ld+json" in lowered else []
    main = _main(_products(json_ld), sku, name) if json_ld else None
    gtin = mpn = None
    shipping: tuple[Decimal, str | None] | None = None
    if main is not None:
        gtin = _gtin_of(main)
        model = _text(main.get("model"))
        mpn = _text(main.get("mpn")) or (model if model and any(c.isdigit() for c in model) else None)
        for offer in _offers(main):
            gtin = gtin or _gtin_of(offer)
            mpn = mpn or _text(offer.get("mpn"))
            shipping = shipping or _shipping_of(offer)
    if gtin is None or mpn is None:
        marked_gtin, marked_mpn = _marked_up(body, lowered)
        gtin, mpn = gtin or marked_gtin, mpn or marked_mpn
    if gtin is None:
        gtin = _labelled_gtin(lowered)
    label = brand_label = None
    if mpn is None and (
        labelled := _labelled(body, lowered, mpn_labels, _labelled_mpn_pattern(mpn_labels), True)
    ):
        mpn, label = labelled
    if not brand and (
        labelled := _labelled(body, lowered, brand_labels, _labelled_brand_pattern(brand_labels), False)
    ):
        brand, brand_label = labelled
    amount, currency = shipping if shipping else (None, None)
    return PageIdentifiers(gtin, mpn[:200] if mpn else None, amount, currency, label, brand, brand_label)


def _json_ld_of(body: bytes) -> list[Any]:
    """The JSON-LD blocks of a page given only as bytes, read as the extractor reads them."""
    try:
        return json_ld_blocks(parse_page(body).doc)
    except PageError:
        return []
