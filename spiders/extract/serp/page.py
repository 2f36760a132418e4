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
PAGE_KINDS = (RESULTS, NO_RESULTS, BLOCKED, NEEDS_RENDER)

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
    """One organic result or ad, ranked from 1 in page order."""

    rank: int
    url: str
    title: str
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "url": self.url, "title": self.title, "snippet": self.snippet}


@dataclass(frozen=True)
class SerpPage:
    """What one result page says: its kind, organic results in order, ads and SERP features.

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
            "features": list(self.features),
            "result_count_text": self.result_count_text,
            "reason": self.reason,
        }
