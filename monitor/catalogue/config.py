"""The watchlist's `catalogue:` section: our own products, where else they come from, exchange rates,
and how sure automatic matching must be.

    catalogue:
      currency: USD                     # the matrix compares every price in this currency
      rates: {file: rates.xml}          # or {url: https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml}
      match: {auto_accept: 0.9, propose: 0.6}
      imports:
        - {name: shop-feed, url: https://shop.example/feeds/google.xml, every: 1d}
        - {name: erp, file: exports/products.csv}
      products:
        - sku: NV-K12P
          name: Nordvik K12 Pro Wireless Headphones
          brand: Nordvik
          gtin: "4006381333931"         # EAN-13, UPC-A, GTIN-14 or ISBN-13
          mpn: K12P
          price: 199.00                 # currency: the catalogue's unless given
          map_price: 179.00
          watches: [https://alpha.example/p/1]   # by hand: these competitor pages sell this product

A product of ours is identified by its `sku` wherever it comes from; the watchlist's entries, every
CSV row and every feed item are validated by the same model (`OurProductEntry`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.durations import Duration
from monitor.config.selectors import check_http_url
from monitor.config.settings import Strict
from monitor.config.watch_fields import as_list
from spiders.extract.gtin import normalise_gtin

STOCK_WORDS = {
    "in_stock": "InStock",
    "in stock": "InStock",
    "instock": "InStock",
    "out_of_stock": "OutOfStock",
    "out of stock": "OutOfStock",
    "outofstock": "OutOfStock",
    "preorder": "PreOrder",
    "pre-order": "PreOrder",
    "backorder": "BackOrder",
    "limited_availability": "LimitedAvailability",
    "discontinued": "Discontinued",
}


def check_currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"not an ISO 4217 currency code: {value!r} (e.g. USD, EUR, CNY)")
    return code


def stock_term(value: object) -> str | None:
    """Our stock as a schema.org term, from feed words ("in stock", "out_of_stock") or the term itself."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    text = text.rsplit("/", 1)[-1]  # https://schema.org/InStock
    term = STOCK_WORDS.get(text.lower())
    if term:
        return term
    if text in STOCK_WORDS.values():
        return text
    raise ValueError(f"not a stock state: {value!r} (in_stock, out_of_stock, preorder, backorder)")


class OurProductEntry(Strict):
    """One product of ours (a watchlist entry, a CSV row or a feed item)."""

    sku: str = Field(min_length=1, max_length=200, description="our SKU: the product's identity")
    name: str = Field(min_length=1, description="our product title")
    brand: str | None = Field(default=None, description="the brand, for matching")
    gtin: str | None = Field(default=None, description="EAN-13, UPC-A, GTIN-8/14 or ISBN-13 (check digit verified)")
    mpn: str | None = Field(default=None, description="the manufacturer's part number")
    price: Decimal | None = Field(default=None, ge=0, description="our price")
    currency: str | None = Field(default=None, description="ISO code of our price; default the catalogue's")
    map_price: Decimal | None = Field(default=None, ge=0, description="minimum advertised price")
    cost_floor: Decimal | None = Field(default=None, ge=0, description="the lowest price we may sell at")
    category: str | None = Field(default=None, description="category, for filtering the matrix")
    tags: list[str] = Field(default_factory=list, description="for filtering the matrix")
    availability: str | None = Field(
        default=None, description="our stock: in_stock, out_of_stock, preorder, backorder (default: in stock)"
    )
    url: str | None = Field(default=None, description="our own product page")
    watches: list[str] = Field(
        default_factory=list, description="competitor product watch URLs that sell this product (a match by hand)"
    )

    _tags = field_validator("tags", "watches", mode="before")(classmethod(lambda cls, v: as_list(v)))

    @field_validator("sku", "name", "brand", "mpn", "category", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)  # YAML and CSV give bare numbers for numeric SKUs and MPNs
        return " ".join(value.split()) or None if isinstance(value, str) else value

    @field_validator("gtin", mode="before")
    @classmethod
    def _gtin(cls, value: object) -> str | None:
        if value is None or value == "":
            return None
        gtin = normalise_gtin(str(value))
        if gtin is None:
            raise ValueError(f"not a valid GTIN/EAN/UPC (8, 12, 13 or 14 digits, leading zeros optional, with a right check digit): {value!r}")
        return gtin

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return check_currency(value) if value else None

    @field_validator("availability", mode="before")
    @classmethod
    def _availability(cls, value: object) -> str | None:
        return stock_term(value)

    @field_validator("watches")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        return [check_http_url(u) for u in urls]


