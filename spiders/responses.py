"""What every spider reads off a Scrapy response or a failed request, in one way for all of them:
the headers, the download time, the browser page scrapy-playwright kept open (closed here), the
conditional-request headers of a job, and a failure's reason in words a user can act on."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.address_policy import refusal_reason
from spiders.callback_failures import CallbackError
from spiders.fetch import FetchedPage, FetchJob


def response_headers(response: Response) -> dict[str, str]:
    """The response's headers: names lower-cased, the values of a repeated header joined by ", "."""
    return {
        k.decode("latin-1").lower(): b", ".join(v).decode("latin-1", "replace")
        for k, v in response.headers.items()
    }


def latency_ms(meta: dict) -> float:
    """How long the download took, in milliseconds (0 when Scrapy did not time it)."""
    return (meta.get("download_latency") or 0) * 1000


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The validators of the last good response, to be asked "only if changed" (a 304 if not)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def close_browser_page(meta: dict) -> None:
    """Close the Chromium page of a browser request, once its response or failure is handled."""
    page = meta.get("playwright_page")
    if page is not None:
        await page.close()


async def fetched_page(job: FetchJob, response: Response) -> FetchedPage:
    """What came back for `job`, with the page's screenshot when the job asks for one (the browser
    page is closed either way)."""
    screenshot = None
    page = response.meta.get("playwright_page")
    if page is not None:
        try:
            if job.screenshot:
                screenshot = await page.screenshot(full_page=True, type="png")
        finally:
            await page.close()
    return FetchedPage(
        job=job,
        url=response.url,
        status=response.status,
        headers=response_headers(response),
        body=response.body,
        elapsed_ms=latency_ms(response.meta),
        screenshot=screenshot,
        rendered=job.render == "browser",
    )


def describe_failure(failure: Failure) -> str:
    """A short reason a user can act on, for a transport-level failure."""

    exc = failure.value
    name = type(exc).__name__
    text = str(exc)
    lowered = f"{name} {text}".lower()
    if isinstance(exc, CallbackError):
        return str(exc)[:500]
    if isinstance(exc, IgnoreRequest):
        return "blocked by robots.txt" if "robots" in lowered else (text or "request ignored")
    if "dnslookup" in lowered or "dns lookup" in lowered:
        request = getattr(failure, "request", None)
        host = urlsplit(request.url).hostname if request is not None else None
        refused = refusal_reason(host) if host else None
        if refused:
            return refused
    if "dnslookup" in lowered or "dns lookup" in lowered or "name or service not known" in lowered:
        return "host not found (DNS lookup failed)"
    if "connectionrefused" in lowered or "connection refused" in lowered:
        return "connection refused (site down?)"
    if "timeout" in lowered or "timed out" in lowered:
        return "timed out"
    if name == "DownloadCancelledError" and (not text or "max size" in lowered):
        # Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE as it streams in (chunked, or no
        # Content-Length) with no message at all; its only cancel of a download in flight.
        return "page too large (its body grew past the max_page_mb cap)"
    if "maxsize" in lowered or ("size" in lowered and ("exceed" in lowered or "larger" in lowered)):
        return f"page too large (over the download size cap): {text}"[:300]
    if "responsedataloss" in lowered or "connectionreset" in lowered or "connection reset" in lowered:
        return f"connection reset: the server cut the page off before it was complete ({name})"
    if "connectionlost" in lowered or "connection was closed" in lowered or "responsenevereceived" in lowered:
        return f"connection lost before the page was complete ({name})"
    return f"{name}: {text}"[:500]
