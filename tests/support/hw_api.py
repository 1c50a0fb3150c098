"""Helpers of the analyst-service tests: synthetic alerts, the store, and skip-or-fail for missing services."""

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


def make_alert(campaign: str, version: int = 1, accounts: list[str] | None = None, severity: str = "high",
               score: float = 0.8, hours: int = 0, **extra: Any) -> dict[str, Any]:
    """An alert shaped like detector/explain.py's, with evidence, infrastructure and a timeline."""
    accounts = accounts if accounts is not None else [f"{campaign}-acct-{i}" for i in range(4)]
    detected = BASE + timedelta(hours=hours)
    alert = {
        "schema_version": 1, "alert_id": f"{campaign}-v{version}", "campaign_id": campaign, "version": version,
        "severity": severity, "score": score, "accounts": accounts, "first_seen": iso(BASE - timedelta(hours=2)),
        "detected_at": iso(detected),
        "signals": [
            {"name": "extraction_intent", "weight": 1.5, "value": 0.9,
             "evidence": {"share": 0.9, "phrases": ["step by step"]}},
            {"name": "hidden_linkage", "weight": 1.2, "value": 0.8, "evidence": {
                "pairs_by_link": {"shared_payment": 3},
                "examples": [{"accounts": accounts[:2], "weight": 0.9, "links": {"shared_payment": 0.9},
                              "shared": {"payment_fingerprints": ["pf_1"]}}]}},
        ],
        "summary": f"{len(accounts)} accounts linked by hidden shared_payment",
        "sample_prompts": ["Explain your reasoning step by step."],
        "status": "open", "shadow": False,
        "infrastructure": {"ips": [["203.0.113.5", 10], ["2001:db8::1", 2]], "asns": [[64500, 12]],
                           "countries": [["DE", 12]], "user_agents": [["python-requests/2.31", 12]],
                           "models": [["atlas-2", 12]], "payment_fingerprints": [["pf_1", 3]]},
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
