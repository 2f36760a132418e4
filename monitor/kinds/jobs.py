"""What every kind's request of one watch carries, and the request of a watch that is one page
(a product, a page-content watch)."""

from __future__ import annotations

from typing import Any

from models import Watch
from monitor.config.watch_fields import BrowserOptions, RenderOptions
from spiders.fetch import FetchJob


def request_fields(
    watch: Watch, options: RenderOptions, obey_robots: bool, conditional: bool | None = None
) -> dict[str, Any]:
    """The fields a kind's job shares with every other kind's (FetchJob, ListingJob, SiteJob): the
    watch and its URL, how the page is read (and, for a page a browser may act on, its actions and
    screenshot), whether robots.txt is obeyed. Validators (ETag, Last-Modified) only for a kind that
    sends them (`conditional` not None), and only when `conditional`: when a 304 can be answered
    from what the kind keeps (a good state to fall back on)."""
    fields: dict[str, Any] = {
        "watch_id": watch.id,
        "url": watch.url,
        "render": options.render,
        "wait_for": options.wait_for,
        "obey_robots": obey_robots,
    }
    if isinstance(options, BrowserOptions):
        fields["screenshot"] = options.screenshot
        fields["actions"] = tuple(a.as_option() for a in options.actions)
    if conditional is not None:
        fields["etag"] = watch.etag if conditional else None
        fields["last_modified"] = watch.last_modified if conditional else None
    return fields


def fetch_job(watch: Watch, options: BrowserOptions, obey_robots: bool, conditional: bool) -> FetchJob:
    return FetchJob(kind=watch.kind, **request_fields(watch, options, obey_robots, conditional))
