"""Selecting the watched parts of a response: CSS and XPath on HTML and on XML (RSS, Atom, any
namespaced XML), JSONPath and jq on JSON. Each selection is a list of items in document order;
the page filter renders them to text (`spiders.extract.page`).

XML: CSS selectors and XPath without prefixes see the document with its namespaces taken off
(``entry > title`` works on an Atom feed, ``//item/title`` on RSS 1.0), XPath with prefixes uses
the prefixes the document declares (``//dc:creator``, ``//media:title``). The XML parser never
resolves entities nor fetches anything. JSON: ``jsonpath`` follows jsonpath-ng's extended syntax
(``$.items[?(@.stock > 0)].name``), ``jq`` the jq language (``.items[] | .name``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import lxml.etree
import lxml.html
from cssselect import GenericTranslator, SelectorError

from spiders.extract.listing_html import decode_body
from spiders.extract.xpath import texts

Item = str | lxml.etree._Element


class SelectError(ValueError):
    """A selector that cannot be compiled or applied; the message says which and why."""


def css_html(root: lxml.html.HtmlElement, selector: str) -> list[Item]:
    try:
        return list(root.cssselect(selector))
    except (SelectorError, lxml.etree.XPathError, ValueError) as exc:
        raise SelectError(f"bad CSS selector {selector!r}: {exc}") from exc


def xpath_any(root: lxml.etree._Element, expression: str, namespaces: dict[str, str] | None = None) -> list[Item]:
    """Elements and strings an XPath selects (a number or boolean result becomes one string)."""
    try:
        found = root.xpath(expression, namespaces=namespaces or {})
    except lxml.etree.XPathError as exc:
        raise SelectError(f"bad XPath {expression!r}: {exc}") from exc
    if not isinstance(found, list):
        return [_number_text(found)]
    out: list[Item] = []
    for value in found:
        if isinstance(value, lxml.etree._Element):
            out.append(value)
        elif isinstance(value, str) and value.strip():
            out.append(str(value))
    return out


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_xml(body: bytes | str) -> lxml.etree._Element:
    """An XML document, recovering from small breaks; never resolving entities or fetching DTDs."""
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    data = body.encode("utf-8") if isinstance(body, str) else body
    root = lxml.etree.fromstring(data, parser=parser)
    if root is None:
        raise SelectError("the response is not readable XML")
    return root


def _without_namespaces(root: lxml.etree._Element) -> lxml.etree._Element:
    bare = copy.deepcopy(root)
    for el in bare.iter():
        if isinstance(el.tag, str):
            el.tag = lxml.etree.QName(el).localname
            for name in list(el.attrib):
                if isinstance(name, str) and name.startswith("{"):
                    el.attrib[lxml.etree.QName(name).localname] = el.attrib.pop(name)
    lxml.etree.cleanup_namespaces(bare)
    return bare


def _prefixes(root: lxml.etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            for prefix, uri in el.nsmap.items():
                if prefix and prefix not in found:
                    found[prefix] = uri
    return found


def select_xml(root: lxml.etree._Element, css: str | None, xpath: str | None) -> list[Item]:
    """What css and/or xpath select in an XML document (see the module docstring)."""
    picked: list[Item] = []
    bare: lxml.etree._Element | None = None
    if css:
        bare = _without_namespaces(root)
        try:
            expression = GenericTranslator().css_to_xpath(css)
        except SelectorError as exc:
            raise SelectError(f"bad CSS selector {css!r}: {exc}") from exc
        picked += xpath_any(bare, expression)
    if xpath:
        if ":" in xpath.replace("::", ""):
            picked += xpath_any(root, xpath, _prefixes(root))
        else:
            picked += xpath_any(bare if bare is not None else _without_namespaces(root), xpath)
    return picked


def xml_text(item: Item) -> str:
    """One selected XML node as a line of text: its text content, whitespace collapsed."""
    if isinstance(item, str):
        return " ".join(item.split())
    return " ".join(" ".join(texts(item)).split())


def load_json(body: bytes | str, content_type: str | None = None) -> Any:
    text = decode_body(body, content_type) if isinstance(body, bytes) else body
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SelectError(f"the response is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise SelectError("the response's JSON is nested too deep to read") from exc


def compile_jsonpath(expression: str):  # noqa: ANN201 - jsonpath-ng has no public type for it
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext.parser import parse

    try:
        return parse(expression)
    except (JsonPathLexerError, JsonPathParserError, ValueError, TypeError) as exc:
        raise SelectError(f"bad JSONPath {expression!r}: {exc}") from exc


def compile_jq(expression: str):  # noqa: ANN201 - jq's compiled program type
    try:
        import jq
    except ImportError as exc:  # pragma: no cover - jq is a declared dependency
        raise SelectError("jq filters need the 'jq' package") from exc
    try:
        return jq.compile(expression)
    except ValueError as exc:
        raise SelectError(f"bad jq program {expression!r}: {exc}") from exc


def select_json(data: Any, jsonpath: str | None, jq_program: str | None) -> list[Any]:
    """The values a JSONPath and/or a jq program select, in order."""
    values: list[Any] = []
    if jsonpath:
        values += [match.value for match in compile_jsonpath(jsonpath).find(data)]
    if jq_program:
        try:
            values += compile_jq(jq_program).input_value(data).all()
        except ValueError as exc:
            raise SelectError(f"jq program {jq_program!r} failed on this response: {exc}") from exc
    return values


def json_text(value: Any) -> str:
    """A selected JSON value as text: strings as they are, other values as sorted, indented JSON."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
