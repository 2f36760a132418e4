"""One change, one severity: the alert that went out (the outbox row and its title), the weekly
report's executive summary (model and rendered Markdown) and the dashboard's API all rate a change
with the same rules on the same facts, also for rules that look at the watch's tags, the
competitor's tags and the MAP price (which the report and the dashboard once left out); whichever
channel the rules route a change to, and while a rule cools down (the alert once counted only the rules
routed to its channel); and for a rank change that names no competitor (the report once attributed it
to the ranked domain's owner, the alert to no one)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from fastapi.testclient import TestClient
from test_outbox_helpers import T0, deliveries, new_run, price_change, seed_watch, watchlist

from alerts.outbox import enqueue_run_alerts, run_changes
from models import Competitor, Watch
from models.db import open_store
from monitor.report.builder import build_report
from monitor.report.period import date_range
from monitor.report.queries import CompetitorRow, load_report_data
from monitor.report.render_md import render_md
from monitor.rules import change_competitor
from monitor.web.app import create_app
from monitor.web.auth import create_token

CHANNELS = '  - {name: chat, url: "json://127.0.0.1:9/x", mode: immediate}\n'
# Every price drop is at least info; each other rule raises one watch's drop through one fact.
RULES = """
  - {name: drops, when: price_drop, severity: info}
  - {name: hero, when: price_drop, tags: [hero], severity: critical}
  - {name: rivals, when: price_drop, tags: [direct], severity: warning}
  - {name: map, when: below_map, severity: critical}
"""
WATCHES = """
products:  # as the store below has them (the watchlist checks that a rule's tags exist)
  - {url: "https://shop-b.example/p/1", competitor: ShopB, label: Tagged, tags: [hero]}
  - {url: "https://shop-b.example/p/2", competitor: ShopB, label: Mapped, map_price: 95}
"""
EXPECTED = {  # watch label -> the severity its one drop (100 -> 90) deserves, and why
    "Tagged": "critical",  # the watch's own tag
    "Rival": "warning",  # its competitor's tag (ShopA is `direct`)
    "Mapped": "critical",  # 90 is below its MAP of 95
    "Plain": "info",  # nothing but the drop
}


def _seed(s):  # noqa: ANN001, ANN202
    watches = {
        "Tagged": seed_watch(s, competitor="ShopB", url="https://shop-b.example/p/1", label="Tagged", tags=["hero"]),
        "Rival": seed_watch(s, competitor="ShopA", url="https://shop-a.example/p/1", label="Rival"),
        "Mapped": seed_watch(s, competitor="ShopB", url="https://shop-b.example/p/2", label="Mapped",
                             options={"map_price": "95"}),
        "Plain": seed_watch(s, competitor="ShopB", url="https://shop-b.example/p/3", label="Plain"),
    }  # fmt: skip
    return [(w, price_change("100", "90", label)) for label, w in watches.items()]


def test_alert_report_and_dashboard_agree_on_each_changes_severity(tmp_path) -> None:  # noqa: ANN001
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    wl = watchlist(CHANNELS, RULES, WATCHES)
    run_id = new_run(factory, _seed)
    with factory.begin() as s:
        assert enqueue_run_alerts(s, run_id, wl, now=T0) == 4

    # The alert: one immediate message per change, its severity on the row and in its title.
    alerted = {}
    for d in deliveries(factory):
        label = next(k for k in EXPECTED if f"· {k}:" in d.title)
        assert d.title.startswith(f"[{d.severity}] ")
        alerted[label] = d.severity
    assert alerted == EXPECTED

    # The weekly report: one change per report, so each is one summary line (ShopB's three drops in one
    # report would be one grouped line under their top severity).
    period = date_range(date(2025, 3, 3), date(2025, 3, 9), "UTC")
    with factory() as s:
        data = load_report_data(s, period)
    for label, severity in EXPECTED.items():
        wanted = {w.id for w in data.watches.values() if w.label == label}
        alone = replace(data, changes=[c for c in data.changes if c.watch_id in wanted])
        report = build_report(alone, rules=wl.rules, generated_at=T0, charts=False)
        [line] = report.summary
        assert (label, line.severity) == (label, severity)
        assert f"- **{severity}**" in render_md(report)

    # The dashboard: the changes API (and the pages, which rate through the same function).
    app = create_app(factory, secret_key="s" * 40, watchlist=wl, secure_cookies=False)
    with factory.begin() as s:
        token = create_token(s, "tests").token
    with TestClient(app) as client:
        items = client.get("/api/v1/changes", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert {c["watch_label"]: c["severity"] for c in items} == EXPECTED


def _report_line(factory, rules, watch_label: str):  # noqa: ANN001, ANN202
    """The weekly report's one summary line for the changes of the watch labelled `watch_label`."""
    period = date_range(date(2025, 3, 3), date(2025, 3, 9), "UTC")
    with factory() as s:
        data = load_report_data(s, period)
    wanted = {w.id for w in data.watches.values() if w.label == watch_label}
    alone = replace(data, changes=[c for c in data.changes if c.watch_id in wanted])
    [line] = build_report(alone, rules=rules, generated_at=T0, charts=False).summary
    return line


