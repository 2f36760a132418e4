"""`python -m monitor.demo serve|truth|loadtest`: run the demo market on its own, inspect it, or load it.

python -m monitor.demo serve --seed 7 --products 2000 --port-file /tmp/ports.json
curl -X POST 'http://127.0.0.1:PORT/__demo/day?d=3'          # move the whole market to day 3
python -m monitor.demo truth --day 3 --shop gamma             # the ground truth as JSON Lines
python -m monitor.demo loadtest --products 2000 --seconds 5   # requests/s against a subprocess
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from monitor.demo.catalogue import Catalogue
from monitor.demo.loadtest import run_loadtest
from monitor.demo.market import SEARCH, DemoMarket
from monitor.demo.shops import HTTP_SHOPS, SHOPS


def _shops(value: str) -> tuple[str, ...]:
    names = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [n for n in names if n not in SHOPS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown shops {unknown}; known: {', '.join(SHOPS)}")
    return names


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def serve(args: argparse.Namespace) -> int:

    ports = {}
    if args.base_port:
        ports = {name: args.base_port + i for i, name in enumerate(args.shops)}
        ports[SEARCH] = args.base_port + len(args.shops)
    market = DemoMarket(args.seed, args.products, shops=args.shops, day=args.day, host=args.host, ports=ports)
    market.set_day(args.day)
    # Handlers first: whoever reads the port file may send SIGTERM at once.
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    market.start()
    if args.engine_port_file:
        _write_atomically(Path(args.engine_port_file), json.dumps({"search": market.search_url}))
    if args.port_file:
        _write_atomically(Path(args.port_file), json.dumps(market.base_urls))
    print(json.dumps(market.base_urls), flush=True)
    try:
        while not stop.wait(args.advance_every or 3600):
            if args.advance_every:
                market.set_day(market.day + 1)
                print(f"day {market.day}", flush=True)
    finally:
        market.stop()
    return 0


def truth(args: argparse.Namespace) -> int:

    cat = Catalogue(args.seed, args.products, args.shops)
    for shop, rows in cat.truth(args.day).items():
        for r in rows.values():
            row = {
                "shop": shop,
                "product_id": r.product_id,
                "name": r.name,
                "price": str(r.price),
                "currency": r.currency,
                "availability": r.availability,
                "exists": r.exists,
                "path": r.path,
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def loadtest(args: argparse.Namespace) -> int:

    run_loadtest(args.products, args.seconds, args.connections, args.in_process)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.demo", description=(__doc__ or "").split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, default=7)
        p.add_argument("--products", type=int, default=50, help="products per shop on day 0")
        p.add_argument("--shops", type=_shops, default=HTTP_SHOPS, help="comma-separated shop names")
        p.add_argument("--day", type=int, default=0)

    p = sub.add_parser("serve", help="serve the market until SIGTERM/SIGINT")
    common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--base-port", type=int, default=0, help="first fixed port (default: ephemeral ports)")
    p.add_argument("--port-file", help="write the JSON {shop: base URL} here once listening")
    p.add_argument("--engine-port-file", help='write the JSON {"search": base URL} of the search engine here')
    p.add_argument("--advance-every", type=float, default=0, help="seconds per simulated day (0: manual)")
    p.set_defaults(func=serve)

    p = sub.add_parser("truth", help="print the ground truth of a day as JSON Lines")
    common(p)
    p.set_defaults(func=truth)

    p = sub.add_parser("loadtest", help="measure requests/s of the server")
    p.add_argument("--products", type=int, default=2000)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--in-process", action="store_true", help="serve from a thread of this process instead")
    p.set_defaults(func=loadtest)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
