"""`hydrawatch webhook listen`: the local receiver verifies (standardwebhooks), dedupes by webhook-id, and
rejects a wrong secret or a replayed old timestamp; `webhook new-secret` and `webhook replay-dead`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
from hw_api import make_alert, store
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hydrawatch.cli import app
from hydrawatch.settings import WebhookSettings
from hydrawatch.store import make_engine
from hydrawatch.store.migrate import upgrade
from hydrawatch.webhooks.endpoints import create_endpoint
from hydrawatch.webhooks.signing import generate_secret, secret_key, sign_headers
from hydrawatch.webhooks.worker import DeliveryWorker

runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_listen_verifies_and_dedupes(tmp_path: Path, secret: str, sqlite_url: str, fast: WebhookSettings) -> None:
    port, out = free_port(), tmp_path / "received.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "HYDRAWATCH_CONFIG_FILE"}
    proc = subprocess.Popen([sys.executable, "-m", "hydrawatch.cli", "webhook", "listen", "--port", str(port),
                             "--secret", secret, "--out", str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.post(url, content=b"{}", timeout=1)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and proc.poll() is None, "listen did not start"
                time.sleep(0.1)
        engine = make_engine(sqlite_url)
        upgrade(engine)
        with Session(engine) as session, session.begin():
            create_endpoint(session, "local", url, secret, "tester")
        store(engine, make_alert("cmp-l", 1), make_alert("cmp-l", 2))
        worker = DeliveryWorker(engine, fast).start()
        try:
            assert worker.drain(20) == 0
        finally:
            worker.stop()
        body = orjson.dumps(make_alert("cmp-l", 1))
        again = httpx.post(url, content=body, headers=sign_headers("cmp-l-v1", body, [secret]))
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        wrong = httpx.post(url, content=body, headers=sign_headers("cmp-x-v1", body, [generate_secret()]))
        assert wrong.status_code == 401
        old = httpx.post(url, content=body, headers=sign_headers("cmp-y-v1", body, [secret],
                                                                 timestamp=int(time.time()) - 3600))
        assert old.status_code == 401 and "too old" in old.text
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=20)
    received = sorted(orjson.loads(line)["alert_id"] for line in out.read_text().splitlines())
    assert received == ["cmp-l-v1", "cmp-l-v2"]  # each once (delivered concurrently: any order)
    assert "cmp-l-v1" in stdout and "cmp-l-v2" in stdout
    assert "2 accepted, 1 duplicates, 3 rejected" in stderr, stderr  # the start-up probe was unsigned


def test_new_secret_and_replay_dead_cli(sqlite_url: str) -> None:
    made = runner.invoke(app, ["webhook", "new-secret"])
    assert made.exit_code == 0 and len(secret_key(made.output.strip())) == 32
    empty = runner.invoke(app, ["webhook", "replay-dead", "--db", sqlite_url])
    assert empty.exit_code == 0 and "requeued 0" in empty.output
    missing = runner.invoke(app, ["webhook", "replay-dead", "--db", sqlite_url, "--endpoint", "nope"])
    assert missing.exit_code == 2
