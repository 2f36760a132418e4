"""The weekly report's parts on a small hand-made store: periods, positions rebuilt from rank changes
(no rank tables), site diffs, escaping of competitor text, the CLI, and delivery by email over SMTP."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import yaml
from click.testing import CliRunner

from models import Change, Competitor, Observation, ProductState, Watch
from monitor.report import build, build_and_deliver, iso_week, last_full_week, next_report_at
from monitor.report.charts import bar_chart, line_chart
from monitor.report.model import Series
from monitor.report.period import PeriodError, date_range
from monitor.report.render_html import render_html
from monitor.report.render_md import render_digest, render_md
from monitor.watchlist import load_watchlist_text

TZ = "Asia/Shanghai"
WEEK = "2026-W10"  # Monday 2026-03-02
EVIL = "<script>alert(1)</script> Pro"


def test_iso_weeks_are_local_weeks() -> None:
    p = iso_week("2026-W10", TZ)
    assert (p.first_day, p.last_day) == (date(2026, 3, 2), date(2026, 3, 8))
    assert p.start == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # Monday 00:00 in Shanghai
    assert p.end - p.start == timedelta(days=7) and p.start - p.prev_start == timedelta(days=7)
    assert iso_week("2026w10", TZ) == p
    with pytest.raises(PeriodError, match="ISO week"):
        iso_week("2026-10", TZ)
    with pytest.raises(PeriodError, match="no ISO week 54"):
        iso_week("2026-W54", TZ)
    r = date_range(date(2026, 3, 1), date(2026, 3, 14), "UTC")
    assert r.days == 14 and r.prev_start == datetime(2026, 2, 15, tzinfo=UTC)
    assert last_full_week(datetime(2026, 3, 9, 1, 0, tzinfo=UTC), TZ).label == "2026-W10"


def test_next_report_time_follows_the_report_settings() -> None:
    wl = load_watchlist_text(
        yaml.safe_dump({"settings": {"timezone": TZ}, "report": {"day": "mon", "time": "08:30"}})
    )
    after = datetime(2026, 3, 4, tzinfo=UTC)  # a Wednesday
    assert next_report_at(wl, after) == datetime(2026, 3, 9, 0, 30, tzinfo=UTC)
    assert next_report_at(wl, datetime(2026, 3, 9, 0, 30, tzinfo=UTC)) == datetime(
        2026, 3, 16, 0, 30, tzinfo=UTC
    )
    with pytest.raises(Exception, match="unknown time zone"):
        load_watchlist_text("report: {timezone: Mars/Olympus}")


def _at(day: int, hour: int = 3) -> datetime:
    """Day 0 = Monday 2026-02-23 (the week before WEEK), in UTC."""
    return datetime(2026, 2, 23, hour, tzinfo=UTC) + timedelta(days=day)


def _seed(factory) -> dict:  # noqa: ANN001
    with factory.begin() as s:
        alpha = Competitor(name="Alpha", domains=["alpha.example"])
        beta = Competitor(name="Beta", domains=["beta.example"])
        s.add_all([alpha, beta])
        s.flush()
        products = []
        for comp, prices in (
            (alpha, [(100, 100, 80), (50, 55, 55)]),
            (beta, [(110, 110, 120), (48, 48, 48)]),
        ):
            for i, (p0, p1, p2) in enumerate(prices):
                w = Watch(kind="product", url=f"https://{comp.domains[0]}/p{i}", label=f"{comp.name} {EVIL} {i}",
                          competitor_id=comp.id, options={"our_price": "100" if i == 0 else "50"})  # fmt: skip
                s.add(w)
                s.flush()
                products.append(w)
                for day, price in ((-3, p0), (4, p1), (9, p2)):
                    obs = Observation(watch_id=w.id, fetched_at=_at(day), status="ok")
                    s.add(obs)
                    s.flush()
                    s.add(ProductState(watch_id=w.id, observation_id=obs.id, observed_at=_at(day),
                                       price=Decimal(price), currency="USD", availability="InStock"))  # fmt: skip
                    prev = {4: p0, 9: p1}.get(day)
                    if prev is not None and prev != price:
                        s.add(Change(watch_id=w.id, observation_id=obs.id, competitor_id=comp.id, detected_at=_at(day),
                                     kind="price_down" if price < prev else "price_up", summary=f"{prev} -> {price}",
                                     field="price", old=str(prev), new=str(price), magnitude=(price - prev) / prev,
                                     anomaly_score=0.9 if price == 80 else 0.1,
                                     anomaly_explanation="price 20% below its 30-day median"))  # fmt: skip
        kw = Watch(kind="keyword", url="serp://google/widgets", label="widgets", options={})
        page = Watch(kind="page", url="https://alpha.example/pricing", label="Alpha pricing", competitor_id=alpha.id,
                     options={})  # fmt: skip
        s.add_all([kw, page])
        s.flush()
        obs = Observation(watch_id=kw.id, fetched_at=_at(1), status="ok")
        s.add(obs)
        s.flush()

        def rank_change(day, domain, old, new, kind="rank_moved"):  # noqa: ANN001, ANN202
            details = {
                "domain": domain,
                "keyword": "widgets",
                "engine": "google",
                "locale": "en",
                "device": "desktop",
            }
            s.add(Change(watch_id=kw.id, observation_id=obs.id, detected_at=_at(day), kind=kind,
                         summary=f"{domain} {old} -> {new}", field=domain, old=old, new=new, details=details))  # fmt: skip

        rank_change(2, "alpha.example", "12", "8", "entered_top_n")
        rank_change(9, "alpha.example", "8", "3")
        rank_change(10, "beta.example", "4", "14", "left_top_n")
        s.add(Change(watch_id=page.id, observation_id=obs.id, competitor_id=alpha.id, detected_at=_at(8),
                     kind="content_changed", summary="page content changed",
                     details={"added_lines": ["Pro plan: $49 <b>now</b>"], "removed_lines": ["Pro plan: $59"],
                              "added_count": 1, "removed_count": 1}))  # fmt: skip
    return {"products": [p.id for p in products]}


def test_report_from_changes_only(store) -> None:  # noqa: ANN001
    _engine, factory = store
    _seed(factory)
    report = build(factory, iso_week(WEEK, "UTC"))
    alpha, beta = report.competitors
    assert alpha.name == "Alpha"
    # moves are the price changes recorded in each week; net counts compare the week's end with its start
    assert (alpha.prices.moves_up.this_week, alpha.prices.moves_down.this_week) == (0, 1)
    assert (alpha.prices.moves_up.last_week, alpha.prices.moves_down.last_week) == (1, 0)
    assert (alpha.prices.net_up.this_week, alpha.prices.net_down.this_week) == (0, 1)
    assert not alpha.baseline and alpha.watching_since == date(2026, 2, 20)
    assert alpha.prices.moves[0].before == Decimal(100) and alpha.prices.moves[0].after == Decimal(80)
    # indexes: Alpha median(80/100, 55/50) = 0.95; Beta median(120/100, 48/50) = 1.08
    assert alpha.prices.index_vs_ours.this_week == pytest.approx(95.0)
    assert beta.prices.index_vs_ours.this_week == pytest.approx(108.0)
    assert alpha.prices.index_vs_market_min.this_week == pytest.approx(100.0)
    assert beta.prices.index_vs_market_min.this_week == pytest.approx(100 * 108 / 95)
    assert alpha.prices.below_our_price.this_week == 1
    # positions rebuilt from rank changes: Alpha 8 -> 3 over the week; Beta 4 -> 14 (lost the top 10)
    (pos,) = alpha.keywords.positions
    assert (pos.previous, pos.current, pos.arrow) == (8, 3, "up")
    assert beta.keywords.positions[0].arrow == "down" and beta.keywords.lost_top10 == ["widgets (google)"]
    assert alpha.keywords.source == "changes"
    assert sum(v.share.this_week for v in report.share_of_voice) == pytest.approx(1.0)
    (diff,) = alpha.site.content
    assert diff.added == ["Pro plan: $49 <b>now</b>"] and diff.removed == ["Pro plan: $59"]
    assert alpha.anomalies[0].score == pytest.approx(0.9) and "median" in alpha.anomalies[0].explanation
    assert report.summary[0].score == pytest.approx(0.9)
    html = render_html(report, "en")
    assert EVIL not in html and "&lt;script&gt;" in html and "<b>now</b>" not in html
    md = render_md(report, "zh-CN")
    assert "<script>" not in md and "价格" in md
    title, body = render_digest(report, "en")
    assert "2026-W10" in title and "Alpha" in body


def test_only_the_competitors_asked_for(store) -> None:  # noqa: ANN001
    _engine, factory = store
    _seed(factory)
    report = build(factory, iso_week(WEEK, "UTC"), competitors=["Beta"])
    assert [c.name for c in report.competitors] == ["Beta"]
    assert all(line.competitor == "Beta" for line in report.summary)
    with pytest.raises(ValueError, match="unknown competitor"):
        build(factory, iso_week(WEEK, "UTC"), competitors=["Gamma"])


def test_charts_escape_text_and_skip_empty_series() -> None:
    svg = line_chart([Series("<b>x</b>", "USD", [(date(2026, 3, 1), 1.0), (date(2026, 3, 2), 2.0)])], "t<")
    assert svg.startswith("<svg") and "<b>" not in svg and "&lt;b&gt;" in svg and "polyline" in svg
    assert line_chart([Series("empty", None, [])], "t") == ""
    assert "data-chart='bars'" in bar_chart([("a.example", 0.5, 0.4)], "share")


def _watchlist(tmp_path, mail_url: str | None = None):  # noqa: ANN001, ANN202
    data = {
        "settings": {"database_url": f"sqlite:///{tmp_path / 'store.db'}", "timezone": "UTC"},
        "competitors": [
            {"name": "Alpha", "domains": ["alpha.example"]},
            {"name": "Beta", "domains": ["beta.example"]},
        ],
        "report": {"out_dir": str(tmp_path / "reports"), "formats": ["html", "json"]},
    }
    if mail_url:
        data["channels"] = [{"name": "ops-mail", "url": mail_url}]
    path = tmp_path / "watchlist.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_cli_writes_the_files(tmp_path) -> None:  # noqa: ANN001
    from models.db import open_store
    from monitor.cli import main

    path = _watchlist(tmp_path)
    _engine, factory = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    _seed(factory)
    result = CliRunner().invoke(main, ["report", "-c", str(path), "--week", WEEK, "--format", "html,md,csv,json",
                                       "--competitor", "Alpha", "--locale", "zh-CN"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = tmp_path / "reports"
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".html", ".json", ".md"]
    data = json.loads((out / "rivalwatch-report-2026-W10.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in data["competitors"]] == ["Alpha"]
    bad = CliRunner().invoke(main, ["report", "-c", str(path), "--week", "2026-W99"])
    assert bad.exit_code != 0 and "no ISO week 99" in bad.output
    bad = CliRunner().invoke(main, ["report", "-c", str(path), "--send", "nowhere"])
    assert bad.exit_code != 0 and "unknown channel" in bad.output


def test_email_carries_the_html_and_the_files(tmp_path) -> None:  # noqa: ANN001
    from models.db import open_store
    from monitor.demo.mailbox import LocalMailbox
    from monitor.watchlist import load_watchlist

    with LocalMailbox(tmp_path / "mailbox") as mailbox:
        watchlist = load_watchlist(_watchlist(tmp_path, mailbox.apprise_url()))
        _engine, factory = open_store(watchlist.settings.database_url)
        _seed(factory)
        run = build_and_deliver(watchlist, factory, week=WEEK, send=["ops-mail"])
        assert [r.ok for r in run.results] == [True], run.results
        (message,) = mailbox.messages()
    assert "2026-W10" in message["Subject"]
    parts = list(message.walk())
    html = next(p for p in parts if p.get_content_type() == "text/html" and not p.get_filename())
    assert "Executive summary" in html.get_content()
    names = {p.get_filename() for p in parts if p.get_filename()}
    assert names == {"rivalwatch-report-2026-W10.html", "rivalwatch-report-2026-W10.json"}


def test_a_chat_channel_is_pointed_at_the_email_edition_only_when_one_went_out(tmp_path) -> None:  # noqa: ANN001
    from models.db import open_store
    from monitor.demo.impersonators import ServiceImpersonator, point_apprise_at
    from monitor.demo.mailbox import LocalMailbox
    from monitor.watchlist import load_watchlist

    with LocalMailbox(tmp_path / "mailbox") as mailbox, ServiceImpersonator() as fake, point_apprise_at(fake):
        path = _watchlist(tmp_path, mailbox.apprise_url())
        data = yaml.safe_load(path.read_text())
        data["channels"].append({"name": "wecom", "url": "wecombot://reportkey", "min_interval": 0})
        data["settings"]["allow_private_hosts"] = ["127.0.0.1"]  # the impersonated WeCom listens there
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        watchlist = load_watchlist(path)
        _engine, factory = open_store(watchlist.settings.database_url)
        _seed(factory)
        alone = build_and_deliver(watchlist, factory, week=WEEK, send=["wecom"])
        both = build_and_deliver(watchlist, factory, week=WEEK, send=["ops-mail", "wecom"])
        assert all(r.ok for r in alone.results + both.results)
        first, second = (r.payload["text"]["content"] for r in fake.accepted("wecombot"))
    assert "email edition" not in first and str(tmp_path / "reports") in first
    assert "attached to the email edition" in second
