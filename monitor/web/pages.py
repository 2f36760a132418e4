"""The dashboard's pages: login, overview, watches, a watch, changes, keywords, reports, alerts.

Each handler reads through monitor.web.queries (or the report's and the kinds' own query functions)
and renders a template; every POST carries the session's CSRF token (app.checked_form).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.outbox import changes_by_id
from models import Competitor, Watch
from monitor.config.alerting import SEVERITY_ORDER
from monitor.kinds.keyword.summary import move_text, rank_report, rank_text
from monitor.report.charts import line_chart
from monitor.report.model import Series
from monitor.rules import top_severity
from monitor.web import queries as q
from monitor.web.app import checked_form, current_user, db, locale_of, render, state_of
from monitor.web.auth import check_password, new_csrf_token
from monitor.web.i18n import words

router = APIRouter(include_in_schema=False)
# A stored page is a competitor's HTML: shown with no script, no plugin, no request anywhere, and in a
# frame whose own `sandbox` attribute says the same (monitor/web/templates/observation.html).
SNAPSHOT_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
PAGE_SIZE = 100


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a path of ours (never //host or a scheme) may be where a login sends the user."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ---- login ------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, session: Session = Depends(db)) -> Response:
    form = await request.form()
    from monitor.web.auth import csrf_matches

    if not csrf_matches(request.session.get("csrf"), str(form.get("csrf") or "")):
        return Response("the form's CSRF token is missing or stale: reload the page", 403, media_type="text/plain")
    user = check_password(session, str(form.get("user") or ""), str(form.get("password") or ""))
    target = _safe_next(str(form.get("next") or "/"))
    if user is None:
        return render(request, "login.html", status_code=401, next=target, error=True)
    session.commit()
    lang = request.session.get("lang")
    request.session.clear()  # a new session on login: nothing from before it carries over
    request.session.update(user=user.name, csrf=new_csrf_token(), **({"lang": lang} if lang else {}))
    return _redirect(target)


@router.post("/logout")
def logout(request: Request, _form: dict = Depends(checked_form)) -> Response:
    request.session.clear()
    return _redirect("/login")


# ---- overview ---------------------------------------------------------------------------------


@router.get("/")
def overview(request: Request, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    now = datetime.now(UTC)
    competitors = q.overview(session, now)
    failing = q.watch_table(session, now, q.WatchFilter(status="failing"), limit=20)
    top = _ranked(with_severity(session, request, q.top_changes(session, now, limit=2000)))[:15]
    index_chart = _index_chart(session, now, words(locale_of(request))["index_chart"])
    return render(request, "overview.html", competitors=competitors, failing=failing, top=top, index_chart=index_chart)


def _ranked(items: list[q.ChangeItem]) -> list[q.ChangeItem]:
    """Most severe first (by the watchlist's rules), then the most anomalous, then the largest moves."""
    return sorted(
        items,
        key=lambda c: (
            -(SEVERITY_ORDER.get(c.severity, -1) if c.severity else -1),
            -(c.anomaly_score if c.anomaly_score is not None else -1.0),
            -abs(c.magnitude or 0.0),
        ),
    )


def _index_chart(session: Session, now: datetime, title: str) -> str:
    """Each competitor's median price against ours (100 = ours) per day, over the last 30 days."""
    from models import ProductState

    since = now - timedelta(days=30)
    ours: dict[int, tuple[int | None, Decimal]] = {}
    for w in session.scalars(select(Watch).where(Watch.kind == "product", Watch.active.is_(True))):
        raw = (w.options or {}).get("our_price")
        try:
            if raw is not None and Decimal(str(raw)) > 0:
                ours[w.id] = (w.competitor_id, Decimal(str(raw)))
        except InvalidOperation:
            continue
    if not ours:
        return ""
    ratios: dict[tuple[int | None, date], list[float]] = {}
    rows = session.execute(
        select(ProductState.watch_id, ProductState.observed_at, ProductState.price).where(
            ProductState.observed_at >= since, ProductState.price.is_not(None), ProductState.watch_id.in_(list(ours))
        )
    )
    for watch_id, at, price in rows:
        if price is None:  # excluded by the query; here for the type checker
            continue
        cid, our = ours[watch_id]
        ratios.setdefault((cid, at.date()), []).append(float(price) / float(our) * 100)
    names = dict(session.execute(select(Competitor.id, Competitor.name)).all())
    series: dict[int | None, list[tuple[date, float]]] = {}
    for (cid, day), values in sorted(ratios.items(), key=lambda kv: kv[0][1]):
        values.sort()
        series.setdefault(cid, []).append((day, values[len(values) // 2]))
    lines = [Series(names.get(cid or 0, "?"), "index", pts) for cid, pts in series.items()]
    return line_chart(lines, title, kind="index")


# ---- watches ----------------------------------------------------------------------------------


def _watch_filter(request: Request) -> q.WatchFilter:
    p = request.query_params
    status = p.get("status") or None
    return q.WatchFilter(
        competitor=p.get("competitor") or None,
        kind=p.get("kind") or None,
        tag=p.get("tag") or None,
        status=status if status in q.STATUSES else None,
        q=p.get("q") or None,
    )


@router.get("/watches")
def watches(
    request: Request, page: int = 1, _user: str = Depends(current_user), session: Session = Depends(db)
) -> Response:
    f = _watch_filter(request)
    page = max(page, 1)
    rows = q.watch_table(session, datetime.now(UTC), f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        request, "watches.html", rows=rows, f=f, page=page, options=q.filter_options(session), statuses=q.STATUSES,
        query=str(request.url.query),
    )  # fmt: skip


@router.post("/watches/{watch_id}/{action}")
def watch_action(
    request: Request, watch_id: int, action: str, form: dict = Depends(checked_form), session: Session = Depends(db)
) -> Response:
    now = datetime.now(UTC)
    if action == "check-now":
        q.check_now(session, watch_id, now)
    elif action == "pause":
        q.set_paused(session, watch_id, True)
    elif action == "resume":
        q.set_paused(session, watch_id, False)
    elif action == "mute":
        try:
            hours = float(form.get("hours") or 24)
        except ValueError:
            hours = float("nan")
        if not math.isfinite(hours) or hours <= 0:
            return Response("mute wants a number of hours", 400, media_type="text/plain")
        q.mute(session, watch_id, now + timedelta(hours=min(max(hours, 0.1), q.MAX_MUTE_HOURS)))
    elif action == "unmute":
        q.mute(session, watch_id, None)
    else:
        return Response("no such action", 404, media_type="text/plain")
    session.commit()
    back = _safe_next(form.get("back")) if form.get("back") else f"/watches/{watch_id}"
    return _redirect(back)


def _history_charts(session: Session, watch: Watch, w: Mapping[str, str]) -> list[str]:
    label = watch.label or watch.url
    if watch.kind == "product":
        points = q.price_history(session, watch.id)
        priced = [(p.at.date(), float(p.price)) for p in points if p.price is not None]
        if priced and watch.last_good_at is not None and watch.last_good_at.date() > priced[-1][0]:
            # unchanged since (a 304 or the same page stores no new state): the price held to the last good check
            priced.append((watch.last_good_at.date(), priced[-1][1]))
        marks = [(p.at.date(), float(p.price)) for p in points if p.price is not None and p.availability in q.OUT_OF_STOCK]
        currency = next((p.currency for p in points if p.currency), "")
        lines = [Series(f"{label} ({currency})", currency, priced, marks)]
        ours = (watch.options or {}).get("our_price")
        if ours is not None and priced:
            try:
                lines.append(Series(w["our_price"], currency, [(priced[0][0], float(ours)), (priced[-1][0], float(ours))], reference=True))
            except ValueError:
                pass
        return [line_chart(lines, w["price_chart"].format(label=label), kind="price", marks_label=w["out_of_stock"])] if priced else []
    if watch.kind == "keyword":
        charts = []
        by_variant: dict[tuple[str, str, str], dict[str, list[tuple[date, float]]]] = {}
        for r in q.rank_history(session, watch.id):
            if r.rank is not None:
                by_variant.setdefault((r.engine, r.locale, r.device), {}).setdefault(r.domain, []).append((r.at.date(), float(r.rank)))
        for (engine, loc, device), domains in by_variant.items():
            lines = [Series(d, "rank", pts) for d, pts in sorted(domains.items())]
            title = w["rank_chart"].format(engine=engine, locale=loc, device=device, label=label)
            charts.append(line_chart(lines, title, invert=True, kind="rank"))
        return charts
    counts = q.count_history(session, watch)
    if counts:
        what = w[{"listing": "items", "site": "good_pages", "page": "lines"}[watch.kind]]
        series = Series(what, None, [(c.at.date(), float(c.count)) for c in counts])
        return [line_chart([series], w["count_chart"].format(what=what, label=label), kind="count")]
    return []


@router.get("/watches/{watch_id}")
def watch_page(
    request: Request, watch_id: int, page: int = 1, _user: str = Depends(current_user), session: Session = Depends(db)
) -> Response:
    rows = q.watch_rows_of(session, [watch_id])
    if not rows:
        return render(request, "missing.html", status_code=404)
    watch = session.get(Watch, watch_id)
    assert watch is not None
    page = max(page, 1)
    timeline = q.observations(session, watch_id, limit=50, offset=(page - 1) * 50)
    changes = q.changes(session, q.ChangeFilter(watch_id=watch_id), limit=50)
    moves: list[q.ItemMove] = []
    cards: list[q.ListingCard] = []
    if watch.kind == "listing":
        moves = q.listing_moves(session, watch_id)
        cards = q.listing_cards(session, watch_id)
    elif watch.kind == "site":
        moves = q.site_moves(session, watch_id)
    diffs = q.diffs(session, watch_id) if watch.kind == "page" else []
    screenshots = [o for o in timeline.items if o.has_screenshot][:6]
    return render(
        request, "watch.html", row=rows[0], charts=_history_charts(session, watch, words(locale_of(request))), timeline=timeline, page=page,
        changes=changes, moves=moves, cards=cards, diffs=diffs, screenshots=screenshots,
    )  # fmt: skip


@router.get("/observations/{observation_id}")
def observation_page(
    request: Request, observation_id: int, _user: str = Depends(current_user), session: Session = Depends(db)
) -> Response:
    from models import Observation

    obs = session.get(Observation, observation_id)
    if obs is None:
        return render(request, "missing.html", status_code=404)
    watch = session.get(Watch, obs.watch_id)
    return render(request, "observation.html", obs=obs, watch=watch)


@router.get("/observations/{observation_id}/snapshot")
def observation_snapshot(observation_id: int, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    stored = q.snapshot(session, observation_id)
    if stored is None:
        return Response("no stored snapshot", 404, media_type="text/plain")
    media = stored.content_type.split(";")[0].strip().lower()
    if media in ("text/html", "text/plain", "application/xhtml+xml", "application/json", "application/xml", "text/xml"):
        media = stored.content_type  # with its charset
    else:
        media = "text/plain"  # anything else is shown as text, never sniffed into something runnable
    return Response(
        stored.data,
        media_type=media,
        headers={"Content-Security-Policy": SNAPSHOT_CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN"},
    )


@router.get("/observations/{observation_id}/screenshot")
def observation_screenshot(observation_id: int, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    stored = q.snapshot(session, observation_id, screenshot=True)
    if stored is None:
        return Response("no screenshot", 404, media_type="text/plain")
    return Response(stored.data, media_type="image/png", headers={"Content-Security-Policy": SNAPSHOT_CSP})


@router.get("/diffs/{diff_id}")
def diff_page(request: Request, diff_id: int, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    d = q.diff(session, diff_id)
    if d is None:
        return render(request, "missing.html", status_code=404)
    import difflib

    old, new = (d.old_text or "").splitlines(), (d.new_text or "").splitlines()
    rows: list[tuple[str, str, str]] = []  # (tag, left, right)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        left, right = old[i1:i2], new[j1:j2]
        for k in range(max(len(left), len(right))):
            rows.append((tag, left[k] if k < len(left) else "", right[k] if k < len(right) else ""))
    watch = session.get(Watch, d.watch_id)
    return render(request, "diff.html", d=d, rows=rows, watch=watch)


# ---- changes ----------------------------------------------------------------------------------


def _day(text: str | None) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC) if text else None
    except ValueError:
        return None


def change_filter(params: Any) -> q.ChangeFilter:
    score = params.get("min_score")
    until = _day(params.get("until"))
    try:
        min_score = float(score) if score else None
    except ValueError:
        min_score = None
    return q.ChangeFilter(
        competitor=params.get("competitor") or None,
        kind=params.get("kind") or None,
        min_score=min_score,
        since=_day(params.get("since")),
        until=until + timedelta(days=1) if until else None,
    )


def with_severity(session: Session, request: Request, items: list[q.ChangeItem]) -> list[q.ChangeItem]:
    """The alert rules' severity of each change (when the dashboard has the watchlist), rated on the
    facts the outbox builds for the alert itself, so the badge and the alert agree."""
    watchlist = state_of(request).watchlist
    if watchlist is None or not watchlist.rules or not items:
        return items
    facts = changes_by_id(session, (c.id for c in items))
    rules = watchlist.rules
    return [replace(c, severity=top_severity(f, rules)) if (f := facts.get(c.id)) else c for c in items]


def filtered_changes(session: Session, request: Request, limit: int, offset: int) -> q.Page[q.ChangeItem]:
    f = change_filter(request.query_params)
    severity = request.query_params.get("severity")
    if severity not in SEVERITY_ORDER:
        page = q.changes(session, f, limit=limit, offset=offset)
        return q.Page(with_severity(session, request, page.items), page.total, limit, offset)
    # Severity comes from the rules, not a column: rate a bounded window of matches, then page it.
    every = [c for c in with_severity(session, request, q.changes(session, f, limit=5000).items)
             if c.severity is not None and SEVERITY_ORDER[c.severity] >= SEVERITY_ORDER[severity]]  # fmt: skip
    return q.Page(every[offset : offset + limit], len(every), limit, offset)


@router.get("/changes")
def changes_page(
    request: Request, page: int = 1, _user: str = Depends(current_user), session: Session = Depends(db)
) -> Response:
    page = max(page, 1)
    rows = filtered_changes(session, request, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    p = request.query_params
    return render(
        request, "changes.html", rows=rows, page=page, p=p, options=q.filter_options(session),
        kinds=sorted({c.kind for c in rows.items} | ({p["kind"]} if p.get("kind") else set())),
        severities=list(SEVERITY_ORDER), query=str(request.url.query),
    )  # fmt: skip


CSV_COLUMNS = ("id", "detected_at", "competitor", "watch_id", "watch_label", "kind", "summary", "old", "new",
               "magnitude", "anomaly_score", "severity")  # fmt: skip


@router.get("/changes.csv")
def changes_csv(request: Request, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    rows = filtered_changes(session, request, 100_000, 0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in rows.items:
        writer.writerow([c.id, c.detected_at.isoformat(), c.competitor or "", c.watch_id, _cell(c.watch_label), c.kind,
                         _cell(c.summary), _cell(c.old), _cell(c.new), "" if c.magnitude is None else c.magnitude,
                         "" if c.anomaly_score is None else c.anomaly_score, c.severity or ""])  # fmt: skip
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=changes.csv"})  # fmt: skip


def _cell(text: str | None) -> str:
    """A competitor's text in a CSV cell: never read as a formula by a spreadsheet."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


# ---- keywords ---------------------------------------------------------------------------------


@router.get("/keywords")
def keywords_page(request: Request, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    groups = rank_report(session)
    ids = [r.watch_id for g in groups for r in g.rows]
    spark = q.sparklines(session, ids, datetime.now(UTC) - timedelta(days=7))
    return render(
        request, "keywords.html", groups=groups, spark=spark, sparkline=sparkline, move_text=move_text,
        rank_text=rank_text, checks=q.latest_check_ids(session, ids),
    )  # fmt: skip


def sparkline(ranks: list[int | None], depth: int = 30) -> str:
    """A 7-day rank line, 80x18, #1 at the top; a gap where the domain was not found."""
    if not ranks:
        return ""
    n = len(ranks)
    worst = max([r for r in ranks if r is not None] + [10])
    pts = [
        f"{(i * 78 / max(n - 1, 1)) + 1:.1f},{1 + 16 * (r - 1) / max(worst - 1, 1):.1f}" for i, r in enumerate(ranks) if r is not None
    ]
    if not pts:
        return ""
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' class='spark' width='80' height='18' viewBox='0 0 80 18'>"
        f"<polyline points='{' '.join(pts)}' fill='none' stroke='#1f77b4' stroke-width='1.5'/></svg>"
    )


@router.get("/keywords/checks/{check_id}")
def rank_check_page(request: Request, check_id: int, _user: str = Depends(current_user), session: Session = Depends(db)) -> Response:
    check, results = q.rank_results(session, check_id)
    if check is None:
        return render(request, "missing.html", status_code=404)
    return render(request, "rank_check.html", check=check, results=results)


# ---- reports ----------------------------------------------------------------------------------


def _report_files(request: Request) -> list[Path]:
    folder = state_of(request).reports_dir
    if folder is None or not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix in (".html", ".md", ".csv", ".json")),
                  key=lambda p: p.name, reverse=True)  # fmt: skip


@router.get("/reports")
def reports_page(request: Request, _user: str = Depends(current_user)) -> Response:
    files = _report_files(request)
    return render(request, "reports.html", files=files, can_build=state_of(request).watchlist is not None, built=request.query_params.get("built"))


@router.get("/reports/files/{name}")
def report_file(request: Request, name: str, _user: str = Depends(current_user)) -> Response:
    wanted = {p.name: p for p in _report_files(request)}.get(name)  # only a listed file: no paths from the URL
    if wanted is None:
        return Response("no such report", 404, media_type="text/plain")
    media = {".html": "text/html", ".md": "text/plain", ".csv": "text/csv", ".json": "application/json"}[wanted.suffix]
    return Response(wanted.read_bytes(), media_type=media, headers={"Content-Security-Policy": SNAPSHOT_CSP})


@router.post("/reports/build")
def build_report(request: Request, _form: dict = Depends(checked_form)) -> Response:
    web = state_of(request)
    if web.watchlist is None:
        return Response("start the dashboard with the watchlist (-c) to build reports", 409, media_type="text/plain")
    from monitor.report.service import build_and_deliver

    run = build_and_deliver(web.watchlist, web.factory, out_dir=web.reports_dir, send=[])
    first = next(iter(run.files.values()), None)
    return _redirect(f"/reports?built={first.name if first else ''}")


# ---- alerts -----------------------------------------------------------------------------------


@router.get("/alerts")
def alerts_page(
    request: Request, page: int = 1, status: str | None = None, _user: str = Depends(current_user), session: Session = Depends(db)
) -> Response:
    page = max(page, 1)
    rows = q.deliveries(session, status or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    watchlist = state_of(request).watchlist
    channels = [c.name for c in watchlist.channels] if watchlist is not None else []
    return render(request, "alerts.html", rows=rows, page=page, status=status or "", channels=channels)


@router.post("/alerts/{delivery_id}/retry")
def retry(delivery_id: int, _form: dict = Depends(checked_form), session: Session = Depends(db)) -> Response:
    q.retry_delivery(session, delivery_id, datetime.now(UTC))
    session.commit()
    return _redirect("/alerts")


@router.post("/alerts/test")
def send_test(
    request: Request, form: dict = Depends(checked_form), user: str = Depends(current_user), session: Session = Depends(db)
) -> Response:
    watchlist = state_of(request).watchlist
    names = {c.name for c in watchlist.channels} if watchlist is not None else set()
    channel = form.get("channel", "")
    if channel not in names:
        return Response("no such channel", 404, media_type="text/plain")
    q.queue_test_message(session, channel, user, datetime.now(UTC))
    session.commit()
    return _redirect("/alerts")
