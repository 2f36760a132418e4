"""The crawl edge of the monitoring side: cycles, the one sink and store writer, the extraction pool, watchlist sync."""
