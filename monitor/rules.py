"""Alert rules: which changes matter, how much, and who hears about them. Pure: data in, data out.

`match_change(change, rules, channels)` takes one change (as `ChangeFacts`, a plain record built only
by `facts_of`: the outbox from the store, the report and the dashboard from their rows) and returns,
per channel that should hear about it, the rules that route it there and the change's severity: the
highest among all the rules it meets (`top_severity`), whichever channel each routes to. Time-based noise control that needs no store lives here too:
`quiet_until` (quiet hours in a time zone) and `retry_delay` (exponential backoff).

Rule semantics worth knowing:
- price rules look at product price changes (``price_down``/``price_up``); thresholds
  (`threshold_pct`, `threshold_abs`) must all be met; `below`/`above` fire when the price *crosses*
  the bound, not on every move beyond it (cooldowns are for the rest);
- `undercut` fires when the competitor's new price is below the watch's ``our_price`` and it either
  just went below or went further down; a rise that stays below does not fire. `below_map` is the
  same against ``map_price``. Their `threshold_pct` is the gap to our price / the MAP, in percent;
- rank rules read old and new positions from the change (``old``/``new``, empty when not ranked);
- which change kinds a `when:` matches is declared by each change kind (`monitor.kinds.RULE_KINDS`);
  a rule without a severity takes its change kind's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config.alerting import SEVERITY_ORDER, AlertRule, Channel, QuietHours
from monitor.kinds import RULE_KINDS, change_kind, kinds_counted_as
from monitor.kinds.keyword.ranks import Owner, owner_of

# What the rule families look at. Which change kinds each `when:` matches is declared by the change
# kinds themselves (monitor.kinds.RULE_KINDS); these name the families with conditions of their own.
PRICE_RULES = frozenset({"price_drop", "price_rise", "price_change"})
REFERENCE_RULES = frozenset({"undercut", "below_map"})
RANK_RULES = frozenset({"rank_moved", "entered_top_n", "left_top_n", "new_domain_in_top"})


@dataclass(frozen=True)
class ChangeFacts:
    """What a rule may look at: the change plus its watch and competitor."""

    kind: str
    summary: str = ""
    field: str | None = None
    old: str | None = None
    new: str | None = None
    magnitude: float | None = None
    anomaly_score: float | None = None
    details: Mapping[str, Any] = dc_field(default_factory=dict)
    change_id: int | None = None
    watch_id: int | None = None
    watch_kind: str = "product"
    watch_label: str | None = None
    watch_url: str | None = None
    watch_tags: tuple[str, ...] = ()
    competitor: str | None = None
    competitor_tags: tuple[str, ...] = ()
    our_price: Decimal | None = None
    map_price: Decimal | None = None
    detected_at: datetime | None = None


def facts_of(
    *,
    kind: str,
    summary: str,
    field: str | None,
    old: str | None,
    new: str | None,
    magnitude: float | None,
    anomaly_score: float | None,
    anomaly_explanation: str | None,
    details: Mapping[str, Any] | None,
    change_id: int | None,
    watch_id: int | None,
    detected_at: datetime | None,
    watch_kind: str | None,
    watch_label: str | None,
    watch_url: str | None,
    watch_tags: Iterable[str],
    competitor: str | None,
    competitor_tags: Iterable[str],
    our_price: Decimal | None,
    map_price: Decimal | None,
) -> ChangeFacts:
    """The one way to build a rule's input, for the outbox and for everyone who shows a severity
    (report, dashboard): every argument is required, so a caller that leaves out what a rule may
    filter on (tags, MAP, the anomaly explanation) fails to type-check instead of rating differently."""
    facts = dict(details or {})
    if anomaly_explanation:
        facts.setdefault("anomaly_explanation", anomaly_explanation)
    return ChangeFacts(
        kind=kind, summary=summary, field=field, old=old, new=new, magnitude=magnitude,
        anomaly_score=anomaly_score, details=facts, change_id=change_id, watch_id=watch_id,
        watch_kind=watch_kind or "product", watch_label=watch_label or None, watch_url=watch_url,
        watch_tags=tuple(watch_tags), competitor=competitor, competitor_tags=tuple(competitor_tags),
        our_price=our_price, map_price=map_price, detected_at=detected_at,
    )  # fmt: skip


RANK_KINDS = kinds_counted_as("keywords")  # changes about one ranked domain (details["domain"])


def change_competitor(
    named: Owner | None, kind: str, details: Mapping[str, Any] | None, competitors: Iterable[Owner]
) -> Owner | None:
    """The competitor a change is about, the same for its alert, the report and the dashboard: the one
    the change (or else its watch) names; else, for a rank change, the competitor that owns the ranked
    domain (a domain no competitor owns, ours for one, has none)."""
    if named is not None or kind not in RANK_KINDS:
        return named
    domain = (details or {}).get("domain")
    return owner_of(str(domain), competitors) if domain else None


@dataclass(frozen=True)
class ChannelMatch:
    """One channel that should hear about one change: the rules routing it there, the change's severity."""

    channel: Channel
    change: ChangeFacts
    rules: tuple[AlertRule, ...]
    severity: str


