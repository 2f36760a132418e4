"""The service in-process over several accelerated days of the demo market, over real HTTP.

The market moves a day at a time and, as if a day had passed, every watch comes due (one crawl a day,
so one digest a day per channel: Apprise spaces messages of one channel 5.5 s apart). The alerts
received over SMTP and by the impersonated WeCom bot (one digest per crawl each) must be
exactly the stored changes the rules route to them: none missing, none twice. One JSON log line is
written per crawl and per delivery.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import yaml
from service_helpers import delivered, expected_alerts, mail_keys, outbox_settled, wait_for, write_watchlist
from sqlalchemy import func, select, update

from models import CrawlRun, Watch
from models.crawl import Observation
from models.db import open_store
from monitor.demo.impersonators import ServiceImpersonator, point_apprise_at
from monitor.demo.mailbox import LocalMailbox
from monitor.service import Service, ServiceOptions
from monitor.service.logs import install, uninstall
from monitor.status import service_health, service_lines
from monitor.watchlist import load_watchlist

DAYS = 3


# the demo market of the `market` fixture (conftest.py)
MARKET = {"seed": 5, "n_products": 10}


def _all_checked_since(factory, since: datetime) -> bool:  # noqa: ANN001
    with factory() as s:
        active = set(s.scalars(select(Watch.id).where(Watch.active.is_(True))))
        seen = set(
            s.scalars(
                select(Observation.watch_id)
                .where(Observation.fetched_at > since)
                .group_by(Observation.watch_id)
            )
        )
    return active <= seen


def test_alerts_over_accelerated_days_match_the_stored_changes(market, tmp_path) -> None:  # noqa: ANN001
    market.set_day(0)
    out = io.StringIO()
    handler = install(stream=out)
    with LocalMailbox(tmp_path / "mail") as mailbox, ServiceImpersonator() as fake, point_apprise_at(fake):
        config, db = tmp_path / "watchlist.yaml", tmp_path / "rw.db"
        data = write_watchlist(config, market, mailbox.apprise_url(), db, default_interval="1d")
        data["channels"].append({"name": "wecom", "url": "wecombot://LOCALKEY", "mode": "digest", "every": "run"})
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        watchlist = load_watchlist(config)
        service = Service(config, ServiceOptions(tick=0.2, dispatch_every=0.5, spread_rate=1000))
        service.start()
        factory = service.factory
        try:
            wait_for(lambda: _all_checked_since(factory, datetime.min.replace(tzinfo=UTC)), 30, "day 0")
            for day in range(1, DAYS + 1):
                market.set_day(day)
                moved = datetime.now(UTC)
                with factory.begin() as s:
                    s.execute(update(Watch).values(next_due_at=moved))
                wait_for(lambda m=moved: _all_checked_since(factory, m), 30, f"day {day} checked")
                wait_for(lambda: outbox_settled(factory), 20, f"day {day}'s alerts sent")
            with factory() as s:
                health = service_health(s, datetime.now(UTC), watchlist.settings.database_url)
            assert health.running and any(
                line.startswith("service: running") for line in service_lines(health, datetime.now(UTC))
            )
        finally:
            service.stop()
        wait_for(lambda: outbox_settled(factory), 20, "the outbox to drain")
        expected = expected_alerts(factory, watchlist)
        deliveries = delivered(factory)
        keys = mail_keys(mailbox)
        wecom = fake.accepted("wecombot")
    uninstall(handler)

    assert {c for _cid, c in expected} == {"ops-mail", "wecom"}, "the days should move prices past the rules"
    assert all(status == "sent" for status, *_ in deliveries.values())
    covered = sorted((cid, channel) for _s, ids, channel in deliveries.values() for cid in ids)
    assert covered == sorted(expected)  # every routed change queued once per channel: none lost or doubled
    mail_deliveries = {k for k, (_s, _ids, channel) in deliveries.items() if channel == "ops-mail"}
    assert sorted(keys) == sorted(mail_deliveries)  # each mail delivery arrived over SMTP exactly once
    wecom_keys = [k for k in deliveries if k not in mail_deliveries]
    assert len(wecom) == len(wecom_keys)  # each digest received once
    assert all(any(k in r.payload["text"]["content"] for r in wecom) for k in wecom_keys)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    with factory() as s:
        runs = s.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.trigger == "serve"))
    assert sum(1 for e in lines if e["event"] == "crawl") == runs
    assert sum(1 for e in lines if e["event"] == "delivery" and e["status"] == "sent") == len(deliveries)
    assert lines[-1]["event"] == "stopped"


def test_a_bad_watchlist_on_reload_keeps_the_old_one(market, tmp_path) -> None:  # noqa: ANN001
    out = io.StringIO()
    handler = install(stream=out)
    config, db = tmp_path / "watchlist.yaml", tmp_path / "rw.db"
    data = write_watchlist(config, market, "json://127.0.0.1:9/unused", db, default_interval="1h")
    data["channels"], data["rules"] = [], []
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    service = Service(config, ServiceOptions(tick=0.2, spread_rate=1000))
    service.start()
    try:
        good = config.read_text()
        config.write_text(good.replace("default_interval: 1h", "default_intervall: 1h"))
        assert service.reload() is False
        assert "default_intervall" in service.state.last_reload_error
        assert service.watchlist.settings.default_interval == 3600
        data["products"] = data["products"][1:]
        data["products"][0]["cron"] = "*/5 * * * *"
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        assert service.reload() is True
        assert service.state.last_reload_error is None
    finally:
        service.stop()
        uninstall(handler)
    _engine, factory = open_store(f"sqlite:///{db}")
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Watch).where(Watch.active.is_(False))) == 1
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    failed = next(e for e in events if e["event"] == "reload_failed")
    assert any("default_intervall" in p and "unknown key" in p for p in failed["problems"])
    assert next(e for e in events if e["event"] == "reloaded")["deactivated"] == 1
