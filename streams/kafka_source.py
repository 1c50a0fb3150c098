"""Kafka input: consume raw request events, dead-letter bad messages with their coordinates, track positions.

``positions`` holds, per input partition, the offset of the next record *not yet handed on* (every record
before it was either yielded as an event and fully processed by the caller, or dead-lettered). Checkpoints
store these positions; the consumer's own fetch position runs ahead and is never committed.

Order: each partition is consumed in order. Events of several partitions are merged by event time: a partition
with buffered records holds back the others until its head is the oldest, unless it is caught up (nothing more
to read) or has been silent for ``align_wait_s``. With one partition this is exactly the topic's order.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kafka.errors import KafkaError

from streams.events import Event, EventError, parse_line

log = logging.getLogger(__name__)


@dataclass(slots=True)
class KafkaReject:
    """A message that is not an acceptable request event, with where it came from and why."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]
    reason: str


class Backoff:
    """Exponential backoff between retries: 0.5 s doubling up to ``max_s``; ``reset`` after a success."""

    def __init__(self, max_s: float = 30.0, first_s: float = 0.5) -> None:
        self.first_s = first_s
        self.max_s = max_s
        self.next_s = first_s
        self.failures = 0

    def wait(self, what: str, exc: BaseException, sleep: Callable[[float], None] = time.sleep) -> None:
        self.failures += 1
        log.warning("%s failed (%s: %s); retry %d in %.1f s", what, type(exc).__name__, exc, self.failures,
                    self.next_s, extra={"retry": self.failures, "backoff_s": self.next_s})
        sleep(self.next_s)
        self.next_s = min(self.next_s * 2, self.max_s)

    def reset(self, what: str) -> None:
        if self.failures:
            log.info("%s recovered after %d retries", what, self.failures, extra={"retries": self.failures})
        self.failures = 0
        self.next_s = self.first_s


