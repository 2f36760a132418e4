"""The suite's own guard (tests/offline_guard.py) decides by address and name alone: checked here by
calling its decision function, never by sending anything."""

from __future__ import annotations

import socket

import offline_guard
import pytest


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "::1", "[::1]", "localhost", "", None, "0.0.0.0"],
)
def test_this_machine_is_allowed(host: object) -> None:
    assert offline_guard.is_local(host)


@pytest.mark.parametrize(
    "host",
    [
        "192.0.2.1",
        "10.0.0.1",
        "8.8.8.8",
        "2001:db8::1",
        "example.com",
        "rw.localhost",
        "no-such-host.invalid",
    ],
)
def test_anything_else_is_not(host: str) -> None:
    assert not offline_guard.is_local(host)


def test_the_guard_is_installed_for_the_whole_suite() -> None:
    assert socket.getaddrinfo is offline_guard._guarded_getaddrinfo
    assert socket.socket.connect is offline_guard._guarded_connect
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 80)  # answered here: no resolver is asked
