"""Assembly of ``hydrawatch stream``: Kafka source and sinks around the same pipeline as ``replay``.

Roles (see docs/streaming.md): ``all`` (one process: the whole detector, exactly the replay pipeline),
``worker`` (per-account features of the partitions this member of the consumer group owns, published as
profiles) and ``linker`` (one process: campaigns from the profiles). Checkpoints live in the SQL store next to
the alerts (``streams.checkpoint``); Kafka offsets are committed after each checkpoint, for monitoring only.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from hydrawatch.runtime import tune_gc
from hydrawatch.settings import Settings
from hydrawatch.store import init_db, make_engine
from hydrawatch.webhooks.service import start_delivery
from streams.checkpoint import StreamStore
from streams.kafka_delivery import Delivery
from streams.kafka_sinks import AlertPublisher, KafkaDeadLetters
from streams.kafka_source import Backoff, KafkaEventSource
from streams.metrics import MetricsServer, StreamMetrics
from streams.pipeline import RunSummary

log = logging.getLogger(__name__)

MAX_MESSAGE = 16 * 1024 * 1024
MAX_ALERT = 64 * 1024 * 1024  # an alert before compression (gzip halves a list of random ids, sequential ones more)
SHUTDOWN_GRACE_S = 60.0


def _hard_exit() -> None:
    log.error("shutdown did not finish within %.0f s; exiting without a final checkpoint", SHUTDOWN_GRACE_S)
    os._exit(3)


@dataclass
class StreamOptions:
    """Per-run choices of ``hydrawatch stream`` (everything else comes from ``Settings.kafka``)."""

    role: str = "all"
    exit_when_idle: float | None = None
    metrics_port: int | None = None
    db_url: str | None = None


@dataclass
class StreamResult:
    """What a stream run did."""

    summary: RunSummary = field(default_factory=RunSummary)
    rejected: int = 0
    alerts: int = 0
    duplicates: int = 0
    checkpoints: int = 0
    ended_idle: bool = False
    busy_s: float = 0.0            # from the first to the last event handed on

    @property
    def events_per_s(self) -> float:
        return self.summary.events / self.busy_s if self.busy_s > 0 else 0.0


class Checkpointer:
    """Calls ``save`` every ``every_events`` events or ``every_s`` seconds (when there is something new)."""

    def __init__(self, save: Callable[[], None], every_events: int, every_s: float, metrics: StreamMetrics,
                 changed: Callable[[], bool] = lambda: True) -> None:
        self.save = save
        self.every_events = every_events
        self.every_s = every_s
        self.metrics = metrics
        self.changed = changed
        self.pending = 0
        self.count = 0
        self.last = time.monotonic()

    def on_event(self, _event: object) -> None:
        self.pending += 1
        self.metrics.count_events()
        if self.pending >= self.every_events or time.monotonic() - self.last >= self.every_s:
            self.checkpoint()

    def tick(self) -> None:
        self.metrics.tick()
        if time.monotonic() - self.last >= self.every_s and (self.pending or self.changed()):
            self.checkpoint()

    def checkpoint(self) -> None:
        started = time.monotonic()
        self.save()
        self.count += 1
        self.pending = 0
        self.last = time.monotonic()
        self.metrics.checkpointed(self.last - started)
        log.info("checkpoint %d saved in %.3f s", self.count, self.last - started,
                 extra={"checkpoint": self.count, "seconds": round(self.last - started, 3)})


class Runtime:
    """Kafka clients, the store, metrics, health and signal handling of one stream process."""

    def __init__(self, settings: Settings, options: StreamOptions) -> None:
        self.settings = settings
        self.k = settings.kafka
        self.options = options
        self.engine = make_engine(options.db_url or settings.db_url)
        init_db(self.engine)
        self.store = StreamStore(self.engine)
        self.metrics = StreamMetrics(options.role)
        self.backoff = Backoff(self.k.retry_backoff_max_s)
        self.stopping = False
        self.on_stop: list[Callable[[], None]] = []
        self.on_close: list[Callable[[], None]] = []
        self.last_loop = time.monotonic()
        self.last_commit_ok = time.monotonic()
        self.details: Callable[[], dict[str, Any]] = dict
        self.producer: KafkaProducer = self.make_producer("")  # the profiles topic's

        def dlq_producer() -> KafkaProducer:
            return self.make_producer("-dlq")

        delivery = Delivery(None, "the DLQ topic", backoff_max_s=self.k.retry_backoff_max_s,
                            metrics=self.metrics, producer_factory=dlq_producer)  # made at the first dead letter
        self.dlq = KafkaDeadLetters(delivery, self.k.dlq_topic, self.metrics)
        self.server = (MetricsServer(self.metrics, self.health, options.metrics_port).start()
                       if options.metrics_port is not None else None)

    # -- clients -------------------------------------------------------------------------------------------
    def connect(self, make: Callable[[], Any]) -> Any:
        """Build a Kafka client, retrying with backoff while no broker answers."""
        while True:
            try:
                client = make()
                self.backoff.reset("connecting to Kafka")
                return client
            except KafkaError as exc:
                if self.stopping:
                    raise
                self.metrics.broker_errors.labels("connect").inc()
                self.backoff.wait(f"connecting to Kafka at {self.k.bootstrap_servers}", exc)

    def consumer(self, group: str | None, **extra: Any) -> KafkaConsumer:
        return self.connect(lambda: KafkaConsumer(
            bootstrap_servers=self.k.bootstrap_servers, group_id=group,
            client_id=f"hydrawatch-{self.options.role}", enable_auto_commit=False,
            auto_offset_reset="earliest", max_poll_records=self.k.max_poll_records,
            allow_auto_create_topics=False, fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=8 * 1024 * 1024, **extra))

    def ensure_topics(self) -> None:
        """Create the output topics that do not exist yet (DLQ with large messages, profiles compacted)."""
        specs = {
            self.k.alerts_topic: {"num_partitions": 3, "replication_factor": -1,
                                  "configs": {"max.message.bytes": str(MAX_MESSAGE)}},
            self.k.dlq_topic: {"num_partitions": 1, "replication_factor": -1,
                               "configs": {"max.message.bytes": str(MAX_MESSAGE)}},
            self.k.profiles_topic: {"num_partitions": 4, "replication_factor": -1,
                                    "configs": {"cleanup.policy": "compact",
                                                "max.message.bytes": str(MAX_MESSAGE)}},
        }
        admin = self.connect(lambda: KafkaAdminClient(bootstrap_servers=self.k.bootstrap_servers,
                                                      client_id="hydrawatch-admin"))
        try:
            missing = {name: spec for name, spec in specs.items() if name not in set(admin.list_topics())}
            if missing:
                admin.create_topics(missing, timeout_ms=30_000, raise_errors=False, wait_for_metadata=True)
                log.info("created topics %s", ", ".join(sorted(missing)))
        finally:
            admin.close()

    def partitions(self, consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
        """The topic's partitions, waiting (with backoff) until the topic exists."""
        while True:
            found = consumer.partitions_for_topic(topic)
            if found:
                return [TopicPartition(topic, p) for p in sorted(found)]
            if self.stopping:
                return []
            self.backoff.wait(f"looking up topic {topic!r}", KafkaError("topic not found"))

    def make_producer(self, suffix: str, **extra: Any) -> KafkaProducer:
        """An idempotent producer (closed with the runtime). Each output topic has its own: one record a topic
        refuses as too large leaves a kafka-python producer failing every later record, whatever its topic."""
        producer: KafkaProducer = self.connect(lambda: KafkaProducer(
            bootstrap_servers=self.k.bootstrap_servers, client_id=f"hydrawatch-{self.options.role}{suffix}",
            acks="all", enable_idempotence=True, linger_ms=5, max_block_ms=10_000,
            **{"max_request_size": MAX_MESSAGE, **extra}))
        self.on_close.append(lambda: producer.close(timeout=10))
        return producer

    def alerts_producer(self) -> KafkaProducer:
        """The alerts topic's producer: gzip, as an alert lists every account of its campaign (tens of thousands
        for a large hydra)."""
        return self.make_producer("-alerts", compression_type="gzip", max_request_size=MAX_ALERT)

    def publisher(self, key: str) -> AlertPublisher:
        return AlertPublisher(self.alerts_producer, self.store, key, self.k.alerts_topic,
                              lambda: self.consumer(None), backoff_max_s=self.k.retry_backoff_max_s,
                              metrics=self.metrics)

    def source(self, consumer: KafkaConsumer, on_tick: Callable[[], None]) -> KafkaEventSource:
        def tick() -> None:
            self.last_loop = time.monotonic()
            on_tick()

        src = KafkaEventSource(consumer, self.dlq, max_message_bytes=self.k.max_message_bytes,
                               max_prompt_bytes=self.settings.max_prompt_bytes,
                               idle_exit_s=self.options.exit_when_idle, on_idle=tick, on_batch=tick,
                               max_records=self.k.max_poll_records, backoff_max_s=self.k.retry_backoff_max_s)
        self.on_stop.append(src.stop)
        return src

    def commit(self, consumer: KafkaConsumer, topic: str, positions: dict[int, int]) -> None:
        """Commit checkpointed positions to Kafka (monitoring only: a failure is logged, not fatal)."""
        owned = {tp.partition for tp in consumer.assignment()}
        offsets = {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1)
                   for p, o in positions.items() if p in owned}
        if not offsets:
            return
        try:
            consumer.commit(offsets, timeout_ms=10_000)
            self.last_commit_ok = time.monotonic()
        except (KafkaError, ValueError) as exc:
            self.metrics.broker_errors.labels("commit").inc()
            log.warning("committing offsets to Kafka failed (%s); the checkpoint in the store counts", exc)

    # -- process -------------------------------------------------------------------------------------------
    def install_signals(self) -> None:
        def stop(signum: int, _frame: Any) -> None:
            log.info("received %s: finishing the current batch, checkpointing, exiting",
                     signal.Signals(signum).name)
            if not self.stopping:  # a shutdown that cannot finish (broker away) ends like a crash: safe
                watchdog = threading.Timer(SHUTDOWN_GRACE_S, _hard_exit)
                watchdog.daemon = True
                watchdog.start()
            self.stopping = True
            for callback in self.on_stop:
                callback()

        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore_signals(self) -> None:
        for sig, handler in getattr(self, "_previous", {}).items():
            signal.signal(sig, handler)

    def health(self) -> tuple[bool, dict[str, Any]]:
        now = time.monotonic()
        loop_age = now - self.last_loop
        checkpoint_age = now - self.metrics.last_checkpoint
        commit_age = now - self.last_commit_ok
        ok = loop_age < 60 and checkpoint_age < max(120.0, 6 * self.k.checkpoint_every_s) and commit_age < 300
        return ok, {"role": self.options.role, "loop_age_s": round(loop_age, 1),
                    "checkpoint_age_s": round(checkpoint_age, 1), "last_commit_ok_s": round(commit_age, 1),
                    **self.details()}

    def close(self) -> None:
        try:
            for close in self.on_close:
                close()
        finally:
            if self.server is not None:
                self.server.close()
            self.engine.dispose()


def run_stream(settings: Settings, options: StreamOptions) -> StreamResult:
    """Run one stream process in the chosen role until SIGTERM (or idle, with ``exit_when_idle``)."""
    from hydrawatch.stream_linker import run_linker
    from hydrawatch.stream_roles import run_all, run_worker

    tune_gc()
    roles = {"all": run_all, "worker": run_worker, "linker": run_linker}
    if options.role not in roles:
        raise ValueError(f"unknown role {options.role!r}: expected one of {', '.join(roles)}")
    runtime = Runtime(settings, options)
    runtime.install_signals()
    webhooks = None
    try:
        if options.role != "worker":  # roles that store alerts also deliver the webhook outbox (a thread)
            webhooks = start_delivery(runtime.engine, settings, always=True, registry=runtime.metrics.registry)
        runtime.ensure_topics()
        return roles[options.role](runtime)
    finally:
        if webhooks is not None:
            webhooks.stop()
        runtime.restore_signals()
        runtime.close()
