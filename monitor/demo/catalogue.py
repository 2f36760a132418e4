"""The demo market's simulation: (seed, day) -> every shop's products with price, stock and existence.

Pure and deterministic: the same seed always gives the same market on the same day, whatever
order days are asked in. Day 0 is the opening state; each later day applies that day's events to
the previous day's state, drawn from a random generator seeded by (seed, shop, day):

- most prices stay put; a few percent move by 1-8% (then re-rounded to a shelf price);
- campaigns: now and then a shop cuts 20-40% of its products by 10-30% for a few days;
- stock-outs and restocks; new products start as pre-orders now and then;
- products are removed (their pages answer 404 from then on) and new products appear.

Days are cached with checkpoints so asking for day 300 costs one pass, not 300 per request.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from threading import Lock

from monitor.demo.categories import CATEGORIES
from monitor.demo.shop_style import shop_title
from monitor.demo.shops import OUR_CURRENCY, SHOPS, ShopSpec

BRANDS = ("Nordvik", "Kestrel", "Lumio", "Orbita", "Hexa", "Vantage", "Solenne", "Arcwave", "Tessel", "Quill")
SUFFIXES = ("", " Pro", " Lite", " Max", " Air", " Plus", " Mini", " Ultra")
DAY_ONE_MOVES = (-0.08, -0.05, -0.03, -0.02, -0.01, 0.01, 0.02, 0.03, 0.04, 0.06)
CHECKPOINT_EVERY = 8
DAY0 = date(2026, 1, 5)  # a Monday, so simulated weeks line up with ISO weeks
SCHEDULED_REMOVAL_DAY = 2
# A product that goes away on day 2 and comes back on day 5, its page byte for byte as it was before
# (the shop restored it from its cache): the gone -> back transition whatever the body.
RETURN_AWAY, RETURN_BACK = 2, 5


def with_check_digit(digits: str) -> str:
    """A GTIN from its digits and their GS1 check digit (EAN-13 from 12 digits)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return digits + str((10 - total % 10) % 10)


