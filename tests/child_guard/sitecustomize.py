"""Read by Python at start-up in every child process the suite starts (conftest puts this folder first on
PYTHONPATH): a `rivalwatch serve` or `run` of a test gets the same offline guard as the test process, so a
child that misbehaves (a bad watchlist served instead of refused) still looks up no name and connects to
nothing off this machine. A refusal there cannot fail the test by itself; it only keeps the traffic home."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import offline_guard  # noqa: E402

offline_guard.install()
del sys.path[0]
