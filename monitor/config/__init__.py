"""The watchlist's own sections and the building blocks every kind's watch model uses.

The whole watchlist (every section, loaded from YAML with errors that name file, line and field)
is `monitor.watchlist`; the models of each kind's watches live with the kind (`monitor.kinds`).
"""
