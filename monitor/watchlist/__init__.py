"""The watchlist: YAML -> validated pydantic models, with errors that name the file, line and field."""

from monitor.watchlist.loader import ConfigError, ConfigProblem, load_watchlist, load_watchlist_text
from monitor.watchlist.schema import Watchlist

__all__ = ["ConfigError", "ConfigProblem", "Watchlist", "load_watchlist", "load_watchlist_text"]
