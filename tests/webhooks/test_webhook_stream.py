"""Webhooks in `hydrawatch stream` (role all) against the real broker: every stored alert version is POSTed
once; what the stream left pending at shutdown is delivered by the next process."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka_stream_support import create_topic, delete_topics, require_broker, stream_settings, unique
from sqlalchemy import select
from sqlalchemy.orm import Session
from webhook_receiver import Receiver, Reply

pytest.importorskip("kafka")
pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(240)]


def test_stream_posts_every_alert_once(tmp_path: Path, secret: str) -> None:
    from hydrawatch.commands_stream import produce_files
    from hydrawatch.settings import WebhookEndpointSettings, WebhookSettings
    from hydrawatch.simulator import generate
    from hydrawatch.store import AlertRow, make_engine
    from hydrawatch.stream import StreamOptions, run_stream
    from hydrawatch.webhooks.worker import DeliveryWorker

    bootstrap = require_broker()
    events = generate(tmp_path / "sim", scale=0.15, days=0.75, seed=11).events_path
    topic = unique("hooks")
    db = f"sqlite:///{tmp_path / 's.db'}"
    with Receiver(secret, lambda _i, _n: Reply(200, delay=0.5)) as receiver:
        try:
            create_topic(bootstrap, topic, 1)
            produce_files([events], bootstrap, topic)
            settings = stream_settings(bootstrap, topic)
            settings.webhooks = WebhookSettings(
                endpoints=[WebhookEndpointSettings(name="ops", url=receiver.url, secret=secret)],
                poll_interval_s=0.2)
            result = run_stream(settings, StreamOptions(exit_when_idle=2.0, db_url=db))
            assert result.ended_idle and result.alerts > 0
        finally:
            delete_topics(bootstrap, [topic, f"al-{topic}", f"dlq-{topic}", f"pr-{topic}"])
        engine = make_engine(db)
        with Session(engine) as session:
            stored = set(session.scalars(select(AlertRow.alert_id)))
        assert receiver.accepted, "the stream's worker delivered while streaming"
        worker = DeliveryWorker(engine, settings.webhooks).start()  # the next process finishes the rest
        try:
            assert worker.drain(60) == 0
        finally:
            worker.stop()
    assert receiver.accepted == {alert_id: 1 for alert_id in stored}
    assert all(a.verified for a in receiver.attempts)
