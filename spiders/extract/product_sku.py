"""SKU candidates from the visible page: labelled codes ("Art.-Nr. 12345", "Product code: 46286401"),
sku-named elements, and a long numeric id in the page URL as the last resort.

Nothing here knows any one shop: the label words are the ones shops use in many languages.
"""

from __future__ import annotations

import re

from lxml import etree

from spiders.extract.product_candidates import Candidates
from spiders.extract.product_dom import SCAN_TAGS, bad_context, visible_text
from spiders.extract.xpath import texts

_SKU_WORDS = (
    r"(?:\bsku|art(?:ikel)?\.?[-\s]?n(?:r|o|um(?:mer|ber)?)\.?|artikelnummer|bestellnummer|best\.-nr\.?|"
    r"item\s*(?:number|no\.?|#|id)|product\s*(?:code|number|no\.?|id)|model\s*(?:number|no\.?)|web\s*code|"
    r"cat(?:alogue)?\.?\s*(?:no|number)\.?|r[ée]f[ée]rence|\bref\.|c[óo]digo|\bcod\.|codice(?:\s+articolo)?|"
    r"kód(?:\s+produktu)?|šifra|numer\s+katalogowy|kod\s+produktu|артикул|код\s+товара|货号|商品编号|商品編號|"
    r"型号|\bASIN|post\s+id|varenummer|artikelnr|tuotenumero|ürün\s+kodu)"
)
# The code itself: 3 to 31 characters with at least one digit ("B07C8KMQQ6", "466/7999", "VE900").
_SKU_LABEL = re.compile(_SKU_WORDS + r"\s*[:#.]?\s*(?=[A-Z./_-]*\d)([A-Z0-9][A-Z0-9./_-]{2,30})\b", re.I)
# Literal beginnings of the label words, to find where a label may start without the full pattern.
_SKU_HINT = re.compile(
    r"sku|art|best|item|product|model|cat|r[eé]f|c[oó]d|kód|šifra|numer|kod|артикул|код|货号|商品|型号|"
    r"asin|post|varenummer|tuotenumero|ürün|web",
)
# Labels of the maker's code rather than the shop's: read only when no shop code is labelled.
_MODEL_LABEL = re.compile(r"model|型号|mpn", re.I)
_SKU_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{2,30}")
SKU_ATTR = re.compile(
    r"sku|product[-_]?(?:code|id|ref|number)|reference|item[-_]?(?:number|id)|art(?:icle)?[-_]?n|"
    r"cat(?:alog(?:ue)?)?[-_]?(?:no|num)",  # a catalogue number ("catNumber") is the shop's product code
    re.I,
)
# "<label>: <code>" in an element whose name already says it holds the code ("Tootekood: 763127"):
# the label may be in a language the label words lack; the code is what follows the colon.
_NAMED_VALUE = re.compile(r"^[^\d:#]{2,30}[:#]\s*(?=[A-Z./_-]*\d)([A-Z0-9][A-Z0-9./_-]{2,30})$", re.I)

_URL_ID = re.compile(
    r"(?:[?&](?:sku|pid|id|item|itemid|product_?id|products_id)=|/|-|_|\b[a-z])(\d{6,14})(?=[/?&#._-]|$)",
    re.I,
)


def sku_from_url(url: str) -> str | None:
    """A long numeric product id in the page URL ("/deal/4548094738", "?pid=260591"), the last one."""
    matches = _URL_ID.findall(url.split("#", 1)[0])
    return matches[-1] if matches else None


