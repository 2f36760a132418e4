"""The watchlist: YAML -> validated pydantic models, with every problem at its file, line and field.

`loader` reads the file and maps paths to lines; `schema` is the root model; `check` the checks
across sections and entries that the loader runs after parsing; `environment` what a watchlist needs
from the machine (secrets); `keys` and `summary` what `rivalwatch check` prints.
"""

from monitor.watchlist.loader import (
    ConfigError,
    ConfigProblem,
    LoadedWatchlist,
    load_watchlist,
    load_watchlist_text,
    parse_watchlist_text,
    read_watchlist,
)
from monitor.watchlist.schema import Watchlist

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "LoadedWatchlist",
    "Watchlist",
    "load_watchlist",
    "load_watchlist_text",
    "parse_watchlist_text",
    "read_watchlist",
]
