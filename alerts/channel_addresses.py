"""The address policy (`spiders.address_policy`) applied to the alert channels' own connections.

A channel URL can name any server (json://, form://, xml://, ntfy://, gotify://, mmost://, matrix://
and every other Apprise service whose URL carries a host), so a send could otherwise reach an
internal address on the operator's behalf. Two checks, both with `decide`, the watchlist's
`allow_private_addresses` / `allow_private_hosts` the only way out:

- On the address actually connected to: every HTTP connection Apprise opens while `guarded()` is
  active resolves its host once, is decided on those addresses, and connects only to them. This
  covers redirects, a proxy from the environment, and DNS rebinding (a name that answers public to a
  check and loopback to the connect). It is installed as urllib3's `create_connection` because
  Apprise calls `requests.post` and friends at module level, with no session to give an adapter to;
  outside `guarded()` the original runs unchanged.
- Before the send, on the host of a URL that names a server (`host` among the plugin's template
  tokens): covers the plugins that do not speak HTTP (mqtt://, irc://, rsyslog://, xmpp://...). This
  one is resolve-and-check immediately before the send, not at their connect; a name that does not
  resolve is left to the plugin, whose own lookup fails the same way.

Email is outside the policy: its SMTP server is the operator's own relay (usually on localhost or the
LAN), and SMTP reads nothing back into rivalwatch. See README, "Alert channels and private addresses".
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import urllib3.util.connection as urllib3_connection
from apprise.plugins.base import NotifyBase
from urllib3.util.timeout import _DEFAULT_TIMEOUT

from monitor.config.settings import Settings
from spiders import address_policy as policy

PURPOSE = "to send alerts to it"


@dataclass(frozen=True)
class AddressRules:
    """What a watchlist allows besides public addresses (its settings' allow_private_*)."""

    allow_private: bool = False
    allow_hosts: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> AddressRules:
        return cls(settings.allow_private_addresses, tuple(settings.allow_private_hosts))

    def decide(self, host: str, addresses: Collection[str]) -> policy.Decision:
        return policy.decide(host, addresses, self.allow_private, self.allow_hosts, PURPOSE)

    def decide_without_lookup(self, host: str) -> policy.Decision | None:
        return policy.decide_without_lookup(host, self.allow_private, self.allow_hosts, PURPOSE)


STRICT = AddressRules()


@dataclass(frozen=True)
class Refusal:
    reason: str
    final: bool  # True: the host is private or local (a retry gives the same answer); False: no answer


class AddressRefused(ConnectionRefusedError):
    """A connection the address policy refused (urllib3 reports it as a failed connection)."""


@dataclass
class _Scope:
    rules: AddressRules
    refusals: list[Refusal] = field(default_factory=list)


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("rivalwatch_channel_scope", default=None)


@contextlib.contextmanager
def guarded(rules: AddressRules) -> Iterator[list[Refusal]]:
    """Within this block (and the worker threads Apprise starts from it: they copy the context), every
    HTTP connection urllib3 opens is decided by `rules`; yields the refusals, in order."""
    scope = _Scope(rules)
    token = _SCOPE.set(scope)
    try:
        yield scope.refusals
    finally:
        _SCOPE.reset(token)


def _refuse(scope: _Scope, decision: policy.Decision, resolved: bool) -> AddressRefused:
    scope.refusals.append(Refusal(decision.reason, final=resolved))
    return AddressRefused(decision.reason)


_original_create_connection = urllib3_connection.create_connection


def _policed_create_connection(
    address: tuple[str, int],
    timeout: Any = _DEFAULT_TIMEOUT,  # noqa: ANN401, SLF001 - urllib3's own signature
    source_address: tuple[str, int] | None = None,
    socket_options: Any = None,  # noqa: ANN401
) -> socket.socket:
    scope = _SCOPE.get()
    if scope is None:
        return _original_create_connection(address, timeout, source_address, socket_options)
    host, port = address
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, port, urllib3_connection.allowed_gai_family(), socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    decision = scope.rules.decide(host, addresses)
    if not decision:
        raise _refuse(scope, decision, resolved=bool(addresses) or policy.is_local_name(host))
    # Connect only to the addresses just decided on: no second lookup that could answer otherwise.
    error: OSError | None = None
    for family, kind, proto, _name, target in infos:
        sock = socket.socket(family, kind, proto)
        try:
            urllib3_connection._set_socket_options(sock, socket_options)  # noqa: SLF001
            if timeout is not _DEFAULT_TIMEOUT:  # noqa: SLF001
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(target)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"no address to connect to for {host}")


# Installed once, on import; inert outside `guarded()` (see the module doc).
urllib3_connection.create_connection = _policed_create_connection


def named_host(plugin: NotifyBase) -> str | None:
    """The server a plugin's URL names (json://HOST, mqtt://HOST...), None for token-only services
    (slack://TA/TB/TC, wecombot://KEY: their host is a token, their server fixed by the service)."""
    tokens = getattr(type(plugin), "template_tokens", {})
    host = getattr(plugin, "host", None)
    return host if "host" in tokens and isinstance(host, str) and host else None


def check_named_host(plugin: NotifyBase, rules: AddressRules, *, resolve: bool = True) -> Refusal | None:
    """Resolve-and-check, just before the send, the server a plugin's URL names (see the module doc).
    `resolve=False` decides only what is known without DNS (an address literal, a local name):
    `check` warns with it that the URL is valid but no alert would leave through it."""
    host = named_host(plugin)
    if host is None:
        return None
    decision = rules.decide_without_lookup(host)
    if decision is None:
        if not resolve:
            return None
        addresses = policy.resolve(host)
        if not addresses:
            return None  # the plugin's own lookup fails the same way; an HTTP one is refused at connect
        decision = rules.decide(host, addresses)
    return None if decision else Refusal(decision.reason, final=True)
