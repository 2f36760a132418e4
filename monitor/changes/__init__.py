"""Changes: the record every detector returns, and what a change kind declares."""

from monitor.changes.kinds import ChangeKind
from monitor.changes.record import DetectedChange

__all__ = ["ChangeKind", "DetectedChange"]
