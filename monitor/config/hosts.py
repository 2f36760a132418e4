"""Host names as the watchlist gives them (competitors' and our own domains): a watch belongs to a
domain by its URL's host (or host:port), so a URL there would match no watch, silently."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

# Labels of letters, digits and hyphens (IDNs as written in Unicode are letters too), dot-separated,
# and a port: watches match on host:port too (the demo's shops differ by port only).
_HOST = re.compile(r"^(?!-)[\w-]+(\.[\w-]+)*\.?(:\d{1,5})?$")


def check_domain(value: str) -> str:
    """`value` stripped and lower-cased, or ValueError naming the host meant when it is a URL."""
    domain = value.strip().lower()
    if not domain or _HOST.match(domain):
        return domain  # empty entries are dropped by the list
    host = urlsplit(domain if "//" in domain else f"//{domain}").hostname
    hint = f'; did you mean "{host}"?' if host and _HOST.match(host) else ""
    raise ValueError(f"a domain is a host name like shop.example, not {value!r}{hint}")


Domain = Annotated[str, AfterValidator(check_domain)]
