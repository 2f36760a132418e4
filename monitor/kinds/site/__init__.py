"""The site kind of watch (see monitor.kinds.base for what a kind is made of)."""
