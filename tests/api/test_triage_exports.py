"""Triage with an audit trail, allow-list CRUD, CSV and STIX exports, triage labels; on both stores."""

from __future__ import annotations

import csv
import io
import json

import stix2
from fastapi.testclient import TestClient
from hw_api import bearer, make_alert, seed, store
from sqlalchemy.engine import Engine

from hydrawatch.store.triage import export_labels


def triage(client: TestClient, token: str, campaign: str, action: str, comment: str = "") -> dict:
    response = client.post(
        f"/api/v1/campaigns/{campaign}/triage",
        json={"action": action, "comment": comment},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_triage_records_who_when_and_why(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    first = triage(client, tokens["analyst"], "cmp-b", "dismiss", "load test by a customer")
    assert (first["status_before"], first["status_after"], first["version"], first["size"]) == (
        "open",
        "dismissed",
        2,
        6,
    )
    assert first["actor"] == "analyst tester (token 2)" and first["at"].endswith("Z")
    triage(client, tokens["admin"], "cmp-b", "reopen", "second look")
    triage(client, tokens["analyst"], "cmp-b", "confirm")
    trail = client.get("/api/v1/campaigns/cmp-b/triage", headers=bearer(tokens["viewer"])).json()
    assert [(t["action"], t["status_after"]) for t in trail["items"]] == [
        ("confirm", "confirmed"),
        ("reopen", "open"),
        ("dismiss", "dismissed"),
    ]
    assert trail["items"][2]["comment"] == "load test by a customer"
    assert (
        client.get("/api/v1/campaigns/cmp-b", headers=bearer(tokens["viewer"])).json()["status"]
        == "confirmed"
    )
    assert (
        client.get(
            "/api/v1/campaigns", params={"status": "confirmed"}, headers=bearer(tokens["viewer"])
        ).json()["total"]
        == 1
    )
    assert client.get("/api/v1/triage", headers=bearer(tokens["viewer"])).json()["total"] == 3


def test_triage_rejects_bad_requests(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    url, headers = "/api/v1/campaigns/cmp-a/triage", bearer(tokens["analyst"])
    for body in (
        {"action": "delete"},
        {},
        {"action": "confirm", "comment": "x" * 10_001},
        {"action": "confirm", "extra": 1},
        {"action": "confirm", "comment": "a\x00b"},
        [1, 2],
        "confirm",
    ):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert "invalid request" in response.json()["detail"]
    assert (
        client.post("/api/v1/campaigns/nope/triage", json={"action": "confirm"}, headers=headers).status_code
        == 404
    )
    bad_json = client.post(
        url, content=b'{"action": "conf', headers={**headers, "content-type": "application/json"}
    )
    assert bad_json.status_code == 422


def test_detector_reopens_a_dismissed_campaign_that_grew(
    engine: Engine, client: TestClient, tokens: dict[str, str]
) -> None:
    seed(engine)
    triage(client, tokens["analyst"], "cmp-a", "dismiss", "benign")
    store(engine, make_alert("cmp-a", 1))  # a replayed old version changes nothing
    assert (
        client.get("/api/v1/campaigns/cmp-a", headers=bearer(tokens["viewer"])).json()["status"]
        == "dismissed"
    )
    store(engine, make_alert("cmp-a", 2, [f"cmp-a-acct-{i}" for i in range(8)], hours=5))
    detail = client.get("/api/v1/campaigns/cmp-a", headers=bearer(tokens["viewer"])).json()
    assert detail["status"] == "open"
    assert detail["triage"][0]["actor"] == "detector"
    assert detail["triage"][0]["comment"] == "re-alerted: grew from 4 to 8 accounts"


def test_an_absorbed_campaign_says_so_in_its_trail_once(
    engine: Engine, client: TestClient, tokens: dict[str, str]
) -> None:
    seed(engine)  # cmp-b v2 names an absorbed campaign the store never saw: nothing to note
    accounts = [f"b-{i}" for i in range(6)] + [f"cmp-c-acct-{i}" for i in range(3)]
    store(engine, make_alert("cmp-b", 3, accounts, hours=4, absorbed_campaigns=["cmp-c"]),
          make_alert("cmp-b", 4, [*accounts, "b-9"], hours=5, absorbed_campaigns=["cmp-c"]))
    absorbed = client.get("/api/v1/campaigns/cmp-c", headers=bearer(tokens["viewer"])).json()
    assert absorbed["status"] == "open" and absorbed["size"] == 3  # its own alerts stay as they were
    assert [(t["action"], t["actor"], t["comment"]) for t in absorbed["triage"]] == [
        ("absorbed", "detector", "absorbed into cmp-b (its version 3, 9 accounts)")]
    assert client.get("/api/v1/campaigns/cmp-b", headers=bearer(tokens["viewer"])).json()["absorbed"] == ["cmp-c"]


def test_allowlist_crud_and_validation(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["analyst"])
    made = client.post(
        "/api/v1/allowlists",
        json={"kind": "ips", "value": " 192.168.1.7/24 ", "comment": "lab"},
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["value"] == "192.168.1.0/24"
    assert (
        client.post(
            "/api/v1/allowlists", json={"kind": "ips", "value": "192.168.1.0/24"}, headers=headers
        ).status_code
        == 409
    )
    for body in (
        {"kind": "ips", "value": "999.1.1.1"},
        {"kind": "ips", "value": "not-an-ip"},
        {"kind": "hosts", "value": "x"},
        {"kind": "accounts", "value": ""},
        {"kind": "accounts", "value": "   "},
        {"kind": "accounts", "value": "x" * 501},
    ):
        response = client.post("/api/v1/allowlists", json=body, headers=headers)
        assert response.status_code == 422, body
    entry = made.json()["id"]
    changed = client.patch(f"/api/v1/allowlists/{entry}", json={"value": "2001:db8::1"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["value"] == "2001:db8::1"
    assert (
        client.patch(f"/api/v1/allowlists/{entry}", json={"value": "nope"}, headers=headers).status_code
        == 422
    )
    listing = client.get("/api/v1/allowlists", params={"kind": "ips"}, headers=headers).json()["items"]
    assert [e["value"] for e in listing] == ["2001:db8::1"]
    assert client.delete(f"/api/v1/allowlists/{entry}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/allowlists/{entry}", headers=headers).status_code == 404


def test_accounts_csv_escapes_formulas(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    store(engine, make_alert("cmp-x", 1, ['=HYPERLINK("http://evil")', "+1", "@SUM(A1)", "plain"]))
    triage(client, tokens["analyst"], "cmp-x", "confirm")
    response = client.get(
        "/api/v1/exports/accounts.csv", params={"status": "confirmed"}, headers=bearer(tokens["viewer"])
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["account_id"] for r in rows) == [
        "'+1",
        '\'=HYPERLINK("http://evil")',
        "'@SUM(A1)",
        "plain",
    ]
    assert {r["campaign_status"] for r in rows} == {"confirmed"}
    everything = client.get("/api/v1/exports/accounts.csv", headers=bearer(tokens["viewer"])).text
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 4 + 6 + 3 + 4


def test_stix_bundle_has_confirmed_campaigns_only(
    client: TestClient, engine: Engine, tokens: dict[str, str]
) -> None:
    seed(engine)
    store(
        engine,
        make_alert(
            "cmp-q",
            1,
            ["it's\\tricky"],
            infrastructure={
                "ips": [["198.51.100.9", 3], ["garbage", 1]],
                "asns": [[64501, 3]],
                "user_agents": [["curl/8 'quoted'", 3]],
                "payment_fingerprints": [["pf_'x", 1]],
            },
        ),
    )
    empty = client.get("/api/v1/exports/stix", headers=bearer(tokens["viewer"]))
    assert empty.headers["content-type"].startswith("application/stix+json")
    assert [o["type"] for o in empty.json()["objects"]] == ["identity"]
    triage(client, tokens["analyst"], "cmp-q", "confirm")
    triage(client, tokens["analyst"], "cmp-a", "dismiss")
    body = client.get("/api/v1/exports/stix", headers=bearer(tokens["viewer"])).text
    bundle = stix2.parse(body, allow_custom=True)
    kinds = [o.type for o in bundle.objects]
    assert kinds.count("campaign") == 1 and kinds.count("indicator") == kinds.count("relationship") == 5
    patterns = sorted(o.pattern for o in bundle.objects if o.type == "indicator")
    assert "[ipv4-addr:value = '198.51.100.9']" in patterns
    assert "[user-account:user_id = 'it\\'s\\\\tricky']" in patterns
    assert "[autonomous-system:number = 64501]" in patterns
    assert all(o.relationship_type == "indicates" for o in bundle.objects if o.type == "relationship")
    triage(client, tokens["analyst"], "cmp-b", "confirm")  # lists cmp-a, dismissed: no relation to export
    store(engine, make_alert("cmp-r", 1, ["r-0", "r-1", "r-2"], related_campaigns=[{"campaign_id": "cmp-b"},
                                                                                  {"campaign_id": "cmp-q"}]))
    triage(client, tokens["analyst"], "cmp-r", "confirm")
    bundle = stix2.parse(client.get("/api/v1/exports/stix", headers=bearer(tokens["viewer"])).text,
                         allow_custom=True)
    campaign_of = {o.id: o.name for o in bundle.objects if o.type == "campaign"}
    related = sorted(sorted((campaign_of[o.source_ref], campaign_of[o.target_ref])) for o in bundle.objects
                     if o.type == "relationship" and o.relationship_type == "related-to")
    assert related == [["cmp-b", "cmp-r"], ["cmp-q", "cmp-r"]]
    again = json.loads(client.get("/api/v1/exports/stix", headers=bearer(tokens["viewer"])).text)
    assert sorted(o["id"] for o in again["objects"]) == sorted(o.id for o in bundle.objects)  # stable ids


def test_triage_labels_for_evaluate(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    store(engine, make_alert("cmp-d", 1, ["b-0", "d-1", "d-2"]))
    triage(client, tokens["analyst"], "cmp-b", "confirm")
    triage(client, tokens["analyst"], "cmp-d", "dismiss")
    labels = export_labels(engine)
    assert labels["campaign_start"] == {"cmp-b": "2026-03-01T06:00:00Z"}
    assert labels["accounts"]["b-0"] == "cmp-b"  # confirmed wins over dismissed
    assert labels["accounts"]["d-1"] == "dismissed:cmp-d"
    assert "cmp-a-acct-0" not in labels["accounts"]  # open campaigns are not labelled
    from detector.evaluation import evaluate

    result = evaluate(
        [make_alert("cmp-b", 2, [f"b-{i}" for i in range(6)]), make_alert("cmp-d", 1, ["d-1"])],
        labels,
        min_caught=1,
    )
    assert result.recall == 1.0 and result.false_positives_by_group == {"dismissed:cmp-d": 1}
