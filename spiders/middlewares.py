"""Downloader middlewares: refuse URLs that resolve to private, loopback or link-local addresses.

Redirects come back through the middleware chain, so a public URL redirecting to 127.0.0.1 is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached


class AddressRefused(IgnoreRequest):
    pass


@lru_cache(maxsize=4096)
def _addresses(host: str) -> tuple[str, ...]:
    try:
        return (str(ipaddress.ip_address(host.strip("[]"))),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return ()  # the download itself reports the DNS failure
    return tuple(sorted({str(info[4][0]) for info in infos}))


def is_private_host(host: str) -> bool:
    for addr in _addresses(host):
        ip = ipaddress.ip_address(addr)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified:
            return True
    return False


class AddressGuardMiddleware:
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        if crawler.settings.getbool("RIVALWATCH_ALLOW_ANY_ADDRESS"):
            raise NotConfigured
        return cls(crawler.settings.getbool("RIVALWATCH_ALLOW_PRIVATE_ADDRESSES"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parsed = urlparse_cached(request)
        if parsed.scheme not in ("http", "https"):
            raise AddressRefused(f"only http and https are fetched, not {parsed.scheme}://")
        if not self.allow_private and parsed.hostname and is_private_host(parsed.hostname):
            raise AddressRefused(
                f"{parsed.hostname} resolves to a private or loopback address; "
                "set settings.allow_private_addresses: true to watch it"
            )
        return None
