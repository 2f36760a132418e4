"""One change, one severity: the alert that went out (the outbox row and its title), the weekly
report's executive summary (model and rendered Markdown) and the dashboard's API all rate a change
with the same rules on the same facts, also for rules that look at the watch's tags, the
competitor's tags and the MAP price (which the report and the dashboard once left out)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi.testclient import TestClient
from test_outbox_helpers import T0, deliveries, new_run, price_change, seed_watch, watchlist

from alerts.outbox import enqueue_run_alerts
from models.db import open_store
from monitor.report.builder import build_report
from monitor.report.period import date_range
from monitor.report.queries import load_report_data
from monitor.report.render_md import render_md
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
