"""Every API route for every role, on SQLite and PostgreSQL: 401 without a token, 403 below its role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hw_api import bearer, seed, token
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.store.allowlists import list_entries

ROLES = ("viewer", "analyst", "admin")
# (method, path, json body, lowest role allowed, status on success)
ROUTES: list[tuple[str, str, Any, str, int]] = [
    ("GET", "/api/v1/campaigns", None, "viewer", 200),
    ("GET", "/api/v1/campaigns/cmp-a", None, "viewer", 200),
    ("GET", "/api/v1/campaigns/cmp-a/timeline", None, "viewer", 200),
    ("GET", "/api/v1/campaigns/cmp-a/alerts", None, "viewer", 200),
    ("GET", "/api/v1/alerts/feed", None, "viewer", 200),
    ("GET", "/api/v1/alerts/cmp-a-v1", None, "viewer", 200),
    ("GET", "/api/v1/accounts", None, "viewer", 200),
    ("GET", "/api/v1/accounts/cmp-a-acct-0", None, "viewer", 200),
    ("POST", "/api/v1/campaigns/cmp-a/triage", {"action": "confirm", "comment": "ok"}, "analyst", 201),
    ("GET", "/api/v1/campaigns/cmp-a/triage", None, "viewer", 200),
    ("GET", "/api/v1/triage", None, "viewer", 200),
    ("GET", "/api/v1/allowlists", None, "analyst", 200),
    ("POST", "/api/v1/allowlists", {"kind": "accounts", "value": "acct-x"}, "analyst", 201),
    ("GET", "/api/v1/allowlists/{entry}", None, "analyst", 200),
    ("PATCH", "/api/v1/allowlists/{entry}", {"comment": "new"}, "analyst", 200),
    ("DELETE", "/api/v1/allowlists/{entry}", None, "analyst", 204),
    ("GET", "/api/v1/exports/accounts.csv", None, "viewer", 200),
    ("GET", "/api/v1/exports/stix", None, "viewer", 200),
    ("GET", "/api/v1/me", None, "viewer", 200),
    ("GET", "/api/v1/tokens", None, "admin", 200),
    ("POST", "/api/v1/tokens", {"role": "viewer", "name": "ci"}, "admin", 201),
    ("DELETE", "/api/v1/tokens/{victim}", None, "admin", 204),
    ("GET", "/api/v1/openapi.json", None, "viewer", 200),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "lowest", "ok"), ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES]
)
def test_route_roles(
    client: TestClient,
    engine: Engine,
    tokens: dict[str, str],
    method: str,
    path: str,
    body: Any,
    lowest: str,
    ok: int,
) -> None:
    seed(engine)
    with Session(engine) as session:
        entry = list_entries(session)[0].id
    for role in ROLES:
        victim = token(engine, "viewer", "to revoke")
        from hydrawatch.store.auth import find_token

        with Session(engine) as session:
            victim_id = find_token(session, victim).id  # type: ignore[union-attr]
        url = path.format(entry=entry, victim=victim_id)
        if method == "DELETE" and "{entry}" in path:  # each role deletes its own entry
            entry_response = client.post(
                "/api/v1/allowlists",
                json={"kind": "orgs", "value": f"org-{role}"},
                headers=bearer(tokens["admin"]),
            )
            url = path.format(entry=entry_response.json()["id"], victim=victim_id)
        anonymous = client.request(method, url, json=body)
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.headers["www-authenticate"] == "Bearer"
        response = client.request(method, url, json=body, headers=bearer(tokens[role]))
        allowed = ROLES.index(role) >= ROLES.index(lowest)
        expected = ok if allowed else 403
        if allowed and method == "POST" and "allowlists" in path and role != lowest:
            expected = 409  # the same entry again
        assert response.status_code == expected, f"{role}: {response.text}"
        if not allowed:
            assert lowest in response.json()["detail"]


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_bad_tokens_are_refused(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    for header in (
        "Bearer nope",
        "Bearer hw_" + "x" * 43,
        "Basic abc",
        "Bearer",
        "bearer  ",
        tokens["admin"],
    ):
        response = client.get("/api/v1/campaigns", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_revoked_token_stops_working(client: TestClient, tokens: dict[str, str]) -> None:
    created = client.post("/api/v1/tokens", json={"role": "analyst"}, headers=bearer(tokens["admin"]))
    assert created.status_code == 201
    new = created.json()
    assert new["token"].startswith("hw_") and new["role"] == "analyst"
    assert client.get("/api/v1/me", headers=bearer(new["token"])).json()["role"] == "analyst"
    listed = client.get("/api/v1/tokens", headers=bearer(tokens["admin"])).json()["items"]
    assert all("token" not in item and "token_hash" not in item for item in listed)
    assert client.delete(f"/api/v1/tokens/{new['id']}", headers=bearer(tokens["admin"])).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(new["token"])).status_code == 401
    assert client.delete(f"/api/v1/tokens/{new['id']}", headers=bearer(tokens["admin"])).status_code == 404


PAGED = [("/api/v1/campaigns", "limit"), ("/api/v1/campaigns/cmp-a", "members_limit"), ("/api/v1/alerts/feed", "limit"),
         ("/api/v1/accounts", "limit"), ("/api/v1/campaigns/cmp-a/triage", "limit"), ("/api/v1/triage", "limit"),
         ("/api/v1/webhooks/deliveries", "limit")]


def test_every_page_size_is_capped_by_the_setting_and_documented(db_url: str, engine: Engine) -> None:
    """``api.max_page_size`` caps every list endpoint's page (422 above it, naming the cap) and the OpenAPI
    document states it as each page-size parameter's maximum."""
    from api.app import create_app
    from hydrawatch.settings import Settings

    seed(engine)
    settings = Settings(db_url=db_url)
    settings.api.max_page_size = 7
    admin = bearer(token(engine, "admin"))
    with TestClient(create_app(settings, engine), base_url="http://127.0.0.1") as client:
        for path, name in PAGED:
            assert client.get(path, params={name: 7}, headers=admin).status_code == 200, path
            refused = client.get(path, params={name: 8}, headers=admin)
            assert (refused.status_code, refused.json()["detail"]) == (422, f"{name} must be at most 7"), path
        document = client.get("/api/v1/openapi.json", headers=admin).json()
    documented = {(path, p["name"]): p["schema"].get("maximum") for path, item in document["paths"].items()
                  for p in item.get("get", {}).get("parameters", []) if p["name"] in ("limit", "members_limit")}
    assert set(documented.values()) == {7}
    assert len(documented) == len(PAGED)
