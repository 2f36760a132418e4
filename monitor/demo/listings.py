"""What the demo shops' listing pages and blogs hold on a given day (pure; rendering is elsewhere).

- Category listings sort by a popularity score with a little daily jitter, so positions move
  from day to day; new products join and removed ones leave; pages hold `page_size` cards.
- "New arrivals" lists products added in the last NEW_DAYS days, newest first.
- Each shop's blog publishes a post every few days (deterministic schedule per shop).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from monitor.demo.catalogue import CATEGORIES, Catalogue
from monitor.demo.shop_style import shop_title

NEW_DAYS = 14
BLOG_TOPICS = (
    ("Buying guide: {cat} in {year}", "buying-guide-{slug}"),
    ("Five {cat} we loved this month", "five-{slug}-we-loved"),
    ("How we test {cat}", "how-we-test-{slug}"),
    ("{cat}: what the numbers say", "{slug}-by-the-numbers"),
    ("Deals roundup: {cat}", "deals-roundup-{slug}"),
)


@dataclass(frozen=True, slots=True)
class ListingItem:
    """One product card on a listing page, as a perfect listing extractor would return it."""

    position: int  # 1-based, across pages
    product_id: str
    path: str
    title: str
    price: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class BlogPost:
    slug: str
    title: str
    published: date
    day: int
    path: str
    body: str


def page_size(catalogue: Catalogue) -> int:
    """Small shops get small pages so pagination shows even with 50 products."""
    return max(3, min(24, catalogue.n_products // 20))


def _popularity(catalogue: Catalogue, shop: str, pid: str, day: int) -> float:
    base = random.Random(f"pop/{catalogue.seed}/{shop}/{pid}").uniform(0, 100)
    # Jitter changes every day; a few products each day jump further.
    rng = random.Random(f"popday/{catalogue.seed}/{shop}/{pid}/{day}")
    return base + rng.uniform(-4, 4) + (rng.random() < 0.05) * rng.uniform(-30, 30)


def category_items(catalogue: Catalogue, shop: str, category: str, day: int) -> list[ListingItem]:
    """Every card of a category listing on `day`, in display order (all pages)."""
    if category not in CATEGORIES:
        return []
    spec = catalogue.shops[shop]
    offers = catalogue.shop_day(shop, day).offers
    live = [
        catalogue.by_id[pid]
        for pid, o in offers.items()
        if o.exists and catalogue.by_id[pid].category == category
    ]
    live.sort(key=lambda p: (-_popularity(catalogue, shop, p.id, day), p.id))
    return [
        _item(catalogue, shop, i + 1, p.id, offers[p.id].price, spec.currency) for i, p in enumerate(live)
    ]


def new_arrivals(catalogue: Catalogue, shop: str, day: int) -> list[ListingItem]:
    spec = catalogue.shops[shop]
    offers = catalogue.shop_day(shop, day).offers
    recent = [o for o in offers.values() if o.exists and o.added_day > 0 and day - o.added_day < NEW_DAYS]
    recent.sort(key=lambda o: (-o.added_day, o.product_id))
    return [_item(catalogue, shop, i + 1, o.product_id, o.price, spec.currency) for i, o in enumerate(recent)]


def _item(
    catalogue: Catalogue, shop: str, position: int, pid: str, price: Decimal, currency: str
) -> ListingItem:
    spec = catalogue.shops[shop]
    p = catalogue.by_id[pid]
    title = shop_title(spec, p)
    return ListingItem(position, pid, spec.path_for(p.num, p.slug), title, price, currency)


def paginate(items: list[ListingItem], page: int, size: int) -> tuple[list[ListingItem], int]:
    """(the cards of `page` (1-based), number of pages)."""
    pages = max(1, -(-len(items) // size))
    if page < 1 or page > pages:
        return [], pages
    return items[(page - 1) * size : page * size], pages


def blog_posts(catalogue: Catalogue, shop: str, day: int) -> list[BlogPost]:
    """Posts published up to `day`, newest first: two before day 0, then one every 2-5 days."""
    schedule = random.Random(f"blog/{catalogue.seed}/{shop}")
    days = [-30, -5]
    when = schedule.randint(1, 3)
    while when <= day:
        days.append(when)
        when += schedule.randint(2, 5)
    cats = list(CATEGORIES)
    posts = []
    for n, when in enumerate(days):
        rng = random.Random(f"post/{catalogue.seed}/{shop}/{n}")
        cat = rng.choice(cats)
        template, slug_t = BLOG_TOPICS[n % len(BLOG_TOPICS)]
        label = CATEGORIES[cat][0].lower()
        slug = slug_t.format(slug=cat) + f"-{n + 1}"
        title = template.format(cat=label, year=catalogue.date(when).year)
        title = title[0].upper() + title[1:]
        body = " ".join(
            f"Paragraph {i + 1} about {label} from our editors." for i in range(rng.randint(3, 7))
        )
        posts.append(BlogPost(slug, title, catalogue.date(when), when, f"/blog/{slug}", body))
    return posts[::-1]
