"""The watchlist schema: what a user may write in their YAML file, validated with pydantic.

Unknown keys are rejected everywhere (``extra="forbid"``) so a typo never silently disables a watch.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.alerting import AlertRule, Channel
from monitor.config.durations import Duration, parse_duration  # noqa: F401
from monitor.config.keyword_watch import KeywordGroup
from monitor.config.listing_watch import ListingWatch
from monitor.config.page_actions import PageAction
from monitor.config.page_watch import PageWatches
from monitor.config.report_settings import ReportSettings
from monitor.config.site_watch import SiteWatches
from spiders.crawl_settings import CrawlLimits


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"only http and https URLs can be watched, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    return url.strip()


class Settings(_Strict):
    user_agent: str = "Mozilla/5.0 (compatible; rivalwatch/0.1; +https://github.com/rivalwatch)"
    database_url: str | None = None
    timezone: str = "UTC"
    default_interval: Duration = 6 * 3600
    download_timeout: Duration = 30
    max_page_mb: float = Field(default=10, gt=0, le=200)
    concurrency_per_domain: int = Field(default=4, ge=1, le=64)
    concurrent_requests: int = Field(default=32, ge=1, le=512)
    retries: int = Field(default=2, ge=0, le=10)
    autothrottle: bool = True
    allow_private_addresses: bool = False
    secrets_file: str | None = None
    extract_workers: int = Field(
        default_factory=lambda: __import__("monitor.extract_pool", fromlist=["x"]).default_workers(),
        ge=0,
        le=64,
        description="processes that extract pages beside the crawler (0 = extract in the crawler)",
    )
    gone_after: int = Field(default=3, ge=1, description="404s in a row before a product is 'gone'")

    def crawl_limits(self) -> CrawlLimits:
        return CrawlLimits(
            user_agent=self.user_agent,
            download_timeout=self.download_timeout,
            max_page_mb=self.max_page_mb,
            concurrent_requests=self.concurrent_requests,
            concurrency_per_domain=self.concurrency_per_domain,
            retries=self.retries,
            autothrottle=self.autothrottle,
            allow_private_addresses=self.allow_private_addresses,
        )


class Competitor(_Strict):
    name: str = Field(min_length=1)
    domains: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    robots: Literal["obey", "ignore"] = "obey"

    @field_validator("domains")
    @classmethod
    def _lower(cls, domains: list[str]) -> list[str]:
        return [d.strip().lower() for d in domains if d.strip()]


class ProductWatch(_Strict):
    url: str
    competitor: str | None = None
    label: str | None = None
    selectors: dict[Literal["name", "price", "availability", "sku", "currency", "brand"], str] = Field(
        default_factory=dict
    )
    our_price: Decimal | None = Field(default=None, ge=0)
    map_price: Decimal | None = Field(default=None, ge=0, description="minimum advertised price")
    interval: Duration | None = None
    cron: str | None = None
    render: Literal["http", "browser"] = "http"
    wait_for: str | None = None
    screenshot: bool = False
    actions: list[PageAction] = Field(default_factory=list, description="browser page actions")
    tags: list[str] = Field(default_factory=list)

    _check_url = field_validator("url")(classmethod(lambda cls, v: check_http_url(v)))

    @field_validator("selectors")
    @classmethod
    def _selectors_compile(cls, selectors: dict[str, str]) -> dict[str, str]:
        # A typo in a selector is a configuration error now, not a "no price found" at 3 a.m.
        from spiders.extract.product_selectors import SelectorSyntaxError, compile_selector

        for name, selector in selectors.items():
            try:
                compile_selector(selector)
            except SelectorSyntaxError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return selectors

    @model_validator(mode="after")
    def _one_schedule(self) -> ProductWatch:
        if self.interval is not None and self.cron is not None:
            raise ValueError("give either interval or cron, not both")
        return self


class Watchlist(_Strict):
    settings: Settings = Field(default_factory=Settings)
    competitors: list[Competitor] = Field(default_factory=list)
    products: list[ProductWatch] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    rules: list[AlertRule] = Field(default_factory=list)
    listings: list[ListingWatch] = Field(default_factory=list)
    keywords: list[KeywordGroup] = Field(default_factory=list)
    sites: SiteWatches = Field(default_factory=list)
    pages: PageWatches = Field(default_factory=list)
    report: ReportSettings = Field(default_factory=ReportSettings)

    @model_validator(mode="after")
    def _references(self) -> Watchlist:
        names = [c.name for c in self.competitors]
        if len(set(names)) != len(names):
            raise ValueError("competitor names must be unique")
        channel_names = {c.name for c in self.channels}
        if len(channel_names) != len(self.channels):
            raise ValueError("channel names must be unique")
        if len({r.name for r in self.rules}) != len(self.rules):
            raise ValueError("rule names must be unique")
        urls = [p.url for p in self.products]
        dup = {u for u in urls if urls.count(u) > 1}
        if dup:
            raise ValueError(f"product URL watched twice: {sorted(dup)[0]}")
        for p in self.products:
            if p.competitor is not None and p.competitor not in names:
                raise ValueError(f"product {p.url}: unknown competitor {p.competitor!r}")
        for r in self.rules:
            for ch in r.channels:
                if ch not in channel_names:
                    raise ValueError(f"rule {r.name!r}: unknown channel {ch!r}")
        listing_urls = [w.url for w in self.listings]
        dup = {u for u in listing_urls if listing_urls.count(u) > 1}
        if dup:
            raise ValueError(f"listing URL watched twice: {sorted(dup)[0]}")
        for w in self.listings:
            if w.competitor is not None and w.competitor not in names:
                raise ValueError(f"listing {w.url}: unknown competitor {w.competitor!r}")
        for ch in self.report.channels:
            if ch not in channel_names:
                raise ValueError(f"report.channels: unknown channel {ch!r}")
        groups = [g.name for g in self.keywords]
        if len(set(groups)) != len(groups):
            raise ValueError("keyword group names must be unique")
        return self

    def competitor_for(self, watch: ProductWatch) -> str:
        """The competitor a watch belongs to: named explicitly, else by domain, else its host."""
        if watch.competitor:
            return watch.competitor
        host = (urlsplit(watch.url).hostname or "").lower()
        netloc = urlsplit(watch.url).netloc.lower()
        for c in self.competitors:
            for d in c.domains:
                if netloc == d or host == d or host.endswith("." + d):
                    return c.name
        return host
