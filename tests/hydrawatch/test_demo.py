"""`hydrawatch demo`, the README's first command: simulate, replay into SQLite, print the quality, then serve the
dashboard with an admin token (a real process on a real port)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

from served import free_port, wait_until_healthy


def test_demo_replays_into_sqlite_and_serves_the_dashboard(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hydrawatch.cli", "demo", "--out", str(tmp_path), "--scale", "0.1", "--days", "0.5",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # pytest-timeout bounds the wait
            lines.append(line.rstrip("\n"))
            if line.startswith("login token (admin): "):
                break
        printed = "\n".join(lines)
        assert process.poll() is None, printed
        quality = re.search(r"^precision (\d\.\d+), recall (\d\.\d+)", printed, re.M)
        assert quality is not None and float(quality[1]) >= 0.9 and float(quality[2]) >= 0.8, printed
        hint = next(line for line in lines if line.startswith("next: "))
        assert hint.endswith(str(tmp_path / "labels.json")), "the next command is printed whole, on one line"
        token = lines[-1].split(": ", 1)[1]

        alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        with sqlite3.connect(tmp_path / "hydrawatch.db") as db:
            stored = db.execute("SELECT count(DISTINCT campaign_id) FROM alerts").fetchone()[0]
        assert alerts and stored == len({a["campaign_id"] for a in alerts})

        wait_until_healthy(port, process)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/campaigns",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            listed = json.loads(response.read())
        ids = {c["campaign_id"] for c in (listed["items"] if isinstance(listed, dict) else listed)}
        assert ids == {a["campaign_id"] for a in alerts}
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert "LOAD REPORT" not in errors and "Loading weights" not in errors, "library chatter on stderr"
