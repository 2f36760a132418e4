"""How the service answers signals: SIGTERM/SIGINT stop it cleanly, SIGHUP reloads the watchlist."""

from __future__ import annotations

import os
import signal
from typing import Protocol


class Stoppable(Protocol):
    """The service, or one role of a scaled-out deployment (`monitor.scale.roles`)."""

    def request_stop(self) -> None: ...

    def request_reload(self) -> None: ...


def install_signals(service: Stoppable) -> None:
    """SIGTERM/SIGINT stop the service (a second one exits at once); SIGHUP reloads the watchlist."""
    signals = {"stop": 0}

    def on_stop(signum: int, _frame: object) -> None:
        signals["stop"] += 1
        if signals["stop"] > 1:
            os._exit(128 + signum)  # the store rolls back whatever transaction was open
        service.request_stop()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: service.request_reload())
