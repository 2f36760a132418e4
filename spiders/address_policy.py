"""The one address policy: which hosts rivalwatch may send a request to.

Every request path asks it: Scrapy's downloads (`spiders.middlewares` before a request is sent, and
its `PolicyResolver` on the address Twisted actually connects to, so a name that answers a public address
to the check and a loopback one at connect time is refused: DNS rebinding), Chromium's own requests
(`spiders.browser_proxy`: navigations, redirects, frames, scripts, fetch()), and the alert channels'
own connections (`alerts.channel_addresses`: every HTTP connection Apprise opens, on the address it
connects to).

The rule: only globally routable unicast addresses, after unwrapping the IPv6 forms that carry an
IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64). A name that does not resolve is
refused (a browser may still reach it: Chromium answers `*.localhost` itself), and so are the local
names whatever they resolve to. `allow_private` (settings.allow_private_addresses) or a host in
`allow_hosts` (settings.allow_private_hosts) is the only way out.

`decide` is pure; `resolve` asks the system resolver, each answer kept for RESOLVE_TTL seconds only.
Nothing here imports Twisted or Scrapy: the alert channels use it too.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_TTL = 60.0  # seconds an answer is reused: a DNS TTL's order, not the life of the process
_CACHE_SIZE = 10_000
HOW_TO_ALLOW = "set settings.allow_private_addresses: true (or list the host in settings.allow_private_hosts)"

# Not globally routable, but `is_global` says otherwise on some Python versions; multicast is
# never a web server.
_NEVER = tuple(
    ipaddress.ip_network(n)
    for n in ("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4", "::/96", "100::/64")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def normalise_host(host: str) -> str:
    """Lower case, no brackets around an IPv6 literal, no trailing dot (`localhost.` is `localhost`)."""
    return host.strip().strip("[]").rstrip(".").lower()


def is_local_name(host: str) -> bool:
    """Names a browser or resolver answers with loopback by itself (RFC 6761), whatever DNS says."""
    name = normalise_host(host)
    return name in ("localhost", "localhost.localdomain", "") or name.endswith(".localhost")


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (and so reaches), if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public(address: str | IPAddress) -> bool:
    """Whether an address is a globally routable unicast one, IPv6 forms of IPv4 judged as the IPv4."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return False
    inner = embedded_ipv4(ip)
    if inner:
        return all(is_public(v4) for v4 in inner)
    if ip.is_multicast or any(ip.version == n.version and ip in n for n in _NEVER):
        return False
    return ip.is_global


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(normalise_host(host))
    except ValueError:
        return None


def allow_listed(host: str, allow_hosts: Collection[str]) -> bool:
    name = normalise_host(host)
    return any(name == normalise_host(h) for h in allow_hosts)


def decide(
    host: str,
    addresses: Iterable[str],
    allow_private: bool = False,
    allow_hosts: Collection[str] = (),
    purpose: str = "to watch it",
) -> Decision:
    """May a request go to `host`, which resolved to `addresses` (empty: the lookup failed)?
    `purpose` ends the reason's advice ("to watch it", "to send alerts to it")."""
    if allow_private or allow_listed(host, allow_hosts):
        return ALLOWED
    name = normalise_host(host)
    if is_local_name(name):
        return Decision(False, f"{name or 'an empty host'} is a local name; {HOW_TO_ALLOW} {purpose}")
    found = list(addresses)
    if not found:
        return Decision(False, f"{name} could not be resolved, so its address cannot be checked")
    for address in found:
        if not is_public(address):
            where = f"{name} is" if literal_address(name) is not None else f"{name} resolves to {address},"
            return Decision(False, f"{where} not a public address; {HOW_TO_ALLOW} {purpose}")
    return ALLOWED


def decide_without_lookup(
    host: str, allow_private: bool = False, allow_hosts: Collection[str] = (), purpose: str = "to watch it"
) -> Decision | None:
    """The decision when it needs no DNS (an address literal, a local name, an allowed host), else None."""
    if allow_private or allow_listed(host, allow_hosts) or is_local_name(host):
        return decide(host, (), allow_private, allow_hosts, purpose)
    literal = literal_address(host)
    if literal is not None:
        return decide(host, [str(literal)], purpose=purpose)
    return None


# ---------------------------------------------------------------- resolution

_cache: dict[str, tuple[float, tuple[str, ...]]] = {}
_cache_lock = threading.Lock()


def _system_lookup(host: str) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ()
    seen: dict[str, None] = {}
    for info in infos:
        seen.setdefault(str(info[4][0]).split("%")[0], None)  # IPv4 first as getaddrinfo orders them
    return tuple(seen)


def cached(host: str) -> tuple[str, ...] | None:
    """The addresses `host` resolves to if known without a lookup (a literal, a fresh answer), else None."""
    literal = literal_address(host)
    if literal is not None:
        return (str(literal),)
    hit = _cache.get(normalise_host(host))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def resolve(host: str) -> tuple[str, ...]:
    """The addresses `host` resolves to (itself for an address literal; empty when the lookup fails).
    Blocking: call it off the reactor/event loop thread."""
    literal = literal_address(host)
    if literal is not None:
        return (str(literal),)
    name = normalise_host(host)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(name)
    if hit is not None and hit[0] > now:
        return hit[1]
    addresses = _system_lookup(name)
    if addresses:  # a failure is asked again next time
        with _cache_lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.clear()
            _cache[name] = (now + RESOLVE_TTL, addresses)
    return addresses


def check(host: str, allow_private: bool = False, allow_hosts: Collection[str] = ()) -> Decision:
    """Resolve (if needed) and decide. Blocking."""
    quick = decide_without_lookup(host, allow_private, allow_hosts)
    if quick is not None:
        return quick
    return decide(host, resolve(host), allow_private, allow_hosts)


# ---------------------------------------------------------------- the reactor's resolver

_trusted: dict[str, float] = {}  # host -> until when a crawl allowed it to be private
_refusals: dict[str, str] = {}  # host -> why the resolver refused it last (for the failure's reason)
TRUST_SECONDS = 600.0


def trust(host: str) -> None:
    """A crawl allowed `host` to resolve to a private address (allow_private or its allow list): the
    reactor's resolver lets its answers through for TRUST_SECONDS."""
    name = normalise_host(host)
    until = time.monotonic() + TRUST_SECONDS
    if _trusted.get(name, 0) < until - 60:  # refresh at most once a minute per host
        if len(_trusted) >= _CACHE_SIZE:
            _trusted.clear()
        _trusted[name] = until


def trusted(host: str) -> bool:
    return _trusted.get(normalise_host(host), 0) > time.monotonic()


def note_refusal(host: str, reason: str) -> None:
    if len(_refusals) >= _CACHE_SIZE:
        _refusals.clear()
    _refusals[normalise_host(host)] = reason


def refusal_reason(host: str) -> str | None:
    """Why the reactor's resolver last refused `host` (None if it did not)."""
    return _refusals.get(normalise_host(host))
