"""The alert outbox, write side: a crawl run's changes -> pending `AlertDelivery` rows.

Every message is written here before anything is sent (the dispatcher sends later), so a crash never
loses an alert. What decides the rows:

- rules (`monitor.rules.match_change`) pick the changes and the channels that hear about them, and
  each rule that fired says why (`monitor.rules.explain`: our price and the gap, the MAP, the
  threshold), kept with the delivery so a message renders the same after a restart;
- one subject is one item: the rank changes of one keyword x domain in one check (it moved down 2
  and left the top 10) are one item, whatever number of rank rules matched;
- a channel in ``immediate`` mode gets one delivery per item; a ``digest`` channel one per window
  (`every: 1h`, `at: ["09:00"]`, in its time zone; `monitor.rules.digest_window`): the window's row
  collects every run's items until the window ends, then it is due. `every: run` keeps one digest
  per check run;
- a change alerts a channel once: `alert_delivery_changes` holds (change, channel) uniquely, so
  calling `enqueue_run_alerts` twice for a run creates nothing the second time, and a restart in the
  middle of a window neither loses nor repeats a change. The `dedup_key` is unique in the table and is
  shown to the receiver (message footer, email header);
- a rule with a `cooldown` fires at most once per watch within it (earlier deliveries count);
- a channel in its quiet hours gets the delivery now, due when they end (``extra["held_until"]``);
  for a window, when its end falls in them.

Appending to a window is a conditional UPDATE on the row's `revision` (and on its still being
pending, never tried): an append that lost a race with another append reads again; one that lost to
the dispatcher's claim starts a new row for the same window, sent after it. The caller owns the
transaction: rows are added and flushed, not committed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.channels import message_format
from alerts.templates import MessageItem, Window, default_renderer
from models.catalog import Competitor, Watch
from models.change import Change
from models.outbox import AlertDelivery, AlertDeliveryChange
from monitor.config.alerting import AlertRule, Channel
from monitor.kinds import kinds_counted_as
from monitor.kinds.base import read_options
from monitor.kinds.product.config import ProductOptions
from monitor.rules import (
    ChangeFacts,
    ChannelMatch,
    RuleReason,
    change_competitor,
    digest_window,
    explain,
    facts_of,
    match_change,
    quiet_until,
    severity_rank,
    top_severity,
)
from monitor.watchlist import Watchlist

RANK_KINDS = kinds_counted_as("keywords")  # one keyword x domain's changes of one check: one item
APPEND_TRIES = 8


def _short_hash(text: str, n: int = 10) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def dedup_key(run_id: int | None, channel: str, change_ids: list[int]) -> str:
    """Stable for the same run, channel and changes: the receiver can drop a resend carrying a seen key."""
    ids = sorted(change_ids)
    what = f"c{ids[0]}" if len(ids) == 1 else f"d{len(ids)}-{_short_hash(','.join(map(str, ids)), 8)}"
    return f"rw-r{run_id if run_id is not None else 0}-{what}-{_short_hash(channel, 8)}"


def window_key(channel: str, window_end: datetime, late: int = 0) -> str:
    """One digest window of one channel; a late row for the same window gets a suffix."""
    return f"rw-w{int(window_end.timestamp())}-{_short_hash(channel, 8)}" + (f"-{late}" if late else "")


def change_facts(change: Change, watch: Watch | None, competitor: Competitor | None) -> ChangeFacts:
    """A stored change with its watch and competitor, as the rules see it."""
    # A product's prices through its own model, as the report reads them (one reading of the options).
    opts = read_options(ProductOptions, watch.options) if watch and watch.kind == "product" else None
    return facts_of(
        kind=change.kind, summary=change.summary, field=change.field, old=change.old, new=change.new,
        magnitude=change.magnitude, anomaly_score=change.anomaly_score,
        anomaly_explanation=change.anomaly_explanation, details=change.details, change_id=change.id,
        watch_id=change.watch_id, detected_at=change.detected_at,
        watch_kind=watch.kind if watch else None, watch_label=watch.label if watch else None,
        watch_url=watch.url if watch else None, watch_tags=(watch.tags or ()) if watch else (),
        competitor=competitor.name if competitor else None,
        competitor_tags=(competitor.tags or ()) if competitor else (),
        our_price=opts.our_price if opts else None, map_price=opts.map_price if opts else None,
    )  # fmt: skip


def _facts(session: Session, where: Any) -> list[ChangeFacts]:
    rows = session.execute(
        select(Change, Watch, Competitor)
        .outerjoin(Watch, Watch.id == Change.watch_id)
        # A change names its competitor when the pipeline knew it; otherwise the watch's competitor counts.
        .outerjoin(Competitor, Competitor.id == func.coalesce(Change.competitor_id, Watch.competitor_id))
        .where(where)
        .order_by(Change.id)
    ).all()
    everyone: list[Competitor] | None = None  # read once, when a rank change names no competitor
    out = []
    for c, w, comp in rows:
        if comp is None and c.kind in RANK_KINDS and everyone is None:
            # The report's order (by name), so a domain two competitors claim goes to the same one.
            everyone = list(session.scalars(select(Competitor).order_by(Competitor.name)))
        out.append(change_facts(c, w, change_competitor(comp, c.kind, c.details, everyone or ())))
    return out


def run_changes(session: Session, run_id: int) -> list[ChangeFacts]:
    return _facts(session, Change.run_id == run_id)


def changes_by_id(session: Session, ids: Iterable[int]) -> dict[int, ChangeFacts]:
    wanted = sorted(set(ids))
    out: dict[int, ChangeFacts] = {}
    for i in range(0, len(wanted), 900):
        for f in _facts(session, Change.id.in_(wanted[i : i + 900])):
            if f.change_id is not None:
                out[f.change_id] = f
    return out


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


def _covered(session: Session, run_id: int, change_ids: Sequence[int]) -> set[tuple[str, int]]:
    """(channel, change id) pairs already queued: by the change table, and (older rows) by run."""
    out: set[tuple[str, int]] = set()
    for i in range(0, len(change_ids), 900):
        chunk = list(change_ids[i : i + 900])
        rows = session.execute(
            select(AlertDeliveryChange.channel, AlertDeliveryChange.change_id).where(
                AlertDeliveryChange.change_id.in_(chunk)
            )
        )
        out |= {(channel, cid) for channel, cid in rows}
    rows = session.execute(
        select(AlertDelivery.channel, AlertDelivery.change_ids).where(AlertDelivery.run_id == run_id)
    ).all()
    return out | {(channel, cid) for channel, ids in rows for cid in ids or ()}


# ---- items: what one message shows -------------------------------------------------------------
def _subject(m: ChannelMatch) -> tuple:
    c = m.change
    domain = c.details.get("domain") if c.kind in RANK_KINDS else None
    return ("rank", c.watch_id, str(domain)) if domain else ("change", c.change_id)


def _primary_order(m: ChannelMatch) -> tuple:
    # rank_moved says the most ("moved down 13: #3 -> #16"); then the most severe.
    return (m.change.kind != "rank_moved", -severity_rank(m.severity), m.change.change_id or 0)


def group_items(matches: Sequence[ChannelMatch]) -> list[list[ChannelMatch]]:
    """The matches of one run for one channel, one group per subject (see the module doc)."""
    groups: dict[tuple, list[ChannelMatch]] = {}
    for m in matches:
        groups.setdefault(_subject(m), []).append(m)
    return [sorted(g, key=_primary_order) for g in groups.values()]


def _match_record(m: ChannelMatch) -> dict[str, Any]:
    return {
        "change_id": m.change.change_id,
        "watch_id": m.change.watch_id,
        "rules": [r.name for r in m.rules],
        "severity": m.severity,
        "reasons": [
            {"rule": r.rule, "when": r.when, "severity": r.severity, "context": dict(r.context)}
            for r in (explain(rule, m.change) for rule in m.rules)
        ],
    }


def _items(records: Sequence[dict], groups: Sequence[Sequence[int]], facts: dict[int, ChangeFacts]) -> list[MessageItem]:
    """Message items from stored match records and their grouping (what a row keeps in `extra`)."""
    by_id = {r["change_id"]: r for r in records}
    items = []
    for ids in groups:
        present = [i for i in ids if i in facts and i in by_id]
        if not present:
            continue
        recs = [by_id[i] for i in present]
        reasons = tuple(
            RuleReason(x["rule"], x["when"], x["severity"], x.get("context") or {})
            for rec in recs
            for x in rec.get("reasons", [])
        )
        unique = tuple({r.rule: r for r in reasons}.values())
        severity = max((rec["severity"] for rec in recs), key=severity_rank)
        rules = tuple(dict.fromkeys(name for rec in recs for name in rec["rules"]))
        items.append(
            MessageItem(facts[present[0]], severity, rules, unique, tuple(facts[i] for i in present[1:]))
        )
    return items


# ---- rows ------------------------------------------------------------------------------------
def _window_label(channel: Channel, window: tuple[datetime, datetime], default_tz: str) -> Window:
    zone_name = channel.timezone or default_tz
    zone = ZoneInfo(zone_name)
    start, end = (t.astimezone(zone) for t in window)
    at = end.strftime("%H:%M")
    if start.date() == end.date() or end.time() == datetime.min.time():
        return Window(start.strftime("%Y-%m-%d %H:%M"), at, zone_name, at)
    return Window(start.strftime("%Y-%m-%d %H:%M"), end.strftime("%Y-%m-%d %H:%M"), zone_name, at)


def _render(
    channel: Channel, records: list[dict], groups: list[list[int]], facts: dict[int, ChangeFacts],
    key: str, window: Window | None,
) -> tuple[str, str, str]:  # fmt: skip
    fmt = message_format(channel)
    message = default_renderer().render(_items(records, groups, facts), channel.locale, fmt, key, window)
    return message.title, message.body, message.format


def _row_fields(records: list[dict], channel: Channel, due: datetime) -> dict[str, Any]:
    severity = max((str(r["severity"]) for r in records), key=severity_rank)
    held = quiet_until(channel.quiet_hours, due, severity)
    rules = sorted({name for r in records for name in r["rules"]})
    return {
        "severity": severity,
        "rule": ",".join(rules)[:200] or None,
        "change_ids": [int(r["change_id"]) for r in records],
        "next_attempt_at": held or due,
        "held": held,
    }


def _link(session: Session, delivery_id: int, channel: str, change_ids: Iterable[int]) -> None:
    session.add_all(AlertDeliveryChange(delivery_id=delivery_id, change_id=c, channel=channel) for c in change_ids)


def _new_row(
    session: Session,
    matches: Sequence[ChannelMatch],
    channel: Channel,
    run_id: int,
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
    label: Window | None = None,
    late: int = 0,
) -> AlertDelivery:
    groups = group_items(matches)
    records = [_match_record(m) for g in groups for m in g]
    id_groups = [[int(m.change.change_id or 0) for m in g] for g in groups]
    facts = {int(m.change.change_id or 0): m.change for m in matches}
    ids = [int(r["change_id"]) for r in records]
    key = window_key(channel.name, window[1], late) if window else dedup_key(run_id, channel.name, ids)
    fields = _row_fields(records, channel, window[1] if window else now)
    title, body, fmt = _render(channel, records, id_groups, facts, key, label)
    extra: dict[str, object] = {"matches": records, "items": id_groups, "mode": channel.mode, "locale": channel.locale}
    if fields["held"] is not None:
        extra["held_until"] = fields["held"].isoformat()  # type: ignore[attr-defined]
    row = AlertDelivery(
        dedup_key=key, channel=channel.name, rule=fields["rule"], severity=fields["severity"], run_id=run_id,
        change_ids=ids, title=title, body=body, body_format=fmt, attachments=[], status="pending", attempts=0,
        created_at=now, next_attempt_at=fields["next_attempt_at"], extra=extra,
        window_start=window[0] if window else None, window_end=window[1] if window else None, revision=0,
    )  # fmt: skip
    session.add(row)
    session.flush()
    _link(session, row.id, channel.name, ids)
    return row


def _append(
    session: Session, row: AlertDelivery, matches: Sequence[ChannelMatch], channel: Channel, label: Window
) -> bool:
    """Add this run's items to an open window row; False when the row changed under us (read again)."""
    extra = dict(row.extra or {})
    records = list(extra.get("matches", [])) + [_match_record(m) for g in group_items(matches) for m in g]
    groups = list(extra.get("items", [[r["change_id"]] for r in extra.get("matches", [])]))
    groups += [[int(m.change.change_id or 0) for m in g] for g in group_items(matches)]
    facts = changes_by_id(session, [int(r["change_id"]) for r in records])
    fields = _row_fields(records, channel, row.window_end or row.next_attempt_at)
    title, body, fmt = _render(channel, records, groups, facts, row.dedup_key, label)
    extra.update(matches=records, items=groups)
    extra.pop("held_until", None)
    if fields["held"] is not None:
        extra["held_until"] = fields["held"].isoformat()  # type: ignore[attr-defined]
    done = session.execute(
        update(AlertDelivery)
        .where(
            AlertDelivery.id == row.id,
            AlertDelivery.status == "pending",
            AlertDelivery.attempts == 0,
            AlertDelivery.revision == row.revision,
        )
        .values(
            title=title, body=body, body_format=fmt, severity=fields["severity"], rule=fields["rule"],
            change_ids=fields["change_ids"], next_attempt_at=fields["next_attempt_at"], extra=extra,
            revision=row.revision + 1,
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]  (an UPDATE's CursorResult)
        return False
    _link(session, row.id, channel.name, [int(m.change.change_id or 0) for m in matches])
    return True


def _into_window(
    session: Session,
    matches: Sequence[ChannelMatch],
    channel: Channel,
    run_id: int,
    now: datetime,
    window: tuple[datetime, datetime],
    default_tz: str,
) -> None:
    """Collect these matches into the channel's window row (see the module doc)."""
    label = _window_label(channel, window, default_tz)
    for _ in range(APPEND_TRIES):
        row = session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.channel == channel.name,
                AlertDelivery.window_end == window[1],
                AlertDelivery.status == "pending",
                AlertDelivery.attempts == 0,
            )
            .order_by(AlertDelivery.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        ).first()
        if row is not None:
            if _append(session, row, matches, channel, label):
                return
            continue
        late = session.scalar(
            select(func.count())
            .select_from(AlertDelivery)
            .where(AlertDelivery.channel == channel.name, AlertDelivery.window_end == window[1])
        )
        try:
            with session.begin_nested():  # another process may open the same window at the same moment
                _new_row(session, matches, channel, run_id, now, window, label, late or 0)
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"channel {channel.name!r}: could not add to its digest window after {APPEND_TRIES} tries")


