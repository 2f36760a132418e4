"""Our products from a CSV or a Google Merchant-style product feed (RSS/Atom XML or TSV). Pure.

Every row or item becomes an `OurProductEntry`, validated by the same model as the watchlist's own
entries; a row that does not validate is reported with its line or item number and left out, and the
others are imported. Column names are matched loosely (`id`/`sku`, `title`/`name`, `ean`/`gtin`/`upc`,
`map`/`map_price`...). A Merchant price is written "199.00 USD"; `sale_price` is the price when given.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree
from pydantic import ValidationError

from monitor.catalogue.config import OurProductEntry

GOOGLE_NS = "http://base.google.com/ns/1.0"
# Our field <- the column or feed attribute names that carry it, first found wins.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "id", "item_id", "offer_id", "product_id"),
    "name": ("name", "title", "product_name"),
    "brand": ("brand", "manufacturer"),
    "gtin": ("gtin", "ean", "upc", "isbn", "barcode", "gtin13", "ean13"),
    "mpn": ("mpn", "model", "part_number"),
    "sale_price": ("sale_price",),
    "price": ("price", "our_price", "regular_price"),
    "currency": ("currency",),
    "map_price": ("map_price", "map", "minimum_advertised_price"),
    "cost_floor": ("cost_floor", "cost", "floor_price", "min_price"),
    "category": ("category", "product_type", "google_product_category"),
    "tags": ("tags", "labels", "custom_label_0", "custom_label_1", "custom_label_2"),
    "availability": ("availability", "stock"),
    "url": ("url", "link"),
}
_MONEY = re.compile(r"^\s*([0-9][0-9.,\s]*)\s*([A-Za-z]{3})?\s*$|^\s*([A-Za-z]{3})\s*([0-9][0-9.,\s]*)\s*$")


class FeedError(ValueError):
    """The file or answer is not a product CSV or feed we can read; the message says why."""


@dataclass
class ParsedFeed:
    entries: list[OurProductEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: price: not a number"


def parse_money(text: str | None) -> tuple[Decimal | None, str | None]:
    """'199.00 USD', 'USD 199.00', '1,299.50' -> (amount, currency); (None, None) when empty."""
    if text is None or not str(text).strip():
        return None, None
    match = _MONEY.match(str(text))
    if not match:
        raise ValueError(f"not a price: {text!r} (e.g. 199.00 or 199.00 USD)")
    number, currency = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    number = number.replace(" ", "")
    if "," in number and "." in number:
        number = number.replace(",", "") if number.rfind(".") > number.rfind(",") else number.replace(".", "").replace(",", ".")
    elif "," in number:
        head, _, tail = number.rpartition(",")
        number = head.replace(",", "") + ("." + tail if len(tail) != 3 else tail)
    try:
        return Decimal(number), currency.upper() if currency else None
    except InvalidOperation:
        raise ValueError(f"not a price: {text!r}") from None


def _pick(row: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def entry_of(row: Mapping[str, str], currency: str) -> OurProductEntry:
    """One product from a row whose keys are lower-case column or feed attribute names."""
    values: dict[str, object] = {}
    for ours, names in COLUMNS.items():
        if ours == "tags":
            tags = [v.strip() for n in names for v in (row.get(n) or "").split(",") if v.strip()]
            if tags:
                values["tags"] = tags
            continue
        value = _pick(row, names)
        if value is not None:
            values[ours] = value
    sale = values.pop("sale_price", None)
    for key in ("price", "map_price", "cost_floor"):
        raw = sale if key == "price" and sale is not None else values.get(key)
        if raw is None:
            continue
        amount, money_currency = parse_money(str(raw))
        values[key] = amount
        if key == "price" and money_currency and "currency" not in values:
            values["currency"] = money_currency
    values.setdefault("currency", currency)
    return OurProductEntry.model_validate(values)


def _problem(where: str, exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return f"{where}: {loc}: {first['msg']}" if loc else f"{where}: {first['msg']}"
    return f"{where}: {exc}"


def parse_csv(text: str, currency: str) -> ParsedFeed:
    """A CSV (or TSV, as Google's text feeds are) with a header row."""
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ("," if sample.count(",") >= sample.count(";") else ";")
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise FeedError("the CSV is empty")
    header = [f.strip().lower().removeprefix("g:") for f in reader.fieldnames]
    if not {"sku", "id", "item_id", "offer_id", "product_id"} & set(header):
        raise FeedError("the CSV has no sku (or id) column")
    out = ParsedFeed()
    for n, raw in enumerate(reader, start=2):
        row = {h: (v or "") for h, v in zip(header, raw.values(), strict=False)}
        if not any(v.strip() for v in row.values()):
            continue
        try:
            out.entries.append(entry_of(row, currency))
        except (ValidationError, ValueError) as exc:
            out.problems.append(_problem(f"line {n}", exc))
    return out


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1].lower()


def parse_merchant_xml(data: bytes, currency: str) -> ParsedFeed:
    """A Google Merchant feed: RSS 2.0 `<item>`s or Atom `<entry>`s with `g:` attributes."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    items = [el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) in ("item", "entry")]
    if not items:
        raise FeedError("no <item> or <entry> in the feed")
    out = ParsedFeed()
    for n, item in enumerate(items, start=1):
        row: dict[str, str] = {}
        for child in item:
            if not isinstance(child.tag, str):
                continue
            name = _local(child.tag)
            text = (child.text or "").strip() or (child.get("href") or "").strip()
            if name in row and name in ("title", "link"):
                if str(child.tag).startswith("{" + GOOGLE_NS):
                    row[name] = text  # g:title wins over the RSS title
                continue
            row[name] = text
        try:
            out.entries.append(entry_of(row, currency))
        except (ValidationError, ValueError) as exc:
            out.problems.append(_problem(f"item {n}", exc))
    return out


def parse_products(data: bytes, currency: str, fmt: str = "auto") -> ParsedFeed:
    """Our products from a CSV/TSV or a Merchant XML feed (`fmt` auto: told apart by content)."""
    text = data.decode("utf-8-sig", "replace")
    if fmt == "merchant" or (fmt == "auto" and text.lstrip().startswith("<")):
        return parse_merchant_xml(data, currency)
    return parse_csv(text, currency)
