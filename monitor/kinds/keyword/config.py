"""The `keywords:` section of the watchlist: keyword groups to rank-track, and how to reach each engine.

A group is what a user thinks in ("our headphone keywords"): its keywords, the engines, locales and
devices to check them on, how deep to look (1 to 10 result pages), and the domains to follow (ours and
competitors', by competitor name or by domain). Each keyword x engine x locale x device is one watch.

How an engine is reached (`access`, per engine, inside the group) is politeness and camouflage: the
minimum delay between two requests to the engine, random jitter, user agents to rotate, proxies
(``${ENV}`` placeholders, filled at crawl time and never shown), browser rendering, and how long to
leave a watch alone after the engine answered with a block page. Engines are shared by every group of
a crawl, so when groups disagree the most polite value wins (longest delay, longest backoff).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.config.cron import check_schedule_cron
from monitor.config.durations import Duration
from monitor.config.hosts import Domain
from monitor.config.selectors import check_browser_css

Engine = Literal["google", "bing", "baidu", "sogou", "yahoo", "duckduckgo", "yandex"]
Device = Literal["desktop", "mobile"]

# Browsers a person might use today. Rotated per keyword check (all pages of one check share one).
DESKTOP_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
)
MOBILE_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Mobile Safari/537.36",
)


_CODES = {  # a locale's codes, and what each must look like
    "country": (re.compile(r"^[A-Za-z]{2}$"), "a two-letter ISO 3166 code like us, de, cn"),
    "language": (re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"), "a code like en, de, zh-CN"),  # BCP 47
}


def _proxy_url(proxy: str) -> str:
    # Credentials come as ${ENV} placeholders, filled at crawl time; the host must be there already.
    parts = urlsplit(proxy)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a proxy is a URL like http://user:${{PROXY_PASSWORD}}@host:port, not {proxy!r}")
    return proxy


ProxyUrl = Annotated[str, AfterValidator(_proxy_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Locale(_Strict):
    """Where the searcher is (country, e.g. ``us``, ``cn``) and the interface language (``en``, ``zh-CN``)."""

    country: str | None = Field(default=None, max_length=10)
    language: str | None = Field(default=None, max_length=20)

    # The engines put these in their query (gl=, cc=, kl=) or pick a host by them (Yahoo, Yandex):
    # `USA` or `english` would be a wrong host or an ignored parameter on every check.
    @field_validator("country", "language")
    @classmethod
    def _code(cls, value: str | None, info: ValidationInfo) -> str | None:
        pattern, what = _CODES[str(info.field_name)]
        if value is not None and not pattern.match(value):
            raise ValueError(f"a {info.field_name} is {what}, not {value!r}")
        return value

    @property
    def label(self) -> str:
        if not self.country and not self.language:
            return "any"
        return f"{self.language or 'any'}/{(self.country or 'any').upper()}"


class EngineAccess(_Strict):
    """How to reach one engine. Defaults are polite for a real engine; the demo sets min_delay: 0."""

    min_delay: float = Field(
        default=10, ge=0, le=3600, description="seconds between two requests to this engine"
    )
    random_delay: float = Field(
        default=0.5, ge=0, le=1, description="random share of min_delay added or taken (0.5: 0.5x to 1.5x)"
    )
    concurrency: int = Field(default=1, ge=1, le=16, description="requests to this engine at once")
    user_agents: list[str] = Field(default_factory=list, description="desktop user agents to rotate")
    mobile_user_agents: list[str] = Field(default_factory=list, description="mobile user agents to rotate")
    proxies: list[ProxyUrl] = Field(default_factory=list, description="proxy URLs; ${ENV} for credentials")
    render: Literal["http", "browser"] = "http"
    wait_for: str | None = Field(default=None, description="CSS selector to wait for when rendering")
    backoff: Duration = Field(default=3600, description="after a block page: wait this long, then double")
    results_per_page: int = Field(default=10, ge=1, le=100)
    # Every engine's robots.txt disallows its result pages, so a rank tracker cannot obey it and work;
    # politeness here is the delay and the backoff. Set true to honour it anyway.
    obey_robots: bool = False

    @field_validator("wait_for")
    @classmethod
    def _wait_for(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        check_browser_css(value)
        if info.data.get("render", "browser") != "browser":
            raise ValueError("wait_for needs render: browser")
        return value

    @model_validator(mode="after")
    def _browser_has_no_proxy(self) -> EngineAccess:
        # Chromium's requests go through the address policy's proxy (spiders.browser_proxy), not
        # these: rendered, the engine would see the server's own address. Refused, not ignored.
        if self.render == "browser" and self.proxies:
            raise ValueError("proxies are not used with render: browser; use render: http with proxies, or drop them")
        return self

    def agents(self, device: str) -> tuple[str, ...]:
        if device == "mobile":
            return tuple(self.mobile_user_agents) or MOBILE_AGENTS
        return tuple(self.user_agents) or DESKTOP_AGENTS


class KeywordGroup(_Strict):
    name: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(min_length=1)
    engines: list[Engine] = Field(default_factory=lambda: ["google"], min_length=1)
    locales: list[Locale] = Field(default_factory=lambda: [Locale()], min_length=1)
    devices: list[Device] = Field(default_factory=lambda: ["desktop"], min_length=1)
    depth: int = Field(default=1, ge=1, le=10, description="result pages to check per keyword")
    domains: list[Domain] = Field(default_factory=list, description="our own domains")
    competitors: list[str] = Field(default_factory=list, description="competitor names or domains")
    weights: dict[str, float] = Field(
        default_factory=dict, description="keyword -> weight (e.g. monthly searches) for visibility"
    )
    min_move: int = Field(default=1, ge=1, description="smallest position move reported as a change")
    interval: Duration | None = None
    cron: str | None = Field(default=None, description='crontab line, e.g. "0 6 * * *" (settings.timezone)')
    tags: list[str] = Field(default_factory=list)
    base_url: str | None = Field(
        default=None, description="replaces the engines' origin (a local stand-in engine, e.g. the demo's)"
    )
    access: dict[Engine, EngineAccess] = Field(default_factory=dict)

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, keywords: list[str]) -> list[str]:
        out: list[str] = []
        for k in keywords:
            k = " ".join(str(k).split())
            if not k:
                raise ValueError("a keyword must not be empty")
            if k not in out:
                out.append(k)
        return out

    @field_validator("domains", "competitors")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v.strip()]

    @field_validator("base_url")
    @classmethod
    def _base(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, not {url!r}")
        return url.rstrip("/") if url else url

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_schedule_cron(value, info.data.get("interval"))

    @field_validator("access")
    @classmethod
    def _searched(cls, access: dict[str, EngineAccess], info: ValidationInfo) -> dict[str, EngineAccess]:
        engines: list[str] = info.data.get("engines") or []
        for engine in access if engines else ():
            if engine not in engines:
                raise ValueError(f"access given for {engine!r}, which the group does not search")
        return access

    @model_validator(mode="after")
    def _check(self) -> KeywordGroup:
        if not self.domains and not self.competitors:
            raise ValueError(f"keyword group {self.name!r} tracks no domain: give domains or competitors")
        return self

    def access_for(self, engine: str) -> EngineAccess:
        return self.access.get(engine) or EngineAccess()  # type: ignore[call-overload]


class KeywordOptions(_Strict):
    """What a keyword watch stores in `watches.options` (one keyword x engine x locale x device)."""

    group: str
    keyword: str
    engine: str
    country: str | None = None
    language: str | None = None
    locale: str = "any"
    device: str = "desktop"
    depth: int = 1
    base_url: str | None = None
    domains: list[tuple[str, str | None]] = Field(default_factory=list)  # (domain, competitor or None: ours)
    min_move: int = 1