def sim_date(day: int, day0: date = DAY0) -> date:
    """The calendar date of a simulated day (Last-Modified headers, sitemaps, blog posts)."""
    return day0 + timedelta(days=day)


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue item, the same product whichever shop sells it."""

    id: str
    num: int
    name: str
    name_zh: str
    brand: str
    category: str
    gtin: str
    base_usd: Decimal

    @property
    def slug(self) -> str:
        return "-".join(self.name.lower().replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class Offer:
    """One product in one shop on one day (the simulation's state; prices in the shop's currency)."""

    product_id: str
    list_price: Decimal
    price: Decimal  # what the shopper pays: list_price, or the sale price during a campaign
    availability: str  # schema.org term: InStock, OutOfStock, PreOrder, BackOrder
    exists: bool
    added_day: int
    removed_day: int | None
    changed_day: int  # last day price, availability or existence changed

    @property
    def on_sale(self) -> bool:
        return self.price < self.list_price


@dataclass(frozen=True, slots=True)
class Campaign:
    start: int
    end: int  # last day of the sale, inclusive
    discount: Decimal
    members: frozenset[str]


@dataclass(frozen=True)
class ShopDay:
    shop: str
    day: int
    offers: dict[str, Offer]  # every product the shop ever listed up to this day (removed ones too)
    campaign: Campaign | None
    next_arrival: int  # index into the shop's arrival order


@dataclass(frozen=True, slots=True)
class ProductTruth:
    """What a perfect crawler would have stored for a product page on a given day."""

    shop: str
    product_id: str
    name: str
    sku: str
    price: Decimal
    currency: str
    availability: str
    exists: bool
    path: str
    list_price: Decimal
    on_sale: bool
    changed_day: int


def _make_products(seed: int, count: int, start: int = 0) -> list[Product]:
    rng = random.Random(f"catalogue/{seed}")
    products = []
    cats = list(CATEGORIES)
    for num in range(start + count):
        cat = cats[num % len(cats)] if num < len(cats) else rng.choice(cats)
        en, zh, lo, hi = CATEGORIES[cat]
        brand = rng.choice(BRANDS)
        model = f"{rng.choice('XSKMRTVQ')}{rng.randint(1, 99)}{rng.choice(SUFFIXES)}"
        base = Decimal(str(round(lo * (hi / lo) ** rng.random(), 2)))
        gtin = with_check_digit(f"{rng.randint(10**11, 10**12 - 1)}")
        if num >= start:
            products.append(
                Product(
                    f"p{num:05d}",
                    num,
                    f"{brand} {model} {en}",
                    f"{brand} {model} {zh}",
                    brand,
                    cat,
                    gtin,
                    base,
                )
            )
    return products


class Catalogue:
    """The whole simulated market for one seed: `shop_day(shop, day)` and `truth(day)`."""

    def __init__(
        self, seed: int = 7, n_products: int = 50, shops: tuple[str, ...] | None = None, day0: date = DAY0
    ) -> None:
        self.seed = seed
        # The calendar the shops' pages show (dates, Last-Modified): `rivalwatch demo` sets it so that
        # its simulated days are the store's days; the story itself depends on the seed only.
        self.day0 = day0
        self.n_products = n_products
        self.shops: dict[str, ShopSpec] = {n: SHOPS[n] for n in (shops or tuple(SHOPS))}
        # The first n_products are on every shelf on day 0; the rest are a pool of new arrivals.
        self.n_pool = max(10, n_products // 2)
        self.products: list[Product] = _make_products(seed, n_products + self.n_pool)
        self.by_id: dict[str, Product] = {p.id: p for p in self.products}
        self._by_num: dict[int, Product] = {p.num: p for p in self.products}
        self._cache: dict[str, OrderedDict[int, ShopDay]] = {s: OrderedDict() for s in self.shops}
        self._checkpoints: dict[str, dict[int, ShopDay]] = {s: {} for s in self.shops}
        self._arrivals: dict[str, list[Product]] = {}
        self._lock = Lock()

    # ---- catalogue data -------------------------------------------------------------------
    def date(self, day: int) -> date:
        """The calendar date the shops show on simulated `day`."""
        return sim_date(day, self.day0)

    def product_by_num(self, num: int) -> Product | None:
        return self._by_num.get(num)

    def sku(self, shop: str, product: Product) -> str:
        return f"{shop[:2].upper()}-{product.num * 7 + 1000:06d}"

    def our_prices(self, shop: str | None = None) -> dict[str, Decimal]:
        """Our own shop's prices for the base products (USD), or converted to `shop`'s currency.

        Ours sit within +-6% of the base price, so competitors undercut some of them even before
        their sales start.
        """
        rng = random.Random(f"ours/{self.seed}")
        spec = self.shops[shop] if shop else SHOPS["alpha"]
        out = {}
        for p in self.products[: self.n_products]:
            usd = p.base_usd * Decimal(str(round(1 + rng.uniform(-0.06, 0.06), 4)))
            out[p.id] = spec.round_price(usd * spec.fx if shop else usd)
        return out

    @property
    def our_currency(self) -> str:
        return OUR_CURRENCY

    def vanishing_product(self, shop: str) -> tuple[str, int]:
        """A product that is guaranteed to be removed on SCHEDULED_REMOVAL_DAY (404 afterwards)."""
        return self.products[self.n_products - 1].id, SCHEDULED_REMOVAL_DAY

    def returning_product(self, shop: str) -> tuple[str, int, int]:
        """(product id, day its page starts answering 404, day it is back) of the product that returns."""
        return self.products[self.n_products - 2].id, RETURN_AWAY, RETURN_BACK

    def restored(self, shop: str, day: int, product_id: str) -> int | None:
        """The day whose page a returned product shows again (the last day before it went), or None."""
        pid, away, back = self.returning_product(shop)
        if product_id != pid or day < back:
            return None
        offer = self.shop_day(shop, day).offers.get(pid)
        return away - 1 if offer is not None and offer.exists and offer.changed_day == back else None

    # ---- simulation -----------------------------------------------------------------------
    def shop_day(self, shop: str, day: int) -> ShopDay:
        if day < 0:
            raise ValueError(f"day must be >= 0, got {day}")
        with self._lock:
            cache = self._cache[shop]
            if day in cache:
                cache.move_to_end(day)
                return cache[day]
            checkpoints = self._checkpoints[shop]
            start = max((d for d in list(checkpoints) + list(cache) if d <= day), default=None)
            state = (checkpoints.get(start) or cache.get(start)) if start is not None else None
            if state is None:
                state = self._opening(shop)
            while state.day < day:
                state = self._advance(state)
                if state.day % CHECKPOINT_EVERY == 0:
                    checkpoints[state.day] = state
            cache[day] = state
            while len(cache) > 6:
                cache.popitem(last=False)
            if day == 0:
                checkpoints[0] = state
            return state

    def _opening(self, shop: str) -> ShopDay:
        spec = self.shops[shop]
        rng = random.Random(f"open/{self.seed}/{shop}")
        offers = {}
        for p in self.products[: self.n_products]:
            price = spec.round_price(p.base_usd * spec.fx * Decimal(str(round(rng.uniform(0.92, 1.08), 4))))
            avail = (
                "InStock" if rng.random() > 0.06 else rng.choice(("OutOfStock", "OutOfStock", "BackOrder"))
            )
            offers[p.id] = Offer(p.id, price, price, avail, True, 0, None, 0)
        return ShopDay(shop, 0, offers, None, 0)

    def _arrival_order(self, shop: str) -> list[Product]:
        if shop not in self._arrivals:
            order = self.products[self.n_products :]
            random.Random(f"arrivals/{self.seed}/{shop}").shuffle(order)
            self._arrivals[shop] = order
        return self._arrivals[shop]

    def _advance(self, prev: ShopDay) -> ShopDay:
        day = prev.day + 1
        shop = prev.shop
        spec = self.shops[shop]
        rng = random.Random(f"day/{self.seed}/{shop}/{day}")
        offers = dict(prev.offers)
        returning, away, back = self.returning_product(shop)
        if day == away and offers.get(returning) and offers[returning].exists:
            # It leaves before the day's moves, so it comes back exactly as it went.
            offers[returning] = replace(offers[returning], exists=False, removed_day=day, changed_day=day)
        live = [pid for pid, o in offers.items() if o.exists]
        n_live = len(live)

        def count(rate: float) -> int:
            # Poisson-ish: the expected number, with its fractional part drawn.
            expected = n_live * rate
            return int(expected) + (rng.random() < expected - int(expected))

        def update(pid: str, **changes) -> None:
            old = offers[pid]
            new = replace(old, **changes)
            if (new.price, new.availability, new.exists) != (old.price, old.availability, old.exists):
                new = replace(new, changed_day=day)
            offers[pid] = new

        # Small list-price moves.
        for pid in rng.sample(live, min(n_live, count(spec.move_rate))):
            o = offers[pid]
            factor = Decimal(1) + Decimal(str(rng.choice(DAY_ONE_MOVES)))
            new_list = spec.round_price(o.list_price * factor)
            update(pid, list_price=new_list, price=new_list if not o.on_sale else min(o.price, new_list))

        # Stock: some go out, most of the out-of-stock come back, pre-orders get released.
        in_stock = [pid for pid in live if offers[pid].availability == "InStock"]
        for pid in rng.sample(in_stock, min(len(in_stock), count(spec.stockout_rate))):
            update(pid, availability="OutOfStock" if rng.random() < 0.85 else "BackOrder")
        for pid in live:
            o = offers[pid]
            if o.availability in ("OutOfStock", "BackOrder") and o.changed_day < day and rng.random() < 0.35:
                update(pid, availability="InStock")
            elif o.availability == "PreOrder" and day - o.added_day >= 2:
                update(pid, availability="InStock")

        # Campaigns: the schedule is drawn per shop; the members when the sale starts.
        campaign = prev.campaign
        if campaign and day > campaign.end:
            for pid in campaign.members:
                if offers[pid].exists and offers[pid].on_sale:
                    update(pid, price=offers[pid].list_price)
            campaign = None
        if campaign is None and self._campaign_starts(shop, day):
            crng = random.Random(f"campaign/{self.seed}/{shop}/{day}")
            share = crng.uniform(0.2, 0.4)
            members = frozenset(crng.sample(live, max(1, int(n_live * share))))
            discount = Decimal(str(crng.choice((0.10, 0.15, 0.20, 0.25, 0.30))))
            campaign = Campaign(day, day + crng.randint(2, 4), discount, members)
            for pid in members:
                o = offers[pid]
                sale = spec.round_price(o.list_price * (1 - discount))
                if sale < o.list_price:
                    update(pid, price=sale)

        # Removals (one scheduled, so tests always have a page that disappears) and arrivals.
        removed = set(rng.sample(live, min(n_live, count(0.006))))
        vanishing, vanish_day = self.vanishing_product(shop)
        if day == vanish_day and offers.get(vanishing) and offers[vanishing].exists:
            removed.add(vanishing)
        for pid in sorted(removed):
            update(pid, exists=False, removed_day=day)
        if day == back and offers.get(returning) and offers[returning].removed_day == away:
            update(returning, exists=True, removed_day=None)
        next_arrival = prev.next_arrival
        order = self._arrival_order(shop)
        for _ in range(count(0.008) + (day % 5 == 1)):
            if next_arrival >= len(order):
                break
            p = order[next_arrival]
            next_arrival += 1
            price = spec.round_price(p.base_usd * spec.fx * Decimal(str(round(rng.uniform(0.95, 1.1), 4))))
            avail = "PreOrder" if rng.random() < 0.3 else "InStock"
            offers[p.id] = Offer(p.id, price, price, avail, True, day, None, day)
        return ShopDay(shop, day, offers, campaign, next_arrival)

    def _campaign_starts(self, shop: str, day: int) -> bool:
        """Each shop runs its first sale within days 2-6, then one every 6-14 days."""
        rng = random.Random(f"campaigns/{self.seed}/{shop}")
        start = 2 + rng.randint(0, 4)
        while start < day:
            start += rng.randint(6, 14)
        return start == day

    # ---- ground truth ---------------------------------------------------------------------
    def truth(self, day: int, shops: tuple[str, ...] | None = None) -> dict[str, dict[str, ProductTruth]]:
        """Per shop, per product ever listed up to `day`: what its page says (or that it is gone)."""
        out: dict[str, dict[str, ProductTruth]] = {}
        for shop in shops or tuple(self.shops):
            spec = self.shops[shop]
            sd = self.shop_day(shop, day)
            rows = {}
            for pid, o in sd.offers.items():
                p = self.by_id[pid]
                rows[pid] = ProductTruth(
                    shop,
                    pid,
                    shop_title(spec, p),
                    self.sku(shop, p),
                    o.price,
                    spec.currency,
                    o.availability,
                    o.exists,
                    spec.path_for(p.num, p.slug),
                    o.list_price,
                    o.on_sale,
                    o.changed_day,
                )
            out[shop] = rows
        return out
