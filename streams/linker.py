"""The ``linker`` role: a detector built from the account profiles the workers publish, run on event time.

The linker never sees events. It holds the latest profile of every active account (``Detector.accounts``),
the cross-account index rebuilt from the profiles (``DerivedIndex``: which texts and template keys several
accounts share), and runs the detector's ordinary ``evaluate`` whenever the event-time watermark passes the
next evaluation time. The watermark is the minimum over the input partitions' watermarks (from the workers),
ignoring partitions whose watermark has not moved for ``idle_s`` of wall time, so that an evaluation waits for
every active partition to have reported up to that time.
"""

from __future__ import annotations

import logging
import pickle
import time
from typing import Any

from detector.engine import Detector
from features.account import AccountState
from features.shared_index import SharedIndex
from features.text import TextInfo
from streams.profiles import WATERMARK_PREFIX, decode_profile

log = logging.getLogger(__name__)


class DerivedIndex(SharedIndex):
    """The ``SharedIndex`` rebuilt from the accounts' own recent text hashes and template-key counts.

    ``texts`` and ``keys`` keep the parent's layout (readers may use them directly); each account's share is
    added and removed as its profiles arrive. Accounts whose texts became shared or unshared are collected in
    ``changed`` so that their ``recycled_events`` can be re-estimated before an evaluation.
    """

    def __init__(self) -> None:
        super().__init__()
        self.text_owners: dict[int, set[str]] = {}
        self.changed: set[str] = set()

    def add(self, state: AccountState) -> None:
        account, ts = state.account_id, state.last_ts
        self.changed.add(account)
        for text in set(state.text_hashes):
            owners = self.text_owners.setdefault(text, set())
            owners.add(account)
            if len(owners) == 2:
                self.changed.update(owners)
            self.texts[text] = [next(iter(owners)), 2 if len(owners) > 1 else 1, ts]
        for key, count in state.template_keys.items():
            if key is None:
                continue
            stats = self.keys.get(key)
            if stats is None:
                stats = self.keys[key] = [0, set(), 0, ts]
            stats[0] += count
            stats[1].add(account)
            stats[2] = len(stats[1])
            stats[3] = max(stats[3], ts)

    def remove(self, state: AccountState) -> None:
        account = state.account_id
        for text in set(state.text_hashes):
            owners = self.text_owners.get(text)
            if owners is None or account not in owners:
                continue
            owners.discard(account)
            if not owners:
                del self.text_owners[text], self.texts[text]
                continue
            if len(owners) == 1:
                self.changed.update(owners)
            self.texts[text][:2] = [next(iter(owners)), 2 if len(owners) > 1 else 1]
        for key, count in state.template_keys.items():
            stats = self.keys.get(key) if key is not None else None
            if stats is None or account not in stats[1]:
                continue
            stats[0] -= count
            stats[1].discard(account)
            stats[2] = len(stats[1])
            if not stats[1]:
                del self.keys[key]  # type: ignore[arg-type]

    def recycled_estimate(self, state: AccountState) -> int:
        """Requests of the account that re-sent a text another account sent (from its recent texts)."""
        if not state.text_hashes:
            return 0
        shared = sum(len(self.text_owners.get(h, ())) > 1 for h in state.text_hashes)
        return round(state.events * shared / len(state.text_hashes))

    def observe(self, account_id: str, info: TextInfo, ts: float) -> tuple[bool, str | None]:
        """Not used: the linker learns from profiles, not events."""
        return False, None

    def prune(self, horizon: float) -> None:
        """Nothing to prune: entries leave with their accounts."""


