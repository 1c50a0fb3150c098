"""The analyst-service commands: token, db, triage export, serve (real processes on a real SQLite store)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from hw_api import make_alert, store
from served import free_port, wait_until_healthy
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hydrawatch.cli import app
from hydrawatch.store import make_engine
from hydrawatch.store.auth import find_token
from hydrawatch.store.migrate import head
from hydrawatch.store.triage import triage_campaign

runner = CliRunner()


def test_token_create_prints_the_token_last(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hw.db"
    result = runner.invoke(app, ["token", "create", "--role", "analyst", "--name", "ci", "--db", url])
    assert result.exit_code == 0, result.output
    value = result.output.strip().splitlines()[-1]
    with Session(make_engine(url)) as session:
        row = find_token(session, value)
        assert row is not None and (row.role, row.name) == ("analyst", "ci")
    bad = runner.invoke(app, ["token", "create", "--role", "root", "--db", url])
    assert bad.exit_code == 2
    listed = runner.invoke(app, ["token", "list", "--db", url])
    assert "analyst" in listed.output and value not in listed.output
    assert runner.invoke(app, ["token", "revoke", str(row.id), "--db", url]).exit_code == 0
    assert runner.invoke(app, ["token", "revoke", str(row.id), "--db", url]).exit_code == 1


def test_db_upgrade_and_triage_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hw.db"
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert upgraded.exit_code == 0 and f"revision {head()}" in upgraded.output
    assert f"current {head()}, latest {head()}" in runner.invoke(app, ["db", "current", "--db", url]).output
    engine = make_engine(url)
    store(engine, make_alert("cmp-a", 1, ["a1", "a2", "a3"]), make_alert("cmp-b", 1, ["b1", "b2", "b3"]))
    with Session(engine) as session, session.begin():
        triage_campaign(session, "cmp-a", "confirm", "", "cli")
        triage_campaign(session, "cmp-b", "dismiss", "", "cli")
    out = tmp_path / "labels.json"
    result = runner.invoke(app, ["triage", "export", "--db", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    labels = json.loads(out.read_text())
    assert labels["accounts"] == {
        "a1": "cmp-a",
        "a2": "cmp-a",
        "a3": "cmp-a",
        "b1": "dismissed:cmp-b",
        "b2": "dismissed:cmp-b",
        "b3": "dismissed:cmp-b",
    }
    alerts = tmp_path / "alerts.jsonl"
    alerts.write_text(json.dumps(make_alert("cmp-a", 1, ["a1", "a2", "a3", "b1"])) + "\n")
    evaluated = runner.invoke(app, ["evaluate", "--alerts", str(alerts), "--labels", str(out), "--json"])
    assert evaluated.exit_code == 0 and json.loads(evaluated.output)["precision"] == 0.75


def test_serve_answers_health_checks(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path}/hw.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "hydrawatch.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert wait_until_healthy(port, process) == {"status": "ok", "database": "ok"}
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/campaigns", timeout=2)
            raise AssertionError("the API answered without a token")
        except urllib.error.HTTPError as error:
            assert error.code == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
