"""Routes for a shop's listings and blog: /category/<name>?page=N, /new?page=N, /blog/, /blog/<slug>."""

from __future__ import annotations

from collections import Counter
from datetime import date
from urllib.parse import parse_qs, urlsplit

from monitor.demo import listing_pages, listings
from monitor.demo.catalogue import Catalogue
from monitor.demo.pages import t
from monitor.demo.reply import Reply, page
from monitor.demo.shops import ShopSpec


def route(catalogue: Catalogue, spec: ShopSpec, base: str, day: int, path: str, target: str) -> Reply | None:
    """The reply for a listing or blog path, or None when the path is not one of them."""
    if path.startswith("/category/") or path == "/new":
        query = parse_qs(urlsplit(target).query)
        try:
            number = int((query.get("page") or ["1"])[0])
        except ValueError:
            number = 0
        if path == "/new":
            items = listings.new_arrivals(catalogue, spec.name, day)
            heading = t(spec, "new")
        else:
            category = path.removeprefix("/category/").strip("/")
            if not listings.CATEGORIES.get(category):
                return None
            items = listings.category_items(catalogue, spec.name, category, day)
            heading = listing_pages.category_heading(spec, category)
        shown, pages = listings.paginate(items, number, listings.page_size(catalogue))
        if not shown and number != 1:
            return None
        offers = catalogue.shop_day(spec.name, day).offers
        extras = {}
        for item in shown:
            o = offers[item.product_id]
            extras[item.product_id] = (
                spec.format_price(o.list_price) if o.on_sale else None,
                spec.availability_text(o.availability),
            )
        brands = Counter(catalogue.by_id[i.product_id].brand for i in items)
        html = listing_pages.listing_page(
            spec,
            base,
            path=path,
            heading=heading,
            items=shown,
            total=len(items),
            page=number,
            pages=pages,
            extras=extras,
            brands=dict(brands),
        )
        return page(html, modified=catalogue.date(day))
    if path in ("/blog", "/blog/"):
        posts = listings.blog_posts(catalogue, spec.name, day)
        return page(listing_pages.blog_index(spec, base, posts), modified=posts[0].published)
    if path.startswith("/blog/"):
        slug = path.removeprefix("/blog/").strip("/")
        for post in listings.blog_posts(catalogue, spec.name, day):
            if post.slug == slug:
                return page(listing_pages.blog_post(spec, base, post), modified=post.published)
    return None


def blog_sitemap_entries(catalogue: Catalogue, spec: ShopSpec, day: int) -> list[tuple[str, date]]:
    posts = listings.blog_posts(catalogue, spec.name, day)
    return [("/blog/", posts[0].published)] + [(p.path, p.published) for p in posts]
