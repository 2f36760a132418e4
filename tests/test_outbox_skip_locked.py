"""Two dispatchers on PostgreSQL: a delivery another dispatcher has locked is skipped, not waited for and
not sent twice, and the younger deliveries of its channel wait behind it (each channel keeps its order)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.dispatcher import claim_due
from models.outbox import AlertDelivery


def _row(key: str, channel: str, created: datetime) -> AlertDelivery:
    return AlertDelivery(
        dedup_key=key, channel=channel, title=key, body=key, created_at=created, next_attempt_at=created
    )


def test_a_row_locked_by_another_dispatcher_is_skipped_and_holds_its_channel(pg_sessions) -> None:  # noqa: ANN001
    t0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
    with pg_sessions.begin() as s:
        s.add_all(
            [
                _row("mail-1", "mail", t0),
                _row("mail-2", "mail", t0 + timedelta(seconds=1)),
                _row("chat-1", "chat", t0 + timedelta(seconds=2)),
            ]
        )
    other = pg_sessions()  # another dispatcher, in the middle of claiming mail-1
    try:
        other.begin()
        other.scalars(
            select(AlertDelivery).where(AlertDelivery.dedup_key == "mail-1").with_for_update()
        ).all()
        claimed = claim_due(pg_sessions, t0 + timedelta(minutes=1))  # returns at once: skips, never waits
        assert [c.dedup_key for c in claimed] == ["chat-1"]  # mail-2 waits behind the locked mail-1
    finally:
        other.rollback()
        other.close()
    claimed = claim_due(pg_sessions, t0 + timedelta(minutes=1))
    assert [c.dedup_key for c in claimed] == ["mail-1", "mail-2"]  # unlocked: one dispatcher, in order
    assert claim_due(pg_sessions, t0 + timedelta(minutes=1)) == []
