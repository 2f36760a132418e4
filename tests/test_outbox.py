"""The outbox write side on SQLite and PostgreSQL: rules -> deliveries, dedup, digest, cooldown, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pg_fixture import *  # noqa: F403 - the store fixtures
from test_outbox_helpers import T0, deliveries, new_run, price_change, seed_watch, stock_change, watchlist

from alerts.outbox import enqueue_run_alerts

CHANNELS = """
  - {name: mail, url: "mailto://127.0.0.1:2525?from=a@example.com&to=b@example.com&mode=insecure", every: run}
  - {name: chat, url: "schan://${SCHAN}", mode: immediate, locale: zh-CN}
"""
RULES = """
  - {name: drops, when: price_drop, threshold_pct: 5}
  - {name: stock, when: out_of_stock, severity: critical, channels: [chat]}
"""


def two_changes(session):  # noqa: ANN001, ANN201
    w1 = seed_watch(session)
    w2 = seed_watch(session, url="https://shop-a.example/p/2", label="Widget 2")
    return [(w1, price_change("100", "90")), (w2, stock_change())]


def test_digest_and_immediate_channels_and_idempotent_enqueue(store_sessions) -> None:  # noqa: ANN001
    wl = watchlist(CHANNELS, RULES)
    run_id = new_run(store_sessions, two_changes)
    with store_sessions.begin() as s:
        assert enqueue_run_alerts(s, run_id, wl, now=T0) == 3
    with store_sessions.begin() as s:
        assert enqueue_run_alerts(s, run_id, wl, now=T0 + timedelta(minutes=5)) == 0  # dedup: nothing new
    rows = deliveries(store_sessions)
    assert [(d.channel, len(d.change_ids), d.severity, d.status) for d in rows] == [
        ("mail", 1, "warning", "pending"),  # digest: the one change routed to mail
        ("chat", 1, "warning", "pending"),  # immediate: one per change
        ("chat", 1, "critical", "pending"),
    ]
    assert len({d.dedup_key for d in rows}) == 3
    mail = rows[0]
    assert mail.body_format == "html" and mail.title == "[warning] ShopA: Price drop · Widget 1: 100 → 90 USD (-10.0%)"
    assert mail.dedup_key in mail.body and mail.next_attempt_at == T0
    chat = rows[2]
    assert chat.body_format == "markdown" and chat.title == "[严重] ShopA：缺货 · Widget 2：InStock → OutOfStock"
    assert chat.rule == "stock" and chat.extra["matches"][0]["rules"] == ["stock"]


def test_digest_groups_all_changes_of_the_run_for_a_channel(store_sessions) -> None:  # noqa: ANN001
    wl = watchlist(CHANNELS, RULES.replace("channels: [chat]", "channels: [chat, mail]"))
    run_id = new_run(store_sessions, two_changes)
    with store_sessions.begin() as s:
        enqueue_run_alerts(s, run_id, wl, now=T0)
    [mail] = [d for d in deliveries(store_sessions) if d.channel == "mail"]
    assert len(mail.change_ids) == 2 and mail.severity == "critical" and mail.rule == "drops,stock"
    assert mail.title == "[critical] rivalwatch: 2 changes (ShopA)"
    assert mail.body.index("out of stock") < mail.body.index("price 100")  # most severe first
    assert mail.extra["items"] == [[c] for c in sorted(mail.change_ids)]


def test_cooldown_per_watch_and_rule(store_sessions) -> None:  # noqa: ANN001
    wl = watchlist(CHANNELS, "  - {name: drops, when: price_drop, cooldown: 6h, channels: [mail]}\n")
    with store_sessions.begin() as s:
        w1 = seed_watch(s)
        w2 = seed_watch(s, url="https://shop-a.example/p/2", label="Widget 2")
        w1_id, w2_id = w1.id, w2.id

    def run_for(*watch_ids: int) -> int:
        def make(s):  # noqa: ANN001, ANN202
            from models import Watch

            return [(s.get(Watch, wid), price_change("100", "90")) for wid in watch_ids]

        return new_run(store_sessions, make)

    with store_sessions.begin() as s:
        assert enqueue_run_alerts(s, run_for(w1_id), wl, now=T0) == 1
    with store_sessions.begin() as s:  # 2 h later: w1 is cooling down, w2 is not
        assert enqueue_run_alerts(s, run_for(w1_id, w2_id), wl, now=T0 + timedelta(hours=2)) == 1
    [match] = deliveries(store_sessions)[-1].extra["matches"]
    assert (match["change_id"], match["watch_id"], match["rules"]) == (3, w2_id, ["drops"])
    with store_sessions.begin() as s:  # 7 h after the first: w1 alerts again
        assert enqueue_run_alerts(s, run_for(w1_id), wl, now=T0 + timedelta(hours=7)) == 1


def test_quiet_hours_hold_until_they_end_but_let_critical_through(store_sessions) -> None:  # noqa: ANN001
    channels = """
  - name: chat
    url: "schan://${SCHAN}"
    mode: immediate
    quiet_hours: {start: "18:00", end: "08:30", timezone: Asia/Shanghai, allow: [critical]}
