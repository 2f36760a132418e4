"""The watchlist's `settings:` and `competitors:` sections: crawl limits, schedule defaults, store."""

from __future__ import annotations

import os
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.config.crawl_records import crawl_record
from monitor.config.durations import Duration
from monitor.config.hosts import Domain
from monitor.config.suggest import did_you_mean
from spiders.crawl_settings import CrawlLimits

STORE_BACKENDS = ("sqlite", "postgresql", "postgres")  # the drivers rivalwatch ships (models.db)


class Strict(BaseModel):
    """Every watchlist model: unknown keys are errors (a typo never silently disables a watch)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(value, available_timezones()) or " (use an IANA name like Asia/Shanghai)"
        raise ValueError(f"unknown time zone {value!r}{hint}") from None
    return value


def default_extract_workers() -> int:
    """One extraction process per core beyond the first (the crawler's); none on a single core."""
    return max(0, (os.cpu_count() or 1) - 1)


class Settings(Strict):
    user_agent: str = Field(
        default="Mozilla/5.0 (compatible; rivalwatch/0.1; +https://github.com/rivalwatch)",
        description="the User-Agent of every request (keyword checks rotate their own)",
    )
    database_url: str | None = Field(
        default=None, description="the store; default SQLite under ./var/ (RIVALWATCH_DATABASE_URL wins)"
    )
    timezone: str = Field(default="UTC", description="IANA zone of cron schedules and the report")
    default_interval: Duration = Field(default=6 * 3600, description="how often a watch without a schedule runs")
    download_timeout: Duration = Field(default=30, description="a page slower than this is a failed check")
    max_page_mb: float = Field(default=10, gt=0, le=200, description="bigger pages are failed checks")
    concurrency_per_domain: int = Field(default=4, ge=1, le=64, description="requests at once to one site")
    concurrent_requests: int = Field(default=32, ge=1, le=512, description="requests at once in all")
    retries: int = Field(default=2, ge=0, le=10, description="retries of a timeout or 5xx within a check")
    autothrottle: bool = Field(default=True, description="Scrapy's AutoThrottle: slow down for slow sites")
    allow_private_addresses: bool = Field(
        default=False, description="allow URLs on private, loopback or link-local addresses"
    )
    allow_private_hosts: list[str] = Field(
        default_factory=list,
        description="hosts that may be on private or loopback addresses (narrower than allow_private_addresses)",
    )
    secrets_file: str | None = Field(default=None, description="KEY=VALUE lines for ${KEY} placeholders")
    extract_workers: int = Field(
        default_factory=default_extract_workers,
        ge=0,
        le=64,
        description="processes that extract pages beside the crawler (0 = extract in the crawler)",
    )
    gone_after: int = Field(default=3, ge=1, description="404s in a row before a product is 'gone'")

    _zone = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))

    @field_validator("database_url")
    @classmethod
    def _store_url(cls, value: str | None) -> str | None:
        # `run` would only say "cannot open the store"; the URL itself is not echoed (it may hold a password).
        if value is None:
            return None
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError("not a database URL (sqlite:///path/to/file.db or postgresql://user@host/db)") from None
        if backend not in STORE_BACKENDS:
            raise ValueError(f"the store is SQLite or PostgreSQL, not {backend}")
        return value

    def crawl_limits(self) -> CrawlLimits:
        return crawl_record(CrawlLimits, self, allow_private_hosts=tuple(self.allow_private_hosts))


class Competitor(Strict):
    name: str = Field(min_length=1, description="how watches, rules and the report name it")
    domains: list[Domain] = Field(default_factory=list, description="its hosts: watches on them are its watches")
    tags: list[str] = Field(default_factory=list, description="for rules' `tags:`")
    robots: Literal["obey", "ignore"] = Field(default="obey", description="robots.txt for this competitor")

    @field_validator("domains")
    @classmethod
    def _lower(cls, domains: list[str]) -> list[str]:
        return [d for d in domains if d]
