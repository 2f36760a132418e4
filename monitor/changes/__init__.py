"""Change detection: pure functions from the last good record and a new one to a list of changes."""

from monitor.changes.record import DetectedChange

__all__ = ["DetectedChange"]
