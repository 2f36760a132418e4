"""Which URLs a site crawl may visit: same site, include/exclude path patterns, not a file download.

Pure. Patterns are globs over the URL path and query (`/blog/*`, `*?sort=*`); a pattern ending in
`/` without wildcards is a whole section (`/blog/` matches `/blog/2024/post`); `re:PATTERN` is a
regular expression searched in the path and query.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url

# Links to these are files, not pages: a site watch never downloads them.
FILE_EXTENSIONS = frozenset(
    "7z avi bmp css csv doc docx dmg exe gif gz ico iso jpeg jpg js json m4a mov mp3 mp4 mpeg ogg "
    "otf pdf png ppt pptx rar rss svg tar tgz tif tiff ttf txt wav webm webp woff woff2 xls xlsx xml "
    "zip".split()
)


def compile_path_pattern(pattern: str) -> Callable[[str], bool]:
    """A predicate over a URL's path and query; ValueError with the reason when it cannot compile."""
    pattern = pattern.strip()
    if not pattern:
        raise ValueError("an empty path pattern matches everything; remove it")
    if pattern.startswith("re:"):
        try:
            regex = re.compile(pattern[3:])
        except re.error as exc:
            raise ValueError(f"bad regular expression {pattern[3:]!r}: {exc}") from None
        return lambda target: regex.search(target) is not None
    if pattern.endswith("/") and not any(ch in pattern for ch in "*?["):
        pattern += "*"
    glob = re.compile(fnmatch.translate(pattern))
    return lambda target: glob.match(target) is not None


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def origin_of(url: str) -> tuple[str, int | None]:
    """(host without `www.`, port): what makes two URLs the same site for the crawl."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host, None if port == default else port


def crawl_key(url: str) -> str:
    """A URL's identity for the crawl's own dedupe: fragment dropped, query sorted."""
    return canonicalize_url(url, keep_fragments=False)


def is_file_url(url: str) -> bool:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1].lower() in FILE_EXTENSIONS


class CrawlScope:
    """The URLs one site watch may fetch."""

    def __init__(self, root_url: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.origin = origin_of(root_url)
        self.include = [compile_path_pattern(p) for p in include]
        self.exclude = [compile_path_pattern(p) for p in exclude]

    def rebase(self, root_url: str) -> None:
        """The root redirected (http -> https, to www.): the site is where it landed."""
        self.origin = origin_of(root_url)

    def same_site(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and origin_of(url) == self.origin

    def allows(self, url: str) -> bool:
        if not self.same_site(url) or is_file_url(url):
            return False
        target = _path_and_query(url)
        if self.include and not any(match(target) for match in self.include):
            return False
        return not any(match(target) for match in self.exclude)
