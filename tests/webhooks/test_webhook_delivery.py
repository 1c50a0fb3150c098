"""Delivery through a real local receiver (verified by the standardwebhooks library): retries, timeouts,
Retry-After, permanent failures, dead letters and their replay, a worker restart mid-retry, filters, rotation.
Runs on SQLite and, with HYDRAWATCH_TEST_PG_URL, PostgreSQL."""

from __future__ import annotations

import time

import orjson
import pytest
from hw_api import make_alert, store
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook
from webhook_receiver import OK, Receiver, Reply

from hydrawatch.settings import Settings, WebhookEndpointSettings, WebhookSettings
from hydrawatch.store import make_engine
from hydrawatch.store.webhooks import WebhookDeliveryRow, WebhookEndpointRow
from hydrawatch.webhooks.endpoints import EndpointError, create_endpoint, sync_settings, update_endpoint
from hydrawatch.webhooks.outbox import list_deliveries, replay_dead
from hydrawatch.webhooks.signing import generate_secret
from hydrawatch.webhooks.worker import DeliveryWorker, backoff, retry_after


def add_endpoint(engine: Engine, url: str, secret: str, name: str = "test", **filters: object) -> int:
    with Session(engine) as session, session.begin():
        return create_endpoint(session, name, url, secret, "tester", **filters).id


def states(engine: Engine) -> dict[str, tuple[str, int]]:
    with Session(engine) as session:
        return {r.alert_id: (r.status, r.attempts) for r in session.scalars(select(WebhookDeliveryRow))}


