"""Severities reach the services as Apprise's notification types (info, warning, critical -> failure):
the real Slack plugin, impersonated on 127.0.0.1, colours each message by its type."""

from __future__ import annotations

import apprise
from pg_fixture import *  # noqa: F403 - the store fixtures
from test_outbox_helpers import T0, new_run, price_change, seed_watch, stock_change, watchlist

from alerts.dispatcher import dispatch_pending
from alerts.outbox import enqueue_run_alerts
from monitor.demo.impersonators import ServiceImpersonator, point_apprise_at


def test_each_severity_goes_out_as_its_apprise_type(tmp_path) -> None:  # noqa: ANN001
    from models.db import open_store

    _e, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
    wl = watchlist(
        '  - {name: slack, url: "slack://TA1/TB2/TC3/#pricing", mode: immediate, min_interval: 0}\n',
        "  - {name: rises, when: price_rise, severity: info}\n"
        "  - {name: drops, when: price_drop, severity: warning}\n"
        "  - {name: stock, when: out_of_stock, severity: critical}\n",
    )
    run = new_run(factory, lambda s: [
        (seed_watch(s, url="https://shop-a.example/p/1", label="W1"), price_change("90", "100", "W1")),
        (seed_watch(s, url="https://shop-a.example/p/2", label="W2"), price_change("100", "90", "W2")),
        (seed_watch(s, url="https://shop-a.example/p/3", label="W3"), stock_change(label="W3")),
    ])  # fmt: skip
    with factory.begin() as s:
        assert enqueue_run_alerts(s, run, wl, now=T0) == 3
    asset = apprise.AppriseAsset()
    expected = {
        "W1": asset.color(apprise.NotifyType.INFO),
        "W2": asset.color(apprise.NotifyType.WARNING),
        "W3": asset.color(apprise.NotifyType.FAILURE),
    }
    assert len(set(expected.values())) == 3
    with ServiceImpersonator() as fake, point_apprise_at(fake):
        assert dispatch_pending(factory, wl, env={}, now=T0).sent == 3
        sent = fake.accepted("slack")
    colours = {}
    for r in sent:
        attachment = r.payload["attachments"][0]
        label = next(k for k in expected if f"· {k}" in attachment["title"])
        colours[label] = attachment["color"]
    assert colours == expected
