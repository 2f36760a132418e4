"""What an XPath selects, typed.

lxml types every XPath result as one union (boolean, number, string, or a list of elements,
strings and namespace pairs) because the kind depends on the expression. Ours select node sets;
these helpers narrow such a result once, to what the caller reads: its elements, its strings, or
both in document order. A number, boolean or string result (``count(...)``, ``string(...)``) is
not a node set and gives an empty list.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

Node = etree._Element | str


def nodes(result: object) -> list[Node]:
    """The elements and strings (text, attribute values) of a node-set result, in document order."""
    if not isinstance(result, list):
        return []
    return [item for item in result if isinstance(item, etree._Element | str)]


def elements(result: object) -> list[etree._Element]:
    """The elements of a node-set result, in document order."""
    if not isinstance(result, list):
        return []
    return [item for item in result if isinstance(item, etree._Element)]


def strings(result: object) -> list[str]:
    """The strings (text nodes, attribute values) of a node-set result, in document order."""
    if not isinstance(result, list):
        return []
    return [item for item in result if isinstance(item, str)]


def texts(el: etree._Element, *tags: str) -> Iterator[str]:
    """``el.itertext(*tags)``: the text nodes under `el` (within `tags` when given)."""
    # lxml-stubs 0.5 types itertext as str | bytes; lxml yields str on Python 3.
    return el.itertext(*tags)  # pyright: ignore[reportReturnType]
