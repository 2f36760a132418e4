"""Reading a listing across its pages: which page comes next, when to stop, what a bad page is. Pure.

The spider asks three questions after every page, and this module answers them:
- is this page a listing at all (`page_problem`: an error, a block or login wall, an empty body)?
- what cards does it hold (`read_page`: the watch's selectors, else automatic detection, else the
  card pattern learnt on the first page, because a last page with a single card has no repetition
  for the detector to see)?
- where next (`next_page`): the next link, or the page parameter plus one, until `max_pages`, a page
  that adds nothing new, or a page that says it has no results.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from spiders.extract.blocked import block_reason_when_empty, home_redirect_reason, not_the_page_reason
from spiders.extract.listing import ListingPage, ListingSelectors, extract_listing
from spiders.extract.listing_detect import detect_cards
from spiders.extract.listing_html import drop_invisible, parse_html
from spiders.extract.listing_pages import find_no_results_message
from spiders.fetch import FetchedPage

HTML_TYPES = ("text/html", "application/xhtml", "text/plain")


def page_problem(page: FetchedPage) -> str | None:
    """Why this response cannot be read as a listing page, or None when it can."""
    if page.error:
        return page.error
    status = page.status or 0
    if status >= 400:
        return f"HTTP {status}"
    body = page.body or b""
    if not body.strip():
        return "empty page (200 with no content)"
    ctype = (page.content_type or "").split(";")[0].strip().lower()
    if ctype and not ctype.startswith(HTML_TYPES):
        return f"not an HTML page ({ctype})"
    return home_redirect_reason(page.job.url, page.url) or not_the_page_reason(body)


def empty_page_reason(page: FetchedPage, listing: ListingPage) -> str:
    """Why a page that loaded shows no cards: a captcha or login wall, else a layout we cannot read."""
    blocked = block_reason_when_empty(page.body or b"")
    if blocked:
        return blocked
    if listing.reason == "no_results":
        return "the listing says it has no results"
    return "no product cards found on the page (layout changed? configure listing selectors)"


def empty_page_blocked(page: FetchedPage) -> bool:
    """A page without cards that is a captcha or login wall (not just the end of a listing)."""
    return block_reason_when_empty(page.body or b"") is not None


def read_page(
    page: FetchedPage, selectors: ListingSelectors | None, learned: ListingSelectors | None = None
) -> ListingPage:
    """The cards of one page: configured selectors, else detection, else the learnt card pattern."""
    listing = extract_listing(page.body, page.url, selectors)
    if listing.reason != "no_cards":
        return listing
    if selectors is None and learned is not None:
        retry = extract_listing(page.body, page.url, learned)
        if retry.items:
            return ListingPage(listing.url, retry.items, listing.next_page_url, None)
    if says_no_results(page.body):
        return ListingPage(listing.url, [], None, "no_results")
    return listing


def says_no_results(body: bytes) -> bool:
    """The no-results check on the page's text with every element kept apart.

    lxml's text_content() glues neighbouring elements ("0 products" + "Most popular" reads
    "0 productsMost popular"), which hides a count of zero from a word-boundary match.
    """
    root = parse_html(body)
    drop_invisible(root)
    for el in root.iter():
        el.tail = " " + (el.tail or "")
    return find_no_results_message(root) is not None


def learn_card_selector(body: bytes, url: str) -> ListingSelectors | None:
    """A CSS selector for the cards the detector found on this page: their shared tag and classes.

    Pages of one listing are built from one template, so later pages can be read with it even when
    they hold too few cards for detection. None when the cards share no class.
    """
    root = parse_html(body)
    drop_invisible(root)
    cards = detect_cards(root, url)
    if len(cards) < 2:
        return None
    tags = {c.element.tag for c in cards}
    if len(tags) != 1:
        return None
    shared = set.intersection(*({*(c.element.get("class") or "").split()} for c in cards))
    if not shared:
        return None
    selector = tags.pop() + "".join(f".{cls}" for cls in sorted(shared) if _plain_class(cls))
    if "." not in selector:
        return None
    # Only a selector that picks exactly these cards on the page it was learnt from is trusted.
    if len(root.cssselect(selector)) != len(cards):
        return None
    return ListingSelectors(card=selector)


def _plain_class(name: str) -> bool:
    return bool(name) and all(ch.isalnum() or ch in "-_" for ch in name) and not name[0].isdigit()


def with_page_param(url: str, param: str, number: int) -> str:
    """`url` with its page parameter set to `number` (added when absent)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, str(number)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def next_page(
    pagination: str,
    page_param: str,
    max_pages: int,
    read: list[ListingPage],
    visited: set[str],
) -> tuple[str | None, str]:
    """(the next URL to read, or None and why the listing ends) after the pages `read` so far."""
    last = read[-1]
    if last.reason == "no_results":
        # Page 1 saying so is an empty listing; a later page saying so is just the end of it.
        return None, "no_results" if len(read) == 1 else "last_page"
    if len(read) >= max_pages:
        return None, "max_pages"
    if pagination == "none":
        return None, "last_page"
    if pagination == "page_param":
        seen = {item.key for page in read[:-1] for item in page.items}
        if not last.items or all(item.key in seen for item in last.items):
            return None, "repeated" if last.items else "last_page"
        url = with_page_param(read[0].url, page_param, len(read) + 1)
    else:
        url = last.next_page_url
        if not url:
            return None, "last_page"
    if url in visited:
        return None, "repeated"
    return url, ""
