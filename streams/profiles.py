"""Per-account profiles for the ``worker`` role: account features per owned partition, and their wire format.

A worker folds each event into its account's ``AccountState`` (the same per-event update the detector does)
and keeps the states of each input partition apart, so that a partition's accounts can be checkpointed, handed
over on a rebalance and restored on their own. Changed profiles are published to a compacted topic keyed by
account id; evicted accounts are published as tombstones. Profiles are JSON (never pickle: the topic is a
network input of the linker), dicts as ``{"k": [keys], "v": [values]}`` since their keys are not strings.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from features.account import AccountState
from features.text import TextAnalyzer
from streams.activity import ActivityCounts
from streams.clock import EventClock
from streams.dedup import RecentIds
from streams.events import Event

FORMAT_VERSION = 1
WATERMARK_PREFIX = "\x00wm/"     # keys of per-partition event-time watermarks on the profiles topic
_TUPLE_ITEMS = frozenset({"embed_queue", "recent_keys"})


def _encode(value: Any) -> Any:
    """A slot's value as JSON: dicts as key and value lists (their keys are ints or None), sets sorted."""
    if isinstance(value, dict):
        return {"k": list(value), "v": list(value.values())}
    if isinstance(value, set | frozenset):
        return {"s": sorted(value)}
    return value  # lists, tuples, numbers, strings, None and numpy arrays serialize as they are


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "k" in value:
            return dict(zip(value["k"], value["v"], strict=True))
        if "s" in value:
            return set(value["s"])
    return value


def encode_profile(state: AccountState, partition: int, offset: int, watermark: float) -> bytes:
    """The profile message of one account: its state and the input position it reflects."""
    body = {name: _encode(getattr(state, name)) for name in AccountState.__slots__}
    return orjson.dumps({"v": FORMAT_VERSION, "partition": partition, "offset": offset,
                         "watermark": watermark, "state": body}, option=orjson.OPT_SERIALIZE_NUMPY)


def decode_profile(raw: bytes) -> tuple[AccountState, int, int]:
    """(state, source partition, source offset) of a profile message; ValueError when malformed."""
    message = orjson.loads(raw)
    if not isinstance(message, dict) or message.get("v") != FORMAT_VERSION:
        raise ValueError("not a hydrawatch profile message (or another format version)")
    body = message["state"]
    state = AccountState(str(body["account_id"]))
    for name in AccountState.__slots__:
        if name in body:
            value = _decode(body[name])
            if name in _TUPLE_ITEMS:
                value = [tuple(item) for item in value]
            elif name == "text_hashes" and isinstance(value, list):  # written before it became a dict
                value = dict.fromkeys(value)
            elif name == "embed_sum" and value is not None:
                value = np.asarray(value, dtype=np.float32)
            setattr(state, name, value)
    return state, int(message["partition"]), int(message["offset"])


def watermark_key(topic: str, partition: int) -> bytes:
    return f"{WATERMARK_PREFIX}{topic}/{partition}".encode()


@dataclass
class PartitionState:
    """The accounts of one input partition."""

    accounts: dict[str, AccountState] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    now: float = 0.0
    events: int = 0
    dirty: set[str] = field(default_factory=set)
    evicted: set[str] = field(default_factory=set)
    activity: ActivityCounts = field(default_factory=ActivityCounts)
    clock: EventClock | None = None  # the partition's event time (None only in checkpoints of earlier versions,
    recent: RecentIds | None = None  # ... as the ids it saw lately: ``AccountWorker.load`` fills both in)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore, including checkpoints written before the partition kept its activity counts or its clock."""
        self.__dict__.update(state)
        self.__dict__.setdefault("activity", ActivityCounts())
        self.__dict__.setdefault("clock", None)
        self.__dict__.setdefault("recent", None)


