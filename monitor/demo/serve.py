"""`rivalwatch demo --serve`: the service on the demo market, which moves a day every few seconds.

Everything is real and local, as in `rivalwatch demo`: the market over HTTP on 127.0.0.1, SQLite and the
service's JSON log under the work folder, alerts over SMTP into a folder of .eml files. Each watch is
checked once per simulated day (its interval is the day's length), so a user can watch prices move,
changes get detected and alerts arrive, and try `rivalwatch status -c <workdir>/watchlist.yaml` and
`kill -HUP` on the way. Ctrl-C stops it cleanly, and so does the end of `days` simulated days.

The mail channel is a digest with a window (`every`, one minute by default): however many crawl
batches run in a window, it gets one mail. The service runs on the real clock; a `DemoClock` with a
`jump` moves the service's time forward by that much each simulated day instead (the tests use it
to see hour-long windows close within seconds).
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from rich.console import Console

from monitor.demo import DemoMarket
from monitor.demo.mailbox import LocalMailbox
from monitor.demo.session import DEMO_TZ, demo_watchlist
from monitor.service.logs import LOGGER, install, uninstall
from monitor.service.service import Service, ServiceOptions
from monitor.service.signals import install_signals


class _ConsoleEvents(logging.Handler):
    """The service's events, for a person: crawls that found something, and each alert sent."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        name = getattr(record, "rw_event", None)
        f = getattr(record, "rw_fields", {})
        if name == "crawl" and "error" not in f:
            tail = f"; {f['changes']} changes" if f.get("changes") else ""
            self.console.print(
                f"  crawl {f['run_id']}: {f['watches']} checked, {f['failed']} failed{tail} "
                f"(lag p50 {f['lag_p50']:.1f}s)"
            )
        elif name == "crawl":
            self.console.print(f"  [red]crawl failed[/red]: {f['error']}")
        elif name is None and record.getMessage().startswith("alert delivery "):
            self.console.print(
                f"  [green]alert[/green] {record.getMessage().removeprefix('alert delivery ')}"
            )
        elif name in ("reloaded", "reload_failed", "stopping", "stopped"):
            self.console.print(f"  {name}: {', '.join(f'{k}={v}' for k, v in f.items())}")


class DemoClock:
    """The service's clock in `demo --serve`: real time, plus `jump` for each simulated day passed."""

    def __init__(self, jump: timedelta = timedelta(0)) -> None:
        self.jump = jump
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def next_day(self) -> None:
        with self._lock:
            self._offset += self.jump


def serve_demo(
    seed: int = 7,
    n_products: int = 20,
    workdir: Path = Path("var/demo-serve"),
    day_seconds: float = 30.0,
    console: Console | None = None,
    *,
    days: int | None = None,
    digest_every: str = "1m",
    clock: DemoClock | None = None,
    options: ServiceOptions | None = None,
    signals: bool = True,
) -> Service:
    """Run until Ctrl-C/SIGTERM, or until `days` simulated days have passed; returns the stopped
    service (its stats). The store and the mailbox stay in `workdir`."""

    console = console or Console(highlight=False)
    clock = clock or DemoClock()
    workdir = workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)  # same seed, same story, fresh store
    workdir.mkdir(parents=True)
    mailbox = LocalMailbox(workdir / "mailbox")
    mailbox.start()
    market = DemoMarket(seed=seed, n_products=n_products, day0=clock().astimezone(ZoneInfo(DEMO_TZ)).date())
    market.start()
    handler = install(workdir / "service.log")
    console_events = _ConsoleEvents(console)
    logging.getLogger(LOGGER).addHandler(console_events)
    logging.getLogger("rivalwatch.alerts").addHandler(console_events)
    stop_market = threading.Event()
    try:
        data = demo_watchlist(market, mailbox.apprise_url())
        data["settings"].update(
            database_url=f"sqlite:///{workdir / 'rivalwatch.db'}", default_interval=f"{day_seconds:g}s"
        )
        for channel in data["channels"]:  # one mail per window, not per crawl batch
            channel.pop("at", None)
            channel.update(every=digest_every, min_interval=0)
        config = workdir / "watchlist.yaml"
        config.write_text(
            "# The watchlist `rivalwatch demo --serve` runs (ports change every run).\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        service = Service(config, options or ServiceOptions(tick=0.5, dispatch_every=2.0), clock=clock)
        if signals:
            install_signals(service)
        service.start()

        def advance() -> None:
            while not stop_market.wait(day_seconds):
                if days is not None and market.day + 1 >= days:
                    service.request_stop()  # the last simulated day is over
                    return
                clock.next_day()
                market.set_day(market.day + 1)
                # The service runs on the real clock: a simulated day is a few seconds, without a date.
                console.print(f"[bold]simulated day {market.day}[/bold]: the market moved")

        threading.Thread(target=advance, name="demo-market-clock", daemon=True).start()
        console.print(
            f"[bold]rivalwatch serve[/bold] on the demo market: {len(data['products'])} product watches, "
            f"a simulated day every {day_seconds:g}s, a mail digest every {digest_every}. "
            + (f"{days} days, or Ctrl-C.\n" if days else "Ctrl-C stops.\n")
            + f"  status:  rivalwatch status -c {config}\n"
            f"  log:     {workdir / 'service.log'} (JSON lines)\n"
            f"  mailbox: {workdir / 'mailbox'} (.eml files)"
        )
        service.join()
    finally:
        stop_market.set()
        logging.getLogger(LOGGER).removeHandler(console_events)
        logging.getLogger("rivalwatch.alerts").removeHandler(console_events)
        uninstall(handler)
        market.stop()
        mailbox.stop()
    console.print(
        f"{len(mailbox.messages())} mails in {workdir / 'mailbox'}; store {workdir / 'rivalwatch.db'}"
    )
    return service
