"""What a demo site answers: the `Reply` record and conditional-request handling (ETag, Last-Modified)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer. Pages that are a pure function of (shop, day) carry a validator pair.

    `delay` asks the server to wait before answering (slow endpoints, without blocking others);
    `stream` replaces `body` for responses generated as they are sent (their `length` is known).
    """

    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    etag: str | None = None
    last_modified: str | None = None  # an HTTP date
    delay: float = 0.0
    stream: Iterator[bytes] | None = field(default=None, compare=False)
    length: int | None = None

    @property
    def reason(self) -> str:
        return REASONS.get(self.status, "Unknown")


def page(
    body: bytes | str, *, modified: date | None = None, content_type: str = HTML, status: int = 200
) -> Reply:
    """A cacheable page: strong ETag from its bytes, Last-Modified from the simulated date."""
    data = body.encode() if isinstance(body, str) else body
    etag = '"' + hashlib.blake2b(data, digest_size=10).hexdigest() + '"'
    lm = http_date(modified) if modified else None
    return Reply(status, data, content_type, etag=etag, last_modified=lm)


def http_date(day: date) -> str:
    return format_datetime(datetime.combine(day, time(6, 0), tzinfo=UTC), usegmt=True)


def not_modified(reply: Reply, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110: If-None-Match wins when present; otherwise If-Modified-Since against Last-Modified."""
    if reply.status != 200 or reply.stream is not None:
        return False
    if if_none_match is not None:
        if reply.etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or reply.etag in tags
    if if_modified_since and reply.last_modified:
        try:
            return parsedate_to_datetime(reply.last_modified) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


def as_304(reply: Reply) -> Reply:
    return replace(reply, status=304, body=b"")