class AccountWorker:
    """The per-event half of the detector, per owned partition; its alerts are always empty (no linking)."""

    def __init__(self, settings: Any, position: Callable[[], tuple[int, int] | None],
                 on_step: Callable[[int, float], None] | None = None) -> None:
        self.det = settings.detection
        self.budget = settings.embedding.fast_per_account
        self.position = position
        self.on_step = on_step
        self.analyzer = TextAnalyzer()
        self.partitions: dict[int, PartitionState] = {}

    def process(self, event: Event) -> list[dict[str, Any]]:
        current = self.position()
        partition = current[0] if current is not None else 0
        part = self.partitions.get(partition)
        if part is None:
            part = self.partitions[partition] = self._new_partition(partition)
        assert part.clock is not None and part.recent is not None  # made by _new_partition or load
        if part.recent.repeated(event):  # the same request delivered twice (``streams.dedup``)
            return []
        before = part.clock.now
        event = part.clock.admit(event)  # an event far ahead of the partition's time is taken at that time
        now, step = part.clock.now, self.det.eval_interval_s
        if self.on_step is not None and now > before and (before == -math.inf or now // step > before // step):
            self.on_step(partition, now // step * step)  # every event before this grid time is in
        state = part.accounts.get(event.account_id)
        if state is None:
            state = part.accounts[event.account_id] = AccountState(event.account_id)
            part.evicted.discard(event.account_id)
        info = self.analyzer.analyze_request(event)
        state.update(event, info, part.rng, self.budget, self.det.lookback_s // 3600)
        if now > -math.inf:
            part.now = max(part.now, now)
        part.events += 1
        part.activity.observe(event)
        part.dirty.add(event.account_id)
        return []

    def finish(self) -> list[dict[str, Any]]:
        return []

    def evict(self, partition: int) -> None:
        """Forget accounts idle longer than the TTL (event time); they are published as tombstones."""
        part = self.partitions[partition]
        horizon = part.now - self.det.account_ttl_s
        for account in [a for a, s in part.accounts.items() if s.last_ts < horizon]:
            del part.accounts[account]
            part.dirty.discard(account)
            part.evicted.add(account)

    def changes(self, partition: int, offset: int) -> list[tuple[bytes, bytes | None]]:
        """(key, profile or tombstone) of every account changed since the last call."""
        part = self.partitions.get(partition)
        if part is None:
            return []
        self.evict(partition)
        out: list[tuple[bytes, bytes | None]] = [
            (a.encode(), encode_profile(part.accounts[a], partition, offset, part.now))
            for a in sorted(part.dirty)]
        out.extend((a.encode(), None) for a in sorted(part.evicted))
        part.dirty.clear()
        part.evicted.clear()
        return out

    def dump(self, partition: int, activity: ActivityCounts | None = None) -> bytes:
        """Checkpoint bytes of one partition (pickle: only ever read back from our own store), with ``activity``
        in place of its live counts when given (the counts that remain once a checkpoint wrote the rest)."""
        part = self.partitions.get(partition) or self._new_partition(partition)
        if activity is not None:
            part = dataclasses.replace(part, activity=activity)
        return pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, partition: int, blob: bytes | None) -> None:
        """Take over a partition from its checkpoint (or empty)."""
        if blob is None:
            self.partitions[partition] = self._new_partition(partition)
            return
        part: PartitionState = pickle.loads(blob)  # noqa: S301 - our own checkpoint
        if part.clock is None:  # written before the partition guarded its clock
            part.clock = EventClock.resumed(self.det.max_clock_jump_s, part.now if part.events else None)
        if part.recent is None:  # written before the partition dropped duplicate deliveries
            part.recent = RecentIds(self.det.dedup_window_s)
        self.partitions[partition] = part

    def _new_partition(self, partition: int) -> PartitionState:
        return PartitionState(rng=random.Random(partition), clock=EventClock(self.det.max_clock_jump_s),
                              recent=RecentIds(self.det.dedup_window_s))

    def drop(self, partition: int) -> None:
        self.partitions.pop(partition, None)

    def events(self) -> int:
        return sum(p.events for p in self.partitions.values())

    def accounts(self) -> int:
        return sum(len(p.accounts) for p in self.partitions.values())

    def set_apart(self) -> tuple[int, int]:
        """Duplicate deliveries skipped and events taken at their partition's time, over the owned partitions."""
        parts = self.partitions.values()
        return (sum(p.recent.repeats for p in parts if p.recent is not None),
                sum(p.clock.outliers for p in parts if p.clock is not None))
