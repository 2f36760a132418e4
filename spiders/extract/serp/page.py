"""The records a parsed search engine result page turns into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Page kinds. Only RESULTS and NO_RESULTS are good observations; BLOCKED and NEEDS_RENDER
# are failed observations the tracker retries, never "not ranked".
RESULTS = "results"
NO_RESULTS = "no_results"
BLOCKED = "blocked"
NEEDS_RENDER = "needs_render"
CONSENT = "consent"  # a cookie or privacy dialog to accept first: failed, but not a block
PAGE_KINDS = (RESULTS, NO_RESULTS, BLOCKED, NEEDS_RENDER, CONSENT)

FEATURES = (
    "featured_snippet",
    "people_also_ask",
    "local_pack",
    "images",
    "videos",
    "news",
    "shopping",
)


@dataclass(frozen=True)
class SerpResult:
    """One organic result, ad or vertical item, ranked from 1 in page order within its list.

    `block` names the engine's own block a vertical item comes from ("local_pack", "news",
    "market"...); it is "" for organic results and ads."""

    rank: int
    url: str
    title: str
    snippet: str
    block: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"rank": self.rank, "url": self.url, "title": self.title, "snippet": self.snippet}
        if self.block:
            out["block"] = self.block
        return out


@dataclass(frozen=True)
class SerpPage:
    """What one result page says: its kind, organic results in order, ads, the engine's vertical
    blocks (local pack, news, market...) and SERP features.

    `reason` explains a page that is not ``results`` (which captcha, which message), so a
    failed observation can be shown to the user with its cause.
    """

    engine: str
    kind: str
    organic: list[SerpResult] = field(default_factory=list)
    ads: list[SerpResult] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    result_count_text: str | None = None
    reason: str | None = None
    verticals: list[SerpResult] = field(default_factory=list)  # the engine's own blocks, never organic

    @property
    def ok(self) -> bool:
        """True when the page is a good observation (results, or a confirmed empty page)."""
        return self.kind in (RESULTS, NO_RESULTS)

    def to_json(self, file: str | None = None) -> dict[str, Any]:
        return {
            "file": file,
            "engine": self.engine,
            "kind": self.kind,
            "organic": [r.to_json() for r in self.organic],
            "ads": [r.to_json() for r in self.ads],
            "verticals": [r.to_json() for r in self.verticals],
            "features": list(self.features),
            "result_count_text": self.result_count_text,
            "reason": self.reason,
        }