"""
    wl = watchlist(channels, RULES.replace("channels: [chat]", ""))
    run_id = new_run(store_sessions, two_changes)
    with store_sessions.begin() as s:  # T0 is 18:00 in Shanghai: quiet
        assert enqueue_run_alerts(s, run_id, wl, now=T0) == 2
    held, critical = deliveries(store_sessions)
    assert held.severity == "warning" and held.next_attempt_at == datetime(2025, 3, 4, 0, 30, tzinfo=UTC)
    assert held.extra["held_until"] == "2025-03-04T00:30:00+00:00"
    assert critical.severity == "critical" and critical.next_attempt_at == T0


def test_routing_by_competitor_tag_and_channel_severity(store_sessions) -> None:  # noqa: ANN001
    channels = """
  - {name: all, url: "json://127.0.0.1:9/x", mode: immediate}
  - {name: pager, url: "json://127.0.0.1:9/y", mode: immediate, min_severity: critical, tags: [oncall]}
"""
    rules = """
  - {name: direct-drops, when: price_drop, tags: [direct], channels: [all]}
  - {name: big-undercut, when: undercut, severity: critical, channel_tags: [oncall]}
"""
    wl = watchlist(channels, rules)

    def make(s):  # noqa: ANN001, ANN202
        a = seed_watch(s, options={"our_price": "95"})
        b = seed_watch(
            s, competitor="ShopB", url="https://shop-b.example/p/1", label="B1", options={"our_price": "95"}
        )
        return [(a, price_change("100", "90")), (b, price_change("100", "90", "B1"))]

    run_id = new_run(store_sessions, make)
    with store_sessions.begin() as s:
        enqueue_run_alerts(s, run_id, wl, now=T0)
    got = sorted((d.channel, d.rule, d.title) for d in deliveries(store_sessions))
    # ShopA's drop is an undercut too: critical everywhere it goes, though big-undercut routes to the pager only.
    assert got == [
        ("all", "direct-drops", "[critical] ShopA: Price drop · Widget 1: 100 → 90 USD (-10.0%)"),
        ("pager", "big-undercut", "[critical] ShopA: Price drop · Widget 1: 100 → 90 USD (-10.0%)"),
        ("pager", "big-undercut", "[critical] ShopB: Price drop · B1: 100 → 90 USD (-10.0%)"),
    ]


def test_no_rules_or_no_changes_create_nothing(store_sessions) -> None:  # noqa: ANN001
    run_id = new_run(store_sessions, lambda s: [])
    with store_sessions.begin() as s:
        assert enqueue_run_alerts(s, run_id, watchlist(CHANNELS, RULES)) == 0
        assert enqueue_run_alerts(s, run_id, watchlist(CHANNELS, "  []")) == 0


def test_one_message_per_keyword_and_domain_per_check(store_sessions) -> None:  # noqa: ANN001
    channels = '  - {name: chat, url: "schan://${SCHAN}", mode: immediate}\n'
    rules = (
        "  - {name: rank-fell, when: left_top_n, top_n: 10, severity: warning}\n"
        "  - {name: big-move, when: rank_moved, min_positions: 5}\n"
    )
    wl = watchlist(channels, rules)
    details = {"domain": "shop-a.example", "keyword": "widgets", "engine": "google", "n": 10}

    def make(s):  # noqa: ANN001, ANN202
        kw = seed_watch(s, url="serp://google/widgets", label="widgets · google", kind="keyword")
        other = {**details, "domain": "shop-b.example"}
        return [
            (kw, {"kind": "rank_moved", "summary": "shop-a.example moved down 9 on 'widgets': #3 -> #12",
                  "field": "shop-a.example", "old": "3", "new": "12", "magnitude": -3.0, "details": details}),
            (kw, {"kind": "left_top_n", "summary": "shop-a.example left the top 10 on 'widgets': #3 -> #12",
                  "field": "shop-a.example", "old": "3", "new": "12", "details": details}),
            (kw, {"kind": "rank_moved", "summary": "shop-b.example moved up 6 on 'widgets': #9 -> #3",
                  "field": "shop-b.example", "old": "9", "new": "3", "magnitude": 0.67, "details": other}),
        ]  # fmt: skip

    run_id = new_run(store_sessions, make)
    with store_sessions.begin() as s:
        assert enqueue_run_alerts(s, run_id, wl, now=T0) == 3  # three changes routed ...
    rows = deliveries(store_sessions)
    assert [len(d.change_ids) for d in rows] == [2, 1]  # ... in two messages: one per keyword x domain
    a, b = rows
    assert a.severity == "warning" and a.rule == "big-move,rank-fell"
    assert a.title == "[warning] ShopA: Rank moved · widgets · google: #3 → #12 (9 places down)"
    assert "rank-fell: left the top 10" in a.body and "big-move: moved 5 places or more" in a.body
    assert "Left the top results (10) #3 → #12" in a.body and "%" not in a.title
    assert b.title.endswith("#9 → #3 (6 places up)")
