"""Helpers of the ``hydrawatch stream`` tests: broker checks, topics, stream subprocesses, baselines."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PORT = int(os.environ.get("KAFKA_PORT", "9092"))
BOOTSTRAP = f"{HOST}:{PORT}"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
FAST_ENV = {"HYDRAWATCH_EMBEDDING__MINILM_PER_ACCOUNT": "0"}   # no torch in subprocesses: quick start-up


def unreachable_reason(bootstrap: str = BOOTSTRAP) -> str | None:
    """None when a Kafka broker answers a metadata request at ``bootstrap``, else why not."""
    host, port = bootstrap.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            pass
    except OSError as exc:
        return f"nothing listens on {bootstrap} ({exc})"
    try:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hydrawatch-test-probe",
                                 request_timeout_ms=5000, bootstrap_timeout_ms=10000)
        try:
            admin.list_topics()
        finally:
            admin.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        return f"{bootstrap} accepts connections but does not answer as a Kafka broker ({exc!r})"
    return None


def require_broker(bootstrap: str = BOOTSTRAP) -> str:
    """The bootstrap address, or skip (FAIL under CI=true) with the reason."""
    reason = unreachable_reason(bootstrap)
    if reason is not None:
        message = f"Kafka broker not reachable: {reason}. Start it with `bash scripts/kafka.sh start`"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: CI must start the broker before the tests)")
        pytest.skip(message)
    return bootstrap


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hydrawatch-test-admin")
    try:
        admin.create_topics({topic: {"num_partitions": partitions, "replication_factor": 1}},
                            timeout_ms=30000, wait_for_metadata=True)
    finally:
        admin.close()


def delete_topics(bootstrap: str, topics: list[str]) -> None:
    from kafka import KafkaAdminClient

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hydrawatch-test-admin")
        try:
            admin.delete_topics(topics, timeout_ms=30000, raise_errors=False)
        finally:
            admin.close()
    except Exception:  # noqa: BLE001 - best-effort cleanup
        pass


def read_topic(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[Any]:
    """Every record currently in ``topic`` (all partitions, from the beginning to the current end)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < ends[tp] for tp in tps) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close(autocommit=False)


def topic_alerts(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in read_topic(bootstrap, topic)]


def final_campaigns(alerts: list[dict[str, Any]]) -> dict[str, frozenset[str]]:
    """Campaign id -> every account any of its versions named."""
    members: dict[str, set[str]] = {}
    for alert in alerts:
        members.setdefault(alert["campaign_id"], set()).update(alert["accounts"])
    return {cid: frozenset(accounts) for cid, accounts in members.items()}


def replay_baseline(path: Path, settings: Any) -> tuple[list[dict[str, Any]], Any]:
    """(alerts, detector) of an in-process replay of ``path`` (no store), as the reference."""
    from hydrawatch.replay import build_detector
    from streams.pipeline import run_pipeline
    from streams.sinks import MemoryAlertSink
    from streams.sources import ReplaySource

    detector = build_detector(settings)
    sink = MemoryAlertSink()
    source = ReplaySource([path], lambda _r: None, window_s=settings.detection.reorder_window_s,
                          max_prompt_bytes=settings.max_prompt_bytes)
    run_pipeline(source, detector, [sink])
    return sink.alerts, detector


def stream_settings(bootstrap: str, topic: str, **kafka: Any) -> Any:
    """Settings for an in-process stream on the test's own topics (minilm off: fast, deterministic)."""
    from hydrawatch.settings import Settings

    settings = Settings()
    settings.embedding.minilm_per_account = 0
    settings.kafka = settings.kafka.model_copy(update={
        "bootstrap_servers": bootstrap, "topic": topic, "group": f"g-{topic}", "alerts_topic": f"al-{topic}",
        "dlq_topic": f"dlq-{topic}", "profiles_topic": f"pr-{topic}", **kafka})
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class StreamProcess:
    """``hydrawatch stream`` in a subprocess; its JSON log lines are collected as they arrive."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None, name: str = "stream") -> None:
        self.name = name
        full_env = {**os.environ, **FAST_ENV, **(env or {})}
        command = [sys.executable, "-m", "hydrawatch.cli", "stream", "--log-format", "json", *args]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.lines: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self._new: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            text = raw.decode("utf-8", "replace").rstrip()
            self.raw.append(text)
            try:
                entry = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                self.lines.append(entry)
                self._new.put(entry)

    def messages(self) -> Iterator[str]:
        return (str(line.get("msg", "")) for line in list(self.lines))

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate(list(self.messages())):
                return True
            if self.proc.poll() is not None:
                return predicate(list(self.messages()))
            time.sleep(0.05)
        return False

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout_s: float) -> int:
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            pytest.fail(f"{self.name} did not finish within {timeout_s} s; last log lines:\n" + self.tail())

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.raw[-n:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def produce_in_background(bootstrap: str, topic: str, lines: list[bytes], rate: float) -> threading.Thread:
    """Send ``lines`` (keyed by account id) at about ``rate`` per second from a thread."""
    from hydrawatch.commands_stream import account_key

    def run() -> None:
        from kafka import KafkaProducer

        # reconnects within a second of a broker restart (kafka-python's backoff otherwise grows towards 30 s)
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, reconnect_backoff_max_ms=1000)
        started = time.monotonic()
        try:
            for i, raw in enumerate(lines, start=1):
                producer.send(topic, value=raw, key=account_key(raw))
                ahead = i / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
            producer.flush(timeout=120)
        finally:
            producer.close(timeout=30)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def file_lines(path: Path) -> list[bytes]:
    return [line.rstrip(b"\n") for line in path.read_bytes().splitlines() if line.strip()]
