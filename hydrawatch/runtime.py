"""Process settings for long-running detector processes (replay, stream)."""

from __future__ import annotations

import gc

GC_YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    """Collect cyclic garbage less often than CPython's default (every 700 new containers).

    The detector keeps millions of small, long-lived containers (per-account counters, index entries) and
    almost no reference cycles; with the default threshold the collector keeps re-walking them, which cost
    about a third of a replay's time in ``bench/bench_replay.py``. Memory is still freed by reference counting
    as soon as it is unused; only cycles wait a little longer.
    """
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, 20), max(old, 10))
