"""Field candidates: one value for one field from one source, with a score, and the choice between them.

Every signal of a page (selectors, JSON-LD, microdata, meta tags, shop JSON, visible heuristics)
proposes candidates; the winner of each field is the highest score, earlier candidates winning ties.
Keeping the losers lets `--explain` show what else the page offered and why it lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FIELDS = ("name", "price", "currency", "availability", "sku", "brand")

# Base trust of each source; heuristics add their own evidence on top of theirs.
SOURCE_SCORE = {
    "selector": 100.0,
    "json-ld": 10.0,
    "microdata": 9.5,
    "rdfa": 9.0,
    "opengraph": 8.0,
    "meta": 7.5,
    "shop-json": 7.0,
    "heuristic": 5.0,
    "url": 3.0,
}


@dataclass
class Candidate:
    """A proposed value for a field, where it came from and why it scores what it scores."""

    field: str
    value: Any
    source: str
    score: float
    detail: str = ""
    currency: str | None = None  # the currency text seen with a price candidate

    def to_json(self) -> dict[str, Any]:
        value = str(self.value) if isinstance(self.value, Decimal) else self.value
        out = {"value": value, "source": self.source, "score": round(self.score, 2), "detail": self.detail}
        if self.currency:
            out["currency"] = self.currency
        return out


@dataclass
class Candidates:
    """All candidates of one page, by field, in the order they were proposed."""

    by_field: dict[str, list[Candidate]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    visible_prices: set[Decimal] = field(default_factory=set)  # amounts shown in price-like elements

    def add(
        self,
        field_name: str,
        value: Any,
        source: str,
        bonus: float = 0.0,
        detail: str = "",
        currency: str | None = None,
    ) -> None:
        """Propose a value; empty values are ignored so callers need not check."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if isinstance(value, str):
            value = " ".join(value.split())
        score = SOURCE_SCORE.get(source, 1.0) + bonus
        self.by_field[field_name].append(Candidate(field_name, value, source, score, detail, currency))

    def best(self, field_name: str) -> Candidate | None:
        """The winning candidate of a field: highest score, the first proposed among equals."""
        best: Candidate | None = None
        for cand in self.by_field[field_name]:
            if best is None or cand.score > best.score:
                best = cand
        return best

    def cross_check_prices(self, penalty: float = 3.0) -> None:
        """Prefer structured prices the page also shows: a buyer sees the shown one.

        When some structured price (JSON-LD, microdata, meta) is shown in a price element and
        another is not, the unshown one loses trust: it is often a starting bid, a list price or
        a stale value.
        """
        structured = [c for c in self.by_field["price"] if c.source not in ("heuristic", "selector", "url")]
        seen = [c for c in structured if c.value in self.visible_prices]
        if not seen:
            return
        for cand in seen:
            cand.score += 0.5
            cand.detail += ", shown on the page"
        for cand in structured:
            if cand not in seen:
                cand.score -= penalty
                cand.detail += ", not shown on the page"

    def has(self, field_name: str, source: str) -> bool:
        return any(c.source == source for c in self.by_field[field_name])
