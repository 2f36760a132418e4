"""The change record every detector returns, whatever the watch kind."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DetectedChange:
    """One thing that moved between two good observations of a watch.

    `kind` is a registered change kind (`monitor.kinds.CHANGE_KINDS`: ``price_down``,
    ``out_of_stock``, ``listing_item_added``, ``rank_moved``, ``page_added``, ``content_changed``...);
    alert rules, labels and the report read what it means from there. `magnitude` is the signed
    relative move where one applies (-0.23 for a 23% drop). `competitor_id` names the competitor the
    change is about when that is not the watch's own (a competitor's domain on a result page).
    """

    kind: str
    summary: str
    field: str | None = None
    old: str | None = None
    new: str | None = None
    magnitude: float | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    competitor_id: int | None = None
