"""The three roles of ``hydrawatch stream`` on a ``Runtime`` (see hydrawatch/stream.py, docs/streaming.md)."""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from typing import Any

from kafka import ConsumerRebalanceListener, TopicPartition
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from sqlalchemy.orm import Session

from detector.coverage import MissingFieldWatch
from detector.engine import Detector
from hydrawatch.replay import build_detector
from hydrawatch.store import save_alert
from hydrawatch.store.accounts import write_activity_rows
from hydrawatch.store.feedback import apply_feedback
from hydrawatch.stream import Checkpointer, Runtime, StreamResult
from streams.activity import ActivityCounts
from streams.events import Event
from streams.kafka_delivery import Delivery
from streams.kafka_sinks import OutboxAlertSink
from streams.kafka_source import KafkaEventSource
from streams.pipeline import run_pipeline
from streams.profiles import AccountWorker, watermark_key

log = logging.getLogger(__name__)


class FinishGate:
    """The detector, whose end-of-input evaluation runs only when the input really ended (not on SIGTERM)."""

    def __init__(self, detector: Any, source: KafkaEventSource) -> None:
        self.detector = detector
        self.source = source

    def process(self, event: Event) -> list[dict[str, Any]]:
        return self.detector.process(event)

    def finish(self) -> list[dict[str, Any]]:
        return self.detector.finish() if self.source.ended_idle else []


def stream_detector(rt: Runtime) -> Detector:
    detector = build_detector(rt.settings)
    if detector.minilm_tier is not None:  # load torch now, not in the middle of the first alert
        detector.minilm_tier.encoder.encode(["warm up"])
    return detector


def seek_offsets(consumer: Any, tps: list[TopicPartition], offsets: dict[int, int]) -> None:
    for tp in tps:
        if tp.partition in offsets:
            consumer.seek(tp, offsets[tp.partition])
        else:
            consumer.seek_to_beginning(tp)


def pack_state(detector_state: bytes, activity: ActivityCounts) -> bytes:
    """Checkpoint bytes of role ``all``: the detector's state and the pending activity counts."""
    return pickle.dumps({"format": 2, "detector": detector_state, "activity": activity}, pickle.HIGHEST_PROTOCOL)


def unpack_state(blob: bytes) -> tuple[bytes, ActivityCounts]:
    """(detector state, activity counts) of a ``pack_state`` checkpoint, or of one written before activity was
    kept (the detector's own bytes)."""
    state = pickle.loads(blob)  # noqa: S301 - our own checkpoint
    if isinstance(state, dict) and state.get("format") == 2:
        return state["detector"], state["activity"]
    return blob, ActivityCounts()


def activity_writer(rows: list[dict[str, Any]], late: list[dict[str, Any]]) -> Callable[[Session], None]:
    """Writes a checkpoint's activity rows in its transaction (``StreamStore.save(also=...)``)."""
    def write(session: Session) -> None:
        write_activity_rows(session, rows)
        write_activity_rows(session, late, increment=True)
    return write


def outbox_sink(rt: Runtime, key: str) -> OutboxAlertSink:
    """The alert sink of stream key ``key``: the store and its outbox, after publishing what the alerts topic
    may lack (the tail a crash left unconfirmed)."""
    publisher = rt.publisher(key)
    publisher.publish(check_topic=True)
    return OutboxAlertSink(rt.store, key, save_alert, publisher, rt.metrics)


def stream_result(summary: Any, rt: Runtime, cp: Checkpointer, source: KafkaEventSource | None,
                  sink: OutboxAlertSink | None) -> StreamResult:
    busy = source.last_event_at - source.first_event_at if source and source.first_event_at else 0.0
    return StreamResult(summary=summary, rejected=rt.dlq.count, alerts=sink.count if sink else 0,
                        duplicates=sink.duplicates if sink else 0, checkpoints=cp.count,
                        ended_idle=bool(source and source.ended_idle), busy_s=busy)


