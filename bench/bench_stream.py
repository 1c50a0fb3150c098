"""Streaming benchmark on the real broker: throughput against kafka-python's raw consume rate, and the time
from the event that completes a campaign's evidence to its alert on the alerts topic at a fixed input rate.

1. Throughput: a simulated data set is produced to a one-partition topic; then, on that same topic, a bare
   ``KafkaConsumer`` loop (default settings) and ``hydrawatch stream`` (default settings, its own process) each
   read it all. The stream's rate is counted from its first to its last event (start-up excluded), read from
   its final log line. For reference: the ``worker`` role on the same topic (the per-event half that scales out
   over partitions) and replay of the file without Kafka.
2. Latency: ``hydrawatch stream`` waits on an empty topic; events are produced at ``--rate`` events/s in file
   order while a consumer reads the alerts topic. An alert's evidence is complete with the last event at or
   before its ``detected_at`` (evaluations run on event time); its latency is the alert's arrival on the
   topic minus the wall time that event was sent. Versions announced by the final evaluation when the stream
   exits idle (growth left over at the end of the input) are counted apart: no event completed them.

Usage: python bench/bench_stream.py [--bootstrap-servers 127.0.0.1:9092] [--scale 0.5] [--latency-scale 0.3]
       [--days 1] [--rate 1000]        (start the broker first: bash scripts/kafka.sh start)
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 0.5
LATENCY_IDLE_S = 8  # --exit-when-idle of the latency run
TARGET_P95_S = 10.0


def lines_of(path: Path) -> list[bytes]:
    return [line.rstrip(b"\n") for line in path.read_bytes().splitlines() if line.strip()]


def create_topic(bootstrap: str, topic: str) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics({topic: {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True)
    finally:
        admin.close()


def raw_consume_rate(bootstrap: str, topic: str, expected: int) -> float:
    """Messages/s of a bare consumer loop reading the whole topic (first to last message)."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False)
    count, first, last = 0, 0.0, 0.0
    deadline = time.monotonic() + 300
    try:
        while count < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                if not first:
                    first = time.monotonic()
                count += len(records)
                last = time.monotonic()
    finally:
        consumer.close(autocommit=False)
    return count / (last - first) if last > first else 0.0


def stream_process(bootstrap: str, topic: str, tag: str, workdir: Path, *extra: str) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "hydrawatch.cli", "stream", "--bootstrap-servers", bootstrap, "--topic", topic,
            "--group", f"bench-{tag}", "--alerts-topic", f"{topic}.alerts-{tag}", "--dlq-topic",
            f"{topic}.dlq-{tag}", "--profiles-topic", f"{topic}.profiles-{tag}",
            "--db", f"sqlite:///{workdir / (tag + '.db')}", "--log-format", "json", *extra]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ)


def stream_rate(bootstrap: str, topic: str, tag: str, workdir: Path, *extra: str) -> dict[str, Any]:
    """Run a stream process to the end of the topic; its final summary line."""
    proc = stream_process(bootstrap, topic, tag, workdir, "--exit-when-idle", "2", *extra)
    _, err = proc.communicate(timeout=1800)
    for raw in reversed(err.decode("utf-8", "replace").splitlines()):
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if str(line.get("msg", "")).startswith("stream ended"):
            return dict(line)
    raise RuntimeError(f"the stream ({tag}) printed no summary:\n{err.decode()[-3000:]}")


def replay_rate(path: Path) -> float:
    from hydrawatch.replay import build_detector
    from hydrawatch.settings import Settings
    from streams.pipeline import run_pipeline
    from streams.sources import ReplaySource

    settings = Settings()
    detector = build_detector(settings)
    if detector.minilm_tier is not None:
        detector.minilm_tier.encoder.encode(["warm up"])
    events = list(ReplaySource([path], lambda _r: None))
    return run_pipeline(events, detector, []).events_per_s


