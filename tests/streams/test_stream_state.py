"""Streaming state without a broker: profiles, the derived index, the linker, checkpoints and the outbox,
metrics and logs."""

from __future__ import annotations

import copy
import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from detector.engine import Detector
from features.account import AccountState
from hydrawatch.settings import Settings
from streams.checkpoint import StreamStore
from streams.linker import Linker
from streams.metrics import JsonFormatter, MetricsServer, RepeatFilter, StreamMetrics
from streams.profiles import AccountWorker, decode_profile, encode_profile, watermark_key


def test_profile_round_trip_is_exact(events: list[Any], settings: Settings) -> None:
    detector = Detector(settings)
    for event in events[:3000]:
        detector.process(event)
    for state in detector.accounts.values():
        back, partition, offset = decode_profile(encode_profile(state, 3, 77, 1.5))
        assert (partition, offset) == (3, 77)
        for name in AccountState.__slots__:
            assert getattr(back, name) == getattr(state, name), name
            assert type(getattr(back, name)) is type(getattr(state, name)), name


def test_linker_fed_step_by_step_reproduces_replay(events: list[Any], settings: Settings) -> None:
    """Profiles published at each grid step (as workers do) give the linker replay's campaigns."""
    from hydrawatch.replay import build_detector

    replay = build_detector(settings)
    expected = [a for e in events for a in replay.process(e)] + replay.finish()
    linker = Linker(build_detector(settings), input_partitions=1, profile_partitions=1, idle_s=1e9)
    worker = AccountWorker(settings, lambda: (0, 0))
    got: list[dict[str, Any]] = []

    def publish(partition: int, mark: float) -> None:
        for key, value in worker.changes(partition, 0):
            got.extend(linker.offer(key, value, 0))
        got.extend(linker.offer(watermark_key("t", partition), repr(mark).encode(), 0))

    worker.on_step = publish
    for event in events:
        worker.process(event)
    publish(0, worker.partitions[0].now)
    got.extend(linker.due(final=True))

    def members(alerts: list[dict[str, Any]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for alert in alerts:
            out.setdefault(alert["campaign_id"], set()).update(alert["accounts"])
        return out

    assert expected, "the data set should hold campaigns"
    assert sorted(map(sorted, members(got).values())) == sorted(map(sorted, members(expected).values()))


def test_worker_checkpoint_and_eviction(events: list[Any], settings: Settings) -> None:
    worker = AccountWorker(settings, lambda: (2, 0))
    for event in events[:500]:
        worker.process(event)
    blob = worker.dump(2)
    other = AccountWorker(settings, lambda: (2, 0))
    other.load(2, blob)
    assert other.events() == worker.events() == 500
    assert {a: s.events for a, s in other.partitions[2].accounts.items()} == {
        a: s.events for a, s in worker.partitions[2].accounts.items()}
    changes = worker.changes(2, 500)
    assert len(changes) == len(worker.partitions[2].accounts) and worker.changes(2, 500) == []
    worker.partitions[2].now += settings.detection.account_ttl_s + 1
    tombstones = worker.changes(2, 500)
    assert tombstones and all(value is None for _, value in tombstones) and worker.accounts() == 0


def _migrated(path: Path) -> Any:
    from hydrawatch.store import init_db, make_engine

    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    return engine


def test_the_stream_tables_come_with_the_store_migrations(tmp_path: Path) -> None:
    from hydrawatch.store import make_engine

    with pytest.raises(RuntimeError, match="migrate it first"):
        StreamStore(make_engine(f"sqlite:///{tmp_path / 'bare.db'}"))
    assert StreamStore(_migrated(tmp_path / "bare.db")).load("k") is None


def test_checkpoints_are_atomic_and_never_go_back(tmp_path: Path) -> None:
    store = StreamStore(_migrated(tmp_path / "c.db"))
    assert store.load("k") is None
    assert store.save("k", b"state-1", {0: 10, 1: 5}, 15)
    assert store.save("k", b"state-2", {0: 12, 1: 5}, 17)
    loaded = store.load("k")
    assert loaded is not None
    assert (loaded.state, loaded.offsets, loaded.events) == (b"state-2", {0: 12, 1: 5}, 17)
    assert not store.save("k", b"stale", {0: 11, 1: 5}, 16)  # a zombie member must not rewind
    assert store.load("k").state == b"state-2"  # type: ignore[union-attr]
    assert store.keys("k") == ["k"]


def test_outbox_records_each_alert_version_once(tmp_path: Path) -> None:
    store = StreamStore(_migrated(tmp_path / "o.db"))
    alerts = [{"alert_id": f"cmp-1-v{v}", "campaign_id": "cmp-1", "version": v} for v in (1, 2)]
    upserted: list[str] = []

    def upsert(_session: object, alert: dict[str, Any]) -> None:
        upserted.append(alert["alert_id"])

    assert store.record("s", alerts, upsert) == ["cmp-1-v1", "cmp-1-v2"]
    assert store.record("s", alerts[1:], upsert) == []
    assert upserted == ["cmp-1-v1", "cmp-1-v2"]
    assert store.emitted("s") == {"cmp-1-v1", "cmp-1-v2"}
    outbox = store.outbox("s")
    assert [seq for seq, _ in outbox.pending] == [1, 2] and outbox.published_seq == 0
    store.mark_published("s", 1, {0: 7})
    outbox = store.outbox("s")
    assert [seq for seq, _ in outbox.pending] == [2] and outbox.topic_offsets == {0: 7}


def test_metrics_and_health_endpoint() -> None:
    metrics = StreamMetrics("all")
    metrics.count_events(5)
    metrics.set_input_counts(duplicates=3, far_ahead=1)
    metrics.set_coverage({"org_id": 0.25, "payment_fingerprint": 0.0})
    metrics.tick()
    health = {"ok": True}
    server = MetricsServer(metrics, lambda: (health["ok"], {"role": "all"}), port=0, host="127.0.0.1").start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        text = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
        assert "hydrawatch_events_total 5.0" in text and "hydrawatch_checkpoint_age_seconds" in text
        assert 'hydrawatch_input_events_set_apart{kind="duplicate"} 3.0' in text
        assert 'hydrawatch_input_events_set_apart{kind="far_ahead"} 1.0' in text
        assert 'hydrawatch_accounts_carrying{field="org_id"} 0.25' in text
        assert 'hydrawatch_accounts_carrying{field="payment_fingerprint"} 0.0' in text
        assert json.loads(urllib.request.urlopen(f"{base}/healthz", timeout=5).read())["status"] == "ok"
        health["ok"] = False
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)
        assert failed.value.code == 503
    finally:
        server.close()


def test_json_logs_and_repeat_filter() -> None:
    record = logging.LogRecord("hydrawatch.x", logging.INFO, __file__, 1, "alert %s", ("a-v1",), None)
    record.alert_id = "a-v1"
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "alert a-v1" and line["alert_id"] == "a-v1" and line["level"] == "info"
    repeat = RepeatFilter("kafka", every_s=60)
    noisy = [logging.LogRecord("kafka.cluster", logging.WARNING, __file__, 1, "No node available", (), None)
             for _ in range(50)]
    assert sum(repeat.filter(copy.copy(r)) for r in noisy) == 1
    assert repeat.filter(logging.LogRecord("hydrawatch.x", logging.WARNING, __file__, 1, "same", (), None))


def test_a_worker_keeps_its_watermark_when_one_event_is_stamped_decades_ahead(
        events: list[Any], settings: Settings) -> None:
    """The worker's watermark tells the linker which evaluations are due: one wrong gateway clock must not move
    it to 2100 (every later evaluation would run at once, on a state that looks idle)."""
    import dataclasses

    steps: dict[str, list[float]] = {"clean": [], "wrong": []}
    wrong = dataclasses.replace(events[500], ts=4_102_444_800.0, event_id="wrong-clock")
    for name, stream in (("clean", events[:1000]), ("wrong", events[:700] + [wrong] + events[700:1000])):
        worker = AccountWorker(settings, lambda: (0, 0), on_step=lambda _p, mark, n=name: steps[n].append(mark))
        for event in stream:
            worker.process(event)
    assert steps["wrong"] == steps["clean"] and worker.partitions[0].now == events[999].ts
    assert worker.partitions[0].clock is not None and worker.partitions[0].clock.outliers == 1
    assert worker.partitions[0].accounts[wrong.account_id].last_ts <= events[999].ts  # taken at the stream's time


def test_a_worker_counts_a_redelivered_event_once(events: list[Any], settings: Settings) -> None:
    worker = AccountWorker(settings, lambda: (0, 0))
    assert events[299].ts - events[290].ts < settings.detection.dedup_window_s
    for event in events[:300] + events[290:300]:  # a producer retried its last 10 messages
        worker.process(event)
    part = worker.partitions[0]
    assert sum(s.events for s in part.accounts.values()) == 300
    assert part.recent is not None and part.recent.repeats == 10 and worker.set_apart() == (10, 0)


def test_a_partition_checkpointed_before_the_clock_and_duplicate_check_resumes_with_both(
        events: list[Any], settings: Settings) -> None:
    import pickle

    worker = AccountWorker(settings, lambda: (1, 0))
    for event in events[:200]:
        worker.process(event)
    old = pickle.loads(worker.dump(1))
    old.clock = old.recent = None  # as earlier versions wrote it
    other = AccountWorker(settings, lambda: (1, 0))
    other.load(1, pickle.dumps(old))
    part = other.partitions[1]
    assert part.clock is not None and part.clock.now == worker.partitions[1].now
    assert part.recent is not None and part.recent.window_s == settings.detection.dedup_window_s
    other.process(events[200])
    assert other.events() == 201
