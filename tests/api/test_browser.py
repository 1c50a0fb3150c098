"""End to end in real headless Chromium (Debian's, driven by Playwright) against a live server:
sign in, open a campaign, triage it, see new alerts arrive without reloading, and no XSS payload ever runs."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hw_api import hostile_alert, make_alert, need, seed, store, token

from api.app import create_app
from api.dashboard.render import seg
from hydrawatch.settings import Settings
from hydrawatch.store import make_engine

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("HYDRAWATCH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class LiveServer:
    """uvicorn serving the app on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'hw.db'}"
    settings = Settings(db_url=url)
    settings.api.poll_interval_s = 2
    engine = make_engine(url)
    app = create_app(settings, engine)
    seed(engine)
    hostile = hostile_alert()
    store(engine, hostile)
    with LiveServer(app) as base:
        yield {
            "base": base,
            "engine": engine,
            "hostile": hostile,
            "tokens": {role: token(engine, role) for role in ("viewer", "analyst", "admin")},
        }


@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    need(
        Path(CHROMIUM).is_file(), f"{CHROMIUM} not found: install Debian's chromium (bash scripts/ci-deps.sh)"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install -e '.[dev]')")
    user_data = tempfile.mkdtemp(prefix="hw-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.problems = []  # type: ignore[attr-defined]

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    yield page
    browser_context.clear_cookies()
    page.close()


def sign_in(page: Any, site: dict[str, Any], role: str) -> None:
    page.goto(site["base"] + "/")
    assert page.url.startswith(site["base"] + "/login")
    page.fill("#token", site["tokens"][role])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(site["base"] + "/")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_in_open_a_campaign_and_triage_it(page: Any, site: dict[str, Any]) -> None:
    sign_in(page, site, "analyst")
    assert page.locator("[data-count='open-critical']").inner_text() == "1"
    page.wait_for_selector("#alerts-chart .uplot canvas")
    shot(page, "e2e-overview")
    page.click("nav >> text=Campaigns")
    page.click("#campaign-table a[href='/campaigns/cmp-b']")
    page.wait_for_selector("#timeline-chart .uplot canvas")
    assert page.locator("#members tbody tr").count() == 6
    assert "hidden_linkage" in page.locator("table.signals").inner_text()
    shot(page, "e2e-campaign")
    page.check("input[name=action][value=dismiss]")
    page.fill("#comment", "a customer's load test")
    page.click("form.triage button[type=submit]")
    page.wait_for_url(site["base"] + "/campaigns/cmp-b#triage")
    assert page.locator("#campaign-status").inner_text() == "dismissed"
    assert "a customer's load test" in page.locator("table.trail").inner_text()
    shot(page, "e2e-campaign-triaged")
    page.click("#members a >> nth=0")
    page.wait_for_selector("h1 >> text=Account")
    shot(page, "e2e-account")
    assert page.dialogs == [] and page.problems == []


def test_new_alerts_show_up_without_reload(page: Any, site: dict[str, Any]) -> None:
    sign_in(page, site, "viewer")
    assert page.locator("#live-alerts").is_hidden()
    critical = int(page.locator("[data-count='open-critical']").inner_text())
    store(
        site["engine"],
        make_alert("cmp-live", 1, ["live-1", "live-2", "live-3"], severity="critical", hours=9),
    )
    page.wait_for_selector("#live-list a[href='/campaigns/cmp-live']", timeout=15_000)
    assert page.locator("#live-alerts").is_visible()
    from playwright.sync_api import expect

    expect(page.locator("[data-count='open-critical']")).to_have_text(str(critical + 1), timeout=10_000)
    shot(page, "e2e-live-alert")
    assert page.dialogs == [] and page.problems == []


def test_xss_payloads_never_execute(page: Any, site: dict[str, Any]) -> None:
    sign_in(page, site, "admin")
    hostile = site["hostile"]
    campaign = f"/campaigns/{seg(hostile['campaign_id'])}"
    for path in ["/", "/campaigns", campaign, "/triage"] + [
        f"/accounts/{seg(a)}" for a in hostile["accounts"]
    ]:
        response = page.goto(site["base"] + path)
        assert response is not None and response.status == 200, path
        for details in page.locator("details").all()[:5]:
            details.click()
    page.goto(site["base"] + campaign)
    shot(page, "e2e-hostile-campaign")
    links = page.locator("#members a")
    for index in range(links.count()):
        links.nth(index).click()
        page.wait_for_load_state()
        assert page.url.startswith(site["base"] + "/accounts/")
        page.go_back()
    page.wait_for_timeout(500)
    assert page.dialogs == [], f"a payload ran: {page.dialogs}"
    assert not [p for p in page.problems if "Refused" in p or "page error" in p], page.problems


def test_api_docs_are_served_locally(page: Any, site: dict[str, Any]) -> None:
    sign_in(page, site, "viewer")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site["base"] + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "hydrawatch" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag").count() >= 6
    assert all(url.startswith(site["base"]) or url.startswith("data:") for url in requests), requests
    assert page.dialogs == [] and not [p for p in page.problems if "Refused" in p]
