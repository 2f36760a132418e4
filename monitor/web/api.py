"""/api/v1: the same query functions as the pages, as JSON, behind a bearer token.

Lists are paged: `limit` (at most 500) and `offset` in, `items`, `total`, `limit`, `offset` out.
The OpenAPI description is FastAPI's own, served at /api/v1/openapi.json to token holders.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from monitor.web import queries as q
from monitor.web.app import api_client, db, state_of

router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_client)], tags=["rivalwatch"])
Limit = Query(100, ge=1, le=500)
Offset = Query(0, ge=0)


def _page(page: q.Page[Any]) -> dict[str, Any]:
    return {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> dict[str, Any]:
    return request.app.openapi()


@router.get("/watches", response_model=q.Page[q.WatchListRow])
def list_watches(
    competitor: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
    status: str | None = Query(None, pattern="^(" + "|".join(q.STATUSES) + ")$"),
    search: str | None = Query(None, alias="q"),
    limit: int = Limit,
    offset: int = Offset,
    session: Session = Depends(db),
) -> dict[str, Any]:
    """Every watch of every kind with its last check, last good value, last error and next run."""
    f = q.WatchFilter(competitor=competitor, kind=kind, tag=tag, status=status, q=search)
    return _page(q.watch_table(session, datetime.now(UTC), f, limit=limit, offset=offset))


def _one(session: Session, watch_id: int) -> q.WatchListRow:
    rows = q.watch_rows_of(session, [watch_id])
    if not rows:
        raise HTTPException(404, f"no watch {watch_id}")
    return rows[0]


def _changed(session: Session, watch_id: int, change: Callable[[], object]) -> q.WatchListRow:
    """Apply `change` to a watch that exists (404 otherwise), commit, and answer with the watch as it is now."""
    _one(session, watch_id)
    change()
    session.commit()
    return _one(session, watch_id)


@router.get("/watches/{watch_id}", response_model=q.WatchListRow)
def get_watch(watch_id: int, session: Session = Depends(db)) -> q.WatchListRow:
    return _one(session, watch_id)


@router.post("/watches/{watch_id}/pause", response_model=q.WatchListRow)
def pause(watch_id: int, session: Session = Depends(db)) -> q.WatchListRow:
    """Paused: never due until resumed (the watchlist's reload keeps it paused)."""
    return _changed(session, watch_id, lambda: q.set_paused(session, watch_id, True))


@router.post("/watches/{watch_id}/resume", response_model=q.WatchListRow)
def resume(watch_id: int, session: Session = Depends(db)) -> q.WatchListRow:
    return _changed(session, watch_id, lambda: q.set_paused(session, watch_id, False))


@router.post("/watches/{watch_id}/mute", response_model=q.WatchListRow)
def mute(
    watch_id: int,
    hours: float = Query(24, gt=0, le=q.MAX_MUTE_HOURS, description="how long its changes queue no alerts"),
    session: Session = Depends(db),
) -> q.WatchListRow:
    """Muted: still checked, its changes stored, but no alerts queued until `muted_until`."""
    return _changed(session, watch_id, lambda: q.mute(session, watch_id, datetime.now(UTC) + timedelta(hours=hours)))


@router.post("/watches/{watch_id}/unmute", response_model=q.WatchListRow)
def unmute(watch_id: int, session: Session = Depends(db)) -> q.WatchListRow:
    return _changed(session, watch_id, lambda: q.mute(session, watch_id, None))


@router.post("/watches/{watch_id}/check-now", response_model=q.WatchListRow, status_code=202)
def check_now(watch_id: int, session: Session = Depends(db)) -> q.WatchListRow:
    """Due now: the service checks it on its next pass, through the normal watch path."""
    row = _one(session, watch_id)
    if row.paused:
        raise HTTPException(409, "the watch is paused: resume it first")
    q.check_now(session, watch_id, datetime.now(UTC))
    session.commit()
    return _one(session, watch_id)


@router.get("/watches/{watch_id}/observations", response_model=q.Page[q.ObservationRow])
def watch_observations(watch_id: int, limit: int = Limit, offset: int = Offset, session: Session = Depends(db)) -> dict[str, Any]:
    _one(session, watch_id)
    return _page(q.observations(session, watch_id, limit=limit, offset=offset))


@router.get("/watches/{watch_id}/prices", response_model=list[q.PricePoint])
def prices(watch_id: int, since: datetime | None = None, session: Session = Depends(db)) -> list[q.PricePoint]:
    """Price and stock over time (one point per stored product state)."""
    _one(session, watch_id)
    return q.price_history(session, watch_id, since)


@router.get("/watches/{watch_id}/ranks", response_model=list[q.RankPoint])
def ranks(watch_id: int, since: datetime | None = None, session: Session = Depends(db)) -> list[q.RankPoint]:
    """Each tracked domain's rank per good check (null: not within the depth checked)."""
    _one(session, watch_id)
    return q.rank_history(session, watch_id, since)


@router.get("/changes", response_model=q.Page[q.ChangeItem])
def list_changes(
    request: Request,
    watch_id: int | None = None,
    competitor: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Limit,
    offset: int = Offset,
    session: Session = Depends(db),
) -> dict[str, Any]:
    from monitor.web.pages import with_severity

    f = q.ChangeFilter(watch_id=watch_id, competitor=competitor, kind=kind, min_score=min_score, since=since, until=until)
    page = q.changes(session, f, limit=limit, offset=offset)
    return _page(q.Page(with_severity(session, request, page.items), page.total, limit, offset))


@router.get("/deliveries", response_model=q.Page[q.DeliveryRow])
def list_deliveries(
    status: str | None = None, limit: int = Limit, offset: int = Offset, session: Session = Depends(db)
) -> dict[str, Any]:
    return _page(q.deliveries(session, status, limit=limit, offset=offset))


@router.get("/reports")
def list_reports(request: Request) -> dict[str, Any]:
    """The report files in the report folder, newest first (open one at /reports/files/NAME)."""
    folder = state_of(request).reports_dir
    files = (
        sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name, reverse=True)
        if folder is not None and folder.is_dir()
        else []
    )
    return {"items": [{"name": p.name, "size": p.stat().st_size, "url": f"/reports/files/{p.name}"} for p in files]}

