"""The change record every detector returns, whatever the watch kind."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DetectedChange:
    """One thing that moved between two good observations of a watch.

    `kind` is a stable machine name (``price_down``, ``out_of_stock``, ``listing_item_added``,
    ``rank_moved``, ``page_added``, ``content_changed`` ...); alert rules match on it.
    `magnitude` is the signed relative move where one applies (-0.23 for a 23% drop).
    """

    kind: str
    summary: str
    field: str | None = None
    old: str | None = None
    new: str | None = None
    magnitude: float | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
