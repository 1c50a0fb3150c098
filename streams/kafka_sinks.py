"""Kafka outputs: the dead-letter topic and the alert outbox publisher (delivery itself: ``streams.kafka_delivery``).

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
from streams.kafka_delivery import Delivery
from streams.kafka_source import Backoff, KafkaReject
from streams.metrics import StreamMetrics

log = logging.getLogger(__name__)


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
        waiting = len(self.store.outbox(self.key).pending) if self.publisher.refused_until else 0  # else all sent
        if waiting:
            log.warning("%d alerts wait in the outbox for the alerts topic; the next start publishes them", waiting)