def throughput(bootstrap: str, path: Path, workdir: Path) -> None:
    from hydrawatch.commands_stream import produce_files

    topic = f"bench-throughput-{uuid.uuid4().hex[:8]}"
    create_topic(bootstrap, topic)
    started = time.monotonic()
    sent = produce_files([path], bootstrap, topic)
    print(f"produced {sent:,} events in {time.monotonic() - started:.1f} s")
    raw = max(raw_consume_rate(bootstrap, topic, sent) for _ in range(2))
    print(f"kafka-python raw consume:         {raw:10,.0f} messages/s")
    full = stream_rate(bootstrap, topic, "all", workdir)
    print(f"hydrawatch stream (role all):     {full['events_per_s']:10,.0f} events/s  "
          f"({full['events']:,} events, {full['alerts']} alert versions)  = {full['events_per_s'] / raw:.0%} of raw "
          f"(target >= {TARGET_RATIO:.0%})")
    worker = stream_rate(bootstrap, topic, "worker", workdir, "--role", "worker")
    print(f"hydrawatch stream (role worker):  {worker['events_per_s']:10,.0f} events/s  "
          f"= {worker['events_per_s'] / raw:.0%} of raw (per-event half, one partition)")
    print(f"replay of the file (no Kafka):    {replay_rate(path):10,.0f} events/s  (same detector, reference)")


def latency(bootstrap: str, path: Path, workdir: Path, rate: float) -> None:
    from kafka import KafkaConsumer, KafkaProducer

    from hydrawatch.commands_stream import account_key
    from streams.events import parse_line, parse_time

    topic = f"bench-latency-{uuid.uuid4().hex[:8]}"
    create_topic(bootstrap, topic)
    port = 9000 + int(uuid.uuid4().int % 5000)
    proc = stream_process(bootstrap, topic, "lat", workdir, "--metrics-port", str(port), "--exit-when-idle",
                          str(LATENCY_IDLE_S))
    threading.Thread(target=proc.communicate, daemon=True).start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # ready once the health document reports the running loop
        try:
            health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read())
            if "events" in health:
                break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        raise RuntimeError("the stream did not get ready")
    arrivals: list[tuple[float, dict[str, Any]]] = []
    stop = threading.Event()

    def read_alerts() -> None:
        consumer = KafkaConsumer(f"{topic}.alerts-lat", bootstrap_servers=bootstrap, group_id=None,
                                 auto_offset_reset="earliest", fetch_max_wait_ms=50)
        while not stop.is_set():
            for records in consumer.poll(timeout_ms=100).values():
                now = time.time()
                arrivals.extend((now, json.loads(r.value)) for r in records)
        consumer.close()

    reader = threading.Thread(target=read_alerts, daemon=True)
    reader.start()
    time.sleep(1)
    lines = lines_of(path)
    stamps = [parse_line(raw).ts for raw in lines]
    sent_at: list[float] = []
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    started = time.monotonic()
    for i, raw in enumerate(lines, start=1):
        producer.send(topic, value=raw, key=account_key(raw))
        sent_at.append(time.time())
        ahead = i / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    producer.flush()
    producer.close()
    print(f"sent {len(lines):,} events at {len(lines) / (time.monotonic() - started):,.0f}/s")
    proc.wait(timeout=600)
    time.sleep(1)
    stop.set()
    reader.join(10)
    delays, at_end = [], 0
    input_ended = sent_at[-1] + LATENCY_IDLE_S - 0.5  # the idle exit's final evaluation announces leftover growth
    for arrived, alert in arrivals:
        if arrived >= input_ended:
            at_end += 1  # no evidence completed these: the end of the input did (a service never reaches it)
            continue
        index = bisect.bisect_right(stamps, parse_time(alert["detected_at"], "detected_at") + 0.001) - 1
        delays.append(arrived - sent_at[max(index, 0)])
    if not delays:
        print("no alerts arrived")
        return
    delays.sort()
    p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
    print(f"evidence-complete -> alert on the topic, {len(delays)} alert versions: median "
          f"{statistics.median(delays):.2f} s, p95 {p95:.2f} s, max {delays[-1]:.2f} s (target p95 < "
          f"{TARGET_P95_S:.0f} s); {at_end} more announced by the final evaluation at the idle exit "
          f"({LATENCY_IDLE_S} s after the last event)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--scale", type=float, default=0.5, help="simulator scale of the throughput data")
    parser.add_argument("--latency-scale", type=float, default=0.3, help="simulator scale of the latency data")
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="input events/s of the latency run")
    args = parser.parse_args()
    from hydrawatch.simulator import generate

    with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
        workdir = Path(tmp)
        data = generate(workdir / "throughput", scale=args.scale, days=args.days, seed=7)
        throughput(args.bootstrap_servers, data.events_path, workdir)
        data = generate(workdir / "latency", scale=args.latency_scale, days=args.days, seed=8)
        latency(args.bootstrap_servers, data.events_path, workdir, args.rate)


if __name__ == "__main__":
    main()
