"""What every spider that is handed its jobs shares: the jobs of one crawl, as the engine gives them.

The engine starts a crawl with `jobs=[...]` (the due watches' jobs of one kind); a spider reads them
in `start()`. The SERP spider is not one of these: it queues its checks per engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

import scrapy

J = TypeVar("J")


class JobSpider(scrapy.Spider, Generic[J]):
    custom_settings: dict = {}

    def __init__(self, jobs: Iterable[J] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.jobs: list[J] = list(jobs or [])
