"""What a series' scorer says and keeps before it has a model: its score type, its first point.

Without numpy, so that a crawl in which every series is new or unmoved (a first run; a run where no
price changed) never imports it (a fifth of a second and 14 MB): `SeriesScorer` (monitor.anomaly.scorer)
is loaded only when a series has history to score against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.anomaly.config import ScorerConfig

STATE_VERSION = 2


@dataclass(frozen=True)
class AnomalyScore:
    """How anomalous a point is: `score` in [0, 1] (0.9: beyond anything the series did before by a
    whole usual range; ~0: familiar ground), or None while the series has too little history; a
    sentence for people; the evidence by observable for rules and reports."""

    score: float | None
    explanation: str
    components: dict[str, float] = field(default_factory=dict)


def _cadence(times: list[datetime | None]) -> str:
    """What one point of the series is, from its timestamps (days until they say otherwise: market
    series are daily)."""
    stamps = [t for t in times if t is not None]
    if len(stamps) >= 2:
        step = (stamps[-1] - stamps[0]).total_seconds() / (len(stamps) - 1)
        if step < 50 * 60:
            return "points"
        if step < 20 * 3600:
            return "hours"
    return "days"


def absent(label: str, seen: int, needed: int, times: list[datetime | None]) -> str:
    return f"{label}: not enough history yet ({seen} of {needed} {_cadence(times)})"


def usable(value: float, transform: str) -> bool:
    """Whether the model can take `value` (monitor.anomaly.model.transform gives a number, not NaN)."""
    if not math.isfinite(value):
        return False
    if transform == "log":
        return value > 0
    if transform == "log1p":
        return value >= 0
    return True


def pack_times(times: list[datetime | None]) -> dict:
    """Times as one ISO start and whole seconds after it: a few bytes per point instead of thirty."""
    start = next((t for t in times if t is not None), None)
    offsets = [None if t is None or start is None else round((t - start).total_seconds()) for t in times]
    return {"start": start.isoformat() if start else None, "offsets": offsets}


def unpack_times(packed: dict) -> list[datetime | None]:
    start = datetime.fromisoformat(packed["start"]) if packed["start"] else None
    return [None if s is None or start is None else start + timedelta(seconds=s) for s in packed["offsets"]]


def first_point(
    timestamp: datetime | None, value: float, config: ScorerConfig | None = None, label: str = "value"
) -> tuple[AnomalyScore, dict] | None:
    """What a new `SeriesScorer`'s first `update(timestamp, value)` returns and the `state_dict()` it
    then has, without building its model: a first point is never scored, and the first check of
    every watch in a new store would otherwise pay for a model's arrays, a numpy step and a state (a
    quarter of a millisecond each, a tenth of a first crawl's extraction). The score carries the
    history count only (`components`). None when the shortcut does not apply (a model that scores
    from the first point, a value the model cannot use): a scorer's `update` then."""
    config = config or ScorerConfig()
    if config.min_history < 1 or not usable(float(value), config.transform):
        return None
    score = AnomalyScore(None, absent(label, 0, config.min_history, []), {"history": 0.0})
    state = {
        "version": STATE_VERSION,
        "config": config.to_dict(),
        "label": label,
        "seen": 1,
        "values": [float(value)],
        "times": pack_times([timestamp]),
    }
    return score, state
