"""The ``linker`` role: a detector built from the account profiles the workers publish, run on event time.

The linker never sees events. It holds the latest profile of every active account (``Detector.accounts``),
the cross-account index rebuilt from the profiles (``DerivedIndex``: which texts and template keys several
accounts share), and runs the detector's ordinary ``evaluate`` when the event-time watermark passes the next
evaluation time (a grid of ``eval_interval_s``).

Watermarks: after its profiles are acknowledged, a worker writes "source partition p has delivered every
event before T" to *every* partition of the profiles topic. A profile partition's records are read in order,
so once every profile partition has shown T for p, every profile of p published before it has been read.
The linker's watermark is the minimum of that over the source partitions, ignoring a source partition whose
watermark has not moved for ``idle_s`` of wall time (an idle partition must not stall the others).
"""

from __future__ import annotations

import logging
import pickle
import time
from typing import Any

from detector.engine import Detector
from features.account import AccountState
from streams.derived_index import DerivedIndex  # (also the name older checkpoints pickled it by)
from streams.profiles import WATERMARK_PREFIX, decode_profile

log = logging.getLogger(__name__)


class Linker:
    """Applies profile messages to a detector and evaluates it on the workers' event-time watermark."""

    def __init__(self, detector: Detector, input_partitions: int, profile_partitions: int,
                 idle_s: float = 30.0) -> None:
        detector.index = DerivedIndex(detector.det.max_key_accounts)
        self.detector = detector
        self.input_partitions = input_partitions
        self.profile_partitions = profile_partitions
        self.idle_s = idle_s
        self.queued: dict[str, int] = {}                  # worker embed-queue entries already taken over
        self.seen: dict[str, tuple[int, int]] = {}        # account -> (source partition, offset) of profile
        self.marks: dict[tuple[int, int], float] = {}     # (profile partition, source partition) -> time
        self.moved: dict[int, float] = {}                 # source partition -> wall time it last advanced
        self.held: list[tuple[float, AccountState, int, int]] = []  # (mark, state, source, offset)
        self.started = time.monotonic()
        self.applied = 0
        self.accepted = 0                                 # profiles taken in since the last evaluation
        self.stale = 0

    # -- input ---------------------------------------------------------------------------------------------
    def offer(self, key: bytes | None, value: bytes | None, partition: int = 0) -> list[dict[str, Any]]:
        """Fold one message of profile partition ``partition`` in; returns the alerts of evaluations it
        made due. A profile from a source partition that has already passed the next evaluation time on this
        profile partition is held back until that evaluation has run (it describes the account later)."""
        if key is None:
            return []
        name = key.decode("utf-8", "replace")
        if not name.startswith(WATERMARK_PREFIX):
            if value is None:
                self._forget(name)
            else:
                state, source, offset = decode_profile(value)
                mark = self.marks.get((partition, source), float("-inf"))
                self._accept_or_hold(mark, state, source, offset)
            return []
        if value is not None:
            source, mark = int(name.rsplit("/", 1)[1]), float(value)
            if mark > self.marks.get((partition, source), float("-inf")):
                self.marks[partition, source] = mark
                self.moved[source] = time.monotonic()
        return self.due()

    def _accept_or_hold(self, mark: float, state: AccountState, source: int, offset: int) -> None:
        """``mark``: the source's watermark on the profile partition when the profile was read: the profile
        describes the account at or after that time, so it waits for the evaluations before it."""
        next_eval = self.detector.next_eval
        if next_eval is not None and mark >= next_eval:
            self.held.append((mark, state, source, offset))
        else:
            self._accept(state, source, offset)

    def _accept(self, state: AccountState, source: int, offset: int) -> None:
        seen = self.seen.get(state.account_id)
        if seen is not None and seen[0] == source and offset < seen[1]:
            self.stale += 1  # an older profile re-published after a worker restart
            return
        self.seen[state.account_id] = (source, offset)
        self._import(state)
        self.applied += 1
        self.accepted += 1

    def _import(self, state: AccountState) -> None:
        det = self.detector
        index: DerivedIndex = det.index  # type: ignore[assignment]
        account = state.account_id
        old = det.accounts.get(account)
        taken = 0
        if old is not None:
            index.remove(old)
            taken = self.queued.get(account, 0) - len(old.embed_queue)
            state.embed_sum, state.embed_count = old.embed_sum, old.embed_count
        self.queued[account] = len(state.embed_queue)
        state.embed_queue = state.embed_queue[taken:]
        det.put_account(state)
        index.add(state)
        for model, first in state.model_first_ts.items():
            if first < det.model_first_seen.get(model, float("inf")):
                det.model_first_seen[model] = first
        if det.stream_start is None or state.first_ts < det.stream_start:
            det.stream_start = state.first_ts
        if det.next_eval is None:  # on the grid the workers publish on
            step = det.det.eval_interval_s
            det.next_eval = (state.first_ts // step + 1) * step

    def _forget(self, account: str) -> None:
        det = self.detector
        state = det.accounts.get(account)
        if state is not None:
            det.index.remove(state)  # type: ignore[attr-defined]
        det.drop_account(account)
        self.queued.pop(account, None)
        self.seen.pop(account, None)

    # -- evaluation ----------------------------------------------------------------------------------------
    def watermark(self, final: bool = False) -> float | None:
        """Event time every active source partition has reached on every profile partition (None: not yet)."""
        sources = sorted({source for _, source in self.marks})
        if not sources:
            return None
        per_source = {p: min(self.marks.get((i, p), float("-inf")) for i in range(self.profile_partitions))
                      for p in sources}
        if final:
            return max(per_source.values())
        wall = time.monotonic()
        if wall - self.started <= self.idle_s and len(sources) < self.input_partitions:
            return None
        active = [w for p, w in per_source.items() if wall - self.moved.get(p, 0.0) <= self.idle_s]
        value = min(active) if active else max(per_source.values())
        return value if value > float("-inf") else None

    def due(self, final: bool = False) -> list[dict[str, Any]]:
        """Run every evaluation the watermark has made due (``final``: everything held, then evaluate now)."""
        alerts: list[dict[str, Any]] = []
        det = self.detector
        while True:
            now = self.watermark(final)
            if now is None or det.next_eval is None or (not final and now < det.next_eval):
                return alerts
            if final:
                self._release(everything=True)
                return alerts + self._evaluate(now, final=True)
            if self.accepted:  # nothing new since the last evaluation: skip this grid time (as replay does)
                alerts.extend(self._evaluate(det.next_eval))
            det.next_eval += det.det.eval_interval_s
            self._release()

    def _release(self, everything: bool = False) -> None:
        """Offer the held profiles again (after an evaluation moved the next evaluation time)."""
        held, self.held = self.held, []
        for mark, state, source, offset in held:
            if everything:
                self._accept(state, source, offset)
            else:
                self._accept_or_hold(mark, state, source, offset)

    def _evaluate(self, now: float, final: bool = False) -> list[dict[str, Any]]:
        det = self.detector
        det.now = max(det.now, now)
        self.accepted = 0
        index: DerivedIndex = det.index  # type: ignore[assignment]
        for account in index.changed:
            state = det.accounts.get(account)
            if state is not None and hasattr(state, "recycled_events"):
                state.recycled_events = index.recycled_estimate(state)
                det.put_account(state)  # re-scored at this evaluation
        index.changed.clear()
        alerts = det.evaluate(final)
        for account in [a for a in self.seen if a not in det.accounts]:  # evicted by the detector (TTL)
            self._forget(account)
        return alerts

    # -- checkpoints ---------------------------------------------------------------------------------------
    def dump(self) -> bytes:
        extra = {"queued": self.queued, "seen": self.seen, "marks": self.marks, "held": self.held}
        return pickle.dumps((self.detector.checkpoint(), extra), protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, blob: bytes) -> None:
        state, extra = pickle.loads(blob)  # noqa: S301 - our own checkpoint
        self.detector.restore(state)
        self.queued, self.seen, self.marks = extra["queued"], extra["seen"], extra["marks"]
        self.held = extra.get("held", [])
        self.moved = {source: time.monotonic() for _, source in self.marks}
