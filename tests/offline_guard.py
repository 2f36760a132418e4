"""The suite sends traffic only to this machine. Anywhere in the test process (threads, Twisted,
Apprise, httpx, the browser's policy proxy):
- a DNS lookup of a name that is not this machine's is answered "no such name" without asking a
  resolver (as on a machine with no network; a crawl then records its failed observation);
- a connection to an address off loopback is refused on the spot and fails the test that made it.

Child processes (a `rivalwatch run`, Chromium) are not covered here; they talk to the loopback servers
their tests start, and the browser tests map every host name to loopback with --host-resolver-rules.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.", "", "0.0.0.0", "::"}  # the last three: binding a server
violations: list[str] = []

_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def is_local(host: object) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        try:  # the C library's other IPv4 spellings (127.1, 0x7f.0.0.1, 2130706433): no lookup either
            address = ipaddress.ip_address(socket.inet_aton(text))
        except OSError:
            return False
    return address.is_loopback or address.is_unspecified


def _refuse(what: str) -> None:
    violations.append(what)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_local(host):
        raise socket.gaierror(socket.EAI_NONAME, f"the test suite looks up no name off this machine ({host!r})")
    return _getaddrinfo(host, *args, **kwargs)


def _target(sock: socket.socket, address: Any) -> str | None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not is_local(address[0]):
        return str(address[0])
    return None


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if (host := _target(self, address)) is not None:
        _refuse(f"connection to {host}")
        raise ConnectionRefusedError(f"the test suite connects to nothing off this machine ({host})")
    return _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if (host := _target(self, address)) is not None:
        _refuse(f"connection to {host}")
        return 111  # ECONNREFUSED
    return _connect_ex(self, address)


def install() -> None:
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
