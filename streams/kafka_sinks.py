"""Kafka outputs: acknowledged delivery with retries, the dead-letter topic, and the alert outbox publisher.

Alerts are effectively-once on the alerts topic: ``OutboxAlertSink`` writes each new version into the store
and the outbox in one transaction (a version already in the outbox is dropped: a re-emission after a
restart); ``AlertPublisher`` then sends the outbox's unpublished tail, keyed by campaign id with headers
``hw-alert-id``, ``hw-stream`` and ``hw-seq``, and records how far the topic holds it. When a send fails, or
after a crash, the topic is read from the last recorded offsets to find which sequence numbers are already
there, and only the others are sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
from kafka.errors import KafkaError, MessageSizeTooLargeError

from streams.checkpoint import StreamStore, Upsert
from streams.kafka_source import Backoff, KafkaReject
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


def reject_kind(reason: str) -> str:
    """A short label of a rejection reason (metrics)."""
    for kind, marker in (("oversized", "exceeds the limit"), ("not_utf8", "UTF-8"),
                         ("not_json", "malformed JSON"), ("empty", "empty message")):
        if marker in reason:
            return kind
    return "schema"


class KafkaDeadLetters:
    """Sends each rejected message to the DLQ topic: original key, bytes and headers plus ``hw-*`` reasons."""

    def __init__(self, delivery: Delivery, topic: str, metrics: StreamMetrics | None = None,
                 max_value_bytes: int = 15_000_000) -> None:
        self.delivery = delivery
        self.topic = topic
        self.metrics = metrics
        self.max_value_bytes = max_value_bytes
        self.count = 0

    def __call__(self, reject: KafkaReject) -> None:
        headers = [h for h in reject.headers if not h[0].startswith("hw-")] + [
            ("hw-reason", reject.reason.encode("utf-8")),
            ("hw-source-topic", reject.topic.encode()),
            ("hw-source-partition", str(reject.partition).encode()),
            ("hw-source-offset", str(reject.offset).encode()),
        ]
        value = reject.value
        if value is not None and len(value) > self.max_value_bytes:
            headers.append(("hw-truncated-from", str(len(value)).encode()))
            value = value[: self.max_value_bytes]
        self.delivery.send(self.topic, value, reject.key, headers)
        self.count += 1
        if self.metrics is not None:
            self.metrics.dlq.labels(reject_kind(reject.reason)).inc()
        log.info("dead-lettered %s[%d]@%d: %s", reject.topic, reject.partition, reject.offset, reject.reason,
                 extra={"partition": reject.partition, "offset": reject.offset})

    def flush(self, deadline_s: float | None = None) -> None:
        self.delivery.flush(deadline_s)


class AlertPublisher:
    """Feeds the alerts topic from the outbox of one stream key (see the module docstring)."""

    def __init__(self, producer_factory: Callable[[], Any], store: StreamStore, key: str, topic: str,
                 consumer_factory: Callable[[], Any], *, backoff_max_s: float = 30.0,
                 metrics: StreamMetrics | None = None) -> None:
        self.delivery = Delivery(producer_factory(), "the alerts topic", backoff_max_s=backoff_max_s,
                                 metrics=metrics, producer_factory=producer_factory)
        self.store = store
        self.key = key
        self.topic = topic
        self.consumer_factory = consumer_factory
        self.backoff_max_s = backoff_max_s
        self.refused_until = 0.0  # monotonic time of the next attempt after an alert refused as too large

    def publish(self, check_topic: bool = False) -> int:
        """Send the unpublished outbox tail; returns how many records were sent.

        Waits (with backoff) while the broker does not acknowledge. An alert the topic refuses as too large is
        left in the outbox with everything after it, and retried here, no sooner than after the longest
        backoff: the stream goes on meanwhile, its alerts safe in the store."""
        if time.monotonic() < self.refused_until:
            return 0
        outbox = self.store.outbox(self.key)
        todo = outbox.pending
        if not todo:
            return 0
        check_topic = check_topic or self.refused_until > 0
        backoff = Backoff(self.backoff_max_s)
        sent = 0
        ends: dict[int, int] = {}
        while todo:
            if check_topic:
                present = self.on_topic(outbox.topic_offsets)
                todo = [(seq, alert) for seq, alert in todo if seq not in present]
            for seq, alert in todo:
                headers = [("hw-alert-id", alert["alert_id"].encode()), ("hw-stream", self.key.encode()),
                           ("hw-seq", str(seq).encode())]
                self.delivery.send(self.topic, orjson.dumps(alert), alert["campaign_id"].encode(), headers)
            acked, failed = self.delivery.flush(resend=False)
            sent += len(acked)
            for meta in acked:
                ends[meta.partition] = max(ends.get(meta.partition, 0), meta.offset + 1)
            if not failed:
                break
            unacked = {int(dict(r[3])["hw-seq"]) for r in failed}
            if isinstance(self.delivery.last_error, MessageSizeTooLargeError):  # logged, producer replaced
                before = [seq for seq, _ in outbox.pending if seq < min(unacked)]
                if before:  # no end offsets: the next attempt reads the topic from the last recorded ones
                    self.store.mark_published(self.key, before[-1], {})
                self.refused_until = time.monotonic() + self.backoff_max_s
                return sent
            backoff.wait("publishing alerts", KafkaError(f"{len(failed)} alerts unacknowledged"))
            todo, check_topic = [(s, a) for s, a in todo if s in unacked], True
        self.store.mark_published(self.key, outbox.pending[-1][0], ends)
        self.refused_until = 0.0
        return sent

    def on_topic(self, offsets: dict[int, int]) -> set[int]:
        """Sequence numbers of this stream key on the topic after ``offsets`` (read to the current end)."""
        from kafka import TopicPartition

        consumer = self.consumer_factory()
        seqs: set[int] = set()
        try:
            partitions = consumer.partitions_for_topic(self.topic) or set()
            tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
            if not tps:
                return seqs
            consumer.assign(tps)
            ends = consumer.end_offsets(tps)
            for tp in tps:
                consumer.seek(tp, offsets.get(tp.partition, 0))
            deadline = time.monotonic() + 60
            while any(consumer.position(tp) < ends[tp] for tp in tps) and time.monotonic() < deadline:
                for records in consumer.poll(timeout_ms=500, max_records=5000).values():
                    for record in records:
                        headers = dict(record.headers or [])
                        if headers.get("hw-stream") == self.key.encode() and "hw-seq" in headers:
                            seqs.add(int(headers["hw-seq"]))
        finally:
            consumer.close(autocommit=False)
        log.info("alerts topic holds %d of this stream's unconfirmed alerts", len(seqs))
        return seqs


class OutboxAlertSink:
    """AlertSink: store upsert + outbox in one transaction, then the alerts topic; drops re-emissions."""

    def __init__(self, store: StreamStore, key: str, upsert: Upsert | None, publisher: AlertPublisher,
                 metrics: StreamMetrics | None = None) -> None:
        self.store = store
        self.key = key
        self.upsert = upsert
        self.publisher = publisher
        self.metrics = metrics
        self.emitted = store.emitted(key)
        self.duplicates = 0
        self.count = 0
        self._pending: list[dict[str, Any]] = []

    def write(self, alert: dict[str, Any]) -> None:
        if alert["alert_id"] in self.emitted:
            self.duplicates += 1
            if self.metrics is not None:
                self.metrics.duplicates.inc()
            log.info("alert %s was emitted before the restart; not emitting it again", alert["alert_id"])
            return
        self.emitted.add(alert["alert_id"])
        self._pending.append(alert)

    def flush(self) -> None:
        if self._pending:
            added = self.store.record(self.key, self._pending, self.upsert)
            self.count += len(added)
            if self.metrics is not None:
                self.metrics.alerts.inc(len(added))
            for alert in self._pending:
                log.info("alert %s: %d accounts, severity %s", alert["alert_id"], len(alert["accounts"]),
                         alert["severity"], extra={"alert_id": alert["alert_id"]})
            self._pending.clear()
        self.publisher.publish()

    def close(self) -> None:
        self.flush()
        waiting = len(self.store.outbox(self.key).pending)
        if waiting:
            log.warning("%d alerts wait in the outbox for the alerts topic; the next start publishes them", waiting)