@dataclass(frozen=True)
class RuleReason:
    """Why a rule fired on a change, with the numbers it compared: what an alert shows under "why".

    `context` holds plain strings (amounts as the store keeps them, percentages as numbers with one
    decimal) so a message in any language can word them: ``our_price``, ``gap``, ``gap_pct`` (undercut),
    ``map_price`` (below_map), ``threshold_pct``, ``threshold_abs``, ``below``, ``above``,
    ``min_positions``, ``top_n``, ``min_anomaly``, ``currency``.
    """

    rule: str
    when: str
    severity: str
    context: Mapping[str, str] = dc_field(default_factory=dict)


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"


def _gap(reference: Decimal | None, new: Decimal | None) -> dict[str, str]:
    if reference is None or new is None or reference <= 0:
        return {}
    gap = reference - new
    return {"gap": _amount(gap), "gap_pct": f"{gap / reference * 100:.1f}"}


def explain(rule: AlertRule, change: ChangeFacts) -> RuleReason:
    """The rule's name, what it watches for, and the context it used on this change."""
    ctx: dict[str, str] = {}
    new = to_decimal(change.new)
    currency = change.details.get("currency")
    if currency:
        ctx["currency"] = str(currency)
    if rule.when == "undercut" and change.our_price is not None:
        ctx |= {"our_price": _amount(change.our_price), **_gap(change.our_price, new)}
    if rule.when == "below_map" and change.map_price is not None:
        ctx |= {"map_price": _amount(change.map_price), **_gap(change.map_price, new)}
    for key in ("threshold_pct", "threshold_abs", "below", "above", "min_positions", "min_anomaly"):
        value = getattr(rule, key)
        if value is not None:
            ctx[key] = _amount(value) if isinstance(value, Decimal) else f"{value:g}"
    if rule.when in RANK_RULES and rule.when != "rank_moved":
        ctx["top_n"] = str(_top_n(rule, change))
    return RuleReason(rule.name, rule.when, rule_severity(rule, change), ctx)


def to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _to_rank(value: object) -> int | None:
    number = to_decimal(value)
    return int(number) if number is not None and number >= 1 else None


def _relative(old: Decimal | None, new: Decimal | None, magnitude: float | None) -> float | None:
    if magnitude is not None:
        return magnitude
    if old is None or new is None or old == 0:
        return None
    return float((new - old) / old)


def _price_thresholds(rule: AlertRule, old: Decimal | None, new: Decimal, magnitude: float | None) -> bool:
    if rule.threshold_pct is not None:
        rel = _relative(old, new, magnitude)
        if rel is None or abs(rel) * 100 < rule.threshold_pct - 1e-9:
            return False
    if rule.threshold_abs is not None and (old is None or abs(new - old) < rule.threshold_abs):
        return False
    if rule.below is None and rule.above is None:
        return True
    crossed_below = rule.below is not None and new < rule.below and (old is None or old >= rule.below)
    crossed_above = rule.above is not None and new > rule.above and (old is None or old <= rule.above)
    return crossed_below or crossed_above


