"""Runs that die or lose the store mid-crawl, whatever started them: `run` killed with -9 has its
stored changes alerted by the next run, which checks the rest (each watch once); a database lost
in the middle of `run` is a clear message and exit code 3, and the run is closed once the store is back."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml
from local_http import origin
from sqlalchemy import func, select, text
from tcp_proxy import TcpProxy

from bench.lib.overlap import PriceShop, counts_since, finish, make_all_due, start_run, write_watchlist
from models import AlertDelivery, Change, CrawlRun, Observation

N, MOVES = 260, 30


class Receiver(BaseHTTPRequestHandler):
    """An Apprise json:// endpoint: keeps every notification."""

    posts: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Receiver.posts.append(json.loads(body or b"{}"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _with_alerts(config, receiver_url: str) -> None:  # noqa: ANN001
    data = yaml.safe_load(config.read_text())
    data["channels"] = [{"name": "hook", "url": receiver_url, "mode": "immediate"}]
    data["rules"] = [{"name": "drops", "when": "price_drop", "threshold_pct": 1}]
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def _wait(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_kill_9_of_run_then_the_next_run_alerts_its_changes_and_checks_the_rest(store_url, tmp_path) -> None:  # noqa: ANN001
    url, factory = store_url
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    Receiver.posts = []
    try:
        with PriceShop(N).serving() as shop:
            config = write_watchlist(tmp_path / "watchlist.yaml", shop, url, concurrency=8)
            _with_alerts(config, "json://" + origin(receiver).split("://", 1)[1] + "/")
            assert finish(start_run(config, url, "--no-alerts")).returncode == 0
            with factory() as s:
                last = s.scalar(select(func.max(CrawlRun.id))) or 0
            shop.move(MOVES)
            make_all_due(factory)
            shop.delay_s = 0.1  # 260 pages eight at a time: about 4 s, killed after the first batch of 200
            victim = start_run(config, url)
            with factory() as s:

                def some_changes() -> bool:
                    return (
                        s.scalar(select(func.count()).select_from(Change).where(Change.run_id > last)) or 0
                    ) >= 1

                _wait(lambda: some_changes() or victim.poll() is not None, 60, "the first changes")
            assert victim.poll() is None, "the run ended before the kill"
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(10)
            shop.delay_s = 0.0
            rescue = finish(start_run(config, url))
            assert rescue.returncode == 0, rescue.stderr[-3000:]
            per_watch, changes = counts_since(factory, last)
        with factory() as s:
            killed = s.scalars(select(CrawlRun).where(CrawlRun.pid == victim.pid)).one()
            assert killed.status == "interrupted" and killed.ok > 0
            change_ids = set(s.scalars(select(Change.id).where(Change.run_id > last)))
            sent = [d for d in s.scalars(select(AlertDelivery)) if d.status == "sent"]
        assert f"run {killed.id} had been cut off" in rescue.stdout
        assert sorted(set(per_watch.values())) == [1]  # the killed run's watches were not checked again
        assert changes == MOVES
        alerted = [c for d in sent for c in d.change_ids]
        assert sorted(alerted) == sorted(change_ids)  # each change alerted once, the killed run's too
        assert len(Receiver.posts) == len(sent)
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_the_database_lost_mid_run_is_a_clear_exit_and_the_run_is_closed_later(pg_sessions, tmp_path) -> None:  # noqa: ANN001
    from pg_fixture import PG_URL

    factory = pg_sessions
    with factory() as s:
        schema = s.scalar(text("SELECT current_schema()"))
    proxy = TcpProxy(5432)
    url = PG_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}") + f"?options=-csearch_path%3D{schema}"
    try:
        with PriceShop(40, delay_s=0.25).serving() as shop:
            config = write_watchlist(tmp_path / "watchlist.yaml", shop, url, concurrency=2)
            proc = start_run(config, url)
            with factory() as s:
                _wait(
                    lambda: (s.scalar(select(func.count()).select_from(CrawlRun)) or 0) > 0 and shop.hits > 4,
                    60,
                    "the crawl to start",
                )
            proxy.cut()
            result = finish(proc, timeout=120)
            proxy.restore()
            assert result.returncode == 3, result.stderr[-3000:]
            assert "the database stopped answering during run " in result.stderr
            assert "Traceback" not in result.stderr
            shop.delay_s = 0.0
            again_proc = start_run(config, url)
            again_pid = again_proc.pid
            again = finish(again_proc)
            assert again.returncode == 0, again.stderr[-3000:]
        with factory() as s:
            statuses = {r.pid: r.status for r in s.scalars(select(CrawlRun).where(CrawlRun.trigger == "run"))}
        assert statuses == {proc.pid: "interrupted", again_pid: "done"}
    finally:
        proxy.close()


def test_serve_alerts_a_crawl_that_ended_while_the_database_was_away_without_a_restart(
    pg_sessions, tmp_path, monkeypatch  # noqa: ANN001
) -> None:
    """`serve` in-process on PostgreSQL through a proxy: the store goes away in the middle of a crawl
    and stays away until that crawl has ended. Once it answers again, the same service (no restart)
    closes that run "interrupted", alerts what it had stored, checks again what it could not store,
    and every price move is alerted exactly once."""
    from pg_fixture import PG_URL

    from monitor.service import Service, ServiceOptions

    factory = pg_sessions
    with factory() as s:
        schema = s.scalar(text("SELECT current_schema()"))
    proxy = TcpProxy(5432)
    url = PG_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}") + f"?options=-csearch_path%3D{schema}"
    monkeypatch.setenv("RIVALWATCH_DATABASE_URL", url)
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    Receiver.posts = []
    n, moves = N, MOVES
    service = None
    try:
        with PriceShop(n).serving() as shop:
            config = write_watchlist(tmp_path / "watchlist.yaml", shop, url, concurrency=8)
            _with_alerts(config, "json://" + origin(receiver).split("://", 1)[1] + "/")
            service = Service(config, ServiceOptions(tick=0.2, dispatch_every=0.5, spread_rate=1000))
            service.start()
            def first_round_done() -> bool:
                # every watch stored and no run still open: the first round may take more than one crawl
                with factory() as s:
                    stored = s.scalar(select(func.count(func.distinct(Observation.watch_id)))) or 0
                    running = s.scalar(
                        select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "running")
                    )
                return service.stats.crawls >= 1 and stored >= n and not running

            _wait(first_round_done, 60, "the first round")
            base = service.stats.crawls
            with factory() as s:
                first = s.scalar(select(func.max(CrawlRun.id))) or 0
            moved = shop.move(moves)
            # The second crawl is held after 230 of its 260 pages until the store is cut, so it is
            # cut after the first batch of 200 is stored and before the crawl ends, on any load.
            shop.hold_after = shop.hits + 230
            shop.delay_s = 0.3  # eight at a time: the batch of 200 is stored about when the hold begins
            make_all_due(factory)

            def some_stored() -> bool:
                with factory() as s:
                    return (s.scalar(select(func.count()).select_from(Change).where(Change.run_id > first)) or 0) >= 1

            _wait(some_stored, 60, "the second crawl's first stored changes")
            proxy.cut()
            assert service.stats.crawls == base, "the second crawl ended before the cut"
            assert shop.hits < 2 * n, "every page was fetched before the cut"
            shop.released.set()
            shop.delay_s = 0.0
            _wait(lambda: service.stats.crawls > base, 120, "the second crawl to end, the store away")
            time.sleep(1.0)  # a few scheduler ticks with the store still away
            proxy.restore()

            def settled() -> bool:
                with factory() as s:
                    runs = {r.id: r.status for r in s.scalars(select(CrawlRun).where(CrawlRun.id > first))}
                    waiting = s.scalar(
                        select(func.count()).select_from(AlertDelivery)
                        .where(AlertDelivery.status.in_(("pending", "sending")))
                    )
                return "running" not in runs.values() and len(runs) >= 1 and not waiting and len(Receiver.posts) >= moves

            _wait(settled, 120, "the interrupted run closed and every move alerted")
            time.sleep(1.5)  # a late duplicate would arrive within a dispatcher tick or two
        with factory() as s:
            runs = list(s.scalars(select(CrawlRun).where(CrawlRun.id > first).order_by(CrawlRun.id)))
            changes = list(s.scalars(select(Change).where(Change.run_id > first)))
            sent = [d for d in s.scalars(select(AlertDelivery)) if d.status == "sent"]
        assert runs[0].status == "interrupted" and runs[0].ok > 0, [(r.id, r.status, r.ok) for r in runs]
        assert any(c.run_id == runs[0].id for c in changes)  # it had stored changes before the store went
        assert len(runs) >= 2 and runs[1].ok < n  # the next crawl checked again only what was not stored
        assert {r.status for r in runs[1:]} <= {"complete"}
        assert service.stats.crawls >= base + 1
        # Every move is one change, alerted once: the interrupted run's stored ones and the re-checked rest.
        assert len(changes) == moves
        assert sorted(c for d in sent for c in d.change_ids) == sorted(c.id for c in changes)
        assert len(Receiver.posts) == moves, [p.get("title") for p in Receiver.posts]
        with factory() as s:
            from models import Watch

            urls = {c.watch_id: s.get(Watch, c.watch_id).url for c in changes}
        assert sorted(int(u.rsplit("/", 1)[1]) for u in urls.values()) == sorted(moved)
    finally:
        if service is not None:
            service.stop()
        proxy.close()
        receiver.shutdown()
        receiver.server_close()
