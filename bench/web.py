"""The dashboard and API at size: 5,000 watches with a year of daily history in SQLite, served by
uvicorn on 127.0.0.1 and asked over real HTTP. p50/p95 per call, each beside a bare SQL query of the
same rows in the same run (what the store alone costs).

Bars: p95 <= 200 ms for the watch table and a watch page, <= 50 ms for the API's list calls.

    python bench/web.py [watches] [days]      # default 5000 365
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from models.db import open_store  # noqa: E402
from monitor.web.auth import add_user, create_token  # noqa: E402
from monitor.web.server import WebOptions, WebThread  # noqa: E402

N_WATCHES = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
DAYS = int(sys.argv[2]) if len(sys.argv) > 2 else 365
COMPETITORS = 20
LISTING_SHARE = 0.06  # the rest are product watches
ROUNDS = 40


def build(url: str) -> tuple[object, int]:
    """The store: competitors, watches, one observation a day per watch, a product state per product
    observation (a price move on ~5 % of days, a change row for each), a listing snapshot per listing one."""
    engine, factory = open_store(url)
    rng = random.Random(5)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    t = time.perf_counter()
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO competitors (id, name, domains, tags, robots, created_at) VALUES (?, ?, '[]', '[]', 'obey', ?)",
            [(i + 1, f"Shop {i + 1:02d}", start.isoformat(" ")) for i in range(COMPETITORS)],
        )
        watches = []
        for i in range(N_WATCHES):
            kind = "listing" if i < N_WATCHES * LISTING_SHARE else "product"
            tags = '["bench", "audio"]' if i % 3 == 0 else '["bench"]'
            watches.append((i + 1, kind, f"https://shop{i % COMPETITORS}.example/{kind}/{i}", f"Shop {i % COMPETITORS + 1:02d} · item {i}",
                            i % COMPETITORS + 1, '{"our_price": "100"}' if kind == "product" else "{}", tags, 86400.0,
                            1, 0, start.isoformat(" "), (now + timedelta(hours=rng.random() * 24)).isoformat(" "),
                            now.isoformat(" "), now.isoformat(" "), 0, 0))  # fmt: skip
        c.exec_driver_sql(
            "INSERT INTO watches (id, kind, url, label, competitor_id, options, tags, interval_s, active, paused, created_at,"
            " next_due_at, last_checked_at, last_good_at, consecutive_failures, consecutive_gone)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            watches,
        )
        c.exec_driver_sql("INSERT INTO crawl_runs (id, started_at, trigger, status, watches_due, ok, failed, changes)"
                          " VALUES (1, ?, 'bench', 'done', 0, 0, 0, 0)", (start.isoformat(" "),))  # fmt: skip
        obs_id = state_id = change_id = snap_id = 0
        for wid, kind, *_ in watches:
            obs, states, changes, snaps = [], [], [], []
            price = 50 + rng.random() * 150
            for d in range(DAYS):
                at = (start + timedelta(days=d, seconds=wid % 3600)).isoformat(" ")
                obs_id += 1
                failed = rng.random() < 0.01
                obs.append((obs_id, wid, 1, at, "failed" if failed else "ok", None if failed else 200, 12.0,
                            "HTTP 503: service unavailable" if failed else None, 0))  # fmt: skip
                if failed:
                    continue
                if kind == "product":
                    old = price
                    if rng.random() < 0.05:
                        price = round(price * (0.9 + rng.random() * 0.2), 2)
                    state_id += 1
                    stock = "OutOfStock" if rng.random() < 0.02 else "InStock"
                    states.append((state_id, wid, obs_id, at, f"{price:.2f}", "EUR", stock, "{}"))
                    if price != old:
                        change_id += 1
                        kind_name = "price_down" if price < old else "price_up"
                        changes.append((change_id, wid, obs_id, wid % COMPETITORS + 1, 1, at, kind_name,
                                        f"item {wid}: {old:.2f} -> {price:.2f}", "price", f"{old:.2f}", f"{price:.2f}",
                                        (price - old) / old, "{}"))  # fmt: skip
                else:
                    snap_id += 1
                    snaps.append((snap_id, wid, obs_id, at, 20 + rng.randrange(5), 1, "[]"))
            for table, columns, rows in (
                ("observations", "id watch_id run_id fetched_at status http_status elapsed_ms error_reason unchanged",
                 obs),
                ("product_states", "id watch_id observation_id observed_at price currency availability sources",
                 states),
                ("changes", "id watch_id observation_id competitor_id run_id detected_at kind summary field old new"
                 " magnitude details", changes),
                ("listing_snapshots", "id watch_id observation_id observed_at item_count pages_fetched page_hashes",
                 snaps),
            ):  # fmt: skip
                if rows:
                    names = columns.split()
                    marks = ", ".join("?" * len(names))
                    c.exec_driver_sql(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows)
    with engine.begin() as c:
        c.exec_driver_sql("ANALYZE")
    print(f"store: {N_WATCHES} watches, {DAYS} days, {obs_id} observations, {state_id} product states, "
          f"{change_id} changes, {snap_id} listing snapshots; built in {time.perf_counter() - t:.0f}s")  # fmt: skip
    return factory, obs_id


def timed(fn, rounds: int = ROUNDS) -> tuple[float, float]:  # noqa: ANN001
    fn()  # warm
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    keep = os.environ.get("RIVALWATCH_BENCH_DB")  # a store built by an earlier run, to profile against
    if keep and Path(keep).exists():
        _engine, factory = open_store(f"sqlite:///{keep}")
    else:
        path = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="rivalwatch-web-bench-")) / "bench.db"
        factory, _ = build(f"sqlite:///{path}")
    with factory.begin() as s:  # type: ignore[attr-defined]
        from models.web import User

        if s.query(User).filter_by(name="bench").first() is None:
            add_user(s, "bench", "bench-password")
        token = create_token(s, "bench").token
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    web = WebThread(factory, WebOptions("127.0.0.1", port, secure_cookies=False, secret_key="b" * 40))  # type: ignore[arg-type]
    web.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/login")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    client = httpx.Client(base_url=base)
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"csrf": csrf, "user": "bench", "password": "bench-password"}).status_code in (200, 303)
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
    rng = random.Random(9)
    product_ids = [i for i in range(1, N_WATCHES + 1) if i > N_WATCHES * LISTING_SHARE]

    def get(c: httpx.Client, path: str) -> None:
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])

    engine = factory.kw["bind"]  # type: ignore[attr-defined]

    def bare(sql: str, **params: object):  # noqa: ANN202
        def run() -> None:
            with engine.connect() as conn:
                conn.execute(text(sql), {k: (v() if callable(v) else v) for k, v in params.items()}).all()

        return run

    def table_rows(where: str = "") -> object:
        """The table's rows bare: a page of ids in order, then those watches, their competitor and
        their latest product state (one index seek each)."""

        def run() -> None:
            with engine.connect() as conn:
                ids = [r[0] for r in conn.exec_driver_sql(
                    "SELECT w.id FROM watches w LEFT JOIN competitors c ON c.id = w.competitor_id WHERE w.active = 1"
                    f"{where} ORDER BY c.name, w.kind, w.id LIMIT 100")]  # fmt: skip
                marks = ",".join("?" * len(ids))
                conn.exec_driver_sql(f"SELECT w.*, c.name FROM watches w LEFT JOIN competitors c ON c.id = w.competitor_id"
                                     f" WHERE w.id IN ({marks})", tuple(ids)).all()  # fmt: skip
                conn.exec_driver_sql(
                    "SELECT s.watch_id, s.price, s.currency, s.availability FROM product_states s WHERE s.id IN"
                    f" (SELECT (SELECT id FROM product_states WHERE watch_id = w.id ORDER BY observed_at DESC LIMIT 1)"
                    f" FROM watches w WHERE w.id IN ({marks}))", tuple(ids)).all()  # fmt: skip

        return run

    table_sql = table_rows()
    filtered_sql = table_rows(" AND c.name = 'Shop 07' AND w.kind = 'product'")
    pick = lambda: rng.choice(product_ids)  # noqa: E731
    current = {"id": product_ids[0]}

    def watch_page() -> None:
        current["id"] = pick()
        get(client, f"/watches/{current['id']}")

    def watch_rows() -> None:
        wid = pick()
        with engine.connect() as conn:
            conn.execute(text("SELECT * FROM watches WHERE id = :w"), {"w": wid}).all()
            conn.execute(text("SELECT observed_at, price, availability FROM product_states WHERE watch_id = :w ORDER BY observed_at"), {"w": wid}).all()
            conn.execute(text("SELECT * FROM observations WHERE watch_id = :w ORDER BY fetched_at DESC LIMIT 50"), {"w": wid}).all()
            conn.execute(text("SELECT * FROM changes WHERE watch_id = :w ORDER BY detected_at DESC LIMIT 50"), {"w": wid}).all()

    cases = [
        ("page  /watches (first 100 of all)", lambda: get(client, "/watches"), table_sql, 200),
        ("page  /watches?competitor&kind", lambda: get(client, "/watches?competitor=Shop+07&kind=product"), filtered_sql, 200),
        ("page  /watches?q=item 4711", lambda: get(client, "/watches?q=item+4711"),
         bare("SELECT * FROM watches WHERE lower(label) LIKE '%item 4711%' LIMIT 100"), 200),
        ("page  /watches/{id} (a year)", watch_page, watch_rows, 200),
        ("api   /api/v1/watches?limit=100", lambda: get(api, "/api/v1/watches?limit=100"), table_sql, 50),
        ("api   /api/v1/changes?competitor", lambda: get(api, "/api/v1/changes?competitor=Shop+07&limit=100"),
         bare("SELECT ch.* FROM changes ch JOIN watches w ON w.id = ch.watch_id WHERE coalesce(ch.competitor_id, w.competitor_id) = 7"
              " ORDER BY ch.detected_at DESC, ch.id DESC LIMIT 100"), 50),
        ("api   /api/v1/changes?limit=100", lambda: get(api, "/api/v1/changes?limit=100"),
         bare("SELECT * FROM changes ORDER BY detected_at DESC, id DESC LIMIT 100"), 50),
        ("api   /api/v1/watches/{id}/observations", lambda: get(api, f"/api/v1/watches/{pick()}/observations?limit=100"),
         bare("SELECT * FROM observations WHERE watch_id = :w ORDER BY fetched_at DESC LIMIT 100", w=pick), 50),
        ("api   /api/v1/deliveries", lambda: get(api, "/api/v1/deliveries"), bare("SELECT * FROM alert_deliveries ORDER BY id DESC LIMIT 100"), 50),
    ]  # fmt: skip
    print(f"{'call':42} {'p50 ms':>8} {'p95 ms':>8} {'bare p50':>9} {'bare p95':>9} {'bar':>6}")
    failed = []
    for name, call, baseline, bar in cases:
        p50, p95 = timed(call)
        b50, b95 = timed(baseline)
        ok = p95 <= bar
        failed += [] if ok else [name]
        print(f"{name:42} {p50:8.1f} {p95:8.1f} {b50:9.1f} {b95:9.1f} {'<=' + str(bar):>6} {'ok' if ok else 'OVER'}")
    web.stop()
    if failed:
        print("over the bar:", ", ".join(failed))


if __name__ == "__main__":
    main()
