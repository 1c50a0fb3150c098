"""A delivery process killed (SIGKILL) in the middle of retries: a new process on the same store delivers
every alert exactly once per endpoint (claims of the dead process expire; delivered rows are final)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hw_api import make_alert, store
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from webhook_receiver import OK, Receiver, Reply

from hydrawatch.webhooks.endpoints import create_endpoint

FAST_ENV = {
    "HYDRAWATCH_WEBHOOKS__TIMEOUT_S": "1",
    "HYDRAWATCH_WEBHOOKS__BACKOFF_INITIAL_S": "0.1",
    "HYDRAWATCH_WEBHOOKS__BACKOFF_MAX_S": "0.3",
    "HYDRAWATCH_WEBHOOKS__POLL_INTERVAL_S": "0.1",
    "HYDRAWATCH_WEBHOOKS__CLAIM_LEASE_S": "2",
    "HYDRAWATCH_WEBHOOKS__RETRY_HORIZON_S": "120",
}


def deliver(db_url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **FAST_ENV}
    env.pop("HYDRAWATCH_CONFIG_FILE", None)
    with open(log, "ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "hydrawatch.cli", "webhook", "deliver", "--db", db_url,
                                 *args], env=env, stdout=handle, stderr=subprocess.STDOUT)


def test_killed_delivery_process_then_a_new_one_delivers_each_alert_once(
        db_url: str, engine: Engine, secret: str, tmp_path: Path) -> None:
    healthy = {"ok": False}
    with Receiver(secret, lambda _i, _n: OK if healthy["ok"] else Reply(503, delay=0.2)) as receiver:
        with Session(engine) as session, session.begin():
            create_endpoint(session, "ops", receiver.url, secret, "tester")
        alerts = [make_alert(f"cmp-{i}") for i in range(6)]
        store(engine, *alerts)
        log = tmp_path / "deliver.log"
        first = deliver(db_url, log, "--forever")
        try:
            assert receiver.wait_for(lambda: all(
                sum(1 for a in receiver.attempts if a.msg_id == x["alert_id"]) >= 2 for x in alerts), 60), \
                log.read_text()
        finally:
            first.kill()  # no clean shutdown: requests in flight keep their claim until the lease ends
            first.wait(10)
        healthy["ok"] = True
        started = time.monotonic()
        second = deliver(db_url, log, "--max-wait", "30")
        assert second.wait(60) == 0, log.read_text()
        assert time.monotonic() - started < 30
        assert receiver.accepted == {a["alert_id"]: 1 for a in alerts}
        assert all(a.verified for a in receiver.attempts)
