"""`DemoMarket`: the simulated market as one object: its catalogue, its shops' sites, the day, the servers.

    with DemoMarket(seed=7, n_products=50) as market:    # serving in background threads
        market.base_urls                                   # {"alpha": "http://127.0.0.1:PORT", ...}
        market.product_urls()                              # [(shop, product_id, url), ...]
        market.set_day(3)
        market.truth()                                     # what every product page says today

Each shop listens on its own port, so it has its own netloc and robots.txt.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from threading import Lock
from urllib.parse import quote_plus

from monitor.demo import listings, search_engine
from monitor.demo.catalogue import DAY0, Catalogue, ProductTruth
from monitor.demo.listings import BlogPost, ListingItem
from monitor.demo.routes import ShopSite
from monitor.demo.running import Running
from monitor.demo.search_engine import SearchSite, SerpResult
from monitor.demo.server import ServerThread, SiteLoad
from monitor.demo.shops import HTTP_SHOPS, SHOPS

SEARCH = "__search__"  # the search engine's handler name: its own port, not a shop


class DemoMarket(Running):
    """A deterministic market for `seed`; `shops` defaults to the ones readable without a browser."""

    def __init__(
        self,
        seed: int = 7,
        n_products: int = 50,
        *,
        shops: tuple[str, ...] | None = None,
        day: int = 0,
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        day0: date | None = None,
    ) -> None:
        unknown = set(shops or ()) - set(SHOPS)
        if unknown:
            raise ValueError(f"unknown demo shops {sorted(unknown)}; known: {sorted(SHOPS)}")
        if n_products < 10:
            raise ValueError("n_products must be at least 10")
        self.seed = seed
        self.n_products = n_products
        self.shop_names: tuple[str, ...] = tuple(shops or HTTP_SHOPS)
        self.catalogue = Catalogue(seed, n_products, self.shop_names, day0 or DAY0)
        self.host = host
        self._ports = ports or {}
        self._day = day
        self._day_lock = Lock()
        self.sites: dict[str, ShopSite] = {
            name: ShopSite(self.catalogue, SHOPS[name], self.get_day, self.set_day)
            for name in self.shop_names
        }
        self.search = SearchSite(self.catalogue, self.get_day, lambda: self.base_urls)
        self._server: ServerThread | None = None
        self.load = SiteLoad()  # requests in flight per shop, at most so far; an extra latency per answer
        self.base_urls: dict[str, str] = {}
        self.search_url = ""

    # ---- time ---------------------------------------------------------------------------
    @property
    def day(self) -> int:
        return self._day

    def get_day(self) -> int:
        return self._day

    def set_day(self, day: int) -> None:
        if day < 0:
            raise ValueError(f"day must be >= 0, got {day}")
        with self._day_lock:
            self._day = day
        # Warm the simulation outside the request path of the first crawler to arrive.
        for shop in self.shop_names:
            self.catalogue.shop_day(shop, day)

    # ---- serving ------------------------------------------------------------------------
    def start(self) -> DemoMarket:
        if self._server:
            return self
        handlers = {n: s.handle for n, s in self.sites.items()}
        handlers[SEARCH] = self.search.handle
        self._server = ServerThread(handlers, self.host, self._ports, self.load)
        ports = self._server.start()
        urls = {name: f"http://{self.host}:{port}" for name, port in ports.items()}
        self.search_url = self.search.base = urls.pop(SEARCH)
        self.bind(urls)
        return self

    def bind(self, base_urls: dict[str, str]) -> None:
        """Tell the sites where they are served (pages carry absolute canonical URLs)."""
        self.base_urls = dict(base_urls)
        for name, url in base_urls.items():
            self.sites[name].base = url

    def stop(self) -> None:
        if self._server:
            self._server.stop()
            self._server = None


    # ---- what is where ------------------------------------------------------------------
    def url(self, shop: str, path: str) -> str:
        return self.base_urls.get(shop, "") + path

    def product_urls(
        self, day: int | None = None, shops: tuple[str, ...] | None = None
    ) -> list[tuple[str, str, str]]:
        """(shop, product_id, url) of every product live on `day` (default: today)."""
        day = self._day if day is None else day
        out = []
        for shop in shops or self.shop_names:
            spec = SHOPS[shop]
            for pid, offer in self.catalogue.shop_day(shop, day).offers.items():
                if offer.exists:
                    p = self.catalogue.by_id[pid]
                    out.append((shop, pid, self.url(shop, spec.path_for(p.num, p.slug))))
        return out

    def product_url(self, shop: str, product_id: str) -> str:
        p = self.catalogue.by_id[product_id]
        return self.url(shop, SHOPS[shop].path_for(p.num, p.slug))

    def vanishing_product(self, shop: str) -> tuple[str, str, int]:
        """(product_id, url, removal_day) of a product whose page answers 404 from removal_day on."""
        pid, day = self.catalogue.vanishing_product(shop)
        return pid, self.product_url(shop, pid), day

    def returning_product(self, shop: str) -> tuple[str, str, int, int]:
        """(product_id, url, day it goes, day it is back): 404 in between, then its old page again."""
        pid, away, back = self.catalogue.returning_product(shop)
        return pid, self.product_url(shop, pid), away, back

    def truth(self, day: int | None = None) -> dict[str, dict[str, ProductTruth]]:
        """Per shop, per product ever listed: price (Decimal), currency, availability, exists, ..."""
        return self.catalogue.truth(self._day if day is None else day)

    def our_prices(self, shop: str | None = None) -> dict[str, Decimal]:
        """Our own shop's prices per product id: in USD, or converted into `shop`'s currency."""
        return self.catalogue.our_prices(shop)

    def selectors(self, shop: str) -> dict[str, str]:
        """The CSS selectors a user configures for a shop without structured data ({} otherwise)."""
        return dict(SHOPS[shop].selectors)

    def currency(self, shop: str) -> str:
        return SHOPS[shop].currency

    def day_label(self, day: int | None = None) -> str:
        """'day 3 (Thu 2026-01-08)': the calendar date the market shows on a day."""
        day = self._day if day is None else day
        return f"day {day} ({self.catalogue.date(day):%a %Y-%m-%d})"

    # ---- listings, blog, search: what the later watch kinds should find -----------------
    def listing_urls(self, shop: str) -> list[str]:
        """First pages of the shop's category listings, then its new-arrivals page."""
        return [self.url(shop, f"/category/{c}") for c in listings.CATEGORIES] + [self.url(shop, "/new")]

    def listing_truth(self, shop: str, category: str, day: int | None = None) -> list[ListingItem]:
        """Every card of a listing ('new' for new arrivals) across all its pages, in order."""
        day = self._day if day is None else day
        if category == "new":
            return listings.new_arrivals(self.catalogue, shop, day)
        return listings.category_items(self.catalogue, shop, category, day)

    def listing_page_size(self) -> int:
        return listings.page_size(self.catalogue)

    def blog_truth(self, shop: str, day: int | None = None) -> list[BlogPost]:
        """The shop's blog posts published up to `day`, newest first (paths are relative)."""
        return listings.blog_posts(self.catalogue, shop, self._day if day is None else day)

    def keywords(self) -> list[str]:
        return search_engine.keywords()

    def serp_url(self, keyword: str, start: int = 0) -> str:
        return f"{self.search_url}/search?q={quote_plus(keyword)}" + (f"&start={start}" if start else "")

    def serp_truth(self, keyword: str, day: int | None = None) -> list[SerpResult]:
        """The engine's ordered organic results for `keyword` (30 deep; needs the market started)."""
        day = self._day if day is None else day
        return search_engine.results(self.catalogue, self.base_urls, keyword, day)