def _under_reference(rule: AlertRule, change: ChangeFacts, reference: Decimal | None) -> bool:
    if reference is None or reference <= 0:
        return False
    old, new = to_decimal(change.old), to_decimal(change.new)
    if new is None or new >= reference:
        return False
    if old is not None and old < reference and new >= old:
        return False  # already below and not going further down
    if rule.threshold_pct is not None and (reference - new) / reference * 100 < Decimal(
        str(rule.threshold_pct)
    ):
        return False
    return rule.threshold_abs is None or reference - new >= rule.threshold_abs


def _top_n(rule: AlertRule, change: ChangeFacts) -> int:
    if rule.top_n is not None:
        return rule.top_n
    for key in ("top_n", "n"):
        if isinstance(change.details.get(key), int):
            return int(change.details[key])
    return 10


def _rank_rule(rule: AlertRule, change: ChangeFacts) -> bool:
    """A rank rule on a change its `when:` matches (the registry checked the kind already)."""
    if rule.when == "new_domain_in_top":
        rank = _to_rank(change.details.get("rank", change.new))
        return rule.top_n is None or rank is None or rank <= rule.top_n
    old, new = _to_rank(change.old), _to_rank(change.new)
    n = _top_n(rule, change)
    if rule.when == "rank_moved":
        if old is None or new is None:
            return old != new  # entered or left the depth we track: a move of unknown size
        return abs(old - new) >= (rule.min_positions or 1)
    if old is None and new is None:  # positions not given: trust the detector's kind and its N
        n_given = change.details.get("top_n", change.details.get("n"))
        return change.kind == rule.when and (rule.top_n is None or n_given == rule.top_n)
    if rule.when == "entered_top_n":
        return new is not None and new <= n and (old is None or old > n)
    return old is not None and old <= n and (new is None or new > n)  # left_top_n


def rule_fires(rule: AlertRule, change: ChangeFacts) -> bool:
    """Does this change meet the rule's condition and thresholds (filters aside)?"""
    when = rule.when
    if rule.kinds and change.kind not in rule.kinds:
        return False
    if rule.min_anomaly is not None and (
        change.anomaly_score is None or change.anomaly_score < rule.min_anomaly
    ):
        return False
    if when in ("anomaly", "any"):
        return True
    if change.kind not in RULE_KINDS.get(when, ()):
        return False
    if when in PRICE_RULES:
        old, new = to_decimal(change.old), to_decimal(change.new)
        if new is None:
            return False
        down = change.kind == "price_down" if old is None else new < old
        if when == "price_drop" and not down or when == "price_rise" and (down or old == new):
            return False
        return _price_thresholds(rule, old, new, change.magnitude)
    if when == "undercut":
        return _under_reference(rule, change, change.our_price)
    if when == "below_map":
        return _under_reference(rule, change, change.map_price)
    if when in RANK_RULES:
        return _rank_rule(rule, change)
    if rule.threshold_pct is not None:  # count shifts, listing price moves, share of content changed
        return change.magnitude is not None and abs(change.magnitude) * 100 >= rule.threshold_pct
    return True


def rule_applies(rule: AlertRule, change: ChangeFacts) -> bool:
    """The rule's filters (competitor, watch kind, tags) and its condition."""
    if rule.competitors and change.competitor not in rule.competitors:
        return False
    if rule.watch_kinds and change.watch_kind not in rule.watch_kinds:
        return False
    if rule.tags and not set(rule.tags) & (set(change.watch_tags) | set(change.competitor_tags)):
        return False
    return rule_fires(rule, change)


def rule_channels(
    rule: AlertRule, severity: str, change: ChangeFacts, channels: Sequence[Channel]
) -> list[Channel]:
    """Channels a fired rule routes to: named or tagged ones (all when neither), then each channel's filters."""
    if rule.channels or rule.channel_tags:
        chosen = [c for c in channels if c.name in rule.channels or set(c.tags) & set(rule.channel_tags)]
    else:
        chosen = list(channels)
    return [
        c
        for c in chosen
        if SEVERITY_ORDER[severity] >= SEVERITY_ORDER[c.min_severity]
        and (not c.competitors or change.competitor in c.competitors)
        and (not c.watch_kinds or change.watch_kind in c.watch_kinds)
    ]


