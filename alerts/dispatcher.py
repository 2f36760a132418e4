"""The alert outbox, send side: due deliveries -> Apprise, each outcome recorded.

Life of a delivery: ``pending`` (due at `next_attempt_at`) -> claimed as ``sending`` -> ``sent``; or,
when the channel fails, back to ``pending`` with `attempts`, `last_error` (secrets masked) and a
`next_attempt_at` that backs off exponentially (`Channel.retry_backoff`, doubling, capped by
`retry_max_delay`), until `Channel.max_attempts` is reached: then ``failed`` for good (`rivalwatch
alerts retry` can force another try).

Claiming: rows are read with `FOR UPDATE SKIP LOCKED` and each is claimed by one conditional UPDATE (same id, status and attempt count as read) in a
committed transaction before anything is sent, so two dispatchers, threads or machines never send the
same row at once. The claim is a lease: `next_attempt_at` is moved `LEASE` seconds ahead, and a row
still ``sending`` when its lease ends is taken to belong to a dispatcher that died and is claimed again.

Order: a channel hears its messages in the order they were written (the order the changes
happened). A delivery is not claimed while an older one of the same channel waits for a retry or is
being sent, and a pass that fails to reach a channel sends nothing more to it; so after an outage
the last message a person reads carries the latest price, not a stale one. Deliveries held by quiet
hours or collecting a digest window are not yet due and hold nothing up.

Delivery is *at least once*. A process killed after the service accepted a message but before the row
was marked ``sent`` leaves the row ``sending``; once the lease ends it is sent again. The receiver can
recognise the resend: every message carries its dedup key in the body footer, and emails also carry it
in the ``X-Rivalwatch-Dedup-Key`` header. Nothing is ever dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channel_addresses import STRICT, AddressRules
from alerts.channels import ChannelError, ChannelResult, build, channel_secrets, message_format
from alerts.channels import send as send_message
from alerts.templates import default_renderer
from models.outbox import AlertDelivery
from monitor.config.alerting import Channel
from monitor.config.secrets import mask_secrets, resolve_env
from monitor.rules import quiet_until, retry_delay
from monitor.watchlist import Watchlist

log = logging.getLogger("rivalwatch.alerts")

LEASE = 300.0  # seconds a claim lasts; a send (with Apprise's own timeouts) finishes well within it


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher owns until it records the outcome (a snapshot, detached from any session)."""

    id: int
    channel: str
    title: str
    body: str
    body_format: str
    attachments: tuple[str, ...]
    dedup_key: str
    attempts: int
    severity: str = "warning"


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _blockers(session: Session, channels: set[str], now: datetime) -> dict[str, tuple[datetime, int]]:
    """Per channel, the oldest delivery that younger ones must wait for: one waiting for a retry
    (tried, failed, not due yet) or being sent by a dispatcher whose lease still runs."""
    if not channels:
        return {}
    rows = session.execute(
        select(AlertDelivery.channel, AlertDelivery.created_at, AlertDelivery.id)
        .where(
            AlertDelivery.channel.in_(sorted(channels)),
            AlertDelivery.status.in_(("pending", "sending")),
            AlertDelivery.next_attempt_at > now,
            or_(AlertDelivery.attempts > 0, AlertDelivery.status == "sending"),
        )
        .order_by(AlertDelivery.created_at, AlertDelivery.id)
    ).all()
    out: dict[str, tuple[datetime, int]] = {}
    for channel, created, row_id in rows:
        out.setdefault(channel, (created, row_id))
    return out


