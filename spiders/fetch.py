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


@dataclass(frozen=True)
class WatchRequest:
    """What every kind's job says about asking for its pages, whatever else it holds (a listing's
    pagination, a site's limits): the watch and its URL, how a page is read, whether robots.txt is
    obeyed (monitor.kinds.jobs.request_fields fills them from the watch)."""

    watch_id: int
    url: str
    render: str = "http"  # http | browser
    wait_for: str | None = None
    obey_robots: bool = True

    def page_request(self, kind: str, url: str | None = None, screenshot: bool = False) -> FetchJob:
        """The request of one of its pages (`url`, else its own URL) as the shared fetch code sees
        it: read the job's way, without validators or page actions."""
        return FetchJob(
            watch_id=self.watch_id,
            url=url or self.url,
            kind=kind,
            render=self.render,
            wait_for=self.wait_for,
            screenshot=screenshot,
            obey_robots=self.obey_robots,
        )


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
