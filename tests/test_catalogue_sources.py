"""Our catalogue's sources: rates (ECB-style XML, CSV), product CSVs and Merchant feeds, re-imports that
keep history, and imports from files and from URLs fetched over 127.0.0.1 through the crawl path."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from models.catalogue import CatalogueImport, FxRate, MatrixProduct, OurPriceHistory, OurProduct
from monitor.catalogue.feeds import FeedError, parse_money, parse_products
from monitor.catalogue.rates import Conversion, NoRate, RatesError, RateTable, ecb_xml, parse_rates
from monitor.catalogue_cycle import catalogue_run
from monitor.watchlist import load_watchlist_text

ECB = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject><Cube>
<Cube time="2026-01-06"><Cube currency="USD" rate="1.1000"/><Cube currency="GBP" rate="0.8500"/></Cube>
<Cube time="2026-01-05"><Cube currency="USD" rate="1.0800"/><Cube currency="GBP" rate="0.8400"/><Cube currency="JPY" rate="160.00"/></Cube>
</Cube></gesmes:Envelope>"""

CSV = """sku,title,brand,ean,price,map,availability,product_type,custom_label_0
NV-1,Kestrel K12 Pro Wireless Headphones,Kestrel,4006381333931,199.00 USD,179.00,in stock,Audio,summer
NV-2,Kestrel K12 Lite Wireless Headphones,Kestrel,,"1,299.50",,out_of_stock,Audio,
NV-3,Broken row,Kestrel,4006381333932,12.00,,,,
"""