def add_sku(cands: Candidates, doc: etree._Element, sku_els: list[etree._Element], memo: dict) -> None:
    for el in sku_els[:200]:
        if el.tag in ("script", "img", "a", "form", "meta", "link") or bad_context(el, memo, 8):
            continue
        text = visible_text(el, 80)
        match = _SKU_LABEL.search(text)
        if match:
            cands.add(
                "sku", match.group(1).rstrip("."), "heuristic", detail=f"labelled code in {text[:40]!r}"
            )
            return
        if 3 <= len(text) <= 30 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9./_-]*\d[A-Za-z0-9./_-]*", text):
            cands.add("sku", text, "heuristic", bonus=-0.5, detail="sku-named element")
            return
        named = _NAMED_VALUE.match(text)
        if named:
            cands.add("sku", named.group(1), "heuristic", bonus=-0.5, detail=f"code after a label in {text[:40]!r}")
            return
    # Labels in plain text ("Bestellnummer: 106606", "<b>SKU:</b> 9470") outside any sku-named
    # element, looked for when the structured data gave no SKU or only codes the page never shows
    # (an internal id beside "Product code: 287807"; `prefer_shown_sku` then settles it). The
    # visible text is joined once; a cheap literal scan finds where a label may start and the full
    # pattern runs there only (running it over the whole text costs more than the rest of the
    # extraction).
    body = doc.find("body")
    if body is None:
        return
    joined = "\n".join([t for t in texts(body, *SCAN_TAGS) if len(t) <= 120])
    if any(_shown(str(c.value), joined) for c in cands.by_field["sku"]):
        return
    low = joined.lower()
    if len(low) != len(joined):
        return  # a few characters change length when lower-cased: offsets would not line up
    model: re.Match[str] | None = None
    for hint in _SKU_HINT.finditer(low):
        start = hint.start()
        if start and low[start - 1].isalpha():
            continue  # inside a word ("cart", "start")
        match = _SKU_LABEL.search(joined, max(0, start - 1), start + 160)
        if match is None or match.start() > start + 1:
            continue
        if match.start() > 0 and joined[match.start() - 1].isalpha():
            continue  # inside a word ("Part Number" is no "Art.-Nr.")
        if _MODEL_LABEL.match(match.group(0)):
            # A model number is the maker's code; the shop's own code, when also shown, is its SKU.
            model = model or match
            continue
        _add_labelled(cands, match)
        return
    if model is not None:
        _add_labelled(cands, model)


def _add_labelled(cands: Candidates, match: re.Match[str]) -> None:
    cands.add(
        "sku",
        match.group(1).rstrip("."),
        "heuristic",
        bonus=-0.5,  # 4.5: below a code in a sku-named element (5), above an unshown structured sku (10 - 6)
        detail=f"labelled code {' '.join(match.group(0).split())[:40]!r}",
    )


def _shown(value: str, visible: str) -> bool:
    """Whether a code appears in the visible text as a whole token."""
    return re.search(rf"(?<![\w/-]){re.escape(value)}(?![\w/-])", visible) is not None


_STRUCTURED = ("json-ld", "microdata", "rdfa", "opengraph", "shop-json")
_NOT_ALNUM = re.compile(r"[\W_]+")


def prefer_shown_sku(cands: Candidates, doc: etree._Element, penalty: float = 6.0) -> None:
    """A code the page shows its shoppers beats an id only its scripts and markup carry.

    Structured data often names an internal id (a variant id, a database key, an image id) as
    "sku" while the page shows the product code ("Product code: 46286401"). When a labelled or
    sku-named code is shown and a structured sku differs from it: the structured one written
    without separators ("4667999" for the shown "466/7999") loses to the shown spelling, and one
    that appears nowhere in the visible text loses to the shown code.
    """
    skus = cands.by_field["sku"]
    shown = [c for c in skus if c.source == "heuristic"]
    structured = [c for c in skus if c.source in _STRUCTURED]
    if not shown or not structured:
        return
    shown_values = {str(c.value) for c in shown}
    conflicts = [c for c in structured if str(c.value) not in shown_values]
    if not conflicts:
        return
    visible: str | None = None
    for cand in conflicts:
        value = str(cand.value)
        same = [h for h in shown if _NOT_ALNUM.sub("", str(h.value)) == _NOT_ALNUM.sub("", value)]
        if same:
            cand.score -= penalty
            cand.detail = (cand.detail + ", " if cand.detail else "") + f"shown as {same[0].value!r}"
            continue
        if visible is None:
            body = doc.find("body")
            visible = " ".join(texts(body, *SCAN_TAGS)) if body is not None else ""
        if not _shown(value, visible):
            cand.score -= penalty
            cand.detail = (cand.detail + ", " if cand.detail else "") + "not shown on the page"