class Linker:
    """Applies profile messages to a detector and evaluates it on the workers' event-time watermark."""

    def __init__(self, detector: Detector, input_partitions: int, idle_s: float = 30.0) -> None:
        detector.index = DerivedIndex()
        self.detector = detector
        self.input_partitions = input_partitions
        self.idle_s = idle_s
        self.queued: dict[str, int] = {}                  # worker embed-queue entries already taken over
        self.seen: dict[str, tuple[int, int]] = {}        # account -> (source partition, offset) of profile
        self.watermarks: dict[int, float] = {}
        self.moved: dict[int, float] = {}                 # wall time each watermark last advanced
        self.started = time.monotonic()
        self.applied = 0
        self.stale = 0

    # -- input ---------------------------------------------------------------------------------------------
    def apply(self, key: bytes | None, value: bytes | None) -> None:
        """Fold one message of the profiles topic in (watermark, profile or tombstone)."""
        if key is None:
            return
        name = key.decode("utf-8", "replace")
        if name.startswith(WATERMARK_PREFIX):
            if value is not None:
                partition = int(name.rsplit("/", 1)[1])
                watermark = float(value)
                if watermark > self.watermarks.get(partition, float("-inf")):
                    self.watermarks[partition] = watermark
                    self.moved[partition] = time.monotonic()
            return
        if value is None:
            self._forget(name)
            return
        state, partition, offset = decode_profile(value)
        seen = self.seen.get(name)
        if seen is not None and seen[0] == partition and offset < seen[1]:
            self.stale += 1  # an older profile re-published after a worker restart
            return
        self.seen[name] = (partition, offset)
        self._import(state)
        self.applied += 1

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
        det.accounts[account] = state
        det._views.pop(account, None)
        index.add(state)
        for model, first in state.model_first_ts.items():
            if first < det.model_first_seen.get(model, float("inf")):
                det.model_first_seen[model] = first
        if det.stream_start is None or state.first_ts < det.stream_start:
            det.stream_start = state.first_ts
        if det.next_eval is None:
            det.next_eval = state.first_ts + det.det.eval_interval_s

    def _forget(self, account: str) -> None:
        det = self.detector
        state = det.accounts.pop(account, None)
        if state is not None:
            det.index.remove(state)  # type: ignore[attr-defined]
            det.tracker.forget_accounts({account})
        det._views.pop(account, None)
        self.queued.pop(account, None)
        self.seen.pop(account, None)

    # -- evaluation ----------------------------------------------------------------------------------------
    def watermark(self, final: bool = False) -> float | None:
        """Event time every active input partition has reached (None while one may still be behind)."""
        if not self.watermarks:
            return None
        if final:
            return max(self.watermarks.values())
        wall = time.monotonic()
        starting = wall - self.started <= self.idle_s
        if starting and len(self.watermarks) < self.input_partitions:
            return None
        active = [w for p, w in self.watermarks.items() if wall - self.moved.get(p, 0.0) <= self.idle_s]
        return min(active) if active else max(self.watermarks.values())

    def due(self, final: bool = False) -> list[dict[str, Any]]:
        """Evaluate when the watermark has passed the next evaluation time (``final``: evaluate now)."""
        det = self.detector
        now = self.watermark(final)
        if now is None or det.next_eval is None or (not final and now < det.next_eval):
            return []
        det.now = max(det.now, now)
        index: DerivedIndex = det.index  # type: ignore[assignment]
        for account in index.changed:
            state = det.accounts.get(account)
            if state is not None and hasattr(state, "recycled_events"):
                state.recycled_events = index.recycled_estimate(state)
                det._views.pop(account, None)
        index.changed.clear()
        alerts = det.evaluate()
        while det.next_eval <= now:
            det.next_eval += det.det.eval_interval_s
        for account in [a for a in self.seen if a not in det.accounts]:  # evicted by the detector (TTL)
            self._forget(account)
        return alerts

    # -- checkpoints ---------------------------------------------------------------------------------------
    def dump(self) -> bytes:
        extra = {"queued": self.queued, "seen": self.seen, "watermarks": self.watermarks}
        return pickle.dumps((self.detector.checkpoint(), extra), protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, blob: bytes) -> None:
        state, extra = pickle.loads(blob)  # noqa: S301 - our own checkpoint
        self.detector.restore(state)
        self.queued, self.seen, self.watermarks = extra["queued"], extra["seen"], extra["watermarks"]
        self.moved = {p: time.monotonic() for p in self.watermarks}
