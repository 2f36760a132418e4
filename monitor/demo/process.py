"""The demo market in a subprocess, so a benchmark's crawler does not share the GIL with the server.

    with DemoProcess(seed=7, n_products=2000) as market:
        market.base_urls          # read from the port file the subprocess writes
        market.set_day(3)         # POST /__demo/day?d=3 on a shop: the whole market moves
        market.truth()            # computed locally: the simulation is deterministic

It mirrors the read side of `DemoMarket` (base_urls, product_urls, truth, our_prices, set_day).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from monitor.demo.catalogue import Catalogue, ProductTruth
from monitor.demo.running import Running
from monitor.demo.shops import HTTP_SHOPS, SHOPS


class DemoProcess(Running):
    def __init__(
        self, seed: int = 7, n_products: int = 50, *, shops: tuple[str, ...] | None = None, day: int = 0
    ) -> None:
        self.seed = seed
        self.n_products = n_products
        self.shop_names = tuple(shops or HTTP_SHOPS)
        self.catalogue = Catalogue(seed, n_products, self.shop_names)
        self._day = day
        self.base_urls: dict[str, str] = {}
        self.search_url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def day(self) -> int:
        return self._day

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 60) -> DemoProcess:
        self._tmp = tempfile.TemporaryDirectory(prefix="rivalwatch-demo-")
        port_file = Path(self._tmp.name) / "ports.json"
        cmd = [
            sys.executable,
            "-m",
            "monitor.demo",
            "serve",
            "--seed",
            str(self.seed),
            "--products",
            str(self.n_products),
            "--day",
            str(self._day),
            "--shops",
            ",".join(self.shop_names),
            "--port-file",
            str(port_file),
            "--engine-port-file",
            str(port_file.with_name("engine.json")),
        ]
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not port_file.exists():
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(f"demo market subprocess exited with {self._proc.returncode}: {err}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"demo market subprocess did not write {port_file} within {timeout}s")
            time.sleep(0.05)
        self.base_urls = json.loads(port_file.read_text())
        self.search_url = json.loads(port_file.with_name("engine.json").read_text())["search"]
        return self

    def stop(self) -> None:
        if self._proc:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stderr:
                self._proc.stderr.close()
            self._proc = None
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None


    def set_day(self, day: int) -> None:
        """Move the whole market (every shop shares the day) through the control endpoint."""
        url = f"{next(iter(self.base_urls.values()))}/__demo/day?d={day}"
        with urllib.request.urlopen(urllib.request.Request(url, method="POST", data=b""), timeout=60) as resp:
            self._day = json.loads(resp.read())["day"]

    def url(self, shop: str, path: str) -> str:
        return self.base_urls.get(shop, "") + path

    def product_urls(
        self, day: int | None = None, shops: tuple[str, ...] | None = None
    ) -> list[tuple[str, str, str]]:
        on: int = self._day if day is None else day
        out = []
        for shop in shops or self.shop_names:
            for pid, offer in self.catalogue.shop_day(shop, on).offers.items():
                if offer.exists:
                    p = self.catalogue.by_id[pid]
                    out.append((shop, pid, self.url(shop, SHOPS[shop].path_for(p.num, p.slug))))
        return out

    def truth(self, day: int | None = None) -> dict[str, dict[str, ProductTruth]]:
        return self.catalogue.truth(self._day if day is None else day)

    def our_prices(self, shop: str | None = None) -> dict[str, Decimal]:
        return self.catalogue.our_prices(shop)