# The critical rule routes to the pager only, and cools down for a day: neither decides how severe the
# change is for the chat channel that hears of it through the info rule.
ROUTED_CHANNELS = """
  - {name: chat, url: "json://127.0.0.1:9/x", mode: immediate}
  - {name: pager, url: "json://127.0.0.1:9/y", mode: immediate}
"""
ROUTED_RULES = """
  - {name: drops, when: price_drop, severity: info, channels: [chat]}
  - {name: hero, when: price_drop, tags: [hero], severity: critical, channels: [pager], cooldown: 1d}
"""


def test_a_change_is_as_severe_on_every_channel_as_in_the_report(tmp_path) -> None:  # noqa: ANN001
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    wl = watchlist(ROUTED_CHANNELS, ROUTED_RULES, WATCHES)
    watch_id = {}

    def first(s):  # noqa: ANN001, ANN202
        w = seed_watch(s, competitor="ShopB", url="https://shop-b.example/p/1", label="Tagged", tags=["hero"])
        watch_id["Tagged"] = w.id
        return [(w, price_change("100", "90", "Tagged"))]

    with factory.begin() as s:
        assert enqueue_run_alerts(s, new_run(factory, first), wl, now=T0) == 2
    both = [("chat", "critical"), ("pager", "critical")]
    assert sorted((d.channel, d.severity) for d in deliveries(factory)) == both
    assert _report_line(factory, wl.rules, "Tagged").severity == "critical"

    def again(s):  # noqa: ANN001, ANN202
        return [(s.get(Watch, watch_id["Tagged"]), price_change("90", "80", "Tagged"))]

    with factory.begin() as s:  # an hour later: hero cools down, so only chat hears, still as critical
        assert enqueue_run_alerts(s, new_run(factory, again), wl, now=T0 + timedelta(hours=1)) == 1
    last = deliveries(factory)[-1]
    assert (last.channel, last.rule, last.severity) == ("chat", "drops", "critical")
    assert last.title.startswith("[critical] ")


# A rank change of a keyword watch names no competitor; the ranked domain is ShopA's, whose `direct`
# tag makes it critical. The alert and the report attribute it the same way (monitor.rules.change_competitor).
RANK_RULES = """
  - {name: ranks, when: rank_moved, severity: info}
  - {name: rival-ranks, when: rank_moved, tags: [direct], severity: critical}
"""


def test_a_rank_change_naming_no_competitor_is_attributed_alike(tmp_path) -> None:  # noqa: ANN001
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    wl = watchlist(CHANNELS, RANK_RULES)

    def seed(s):  # noqa: ANN001, ANN202
        s.add(Competitor(name="ShopA", domains=["shop-a.example"], tags=["direct"]))
        s.add(Competitor(name="ShopB", domains=["shop-b.example"], tags=[]))
        kw = Watch(kind="keyword", url="serp://google/lamps", label="lamps · google", options={}, tags=[])
        s.add(kw)
        s.flush()
        moved = {
            "kind": "rank_moved", "summary": "www.shop-a.example moved up 3 on lamps: #5 -> #2",
            "field": "www.shop-a.example", "old": "5", "new": "2", "magnitude": 0.6,
            "details": {"domain": "www.shop-a.example", "keyword": "lamps", "engine": "google", "delta": 3},
        }  # fmt: skip
        return [(kw, moved)]

    run_id = new_run(factory, seed)
    with factory() as s:
        [facts] = run_changes(s, run_id)
    assert (facts.competitor, facts.competitor_tags) == ("ShopA", ("direct",))
    with factory.begin() as s:
        assert enqueue_run_alerts(s, run_id, wl, now=T0) == 1
    [alert] = deliveries(factory)
    line = _report_line(factory, wl.rules, "lamps · google")
    assert (line.competitor, line.severity) == ("ShopA", "critical") == ("ShopA", alert.severity)
    assert "ShopA" in alert.title


def test_change_competitor_names_the_owner_only_of_a_rank_change_that_names_none() -> None:
    a, b = CompetitorRow(1, "ShopA", ("shop-a.example",)), CompetitorRow(2, "ShopB", ("shop-b.example:81",))
    shops = [a, b]
    named = shops[1]
    assert change_competitor(named, "rank_moved", {"domain": "shop-a.example"}, shops) is named
    assert change_competitor(None, "rank_moved", {"domain": "www.shop-a.example"}, shops) is shops[0]
    assert change_competitor(None, "entered_top_n", {"domain": "blog.shop-a.example"}, shops) is shops[0]
    assert change_competitor(None, "rank_moved", {"domain": "shop-b.example:81"}, shops) is shops[1]
    assert change_competitor(None, "rank_moved", {"domain": "shop-b.example:9"}, shops) is None  # other port
    assert change_competitor(None, "rank_moved", {"domain": "ours.example"}, shops) is None
    assert change_competitor(None, "price_down", {"domain": "shop-a.example"}, shops) is None  # not a rank
    assert change_competitor(None, "rank_moved", {}, shops) is None
