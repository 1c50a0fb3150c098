"""Acknowledged delivery of records to Kafka topics: each record is waited for and re-sent after a backoff until the
broker acknowledges it; a record a topic refuses as too large is reported and its producer replaced."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from kafka.errors import KafkaError, MessageSizeTooLargeError

from streams.kafka_source import Backoff
from streams.metrics import StreamMetrics

log = logging.getLogger(__name__)

# topic, value, key, headers, partition
Record = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]], int | None]


class DeliveryError(RuntimeError):
    """Records could not be delivered before the deadline."""


class Delivery:
    """Sends records and waits until each is acknowledged, re-sending failed ones after a backoff.

    With ``producer_factory`` (``producer`` may then be None: made at the first send), a record the topic refuses
    as too large is logged (which, how large, the setting to raise) and the producer replaced: kafka-python's
    idempotent producer fails every later record once one was refused, so the retries, and everything after, would
    fail with it. The record is retried like any other."""

    def __init__(self, producer: Any, what: str, *, backoff_max_s: float = 30.0,
                 metrics: StreamMetrics | None = None, producer_factory: Callable[[], Any] | None = None) -> None:
        self.producer = producer
        self.producer_factory = producer_factory
        self.what = what
        self.backoff_max_s = backoff_max_s
        self.metrics = metrics
        self.last_error: BaseException | None = None  # why the last flush left records unacknowledged
        self._pending: list[tuple[Record, Any]] = []

    def send(self, topic: str, value: bytes | None, key: bytes | None = None,
             headers: list[tuple[str, bytes]] | None = None, partition: int | None = None) -> None:
        record: Record = (topic, value, key, headers or [], partition)
        self._pending.append((record, self._send(record)))

    def _send(self, record: Record) -> Any:
        topic, value, key, headers, partition = record
        if self.producer is None and self.producer_factory is not None:  # made when first needed
            self.producer = self.producer_factory()
        try:
            return self.producer.send(topic, value=value, key=key, headers=headers, partition=partition)
        except KafkaError as exc:  # no metadata within max_block_ms (the broker is away), or far too large
            log.debug("%s: send failed at once (%s)", self.what, exc)
            self.last_error = exc
            return None

    def flush(self, deadline_s: float | None = None, resend: bool = True) -> tuple[list[Any], list[Record]]:
        """Wait for every pending record; returns (metadata of the acknowledged, records given up on).

        With ``resend`` failed records are sent again until acknowledged or ``deadline_s`` (seconds from now)
        passes (then DeliveryError); without it they are returned to the caller.
        """
        backoff = Backoff(self.backoff_max_s)
        deadline = None if deadline_s is None else time.monotonic() + deadline_s
        acked: list[Any] = []
        failed: list[Record] = []
        error: BaseException | None = None
        while True:
            while self._pending:
                try:
                    self.producer.flush(timeout=10)
                except KafkaError as exc:
                    log.debug("%s: flush timed out (%s)", self.what, exc)
                still = []
                for record, future in self._pending:
                    if future is not None and future.succeeded():
                        acked.append(future.value)
                    elif future is None or future.failed():
                        failed.append(record)
                        error = error or (future.exception if future is not None
                                          else self.last_error or KafkaError("not sent"))
                    else:
                        still.append((record, future))
                self._pending = still
            self.last_error = error
            if not failed:
                backoff.reset(f"delivering to {self.what}")
                return acked, []
            if self.metrics is not None:
                self.metrics.broker_errors.labels(self.what).inc()
            if isinstance(error, MessageSizeTooLargeError) and self.producer_factory is not None:
                self._too_large(failed)
            if not resend:
                return acked, failed
            if deadline is not None and time.monotonic() > deadline:
                self._pending = [(r, None) for r in failed]
                raise DeliveryError(f"{self.what}: {len(failed)} records undelivered ({error})")
            backoff.wait(f"delivering to {self.what}", error or KafkaError("unknown"))
            self._pending = [(r, self._send(r)) for r in failed]
            failed, error = [], None

    def _too_large(self, failed: list[Record]) -> None:
        """Say which record was refused as too large and what to change; replace the producer (see the class)."""
        if self.metrics is not None:
            self.metrics.broker_errors.labels(f"{self.what}: too large").inc()
        topic, value, _, headers, _ = max(failed, key=lambda record: len(record[1] or b""))
        log.error("%s refused %s of %d bytes (before compression) as too large: raise the max.message.bytes of topic "
                  "%r (hydrawatch creates it with 16 MiB); it is kept and retried", self.what, _record_name(headers),
                  len(value or b""), topic)
        try:
            self.producer.close(timeout=5)
        except KafkaError as exc:
            log.debug("closing the refused producer: %s", exc)
        if self.producer_factory is not None:
            self.producer = self.producer_factory()


def _record_name(headers: list[tuple[str, bytes]]) -> str:
    """An alert's id or a dead letter's source position, from the headers hydrawatch sets."""
    found = {name: value.decode(errors="replace") for name, value in headers if name.startswith("hw-")}
    if "hw-alert-id" in found:
        return f"alert {found['hw-alert-id']}"
    if "hw-source-offset" in found:
        return (f"the dead letter of {found.get('hw-source-topic')}[{found.get('hw-source-partition')}]"
                f"@{found['hw-source-offset']}")
    return "a record"
