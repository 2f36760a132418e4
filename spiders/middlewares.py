"""The address guard of Scrapy's downloads (the policy itself is spiders.address_policy).

Two checks, one policy. `AddressGuardMiddleware` refuses a request before it is sent, with a reason
the user can act on; redirects come back through the middleware chain, so a public URL redirecting
to 127.0.0.1 is refused too. `PolicyResolver` is the reactor's name resolver: it refuses non-public
answers again at connect time, so the address checked is the address connected to (a name that
answers a public address first and loopback next is refused when it matters).
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from zope.interface import implementer

from spiders import address_policy as policy


class AddressRefused(IgnoreRequest):
    pass


class AddressGuardMiddleware:
    def __init__(self, allow_private: bool, allow_hosts: tuple[str, ...] = ()) -> None:
        self.allow_private = allow_private
        self.allow_hosts = allow_hosts

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        return cls(
            crawler.settings.getbool("RIVALWATCH_ALLOW_PRIVATE_ADDRESSES"),
            tuple(crawler.settings.getlist("RIVALWATCH_ALLOW_PRIVATE_HOSTS")),
        )

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parsed = urlparse_cached(request)
        if parsed.scheme not in ("http", "https"):
            raise AddressRefused(f"only http and https are fetched, not {parsed.scheme}://")
        host = parsed.hostname or ""
        decision = policy.decide_without_lookup(host, self.allow_private, self.allow_hosts)
        if decision is None:
            addresses = policy.cached(host)
            if addresses is None:  # a lookup blocks: off the reactor's thread
                addresses = await asyncio.get_running_loop().run_in_executor(None, policy.resolve, host)
            decision = policy.decide(host, addresses)
        if not decision:
            raise AddressRefused(decision.reason)
        if self.allow_private or policy.allow_listed(host, self.allow_hosts):
            policy.trust(host)  # the resolver (Twisted asks it of address literals too) lets it through
        proxy = request.meta.get("proxy")
        if proxy:  # a proxy the watchlist names is trusted, wherever it lives
            proxy_host = urlsplit(proxy).hostname
            if proxy_host:
                policy.trust(proxy_host)
        return None


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass  # the lookup runs to its end in the thread pool


@implementer(IHostnameResolver)
class PolicyResolver:
    """The reactor's name resolver: every name Twisted connects to is resolved here, and only public
    answers come back (any answer for a host a crawl trusted: allow_private, its allow list, a proxy).
    A refused name resolves to nothing, which Twisted reports as a failed DNS lookup;
    `address_policy.refusal_reason` keeps why, for the failure's reason."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:  # TWISTED_DNS_RESOLVER
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self,
        resolutionReceiver: Any,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Any = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> Any:
        from twisted.internet.address import IPv4Address, IPv6Address
        from twisted.internet.threads import deferToThreadPool

        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        name = policy.normalise_host(hostName)

        def answer(addresses: tuple[str, ...]) -> None:
            if not policy.trusted(name):
                decision = policy.decide(name, addresses)
                if not decision:
                    policy.note_refusal(name, decision.reason)
                    addresses = ()
            for address in addresses:
                if isinstance(ipaddress.ip_address(address), ipaddress.IPv4Address):
                    if addressTypes is None or IPv4Address in addressTypes:
                        resolutionReceiver.addressResolved(IPv4Address("TCP", address, portNumber))
                elif addressTypes is None or IPv6Address in addressTypes:
                    resolutionReceiver.addressResolved(IPv6Address("TCP", address, portNumber))
            resolutionReceiver.resolutionComplete()

        def failed(_failure: Any) -> None:
            resolutionReceiver.resolutionComplete()

        known = policy.cached(name)
        if known is not None:
            answer(known)
        else:
            deferred = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), policy.resolve, name)
            deferred.addCallbacks(answer, failed)
        return resolution


def install_resolver(reactor: Any) -> None:
    """Make the policy the reactor's resolver, once (every crawl of the process shares the reactor)."""
    if not isinstance(getattr(reactor, "nameResolver", None), PolicyResolver):
        PolicyResolver(reactor).install_on_reactor()
