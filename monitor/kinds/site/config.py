"""Site watches as users write them: a competitor's whole site, crawled within limits.

sites:
  - url: https://rival.example/          # the site root
    max_pages: 500                        # pages fetched per crawl, at most
    max_depth: 3                          # link hops from the root and the sitemap's pages
    exclude: ["/cart*", "re:^/search"]   # path patterns: globs, or re:regex
"""

from __future__ import annotations

from pydantic import Field, field_validator

from monitor.config.watch_fields import RenderOptions, WatchFields, as_list
from spiders.site_scope import compile_path_pattern


def check_path_pattern(pattern: str) -> str:
    """A glob over the URL path (`/blog/*`, `*.pdf`; `/blog/` alone means the whole section), or a
    regular expression written `re:^/p/\\d+$`."""

    try:
        compile_path_pattern(pattern)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return pattern.strip()


class SiteOptions(RenderOptions):
    """What a site watch stores in `watches.options`, and reads back through this model."""

    max_pages: int = Field(default=500, ge=1, le=100_000)
    max_depth: int = Field(default=3, ge=0, le=50)
    use_sitemap: bool = True
    include: list[str] = Field(default_factory=list, description="only paths matching one of these")
    exclude: list[str] = Field(default_factory=list, description="never paths matching one of these")

    _lists = field_validator("include", "exclude", mode="before")(classmethod(lambda cls, v: as_list(v)))

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        return [check_path_pattern(p) for p in patterns]


class SiteWatch(WatchFields, SiteOptions):
    """A competitor's whole site: robots.txt, sitemaps and a bounded link crawl."""

    def options(self) -> SiteOptions:
        return SiteOptions.model_validate(self.model_dump(include=set(SiteOptions.model_fields)))


# One watch per URL (the URL is its identity): checked with the whole watchlist (monitor.watchlist.check).
SiteWatches = list[SiteWatch]
