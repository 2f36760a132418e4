"""Matching in the store: the watchlist's matches by hand, automatic matching of new page contents,
and a person's accept or reject (`rivalwatch match`).

A watch is matched again only when its page content (its latest product state) or our catalogue
changed since it was last tried. An accepted match stays until a person rejects it; a rejected pair
is never proposed again; a watch matched by hand in the watchlist is never matched automatically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.catalog import Watch
from models.catalogue import MatchCheck, OurProduct, ProductMatch
from models.product import ProductState
from monitor.catalogue.cells import chunks, insert_rows, update_rows
from monitor.catalogue.config import Catalogue, MatchSettings
from monitor.catalogue.matching import CatalogueIndex, Decision, OurItem, PageItem


class MatchError(LookupError):
    """A match id that does not exist, or a decision that cannot apply; the message says which."""


@dataclass
class MatchReport:
    tried: int = 0
    accepted: int = 0
    proposed: int = 0
    manual: int = 0
    changed_watches: set[int] | None = None  # watches whose accepted match changed


def catalogue_index(session: Session) -> CatalogueIndex:
    products = session.execute(
        select(OurProduct.id, OurProduct.sku, OurProduct.name, OurProduct.brand, OurProduct.gtin, OurProduct.mpn)
        .where(OurProduct.active.is_(True))
    )
    return CatalogueIndex(OurItem(*row) for row in products)


def sync_manual_matches(session: Session, catalogue: Catalogue, now: datetime) -> set[int]:
    """The watchlist's `watches:` lists as accepted matches; returns the watches whose match changed."""
    skus = {p.sku: p for p in catalogue.products}
    our_id = dict(session.execute(select(OurProduct.sku, OurProduct.id).where(OurProduct.sku.in_(list(skus)))).all())
    wanted: dict[int, int] = {}
    urls = {u: sku for sku, p in skus.items() for u in p.watches}
    if urls:
        for wid, url in session.execute(select(Watch.id, Watch.url).where(Watch.kind == "product", Watch.url.in_(list(urls)))):
            if urls[url] in our_id:
                wanted[wid] = our_id[urls[url]]
    changed: set[int] = set()
    for match in session.scalars(select(ProductMatch).where(ProductMatch.decided_by == "watchlist")):
        if wanted.get(match.watch_id) != match.our_product_id:
            session.delete(match)
            changed.add(match.watch_id)
    session.flush()
    for wid, pid in wanted.items():
        rows = list(session.scalars(select(ProductMatch).where(ProductMatch.watch_id == wid)))
        mine = next((m for m in rows if m.our_product_id == pid), None)
        if mine is not None and mine.decided_by == "watchlist" and mine.status == "accepted":
            continue
        for other in rows:
            if other.our_product_id != pid and other.status != "rejected":
                session.delete(other)
        if mine is None:
            mine = ProductMatch(watch_id=wid, our_product_id=pid, created_at=now)
            session.add(mine)
        mine.status, mine.method, mine.confidence, mine.decided_by, mine.decided_at = (
            "accepted", "watchlist", 1.0, "watchlist", now
        )
        mine.evidence = {"watchlist": True}
        changed.add(wid)
    session.flush()
    return changed


def _record(session: Session, wid: int, decision: Decision, existing: dict[int, ProductMatch], now: datetime) -> None:
    cand = decision.candidate
    assert cand is not None
    evidence = dict(cand.evidence)
    if decision.runner_up is not None:
        evidence["runner_up"] = {"our_id": decision.runner_up.our_id, "confidence": decision.runner_up.confidence}
    match = existing.get(cand.our_id)
    if match is None:
        match = ProductMatch(watch_id=wid, our_product_id=cand.our_id, created_at=now, decided_by="auto")
        session.add(match)
    match.status, match.method, match.confidence, match.evidence = decision.status, cand.method, cand.confidence, evidence
    match.decided_at = now
    if decision.status == "accepted":
        for other in existing.values():
            if other.our_product_id != cand.our_id and other.status == "proposed":
                session.delete(other)


