"""Structured data of a parsed page: JSON-LD, microdata, meta tags, as plain JSON-LD-like dicts.

JSON-LD is parsed here rather than through extruct because real pages break it in many small ways
(HTML comments, trailing commas, raw newlines, several objects in one script) and one bad block
must not hide the others. Microdata goes through extruct's extractor on the already-parsed tree,
then is reshaped to the JSON-LD form ({"@type": ..., property: value}) so one reader serves both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from extruct.w3cmicrodata import LxmlMicrodataExtractor
from lxml import etree

_MICRODATA = LxmlMicrodataExtractor()
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# /* ... */ wrappers and // comment lines around the JSON (CDATA guards, commented-out fields)
_JS_COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*$", re.S | re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def json_ld_blocks(doc: etree._Element) -> list[Any]:
    """Every JSON-LD script of the page, parsed; blocks that stay unreadable after repair are skipped."""
    blocks: list[Any] = []
    for script in doc.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" not in kind:
            continue
        text = script.text or ""
        data = loads_lenient(text)
        if data is not None:
            blocks.append(data)
    return blocks


def loads_lenient(text: str) -> Any:
    """json.loads with the repairs real pages need; None when the text still is not JSON."""
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    fixed = _JS_COMMENT.sub("", text)
    fixed = fixed.replace("<!--", "").replace("-->", "").replace("<![CDATA[", "").replace("]]>", "")
    fixed = _CONTROL.sub(" ", fixed.strip().rstrip(";"))
    fixed = _TRAILING_COMMA.sub(r"\1", fixed)
    for candidate in (
        fixed,
        fixed.replace("\n", " ").replace("\r", " "),
        "[" + re.sub(r"}\s*{", "},{", fixed) + "]",
    ):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def microdata_items(doc: etree._Element, url: str) -> list[dict[str, Any]]:
    """Top-level microdata items of the page in JSON-LD shape; [] when the markup is unreadable."""
    try:
        items = _MICRODATA.extract_items(doc, url)
    except Exception:  # extruct raises on odd markup; microdata is one signal among several
        return []
    return [_reshape_microdata(item) for item in items]


def _reshape_microdata(item: Any) -> Any:
    if isinstance(item, list):
        return [_reshape_microdata(x) for x in item]
    if not isinstance(item, dict) or "properties" not in item:
        return item
    out: dict[str, Any] = {}
    types = item.get("type")
    if types:
        types = types if isinstance(types, list) else [types]
        out["@type"] = [t.rsplit("/", 1)[-1] for t in types]
        if len(out["@type"]) == 1:
            out["@type"] = out["@type"][0]
    for key, value in item["properties"].items():
        out[key] = _reshape_microdata(value)
    if item.get("value") is not None and "value" not in out:
        out["@value"] = item["value"]
    return out


def meta_tags(doc: etree._Element) -> dict[str, list[str]]:
    """Every <meta> content by lower-cased property/name/itemprop (og:*, product:*, twitter:*, price...)."""
    tags: dict[str, list[str]] = {}
    for meta in doc.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if key:
                tags.setdefault(key.strip().lower(), []).append(content.strip())
    return tags


def types_of(node: dict[str, Any]) -> set[str]:
    """The schema.org type names of a node, without vocabulary prefixes."""
    raw = node.get("@type") or node.get("type") or []
    raw = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in raw if t}


def walk_nodes(data: Any, parent_key: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """Every dict of a JSON-LD tree with the key it hangs under (to tell related products apart)."""
    stack: list[tuple[Any, str]] = [(data, parent_key)]
    while stack:
        node, key = stack.pop()
        if isinstance(node, dict):
            yield node, key
            for k, v in reversed(list(node.items())):
                if isinstance(v, dict | list):
                    stack.append((v, k))
        elif isinstance(node, list):
            for v in reversed(node):
                stack.append((v, key))
