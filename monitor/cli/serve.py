"""`rivalwatch serve`: run the service until stopped. SIGHUP reloads the watchlist, SIGTERM/SIGINT stop."""

from __future__ import annotations

import logging

import click

from monitor.cli.common import config_option, err_console
from monitor.scale.connect import ScaleError, queue_config
from monitor.scale.roles import ROLES, RoleOptions
from monitor.service import Service, ServiceError, ServiceOptions
from monitor.service.logs import install
from monitor.service.signals import install_signals
from monitor.watchlist import ConfigError
from spiders.engine import quiet_scrapy_logs

ROLE_CHOICES = ("all", "scheduler", "worker", "dispatcher", "web")


@click.command()
@config_option
@click.option(
    "--role",
    type=click.Choice(ROLE_CHOICES),
    default="all",
    show_default=True,
    help="all: everything in this process. scheduler|worker|dispatcher: one role of a scaled-out deployment "
    "(PostgreSQL in RIVALWATCH_DATABASE_URL, Redis in RIVALWATCH_QUEUE_URL).",
)
@click.option(
    "--jobs",
    default=50,
    show_default=True,
    help="worker: watches taken from the queue per crawl at least; of a deeper queue, a fair share "
    "(its depth divided among the live workers), up to --batch.",
)
@click.option(
    "--lease",
    default=60.0,
    show_default=True,
    help="scheduler/worker: seconds after which a silent worker's watches, or the scheduler lock, pass on.",
)
@click.option(
    "--domain-cap",
    type=int,
    default=None,
    help="worker: requests in flight per site across all workers  [default: settings.concurrency_per_domain].",
)
@click.option(
    "--alert-lease",
    default=300.0,
    show_default=True,
    help="dispatcher: seconds before a delivery a dead dispatcher claimed is sent again.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the JSON-lines log here (e.g. var/service.log) instead of stderr.",
)
@click.option("--tick", default=1.0, show_default=True, help="Seconds between scheduling passes.")
@click.option(
    "--max-crawls", default=2, show_default=True, help="Crawls running at once (each holds its domains)."
)
@click.option(
    "--batch", "batch_limit", default=2000, show_default=True, help="Watches per crawl at most (all, worker)."
)
@click.option(
    "--spread-rate",
    type=float,
    default=None,
    help="Watches per second that may come due after a (re)start  [default: settings.concurrent_requests].",
)
@click.option("--dispatch-every", default=10.0, show_default=True, help="Seconds between outbox passes.")
@click.option(
    "--web",
    "web_bind",
    default=None,
    metavar="HOST:PORT",
    help="Also serve the web dashboard and API here (e.g. 127.0.0.1:8080); with --role web, where to serve it "
    "[default 127.0.0.1:8080].",
)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's warnings too.")
def serve(
    config_path: str,
    role: str,
    jobs: int,
    lease: float,
    domain_cap: int | None,
    alert_lease: float,
    log_file: str | None,
    tick: float,
    max_crawls: int,
    batch_limit: int,
    spread_rate: float | None,
    dispatch_every: float,
    verbose: bool,
    web_bind: str | None = None,
) -> None:
    """Watch continuously: check each watch on its schedule, send alerts, until SIGTERM or Ctrl-C.

    \b
    kill -HUP  PID   reload the watchlist (a file with errors is refused; the old one keeps running)
    kill -TERM PID   stop: crawls in flight finish, the rest stays due; a second signal exits at once
    rivalwatch status   health of the watches and of the running service
    """

    quiet_scrapy_logs(logging.WARNING if verbose else logging.CRITICAL)
    install(log_file)
    if role != "all":
        options = RoleOptions(
            tick=tick,
            batch=jobs,
            batch_max=max(jobs, batch_limit),
            lease=lease,
            spread_rate=spread_rate,
            dispatch_every=dispatch_every,
            alert_lease=alert_lease,
            domain_cap=domain_cap,
        )
        _serve_role(config_path, role, options, web_bind)
        return
    options = ServiceOptions(
        tick=tick,
        max_crawls=max_crawls,
        batch_limit=batch_limit,
        spread_rate=spread_rate,
        dispatch_every=dispatch_every,
    )
    service = Service(config_path, options)
    install_signals(service)  # before start: a signal during start-up is not lost (nor fatal, for SIGHUP)
    try:
        service.start()
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(f"[red]error[/red] {problem}", soft_wrap=True)
        raise SystemExit(2) from None
    except ServiceError as exc:
        err_console.print(f"[red]error[/red] {exc}", soft_wrap=True)
        raise SystemExit(2) from None
    web = None
    if web_bind:  # the dashboard beside the service: same store; its "check now" is the service's next pass
        from monitor.web.server import WebOptions, WebThread, parse_bind

        host, port = parse_bind(web_bind)
        # the service's watchlist as it is now: a SIGHUP reload reaches the dashboard too
        web = WebThread(service.factory, WebOptions(host, port, watchlist=lambda: service.watchlist))
        web.start()
        err_console.print(f"dashboard on http://{host}:{port}/")
    try:
        service.join()
    finally:
        if web is not None:
            web.stop()


def _serve_role(config_path: str, role: str, options: RoleOptions, web_bind: str | None) -> None:
    if role == "web":  # the dashboard alone: the same as `rivalwatch web`, any number of them on any machine
        from monitor.cli.web import web

        web.main(["-c", config_path, "--bind", web_bind or "127.0.0.1:8080"], standalone_mode=False)
        return
    try:
        member = ROLES[role](config_path, options, queue_config(role=role))
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(f"[red]error[/red] {problem}", soft_wrap=True)
        raise SystemExit(2) from None
    except ScaleError as exc:
        err_console.print(f"[red]error[/red] {exc}", soft_wrap=True)
        raise SystemExit(2) from None
    install_signals(member)
    member.run()
