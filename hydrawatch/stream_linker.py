"""The linker role of ``hydrawatch stream``: one process per consumer group builds campaigns from profiles.

A second linker started for the same group stands by on a lease in the store (``streams.leases``) and takes
over when the active one stops (at once after a clean stop, after ``kafka.linker_lease_s`` after a crash).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kafka.errors import KafkaError

from detector.coverage import MissingFieldWatch
from hydrawatch.store.feedback import apply_feedback
from hydrawatch.stream import Checkpointer, Runtime, StreamResult
from hydrawatch.stream_roles import outbox_sink, seek_offsets, stream_detector, stream_result
from streams.checkpoint import LeaseLost
from streams.leases import Lease
from streams.linker import Linker
from streams.pipeline import RunSummary

log = logging.getLogger(__name__)


def run_linker(rt: Runtime) -> StreamResult:
    """The single linker of the group (others stand by on its lease): campaigns from the workers' profiles,
    alerts through the outbox."""
    k = rt.k
    key = f"linker/{k.group}/{k.profiles_topic}"
    lease = Lease(rt.engine, key, k.linker_lease_s)
    if not await_lease(rt, lease):
        return StreamResult(summary=RunSummary(), rejected=0, alerts=0, duplicates=0, checkpoints=0,
                            ended_idle=False, busy_s=0.0)
    try:
        return _link(rt, key, lease)
    except LeaseLost as exc:
        log.error("stopping: %s (another linker took over; this one was paused longer than %.0f s)", exc,
                  k.linker_lease_s)
        raise
    finally:
        lease.release()


def await_lease(rt: Runtime, lease: Lease) -> bool:
    """Stand by until this process holds the linker lease (False when stopped first)."""
    announced = False
    while not rt.stopping:
        if lease.acquire():
            if announced:
                log.info("took over the linker lease %s", lease.key)
            return True
        if not announced:
            log.info("another linker holds the lease %s: standing by", lease.key)
            rt.details = lambda: {"standby": True}
            announced = True
        rt.last_loop = time.monotonic()
        time.sleep(min(2.0, lease.ttl_s / 3))
    return False


def _link(rt: Runtime, key: str, lease: Lease) -> StreamResult:
    k = rt.k
    consumer = rt.consumer(f"{k.group}.linker")
    linker = Linker(stream_detector(rt), len(rt.partitions(consumer, k.topic)),
                    len(rt.partitions(consumer, k.profiles_topic)), k.linker_idle_partition_s)
    checkpoint = rt.store.load(key)
    if checkpoint is not None:
        linker.load(checkpoint.state)
        log.info("resuming the linker from checkpoint: offsets %s", checkpoint.offsets)
    apply_feedback(linker.detector, rt.engine)
    offsets = checkpoint.offsets if checkpoint is not None else {}
    tps = rt.partitions(consumer, k.profiles_topic)
    consumer.assign(tps)
    seek_offsets(consumer, tps, offsets)
    sink = outbox_sink(rt, key)
    positions, saved = dict(offsets), dict(offsets)
    coverage = MissingFieldWatch()

    def emit(alerts: list[dict[str, Any]]) -> None:
        for alert in alerts:
            sink.write(alert)
        sink.flush()

    def save() -> None:
        sink.flush()
        rt.store.save(key, linker.dump(), dict(positions), linker.applied, fence=lease.renew_in)
        saved.update(positions)
        rt.commit(consumer, k.profiles_topic, positions)
        rt.metrics.accounts.set(len(linker.detector.accounts))
        rt.metrics.embedding_queue.set(sum(len(s.embed_queue) for s in linker.detector.accounts.values()))
        rt.metrics.set_coverage(coverage.check(linker.detector.accounts.values()))

    cp = Checkpointer(save, k.checkpoint_every_events, k.checkpoint_every_s, rt.metrics,
                      changed=lambda: positions != saved)
    rt.details = lambda: {"profiles": linker.applied, "accounts": len(linker.detector.accounts),
                          "watermark": linker.watermark()}
    idle_since = time.monotonic()
    while not rt.stopping:
        try:
            batches = consumer.poll(timeout_ms=200, max_records=k.max_poll_records)
            rt.backoff.reset("polling the profiles topic")
        except KafkaError as exc:
            rt.backoff.wait("polling the profiles topic", exc)
            continue
        rt.last_loop = time.monotonic()
        for tp, records in batches.items():
            for record in records:
                try:
                    emit(linker.offer(record.key, record.value, tp.partition))
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("skipping a malformed profile at %s[%d]@%d: %s", tp.topic, tp.partition,
                                record.offset, exc)
                positions[tp.partition] = record.offset + 1
                cp.on_event(None)
        if batches:
            idle_since = time.monotonic()
        emit(linker.due())
        cp.tick()
        if lease.due() and not lease.acquire():
            raise LeaseLost(f"the linker lease {key} is held by another process")
        idle_exit = rt.options.exit_when_idle
        if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
            ends = consumer.end_offsets(tps)
            if all(positions.get(tp.partition, 0) >= end for tp, end in ends.items()):
                emit(linker.due(final=True))
                break
            idle_since = time.monotonic()
    cp.checkpoint()
    consumer.close(autocommit=False)
    return stream_result(RunSummary(events=linker.applied), rt, cp, None, sink)