def wait_states(engine: Engine, wanted: str, n: int, timeout: float = 30.0) -> dict[str, tuple[str, int]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = states(engine)
        if len(found) == n and all(s == wanted for s, _ in found.values()):
            return found
        time.sleep(0.05)
    raise AssertionError(f"not all {wanted}: {states(engine)}")


def test_faults_then_success_deliver_every_alert_once(engine: Engine, secret: str, fast: WebhookSettings) -> None:
    timeout = Reply(503, delay=fast.timeout_s + 0.6)  # the sender gives up first
    plans = {
        "cmp-a-v1": [Reply(503), Reply(503), OK],
        "cmp-b-v1": [timeout, OK],
        "cmp-c-v1": [Reply(429, {"Retry-After": "1"}), OK],
        "cmp-d-v1": [OK],
        "cmp-e-v1": [Reply(500), Reply(502), timeout, Reply(429, {"Retry-After": "1"}), OK],
    }
    script = lambda msg_id, n: plans[msg_id][min(n, len(plans[msg_id])) - 1]  # noqa: E731
    with Receiver(secret, script) as receiver:
        add_endpoint(engine, receiver.url, secret)
        store(engine, *(make_alert(i.rsplit("-v", 1)[0]) for i in plans))
        worker = DeliveryWorker(engine, fast).start()
        try:
            final = wait_states(engine, "delivered", len(plans))
        finally:
            worker.stop()
        assert receiver.accepted == {i: 1 for i in plans}
        assert all(a.verified for a in receiver.attempts)
        assert {i: n for i, (_, n) in final.items()} == {i: len(p) for i, p in plans.items()}
        c = receiver.tries("cmp-c-v1")
        assert c[1].at - c[0].at >= 0.95, "Retry-After: 1 is honoured (the backoff alone is 0.1 s)"
        assert receiver.bodies["cmp-a-v1"]["alert_id"] == "cmp-a-v1"
        assert receiver.headers["cmp-e-v1"]["webhook-id"] == "cmp-e-v1"
        ids = {a.msg_id for a in receiver.attempts}
        assert ids == set(plans), "webhook-id is the alert id on every attempt"
        before = len(receiver.attempts)
        again = DeliveryWorker(engine, fast).start()  # delivered rows are never sent again
        time.sleep(0.5)
        again.stop()
        assert len(receiver.attempts) == before


def test_restart_mid_retry_delivers_each_alert_once(db_url: str, engine: Engine, secret: str,
                                                    fast: WebhookSettings) -> None:
    healthy = {"ok": False}
    with Receiver(secret, lambda _i, _n: OK if healthy["ok"] else Reply(503)) as receiver:
        add_endpoint(engine, receiver.url, secret)
        alerts = [make_alert(f"cmp-{i}", v) for i in range(4) for v in (1, 2)]
        store(engine, *alerts)
        first = DeliveryWorker(engine, fast).start()
        assert receiver.wait_for(lambda: all(
            sum(1 for a in receiver.attempts if a.msg_id == x["alert_id"]) >= 2 for x in alerts))
        first.stop()
        assert {s for s, _ in states(engine).values()} == {"pending"}
        healthy["ok"] = True
        time.sleep(0.3)
        assert not receiver.accepted, "a stopped worker sends nothing"
        fresh = make_engine(db_url)  # a new process would have its own engine
        second = DeliveryWorker(fresh, fast).start()
        try:
            wait_states(fresh, "delivered", len(alerts))
        finally:
            second.stop()
            fresh.dispose()
        assert receiver.accepted == {a["alert_id"]: 1 for a in alerts}


def test_permanent_4xx_is_dead_lettered_then_replayed(engine: Engine, secret: str, fast: WebhookSettings) -> None:
    gone = {"on": True}
    with Receiver(secret, lambda _i, _n: Reply(410) if gone["on"] else OK) as receiver:
        add_endpoint(engine, receiver.url, secret)
        store(engine, make_alert("cmp-x"), make_alert("cmp-y"))
        worker = DeliveryWorker(engine, fast).start()
        try:
            final = wait_states(engine, "dead", 2)
            assert {n for _, n in final.values()} == {1}, "a permanent failure is not retried"
            with Session(engine) as session:
                total, dead = list_deliveries(session, "dead")
            assert total == 2 and {d["last_status_code"] for d in dead} == {410}
            assert all("permanent" in d["last_error"] for d in dead)
            gone["on"] = False
            with Session(engine) as session, session.begin():
                assert replay_dead(session, delivery_ids=[dead[0]["id"]]) == 1
            worker.wake()
            assert receiver.wait_for(lambda: receiver.accepted[dead[0]["alert_id"]] == 1)
            with Session(engine) as session, session.begin():
                assert replay_dead(session) == 1
            wait_states(engine, "delivered", 2)
        finally:
            worker.stop()
        assert receiver.accepted == {"cmp-x-v1": 1, "cmp-y-v1": 1}


def test_retries_stop_at_the_horizon(engine: Engine, secret: str, fast: WebhookSettings) -> None:
    cfg = fast.model_copy(update={"retry_horizon_s": 0.8})
    with Receiver(secret, lambda _i, _n: Reply(503)) as receiver:
        add_endpoint(engine, receiver.url, secret)
        store(engine, make_alert("cmp-h"))
        worker = DeliveryWorker(engine, cfg).start()
        try:
            (status, attempts), = wait_states(engine, "dead", 1).values()
        finally:
            worker.stop()
        assert attempts >= 3 and len(receiver.tries("cmp-h-v1")) == attempts
        with Session(engine) as session:
            assert "retries exhausted" in list_deliveries(session, "dead")[1][0]["last_error"]


def test_filters_choose_the_endpoints(engine: Engine, secret: str) -> None:
    add_endpoint(engine, "http://127.0.0.1:9/all", secret, "all")
    add_endpoint(engine, "http://127.0.0.1:9/high", secret, "high", min_severity="high", min_accounts=5)
    add_endpoint(engine, "http://127.0.0.1:9/confirmed", secret, "confirmed", statuses=["confirmed"])
    add_endpoint(engine, "http://127.0.0.1:9/off", secret, "off", enabled=False)
    add_endpoint(engine, "http://127.0.0.1:9/shadow", secret, "shadow", include_shadow=True,
                 actions=["throttle"])
    big = [f"b-{i}" for i in range(6)]
    store(engine, make_alert("cmp-low", severity="low"), make_alert("cmp-small", severity="critical"),
          make_alert("cmp-big", accounts=big, severity="high", decision={"action": "throttle"}),
          make_alert("cmp-sh", shadow=True, decision={"action": "throttle"}))
    with Session(engine) as session:
        names = dict(session.execute(select(WebhookEndpointRow.id, WebhookEndpointRow.name)).all())
        got = sorted((names[r.endpoint_id], r.alert_id) for r in session.scalars(select(WebhookDeliveryRow)))
    assert got == [("all", "cmp-big-v1"), ("all", "cmp-low-v1"), ("all", "cmp-small-v1"),
                   ("high", "cmp-big-v1"), ("shadow", "cmp-big-v1"), ("shadow", "cmp-sh-v1")]


def test_secret_rotation_signs_with_both_during_the_grace_period(engine: Engine, secret: str,
                                                                 fast: WebhookSettings) -> None:
    new = generate_secret()
    with Receiver(new) as new_side:
        add_endpoint(engine, new_side.url, secret)
        with Session(engine) as session, session.begin():
            row = session.scalars(select(WebhookEndpointRow)).one()
            update_endpoint(session, row, {"secret": new})
        store(engine, make_alert("cmp-r"))
        worker = DeliveryWorker(engine, fast).start()
        try:
            wait_states(engine, "delivered", 1)
        finally:
            worker.stop()
        attempt, = new_side.attempts
        assert attempt.verified and attempt.signatures == 2
        # receivers still on the old secret verify the same request
        body = orjson.dumps(new_side.bodies["cmp-r-v1"])
        headers = new_side.headers["cmp-r-v1"]
        assert Webhook(secret).verify(body, headers) and Webhook(new).verify(body, headers)
        expired = fast.model_copy(update={"rotation_grace_s": 0.0})
        store(engine, make_alert("cmp-r", 2))
        worker = DeliveryWorker(engine, expired).start()
        try:
            wait_states(engine, "delivered", 2)
        finally:
            worker.stop()
        assert new_side.tries("cmp-r-v2")[0].signatures == 1


def test_settings_endpoints_are_synced_by_name(engine: Engine, secret: str) -> None:
    url = str(engine.url.render_as_string(hide_password=False))
    endpoint = WebhookEndpointSettings(name="ops", url="http://127.0.0.1:9/h", secret=secret, min_severity="high")
    settings = Settings(db_url=url, webhooks=WebhookSettings(endpoints=[endpoint]))
    assert sync_settings(engine, settings) == 1
    rotated = WebhookEndpointSettings(name="ops", url="http://127.0.0.1:9/v2", secret=generate_secret(),
                                      min_severity="high")
    sync_settings(engine, Settings(db_url=url, webhooks=WebhookSettings(endpoints=[rotated])))
    with Session(engine) as session:
        row = session.scalars(select(WebhookEndpointRow)).one()
        assert (row.name, row.url, row.source, row.min_severity) == ("ops", "http://127.0.0.1:9/v2", "settings",
                                                                     "high")
        assert row.previous_secret == secret and row.secret_rotated_at is not None
    for bad in ({"secret": "whsec_c2hvcnQ="}, {"url": "ftp://example.invalid/"}, {"min_severity": "huge"}):
        item = WebhookEndpointSettings(**{"name": "ops", "url": "http://127.0.0.1:9/h", "secret": secret, **bad})
        with pytest.raises(EndpointError):
            sync_settings(engine, Settings(db_url=url, webhooks=WebhookSettings(endpoints=[item])))


def test_backoff_and_retry_after_parsing() -> None:
    import random

    cfg = WebhookSettings(backoff_initial_s=5, backoff_max_s=3600, backoff_jitter=0.25)
    rng = random.Random(1)
    waits = [backoff(n, cfg, rng) for n in range(1, 16)]
    assert 3.75 <= waits[0] <= 6.25 and 7.5 <= waits[1] <= 12.5
    assert max(waits) <= 3600 and waits[-1] >= 2700
    assert retry_after("7") == 7.0 and retry_after(None) is None and retry_after("soon") is None
    assert 50 <= (retry_after("Wed, 21 Oct 2037 07:28:00 GMT") or 0) and retry_after(
        "Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_a_disabled_endpoint_pauses_its_deliveries(engine: Engine, secret: str, fast: WebhookSettings) -> None:
    with Receiver(secret) as receiver:
        endpoint_id = add_endpoint(engine, receiver.url, secret)
        store(engine, make_alert("cmp-p"))
        with Session(engine) as session, session.begin():
            row = session.get(WebhookEndpointRow, endpoint_id)
            assert row is not None
            update_endpoint(session, row, {"enabled": False})
        worker = DeliveryWorker(engine, fast).start()
        try:
            assert worker.drain(0.5) == 0, "nothing to deliver while paused"
            assert not receiver.attempts and states(engine) == {"cmp-p-v1": ("pending", 0)}
            store(engine, make_alert("cmp-p", 2))  # not enqueued for a disabled endpoint
            with Session(engine) as session, session.begin():
                row = session.get(WebhookEndpointRow, endpoint_id)
                assert row is not None
                update_endpoint(session, row, {"enabled": True})
            assert worker.drain(10) == 0
        finally:
            worker.stop()
        assert receiver.accepted == {"cmp-p-v1": 1}
