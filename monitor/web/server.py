"""Running the dashboard: uvicorn in the foreground (`rivalwatch web`) or on a thread beside the
service (`rivalwatch serve --web`)."""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_BIND = "127.0.0.1:8080"
SECRET_FILE = Path("var/web_secret")


@dataclass(frozen=True)
class WebOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    # monitor.watchlist.Watchlist, or a callable giving the current one: rules (severity), report folder, channels
    watchlist: Any = None
    secure_cookies: bool = True
    secret_key: str | None = None


def parse_bind(bind: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"--bind wants host:port, got {bind!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def session_secret(path: Path = SECRET_FILE) -> str:
    """The key that signs session cookies: $RIVALWATCH_WEB_SECRET, else a random one kept in var/
    (readable by its owner only) so logins outlive a restart."""
    if os.environ.get("RIVALWATCH_WEB_SECRET"):
        return os.environ["RIVALWATCH_WEB_SECRET"]
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def _server(factory: sessionmaker[Session], options: WebOptions) -> uvicorn.Server:
    from monitor.web.app import create_app

    app = create_app(
        factory,
        secret_key=options.secret_key or session_secret(),
        watchlist=options.watchlist,
        secure_cookies=options.secure_cookies,
    )
    config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning", access_log=False)
    return uvicorn.Server(config)


def serve_web(factory: sessionmaker[Session], options: WebOptions) -> None:
    _server(factory, options).run()


class WebThread:
    """The dashboard on a daemon thread (uvicorn installs no signal handlers off the main thread)."""

    def __init__(self, factory: sessionmaker[Session], options: WebOptions) -> None:
        self.server = _server(factory, options)
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
