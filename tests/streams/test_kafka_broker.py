"""Round trip through the real Kafka broker started by ``scripts/kafka.sh start``.

The broker is expected at ``127.0.0.1:$KAFKA_PORT`` (default 9092).  When it is not
reachable the test is skipped, except under ``CI=true``: CI starts the broker itself,
so a missing broker there is a failure, not a reason to skip.

Written against kafka-python 3.x: ``create_topics`` takes a dict of topic specs
(``NewTopic`` lists are deprecated) and can wait for leaders with
``wait_for_metadata``; committed offsets are read back with
``KafkaAdminClient.list_group_offsets`` (``list_consumer_group_offsets`` is gone);
plain callables as (de)serializers are deprecated in favour of ``kafka.serializer``
classes (``DefaultSerializer`` does UTF-8 both ways).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

kafka = pytest.importorskip("kafka")

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.serializer import DefaultSerializer  # noqa: E402

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]

HOST = "127.0.0.1"
PORT = int(os.environ.get("KAFKA_PORT", "9092"))
BOOTSTRAP = f"{HOST}:{PORT}"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unreachable_reason() -> str | None:
    """None when the broker answers a metadata request, else why not."""
    try:
        with socket.create_connection((HOST, PORT), timeout=2):
            pass
    except OSError as exc:
        return f"nothing listens on {BOOTSTRAP} ({exc})"
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=BOOTSTRAP,
            client_id="hydrawatch-test-probe",
            request_timeout_ms=5000,
            bootstrap_timeout_ms=10000,
        )
        try:
            admin.list_topics()
        finally:
            admin.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        return f"{BOOTSTRAP} accepts connections but does not answer as a Kafka broker ({exc!r})"
    return None


@pytest.fixture(scope="module")
def bootstrap() -> str:
    reason = _unreachable_reason()
    if reason is not None:
        message = f"Kafka broker not reachable: {reason}. Start it with `bash scripts/kafka.sh start`"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: CI must start the broker before the tests)")
        pytest.skip(message)
    return BOOTSTRAP


@pytest.fixture
def admin(bootstrap: str) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="hydrawatch-test-admin")
    try:
        yield client
    finally:
        client.close()


def _producer(bootstrap: str) -> KafkaProducer:
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        key_serializer=DefaultSerializer(),
        value_serializer=DefaultSerializer(),
    )


def _consumer(bootstrap: str, topic: str, group: str) -> KafkaConsumer:
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        key_deserializer=DefaultSerializer(),
        value_deserializer=DefaultSerializer(),
    )


def _consume(consumer: KafkaConsumer, expected: int, timeout_s: float = 60.0) -> list:
    """Poll until ``expected`` records arrived (or the deadline passes)."""
    records: list = []
    deadline = time.monotonic() + timeout_s
    while len(records) < expected and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    return records


def test_produce_consume_commit_round_trip(admin: KafkaAdminClient, bootstrap: str) -> None:
    suffix = uuid.uuid4().hex[:12]
    topic = f"hydrawatch-test-{suffix}"
    group = f"hydrawatch-test-group-{suffix}"

    admin.create_topics(
        {topic: {"num_partitions": 3, "replication_factor": 1}},
        timeout_ms=30000,
        wait_for_metadata=True,
    )
    try:
        assert topic in admin.list_topics()

        # --- produce keyed messages ---------------------------------------------------
        keys = ["tenant-a", "tenant-b", "tenant-c"]
        sent = [(keys[i % len(keys)], f"request-{i}") for i in range(9)]
        producer = _producer(bootstrap)
        try:
            metas = [producer.send(topic, key=k, value=v).get(timeout=30) for k, v in sent]
            producer.flush(timeout=30)
        finally:
            producer.close(timeout=10)
        partition_of_key: dict[str, int] = {}
        for (key, _), meta in zip(sent, metas, strict=True):
            assert meta.topic == topic
            # the default partitioner keeps one key on one partition
            assert partition_of_key.setdefault(key, meta.partition) == meta.partition

        # --- consume them back with a group, commit manually -------------------------
        consumer = _consumer(bootstrap, topic, group)
        try:
            records = _consume(consumer, len(sent))
            assert sorted((r.key, r.value) for r in records) == sorted(sent)
            for r in records:
                assert r.partition == partition_of_key[r.key]
            # per key, order is preserved (one partition per key)
            for key in keys:
                assert [r.value for r in records if r.key == key] == [v for k, v in sent if k == key]
            consumer.commit()
            for partition in range(3):
                tp = TopicPartition(topic, partition)
                expected = sum(1 for m in metas if m.partition == partition)
                assert (consumer.committed(tp) or 0) == expected
        finally:
            consumer.close(autocommit=False)

        # --- the committed offsets are visible to the admin client -------------------
        offsets = admin.list_group_offsets({group: None})[group]
        committed = {tp.partition: oam.offset for tp, oam in offsets.items() if tp.topic == topic}
        assert sum(committed.values()) == len(sent)

        # --- a new member of the same group resumes after the committed offsets ------
        extra = [("tenant-a", "request-late-1"), ("tenant-d", "request-late-2")]
        producer = _producer(bootstrap)
        try:
            for k, v in extra:
                producer.send(topic, key=k, value=v).get(timeout=30)
        finally:
            producer.close(timeout=10)
        consumer = _consumer(bootstrap, topic, group)
        try:
            again = _consume(consumer, len(extra))
            # poll a little longer so that a re-delivery of old records would show up
            again.extend(_consume(consumer, 1, timeout_s=1.0))
            assert sorted((r.key, r.value) for r in again) == sorted(extra)
            consumer.commit()
        finally:
            consumer.close(autocommit=False)
    finally:
        try:
            admin.delete_groups([group])
        finally:
            admin.delete_topics([topic], timeout_ms=30000, raise_errors=False)