def _due_pages(session: Session, version: int) -> tuple[dict[int, int], dict[int, dict[int, str]], set[int]]:
    """(watch -> latest state id) of the product watches to match now, every watch's matches by
    status, and the watches that have a match check row already."""
    accepted = select(ProductMatch.watch_id).where(ProductMatch.status == "accepted")
    query = select(Watch.id).where(Watch.kind == "product", Watch.active.is_(True), Watch.id.not_in(accepted))
    open_ids = list(session.scalars(query))
    status_of: dict[int, dict[int, str]] = defaultdict(dict)
    for ids in chunks(open_ids):
        query = select(ProductMatch.watch_id, ProductMatch.our_product_id, ProductMatch.status)
        for wid, pid, status in session.execute(query.where(ProductMatch.watch_id.in_(ids))):
            status_of[wid][pid] = status
    checks: dict[int, tuple[int | None, int]] = {}
    latest: dict[int, int] = {}
    for ids in chunks(open_ids):
        checks.update({w: (s, v) for w, s, v in session.execute(
            select(MatchCheck.watch_id, MatchCheck.state_id, MatchCheck.catalogue_version).where(MatchCheck.watch_id.in_(ids))
        )})  # fmt: skip
        latest.update(dict(session.execute(
            select(ProductState.watch_id, func.max(ProductState.id)).where(ProductState.watch_id.in_(ids)).group_by(ProductState.watch_id)
        ).all()))  # fmt: skip
    due = {w: s for w, s in latest.items() if checks.get(w) != (s, version)}
    return due, status_of, set(checks)


def match_pages(session: Session, settings: MatchSettings, version: int, now: datetime) -> MatchReport:
    """Match every product watch without an accepted match whose page or our catalogue changed."""
    report = MatchReport(changed_watches=set())
    due, status_of, checked = _due_pages(session, version)
    if not due:
        return report
    index = catalogue_index(session)
    new_matches: list[dict[str, object]] = []
    checks: list[dict[str, object]] = []
    by_state = {s: w for w, s in due.items()}
    for ids in chunks(by_state):
        query = select(
            ProductState.watch_id, ProductState.name, ProductState.brand, ProductState.sku, ProductState.gtin,
            ProductState.mpn, Watch.url,
        ).join(Watch, Watch.id == ProductState.watch_id).where(ProductState.id.in_(ids))
        for wid, name, brand, sku, gtin, mpn, url in session.execute(query):
            report.tried += 1
            rejected = [pid for pid, st in status_of[wid].items() if st == "rejected"]
            page = PageItem(wid, name, brand, sku, gtin, mpn, urlsplit(url).hostname)
            decision = index.decide(page, settings.auto_accept, settings.propose, rejected)
            if decision.candidate is not None:
                if status_of[wid]:  # earlier proposals or rejections: update those rows
                    existing = {m.our_product_id: m for m in session.scalars(select(ProductMatch).where(ProductMatch.watch_id == wid))}
                    _record(session, wid, decision, existing, now)
                else:
                    new_matches.append(_new_match(wid, decision, now))
                report.accepted += decision.status == "accepted"
                report.proposed += decision.status == "proposed"
                if decision.status == "accepted":
                    report.changed_watches.add(wid)  # type: ignore[union-attr]
            checks.append({"watch_id": wid, "state_id": due[wid], "catalogue_version": version, "checked_at": now})
    insert_rows(session, ProductMatch, new_matches)
    insert_rows(session, MatchCheck, [c for c in checks if c["watch_id"] not in checked])
    update_rows(session, MatchCheck, "watch_id", [c for c in checks if c["watch_id"] in checked])
    session.flush()
    return report


def _new_match(wid: int, decision: Decision, now: datetime) -> dict[str, object]:
    cand = decision.candidate
    assert cand is not None
    evidence = dict(cand.evidence)
    if decision.runner_up is not None:
        evidence["runner_up"] = {"our_id": decision.runner_up.our_id, "confidence": decision.runner_up.confidence}
    return {
        "watch_id": wid, "our_product_id": cand.our_id, "status": decision.status, "method": cand.method,
        "confidence": cand.confidence, "evidence": evidence, "decided_by": "auto", "created_at": now,
        "decided_at": now,
    }


def decide_match(session: Session, match_id: int, accept: bool, now: datetime) -> ProductMatch:
    """A person's decision on a match or proposal: accept (replacing the watch's other match) or reject."""
    match = session.get(ProductMatch, match_id)
    if match is None:
        raise MatchError(f"no match #{match_id} (see `rivalwatch match list --all`)")
    if accept:
        session.execute(
            delete(ProductMatch).where(
                ProductMatch.watch_id == match.watch_id,
                ProductMatch.id != match.id,
                ProductMatch.status != "rejected",
            )
        )
        match.status = "accepted"
    else:
        match.status = "rejected"
        # The watch is matched again at the next refresh, without this product.
        session.execute(delete(MatchCheck).where(MatchCheck.watch_id == match.watch_id))
    match.decided_by, match.decided_at = "user", now
    session.flush()
    return match
