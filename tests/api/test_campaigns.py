"""Campaign list (filters, sorting, pages), detail, timeline, alert history and accounts, on both stores."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hw_api import RELATED_TO_A, bearer, seed
from sqlalchemy.engine import Engine


def get(client: TestClient, tokens: dict[str, str], url: str, **params: object) -> dict:
    response = client.get(url, params=params, headers=bearer(tokens["viewer"]))
    assert response.status_code == 200, response.text
    return response.json()


def ids(page: dict) -> list[str]:
    return [item["campaign_id"] for item in page["items"]]


def test_list_filters_and_sorting(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    url = "/api/v1/campaigns"
    assert ids(get(client, tokens, url)) == ["cmp-b", "cmp-a", "cmp-c"]  # newest detection first
    assert ids(get(client, tokens, url, sort="detected_at")) == ["cmp-c", "cmp-a", "cmp-b"]
    assert ids(get(client, tokens, url, sort="-severity")) == ["cmp-b", "cmp-a", "cmp-c"]
    assert ids(get(client, tokens, url, sort="-size")) == ["cmp-b", "cmp-a", "cmp-c"]
    assert ids(get(client, tokens, url, severity=["critical", "low"])) == ["cmp-b", "cmp-c"]
    assert ids(get(client, tokens, url, min_size=4, max_size=4)) == ["cmp-a"]
    assert ids(get(client, tokens, url, shadow=True)) == ["cmp-c"]
    assert ids(get(client, tokens, url, since="2026-03-01T08:30:00Z")) == ["cmp-b", "cmp-a"]
    assert ids(get(client, tokens, url, since="2026-03-01T09:30:00+01:00")) == ["cmp-b", "cmp-a"]
    assert ids(get(client, tokens, url, until="2026-03-01T08:30:00Z")) == ["cmp-c"]
    assert ids(get(client, tokens, url, account="b-5")) == ["cmp-b"]
    assert ids(get(client, tokens, url, status="dismissed")) == []
    page = get(client, tokens, url, limit=2, offset=1)
    assert (page["total"], page["limit"], page["offset"], ids(page)) == (3, 2, 1, ["cmp-a", "cmp-c"])
    first = get(client, tokens, url)["items"][0]
    assert first == {
        "campaign_id": "cmp-b",
        "version": 2,
        "severity": "critical",
        "score": 0.95,
        "status": "open",
        "size": 6,
        "first_seen": "2026-03-01T06:00:00.000Z",
        "detected_at": "2026-03-01T11:00:00.000Z",
        "summary": "6 accounts linked by hidden shared_payment",
        "shadow": False,
    }


def test_detail_explains_the_campaign(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    detail = get(client, tokens, "/api/v1/campaigns/cmp-b", members_limit=4)
    assert [s["name"] for s in detail["signals"]] == ["extraction_intent", "hidden_linkage"]
    assert detail["signals"][1]["evidence"]["examples"][0]["shared"] == {"payment_fingerprints": ["pf_1"]}
    assert detail["sample_prompts"] == ["Explain your reasoning step by step."]
    assert detail["infrastructure"]["ips"][0] == ["203.0.113.5", 10]
    assert detail["related"] == [RELATED_TO_A]
    assert get(client, tokens, "/api/v1/campaigns/cmp-a")["related"] == []
    assert detail["absorbed"] == ["cmp-x"]  # ids only: other producers' malformed entries are dropped
    assert get(client, tokens, "/api/v1/campaigns/cmp-a")["absorbed"] == []
    assert detail["members"]["total"] == 6 and len(detail["members"]["items"]) == 4
    assert {m["account_id"]: m["since_version"] for m in detail["members"]["items"]}["b-0"] == 1
    later = get(client, tokens, "/api/v1/campaigns/cmp-b", members_limit=4, members_offset=4)["members"][
        "items"
    ]
    assert [(m["account_id"], m["since_version"]) for m in later] == [("b-4", 2), ("b-5", 2)]
    assert [a["alert_id"] for a in detail["alerts"]] == ["cmp-b-v2", "cmp-b-v1"]
    assert detail["triage"] == []


def test_timeline_by_model(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    series = get(client, tokens, "/api/v1/campaigns/cmp-a/timeline")
    assert len(series["x"]) == 3 and series["x"] == sorted(series["x"])
    assert series["total"] == [5, 7, None]  # the alert's totals where it has them
    assert {m["model"]: m["counts"] for m in series["models"]} == {
        "atlas-2": [20, 16, 12],
        "atlas-3": [20, 16, 12],
    }


def test_alert_history_and_feed(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    history = get(client, tokens, "/api/v1/campaigns/cmp-b/alerts", payloads=True)
    assert [item["version"] for item in history["items"]] == [2, 1]
    assert len(history["items"][1]["payload"]["accounts"]) == 4
    assert get(client, tokens, "/api/v1/alerts/cmp-b-v1")["version"] == 1
    feed = get(client, tokens, "/api/v1/alerts/feed")
    assert feed["latest"] == 4 and [a["alert_id"] for a in feed["alerts"]][0] == "cmp-c-v1"
    assert get(client, tokens, "/api/v1/alerts/feed", after=4)["alerts"] == []
    assert feed["counts"]["open_by_severity"] == {"low": 1, "medium": 0, "high": 1, "critical": 1}


def test_accounts(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    listing = get(client, tokens, "/api/v1/accounts", limit=100)
    assert listing["total"] == 13
    b0 = next(a for a in listing["items"] if a["account_id"] == "b-0")
    assert (b0["alert_versions"], b0["campaigns"], b0["max_severity"]) == (2, 1, "critical")
    assert get(client, tokens, "/api/v1/accounts", severity="low")["total"] == 3
    detail = get(client, tokens, "/api/v1/accounts/cmp-a-acct-1")
    assert [c["campaign_id"] for c in detail["campaigns"]] == ["cmp-a"]
    assert detail["evidence"][0]["linked_account"] == "cmp-a-acct-0"
    assert detail["activity"]["requests"] == 2 * (3 + 4 + 5)


def test_unknown_things_are_404(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    for url in (
        "/api/v1/campaigns/nope",
        "/api/v1/campaigns/nope/timeline",
        "/api/v1/campaigns/nope/alerts",
        "/api/v1/campaigns/nope/triage",
        "/api/v1/alerts/nope",
        "/api/v1/accounts/nope",
        "/api/v1/allowlists/999",
        "/api/v1/nothing-here",
    ):
        response = client.get(url, headers=bearer(tokens["admin"]))
        assert response.status_code == 404, url
        assert response.json()["detail"]
