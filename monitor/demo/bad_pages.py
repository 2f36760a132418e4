"""The bad inputs a demo shop serves under /bad/..., for tests of failure handling.

Each is what real sites send when things go wrong: an error page, a captcha or block wall with
status 200, a login wall, a huge page, an image or JSON where HTML was expected, a page whose
bytes contradict its declared charset, an empty 200.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator

CAPTCHA_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Access denied</title>
<meta name="robots" content="noindex, nofollow"></head>
<body class="challenge">
<div class="challenge-box">
<h1>Pardon our interruption</h1>
<p>As you were browsing, something about your browser made us think you were a bot.</p>
<p>To regain access, please make sure that cookies and JavaScript are enabled and complete the check below.</p>
<form id="challenge-form" action="/bad/captcha/verify" method="post">
<div class="g-recaptcha" data-sitekey="6LdemoDEMOdemoDEMOdemoDEMOdemoDEMOdemo00"></div>
<input type="hidden" name="challenge" value="c7f3a1">
<button type="submit">I am not a robot</button>
</form>
<p class="ref">Reference ID: 8a2f-demo-4471 &middot; Your IP has been logged.</p>
</div>
<script src="https://www.google.com/recaptcha/api.js" async defer></script>
</body></html>
"""

LOGIN_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to continue</title></head>
<body class="login-wall">
<header><a class="logo" href="/">Members Only Wholesale</a></header>
<main>
<h1>Sign in to see prices</h1>
<p>Prices and stock are only visible to registered trade customers.</p>
<form class="login-form" action="/account/login" method="post">
<label>Email <input type="email" name="email" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
<p><a href="/account/register">Create a trade account</a></p>
</main></body></html>
"""

ERROR_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{code} {reason}</title></head>
<body><h1>{code} {reason}</h1><p>The server encountered a problem. Please try again later.</p></body></html>
"""


def error_page(code: int, reason: str) -> bytes:
    return ERROR_HTML.format(code=code, reason=reason).encode()


def tiny_png() -> bytes:
    """A valid 2x2 PNG, built by hand so no imaging library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def json_body() -> bytes:
    return json.dumps(
        {"status": "ok", "products": [{"id": 1, "name": "Demo", "price": "19.99", "currency": "USD"}]}
    ).encode()


def broken_encoding(page_html: str) -> bytes:
    """A page that declares UTF-8 but carries invalid byte sequences; its price stays readable.

    Latin-1 and Windows-1252 bytes (a lone 0xE9, smart quotes 0x93/0x94) and a truncated
    multi-byte sequence are spliced into the description text, as happens when a CMS mixes
    encodings.
    """
    data = page_html.encode()
    marker = b"</h1>"
    bad = b'<p class="blurb">Caf\xe9 edition \x93limited\x94 \xe4\xb8 stock \xff\xfe</p>'
    at = data.find(marker)
    if at < 0:
        return bad + data
    at += len(marker)
    return data[:at] + bad + data[at:]


def huge_page(megabytes: float) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of an HTML page about `megabytes` MB, generated as it is sent."""
    head = b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Everything we sell</title></head><body><ul class="all">\n'
    tail = b"</ul></body></html>\n"
    card = b'<li class="card"><a href="/item?id=%07d">Filler product %07d</a> <span class="card-price">$%d.99</span></li>\n'
    block = b"".join(card % (i, i, i % 900 + 10) for i in range(1000))
    n_blocks = max(1, int(megabytes * 1024 * 1024) // len(block))
    length = len(head) + n_blocks * len(block) + len(tail)

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(n_blocks):
            yield block
        yield tail

    return length, chunks()
