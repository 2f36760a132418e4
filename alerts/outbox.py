"""The alert outbox, write side: a crawl run's changes -> pending `AlertDelivery` rows.

Every message is written here before anything is sent (the dispatcher sends later), so a crash never
loses an alert. What decides the rows:

- rules (`monitor.rules.match_change`) pick the changes and the channels that hear about them;
- a channel in ``immediate`` mode gets one delivery per change, one in ``digest`` mode one per run
  grouping all its changes;
- a change alerts a channel once: changes already covered by a delivery of this run to that channel are
  skipped, so calling `enqueue_run_alerts` twice for a run creates nothing the second time. The
  `dedup_key` is unique in the table and is shown to the receiver (message footer, email header);
- a rule with a `cooldown` fires at most once per watch within it (earlier deliveries count);
- a channel in its quiet hours gets the delivery now, due when they end (``extra["held_until"]``).

The caller owns the transaction: rows are added and flushed, not committed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.channels import message_format
from alerts.templates import MessageItem, default_renderer
from models.catalog import Competitor, Watch
from models.change import Change
from models.outbox import AlertDelivery
from monitor.config.alerting import AlertRule, Channel
from monitor.rules import ChangeFacts, ChannelMatch, match_change, quiet_until, severity_rank, to_decimal
from monitor.watchlist import Watchlist


def _short_hash(text: str, n: int = 10) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def dedup_key(run_id: int | None, channel: str, change_ids: list[int]) -> str:
    """Stable for the same run, channel and changes: the receiver can drop a resend carrying a seen key."""
    ids = sorted(change_ids)
    what = f"c{ids[0]}" if len(ids) == 1 else f"d{len(ids)}-{_short_hash(','.join(map(str, ids)), 8)}"
    return f"rw-r{run_id if run_id is not None else 0}-{what}-{_short_hash(channel, 8)}"


def change_facts(change: Change, watch: Watch | None, competitor: Competitor | None) -> ChangeFacts:
    options = (watch.options if watch else None) or {}
    details = dict(change.details or {})
    if change.anomaly_explanation:
        details.setdefault("anomaly_explanation", change.anomaly_explanation)
    return ChangeFacts(
        kind=change.kind,
        summary=change.summary,
        field=change.field,
        old=change.old,
        new=change.new,
        magnitude=change.magnitude,
        anomaly_score=change.anomaly_score,
        details=details,
        change_id=change.id,
        watch_id=change.watch_id,
        watch_kind=watch.kind if watch else "product",
        watch_label=(watch.label if watch else None) or None,
        watch_url=watch.url if watch else None,
        watch_tags=tuple(watch.tags or ()) if watch else (),
        competitor=competitor.name if competitor else None,
        competitor_tags=tuple(competitor.tags or ()) if competitor else (),
        our_price=_price_option(options.get("our_price")),
        map_price=_price_option(options.get("map_price")),
        detected_at=change.detected_at,
    )


def _price_option(value: object) -> Decimal | None:
    return to_decimal(value) if value is not None else None


def run_changes(session: Session, run_id: int) -> list[ChangeFacts]:
    rows = session.execute(
        select(Change, Watch, Competitor)
        .outerjoin(Watch, Watch.id == Change.watch_id)
        # A change names its competitor when the pipeline knew it; otherwise the watch's competitor counts.
        .outerjoin(Competitor, Competitor.id == func.coalesce(Change.competitor_id, Watch.competitor_id))
        .where(Change.run_id == run_id)
        .order_by(Change.id)
    ).all()
    return [change_facts(c, w, comp) for c, w, comp in rows]


def _last_alerts(
    session: Session, rules: list[AlertRule], now: datetime
) -> dict[tuple[str, int | None], datetime]:
    """When each (rule, watch) last produced a delivery, within the longest cooldown."""
    longest = max((r.cooldown or 0 for r in rules), default=0)
    if not longest:
        return {}
    since = now - timedelta(seconds=longest)
    last: dict[tuple[str, int | None], datetime] = {}
    rows = session.execute(
        select(AlertDelivery.created_at, AlertDelivery.extra).where(AlertDelivery.created_at >= since)
    ).all()
    for created, extra in rows:
        for match in (extra or {}).get("matches", []):
            for rule in match.get("rules", []):
                key = (rule, match.get("watch_id"))
                if key not in last or created > last[key]:
                    last[key] = created
    return last


def _cooling(
    rule: AlertRule, watch_id: int | None, last: dict[tuple[str, int | None], datetime], now: datetime
) -> bool:
    last_at = last.get((rule.name, watch_id)) if rule.cooldown else None
    return last_at is not None and now - last_at < timedelta(seconds=rule.cooldown or 0)


def _covered(session: Session, run_id: int) -> set[tuple[str, int]]:
    rows = session.execute(
        select(AlertDelivery.channel, AlertDelivery.change_ids).where(AlertDelivery.run_id == run_id)
    ).all()
    return {(channel, cid) for channel, ids in rows for cid in ids or ()}


def _delivery(matches: list[ChannelMatch], channel: Channel, run_id: int, now: datetime) -> AlertDelivery:
    ids = [m.change.change_id for m in matches if m.change.change_id is not None]
    key = dedup_key(run_id, channel.name, ids)
    severity = max((m.severity for m in matches), key=severity_rank)
    fmt = message_format(channel)
    items = [MessageItem(m.change, m.severity, tuple(r.name for r in m.rules)) for m in matches]
    message = default_renderer().render(items, channel.locale, fmt, key)
    rules = sorted({r.name for m in matches for r in m.rules})
    held = quiet_until(channel.quiet_hours, now, severity)
    extra: dict[str, object] = {
        "matches": [
            {
                "change_id": m.change.change_id,
                "watch_id": m.change.watch_id,
                "rules": [r.name for r in m.rules],
            }
            for m in matches
        ],
        "mode": channel.mode,
        "locale": channel.locale,
    }
    if held is not None:
        extra["held_until"] = held.isoformat()
    return AlertDelivery(
        dedup_key=key,
        channel=channel.name,
        rule=",".join(rules)[:200] or None,
        severity=severity,
        run_id=run_id,
        change_ids=ids,
        title=message.title,
        body=message.body,
        body_format=message.format,
        attachments=[],
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=held or now,
        extra=extra,
    )


def enqueue_run_alerts(
    session: Session, run_id: int, watchlist: Watchlist, now: datetime | None = None
) -> int:
    """Turn this run's changes into pending deliveries; returns how many were created (see module doc)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rules, channels = list(watchlist.rules), list(watchlist.channels)
    if not rules or not channels:
        return 0
    covered = _covered(session, run_id)
    last = _last_alerts(session, rules, now)
    per_channel: dict[str, list[ChannelMatch]] = defaultdict(list)
    for facts in run_changes(session, run_id):
        active = [r for r in rules if not _cooling(r, facts.watch_id, last, now)]
        matches = [
            m
            for m in match_change(facts, active, channels)
            if (m.channel.name, facts.change_id) not in covered
        ]
        fired = {r.name for m in matches for r in m.rules}
        for name in fired:  # the cooldown starts now, also for the rest of this run
            last[(name, facts.watch_id)] = now
        for m in matches:
            per_channel[m.channel.name].append(m)
    created = 0
    by_name = {c.name: c for c in channels}
    for name, matches in per_channel.items():
        channel = by_name[name]
        groups = [matches] if channel.mode == "digest" else [[m] for m in matches]
        for group in groups:
            session.add(_delivery(group, channel, run_id, now))
            created += 1
    session.flush()
    return created
