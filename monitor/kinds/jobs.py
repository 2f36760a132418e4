"""The request for a watch that is one page (a product, a page-content watch)."""

from __future__ import annotations

from models import Watch
from monitor.config.watch_fields import BrowserOptions
from spiders.fetch import FetchJob


def fetch_job(watch: Watch, options: BrowserOptions, obey_robots: bool, conditional: bool) -> FetchJob:
    """Validators (ETag, Last-Modified) go with the request only when `conditional`: when a 304 can
    be answered from what the kind keeps (a good state to fall back on)."""
    return FetchJob(
        watch_id=watch.id,
        url=watch.url,
        kind=watch.kind,
        render=options.render,
        wait_for=options.wait_for,
        screenshot=options.screenshot,
        obey_robots=obey_robots,
        etag=watch.etag if conditional else None,
        last_modified=watch.last_modified if conditional else None,
        actions=tuple(a.as_option() for a in options.actions),
    )
