"""The admin API of webhooks (secrets write-only), dead letters in the API, the dashboard and the metrics,
and the replay action; a real receiver and a real worker."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from hw_api import bearer, make_alert, store
from sqlalchemy.engine import Engine
from webhook_receiver import OK, Receiver, Reply

from hydrawatch.settings import Settings, WebhookEndpointSettings, WebhookSettings
from hydrawatch.webhooks.endpoints import sync_settings
from hydrawatch.webhooks.signing import generate_secret
from hydrawatch.webhooks.worker import DeliveryWorker

API = "/api/v1/webhooks"


def test_crud_never_returns_secrets(client: TestClient, tokens: dict[str, str], secret: str) -> None:
    admin = bearer(tokens["admin"])
    body = {"name": "ops", "url": "http://127.0.0.1:9/hook", "secret": secret, "min_severity": "high",
            "statuses": ["open"], "actions": ["suspend", "throttle"], "min_accounts": 3}
    created = client.post(API, json=body, headers=admin)
    assert created.status_code == 201, created.text
    item = created.json()
    assert secret not in created.text and "secret" not in item
    assert (item["min_severity"], item["statuses"], item["source"]) == ("high", ["open"], "api")
    assert item["rotation_grace_until"] is None
    listed = client.get(API, headers=admin)
    assert [e["name"] for e in listed.json()["items"]] == ["ops"] and secret not in listed.text
    new = generate_secret()
    patched = client.patch(f"{API}/{item['id']}", json={"secret": new, "enabled": False}, headers=admin)
    assert patched.status_code == 200 and new not in patched.text and secret not in patched.text
    assert patched.json()["enabled"] is False and patched.json()["rotation_grace_until"]
    assert client.get(f"{API}/{item['id']}", headers=admin).json()["enabled"] is False
    assert client.post(API, json=body, headers=admin).status_code == 409
    assert client.delete(f"{API}/{item['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/{item['id']}", headers=admin).status_code == 404


def test_admin_only_and_validation(client: TestClient, tokens: dict[str, str], secret: str) -> None:
    body = {"name": "ops", "url": "http://127.0.0.1:9/hook", "secret": secret}
    assert client.get(API).status_code == 401
    for role in ("viewer", "analyst"):
        assert client.get(API, headers=bearer(tokens[role])).status_code == 403
        assert client.post(API, json=body, headers=bearer(tokens[role])).status_code == 403
    admin = bearer(tokens["admin"])
    for bad in ({"secret": "whsec_c2hvcnQ="}, {"secret": "plain"}, {"url": "file:///etc/passwd"},
                {"min_severity": "huge"}, {"statuses": ["gone"]}, {"unknown": 1}, {"min_score": 2}):
        response = client.post(API, json={**body, **bad}, headers=admin)
        assert response.status_code == 422, (bad, response.text)
        assert secret not in response.text


def test_settings_endpoints_are_read_only_in_the_api(client: TestClient, engine: Engine, tokens: dict[str, str],
                                                     secret: str) -> None:
    endpoint = WebhookEndpointSettings(name="from-settings", url="http://127.0.0.1:9/h", secret=secret)
    sync_settings(engine, Settings(db_url="sqlite://", webhooks=WebhookSettings(endpoints=[endpoint])))
    admin = bearer(tokens["admin"])
    item, = client.get(API, headers=admin).json()["items"]
    assert item["source"] == "settings"
    assert client.patch(f"{API}/{item['id']}", json={"enabled": False}, headers=admin).status_code == 409
    assert client.delete(f"{API}/{item['id']}", headers=admin).status_code == 409


def test_dead_letters_in_api_metrics_dashboard_and_replay(client: TestClient, engine: Engine,
                                                          tokens: dict[str, str], secret: str,
                                                          fast: WebhookSettings) -> None:
    broken = {"on": True}
    with Receiver(secret, lambda _i, _n: Reply(400) if broken["on"] else OK) as receiver:
        admin = bearer(tokens["admin"])
        created = client.post(API, json={"name": "ops", "url": receiver.url, "secret": secret}, headers=admin)
        endpoint_id = created.json()["id"]
        store(engine, make_alert("cmp-a"), make_alert("cmp-b"), make_alert("cmp-c"))
        worker = DeliveryWorker(engine, fast).start()
        try:
            dead = _wait(lambda: client.get(f"{API}/deliveries", params={"status": "dead"},
                                            headers=bearer(tokens["analyst"])).json(), 3)
            assert {d["alert_id"] for d in dead["items"]} == {"cmp-a-v1", "cmp-b-v1", "cmp-c-v1"}
            assert {d["last_status_code"] for d in dead["items"]} == {400}
            assert client.get(f"{API}/deliveries", headers=bearer(tokens["viewer"])).status_code == 403
            metrics = client.get(f"{API}/metrics", headers=bearer(tokens["viewer"]))
            assert metrics.status_code == 200
            assert 'hydrawatch_webhook_deliveries{endpoint="ops",status="dead"} 3.0' in metrics.text
            broken["on"] = False
            one = dead["items"][0]
            replayed = client.post(f"{API}/deliveries/{one['id']}/replay", headers=admin)
            assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
            assert client.post(f"{API}/deliveries/{one['id']}/replay", headers=admin).status_code in (200, 409)
            assert receiver.wait_for(lambda: receiver.accepted[one["alert_id"]] == 1)
            assert client.post(f"{API}/deliveries/{one['id']}/replay", headers=admin).status_code == 409
            assert client.post(f"{API}/deliveries/replay", json={"endpoint_id": endpoint_id},
                               headers=bearer(tokens["analyst"])).status_code == 403
            # the dashboard: dead letters with a replay button for admins
            _login(client, tokens["admin"])
            page = client.get("/webhooks?status=dead")
            assert page.status_code == 200 and "Replay all dead" in page.text
            left = re.findall(r'action="/webhooks/deliveries/(\d+)/replay"', page.text)
            assert len(left) == 2
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            done = client.post(f"/webhooks/deliveries/{left[0]}/replay", data={"csrf_token": csrf},
                               follow_redirects=False)
            assert done.status_code == 303
            assert client.post("/webhooks/replay-dead", data={"csrf_token": "stale"}).status_code == 403
            assert client.post("/webhooks/replay-dead", data={"csrf_token": csrf},
                               follow_redirects=False).status_code == 303
            assert receiver.wait_for(lambda: sum(receiver.accepted.values()) == 3)
        finally:
            worker.stop()
        assert receiver.accepted == {"cmp-a-v1": 1, "cmp-b-v1": 1, "cmp-c-v1": 1}
        delivered = client.get(f"{API}/deliveries", params={"status": "delivered"}, headers=admin).json()
        assert delivered["total"] == 3


def test_dashboard_roles(client: TestClient, tokens: dict[str, str]) -> None:
    _login(client, tokens["viewer"])
    assert client.get("/webhooks").status_code == 403
    _login(client, tokens["analyst"])
    page = client.get("/webhooks")
    assert page.status_code == 200 and "No webhook endpoints" in page.text and "Replay all" not in page.text


def _wait(fetch: object, n: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()  # type: ignore[operator]
        if result["total"] >= n or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def _login(client: TestClient, token: str) -> None:
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"token": token, "next": "/", "csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303
