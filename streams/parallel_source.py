"""A replay source that reads, parses, orders and text-analyses events in a second process.

Detection is single-threaded: per-account state and campaign evaluation need one consistent view. Reading
files, validating JSON and analysing prompt texts (template sketches, intent rules, hashes) need no state, so
they run ahead in a child process on another core and reach the detector in pickled batches, each event
carrying its ``TextInfo`` in ``Event.analysis``. The child is forked when the source is created (so scripts
need no ``__main__`` guard, and before the replay starts any thread of its own). A reader thread in the parent
moves the child's batches from the pipe into a queue of at most ``AHEAD_BATCHES``: the child keeps parsing while
the detector evaluates (a pipe alone blocks it there, and then the detector waits for it), and memory stays
bounded. Given the detector's fast embedding tier, the child also encodes the texts the detector will embed
for content profiles (``features.embeddings.EmbeddingsAhead``) and the parent primes the tier's cache with them.
Rejected records travel with the batches and reach ``on_reject`` in the parent, which owns the dead-letter
sink. The order of events, the rejects and the counters are exactly those of ``ReplaySource``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from features.embeddings import EmbeddingCache, EmbeddingsAhead
from features.text import TextAnalyzer
from streams.events import Event
from streams.sources import ReadingOptions, Rejected, RejectHandler, ReplaySource, SourceStats

log = logging.getLogger(__name__)

BATCH_EVENTS = 1024
PIPE_BYTES = 1 << 20
AHEAD_BATCHES = 16  # pickled batches (about half a megabyte each) the parent holds ahead of the detector


class EventObserver(Protocol):
    """Something the child process shows every accepted event to (e.g. the store's activity recorder)."""

    def observe(self, event: Event) -> None: ...

    def close(self) -> None: ...


def _produce(sender: Connection, paths: list[Path], reading: ReadingOptions,
             child_observer: Callable[[], EventObserver] | None, ahead: EmbeddingsAhead | None) -> None:
    """Child process: send (events, rejects, stats, vectors) batches, then (None, rejects, stats, None); or
    ("error", text, None, None)."""
    try:
        observer = child_observer() if child_observer is not None else None
        rejects: list[Rejected] = []
        source = ReplaySource(paths, rejects.append, **reading)
        analyzer = TextAnalyzer()
        batch: list[Event] = []

        def send(events: list[Event] | None) -> None:
            vectors = ahead.take() if ahead is not None and events else None
            sender.send_bytes(pickle.dumps((events, rejects, source.stats, vectors), pickle.HIGHEST_PROTOCOL))
            rejects.clear()

        for event in source:
            info = event.analysis = analyzer.analyze_request(event)
            if observer is not None:
                observer.observe(event)
            if ahead is not None:
                ahead.observe(event.account_id, info.hash, info.length, event.text)
            batch.append(event)
            if len(batch) >= BATCH_EVENTS:
                send(batch)
                batch = []
        send(batch)
        if observer is not None:
            observer.close()  # durable before the parent learns that the input ended
        send(None)
    except BaseException:  # noqa: BLE001 - everything reaches the parent, which raises it
        sender.send_bytes(pickle.dumps(("error", traceback.format_exc(), None, None)))
    finally:
        sender.close()


class ParallelReplaySource:
    """``ReplaySource`` with reading, parsing and text analysis in a child process, started at once."""

    def __init__(self, paths: Iterable[Path], on_reject: RejectHandler, *, window_s: float = 120.0,
                 max_prompt_bytes: int = 1_000_000, max_jump_s: float = 3600.0, dedup_window_s: float = 600.0,
                 child_observer: Callable[[], EventObserver] | None = None, embeddings: EmbeddingCache | None = None,
                 embed_budget: int = 0) -> None:
        """``child_observer`` builds, in the child, an observer of every accepted event (closed at the end).
        With ``embeddings`` (the detector's fast tier, a static model) the child also makes the vectors of the
        texts the detector will embed within its per-account ``embed_budget`` and primes that cache with them."""
        self.on_reject = on_reject
        self.stats = SourceStats()
        self._embeddings = embeddings if embed_budget > 0 else None
        ahead = EmbeddingsAhead(self._embeddings.encoder, embed_budget) if self._embeddings is not None else None
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        with contextlib.suppress(AttributeError, OSError):  # Linux: a batch or two per read (the default is 64 KiB)
            fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._child = context.Process(target=_produce, name="hydrawatch-parse", daemon=True,
                                      args=(sender, [Path(p) for p in paths], ReadingOptions(
                                          window_s=window_s, max_prompt_bytes=max_prompt_bytes,
                                          max_jump_s=max_jump_s, dedup_window_s=dedup_window_s),
                                          child_observer, ahead))
        self._child.start()
        sender.close()
        self._ahead: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD_BATCHES)
        self._closing = threading.Event()
        self._finished = False
        self._reader = threading.Thread(target=self._read_ahead, name="hydrawatch-parse-reader", daemon=True)
        self._reader.start()

    def _read_ahead(self) -> None:
        """Reader thread: the child's batches into ``_ahead``, then None when the pipe ends (or fails)."""
        while True:
            try:
                item: bytes | None = self._receiver.recv_bytes()
            except (EOFError, OSError):
                item = None
            while not self._closing.is_set():
                try:
                    self._ahead.put(item, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if item is None or self._closing.is_set():
                return

    def __iter__(self) -> Iterator[Event]:
        try:
            while True:
                item = self._ahead.get()
                if item is None:
                    self._child.join(timeout=5)
                    raise RuntimeError(f"the parse process exited unexpectedly (exit code {self._child.exitcode})")
                events, rejects, stats, vectors = pickle.loads(item)  # noqa: S301
                if events == "error":
                    raise RuntimeError(f"the parse process failed:\n{rejects}")
                for rejected in rejects:
                    self.on_reject(rejected)
                self.stats = stats
                if events is None:
                    self._finished = True
                    return
                if vectors is not None and self._embeddings is not None:
                    self._embeddings.prime(*vectors)
                yield from events
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child (after an early stop it may be blocked on a full pipe: it is terminated), then the
        reader thread, then close the pipe (never while the thread may still read it)."""
        self._closing.set()
        if self._finished:
            self._child.join(timeout=5)
        if self._child.is_alive():
            self._child.terminate()
            self._child.join()
        self._reader.join(timeout=5)
        self._receiver.close()
