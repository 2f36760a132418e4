"""Recognise pages that are not the page we asked for: captchas, bot walls, login walls.

Pure: text in, reason out. Such pages are failed observations, never "price gone" or "all items removed".
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

TITLE_BYTES = 200_000  # where a challenge page's title is looked for
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
# Titles of challenge pages from the common bot-protection vendors and shops' own robot checks.
_BLOCK_TITLES = re.compile(
    r"captcha|robot check|are you a (?:human|robot)|just a moment|attention required|access denied|"
    r"security check|verify you are human|bot verification|pardon our interruption|request blocked|"
    r"验证码|安全验证|人机验证|访问受限|请稍候",
    re.I,
)
_CAPTCHA_MARKERS = re.compile(
    rb"g-recaptcha|h-captcha|hcaptcha\.com|cf-challenge|cf_chl_|challenge-platform|/captcha|captcha-|"
    rb"name=\"?captcha|id=\"?captcha|geetest|slide to verify|unusual traffic",
    re.I,
)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
# What a "soft 404" says in its title or its main heading, in the languages shops are written in:
# an HTTP 200 whose page is an error page (often with a grid of recommended products under it).
_NOT_FOUND = re.compile(
    r"^\s*(?:error\s*)?404\b|\b404\s*(?:error|not found)|\berror 404\b|"
    r"\b(?:page|product|item|article|site|url)\s+(?:was\s+|could\s+not\s+be\s+|cannot\s+be\s+)?not\s+found|"
    r"^\s*not\s+found\s*$|\bpage (?:you(?:'re| are) looking for|you requested|does not exist|doesn't exist)|"
    r"\b(?:page|product|item) (?:is )?no longer (?:available|exists)|\bwe can(?:'|no)t find (?:the|that) page|"
    r"\boops\b.*\b(?:not|n't) (?:be )?found|"
    r"seite (?:wurde )?nicht gefunden|artikel (?:wurde )?nicht gefunden|página no encontrada|"
    r"page (?:non trouvée|introuvable)|pagina non trovata|pagina niet gevonden|página não encontrada|"
    r"nie znaleziono strony|sidan (?:kunde inte hittas|hittades inte)|ページが見つかりません|页面不存在|找不到页面",
    re.I,
)
_MAINTENANCE = re.compile(
    r"\b(?:down for|under|scheduled|undergoing) maintenance\b|\bmaintenance mode\b|\bbe right back\b|"
    r"\bservice (?:temporarily )?unavailable\b|\btemporarily (?:unavailable|closed|offline)\b|"
    r"wartungsarbeiten|\bwartungsmodus\b|en maintenance|en mantenimiento|in manutenzione|in onderhoud",
    re.I,
)
# A consent wall's title (the page is only the question; cookie banners over a page keep its title).
_CONSENT = re.compile(
    r"before you continue|cookie (?:consent|settings|preferences)|your privacy (?:choices|settings)|"
    r"we value your privacy|privacy (?:consent|preferences)|consent required|"
    r"bevor sie fortfahren|avant de continuer|antes de continuar|prima di continuare",
    re.I,
)
_PASSWORD_FIELD = re.compile(rb"<input[^>]+type=[\"']?password", re.I)


def page_title(head: bytes) -> str:
    match = _TITLE.search(head)
    if not match:
        return ""
    return re.sub(r"\s+", " ", match.group(1).decode("utf-8", "replace")).strip()


def block_reason_from_title(body: bytes) -> str | None:
    """A strong signal: the page's title says it is a challenge page."""
    return _challenge(page_title(body[:TITLE_BYTES]))


def _challenge(title: str) -> str | None:
    if title and _BLOCK_TITLES.search(title):
        return f"blocked: challenge page ({title[:80]!r})"
    return None


def block_reason_when_empty(body: bytes) -> str | None:
    """A weaker signal, used only when nothing could be extracted: a captcha form or a login wall."""
    head = body[:500_000]
    if _CAPTCHA_MARKERS.search(head):
        return "blocked: captcha page"
    if _PASSWORD_FIELD.search(head):
        return "blocked: login wall (the page asks for a password)"
    return None


def main_heading(head: bytes) -> str:
    match = _H1.search(head)
    if not match:
        return ""
    text = _TAGS.sub(" ", match.group(1).decode("utf-8", "replace"))
    return re.sub(r"\s+", " ", text).strip()


def _said(pattern: re.Pattern[str], title: str, heading: str) -> str | None:
    """Where the page's title, else its main heading, says what `pattern` matches: "title 'Not
    found'" (a short text only: a long one is the page's own prose, not what it is)."""
    for where, text in (("title", title), ("heading", heading)):
        if text and len(text) <= 200 and pattern.search(text):
            return f"{where} {text[:80]!r}"
    return None


def _not_found(title: str, heading: str) -> str | None:
    """A soft 404: an HTTP 200 whose title or main heading says the page is not there."""
    said = _said(_NOT_FOUND, title, heading)
    return f"the page says it is not there (soft 404, {said})" if said else None


def _unavailable(title: str, heading: str) -> str | None:
    """A maintenance page, or a consent wall in place of the page (title, or heading for maintenance)."""
    said = _said(_MAINTENANCE, title, heading)
    if said:
        return f"the site is down for maintenance ({said}); tried again later"
    if title and len(title) <= 200 and _CONSENT.search(title):
        return f"a consent wall instead of the page (title {title[:80]!r}); set cookies or render: browser with actions"
    return None


def not_the_page_reason(body: bytes) -> str | None:
    """Strong signals that a 200 is not the page asked for: a challenge page, a soft 404, a
    maintenance page, a consent wall. The title and the heading are read once for all of them
    (this runs on every page a crawl fetches)."""
    head = body[:500_000]
    title = page_title(head)
    blocked = _challenge(title if len(body) <= TITLE_BYTES else page_title(body[:TITLE_BYTES]))
    if blocked:
        return blocked
    heading = main_heading(head)
    return _not_found(title, heading) or _unavailable(title, heading)


def home_redirect_reason(requested: str, final: str) -> str | None:
    """A page asked for by its own path that ended on the site's home page (a removed product or
    category redirected away): not the page, and not a change."""
    asked, got = urlsplit(requested), urlsplit(final)
    if got.path in ("", "/") and not got.query and asked.path not in ("", "/"):
        return f"redirected to the home page ({final[:120]}): the page may have been removed"
    return None


def unreadable_reason(body: bytes) -> str | None:
    """Why a page without a price may not be the page's layout at all: bytes that are not text,
    a UTF-16 body, or HTML cut off before its end."""
    head = body[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 4:
        return "the page is UTF-16 text (or binary): not readable as HTML"
    sample = body[:20_000]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls > len(sample) // 20:
        return "the page is garbage bytes, not text (a broken or compressed body?)"
    tail = body[-2048:].lower()
    if b"<html" in body[:4096].lower() and b"</html>" not in tail and b"</body>" not in tail:
        return "the page is cut off before its end (no </body> or </html>): truncated download?"
    return None