def run_all(rt: Runtime) -> StreamResult:
    """One process: the replay pipeline (``run_pipeline``) with a Kafka source and Kafka/store sinks."""
    k = rt.k
    key = f"all/{k.group}/{k.topic}"
    detector = stream_detector(rt)
    checkpoint = rt.store.load(key)
    activity = [ActivityCounts()]  # per (account, hour, model) requests not yet final in the store
    if checkpoint is not None:
        detector_state, activity[0] = unpack_state(checkpoint.state)
        detector.restore(detector_state)
        log.info("resuming from checkpoint: %d events, offsets %s", checkpoint.events, checkpoint.offsets)
    apply_feedback(detector, rt.engine)
    offsets = checkpoint.offsets if checkpoint is not None else {}
    base = checkpoint.events if checkpoint is not None else 0
    consumer = rt.consumer(k.group)
    tps = rt.partitions(consumer, k.topic)
    consumer.assign(tps)
    seek_offsets(consumer, tps, offsets)
    sink = outbox_sink(rt, key)
    saved = dict(offsets)
    source = rt.source(consumer, lambda: cp.tick())
    source.positions.update(offsets)
    coverage = MissingFieldWatch()

    def save() -> None:
        rt.dlq.flush()
        sink.flush()
        positions = dict(source.positions)
        rows, late, kept = activity[0].checkpoint()
        if rt.store.save(key, pack_state(detector.checkpoint(), kept), positions, base + source.events,
                         also=activity_writer(rows, late)):
            activity[0] = kept
        saved.clear()
        saved.update(positions)
        rt.commit(consumer, k.topic, positions)
        rt.metrics.set_lag(k.topic, source.lag())
        rt.metrics.accounts.set(len(detector.accounts))
        rt.metrics.embedding_queue.set(sum(len(s.embed_queue) for s in detector.accounts.values()))
        rt.metrics.set_input_counts(detector.recent.repeats, detector.clock.outliers)
        rt.metrics.set_coverage(coverage.check(detector.accounts.values()))

    cp = Checkpointer(save, k.checkpoint_every_events, k.checkpoint_every_s, rt.metrics,
                      changed=lambda: source.positions != saved)
    rt.details = lambda: {"events": base + source.events, "accounts": len(detector.accounts),
                          "lag": source.lag()}
    def on_event(event: Event) -> None:
        activity[0].observe(event)
        cp.on_event(event)

    summary = run_pipeline(source, FinishGate(detector, source), [sink], on_event=on_event)
    cp.checkpoint()
    consumer.close(autocommit=False)
    return stream_result(summary, rt, cp, source, sink)