def claim_due(
    session_factory: sessionmaker[Session],
    now: datetime | None = None,
    limit: int | None = None,
    lease: float = LEASE,
) -> list[Claimed]:
    """Claim the deliveries due now (pending, or sending with an expired lease) for this dispatcher,
    oldest first, keeping each channel's order (see the module doc)."""
    now = _utc(now)
    claimed: list[Claimed] = []
    with session_factory.begin() as session:
        query = (
            select(AlertDelivery)
            .where(AlertDelivery.status.in_(("pending", "sending")), AlertDelivery.next_attempt_at <= now)
            .order_by(AlertDelivery.created_at, AlertDelivery.id)
        )
        if limit:
            query = query.limit(limit)
        # Row locks: what another dispatcher is claiming right now is skipped, not waited for (on
        # PostgreSQL; SQLite has one writer at a time anyway). A skipped row holds its channel's
        # younger rows back, as a row being sent does.
        rows = session.scalars(query.with_for_update(skip_locked=True)).all()
        blockers = _blockers(session, {r.channel for r in rows}, now)
        taken = {r.id for r in rows}
        for row_id, channel, created in session.execute(
            query.with_only_columns(AlertDelivery.id, AlertDelivery.channel, AlertDelivery.created_at)
        ).all():
            if row_id not in taken and (created, row_id) < blockers.get(channel, (created, row_id + 1)):
                blockers[channel] = (created, row_id)
        for row in rows:
            blocker = blockers.get(row.channel)
            if blocker is not None and (row.created_at, row.id) > blocker:
                continue  # an older message of this channel goes first
            won = session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id == row.id,
                    AlertDelivery.status == row.status,
                    AlertDelivery.attempts == row.attempts,
                    AlertDelivery.revision == row.revision,  # a digest window that grew meanwhile is read again
                )
                .values(
                    status="sending",
                    attempts=row.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=lease),
                )
                .execution_options(synchronize_session=False)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]  (an UPDATE's CursorResult)
                claimed.append(
                    Claimed(
                        id=row.id,
                        channel=row.channel,
                        title=row.title,
                        body=row.body,
                        body_format=row.body_format,
                        attachments=tuple(row.attachments or ()),
                        dedup_key=row.dedup_key,
                        attempts=row.attempts + 1,
                        severity=row.severity,
                    )
                )
            else:
                blockers.setdefault(row.channel, (row.created_at, row.id))  # someone else has it: keep order
    return claimed


def release(session_factory: sessionmaker[Session], claimed: Claimed, now: datetime | None = None) -> None:
    """Give back a claimed delivery unsent (its channel failed earlier in this pass): due again at
    once, behind the failed one, with its attempt not counted."""
    with session_factory.begin() as session:
        session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.id == claimed.id,
                AlertDelivery.status == "sending",
                AlertDelivery.attempts == claimed.attempts,
            )
            .values(status="pending", attempts=claimed.attempts - 1, next_attempt_at=_utc(now))
            .execution_options(synchronize_session=False)
        )


def deliver(
    claimed: Claimed,
    channel: Channel | None,
    env: Mapping[str, str],
    app=None,  # noqa: ANN001
    rules: AddressRules = STRICT,
) -> ChannelResult:
    """Send one claimed delivery (no store access), its servers under the address policy's `rules`."""
    if channel is None:
        return ChannelResult(
            claimed.channel, False, f"channel {claimed.channel!r} is not in the watchlist any more"
        )
    return send_message(
        channel,
        claimed.title,
        claimed.body,
        claimed.body_format,
        env=env,
        attachments=claimed.attachments,
        dedup_key=claimed.dedup_key,
        app=app,
        severity=claimed.severity,
        rules=rules,
    )


