"""`rivalwatch web` (the dashboard and API alone), `rivalwatch user` and `rivalwatch token`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from monitor.cli.common import config_option, console, err_console, open_store_or_exit
from monitor.watchlist import Watchlist
from monitor.web.auth import AuthError, add_user, create_token, list_tokens, remove_user, revoke_token
from monitor.web.server import DEFAULT_BIND, WebOptions, parse_bind, serve_web

bind_option = click.option(
    "--bind", default=DEFAULT_BIND, show_default=True, help="host:port to listen on (127.0.0.1: this machine only)."
)


def _watchlist(config_path: str) -> Watchlist | None:
    from pathlib import Path

    from monitor.cli.common import load_or_exit

    return load_or_exit(config_path) if Path(config_path).exists() else None


@contextmanager
def _auth_store(config_path: str) -> Iterator[Session]:
    """The store's session for a user or token command, committed at the end; an AuthError (unknown
    user, weak password, ...) is the command's one-line error, exit 2."""
    _engine, factory = open_store_or_exit(_watchlist(config_path))
    with factory.begin() as session:
        try:
            yield session
        except AuthError as exc:
            err_console.print(f"[red]error[/red] {exc}")
            raise SystemExit(2) from None


@click.command()
@config_option
@bind_option
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send the session cookie over plain HTTP to other hosts too (only behind a TLS proxy you trust).",
)
def web(config_path: str, bind: str, insecure_cookies: bool) -> None:
    """Serve the web dashboard and the REST API (/api/v1) over the store, until Ctrl-C.

    \b
    It reads the store the service writes (SQLite or PostgreSQL, so it may run on another machine);
    "check now" marks a watch due, and the running `rivalwatch serve` checks it on its next pass.
    Users: `rivalwatch user add NAME`; API clients: `rivalwatch token create NAME`.
    """
    watchlist = _watchlist(config_path)
    _engine, factory = open_store_or_exit(watchlist)
    host, port = parse_bind(bind)
    console.print(f"dashboard on http://{host}:{port}/ (API: /api/v1, OpenAPI: /api/v1/openapi.json)")
    serve_web(factory, WebOptions(host, port, watchlist=watchlist, secure_cookies=not insecure_cookies))


@click.group()
def user() -> None:
    """The people who may log in to the dashboard."""


@user.command("add")
@config_option
@click.argument("name")
@click.option("--password", default=None, help="At least 8 characters; asked for (or read from stdin) when not given.")
def user_add(config_path: str, name: str, password: str | None) -> None:
    """Add a user (the password is kept as an Argon2 hash)."""
    import sys

    if password is None:  # asked here, not by click, so the command parses without a terminal
        password = str(
            click.prompt("Password", hide_input=True, confirmation_prompt=True)
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\n")
        )
    with _auth_store(config_path) as session:
        add_user(session, name, password)
    console.print(f"user {name} added")


@user.command("remove")
@config_option
@click.argument("name")
def user_remove(config_path: str, name: str) -> None:
    """Remove a user (their API tokens are revoked)."""
    with _auth_store(config_path) as session:
        remove_user(session, name)
    console.print(f"user {name} removed")


@click.group()
def token() -> None:
    """Bearer tokens for the REST API (Authorization: Bearer TOKEN)."""


@token.command("create")
@config_option
@click.argument("name")
@click.option("--user", "owner", default=None, help="The user the token belongs to (revoked with them).")
def token_create(config_path: str, name: str, owner: str | None) -> None:
    """Create a token; it is printed once and only its hash is stored."""
    with _auth_store(config_path) as session:
        new = create_token(session, name, owner)
    err_console.print(f"token {new.id} ({name}) created; it is shown once:")
    click.echo(new.token)


@token.command("revoke")
@config_option
@click.argument("ident")
def token_revoke(config_path: str, ident: str) -> None:
    """Revoke a token by id or by name."""
    with _auth_store(config_path) as session:
        revoke_token(session, ident)
    console.print(f"token {ident} revoked")


@token.command("list")
@config_option
def token_list(config_path: str) -> None:
    """Every token: id, name, prefix, created, last used, revoked."""
    _engine, factory = open_store_or_exit(_watchlist(config_path))
    with factory() as session:
        rows = list_tokens(session)
    for t in rows:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        console.print(f"{t.id}\t{t.name}\t{t.prefix}…\tcreated {t.created_at:%Y-%m-%d %H:%M}\tused {used}\t{state}")
