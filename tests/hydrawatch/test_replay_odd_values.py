"""A replay whose valid events hold values no gateway should log (the contract's schema allows them): the run
completes, and every alert is written, stored (SQLite and PostgreSQL) and valid against alert.schema.json."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
from scenario_builder import build, load
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.replay import build_detector, replay
from hydrawatch.settings import Settings
from hydrawatch.store import AlertRow
from hydrawatch.store.accounts import AccountRow, ActivityRow

SCENARIO = Path(__file__).resolve().parents[1] / "detector" / "scenarios" / "agentic_crew.yaml"
ODD_VALUES = {  # each valid per request-event.schema.json
    "asn": 10**25, "output_tokens": 10**19, "input_tokens": 2**64, "max_tokens": -5, "status": -1,
    "latency_ms": 1e300, "ip": "\U0001f600 not an address", "user_agent": "agent \x00 \u202e" * 30_000,
    "country": "ZZZ" * 40,
    "signup_channel": "x" * 5000, "model": "m" * 500, "endpoint": "\u0000",
    "tools": [{"function": 1}, {"name": {"a": [1]}}],
}
ODD_IDS = ["\x00", "\ud83d\ude00", "L" * 300]  # appended to crew account ids: a NUL, an emoji, 300 characters


def test_odd_but_valid_values_neither_stop_the_run_nor_spoil_an_alert(tmp_path: Path, alert_schema: dict,
                                                                       db_url: str, engine: Engine) -> None:
    events, groups = build(load(SCENARIO), seed=1)
    rng = random.Random(3)
    for event in events:
        if groups[event["account_id"]] != "benign" or rng.random() < 0.3:
            field = rng.choice(sorted(ODD_VALUES))
            event[field] = ODD_VALUES[field]
    crew_ids = sorted(a for a, group in groups.items() if group != "benign")
    odd_ids = {a: a + ODD_IDS[i % len(ODD_IDS)] for i, a in enumerate(crew_ids)}
    for event in events:
        event["account_id"] = odd_ids.get(event["account_id"], event["account_id"])
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = replay([source], Settings(db_url=db_url), alerts_out=tmp_path / "alerts.jsonl",
                    dlq_out=tmp_path / "dlq.jsonl", detector=build_detector(Settings(), embeddings=False))
    assert (result.source.accepted, result.rejected) == (len(events), 0)
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    crew = set(odd_ids.values())
    assert any(len(crew.intersection(alert["accounts"])) >= 5 for alert in alerts)
    for alert in alerts:
        jsonschema.validate(alert, alert_schema)
        assert len(json.dumps(alert)) < 100_000  # a 300 kB user agent is cut for features, not sent in every alert
    named = {account for alert in alerts for account in alert["accounts"]}
    with Session(engine) as db:  # PostgreSQL takes neither a NUL nor an id longer than its column: kept fitted
        assert db.scalar(select(func.count()).select_from(AlertRow)) == len(alerts)
        assert db.scalar(select(func.count()).select_from(AccountRow)) == len(named)
        assert db.scalar(select(func.count(distinct(ActivityRow.account_id)))) == len({e["account_id"] for e in events})
