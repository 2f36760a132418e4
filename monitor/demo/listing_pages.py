"""HTML for the demo shops' category listings, "new arrivals" and blog (pure rendering)."""

from __future__ import annotations

from html import escape

from monitor.demo.listings import BlogPost, ListingItem
from monitor.demo.pages import category_label, layout, t
from monitor.demo.shops import ShopSpec


def _card(spec: ShopSpec, item: ListingItem, old_price: str | None, stock: str) -> str:
    old = f'<s class="card-was">{escape(old_price)}</s>' if old_price else ""
    return (
        f'<li class="product-card" data-position="{item.position}">'
        f'<a class="card-link" href="{escape(item.path)}"><img src="/static/img/{escape(item.product_id)}.jpg" alt="" loading="lazy">'
        f'<h3 class="card-title">{escape(item.title)}</h3></a>'
        f'<div class="card-price"><span class="price">{escape(spec.format_price(item.price))}</span>{old}</div>'
        f'<span class="card-stock">{escape(stock)}</span>'
        f'<button class="quick-add" data-sku="{escape(item.product_id)}">{escape(t(spec, "add"))}</button></li>'
    )


def _pagination(path: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    links = []
    if page > 1:
        links.append(f'<a class="prev" rel="prev" href="{path}?page={page - 1}">&laquo; Previous</a>')
    for n in range(1, pages + 1):
        cls = ' class="current" aria-current="page"' if n == page else ""
        links.append(f'<a{cls} href="{path}?page={n}">{n}</a>')
    if page < pages:
        links.append(f'<a class="next" rel="next" href="{path}?page={page + 1}">Next &raquo;</a>')
    return f'<nav class="pagination">{"".join(links)}</nav>'


def listing_page(
    spec: ShopSpec,
    base: str,
    *,
    path: str,
    heading: str,
    items: list[ListingItem],
    total: int,
    page: int,
    pages: int,
    extras: dict[str, tuple[str | None, str]],
    brands: dict[str, int],
) -> str:
    """One page of product cards. `extras` maps product id -> (old price text or None, stock text)."""
    cards = "".join(_card(spec, item, *extras[item.product_id]) for item in items)
    facets = "".join(
        f'<li><label><input type="checkbox" name="brand" value="{escape(b)}"> {escape(b)} ({n})</label></li>'
        for b, n in sorted(brands.items())
    )
    body = (
        f'<main class="listing"><h1>{escape(heading)}</h1>'
        f'<div class="toolbar"><span class="result-count">{total} products</span>'
        '<select name="sort"><option>Most popular</option><option>Price: low to high</option>'
        "<option>Newest</option></select></div>"
        f'<aside class="filters"><h3>Brand</h3><ul>{facets}</ul></aside>'
        '<div class="promo-tile">Sponsored: Upgrade your setup. <a href="/category/monitors">Shop monitors</a></div>'
        f'<ul class="product-grid">{cards}</ul>{_pagination(path, page, pages)}</main>'
    )
    canonical = path if page == 1 else f"{path}?page={page}"
    crumbs = [(t(spec, "home"), "/"), (heading, "")]
    return layout(spec, base, heading, body, canonical=canonical, crumbs=crumbs)


def category_heading(spec: ShopSpec, category: str) -> str:
    return category_label(spec, category)


def blog_index(spec: ShopSpec, base: str, posts: list[BlogPost]) -> str:
    items = "".join(
        f'<article class="post-summary"><h2><a href="{p.path}">{escape(p.title)}</a></h2>'
        f'<time datetime="{p.published.isoformat()}">{p.published.isoformat()}</time></article>'
        for p in posts
    )
    body = f'<main class="blog"><h1>{escape(t(spec, "blog"))}</h1>{items}</main>'
    return layout(
        spec, base, t(spec, "blog"), body, canonical="/blog/", description=f"News from {spec.title}"
    )


def blog_post(spec: ShopSpec, base: str, post: BlogPost) -> str:
    body = (
        f'<main class="blog-post"><article><h1>{escape(post.title)}</h1>'
        f'<time datetime="{post.published.isoformat()}">{post.published.isoformat()}</time>'
        f"<p>{escape(post.body)}</p></article></main>"
    )
    crumbs = [(t(spec, "home"), "/"), (t(spec, "blog"), "/blog/"), (post.title, "")]
    return layout(spec, base, post.title, body, canonical=post.path, description=post.title, crumbs=crumbs)
