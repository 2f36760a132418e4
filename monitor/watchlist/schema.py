"""The watchlist: what a user may write in their YAML file, validated with pydantic.

Unknown keys are rejected everywhere (``extra="forbid"``) so a typo never silently disables a watch.
Each kind of watch brings its own section's model (`monitor.kinds.<kind>.config`); the settings,
competitors, alert channels and rules and the report schedule are the watchlist's own
(`monitor.config`). Each model checks its own fields; what needs several sections or entries at once
(a rule's channels, a watch's competitor, a rule's `when:` and `kinds:`, names and URLs given twice)
is `monitor.watchlist.check`, which the loader runs after parsing, so that every problem is reported
in one pass at the line of its entry.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field

from monitor.catalogue.config import Catalogue
from monitor.config.alerting import AlertRule, Channel
from monitor.config.report_settings import ReportSettings
from monitor.config.settings import Competitor, Settings, Strict
from monitor.config.watch_fields import WatchFields
from monitor.kinds import KINDS
from monitor.kinds.base import SpecContext, WatchSpec
from monitor.kinds.keyword.config import KeywordGroup
from monitor.kinds.listing.config import ListingWatches
from monitor.kinds.page.config import PageWatches
from monitor.kinds.product.config import ProductWatches
from monitor.kinds.site.config import SiteWatches


class Watchlist(Strict):
    settings: Settings = Field(default_factory=Settings, description="crawl limits, schedule defaults, store")
    competitors: list[Competitor] = Field(default_factory=list, description="who they are: names and domains")
    products: ProductWatches = Field(default_factory=list, description="product pages: price and stock")
    listings: ListingWatches = Field(default_factory=list, description="category, search, new-arrivals pages")
    sites: SiteWatches = Field(default_factory=list, description="whole sites: pages, titles, new content")
    pages: PageWatches = Field(default_factory=list, description="any page's text, filtered and diffed")
    keywords: list[KeywordGroup] = Field(default_factory=list, description="keyword groups to rank-track")
    channels: list[Channel] = Field(default_factory=list, description="where alerts go (Apprise URLs)")
    rules: list[AlertRule] = Field(default_factory=list, description="which changes alert whom")
    report: ReportSettings = Field(default_factory=ReportSettings, description="the weekly report")
    catalogue: Catalogue | None = Field(default=None, description="our own products: matching and the price matrix")

    def competitor_for(self, watch: WatchFields) -> str:
        """The competitor a watch belongs to: named explicitly, else by domain, else its host."""
        if watch.competitor:
            return watch.competitor
        url = watch.url
        host = (urlsplit(url).hostname or "").lower()
        netloc = urlsplit(url).netloc.lower()
        for c in self.competitors:
            for d in c.domains:
                if netloc == d or host == d or host.endswith("." + d):
                    return c.name
        return host

    def spec_context(self) -> SpecContext:
        return SpecContext(self.settings, self.competitors, self.competitor_for)

    def section(self, kind: str) -> list[object]:
        """The entries of one kind's section (`products:` for products...)."""
        return list(getattr(self, KINDS[kind].section))

    def watch_specs(self, kind: str | None = None) -> list[WatchSpec]:
        """Every watch of every kind (or of one kind), as synced into the store."""
        ctx = self.spec_context()
        names = [kind] if kind else list(KINDS)
        return [spec for name in names for spec in KINDS[name].specs(self.section(name), ctx)]