def _file_or_url(source: RatesSource | CatalogueImport) -> RatesSource | CatalogueImport:
    """A source (the rates, an import) is read from exactly one of a file or a URL."""
    if (source.file is None) == (source.url is None):
        raise ValueError("give exactly one of file or url")
    return source


class RatesSource(Strict):
    """Where exchange rates come from: a file or a URL (ECB-style XML, or CSV `date,currency,rate`)."""

    file: str | None = Field(default=None, description="an ECB-style XML or a CSV of date,currency,rate")
    url: str | None = Field(default=None, description="an ECB-style daily XML (fetched like a page)")
    base: str = Field(default="EUR", description="the currency a CSV's rates are against (an ECB XML is always EUR)")
    every: Duration = Field(default=86400.0, description="how often the source is read again")
    max_age: Duration = Field(
        default=7 * 86400.0, description="a rate older than this (before the price's day) is not used"
    )

    _base = field_validator("base")(classmethod(lambda cls, v: check_currency(v)))
    _url = field_validator("url")(classmethod(lambda cls, v: check_http_url(v) if v else v))

    _one_source = model_validator(mode="after")(_file_or_url)


class CatalogueImport(Strict):
    """Products of ours from a CSV or a Google Merchant-style feed (XML/RSS, Atom or TSV), re-read on schedule."""

    name: str = Field(min_length=1, description="how `status` and the CLI name this import")
    file: str | None = Field(default=None, description="a CSV or feed file")
    url: str | None = Field(default=None, description="a feed URL (fetched like a page)")
    format: Literal["auto", "csv", "merchant"] = Field(default="auto", description="csv or merchant (auto: by content)")
    every: Duration = Field(default=86400.0, description="how often it is read again")
    obey_robots: bool = Field(default=False, description="our own feed: robots.txt is not asked by default")

    _url = field_validator("url")(classmethod(lambda cls, v: check_http_url(v) if v else v))

    _one_source = model_validator(mode="after")(_file_or_url)


class MatchSettings(Strict):
    """How sure automatic matching must be: at `auto_accept` a match is applied, from `propose` it
    waits for a person (`rivalwatch match`), below it is not kept."""

    auto_accept: float = Field(default=0.9, ge=0, le=1, description="confidence at which a match is applied")
    propose: float = Field(default=0.6, ge=0, le=1, description="confidence at which a match is proposed")

    @model_validator(mode="after")
    def _order(self) -> MatchSettings:
        if self.propose > self.auto_accept:
            raise ValueError("propose must not be above auto_accept")
        return self


class Catalogue(Strict):
    """Our products, and how competitor prices are compared with them."""

    currency: str = Field(default="USD", description="the currency the price matrix compares in")
    rates: RatesSource | None = Field(default=None, description="exchange rates (needed for other currencies)")
    match: MatchSettings = Field(default_factory=MatchSettings, description="automatic matching thresholds")
    imports: list[CatalogueImport] = Field(default_factory=list, description="CSV files and product feeds")
    products: list[OurProductEntry] = Field(default_factory=list, description="our products, written here")

    _currency = field_validator("currency")(classmethod(lambda cls, v: check_currency(v)))