def rule_severity(rule: AlertRule, change: ChangeFacts) -> str:
    """The rule's own severity, or else the one its change kind declares."""
    return rule.severity or change_kind(change.kind).severity


def top_severity(change: ChangeFacts, rules: Iterable[AlertRule]) -> str | None:
    """The highest severity among the rules this change meets, channels aside (None: no rule covers it)."""
    fired = [rule_severity(r, change) for r in rules if rule_applies(r, change)]
    return max(fired, key=SEVERITY_ORDER.__getitem__) if fired else None


def match_change(
    change: ChangeFacts, rules: Iterable[AlertRule], channels: Sequence[Channel], severity: str | None = None
) -> list[ChannelMatch]:
    """Every channel that should hear about this change, in channel order, with the rules that route it
    there. The severity is the change's own, one figure for its alerts, the report and the dashboard:
    `severity` when given (a caller that routes with fewer rules than it rates with, such as the
    outbox without the rules cooling down, passes `top_severity` over all of them), else `top_severity`
    over `rules`. Routing decides only who hears, as each rule routes (its channels, and each channel's
    `min_severity` held against the rule's own severity), never how severe the change is."""
    rules = list(rules)
    severity = severity or top_severity(change, rules)
    if severity is None:
        return []
    fired: dict[str, list[AlertRule]] = {}
    for rule in rules:
        if rule_applies(rule, change):
            for channel in rule_channels(rule, rule_severity(rule, change), change, channels):
                fired.setdefault(channel.name, []).append(rule)
    return [ChannelMatch(c, change, tuple(fired[c.name]), severity) for c in channels if c.name in fired]


def quiet_until(quiet: QuietHours | None, now: datetime, severity: str = "info") -> datetime | None:
    """When `now` falls in the quiet hours (and the severity is not let through): the UTC time they end."""
    if quiet is None or severity in quiet.allow:
        return None
    zone = ZoneInfo(quiet.timezone)
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside, end_day = quiet.start <= t < quiet.end, local.date()
    else:  # the window spans midnight
        inside = t >= quiet.start or t < quiet.end
        end_day = local.date() if t < quiet.end else local.date() + timedelta(days=1)
    if not inside:
        return None
    return datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(UTC)


def digest_window(channel: Channel, now: datetime, default_tz: str) -> tuple[datetime, datetime] | None:
    """The digest window [start, end) holding `now` for this channel (UTC), or None when the channel
    has no window (immediate, or one digest per run). `every` windows start at local midnight in the
    channel's time zone (the last one of a day is cut at midnight when the length does not divide a
    day); `at` windows end at each listed local time."""
    window = channel.window
    if window is None or window == "run":
        return None
    zone = ZoneInfo(channel.timezone or default_tz)
    local = now.astimezone(zone)
    if isinstance(window, tuple):
        return _at_window(window, local, zone)
    midnight = datetime.combine(local.date(), datetime.min.time(), tzinfo=zone)
    next_midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    # Wall-clock arithmetic in UTC: a window is `every` long in real time, even across DST changes.
    since = (local.astimezone(UTC) - midnight.astimezone(UTC)).total_seconds()
    start = midnight.astimezone(UTC) + timedelta(seconds=float(window) * int(since // float(window)))
    end = min(start + timedelta(seconds=float(window)), next_midnight.astimezone(UTC))
    return start, end


def _at_window(times: tuple, local: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The window between the send time before `local` and the next one (strictly after it)."""
    moments = [
        datetime.combine(local.date() + timedelta(days=d), t, tzinfo=zone)
        for d in (-1, 0, 1)
        for t in times
    ]
    end = min(m for m in moments if m > local)
    start = max(m for m in moments if m <= local)
    return start.astimezone(UTC), end.astimezone(UTC)


def retry_delay(channel: Channel, attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: backoff doubling, capped."""
    return min(channel.retry_backoff * (2 ** max(attempts - 1, 0)), channel.retry_max_delay)


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.get(severity, 1)
