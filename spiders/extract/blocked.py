"""Recognise pages that are not the page we asked for: captchas, bot walls, login walls.

Pure: text in, reason out. Such pages are failed observations, never "price gone" or "all items removed".
"""

from __future__ import annotations

import re

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
_PASSWORD_FIELD = re.compile(rb"<input[^>]+type=[\"']?password", re.I)


def page_title(head: bytes) -> str:
    match = _TITLE.search(head)
    if not match:
        return ""
    return re.sub(r"\s+", " ", match.group(1).decode("utf-8", "replace")).strip()


def block_reason_from_title(body: bytes) -> str | None:
    """A strong signal: the page's title says it is a challenge page."""
    title = page_title(body[:200_000])
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
