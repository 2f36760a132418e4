"""`render: browser` with keyword proxies: Chromium would reach the engine from the server's own
address, so `check` refuses the combination instead of ignoring the proxies."""

from __future__ import annotations

import pytest
import yaml

from monitor.watchlist import load_watchlist_text
from monitor.watchlist.loader import ConfigError


def _group(access: dict) -> str:
    return yaml.safe_dump({"keywords": [{"name": "g", "keywords": ["drone"], "domains": ["ours.example"], "access": {"google": access}}]})


def test_browser_rendering_with_proxies_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        load_watchlist_text(_group({"render": "browser", "proxies": ["http://proxy.example:3128"]}))
    assert "proxies are not used with render: browser" in str(err.value)
    load_watchlist_text(_group({"render": "http", "proxies": ["http://proxy.example:3128"]}))
    load_watchlist_text(_group({"render": "browser"}))
