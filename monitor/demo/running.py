"""What every local stand-in of the demo shares (the market, its process, the mailbox, the impersonated
services): started, it serves on 127.0.0.1 until stopped, and `with` does both."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self


class Running(ABC):
    @abstractmethod
    def start(self) -> object: ...

    @abstractmethod
    def stop(self) -> None: ...

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
