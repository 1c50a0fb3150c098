"""Helpers of the analyst-service tests: synthetic alerts, the store, skip-or-fail."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.store import save_alert
from hydrawatch.store.auth import create_token
from hydrawatch.store.schema import metadata

BASE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def need(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false; fail instead in CI (CI=true), where it must run."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_alert(
    campaign: str,
    version: int = 1,
    accounts: list[str] | None = None,
    severity: str = "high",
    score: float = 0.8,
    hours: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """An alert shaped like detector/explain.py's, with evidence, infrastructure and a timeline."""
    accounts = accounts if accounts is not None else [f"{campaign}-acct-{i}" for i in range(4)]
    detected = BASE + timedelta(hours=hours)
    alert = {
        "schema_version": 1,
        "alert_id": f"{campaign}-v{version}",
        "campaign_id": campaign,
        "version": version,
        "severity": severity,
        "score": score,
        "accounts": accounts,
        "first_seen": iso(BASE - timedelta(hours=2)),
        "detected_at": iso(detected),
        "signals": [
            {
                "name": "extraction_intent",
                "weight": 1.5,
                "value": 0.9,
                "evidence": {"share": 0.9, "phrases": ["step by step"]},
            },
            {
                "name": "hidden_linkage",
                "weight": 1.2,
                "value": 0.8,
                "evidence": {
                    "pairs_by_link": {"shared_payment": 3},
                    "examples": [
                        {
                            "accounts": accounts[:2],
                            "weight": 0.9,
                            "links": {"shared_payment": 0.9},
                            "shared": {"payment_fingerprints": ["pf_1"]},
                        }
                    ],
                },
            },
        ],
        "summary": f"{len(accounts)} accounts linked by hidden shared_payment",
        "sample_prompts": ["Explain your reasoning step by step."],
        "status": "open",
        "shadow": False,
        "infrastructure": {
            "ips": [["203.0.113.5", 10], ["2001:db8::1", 2]],
            "asns": [[64500, 12]],
            "countries": [["DE", 12]],
            "user_agents": [["python-requests/2.31", 12]],
            "models": [["atlas-2", 12]],
            "payment_fingerprints": [["pf_1", 3]],
        },
        "timeline": [[iso(BASE - timedelta(hours=2)), 5], [iso(BASE - timedelta(hours=1)), 7]],
    }
    alert.update(extra)
    return alert


def store(engine: Engine, *alerts: dict[str, Any]) -> None:
    with Session(engine) as session, session.begin():
        for alert in alerts:
            save_alert(session, alert)


def token(engine: Engine, role: str, name: str = "") -> str:
    with Session(engine) as session, session.begin():
        value, _ = create_token(session, role, name or f"{role} tester")
    return value


def wipe(engine: Engine) -> None:
    """Empty every table (PostgreSQL databases are shared by the tests of a session)."""
    names = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                connection.execute(text(f"DELETE FROM {name}"))


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


RELATED_TO_A = {"campaign_id": "cmp-a", "linked_pairs": 5, "accounts_linked": 3, "their_accounts_linked": 2,
                "strongest_link": 0.71, "pairs_by_link": {"shared_template": 5, "shared_payment": 1}}


def seed(engine: Engine) -> None:
    """Three campaigns (one with two versions, one shadow), an allow-list entry and hourly activity."""
    from hydrawatch.store.accounts import write_activity
    from hydrawatch.store.allowlists import add_entry

    store(
        engine,
        make_alert("cmp-a", 1, severity="high", score=0.8, hours=1),
        make_alert("cmp-b", 1, [f"b-{i}" for i in range(4)], severity="high", score=0.7, hours=2),
        make_alert("cmp-b", 2, [f"b-{i}" for i in range(6)], severity="critical", score=0.95, hours=3,
                   related_campaigns=[RELATED_TO_A], absorbed_campaigns=["cmp-x", 7]),
        make_alert("cmp-c", 1, ["c-0", "c-1", "c-2"], severity="low", score=0.6, hours=0, shadow=True),
    )
    with Session(engine) as session, session.begin():
        add_entry(session, "ips", "10.0.0.0/8", "office", "seed")
    hour = int(BASE.timestamp() // 3600)
    write_activity(
        engine,
        [
            {"account_id": f"cmp-a-acct-{i}", "hour": hour - h, "model": model, "requests": 3 + h}
            for i in range(4)
            for h in range(3)
            for model in ("atlas-2", "atlas-3")
        ],
    )


XSS = [
    "<script>alert('xss-1')</script>",
    "\"><img src=x onerror=alert('xss-2')>",
    "javascript:alert('xss-3')",
    "<svg/onload=alert('xss-4')>",
    "';alert('xss-5');//",
    "</script><script>alert('xss-6')</script>",
    "<a href=\"javascript:alert('xss-7')\">click</a>",
    "<iframe srcdoc=\"<script>alert('xss-8')</script>\"></iframe>",
    "{{7*7}}{% raw %}",
    "\u202eevil\u200b \ufffd\ufffd broken \xff\xfe",
]
MEGABYTE = "A" * 1_000_000


def hostile_alert(
    campaign: str = "cmp-\"><img src=x onerror=alert('xss-9')>", huge: bool = True
) -> dict[str, Any]:
    """An alert whose every attacker-influenced field carries XSS payloads (1 MB strings when ``huge``)."""
    accounts = [f"acct-{i}-{p}"[:200] for i, p in enumerate(XSS)] + ["javascript:alert('xss-10')"]
    text = " | ".join(XSS)
    big = MEGABYTE if huge else "big"
    alert = make_alert(
        campaign,
        1,
        accounts,
        summary=text + big[:1000],
        sample_prompts=[*XSS, big],
        infrastructure={
            "ips": [[p, 1] for p in XSS],
            "asns": [[p, 1] for p in XSS[:2]],
            "countries": [[XSS[0], 1]],
            "user_agents": [[p, 1] for p in [*XSS, big]],
            "models": [[p, 1] for p in XSS],
            "payment_fingerprints": [[XSS[1], 1]],
        },
        related_campaigns=[{"campaign_id": XSS[0], "linked_pairs": XSS[3], "pairs_by_link": {XSS[1]: 2}},
                           "junk", {"campaign_id": 5}, {"campaign_id": "javascript:alert('xss-10')"}],
    )
    alert["signals"].append(
        {
            "name": XSS[0],
            "weight": 0.5,
            "value": 0.5,
            "evidence": {XSS[1]: XSS, "huge": big, "nested": [{"x": XSS[6]}]},
        }
    )
    alert["signals"][1]["evidence"]["examples"][0]["accounts"] = [accounts[0], accounts[-1]]
    alert["signals"][1]["evidence"]["examples"][0]["shared"] = {"user_agents": XSS}
    return alert