def run_worker(rt: Runtime) -> StreamResult:
    """A member of the consumer group: per-account profiles of its partitions, checkpointed per partition."""
    k = rt.k
    prefix = f"worker/{k.group}/{k.topic}/"
    worker = AccountWorker(rt.settings, lambda: source.current, lambda p, mark: publish([p], mark))
    profiles = Delivery(rt.producer, "the profiles topic", backoff_max_s=k.retry_backoff_max_s,
                        metrics=rt.metrics)
    saved: dict[int, int] = {}
    last_publish = [time.monotonic()]

    def publish(partitions: list[int], mark: float | None = None) -> None:
        """Changed profiles, then a watermark on every profile partition (streams.linker). One idempotent
        producer keeps each partition's records in send order, so no flush is needed in between; durability
        waits for the next checkpoint, which flushes."""
        marks = []
        for p in partitions:
            position = source.positions.get(p)
            if position is None or p not in worker.partitions:
                continue
            if mark is not None and source.current is not None and source.current[0] == p:
                position = source.current[1]  # a grid step: the current event is not applied yet
            changes = worker.changes(p, position)
            for account, value in changes:
                profiles.send(k.profiles_topic, value, account)
            marks.append((p, mark if mark is not None else worker.partitions[p].now))
            rt.metrics.profiles.inc(len(changes))
        for p, time_mark in marks:
            for i in profile_partitions:
                profiles.send(k.profiles_topic, repr(time_mark).encode(), watermark_key(k.topic, p),
                              partition=i)
        last_publish[0] = time.monotonic()

    def save_partitions(partitions: list[int]) -> None:
        rt.dlq.flush()
        publish(partitions)
        profiles.flush()
        for p in partitions:
            position = source.positions.get(p)
            if position is not None and p in worker.partitions and saved.get(p) != position:
                part = worker.partitions[p]
                rows, late, kept = part.activity.checkpoint()
                if rt.store.save(prefix + str(p), worker.dump(p, kept), {p: position}, part.events,
                                 also=activity_writer(rows, late)):
                    part.activity = kept
                saved[p] = position

    def save() -> None:
        save_partitions(sorted(worker.partitions))
        rt.commit(consumer, k.topic, dict(source.positions))
        rt.metrics.set_lag(k.topic, source.lag())
        rt.metrics.accounts.set(worker.accounts())
        rt.metrics.set_input_counts(*worker.set_apart())

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked: Any) -> None:
            parts = sorted(tp.partition for tp in revoked if tp.topic == k.topic)
            save_partitions(parts)
            self._drop(parts)
            log.info("partitions %s revoked: checkpointed and handed over", parts)

        def on_partitions_lost(self, lost: Any) -> None:
            parts = sorted(tp.partition for tp in lost if tp.topic == k.topic)
            self._drop(parts)  # another member may own them already: never write their checkpoints
            log.warning("partitions %s lost (evicted from the group): dropped without checkpoint", parts)

        def on_partitions_assigned(self, assigned: Any) -> None:
            for tp in sorted(assigned):
                if tp.topic != k.topic:
                    continue
                checkpoint = rt.store.load(prefix + str(tp.partition))
                worker.load(tp.partition, checkpoint.state if checkpoint is not None else None)
                offsets = checkpoint.offsets if checkpoint is not None else {}
                seek_offsets(consumer, [tp], offsets)
                source.reset_partitions({tp.partition}, offsets)
                if tp.partition in offsets:
                    saved[tp.partition] = offsets[tp.partition]
            log.info("partitions %s assigned", sorted(tp.partition for tp in assigned))

        def _drop(self, parts: list[int]) -> None:
            for p in parts:
                worker.drop(p)
                saved.pop(p, None)
            source.reset_partitions(set(parts), {})

    def tick() -> None:
        if time.monotonic() - last_publish[0] >= k.profile_every_s:
            publish(sorted(worker.partitions))
        cp.tick()

    profile_partitions = sorted(rt.producer.partitions_for(k.profiles_topic))
    consumer = rt.consumer(k.group, partition_assignment_strategy=(CooperativeStickyAssignor,),
                           session_timeout_ms=k.session_timeout_ms, heartbeat_interval_ms=1000)
    source = rt.source(consumer, tick)
    # kafka-python joins a group on the metadata it has; without the topic's partitions the first join assigns
    # nothing and may not rejoin before an idle exit, so wait until this consumer's metadata holds the topic.
    rt.partitions(consumer, k.topic)
    consumer.subscribe([k.topic], listener=Listener())
    cp = Checkpointer(save, k.checkpoint_every_events, k.checkpoint_every_s, rt.metrics,
                      changed=lambda: any(saved.get(p) != o for p, o in source.positions.items()))
    rt.details = lambda: {"events": worker.events(), "accounts": worker.accounts(),
                          "partitions": sorted(worker.partitions), "lag": source.lag()}
    summary = run_pipeline(source, worker, [], on_event=cp.on_event)
    cp.checkpoint()
    consumer.close(autocommit=False)  # leaves the group: the revoke callback hands the partitions over
    return stream_result(summary, rt, cp, source, None)
