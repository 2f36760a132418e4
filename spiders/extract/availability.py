"""Stock state in schema.org terms, from structured values and from visible text in many languages.

Structured data says "http://schema.org/InStock", "instock", "in_stock", true, "NOT SOLD"...;
pages say "Add to cart", "加入购物车", "In den Warenkorb", "Sold out", "缺货", "Ausverkauft". Both are
mapped to InStock, OutOfStock, PreOrder, BackOrder or Discontinued.
"""

from __future__ import annotations

import re

TERMS = ("InStock", "OutOfStock", "PreOrder", "BackOrder", "Discontinued")

_STRUCTURED = {
    "instock": "InStock",
    "in_stock": "InStock",
    "in stock": "InStock",
    "available": "InStock",
    "limitedavailability": "InStock",
    "onlineonly": "InStock",
    "instoreonly": "InStock",
    "true": "InStock",
    "yes": "InStock",
    "1": "InStock",
    "outofstock": "OutOfStock",
    "out_of_stock": "OutOfStock",
    "out of stock": "OutOfStock",
    "soldout": "OutOfStock",
    "sold_out": "OutOfStock",
    "sold out": "OutOfStock",
    "unavailable": "OutOfStock",
    "not available": "OutOfStock",
    "false": "OutOfStock",
    "no": "OutOfStock",
    "0": "OutOfStock",
    "oos": "OutOfStock",
    "preorder": "PreOrder",
    "pre_order": "PreOrder",
    "presale": "PreOrder",
    "pre-order": "PreOrder",
    "backorder": "BackOrder",
    "back_order": "BackOrder",
    "discontinued": "Discontinued",
    "notsold": "InStock",
    "not sold": "InStock",
}

# Visible phrases, most specific first within each group; matched case-insensitively on short texts.
_OUT_PHRASES = (
    "out of stock",
    "sold out",
    "currently unavailable",
    "temporarily unavailable",
    "no longer available",
    "not available",
    "unavailable",
    "notify me when available",
    "email me when available",
    "ausverkauft",
    "nicht vorrätig",
    "nicht verfügbar",
    "derzeit nicht",
    "nicht lieferbar",
    "vergriffen",
    "momentan nicht",
    "zurzeit nicht",
    "rupture de stock",
    "épuisé",
    "indisponible",
    "non disponible",
    "agotado",
    "sin stock",
    "no disponible",
    "esgotado",
    "indisponível",
    "esaurito",
    "non disponibile",
    "niet op voorraad",
    "uitverkocht",
    "brak w magazynie",
    "niedostępny",
    "wyprzedany",
    "nedostupné",
    "vypredané",
    "не в наличии",
    "нет в наличии",
    "распродано",
    "缺货",
    "缺貨",
    "售罄",
    "已售完",
    "已售罄",
    "无货",
    "無貨",
    "暂时缺货",
    "到货通知",
    "品切れ",
    "在庫切れ",
    "売り切れ",
    "품절",
    "slutsåld",
    "udsolgt",
    "utsolgt",
    "loppuunmyyty",
    "tükendi",
    "stokta yok",
)
_PREORDER_PHRASES = (
    "pre-order",
    "preorder",
    "pre order",
    "vorbestellen",
    "précommander",
    "reservar",
    "预购",
    "予約",
)
_BACKORDER_PHRASES = ("backorder", "back-order", "back order")
_IN_PHRASES = (
    "add to cart",
    "add to basket",
    "add to bag",
    "add to trolley",
    "buy now",
    "buy it now",
    "in stock",
    "available",
    "place bid",
    "in den warenkorb",
    "in den einkaufswagen",
    "jetzt kaufen",
    "auf lager",
    "sofort lieferbar",
    "lieferbar",
    "vorrätig",
    "ajouter au panier",
    "en stock",
    "acheter",
    "añadir al carrito",
    "agregar al carrito",
    "comprar",
    "disponible",
    "aggiungi al carrello",
    "disponibile",
    "adicionar ao carrinho",
    "em estoque",
    "in winkelwagen",
    "op voorraad",
    "do koszyka",
    "dodaj do koszyka",
    "dostępny",
    "do košíka",
    "vložiť do košíka",
    "na sklade",
    "skladem",
    "в корзину",
    "в наличии",
    "купить",
    "加入购物车",
    "加入購物車",
    "立即购买",
    "立即購買",
    "有货",
    "有貨",
    "现货",
    "現貨",
    "立即搶購",
    "馬上搶購",
    "加入購物籃",
    "カートに入れる",
    "在庫あり",
    "장바구니",
    "구매하기",
    "lägg i varukorg",
    "i lager",
    "læg i kurv",
    "på lager",
    "lisää ostoskoriin",
    "sepete ekle",
    "stokta",
    "u košaricu",
    "dodaj u košaricu",
    "v košarico",
    "na zalogi",
    "dodaj v košarico",
    "kosárba",
    "in de winkelmand",
    "kup teraz",
    "ostukorvi",
    "coşul",
    "adaugă în coș",
    "adauga in cos",
)


def normalize_availability(value: object) -> str | None:
    """schema.org term for a structured availability value (URL, token, boolean), or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "InStock" if value else "OutOfStock"
    if isinstance(value, list):
        terms = [normalize_availability(v) for v in value]
        return next((t for t in terms if t), None)
    text = str(value).strip()
    if not text:
        return None
    token = re.sub(r"^https?://schema\.org/", "", text, flags=re.IGNORECASE).strip().lower()
    if token in _STRUCTURED:
        return _STRUCTURED[token]
    for term in TERMS:
        if token.replace(" ", "").replace("_", "") == term.lower():
            return term
    return availability_from_text(text)


def availability_from_text(text: str | None) -> str | None:
    """schema.org term stated by a short visible text ("Sold out", "In den Warenkorb"), or None."""
    if not text:
        return None
    low = " ".join(text.lower().split())
    if len(low) > 200:
        return None
    for phrase in _OUT_PHRASES:
        if phrase in low:
            return "OutOfStock"
    for phrase in _PREORDER_PHRASES:
        if phrase in low:
            return "PreOrder"
    for phrase in _BACKORDER_PHRASES:
        if phrase in low:
            return "BackOrder"
    for phrase in _IN_PHRASES:
        if phrase in low:
            return "InStock"
    return None
