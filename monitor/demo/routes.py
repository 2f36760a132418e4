"""What one demo shop answers for each request: routing from (method, target, day) to a `Reply`.

No sockets here: `ShopSite.handle` is called by the server (or directly by tests). Pages that are
a pure function of (shop, day, target) are rendered once and kept in a byte-bounded cache, so a
benchmark hammering the same 2,000 pages costs a dictionary lookup per request after the first.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from threading import Lock
from urllib.parse import parse_qs, urlsplit

from monitor.demo import bad_pages, delta, feeds, listing_routes, pages
from monitor.demo.catalogue import CATEGORIES, Catalogue, Offer, Product
from monitor.demo.reply import Reply, page
from monitor.demo.shops import ShopSpec

JSON = "application/json"
CSS = b"body{font-family:sans-serif;margin:0}.price,.price-now,.J-price,.preis{font-weight:bold}s,del{color:#888}\n"
STATIC_PAGES = {
    "/about": ("About us", "We have sold electronics online since 2009."),
    "/shipping": ("Shipping & returns", "Free delivery over the threshold shown above. 30-day returns."),
    "/privacy": ("Privacy", "We keep your data safe and never sell it."),
}
RELATED = 4
FEATURED = 8


def product_pattern(spec: ShopSpec) -> re.Pattern[str]:
    """A regex matching the shop's product URLs (path, or path and query when the template has one)."""
    rx = re.escape(spec.product_path)
    rx = rx.replace(re.escape("{num}"), r"(?P<num>\d+)").replace(re.escape("{slug}"), r"[^/?&#]*")
    return re.compile("^" + rx + (r"(?:&.*)?$" if "?" in spec.product_path else "$"))


