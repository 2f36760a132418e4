"""Shop "delta": a single-page-app shop whose prices and listings exist only after JavaScript runs.

The HTML of a product or category page is a shell; inline script fetches JSON from /api/... and
renders the product (h1.pdp-name, .pdp-price, .pdp-stock, .pdp-sku) or the product grid, which
grows by infinite scroll. A crawler without a browser sees no price at all.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from monitor.demo import listings
from monitor.demo.catalogue import CATEGORIES, Catalogue
from monitor.demo.pages import category_label, layout, product_name, t
from monitor.demo.reply import Reply, page
from monitor.demo.shops import ShopSpec

JSON = "application/json"
PRODUCT_RE = re.compile(r"^/shop/product/(\d+)$")
API_PRODUCT_RE = re.compile(r"^/api/product/(\d+)$")

PRODUCT_JS = """
(function () {
  var app = document.getElementById('app');
  fetch('/api/product/' + app.dataset.product).then(function (r) { return r.json(); }).then(function (p) {
    app.innerHTML = '<h1 class="pdp-name"></h1><div class="pdp-pricing"><s class="pdp-was"></s>' +
      '<span class="pdp-price"></span></div><p class="pdp-stock"></p><p>SKU <span class="pdp-sku"></span></p>';
    app.querySelector('.pdp-name').textContent = p.name;
    app.querySelector('.pdp-price').textContent = p.price_text;
    app.querySelector('.pdp-was').textContent = p.on_sale ? p.list_price_text : '';
    app.querySelector('.pdp-stock').textContent = p.availability_text;
    app.querySelector('.pdp-sku').textContent = p.sku;
    app.setAttribute('data-ready', '1');
  });
})();
"""

LISTING_JS = """
(function () {
  var app = document.getElementById('app');
  var grid = document.createElement('ul'); grid.className = 'product-grid'; app.appendChild(grid);
  var more = document.createElement('p'); more.className = 'scroll-status'; more.textContent = 'Loading more...';
  app.appendChild(more);
  var offset = 0, loading = false, done = false;
  function load() {
    if (loading || done) return;
    loading = true;
    fetch('/api/products?category=' + app.dataset.category + '&offset=' + offset + '&limit=' + app.dataset.size)
      .then(function (r) { return r.json(); }).then(function (d) {
        d.items.forEach(function (it) {
          var li = document.createElement('li'); li.className = 'product-card';
          li.style.minHeight = '320px';
          li.innerHTML = '<a class="card-link"><h3 class="card-title"></h3></a><span class="price"></span>';
          li.querySelector('a').setAttribute('href', it.url);
          li.querySelector('.card-title').textContent = it.title;
          li.querySelector('.price').textContent = it.price_text;
          grid.appendChild(li);
        });
        offset = d.next_offset === null ? offset : d.next_offset;
        done = d.next_offset === null; loading = false;
        app.setAttribute('data-loaded', String(grid.children.length));
        if (done) { more.textContent = 'No more products'; app.setAttribute('data-complete', '1'); }
        else if (document.body.scrollHeight <= window.innerHeight) { load(); }
      });
  }
  window.addEventListener('scroll', function () {
    if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 400) load();
  });
  load();
})();
"""


def route(catalogue: Catalogue, spec: ShopSpec, base: str, day: int, path: str, target: str) -> Reply | None:
    """Delta's own routes (shells and JSON API), or None to fall through to the common ones."""
    m = PRODUCT_RE.match(path)
    if m:
        product = _live_product(catalogue, spec, day, int(m[1]))
        if product is None:
            return None
        name = product_name(spec, product)
        body = (
            f'<main class="pdp"><div id="app" data-product="{product.num}"><div class="skeleton">Loading...</div></div>'
            f"<script>{PRODUCT_JS}</script></main>"
        )
        crumbs = [
            (t(spec, "home"), "/"),
            (category_label(spec, product.category), f"/category/{product.category}"),
        ]
        return page(layout(spec, base, name, body, canonical=path, crumbs=crumbs), modified=catalogue.date(0))
    m = API_PRODUCT_RE.match(path)
    if m:
        product = _live_product(catalogue, spec, day, int(m[1]))
        if product is None:
            return Reply(404, b'{"error": "not found"}', JSON)
        o = catalogue.shop_day(spec.name, day).offers[product.id]
        data = {
            "id": product.id,
            "name": product_name(spec, product),
            "sku": catalogue.sku(spec.name, product),
            "price": str(o.price),
            "price_text": spec.format_price(o.price),
            "list_price_text": spec.format_price(o.list_price),
            "on_sale": o.on_sale,
            "currency": spec.currency,
            "availability": o.availability,
            "availability_text": spec.availability_text(o.availability),
        }
        return page(json.dumps(data).encode(), content_type=JSON, modified=catalogue.date(o.changed_day))
    if path.startswith("/category/"):
        category = path.removeprefix("/category/").strip("/")
        if category not in CATEGORIES:
            return None
        heading = category_label(spec, category)
        body = (
            f'<main class="listing"><h1>{heading}</h1><div id="app" data-category="{category}" '
            f'data-size="{listings.page_size(catalogue)}"></div><script>{LISTING_JS}</script></main>'
        )
        return page(layout(spec, base, heading, body, canonical=path), modified=catalogue.date(0))
    if path == "/api/products":
        query = parse_qs(urlsplit(target).query)
        category = (query.get("category") or [""])[0]
        try:
            offset = int((query.get("offset") or ["0"])[0])
            limit = min(100, int((query.get("limit") or ["12"])[0]))
        except ValueError:
            return Reply(400, b'{"error": "bad offset or limit"}', JSON)
        items = listings.category_items(catalogue, spec.name, category, day)
        chunk = items[offset : offset + limit]
        nxt = offset + limit if offset + limit < len(items) else None
        data = {
            "total": len(items),
            "next_offset": nxt,
            "items": [
                {
                    "position": i.position,
                    "url": base + i.path,
                    "title": i.title,
                    "price": str(i.price),
                    "price_text": spec.format_price(i.price),
                }
                for i in chunk
            ],
        }
        return page(json.dumps(data, ensure_ascii=False).encode(), content_type=JSON, modified=catalogue.date(day))
    return None


def _live_product(catalogue: Catalogue, spec: ShopSpec, day: int, num: int):
    product = catalogue.product_by_num(num)
    if product is None:
        return None
    offer = catalogue.shop_day(spec.name, day).offers.get(product.id)
    return product if offer is not None and offer.exists else None
