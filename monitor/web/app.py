"""The ASGI application: FastAPI for routing and OpenAPI, Jinja2 for the pages (autoescaped: every
competitor string is text), Starlette's signed-cookie sessions, one CSRF token per session.

Everything but /login and the app's own stylesheet needs a logged-in session (pages, stored
snapshots, screenshots, report files) or a bearer token (/api/v1). Nothing here fetches a URL:
"check now" marks a watch due, and the service checks it through the normal watch path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_timedelta
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from alerts.i18n import LOCALES
from monitor.web.auth import csrf_matches, new_csrf_token, token_owner
from monitor.web.i18n import change_label, words

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "rivalwatch_session"
SESSION_MAX_AGE = 12 * 3600
# Pages: our own stylesheet and script only, no inline script, nothing from elsewhere. Snapshots get
# their own, stricter policy (monitor.web.pages.SNAPSHOT_CSP).
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)


@dataclass
class WebState:
    """What the pages read besides the store. The watchlist is read through `current_watchlist` on
    every request, so beside the service (`serve --web`) a SIGHUP reload reaches the dashboard:
    its rules (severity), channels and report folder."""

    factory: sessionmaker[Session]
    current_watchlist: Callable[[], Any]
    fixed_reports_dir: Path | None
    fixed_locale: str | None

    @property
    def watchlist(self) -> Any:
        return self.current_watchlist()

    @property
    def reports_dir(self) -> Path | None:
        if self.fixed_reports_dir is not None:
            return self.fixed_reports_dir
        watchlist = self.watchlist
        return Path(watchlist.report.out_dir) if watchlist is not None else None

    @property
    def locale(self) -> str:
        if self.fixed_locale:
            return self.fixed_locale
        watchlist = self.watchlist
        return watchlist.report.locale if watchlist is not None else "en"


class NeedLogin(Exception):
    """A page asked for without a session: answered by a redirect to /login."""


class NeedToken(Exception):
    """An API call without a live bearer token: answered 401."""


class BadCsrf(Exception):
    """A form posted without this session's CSRF token: answered 403."""


def state_of(request: Request) -> WebState:
    return request.app.state.web


async def db(request: Request) -> AsyncIterator[Session]:
    """The request's session, made and closed on the event loop: a session takes no connection until
    first used (in the route, on the thread pool), and closing it hands the connection back with a
    rollback of what was read. A sync dependency would cost two more trips to the thread pool and
    back per request (in and out), which under load cost more than the queries themselves."""
    session = state_of(request).factory()
    try:
        yield session
    finally:
        session.close()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_csrf_token()
    return token


async def current_user(request: Request) -> str:
    """The logged-in user's name (a page dependency)."""
    name = request.session.get("user")
    if not name:
        raise NeedLogin()
    return name


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, once its CSRF token is this session's (a dependency of every POST page)."""
    await current_user(request)
    form = await request.form()
    if not csrf_matches(request.session.get("csrf"), str(form.get("csrf") or "")):
        raise BadCsrf()
    return {k: str(v) for k, v in form.items()}


async def api_client(request: Request, session: Session = Depends(db)) -> str:
    """The name of the API token presented as `Authorization: Bearer ...` (an API dependency).

    Looked up by its SHA-256 digest (one primary-key-like index read, no slow hash: a token is 32
    random bytes, not a password) on the event loop, in the request's own session; the write of its
    last use, at most once a minute, goes to the thread pool (a write may wait for a lock)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NeedToken()
    row = token_owner(session, token.strip())
    if row is None:
        raise NeedToken()
    name = row.name
    if session.dirty:
        await run_in_threadpool(session.commit)
    return name


def locale_of(request: Request) -> str:
    wanted = request.query_params.get("lang")
    if wanted in LOCALES:
        request.session["lang"] = wanted
    return request.session.get("lang") or state_of(request).locale


@pass_context
def ago(context: Mapping[str, Any], when: datetime | None, now: datetime | None = None) -> str:
    """How long ago (or how soon) in the page's language: Babel's CLDR wording ("3h ago", "3小时前")."""
    if when is None:
        return "–"
    return relative_time(when - (now or datetime.now(UTC)), context.get("locale") or "en")


def relative_time(delta: timedelta, locale: str) -> str:
    return format_timedelta(delta, add_direction=True, format="narrow", locale=locale.replace("-", "_"))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    locale = locale_of(request)
    context.update(
        w=words(locale),
        locale=locale,
        locales=LOCALES,
        csrf=csrf_token(request),
        user=request.session.get("user"),
        now=datetime.now(UTC),
        kind_label=lambda k: change_label(k, locale),
        path=request.url.path,
        base_query=urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "lang")]),
    )
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


SECURITY_HEADERS = (
    (b"content-security-policy", PAGE_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cache-control", b"no-store"),
)


class SecurityHeaders:
    """A plain ASGI middleware (no per-request task, unlike @app.middleware) adding the headers every
    answer carries unless the route set its own (a snapshot's stricter CSP)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    session_factory: sessionmaker[Session],
    *,
    secret_key: str,
    watchlist: Any = None,
    reports_dir: Path | None = None,
    secure_cookies: bool = True,
    locale: str | None = None,
) -> FastAPI:
    """The dashboard and API over this store. `watchlist` (optional) gives the alert rules (severity),
    the report folder and settings and the channels: a Watchlist, or a callable returning the current
    one (the service's, which a reload replaces); `secure_cookies` False only for plain HTTP
    to a host other than this machine."""
    from monitor.web import api, pages

    app = FastAPI(
        title="rivalwatch API",
        version="1",
        docs_url=None,  # the interactive docs load from a CDN: not here. The description is at /api/v1/openapi.json
        redoc_url=None,
        openapi_url=None,
    )
    current = watchlist if callable(watchlist) else (lambda: watchlist)
    app.state.web = WebState(session_factory, current, reports_dir, locale)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["ago"] = ago
    templates.env.filters["dt"] = lambda d: "–" if d is None else d.strftime("%Y-%m-%d %H:%M")
    app.state.templates = templates
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="strict",
        https_only=secure_cookies,
    )

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(NeedLogin)
    async def _login(request: Request, _exc: NeedLogin) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(NeedToken)
    async def _token(_request: Request, _exc: NeedToken) -> Response:
        return JSONResponse({"detail": "a live API token is needed: Authorization: Bearer TOKEN"}, 401,
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip

    @app.exception_handler(BadCsrf)
    async def _csrf(_request: Request, _exc: BadCsrf) -> Response:
        return Response("the form's CSRF token is missing or stale: reload the page", 403, media_type="text/plain")

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    return app
