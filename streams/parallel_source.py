"""A replay source that reads, parses, orders and text-analyses events in a second process.

Detection is single-threaded: per-account state and campaign evaluation need one consistent view. Reading
files, validating JSON and analysing prompt texts (template sketches, intent rules, hashes) need no state, so
they run ahead in a child process on another core and reach the detector in pickled batches, each event
carrying its ``TextInfo`` in ``Event.analysis``. The child is forked when the source is created (so scripts
need no ``__main__`` guard, and before the replay starts any thread of its own); the pipe between them is
small, so the child stays at most a few batches ahead and memory stays bounded. Given the detector's fast
embedding tier, the child also encodes the texts the detector will embed for content profiles
(``features.embeddings.EmbeddingsAhead``) and the parent primes the tier's cache with them.
Rejected records travel with the batches and reach ``on_reject`` in the parent, which owns the dead-letter
sink. The order of events, the rejects and the counters are exactly those of ``ReplaySource``.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from features.embeddings import EmbeddingCache, EmbeddingsAhead
from features.text import TextAnalyzer
from streams.events import Event
from streams.sources import Rejected, RejectHandler, ReplaySource, SourceStats

log = logging.getLogger(__name__)

BATCH_EVENTS = 1024


class EventObserver(Protocol):
    """Something the child process shows every accepted event to (e.g. the store's activity recorder)."""

    def observe(self, event: Event) -> None: ...

    def close(self) -> None: ...


def _produce(sender: Connection, paths: list[Path], window_s: float, max_prompt_bytes: int,
             child_observer: Callable[[], EventObserver] | None, ahead: EmbeddingsAhead | None) -> None:
    """Child process: send (events, rejects, stats, vectors) batches, then (None, rejects, stats, None); or
    ("error", text, None, None)."""
    try:
        observer = child_observer() if child_observer is not None else None
        rejects: list[Rejected] = []
        source = ReplaySource(paths, rejects.append, window_s=window_s, max_prompt_bytes=max_prompt_bytes)
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
                 max_prompt_bytes: int = 1_000_000, child_observer: Callable[[], EventObserver] | None = None,
                 embeddings: EmbeddingCache | None = None, embed_budget: int = 0) -> None:
        """``child_observer`` builds, in the child, an observer of every accepted event (closed at the end).
        With ``embeddings`` (the detector's fast tier, a static model) the child also makes the vectors of the
        texts the detector will embed within its per-account ``embed_budget`` and primes that cache with them."""
        self.on_reject = on_reject
        self.stats = SourceStats()
        self._embeddings = embeddings if embed_budget > 0 else None
        ahead = EmbeddingsAhead(self._embeddings.encoder, embed_budget) if self._embeddings is not None else None
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_produce, name="hydrawatch-parse", daemon=True,
                                      args=(sender, [Path(p) for p in paths], window_s, max_prompt_bytes,
                                            child_observer, ahead))
        self._child.start()
        sender.close()

    def __iter__(self) -> Iterator[Event]:
        try:
            while True:
                try:
                    events, rejects, stats, vectors = pickle.loads(self._receiver.recv_bytes())  # noqa: S301
                except EOFError:
                    raise RuntimeError(
                        f"the parse process exited unexpectedly (exit code {self._child.exitcode})") from None
                if events == "error":
                    raise RuntimeError(f"the parse process failed:\n{rejects}")
                for rejected in rejects:
                    self.on_reject(rejected)
                self.stats = stats
                if events is None:
                    return
                if vectors is not None and self._embeddings is not None:
                    self._embeddings.prime(*vectors)
                yield from events
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child (it may be blocked on a full pipe when the consumer stopped early)."""
        self._receiver.close()
        self._child.join(timeout=5)
        if self._child.is_alive():
            self._child.terminate()
            self._child.join()
