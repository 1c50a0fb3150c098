"""Webhooks in `replay`: a 2-second endpoint does not slow detection (delivery is off the hot path), the
bounded drain at the end, `--webhook-url`, and `hydrawatch webhook deliver` finishing what a replay left."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner
from webhook_receiver import OK, Receiver, Reply

from hydrawatch.cli import app
from hydrawatch.replay import build_detector, replay
from hydrawatch.settings import Settings, WebhookEndpointSettings, WebhookSettings
from hydrawatch.simulator import generate

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("sim"), scale=0.15, days=0.75, seed=11).events_path


def alerts_of(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_slow_endpoint_does_not_stall_detection(events: Path, tmp_path: Path, secret: str) -> None:
    base = Settings(db_url=f"sqlite:///{tmp_path / 'base.db'}")
    baseline = replay([events], base, alerts_out=tmp_path / "base.jsonl",
                      detector=build_detector(base, embeddings=False))
    assert baseline.webhooks_pending is None, "no endpoint, no worker"
    with Receiver(secret, lambda _i, _n: Reply(200, delay=2.0)) as receiver:
        hooks = WebhookSettings(endpoints=[WebhookEndpointSettings(name="slow", url=receiver.url, secret=secret)],
                                concurrency=8, per_endpoint_concurrency=8, drain_s=60, poll_interval_s=0.2)
        settings = Settings(db_url=f"sqlite:///{tmp_path / 'hooks.db'}", webhooks=hooks)
        started = time.monotonic()
        result = replay([events], settings, alerts_out=tmp_path / "hooks.jsonl",
                        detector=build_detector(settings, embeddings=False))
        total = time.monotonic() - started
    alerts = alerts_of(tmp_path / "hooks.jsonl")
    assert len(alerts) >= 8 and alerts == alerts_of(tmp_path / "base.jsonl")
    serial = 2.0 * len(alerts)
    assert result.summary.seconds < baseline.summary.seconds * 1.5 + 1.5 < serial, (
        f"pipeline {result.summary.seconds:.1f} s vs {baseline.summary.seconds:.1f} s without webhooks")
    assert result.webhooks_pending == 0 and total < result.summary.seconds + 30
    assert receiver.accepted == {a["alert_id"]: 1 for a in alerts}
    assert receiver.bodies == {a["alert_id"]: a for a in alerts}, "the body is the alert, decision included"
    assert all("decision" in a for a in alerts)


def test_replay_drain_is_bounded_and_deliver_finishes(events: Path, tmp_path: Path, secret: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    healthy = {"ok": False}
    db = f"sqlite:///{tmp_path / 'hw.db'}"
    for name, value in {"HYDRAWATCH_WEBHOOK_SECRET": secret, "HYDRAWATCH_WEBHOOKS__DRAIN_S": "1",
                        "HYDRAWATCH_WEBHOOKS__BACKOFF_INITIAL_S": "0.2", "HYDRAWATCH_WEBHOOKS__BACKOFF_MAX_S": "0.5",
                        "HYDRAWATCH_WEBHOOKS__POLL_INTERVAL_S": "0.1"}.items():
        monkeypatch.setenv(name, value)
    with Receiver(secret, lambda _i, _n: OK if healthy["ok"] else Reply(503)) as receiver:
        started = time.monotonic()
        result = runner.invoke(app, ["replay", str(events), "--alerts-out", str(tmp_path / "a.jsonl"), "--db", db,
                                     "--no-progress", "--webhook-url", receiver.url])
        assert result.exit_code == 0, result.output
        alerts = alerts_of(tmp_path / "a.jsonl")
        pending = next(line for line in result.output.splitlines() if "webhook deliveries pending" in line)
        assert f" {len(alerts)} " in pending, result.output
        assert time.monotonic() - started < 60
        assert not receiver.accepted and receiver.attempts, "tried, failed, left in the outbox"
        healthy["ok"] = True
        listed = runner.invoke(app, ["webhook", "list", "--db", db], env={"COLUMNS": "200"})
        assert f"replay {receiver.url}" in listed.output and secret not in listed.output
        done = runner.invoke(app, ["webhook", "deliver", "--db", db, "--now", "--max-wait", "30"])
        assert done.exit_code == 0, done.output
    assert receiver.accepted == {a["alert_id"]: 1 for a in alerts}


def test_webhook_url_needs_the_secret(events: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HYDRAWATCH_WEBHOOK_SECRET", raising=False)
    result = runner.invoke(app, ["replay", str(events), "--alerts-out", str(tmp_path / "a.jsonl"),
                                 "--webhook-url", "http://127.0.0.1:9/hook"])
    assert result.exit_code == 2 and "HYDRAWATCH_WEBHOOK_SECRET" in result.output
    monkeypatch.setenv("HYDRAWATCH_WEBHOOK_SECRET", "whsec_c2hvcnQ=")
    short = runner.invoke(app, ["replay", str(events), "--alerts-out", str(tmp_path / "a.jsonl"),
                                "--webhook-url", "http://127.0.0.1:9/hook"])
    assert short.exit_code == 2 and "24-64 bytes" in short.output