def enqueue_run_alerts(
    session: Session, run_id: int, watchlist: Watchlist, now: datetime | None = None
) -> int:
    """Turn this run's changes into pending deliveries (see the module doc); returns how many
    (change, channel) alerts were queued."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rules, channels = list(watchlist.rules), list(watchlist.channels)
    if not rules or not channels:
        return 0
    muted = set(session.scalars(select(Watch.id).where(Watch.muted_until.is_not(None), Watch.muted_until > now)))
    # A muted watch's changes are stored (the dashboard shows them) but alert no one while it is muted.
    facts_of_run = [f for f in run_changes(session, run_id) if f.watch_id not in muted]
    covered = _covered(session, run_id, [f.change_id for f in facts_of_run if f.change_id is not None])
    last = _last_alerts(session, rules, now)
    per_channel: dict[str, list[ChannelMatch]] = defaultdict(list)
    for facts in facts_of_run:
        # Rated over every rule (the report's and the dashboard's figure); the rules cooling down on
        # this watch only route nothing.
        severity = top_severity(facts, rules)
        active = [r for r in rules if not _cooling(r, facts.watch_id, last, now)]
        matches = [
            m
            for m in match_change(facts, active, channels, severity)
            if (m.channel.name, facts.change_id) not in covered
        ]
        fired = {r.name for m in matches for r in m.rules}
        for name in fired:  # the cooldown starts now, also for the rest of this run
            last[(name, facts.watch_id)] = now
        for m in matches:
            per_channel[m.channel.name].append(m)
    queued = 0
    by_name = {c.name: c for c in channels}
    for name, matches in per_channel.items():
        channel = by_name[name]
        queued += len(matches)
        window = digest_window(channel, now, watchlist.settings.timezone)
        if channel.mode == "immediate":
            for group in group_items(matches):
                _new_row(session, group, channel, run_id, now)
        elif window is None:  # every: run
            _new_row(session, matches, channel, run_id, now)
        else:
            _into_window(session, matches, channel, run_id, now, window, watchlist.settings.timezone)
    session.flush()
    return queued
