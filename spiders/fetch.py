"""The records that cross the crawl boundary: what to fetch, and what came back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FetchJob:
    """One watch to check now, with what the crawler needs to ask politely and cheaply."""

    watch_id: int
    url: str
    kind: str = "product"
    render: str = "http"  # http | browser
    wait_for: str | None = None
    screenshot: bool = False
    obey_robots: bool = True
    etag: str | None = None
    last_modified: str | None = None
    actions: tuple[dict, ...] = ()  # browser page actions (monitor.config.page_actions)


@dataclass
class FetchedPage:
    """What the crawler got for a job: a response (any status) or a transport error."""

    job: FetchJob
    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed_ms: float | None = None
    error: str | None = None
    screenshot: bytes | None = None
    rendered: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")
