"""`rivalwatch run` with nothing due: it answers from the store without loading the crawl's stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from monitor.cli import main

REPO = Path(__file__).resolve().parents[1]
# What a run that crawls nothing must not import: the crawler, the anomaly scorer's numpy, page
# rendering, the progress bar.
HEAVY = ("scrapy", "twisted", "numpy", "inscriptis", "rich.progress", "playwright")
PROBE = """
import json, sys
heavy = sys.argv[2]
sys.argv = ["rivalwatch", "run", "-c", sys.argv[1]]
from monitor.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": [m for m in heavy.split(",") if m in sys.modules]}))
"""


def test_a_run_with_nothing_due_does_not_load_the_crawler(market, tmp_path) -> None:  # noqa: ANN001
    _shop, _pid, url = market.product_urls()[0]
    config = tmp_path / "watchlist.yaml"
    data = {
        "settings": {"allow_private_addresses": True, "database_url": f"sqlite:///{tmp_path / 'rw.db'}"},
        "products": [{"url": url, "interval": "1d"}],
    }
    config.write_text(yaml.safe_dump(data))
    first = CliRunner().invoke(main, ["run", "-c", str(config), "--no-alerts"])
    assert first.exit_code == 0 and "1 watches checked" in first.output, first.output
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    )
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(config), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    lines = probe.stdout.strip().splitlines()
    assert lines, probe.stderr[-2000:]
    result = json.loads(lines[-1])
    assert result["code"] == 0, probe.stdout
    assert "0 watches checked" in probe.stdout
    assert result["loaded"] == []
