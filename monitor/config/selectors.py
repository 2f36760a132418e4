"""Checks that turn a bad URL, CSS selector, XPath or text rule into a config error.

They call the same libraries the crawl uses (cssselect through lxml, lxml's XPath,
`spiders.extract.page.compile_rule`), so a watch that loads is a watch whose selectors run.
Selectors the browser applies (`wait_for`, page actions, `load_more`) go to Chromium's
`querySelectorAll`, which knows standard CSS only: cssselect's own extensions (`:contains()`, `!=`)
would make the step wait in vain, so they are refused there (`check_browser_css`).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

# lxml, cssselect and the extractors load with the first selector checked: a watchlist without
# selectors (`run` with nothing due, `status`) never pays for them.


def check_http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"only http and https URLs can be watched, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    return url.strip()


def check_css(selector: str) -> str:
    """A CSS selector lxml can apply, or ValueError with cssselect's reason."""
    from cssselect import GenericTranslator
    from cssselect.parser import SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from None
    return selector


def _parsed_nodes(value: object) -> Iterator[object]:
    """Every node of a cssselect parse tree (selectors, functions, attributes...), depth first."""
    from cssselect.parser import Token

    if isinstance(value, Token):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _parsed_nodes(item)
    elif type(value).__module__ == "cssselect.parser" and hasattr(value, "__dict__"):
        yield value
        for item in vars(value).values():
            yield from _parsed_nodes(item)


def check_browser_css(selector: str) -> str:
    """A CSS selector Chromium can run: valid for cssselect, and without cssselect's extensions."""
    from cssselect.parser import parse

    check_css(selector)
    for node in _parsed_nodes(parse(selector)):
        kind = type(node).__name__
        if kind == "Function" and getattr(node, "name", "") == "contains":
            raise ValueError(f"bad CSS selector {selector!r}: :contains() is not CSS, the browser rejects it")
        if kind == "Attrib" and getattr(node, "operator", "") == "!=":
            raise ValueError(f"bad CSS selector {selector!r}: != is not CSS (use :not([attr=value]))")
    return selector


def check_xpath(expression: str) -> str:
    import lxml.etree

    try:
        lxml.etree.XPath(expression)
    except lxml.etree.XPathSyntaxError as exc:
        raise ValueError(f"bad XPath {expression!r}: {exc}") from None
    return expression


def check_rule(rule: str) -> str:
    """A text-or-/regex/ rule (ignore, trigger, include, exclude) that compiles."""
    if not rule.strip():
        raise ValueError("an empty rule matches everything; remove it")
    from spiders.extract.page_filter import FilterError, compile_rule

    try:
        compile_rule(rule)
    except FilterError as exc:
        raise ValueError(str(exc)) from None
    return rule


def check_css_or_xpath(selector: str) -> str:
    """A product field selector: CSS, or XPath when it starts with `/` (as the extractor reads it)."""
    from spiders.extract.product_selectors import SelectorSyntaxError, compile_selector

    try:
        compile_selector(selector)
    except SelectorSyntaxError as exc:
        raise ValueError(str(exc)) from None
    return selector
