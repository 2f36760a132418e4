"""The collector during a crawl: the heap made before it set aside, and everything undone after the last one."""

from __future__ import annotations

import gc

from monitor.crawl.runner import heap_frozen


def test_the_heap_is_frozen_while_crawls_run_and_thawed_after_the_last() -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    made_before = [object() for _ in range(10)]
    with heap_frozen():
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 10_000
        with heap_frozen():  # the service runs several crawls at once: the inner end undoes nothing
            pass
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 10_000
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
    assert made_before


def test_a_crawl_that_fails_still_thaws_the_heap() -> None:
    before = gc.get_threshold()
    try:
        with heap_frozen():
            raise RuntimeError("crawl broke")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