class ShopSite:
    """One shop's routes. `clock()` gives the market's current day; `set_day(n)` changes it."""

    def __init__(
        self,
        catalogue: Catalogue,
        spec: ShopSpec,
        clock: Callable[[], int],
        set_day: Callable[[int], None],
        cache_bytes: int = 48 * 1024 * 1024,
    ) -> None:
        self.catalogue = catalogue
        self.spec = spec
        self.clock = clock
        self.set_day = set_day
        self.base = ""  # set by the market once the port is known
        self._product_re = product_pattern(spec)
        self._query_route = "?" in spec.product_path
        self._cache: OrderedDict[tuple[int, str], Reply] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0
        self._by_category: dict[int, dict[str, list[str]]] = {}
        self._lock = Lock()

    # ---- entry point ----------------------------------------------------------------------
    def handle(self, method: str, target: str, body: bytes = b"") -> Reply:
        day = self.clock()
        path = target.split("?", 1)[0]
        if path.startswith("/__demo/"):
            return self._control(method, target)
        if method not in ("GET", "HEAD"):
            return Reply(405, b"method not allowed\n", "text/plain", headers=(("Allow", "GET, HEAD"),))
        if path.startswith("/bad/"):
            return self._bad(path, target)
        key = (day, target)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        reply = self._route(day, path, target)
        if reply.stream is None and reply.delay == 0:
            with self._lock:
                self._cache[key] = reply
                self._cached += len(reply.body)
                while self._cached > self._cache_bytes and self._cache:
                    _, old = self._cache.popitem(last=False)
                    self._cached -= len(old.body)
        return reply

    def _route(self, day: int, path: str, target: str) -> Reply:
        spec, base = self.spec, self.base
        match = self._product_re.match(target if self._query_route else path)
        if spec.markup == "js":  # the single-page-app shop serves shells and a JSON API
            reply = delta.route(self.catalogue, spec, base, day, path, target)
            if reply is not None or match:
                return reply or self._not_found()
        elif match:
            return self._product(day, int(match["num"]))
        if path == "/":
            featured = self._live(day)[:FEATURED]
            return page(pages.home_page(spec, base, day, featured), modified=self.catalogue.date(day))
        if path == "/robots.txt":
            return page(
                feeds.robots_txt(base), content_type="text/plain; charset=utf-8", modified=self.catalogue.date(0)
            )
        if path.startswith("/sitemap"):
            return self._sitemap(day, path)
        if path.startswith("/private/"):
            return page(pages.private_page(spec, base), modified=self.catalogue.date(0))
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            body = f"<main class='static'><h1>{title}</h1><p>{text}</p></main>"
            return page(pages.layout(spec, base, title, body, canonical=path), modified=self.catalogue.date(0))
        if path.startswith("/static/"):
            if path.endswith(".css"):
                return page(CSS, content_type="text/css", modified=self.catalogue.date(0))
            return page(bad_pages.tiny_png(), content_type="image/png", modified=self.catalogue.date(0))
        reply = listing_routes.route(self.catalogue, spec, base, day, path, target)
        return reply or self._not_found()

    def _not_found(self) -> Reply:
        return Reply(404, pages.not_found_page(self.spec, self.base).encode())

    # ---- products -------------------------------------------------------------------------
    def product_path(self, product: Product) -> str:
        return self.spec.path_for(product.num, product.slug)

    def _live(self, day: int) -> list[tuple[Product, Offer]]:
        offers = self.catalogue.shop_day(self.spec.name, day).offers
        by_id = self.catalogue.by_id
        return [(by_id[pid], o) for pid, o in offers.items() if o.exists]

    def _category_index(self, day: int) -> dict[str, list[str]]:
        with self._lock:
            index = self._by_category.get(day)
        if index is None:
            index = {c: [] for c in CATEGORIES}
            for p, _ in self._live(day):
                index[p.category].append(p.id)
            with self._lock:
                if len(self._by_category) > 4:
                    self._by_category.pop(next(iter(self._by_category)))
                self._by_category[day] = index
        return index

    def related(self, day: int, product: Product) -> list[tuple[Product, Offer]]:
        """The next few live products of the same category, wrapping around."""
        ids = self._category_index(day)[product.category]
        offers = self.catalogue.shop_day(self.spec.name, day).offers
        after = [i for i in ids if i > product.id] + [i for i in ids if i < product.id]
        return [(self.catalogue.by_id[i], offers[i]) for i in after[:RELATED]]

    def _product(self, day: int, num: int) -> Reply:
        product = self.catalogue.product_by_num(num)
        offer = self.catalogue.shop_day(self.spec.name, day).offers.get(product.id) if product else None
        if product is None or offer is None or not offer.exists:
            return self._not_found()
        restored = self.catalogue.restored(self.spec.name, day, product.id)
        if restored is not None:  # back from the shop's cache: the very page it showed before it went
            return self._product(restored, num)
        related = self.related(day, product)
        sku = self.catalogue.sku(self.spec.name, product)
        html = pages.product_page(self.spec, self.base, product, offer, sku, related)
        changed = max([offer.changed_day] + [o.changed_day for _, o in related])
        return page(html, modified=self.catalogue.date(changed))

    # ---- feeds ----------------------------------------------------------------------------
    def _sitemap(self, day: int, path: str) -> Reply:
        base, today = self.base, self.catalogue.date(day)
        if path == "/sitemap.xml":
            blog = listing_routes.blog_sitemap_entries(self.catalogue, self.spec, day)
            parts = [
                ("/sitemap-products.xml", today),
                ("/sitemap-pages.xml.gz", self.catalogue.date(0)),
                ("/sitemap-blog.xml", blog[0][1]),
            ]
            return page(feeds.sitemap_index(base, parts), content_type="application/xml", modified=today)
        if path == "/sitemap-products.xml":
            entries: list[tuple[str, date]] = [
                (self.product_path(p), self.catalogue.date(o.changed_day)) for p, o in self._live(day)
            ]
            return page(feeds.urlset(base, entries), content_type="application/xml", modified=today)
        if path == "/sitemap-pages.xml.gz":
            entries = [("/", self.catalogue.date(0))] + [(p, self.catalogue.date(0)) for p in STATIC_PAGES]
            entries += [(f"/category/{c}", self.catalogue.date(0)) for c in CATEGORIES] + [("/new", self.catalogue.date(0))]
            body = feeds.gzipped(feeds.urlset(base, entries))
            return page(body, content_type="application/gzip", modified=self.catalogue.date(0))
        if path == "/sitemap-blog.xml":
            entries = listing_routes.blog_sitemap_entries(self.catalogue, self.spec, day)
            return page(feeds.urlset(base, entries), content_type="application/xml", modified=entries[0][1])
        return self._not_found()

    # ---- control and bad inputs -----------------------------------------------------------
    def _control(self, method: str, target: str) -> Reply:
        split = urlsplit(target)
        query = parse_qs(split.query)
        if split.path == "/__demo/day":
            if method == "POST":
                raw = (query.get("d") or query.get("day") or [""])[0]
                try:
                    self.set_day(self.clock() + 1 if raw == "next" else int(raw))
                except ValueError as exc:
                    return Reply(400, f"bad day {raw!r}: {exc}\n".encode(), "text/plain")
            return Reply(200, json.dumps({"day": self.clock()}).encode(), JSON)
        if split.path == "/__demo/truth":
            day = int((query.get("d") or [self.clock()])[0])
            rows = self.catalogue.truth(day, (self.spec.name,))[self.spec.name]
            data = {
                pid: {
                    "price": str(r.price),
                    "currency": r.currency,
                    "availability": r.availability,
                    "exists": r.exists,
                    "url": self.base + r.path,
                    "name": r.name,
                    "sku": r.sku,
                }
                for pid, r in rows.items()
            }
            return Reply(
                200, json.dumps({"day": day, "shop": self.spec.name, "products": data}).encode(), JSON
            )
        return Reply(404, b"unknown control endpoint\n", "text/plain")

    def _bad(self, path: str, target: str) -> Reply:
        query = parse_qs(urlsplit(target).query)
        what = path.removeprefix("/bad/")
        sample = self.catalogue.products[0]
        if what.isdigit() and 400 <= int(what) <= 599:
            code = int(what)
            headers = (("Retry-After", "1"),) if code in (429, 503) else ()
            return Reply(code, bad_pages.error_page(code, Reply(code).reason), headers=headers)
        if what == "slow":
            seconds = min(float((query.get("s") or ["5"])[0]), 300.0)
            return Reply(200, self._sample_page(sample), delay=seconds)
        if what == "captcha":
            return Reply(200, bad_pages.CAPTCHA_HTML.encode())
        if what == "login":
            return Reply(200, bad_pages.LOGIN_HTML.encode())
        if what == "huge":
            length, chunks = bad_pages.huge_page(min(float((query.get("mb") or ["20"])[0]), 500.0))
            return Reply(200, stream=chunks, length=length)
        if what == "binary":
            return Reply(200, bad_pages.tiny_png(), "image/png")
        if what == "json":
            return Reply(200, bad_pages.json_body(), JSON)
        if what == "encoding":
            return Reply(200, bad_pages.broken_encoding(self._sample_page(sample).decode()))
        if what == "empty":
            return Reply(200, b"")
        if what == "redirect":
            to = (query.get("to") or ["/"])[0]
            return Reply(302, b"", headers=(("Location", to),))
        if what == "loop":
            return Reply(302, b"", headers=(("Location", "/bad/loop"),))
        return self._not_found()

    def _sample_page(self, product: Product) -> bytes:
        """A normal product page (day 0 state), used where a bad endpoint still carries a price."""
        offer = self.catalogue.shop_day(self.spec.name, 0).offers[product.id]
        sku = self.catalogue.sku(self.spec.name, product)
        return pages.product_page(
            self.spec, self.base, product, offer, sku, self.related(0, product)
        ).encode()
