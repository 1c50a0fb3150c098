"""Process settings for long-running detector processes (replay, stream), and their exit."""

from __future__ import annotations

import atexit
import gc
import logging
import os
import sys
from typing import NoReturn

GC_YOUNG_THRESHOLD = 50_000
GC_MIDDLE_THRESHOLD = 100  # young collections between two of the middle generation (CPython's default: 10)
PLAIN_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # one record per line, for pipes and files
CHATTY_LIBRARIES = ("alembic", "faiss", "kafka")  # narrate plugin set-up, CPU-feature probing, connections at INFO


def tune_gc() -> None:
    """Collect cyclic garbage less often than CPython's default (every 700 new containers).

    The detector keeps millions of small, long-lived containers (per-account counters, index entries) and
    almost no reference cycles; with the default threshold the collector keeps re-walking them, which cost
    about a third of a replay's time in ``bench/bench_replay.py``. The middle generation, which every young
    collection's survivors reach (a replay's in-flight batches, new per-account state), is walked less often too:
    its collections took about 0.3 s of the bench file's detector CPU at 20 young collections apart, 0.02-0.04 s at
    ``GC_MIDDLE_THRESHOLD`` (2026-12-07). Memory is still freed by reference counting as soon as it is unused; only
    cycles wait a little longer.
    """
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, max(middle, GC_MIDDLE_THRESHOLD), max(old, 10))


def quiet_libraries(level: str) -> None:
    """Keep the INFO chatter of libraries that narrate every start-up out of our logs (all of it at DEBUG)."""
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)


def exit_now(code: object = 0) -> NoReturn:
    """End the process with ``code`` (as ``sys.exit`` takes it) without the interpreter's teardown.

    A replay ends holding millions of small objects (per-account state, index entries); freeing them one by one and
    unloading every module took about a second of a 150,000-event replay, after its work was done. Here the
    ``atexit`` handlers run as at a normal exit (logging's flush, kafka-python's producer close, ...), the standard
    streams are flushed, and the process ends at once, leaving its memory to the operating system. Only for a
    command's last step: what it wrote is closed or committed, and its threads are stopped.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr, status 1
        sys.stderr.write(f"{code}\n")
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(status)