MERCHANT = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>Our shop</title>
<item><g:id>NV-1</g:id><title>Kestrel K12 Pro</title><g:brand>Kestrel</g:brand><g:gtin>4006381333931</g:gtin>
<g:mpn>K12P</g:mpn><g:price>199.00 EUR</g:price><g:sale_price>179.00 EUR</g:sale_price><g:availability>in stock</g:availability>
<link>https://ours.example/p/1</link></item>
<item><g:id>NV-2</g:id><g:title>Kestrel K12 Lite</g:title><g:price>99.00 EUR</g:price><g:availability>out of stock</g:availability></item>
</channel></rss>"""


def test_ecb_rates_convert_a_price_on_its_day_and_are_never_guessed() -> None:
    table = RateTable(parse_rates(ECB), "EUR", timedelta(days=7))
    conv = table.convert(Decimal("100"), "GBP", "USD", date(2026, 1, 6))
    assert isinstance(conv, Conversion) and conv.rate_day == date(2026, 1, 6)
    assert conv.amount == (Decimal("100") * Decimal("1.1000") / Decimal("0.8500")).quantize(Decimal("0.0001"))
    # A Sunday uses the newest rates before it; EUR itself is the base.
    assert table.convert(Decimal("10"), "EUR", "USD", date(2026, 1, 11)).rate == Decimal("1.1000")  # type: ignore[union-attr]
    assert table.convert(Decimal("1"), "USD", "USD", date(2030, 1, 1)).rate == 1  # type: ignore[union-attr]
    for missing, why in (
        (table.convert(Decimal("1"), "CNY", "USD", date(2026, 1, 6)), "no EUR/CNY rate"),
        (table.convert(Decimal("1"), "GBP", "USD", date(2026, 1, 4)), "on or before 2026-01-04"),
        (table.convert(Decimal("1"), "JPY", "USD", date(2026, 1, 20)), "too old"),
        (table.convert(Decimal("1"), None, "USD", date(2026, 1, 6)), "no currency"),
    ):
        assert isinstance(missing, NoRate) and why in missing.reason


def test_rates_csv_and_unreadable_sources() -> None:
    rows = parse_rates(b"date,currency,rate\n2026-01-05,EUR,0.92\n2026-01-05,CNY,7.2\n", base="USD")
    table = RateTable(rows, "USD")
    conv = table.convert(Decimal("720"), "CNY", "EUR", date(2026, 1, 5))
    assert isinstance(conv, Conversion) and conv.amount == Decimal("92.0000")
    with pytest.raises(RatesError, match="columns"):
        parse_rates(b"day,code\n2026-01-05,EUR\n")
    with pytest.raises(RatesError, match="positive"):
        parse_rates(b"date,currency,rate\n2026-01-05,EUR,-1\n")
    with pytest.raises(RatesError, match="no <Cube"):
        parse_rates(b"<html><body>maintenance</body></html>")


def test_product_csv_rows_are_validated_one_by_one() -> None:
    parsed = parse_products(CSV.encode(), "USD")
    assert [e.sku for e in parsed.entries] == ["NV-1", "NV-2"]
    one, two = parsed.entries
    assert (one.price, one.currency, one.map_price, one.gtin, one.availability) == (
        Decimal("199.00"), "USD", Decimal("179.00"), "04006381333931", "InStock"
    )
    assert (one.category, one.tags) == ("Audio", ["summer"])
    assert (two.price, two.availability) == (Decimal("1299.50"), "OutOfStock")
    assert parsed.problems == [parsed.problems[0]] and parsed.problems[0].startswith("line 4: gtin")
    assert parse_money("129,00 €".replace(" €", "")) == (Decimal("129.00"), None)
    with pytest.raises(FeedError, match="sku"):
        parse_products(b"name,price\nx,1\n", "USD")


def test_merchant_feed_items() -> None:
    parsed = parse_products(MERCHANT, "USD")
    one, two = parsed.entries
    assert (one.sku, one.name, one.price, one.currency, one.mpn, one.url) == (
        "NV-1", "Kestrel K12 Pro", Decimal("179.00"), "EUR", "K12P", "https://ours.example/p/1"
    )
    assert (two.name, two.availability) == ("Kestrel K12 Lite", "OutOfStock")
    tsv = parse_products(b"id\ttitle\tprice\nA\tThing\t5.00 GBP\n", "USD")
    assert (tsv.entries[0].sku, tsv.entries[0].currency) == ("A", "GBP")


def _watchlist(tmp_path: Path, imports: list[dict], rates: dict | None = None, private: bool = True):  # noqa: ANN202
    data: dict = {
        "settings": {"allow_private_addresses": private, "retries": 0, "download_timeout": 5},
        "catalogue": {"currency": "USD", "imports": imports},
    }
    if rates:
        data["catalogue"]["rates"] = rates
    return load_watchlist_text(yaml.safe_dump(data))


def test_reimports_keep_history_and_deactivate_what_the_source_dropped(store, tmp_path) -> None:  # noqa: ANN001
    _engine, factory = store
    path = tmp_path / "products.csv"
    path.write_text(CSV)
    watchlist = _watchlist(tmp_path, [{"name": "erp", "file": str(path)}])
    t0 = datetime(2026, 1, 5, 8, tzinfo=UTC)
    first = catalogue_run(watchlist, factory, lambda: t0, force_imports=True, send_alerts=False)
    assert first.imports[0].ok and first.imports[0].message.startswith("2 added")
    path.write_text(CSV.replace("199.00 USD", "189.00 USD").replace("NV-2,", "NV-9,"))
    second = catalogue_run(watchlist, factory, lambda: t0 + timedelta(days=1), force_imports=True, send_alerts=False)
    assert "1 added, 1 updated, 1 made inactive" in second.imports[0].message
    with factory() as s:
        products = {p.sku: p for p in s.scalars(select(OurProduct))}
        assert products["NV-1"].price == Decimal("189.00") and not products["NV-2"].active
        # The matrix compares the new price: an import is a change of our catalogue.
        assert s.get(MatrixProduct, products["NV-1"].id).our_price == Decimal("189.00")  # type: ignore[union-attr]
        history = [h.price for h in s.scalars(select(OurPriceHistory).where(OurPriceHistory.our_product_id == products["NV-1"].id).order_by(OurPriceHistory.id))]
        assert history == [Decimal("199.00"), Decimal("189.00")]
    path.write_text(CSV)  # NV-2 is back, as it was; its history is still there
    catalogue_run(watchlist, factory, lambda: t0 + timedelta(days=2), force_imports=True, send_alerts=False)
    with factory() as s:
        nv2 = s.scalar(select(OurProduct).where(OurProduct.sku == "NV-2"))
        assert nv2 is not None and nv2.active
        assert s.scalars(select(OurPriceHistory).where(OurPriceHistory.our_product_id == nv2.id)).first() is not None


class _Serve(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def local_site(tmp_path: Path):  # noqa: ANN201
    """Files of tmp_path served on 127.0.0.1 (a feed and a rates file, as a shop and the ECB serve them)."""
    (tmp_path / "feed.xml").write_bytes(MERCHANT)
    (tmp_path / "rates.xml").write_bytes(ecb_xml({date(2026, 1, 5): {"USD": Decimal("1.08")}}))
    handler = lambda *a, **kw: _Serve(*a, directory=str(tmp_path), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_feeds_and_rates_from_urls_go_through_the_crawl_path(store, tmp_path, local_site) -> None:  # noqa: ANN001
    _engine, factory = store
    imports = [{"name": "feed", "url": local_site + "/feed.xml"}, {"name": "gone", "url": local_site + "/missing.xml"}]
    watchlist = _watchlist(tmp_path, imports, {"url": local_site + "/rates.xml"})
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    done = catalogue_run(watchlist, factory, lambda: now, force_imports=True, send_alerts=False)
    results = {r.name: r for r in done.imports}
    assert results["feed"].ok and results["feed"].items == 2
    assert not results["gone"].ok and "HTTP 404" in results["gone"].message
    assert results["rates"].ok
    with factory() as s:
        assert s.scalar(select(FxRate.rate).where(FxRate.currency == "USD")) == Decimal("1.08")
        status = {r.name: r for r in s.scalars(select(CatalogueImport))}
        assert status["gone"].status == "failed" and status["feed"].status == "ok"
    # Without allow_private_addresses the address guard refuses 127.0.0.1: a failed import, not a crash.
    refused = catalogue_run(
        _watchlist(tmp_path, [imports[0]], private=False), factory, lambda: now, force_imports=True, send_alerts=False
    )
    assert not refused.imports[0].ok and "private" in refused.imports[0].message
