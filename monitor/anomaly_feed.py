"""Feeds each product's price series to its streaming anomaly scorer and scores price changes.

A price series is a step function checked many times a day; the scorer sees one point per day, plus a
point whenever the price moves, so its history means days. States are loaded for a crawl's watches in
one query and written back with the observations, so a restart resumes where it left off. Until a
series has enough history its changes carry no score (None) and say so in words.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

import monitor.anomaly as anomaly
from models.series import SeriesState
from monitor.anomaly.first import AnomalyScore, first_point
from monitor.changes.record import DetectedChange

log = logging.getLogger(__name__)
DAILY = timedelta(hours=20)
PRICE_KINDS = frozenset({"price_down", "price_up"})


def price_key(watch_id: int) -> str:
    return f"price:{watch_id}"


class PriceAnomalyFeed:
    def __init__(self, states: dict[str, SeriesState]) -> None:
        self._rows = states
        self._scorers: dict[str, anomaly.SeriesScorer] = {}
        self._dirty: dict[str, dict] = {}
        self._first: dict[str, dict] = {}  # states of series begun in this crawl, without a scorer

    @classmethod
    def load(cls, session: Session, watch_ids: list[int]) -> PriceAnomalyFeed:
        keys = [price_key(w) for w in watch_ids]
        rows = (
            {r.key: r for r in session.scalars(select(SeriesState).where(SeriesState.key.in_(keys)))}
            if keys
            else {}
        )
        for row in rows.values():
            session.expunge(row)
        return cls(rows)

    def observe(self, watch_id: int, at: datetime, price: float | None) -> AnomalyScore | None:
        """Feed a good observation's price; returns the score of the point when one was fed."""
        if price is None:
            return None
        key = price_key(watch_id)
        last = self._dirty.get(key) or (
            {"last_value": self._rows[key].last_value, "last_at": self._rows[key].last_at}
            if key in self._rows
            else None
        )
        if (
            last is not None
            and last["last_value"] == price
            and last["last_at"]
            and at - last["last_at"] < DAILY
        ):
            return None  # same price, same day: nothing new for a daily series
        scorer = self._scorers.get(key)
        if scorer is None and key not in self._rows and key not in self._first:
            first = first_point(at, price, label="price")
            if first is not None:  # a new series: its first point, never scored, without a model
                score, self._first[key] = first
                self._dirty[key] = {"key": key, "watch_id": watch_id, "last_value": price, "last_at": at}
                return score
        if scorer is None:
            scorer = self._restore(key)
            self._scorers[key] = scorer
        score = scorer.update(at, price)
        self._dirty[key] = {"key": key, "watch_id": watch_id, "last_value": price, "last_at": at}
        return score

    def _restore(self, key: str) -> anomaly.SeriesScorer:
        """The stored scorer, or a fresh one when there is none or it cannot be read (a state from a
        model that no longer exists): the state only remembers history, so starting afresh costs
        `min_history` days without a score, never a wrong one."""
        state = self._first.pop(key, None) or (self._rows[key].state if key in self._rows else None)
        if state is not None:
            try:
                return anomaly.SeriesScorer.from_state(state)  # numpy is loaded here, on first use
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("anomaly state %s reset: %s", key, exc)
        return anomaly.SeriesScorer(label="price")

    def annotate(self, changes: list[DetectedChange], score: AnomalyScore | None) -> list[DetectedChange]:
        """Price changes carry the anomaly score of the point that moved (None, with the reason in
        the explanation, while the series has too little history)."""
        if score is None:
            return changes
        value = None if score.score is None else round(score.score, 4)
        return [
            dataclasses.replace(
                c,
                details={**c.details, "anomaly_score": value, "anomaly_explanation": score.explanation},
            )
            if c.kind in PRICE_KINDS
            else c
            for c in changes
        ]

    def write(self, session: Session, now: datetime) -> None:
        if not self._dirty:
            return
        rows = []
        for key, row in self._dirty.items():
            # A scorer already written once in this crawl (and dropped) left its state in _rows.
            scorer = self._scorers.get(key)
            # A new series' first state stays in _first until _rows has it: a write that fails
            # before that is tried again with it.
            state = scorer.state_dict() if scorer is not None else self._first.get(key) or self._rows[key].state
            rows.append({**row, "state": state, "updated_at": now})
        session.execute(delete(SeriesState).where(SeriesState.key.in_(list(self._dirty))))
        session.execute(insert(SeriesState), rows)
        for row in rows:
            self._rows[row["key"]] = SeriesState(**row)
            self._first.pop(row["key"], None)
            # Stored: a second check of the watch in this crawl restores it from its state. A live scorer
            # holds its model's arrays (~15 KB): 2,000 of them would outweigh the crawl itself.
            self._scorers.pop(row["key"], None)
        written = dict(self._dirty)

        def committed(_session: Session) -> None:
            # Clean only once the store has them: a write that fails is tried again with them.
            for key, row in written.items():
                if self._dirty.get(key) is row:
                    del self._dirty[key]

        event.listen(session, "after_commit", committed, once=True)