def record_result(
    session_factory: sessionmaker[Session],
    claimed: Claimed,
    result: ChannelResult,
    channel: Channel | None,
    now: datetime | None = None,
    secrets: list[str] | None = None,
) -> str:
    """Mark the row sent, or failed with retry (backoff) or for good; returns the new status."""
    now = _utc(now)
    with session_factory.begin() as session:
        if result.ok:
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == claimed.id)
                .values(status="sent", sent_at=now, last_error=None)
                .execution_options(synchronize_session=False)
            )
            return "sent"
        error = mask_secrets(result.error or "unknown error", secrets or [])[:2000]
        max_attempts = channel.max_attempts if channel else 1
        final = result.final or claimed.attempts >= max_attempts  # a refused address stays refused
        retry_at = now + timedelta(seconds=retry_delay(channel, claimed.attempts) if channel else 0)
        if channel is not None:  # a retry that would land in quiet hours waits for their end
            retry_at = quiet_until(channel.quiet_hours, retry_at, claimed.severity) or retry_at
        status = "failed" if final else "pending"
        session.execute(
            update(AlertDelivery)
            # Only while we still own it: a dispatcher that re-claimed after our lease records its own outcome.
            .where(AlertDelivery.id == claimed.id, AlertDelivery.attempts == claimed.attempts)
            .values(status=status, last_error=error, next_attempt_at=retry_at)
            .execution_options(synchronize_session=False)
        )
        return status


def dispatch_pending(
    session_factory: sessionmaker[Session],
    watchlist: Watchlist,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    lease: float = LEASE,
) -> DispatchReport:
    """Send the deliveries due now through Apprise and record each outcome (see the module doc)."""
    values = resolve_env(env, watchlist.settings.secrets_file)
    rules = AddressRules.of(watchlist.settings)
    channels = {c.name: c for c in watchlist.channels}
    report = DispatchReport()
    apps: dict[str, object] = {}
    unreachable: set[str] = set()
    for claimed in claim_due(session_factory, now, limit, lease):
        if claimed.channel in unreachable:  # sending it now would overtake the one that just failed
            release(session_factory, claimed, now)
            continue
        channel = channels.get(claimed.channel)
        secrets = channel_secrets(channel, values) if channel else []
        app = None
        if channel is not None and claimed.channel not in apps:
            try:
                apps[claimed.channel] = build(channel, values)
            except ChannelError:
                apps[claimed.channel] = None  # send() rebuilds it and reports the reason
        app = apps.get(claimed.channel)
        result = deliver(claimed, channel, values, app=app, rules=rules)
        status = record_result(session_factory, claimed, result, channel, now, secrets)
        if status == "sent":
            report.sent += 1
        elif status == "pending":
            report.retrying += 1
        else:
            report.failed += 1
        if not result.ok:
            unreachable.add(claimed.channel)
            report.errors.append(mask_secrets(result.error or "", secrets))
        log.info(
            "alert delivery id=%s channel=%s status=%s attempts=%s key=%s%s",
            claimed.id,
            claimed.channel,
            status,
            claimed.attempts,
            claimed.dedup_key,
            f" error={mask_secrets(result.error or '', secrets)!r}" if not result.ok else "",
        )
    return report


def force_due(
    session_factory: sessionmaker[Session],
    ids: list[int] | None = None,
    include_failed: bool = True,
    now: datetime | None = None,
) -> int:
    """Make pending (and failed) deliveries due now; failed ones get one more try. Returns how many."""
    now = _utc(now)
    statuses = ("pending", "failed") if include_failed else ("pending",)
    with session_factory.begin() as session:
        query = update(AlertDelivery).where(AlertDelivery.status.in_(statuses))
        if ids:
            query = query.where(AlertDelivery.id.in_(ids))
        result = session.execute(
            query.values(status="pending", next_attempt_at=now).execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined]  (an UPDATE's CursorResult)


def backlog(session: Session) -> dict[str, int]:
    """Deliveries per status (for `status` and `alerts log`)."""
    rows = session.execute(select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)).all()
    return {status: count for status, count in rows}


def send_test_messages(watchlist: Watchlist, env: Mapping[str, str] | None = None) -> list[ChannelResult]:
    """A test message to every channel of the watchlist, in its language and format; one result each."""
    values = resolve_env(env, watchlist.settings.secrets_file)
    rules = AddressRules.of(watchlist.settings)
    results = []
    for channel in watchlist.channels:
        fmt = message_format(channel)
        message = default_renderer().render_test(channel.name, channel.locale, fmt)
        results.append(send_message(channel, message.title, message.body, fmt, env=values, rules=rules))
    return results
