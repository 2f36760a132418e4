"""`rivalwatch alerts test|log|retry` against a real mailbox, an impersonated WeCom bot and SQLite."""

from __future__ import annotations

from click.testing import CliRunner
from test_outbox_helpers import T0, new_run, price_change, seed_watch

from alerts.dispatcher import dispatch_pending
from alerts.outbox import enqueue_run_alerts
from models.db import open_store
from monitor.cli.alerts import group
from monitor.demo.impersonators import ServiceImpersonator, point_apprise_at
from monitor.demo.mailbox import LocalMailbox
from monitor.watchlist import load_watchlist

SECRET = "wecom-cli-secret-77"


def test_alerts_test_log_and_retry(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("RIVALWATCH_DATABASE_URL", raising=False)
    db = f"sqlite:///{tmp_path / 'rw.db'}"
    secrets = tmp_path / "secrets.env"
    secrets.write_text(f"WECOM_KEY={SECRET}\n")
    runner = CliRunner()
    with LocalMailbox(tmp_path / "mail") as box, ServiceImpersonator() as fake, point_apprise_at(fake):
        config = tmp_path / "watchlist.yaml"
        config.write_text(
            f"""
settings: {{database_url: "{db}", secrets_file: "{secrets}", allow_private_hosts: [127.0.0.1]}}
competitors: [{{name: ShopA}}]
channels:
  - {{name: mail, url: "{box.apprise_url()}", every: run}}
  - {{name: wecom, url: "wecombot://${{WECOM_KEY}}", mode: immediate, min_interval: 0}}
  - {{name: bad, url: "wecombot://has space"}}
rules:
  - {{name: drops, when: price_drop, channels: [mail, wecom]}}
"""
        )
        result = runner.invoke(group, ["test", "--config", str(config)])
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert lines[:2] == ["ok    mail", "ok    wecom"]
        assert lines[2].startswith("FAIL  bad: channel 'bad': Apprise cannot use the URL wecombot://***")
        assert lines[3] == "2 of 3 channels reached"
        assert len(box.messages()) == 1 and len(fake.accepted("wecombot")) == 1

        wl = load_watchlist(config)
        _, factory = open_store(db)
        run_id = new_run(factory, lambda s: [(seed_watch(s), price_change("100", "80"))])
        with factory.begin() as s:
            assert enqueue_run_alerts(s, run_id, wl, now=T0) == 2
        fake.fail_next("wecombot", 1)
        report = dispatch_pending(factory, wl, now=T0)
        assert (report.sent, report.retrying) == (1, 1)

        log = runner.invoke(group, ["log", "-c", str(config)])
        assert log.exit_code == 0, log.output
        assert "retrying" in log.output and "sent" in log.output and "Internal server error" in log.output
        assert SECRET not in log.output and "[warning] ShopA: Price drop" in log.output
        assert "outbox: pending: 1, sent: 1" in log.output
        failed_only = runner.invoke(group, ["log", "--db", db, "--status", "failed"])
        assert failed_only.exit_code == 0 and "outbox:" in failed_only.output

        retry = runner.invoke(group, ["retry", "-c", str(config)])
        assert retry.exit_code == 0, retry.output
        assert retry.output.splitlines() == ["1 deliveries due now", "sent 1, will retry 0, failed 0"]
        assert len(fake.accepted("wecombot")) == 2  # the test message, then the alert once
        assert SECRET not in retry.output