class KafkaEventSource:
    """Iterates accepted events of the consumer's assigned partitions; rejects go to ``on_reject``."""

    def __init__(self, consumer: Any, on_reject: Callable[[KafkaReject], None], *, max_message_bytes: int,
                 max_prompt_bytes: int = 1_000_000, idle_exit_s: float | None = None,
                 on_idle: Callable[[], None] | None = None, on_batch: Callable[[], None] | None = None,
                 poll_timeout_ms: int = 200, max_records: int = 1000, align_wait_s: float = 2.0,
                 backoff_max_s: float = 30.0) -> None:
        self.consumer = consumer
        self.on_reject = on_reject
        self.max_message_bytes = max_message_bytes
        self.max_prompt_bytes = max_prompt_bytes
        self.idle_exit_s = idle_exit_s
        self.on_idle = on_idle
        self.on_batch = on_batch
        self.poll_timeout_ms = poll_timeout_ms
        self.max_records = max_records
        self.align_wait_s = align_wait_s
        self.backoff = Backoff(backoff_max_s)
        self.positions: dict[int, int] = {}
        self.current: tuple[int, int] | None = None
        self.ended_idle = False
        self.events = 0
        self.rejected = 0
        self.last_poll_ok = time.monotonic()
        self.first_event_at: float | None = None      # monotonic times of the first and last event handed on
        self.last_event_at = 0.0
        self._stop = False
        self._buffers: dict[int, deque[tuple[float, Any, Event | None]]] = {}
        self._fetched: dict[int, int] = {}
        self._heard: dict[int, float] = {}

    def stop(self) -> None:
        """End the iteration at the next record boundary (safe from a signal handler)."""
        self._stop = True

    def reset_partitions(self, partitions: set[int], positions: dict[int, int]) -> None:
        """Forget buffered records of ``partitions`` (revoked, or re-seeked to ``positions``)."""
        for partition in partitions:
            self._buffers.pop(partition, None)
            self._fetched.pop(partition, None)
            self.positions.pop(partition, None)
        self.positions.update(positions)

    def __iter__(self) -> Iterator[Event]:
        idle_since = time.monotonic()
        while not self._stop:
            received = self._poll()
            if received:
                idle_since = time.monotonic()
            yield from self._drain(final=False)
            if self.on_batch is not None:
                self.on_batch()
            if received or self._buffered():
                continue
            if self.on_idle is not None:
                self.on_idle()
            if self.idle_exit_s is not None and time.monotonic() - idle_since >= self.idle_exit_s:
                if self._caught_up():
                    self.ended_idle = True
                    log.info("no new input for %.0f s and caught up: ending", self.idle_exit_s)
                    return
                idle_since = time.monotonic()

    # -- polling -------------------------------------------------------------------------------------------
    def _poll(self) -> int:
        try:
            batches = self.consumer.poll(timeout_ms=self.poll_timeout_ms, max_records=self.max_records)
        except KafkaError as exc:
            self.backoff.wait("polling the input topic", exc)
            return 0
        self.backoff.reset("polling the input topic")
        self.last_poll_ok = time.monotonic()
        received = 0
        now = time.monotonic()
        for tp, records in batches.items():
            buffer = self._buffers.setdefault(tp.partition, deque())
            for record in records:
                received += 1
                self._fetched[tp.partition] = record.offset + 1
                event = self._parse(record)
                if event is None:
                    if not buffer:  # nothing before it waits: hand the reject on at once
                        self.positions[record.partition] = record.offset + 1
                    else:
                        buffer.append((buffer[-1][0], record, None))
                    continue
                buffer.append((event.ts, record, event))
            if records:
                self._heard[tp.partition] = now
        return received

    def _parse(self, record: Any) -> Event | None:
        value: bytes | None = record.value
        reason = None
        if value is None:
            reason = "empty message (null value)"
        elif len(value) > self.max_message_bytes:
            reason = f"message of {len(value)} bytes exceeds the limit of {self.max_message_bytes} bytes"
        else:
            try:
                return parse_line(value, self.max_prompt_bytes)
            except EventError as exc:
                reason = str(exc)
        self.rejected += 1
        self.on_reject(KafkaReject(record.topic, record.partition, record.offset, record.key, value,
                                   list(record.headers or []), reason))
        return None

    # -- event-time merge across partitions ----------------------------------------------------------------
    def _buffered(self) -> bool:
        return any(self._buffers.values())

    def _blocking(self, partition: int, now: float) -> bool:
        """True while an empty partition may still deliver older events (lagging and recently heard from)."""
        if partition in self._buffers and self._buffers[partition]:
            return False
        if now - self._heard.get(partition, 0.0) > self.align_wait_s:
            return False
        tp = self._tp(partition)
        high = self.consumer.highwater(tp) if tp is not None else None
        return high is None or self._fetched.get(partition, 0) < high

    def _drain(self, final: bool) -> Iterator[Event]:
        now = time.monotonic()
        while not self._stop:
            heads = [(buf[0][0], p) for p, buf in self._buffers.items() if buf]
            if not heads:
                return
            _ts, partition = min(heads)
            if not final and len(heads) < len(self._buffers) and any(
                    self._blocking(p, now) for p in self._buffers if p != partition):
                return
            _, record, event = self._buffers[partition].popleft()
            self.positions[partition] = record.offset + 1
            if event is None:
                continue
            self.events += 1
            self.current = (partition, record.offset)
            self.last_event_at = time.monotonic()
            if self.first_event_at is None:
                self.first_event_at = self.last_event_at
            yield event

    def _tp(self, partition: int) -> Any:
        for tp in self.consumer.assignment():
            if tp.partition == partition:
                return tp
        return None

    def _caught_up(self) -> bool:
        """Every assigned partition has been read to its end (asks the broker; False when it cannot)."""
        try:
            assigned = list(self.consumer.assignment())
            if not assigned:
                return True
            ends = self.consumer.end_offsets(assigned, timeout_ms=5000)
        except KafkaError as exc:
            log.info("cannot confirm the end of input (%s); not ending yet", exc)
            return False
        return all(self.positions.get(tp.partition, 0) >= end for tp, end in ends.items())

    def lag(self) -> dict[int, int]:
        """Records not yet handed on, per assigned partition (from the last fetch's high watermarks)."""
        out = {}
        for tp in self.consumer.assignment():
            high = self.consumer.highwater(tp)
            if high is not None:
                out[tp.partition] = max(0, high - self.positions.get(tp.partition, 0))
        return out
