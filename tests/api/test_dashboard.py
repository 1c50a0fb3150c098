"""The dashboard over HTTP (server side): sign-in, roles, CSRF, headers, escaping."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from hw_api import XSS, hostile_alert, make_alert, seed, store
from sqlalchemy.engine import Engine

from api.dashboard.render import seg

PAGES = [
    "/",
    "/campaigns",
    "/campaigns/cmp-a",
    "/accounts/cmp-a-acct-0",
    "/triage",
    "/api/v1/docs",
    "/campaigns?status=open&severity=high&sort=-score&min_size=1&page=1",
]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def login(client: TestClient, token: str, next_path: str = "/") -> str:
    form = client.get("/login", params={"next": next_path})
    assert form.status_code == 200
    response = client.post(
        "/login",
        data={"token": token, "next": next_path, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert "hw_session" in response.cookies or "hw_session" in client.cookies
    return str(response.headers["location"])


def test_pages_need_a_session(client: TestClient, engine: Engine) -> None:
    seed(engine)
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
    assert client.get("/ui/poll").status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_login_and_every_page(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    assert login(client, tokens["viewer"], "/campaigns?status=open") == "/campaigns?status=open"
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
        assert response.headers["x-frame-options"] == "DENY"
        assert not re.search(r"<script(?![^>]*(src=\"/static/|type=\"application/json\"))", response.text), (
            path
        )
    poll = client.get("/ui/poll", params={"after": 0}).json()
    assert poll["latest"] == 4 and len(poll["alerts"]) == 4
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "hydrawatch"
    assert client.get("/allowlists").status_code == 403  # viewers do not see allow-lists


def test_login_rejects_bad_tokens_csrf_and_open_redirects(client: TestClient, tokens: dict[str, str]) -> None:
    form = client.get("/login")
    nonce = csrf_of(form.text)
    bad = client.post("/login", data={"token": "hw_wrong", "csrf_token": nonce})
    assert bad.status_code == 401 and "not valid" in bad.text
    no_csrf = client.post("/login", data={"token": tokens["admin"], "csrf_token": "forged"})
    assert no_csrf.status_code == 403 and "hw_session" not in client.cookies
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert login(client, tokens["viewer"], target) == "/"


def test_triage_and_allowlist_forms(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    login(client, tokens["viewer"])
    page = client.get("/campaigns/cmp-a")
    assert "Viewers cannot triage" in page.text
    denied = client.post(
        "/campaigns/cmp-a/triage", data={"action": "confirm", "csrf_token": csrf_of(page.text)}
    )
    assert denied.status_code == 403
    client.cookies.clear()
    login(client, tokens["analyst"])
    csrf = csrf_of(client.get("/campaigns/cmp-a").text)
    assert client.post("/campaigns/cmp-a/triage", data={"action": "confirm"}).status_code == 403
    assert (
        client.post(
            "/campaigns/cmp-a/triage", data={"action": "confirm", "csrf_token": "x" + csrf}
        ).status_code
        == 403
    )
    assert (
        client.post("/campaigns/cmp-a/triage", data={"action": "nuke", "csrf_token": csrf}).status_code == 422
    )
    done = client.post(
        "/campaigns/cmp-a/triage",
        data={"action": "confirm", "comment": "<b>sure</b>", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/campaigns/cmp-a#triage"
    page = client.get("/campaigns/cmp-a").text
    assert "&lt;b&gt;sure&lt;/b&gt;" in page and "status-confirmed" in page
    assert "&lt;b&gt;sure&lt;/b&gt;" in client.get("/triage").text
    added = client.post(
        "/allowlists",
        data={"kind": "ips", "value": "198.51.100.0/24", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert (
        client.post("/allowlists", data={"kind": "ips", "value": "bogus", "csrf_token": csrf}).status_code
        == 422
    )
    listing = client.get("/allowlists").text
    assert "198.51.100.0/24" in listing
    entry = re.findall(r'action="/allowlists/(\d+)/delete"', listing)
    assert client.post(f"/allowlists/{entry[0]}/delete", data={}).status_code == 403
    assert (
        client.post(
            f"/allowlists/{entry[0]}/delete", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.delete("hw_session")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_hostile_data_is_escaped(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    alert = hostile_alert()
    store(engine, alert)
    login(client, tokens["admin"])
    pages = ["/", "/campaigns", f"/campaigns/{seg(alert['campaign_id'])}", "/triage"]
    pages += [f"/accounts/{seg(a)}" for a in alert["accounts"]]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert len(html) < 400_000, f"{path} is {len(html):,} characters: long values should be clipped"
        for marker in (
            "<script>alert",
            "<img src=x",
            "<svg/onload",
            "<iframe",
            'href="javascript:',
            "href=javascript:",
        ):
            assert marker not in html, f"{marker!r} unescaped in {path}"
    detail = client.get(f"/campaigns/{seg(alert['campaign_id'])}").text
    assert "&lt;script&gt;alert(&#39;xss-1&#39;)&lt;/script&gt;" in detail
    assert "more characters" in detail  # 1 MB strings are clipped for display
    assert f'href="/accounts/{seg(XSS[2])}' not in detail  # the javascript: account is a path segment
    assert "/accounts/javascript%3Aalert" in detail
    api = client.get("/ui/poll").json()
    assert api["alerts"][0]["campaign_id"] == alert["campaign_id"]


def test_broken_unicode_never_500s(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    seed(engine)
    login(client, tokens["analyst"])
    headers = {"Authorization": f"Bearer {tokens['analyst']}", "content-type": "application/json"}
    invalid = client.post(
        "/api/v1/allowlists", content=b'{"kind":"accounts","value":"\xff\xfe"}', headers=headers
    )
    assert invalid.status_code == 400 and invalid.json()["detail"]
    assert client.post(
        "/api/v1/allowlists", content=b'{"kind":"accounts","value":"\\ud800"}', headers=headers
    ).status_code in (201, 422)
    for path in (
        "/campaigns/%FF%FE",
        "/accounts/%FF",
        "/api/v1/campaigns/%C3%28",
        "/campaigns/a%00b",
        "/api/v1/accounts/x?y=%00",
    ):
        response = client.get(path, headers={"Authorization": headers["Authorization"]})
        assert 400 <= response.status_code < 500, (path, response.status_code)
    csrf = csrf_of(client.get("/campaigns/cmp-a").text)
    response = client.post(
        "/campaigns/cmp-a/triage",
        content=b"action=confirm&comment=%FF%FE&csrf_token=" + csrf.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code in (303, 400, 422)
    assert client.get("/campaigns/cmp-a").status_code == 200


def test_lone_surrogates_in_stored_data_render(tmp_path: object) -> None:
    """JSON columns keep what a producer wrote; pages and the API replace what cannot be encoded."""
    from hw_api import make_alert, token

    from api.app import create_app
    from hydrawatch.settings import Settings
    from hydrawatch.store import make_engine

    url = f"sqlite:///{tmp_path}/s.db"
    engine = make_engine(url)
    app = create_app(Settings(db_url=url), engine)
    alert = make_alert("cmp-s", 1, ["acct-1"], sample_prompts=["bad \udcff\ud800 text"])
    alert["signals"][0]["evidence"]["phrases"] = ["\udcfe"]
    store(engine, alert)
    admin = token(engine, "admin")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        api = client.get("/api/v1/campaigns/cmp-s", headers={"Authorization": f"Bearer {admin}"})
        assert api.status_code == 200 and api.json()["sample_prompts"] == ["bad \ufffd\ufffd text"]
        login(client, admin)
        page = client.get("/campaigns/cmp-s")
        assert page.status_code == 200 and "bad \ufffd\ufffd text" in page.text
        assert (
            client.get(
                "/api/v1/exports/accounts.csv", headers={"Authorization": f"Bearer {admin}"}
            ).status_code
            == 200
        )


def test_the_campaign_page_lists_related_campaigns(client: TestClient, engine: Engine, tokens: dict[str, str]) -> None:
    related = {"campaign_id": "cmp-b", "linked_pairs": 12, "accounts_linked": 4, "their_accounts_linked": 3,
               "strongest_link": 0.8125, "pairs_by_link": {"shared_template": 12, "shared_rotating_ips": 5}}
    store(engine, make_alert("cmp-a", related_campaigns=[related, ["malformed"]], absorbed_campaigns=["cmp-z"]),
          make_alert("cmp-b"))
    login(client, tokens["viewer"])
    page = client.get("/campaigns/cmp-a")
    assert page.status_code == 200
    section = page.text[page.text.index('id="related"'):]
    section = section[: section.index("</section>")]
    assert '<a href="/campaigns/cmp-b">cmp-b</a>' in section
    assert "shared_template: 12, shared_rotating_ips: 5" in section and "0.812" in section
    assert "malformed" not in section
    assert '<ul id="absorbed"><li><a href="/campaigns/cmp-z">cmp-z</a></li></ul>' in section
    alone = client.get("/campaigns/cmp-b").text
    assert "None." in alone[alone.index('id="related"'):] and 'id="absorbed"' not in alone
