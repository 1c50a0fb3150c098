"""``hydrawatch stream`` against the real broker (``bash scripts/kafka.sh start``): replay parity, crash and
restart, dead letters, a rebalance with the worker/linker roles.

Skipped with the reason when no broker answers on 127.0.0.1:$KAFKA_PORT; under CI=true that is a failure.
The broker-restart test runs its own broker (scripts/kafka.sh on free ports) so that restarting it cannot
disturb anything else using the shared one.
"""

from __future__ import annotations

import pickle
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka_stream_support import (
    StreamProcess,
    create_topic,
    delete_topics,
    file_lines,
    final_campaigns,
    free_port,
    produce_in_background,
    read_topic,
    replay_baseline,
    require_broker,
    stream_settings,
    topic_alerts,
    unique,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

pytest.importorskip("kafka")

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def bootstrap() -> str:
    return require_broker()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hydrawatch.simulator import generate

    out = tmp_path_factory.mktemp("stream-sim")
    return generate(out, scale=0.15, days=1.0, seed=7).events_path


@pytest.fixture(scope="module")
def fast_baseline(dataset: Path) -> tuple[list[dict[str, Any]], Any]:
    """Replay with the settings the stream subprocesses use (no MiniLM tier)."""
    from hydrawatch.settings import Settings

    settings = Settings()
    settings.embedding.minilm_per_account = 0
    return replay_baseline(dataset, settings)


def _produce(bootstrap: str, topic: str, path: Path, partitions: int) -> int:
    from hydrawatch.commands_stream import produce_files

    create_topic(bootstrap, topic, partitions)
    return produce_files([path], bootstrap, topic)


def _stream_args(bootstrap: str, topic: str, db: Path, *extra: str) -> list[str]:
    return ["--bootstrap-servers", bootstrap, "--topic", topic, "--group", f"g-{topic}",
            "--alerts-topic", f"al-{topic}", "--dlq-topic", f"dlq-{topic}", "--profiles-topic", f"pr-{topic}",
            "--db", f"sqlite:///{db}", *extra]


def _topics(topic: str) -> list[str]:
    return [topic, f"al-{topic}", f"dlq-{topic}", f"pr-{topic}"]


def _checkpoint(db: Path, key: str) -> Any:
    from hydrawatch.store import make_engine
    from streams.checkpoint import StreamStore

    return StreamStore(make_engine(f"sqlite:///{db}")).load(key)


def _activity(db: Path) -> dict[tuple[str, int, str], int]:
    """The store's account activity: requests per (account, hour, model)."""
    from hydrawatch.store import make_engine
    from hydrawatch.store.accounts import ActivityRow

    with Session(make_engine(f"sqlite:///{db}")) as session:
        rows = session.execute(select(ActivityRow.account_id, ActivityRow.hour, ActivityRow.model,
                                      ActivityRow.requests)).all()
    return {(a, h, m): n for a, h, m, n in rows}


def _per_account(activity: dict[tuple[str, int, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (account, _, _), requests in activity.items():
        out[account] = out.get(account, 0) + requests
    return out


def test_stream_matches_replay(bootstrap: str, dataset: Path, tmp_path: Path) -> None:
    """Events produced in file order to one partition: the stream finds exactly replay's alert versions."""
    from hydrawatch.replay import replay
    from hydrawatch.settings import Settings
    from hydrawatch.store import AlertRow, make_engine
    from hydrawatch.stream import StreamOptions, run_stream

    replayed = replay([dataset], Settings(), alerts_out=tmp_path / "replay.jsonl",
                      db_url=f"sqlite:///{tmp_path / 'r.db'}")
    expected = [orjson.loads(line) for line in (tmp_path / "replay.jsonl").read_bytes().splitlines()]
    topic = unique("e2e")
    try:
        sent = _produce(bootstrap, topic, dataset, partitions=1)
        settings = stream_settings(bootstrap, topic)
        settings.embedding.minilm_per_account = Settings().embedding.minilm_per_account  # same as replay
        options = StreamOptions(exit_when_idle=2.0, db_url=f"sqlite:///{tmp_path / 's.db'}")
        result = run_stream(settings, options)
        assert result.ended_idle and result.summary.events == sent == replayed.summary.events
        got = topic_alerts(bootstrap, f"al-{topic}")
        assert sorted(a["alert_id"] for a in got) == sorted(a["alert_id"] for a in expected)
        assert final_campaigns(got) == final_campaigns(expected)
        assert len(final_campaigns(got)) >= 3
        with Session(make_engine(f"sqlite:///{tmp_path / 's.db'}")) as session:
            assert session.scalar(select(func.count()).select_from(AlertRow)) == len(expected)
        assert _activity(tmp_path / "s.db") == _activity(tmp_path / "r.db")  # the dashboard's account activity
    finally:
        delete_topics(bootstrap, _topics(topic))


def test_crash_and_restart_counts_every_event_once(bootstrap: str, dataset: Path, tmp_path: Path,
                                                   fast_baseline: tuple[list[dict[str, Any]], Any]) -> None:
    """kill -9 between checkpoints, restart: the state holds every event once, alerts equal an uninterrupted
    run (replay), and no alert version reaches the topic twice."""
    from kafka import KafkaAdminClient

    from detector.engine import Detector
    from hydrawatch.settings import Settings
    from hydrawatch.stream_roles import unpack_state

    expected, _ = fast_baseline
    topic = unique("crash")
    db = tmp_path / "crash.db"
    env = {"HYDRAWATCH_KAFKA__CHECKPOINT_EVERY_EVENTS": "1500", "HYDRAWATCH_KAFKA__CHECKPOINT_EVERY_S": "600"}
    try:
        sent = _produce(bootstrap, topic, dataset, partitions=1)
        port = free_port()
        first = StreamProcess(_stream_args(bootstrap, topic, db, "--metrics-port", str(port)), env, "run 1")

        def alert_after_checkpoint(msgs: list[str]) -> bool:
            marks = [i for i, m in enumerate(msgs) if m.startswith("checkpoint")]
            return bool(marks) and any(m.startswith("alert ") for m in msgs[marks[0] + 1:])

        try:
            assert first.wait_for(alert_after_checkpoint, 90), first.tail()
            url = f"http://127.0.0.1:{port}"
            health = orjson.loads(urllib.request.urlopen(f"{url}/healthz", timeout=5).read())
            metrics = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
            first.kill()
        finally:
            first.stop()
        assert health["status"] == "ok" and health["role"] == "all"
        assert "hydrawatch_events_total" in metrics and "hydrawatch_checkpoint_age_seconds" in metrics
        carrying = re.search(r'hydrawatch_accounts_carrying\{field="org_id"\} ([0-9.]+)', metrics)
        assert carrying is not None and 0 < float(carrying.group(1)) < 1  # some of the simulator's accounts have one
        before = _checkpoint(db, f"all/g-{topic}/{topic}")
        assert before is not None and 0 < before.events < sent

        msgs = list(first.messages())
        last_mark = max(i for i, m in enumerate(msgs) if m.startswith("checkpoint"))
        unsaved_alerts = sum(m.startswith("alert ") for m in msgs[last_mark + 1:])

        second = StreamProcess(_stream_args(bootstrap, topic, db, "--exit-when-idle", "3"), env, "restart")
        assert second.wait(120) == 0, second.tail()
        ended = next(line for line in second.lines if str(line["msg"]).startswith("stream ended"))
        print(f"killed: {unsaved_alerts} alerts after the last checkpoint, {ended['duplicates']} suppressed")
        assert ended["duplicates"] >= min(unsaved_alerts, 1)  # re-emitted after the restart, not re-sent

        got = topic_alerts(bootstrap, f"al-{topic}")
        ids = [a["alert_id"] for a in got]
        assert len(ids) == len(set(ids)), "an alert version reached the topic twice"
        assert sorted(ids) == sorted(a["alert_id"] for a in expected)
        assert final_campaigns(got) == final_campaigns(expected)
        after = _checkpoint(db, f"all/g-{topic}/{topic}")
        assert after.events == sent and after.offsets == {0: sent}
        settings = Settings()
        settings.embedding.minilm_per_account = 0
        detector = Detector(settings)
        detector.restore(unpack_state(after.state)[0])
        assert sum(s.events for s in detector.accounts.values()) == sent
        counted = _per_account(_activity(db))  # written with the checkpoints: nothing lost, nothing twice
        assert sum(counted.values()) == sent
        assert counted == {a: s.events for a, s in detector.accounts.items()}
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            committed = admin.list_group_offsets({f"g-{topic}": None})[f"g-{topic}"]
        finally:
            admin.close()
        assert {tp.partition: o.offset for tp, o in committed.items() if tp.topic == topic} == {0: sent}
    finally:
        delete_topics(bootstrap, _topics(topic))


POISON: list[tuple[bytes | None, str]] = [
    (b"this is not json", "malformed JSON"),
    (b"\xff\xfe{\"account_id\": \"x\"}", "invalid UTF-8"),
    (b'{"account_id": "acct-p"}', "missing required field 'ts'"),
    (b'{"ts": "2025-03-01T10:00:00Z", "account_id": 42, "prompt": "hi"}', "'account_id' must be"),
    (b'{"ts": "yesterday", "account_id": "acct-p", "prompt": "hi"}', "not an RFC 3339"),
    (b"[1, 2, 3]", "must be a JSON object"),
    (b'{"ts": "2025-03-01T10:00:00Z", "account_id": "acct-p", "tools": 7, "prompt": "hi"}', "'tools'"),
    (None, "empty message"),
]


def test_poison_messages_go_to_the_dlq(bootstrap: str, dataset: Path, tmp_path: Path) -> None:
    """Every kind of bad message lands on the DLQ with its bytes, headers and a reason; the stream goes on."""
    from kafka import KafkaProducer

    from hydrawatch.stream import StreamOptions, run_stream

    good = file_lines(dataset)[:300]
    oversized = orjson.dumps({"ts": "2025-03-01T10:00:00Z", "account_id": "acct-big", "prompt": "x" * 60_000})
    poison = [*POISON, (oversized, "exceeds the limit")]
    topic = unique("poison")
    create_topic(bootstrap, topic, 1)
    try:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        sent: list[tuple[int, bytes | None, str]] = []
        for i, raw in enumerate(good[:150]):
            producer.send(topic, value=raw, key=f"k{i}".encode()).get(30)
        for value, reason in poison:
            meta = producer.send(topic, value=value, key=b"poison", headers=[("trace", b"t-1")]).get(30)
            sent.append((meta.offset, value, reason))
        for raw in good[150:]:
            producer.send(topic, value=raw).get(30)
        producer.close(10)
        settings = stream_settings(bootstrap, topic, max_message_bytes=50_000)
        options = StreamOptions(exit_when_idle=2.0, db_url=f"sqlite:///{tmp_path / 'p.db'}")
        result = run_stream(settings, options)
        assert result.summary.events == len(good)
        assert result.rejected == len(poison)
        dead = {int(dict(r.headers)["hw-source-offset"]): r for r in read_topic(bootstrap, f"dlq-{topic}")}
        assert sorted(dead) == sorted(offset for offset, _, _ in sent)
        for offset, value, reason in sent:
            record = dead[offset]
            headers = dict(record.headers)
            assert record.value == value and record.key == b"poison"
            assert reason in headers["hw-reason"].decode(), (reason, headers["hw-reason"])
            assert headers["hw-source-topic"] == topic.encode() and headers["hw-source-partition"] == b"0"
            assert headers["trace"] == b"t-1"
    finally:
        delete_topics(bootstrap, _topics(topic))


def test_rebalance_two_workers_one_leaves(bootstrap: str, dataset: Path, tmp_path: Path,
                                          fast_baseline: tuple[list[dict[str, Any]], Any]) -> None:
    """Worker roles in one group: B joins while A runs, A leaves mid-stream; every event is in exactly one
    partition checkpoint, per-account counts equal replay's, and the linker builds campaigns from profiles."""
    from hydrawatch.stream import StreamOptions, run_stream

    expected, replay_detector = fast_baseline
    topic = unique("rebal")
    db = tmp_path / "workers.db"
    lines = file_lines(dataset)
    env = {"HYDRAWATCH_KAFKA__CHECKPOINT_EVERY_EVENTS": "800", "HYDRAWATCH_KAFKA__PROFILE_EVERY_S": "0.5"}
    args = _stream_args(bootstrap, topic, db, "--role", "worker", "--exit-when-idle", "4")
    create_topic(bootstrap, topic, 4)
    a = b = None
    try:
        a = StreamProcess(args, env, "worker A")
        assert a.wait_for(lambda ms: any(m.startswith("partitions") and "assigned" in m for m in ms), 60), \
            a.tail()
        producer = produce_in_background(bootstrap, topic, lines, rate=900)
        b = StreamProcess(args, env, "worker B")
        assert b.wait_for(lambda ms: any("assigned" in m and "[]" not in m for m in ms), 60), b.tail()
        assert a.wait_for(lambda ms: any("revoked" in m for m in ms), 30), a.tail()
        a.terminate()  # A leaves mid-stream: its partitions are checkpointed and handed over
        assert a.wait(60) == 0, a.tail()
        producer.join(60)
        assert b.wait(120) == 0, b.tail()
    finally:
        for proc in (a, b):
            if proc is not None:
                proc.stop()
    try:
        states: dict[str, Any] = {}
        total = 0
        for partition in range(4):
            checkpoint = _checkpoint(db, f"worker/g-{topic}/{topic}/{partition}")
            assert checkpoint is not None, f"no checkpoint of partition {partition}"
            part = pickle.loads(checkpoint.state)
            total += part.events
            assert not set(states) & set(part.accounts), "an account in two partitions"
            states.update(part.accounts)
        assert total == len(lines)
        assert {a: s.events for a, s in states.items()} == {
            a: s.events for a, s in replay_detector.accounts.items()}
        assert _per_account(_activity(db)) == {a: s.events for a, s in replay_detector.accounts.items()}

        settings = stream_settings(bootstrap, topic, linker_idle_partition_s=2.0)
        result = run_stream(settings, StreamOptions(role="linker", exit_when_idle=2.0, db_url=f"sqlite:///{db}"))
        assert result.alerts > 0
        linked = list(final_campaigns(topic_alerts(bootstrap, f"al-{topic}")).values())
        reference = list(final_campaigns(expected).values())
        best = [max((len(m & n) / len(m | n) for n in linked), default=0.0) for m in reference]
        sizes = (sorted(map(len, reference)), sorted(map(len, linked)))
        print(f"linker vs replay campaigns: best Jaccard {[round(b, 2) for b in best]}; sizes {sizes}")
        assert sum(b >= 0.7 for b in best) >= 0.8 * len(reference), sizes
        assert len(linked) <= len(reference) + 1, sizes
    finally:
        delete_topics(bootstrap, _topics(topic))


def test_a_worker_started_before_its_topic_exists_waits_for_it(bootstrap: str, dataset: Path,
                                                                tmp_path: Path) -> None:
    """A worker whose input topic does not exist yet waits for it (past its idle exit), then joins the group with
    every partition and reads every event; it does not join with nothing assigned and end idle."""
    topic = unique("late")
    db = tmp_path / "late.db"
    head = tmp_path / "head.jsonl"
    head.write_bytes(b"\n".join(file_lines(dataset)[:2000]) + b"\n")
    args = _stream_args(bootstrap, topic, db, "--role", "worker", "--exit-when-idle", "3")
    worker = None
    try:
        worker = StreamProcess(args, None, "worker")
        assert worker.wait_for(lambda ms: any(f"looking up topic {topic!r}" in m for m in ms), 60), worker.tail()
        time.sleep(5)
        assert worker.proc.poll() is None, "the worker ended while its topic did not exist\n" + worker.tail()
        assert _produce(bootstrap, topic, head, 4) == 2000
        assert worker.wait(120) == 0, worker.tail()
        assert any(m == "partitions [0, 1, 2, 3] assigned" for m in worker.messages()), worker.tail()
        total = 0
        for partition in range(4):
            checkpoint = _checkpoint(db, f"worker/g-{topic}/{topic}/{partition}")
            assert checkpoint is not None, f"no checkpoint of partition {partition}"
            total += pickle.loads(checkpoint.state).events
        assert total == 2000
    finally:
        if worker is not None:
            worker.stop()
        delete_topics(bootstrap, _topics(topic))


@pytest.fixture
def private_broker(tmp_path: Path) -> Any:
    """A broker of this test alone (scripts/kafka.sh on free ports), so restarting it disturbs nobody."""
    import os
    import subprocess

    from kafka_stream_support import IN_CI, ROOT

    port = free_port()
    env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(free_port()),
           "KAFKA_DATA_DIR": str(tmp_path / "kafka"), "KAFKA_HEAP_OPTS": "-Xms128m -Xmx512m"}

    def script(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(ROOT / "scripts" / "kafka.sh"), command], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=180)

    started = script("start")
    if started.returncode != 0:
        message = f"could not start a private broker with scripts/kafka.sh: {started.stderr[-500:]}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield f"127.0.0.1:{port}", script
    finally:
        script("stop")


def test_broker_restart_while_streaming(private_broker: Any, dataset: Path, tmp_path: Path,
                                        fast_baseline: tuple[list[dict[str, Any]], Any]) -> None:
    """``kafka.sh restart`` mid-stream: the stream retries, reconnects, finishes, and loses nothing."""
    expected, _ = fast_baseline
    bootstrap, script = private_broker
    lines = file_lines(dataset)
    half = len(lines) // 2
    topic = unique("outage")
    db = tmp_path / "outage.db"
    create_topic(bootstrap, topic, 1)
    producer = produce_in_background(bootstrap, topic, lines[:half], rate=100_000)
    producer.join(60)
    env = {"HYDRAWATCH_KAFKA__CHECKPOINT_EVERY_S": "1", "HYDRAWATCH_KAFKA__RETRY_BACKOFF_MAX_S": "2"}
    # idle means caught up with what the broker holds: the exit must wait out the restart and the producer's
    # reconnect, or the second half may not be in the topic yet when the stream finds itself at the end
    stream = StreamProcess(_stream_args(bootstrap, topic, db, "--exit-when-idle", "30"), env, "stream")
    try:
        assert stream.wait_for(lambda ms: any(m.startswith("checkpoint") for m in ms), 60), stream.tail()
        producer = produce_in_background(bootstrap, topic, lines[half:], rate=300)
        restarted = script("restart")
        assert restarted.returncode == 0, restarted.stderr[-500:]
        producer.join(120)
        assert stream.wait(120) == 0, stream.tail()
    finally:
        stream.stop()
    checkpoint = _checkpoint(db, f"all/g-{topic}/{topic}")
    assert checkpoint.events == len(lines) and checkpoint.offsets == {0: len(lines)}
    got = topic_alerts(bootstrap, f"al-{topic}")
    ids = [a["alert_id"] for a in got]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(a["alert_id"] for a in expected)
    noticed = [m for m in stream.messages() if "failed" in m or "recovered" in m]
    print(f"outage seen by the stream: {noticed[:3]}")
