"""Analyst-service latency: campaign list and detail (pages and API), 10,000 campaigns, 1,000,000 stored
requests, SQLite.

The store keeps no raw requests; "stored requests" are rows of ``account_activity`` (requests per account,
hour and model, what replay records), which the campaign and account pages query for their timelines. The
store is seeded directly (Core bulk inserts of realistic alert payloads), then a real ``hydrawatch serve``
process is timed over loopback, one request at a time, signed in like a browser (pages) or with a token (API).

Usage: python bench/bench_api.py [--campaigns 10000] [--activity 1000000] [--requests 300] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))
TARGET_MS = 200.0
SEVERITIES = ("low", "medium", "high", "critical")
MODELS = ("atlas-2", "atlas-3", "atlas-3-mini", "orion-1")


def seed(url: str, campaigns: int, activity: int, rng: random.Random) -> dict[str, Any]:
    """Fill the store; returns campaign ids, accounts and an admin token."""
    from hw_api import make_alert
    from sqlalchemy.orm import Session

    from hydrawatch.store import make_engine
    from hydrawatch.store.accounts import AccountRow, ActivityRow
    from hydrawatch.store.auth import create_token
    from hydrawatch.store.feed import AlertFeedRow
    from hydrawatch.store.migrate import upgrade
    from hydrawatch.store.models import AlertRow, CampaignRow, MemberRow

    engine = make_engine(url)
    upgrade(engine)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids, accounts = [], []
    camp_rows, alert_rows, member_rows, account_rows, feed_rows = [], [], [], [], []
    for n in range(campaigns):
        size = rng.randint(200, 500) if rng.random() < 0.01 else rng.randint(3, 20)
        members = [f"acct-{n:05d}-{i:03d}" for i in range(size)]
        detected = base + timedelta(minutes=15 * n)
        severity = rng.choice(SEVERITIES)
        alert = make_alert(f"cmp-{n:016x}", 1, members, severity=severity, score=round(rng.random(), 4))
        alert["detected_at"] = detected.isoformat().replace("+00:00", "Z")
        cid = alert["campaign_id"]
        ids.append(cid)
        accounts.extend(members)
        status = rng.choices(("open", "confirmed", "dismissed"), (8, 1, 1))[0]
        camp_rows.append(
            dict(
                campaign_id=cid,
                version=1,
                severity=severity,
                score=alert["score"],
                status=status,
                size=size,
                first_seen=detected - timedelta(hours=3),
                detected_at=detected,
                summary=alert["summary"],
                shadow=False,
                alert=alert,
            )
        )
        alert_rows.append(
            dict(
                alert_id=alert["alert_id"],
                campaign_id=cid,
                version=1,
                severity=severity,
                score=alert["score"],
                detected_at=detected,
                payload=alert,
            )
        )
        feed_rows.append(dict(alert_id=alert["alert_id"], campaign_id=cid, stored_at=detected))
        for account in members:
            member_rows.append(dict(campaign_id=cid, account_id=account, since_version=1))
            account_rows.append(
                dict(
                    account_id=account,
                    first_alerted_at=detected,
                    last_alerted_at=detected,
                    alert_versions=1,
                    campaigns=1,
                    max_score=alert["score"],
                    max_severity=severity,
                )
            )
    hour0 = int(base.timestamp() // 3600)
    keys: set[tuple[str, int, str]] = set()
    while len(keys) < activity:
        account = accounts[rng.randrange(len(accounts))]
        keys.add((account, hour0 + int(account[5:10]) // 4 + rng.randrange(48), rng.choice(MODELS)))
    activity_rows = [dict(account_id=a, hour=h, model=m, requests=rng.randint(1, 60)) for a, h, m in keys]
    with Session(engine) as session, session.begin():
        for model, rows in (
            (CampaignRow, camp_rows),
            (AlertRow, alert_rows),
            (AlertFeedRow, feed_rows),
            (MemberRow, member_rows),
            (AccountRow, account_rows),
            (ActivityRow, activity_rows),
        ):
            table = model.__table__
            for start in range(0, len(rows), 20_000):
                session.execute(table.insert(), rows[start : start + 20_000])  # type: ignore[attr-defined]
        token, _ = create_token(session, "admin", "bench")
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return {"ids": ids, "accounts": accounts, "token": token, "members": len(member_rows)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99), "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--activity", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per scenario")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()
    rng = random.Random(7)
    workdir = Path(tempfile.mkdtemp(prefix="hw-bench-api-"))
    db = args.db or workdir / "bench.db"
    url = f"sqlite:///{db}"
    started = time.perf_counter()
    data = seed(url, args.campaigns, args.activity, rng)
    print(
        f"seeded {args.campaigns:,} campaigns, {data['members']:,} members, {args.activity:,} activity rows "
        f"(stored requests) in {time.perf_counter() - started:.1f} s; {db.stat().st_size / 1e6:.0f} MB"
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "hydrawatch.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"HYDRAWATCH_LOG_LEVEL": "WARNING", "PATH": "/usr/bin:/bin"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            form = client.get("/login").text
            nonce = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"token": data["token"], "csrf_token": nonce})
            api = {"Authorization": f"Bearer {data['token']}"}
            ids, accounts = data["ids"], data["accounts"]
            pages = args.campaigns // 50
            scenarios = {
                "page / (overview)": lambda: client.get("/"),
                "page /campaigns (random page)": lambda: client.get(
                    f"/campaigns?page={rng.randint(1, pages)}"
                ),
                "page /campaigns (filtered)": lambda: client.get(
                    f"/campaigns?status=open&severity={rng.choice(SEVERITIES)}&sort=-score&min_size=5"
                ),
                "page /campaigns/{id}": lambda: client.get(f"/campaigns/{rng.choice(ids)}"),
                "page /accounts/{id}": lambda: client.get(f"/accounts/{rng.choice(accounts)}"),
                "API GET /campaigns": lambda: client.get(
                    "/api/v1/campaigns",
                    params={"limit": 50, "offset": rng.randrange(args.campaigns)},
                    headers=api,
                ),
                "API GET /campaigns/{id}": lambda: client.get(
                    f"/api/v1/campaigns/{rng.choice(ids)}", headers=api
                ),
                "API GET /campaigns/{id}/timeline": lambda: client.get(
                    f"/api/v1/campaigns/{rng.choice(ids)}/timeline", headers=api
                ),
            }
            print(f"{'scenario':36} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            worst = 0.0
            for name, call in scenarios.items():
                for _ in range(10):
                    call()  # warm up
                samples = []
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    response = call()
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200, (name, response.status_code)
                stats = percentiles(samples)
                worst = max(worst, stats["p95"])
                cells = " ".join(f"{stats[k]:8.1f}" for k in ("p50", "p95", "p99", "max"))
                print(f"{name:36} {cells}")
            verdict = "meets" if worst < TARGET_MS else "MISSES"
            print(f"worst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
