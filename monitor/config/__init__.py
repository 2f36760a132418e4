"""The watchlist: YAML -> validated pydantic models, with errors that name the file, line and field."""

from monitor.config.loader import ConfigError, ConfigProblem, load_watchlist, load_watchlist_text
from monitor.config.schema import AlertRule, Channel, Competitor, ProductWatch, Settings, Watchlist

__all__ = [
    "AlertRule",
    "Channel",
    "Competitor",
    "ConfigError",
    "ConfigProblem",
    "ProductWatch",
    "Settings",
    "Watchlist",
    "load_watchlist",
    "load_watchlist_text",
]
