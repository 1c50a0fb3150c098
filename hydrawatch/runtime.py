"""Process settings for long-running detector processes (replay, stream)."""

from __future__ import annotations

import gc
import logging

GC_YOUNG_THRESHOLD = 50_000
PLAIN_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # one record per line, for pipes and files
CHATTY_LIBRARIES = ("alembic", "faiss", "kafka")  # narrate plugin set-up, CPU-feature probing, connections at INFO


def tune_gc() -> None:
    """Collect cyclic garbage less often than CPython's default (every 700 new containers).

    The detector keeps millions of small, long-lived containers (per-account counters, index entries) and
    almost no reference cycles; with the default threshold the collector keeps re-walking them, which cost
    about a third of a replay's time in ``bench/bench_replay.py``. Memory is still freed by reference counting
    as soon as it is unused; only cycles wait a little longer.
    """
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, 20), max(old, 10))


def quiet_libraries(level: str) -> None:
    """Keep the INFO chatter of libraries that narrate every start-up out of our logs (all of it at DEBUG)."""
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
