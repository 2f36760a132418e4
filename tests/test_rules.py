"""Alert rules: conditions, thresholds, routing, quiet hours and backoff (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from monitor.config.alerting import AlertRule, Channel, QuietHours
from monitor.rules import (
    ChangeFacts,
    match_change,
    quiet_until,
    retry_delay,
    rule_applies,
    rule_fires,
    top_severity,
)
from monitor.watchlist import ConfigError, load_watchlist_text


def price(old: str, new: str, **kw) -> ChangeFacts:
    rel = (float(new) - float(old)) / float(old)
    kind = "price_down" if float(new) < float(old) else "price_up"
    return ChangeFacts(kind=kind, field="price", old=old, new=new, magnitude=rel, **kw)


def rule(**kw) -> AlertRule:
    return AlertRule(name=kw.pop("name", "r"), **kw)


def test_price_drop_and_rise_with_pct_and_absolute_thresholds() -> None:
    drop = price("100", "85")
    assert rule_fires(rule(when="price_drop"), drop)
    assert not rule_fires(rule(when="price_rise"), drop)
    assert rule_fires(rule(when="price_change"), drop)
    assert rule_fires(rule(when="price_drop", threshold_pct=15), drop)
    assert not rule_fires(rule(when="price_drop", threshold_pct=15.1), drop)
    assert rule_fires(rule(when="price_drop", threshold_abs=Decimal("15")), drop)
    assert not rule_fires(rule(when="price_drop", threshold_abs=Decimal("15.01")), drop)
    assert rule_fires(rule(when="price_rise", threshold_pct=5), price("100", "105"))
    assert not rule_fires(rule(when="price_drop"), ChangeFacts(kind="out_of_stock"))


def test_bounds_fire_when_crossed_not_on_every_move_beyond() -> None:
    below_50 = rule(when="price_drop", below=Decimal("50"))
    assert rule_fires(below_50, price("55", "49.99"))
    assert not rule_fires(below_50, price("49", "45"))  # already below: crossing happened earlier
    assert not rule_fires(below_50, price("60", "50"))
    above_80 = rule(when="price_rise", above=Decimal("80"))
    assert rule_fires(above_80, price("79", "81"))
    assert not rule_fires(above_80, price("81", "90"))


def test_undercut_and_below_map_use_the_watch_prices() -> None:
    ours = {"our_price": Decimal("20"), "map_price": Decimal("18")}
    undercut = rule(when="undercut")
    assert rule_fires(undercut, price("21", "19.5", **ours))  # just went below ours
    assert rule_fires(undercut, price("19.5", "19", **ours))  # went further down
    assert not rule_fires(undercut, price("19", "19.5", **ours))  # still below, but rising
    assert not rule_fires(undercut, price("25", "21", **ours))
    assert not rule_fires(undercut, price("25", "15"))  # no our_price configured
    assert rule_fires(rule(when="undercut", threshold_pct=10), price("21", "18", **ours))  # 10 % under
    assert not rule_fires(rule(when="undercut", threshold_pct=10), price("21", "18.5", **ours))
    assert rule_fires(rule(when="below_map"), price("18", "17.99", **ours))
    assert not rule_fires(rule(when="below_map"), price("20", "18", **ours))


def test_stock_listing_page_and_anomaly_rules() -> None:
    assert rule_fires(rule(when="out_of_stock"), ChangeFacts(kind="out_of_stock"))
    assert not rule_fires(rule(when="back_in_stock"), ChangeFacts(kind="out_of_stock"))
    assert rule_fires(
        rule(when="listing_item_added"), ChangeFacts(kind="listing_item_added", watch_kind="listing")
    )
    count = ChangeFacts(kind="listing_count_shift", magnitude=-0.3)  # what the listing diff emits
    assert rule_fires(rule(when="listing_count_changed", threshold_pct=25), count)
    assert not rule_fires(rule(when="listing_count_changed", threshold_pct=40), count)
    assert rule_fires(rule(when="page_added"), ChangeFacts(kind="page_added"))
    assert rule_fires(rule(when="title_changed"), ChangeFacts(kind="title_changed"))
    assert rule_fires(rule(when="meta_changed"), ChangeFacts(kind="description_changed", field="description"))
    assert rule_fires(rule(when="trigger_text_appeared"), ChangeFacts(kind="trigger_text_appeared"))
    anomaly = rule(when="anomaly", min_anomaly=0.8)
    assert rule_fires(anomaly, ChangeFacts(kind="price_down", anomaly_score=0.91))
    assert not rule_fires(anomaly, ChangeFacts(kind="price_down", anomaly_score=0.5))
    assert not rule_fires(anomaly, ChangeFacts(kind="price_down"))  # not scored: not anomalous
    assert rule_fires(rule(when="any", kinds=["content_changed"]), ChangeFacts(kind="content_changed"))
    assert not rule_fires(rule(when="any", kinds=["content_changed"]), ChangeFacts(kind="page_added"))


def test_rank_rules_read_old_and_new_positions() -> None:
    moved = ChangeFacts(kind="rank_moved", field="rank", old="12", new="4", watch_kind="keyword")
    assert rule_fires(rule(when="rank_moved", min_positions=8), moved)
    assert not rule_fires(rule(when="rank_moved", min_positions=9), moved)
    assert rule_fires(rule(when="entered_top_n", top_n=10), moved)
    assert not rule_fires(rule(when="entered_top_n", top_n=3), moved)
    assert rule_fires(
        rule(when="left_top_n", top_n=5), ChangeFacts(kind="rank_moved", field="rank", old="4", new=None)
    )
    assert not rule_fires(rule(when="left_top_n", top_n=5), moved)
    domain = ChangeFacts(kind="new_domain_top10", details={"rank": 7, "domain": "x.example"})
    assert rule_fires(rule(when="new_domain_in_top", top_n=10), domain)
    assert not rule_fires(rule(when="new_domain_in_top", top_n=5), domain)


def test_filters_by_competitor_watch_kind_and_tag() -> None:
    change = price("10", "8", competitor="ShopA", watch_tags=("hero",), competitor_tags=("direct",))
    assert rule_applies(rule(when="price_drop", competitors=["ShopA"]), change)
    assert not rule_applies(rule(when="price_drop", competitors=["ShopB"]), change)
    assert rule_applies(rule(when="price_drop", watch_kinds=["product"]), change)
    assert not rule_applies(rule(when="price_drop", watch_kinds=["listing"]), change)
    assert rule_applies(rule(when="price_drop", tags=["direct"]), change)  # a competitor tag counts
    assert rule_applies(rule(when="price_drop", tags=["hero"]), change)
    assert not rule_applies(rule(when="price_drop", tags=["other"]), change)
    assert not rule_applies(rule(when="price_drop", min_anomaly=0.5), change)


def test_routing_to_channels_by_name_tag_severity_and_channel_filters() -> None:
    mail = Channel(name="mail", url="mailto://x", tags=["team"])
    pager = Channel(name="pager", url="json://x", tags=["oncall"], min_severity="critical")
    shop_b = Channel(name="b-only", url="json://y", competitors=["ShopB"])
    channels = [mail, pager, shop_b]
    change = price("10", "5", competitor="ShopA")
    rules = [
        rule(name="drop", when="price_drop"),  # to all channels: pager too low, b-only filters ShopA out
        rule(name="big", when="price_drop", threshold_pct=40, severity="critical", channel_tags=["oncall"]),
    ]
    matches = match_change(change, rules, channels)
    # One severity for the change (big's, though big routes only to the pager); routing as each rule says.
    assert [(m.channel.name, [r.name for r in m.rules], m.severity) for m in matches] == [
        ("mail", ["drop"], "critical"),
        ("pager", ["big"], "critical"),
    ]
    assert top_severity(change, rules) == "critical"
    only_mail = match_change(change, [rule(name="x", when="price_drop", channels=["mail"])], channels)
    assert [m.channel.name for m in only_mail] == ["mail"]
    assert match_change(price("10", "11"), rules, channels) == []


def test_quiet_hours_in_a_time_zone_span_midnight_and_let_allowed_severities_through() -> None:
    quiet = QuietHours(start="22:00", end="07:00", timezone="Asia/Shanghai", allow=["critical"])
    # 15:00 UTC = 23:00 Shanghai: held until 07:00 Shanghai = 23:00 UTC
    assert quiet_until(quiet, datetime(2025, 3, 3, 15, 0, tzinfo=UTC)) == datetime(
        2025, 3, 3, 23, 0, tzinfo=UTC
    )
    # 22:30 UTC = 06:30 Shanghai next day: still quiet, until 23:00 UTC
    assert quiet_until(quiet, datetime(2025, 3, 3, 22, 30, tzinfo=UTC)) == datetime(
        2025, 3, 3, 23, 0, tzinfo=UTC
    )
    assert quiet_until(quiet, datetime(2025, 3, 3, 23, 0, tzinfo=UTC)) is None  # 07:00 local: over
    assert quiet_until(quiet, datetime(2025, 3, 3, 15, 0, tzinfo=UTC), "critical") is None
    lunch = QuietHours(start="12:00", end="13:30")
    assert quiet_until(lunch, datetime(2025, 3, 3, 12, 10, tzinfo=UTC)) == datetime(
        2025, 3, 3, 13, 30, tzinfo=UTC
    )
    assert quiet_until(None, datetime(2025, 3, 3, 12, 10, tzinfo=UTC)) is None


def test_retry_delay_doubles_and_is_capped() -> None:
    channel = Channel(name="c", url="json://x", retry_backoff="30s", retry_max_delay="5m")
    assert [retry_delay(channel, n) for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 300]


def test_watchlist_accepts_the_alerting_keys_and_rejects_typos() -> None:
    wl = load_watchlist_text(
        """
channels:
  - name: ops
    url: "mailto://${SMTP_USER}:${SMTP_PASS}@mail.example.com?to=ops@example.com"
    locale: zh-CN
    mode: immediate
    min_severity: warning
    quiet_hours: {start: "22:00", end: "07:30", timezone: Asia/Shanghai, allow: [critical]}
rules:
  - {name: undercut, when: undercut, severity: critical, cooldown: 6h, channels: [ops]}
  - {name: rank, when: entered_top_n, top_n: 3, watch_kinds: [keyword]}
"""
    )
    assert wl.channels[0].quiet_hours.end.minute == 30 and wl.rules[0].cooldown == 6 * 3600
    with pytest.raises(ConfigError) as err:
        load_watchlist_text("channels:\n  - name: a\n    url: json://x\n    quiet_hour: {start: 1, end: 2}\n")
    assert "channels[0].quiet_hour" in str(err.value) and ":4:" in str(err.value)
    with pytest.raises(ValidationError, match="unknown time zone"):
        QuietHours(start="1:00", end="2:00", timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="min_anomaly"):
        AlertRule(name="a", when="anomaly")
