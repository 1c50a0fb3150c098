"""The blind probe (``bench/probe_blind.py``): a generator written from the threat model and the schemas alone. It
writes valid, labelled events in the contract's several shapes, every campaign and look-alike it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
from shared_paths import shared_file

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "probe_blind.py"
CAMPAIGNS = {"hydra_proxy", "crew_reasoning", "crew_rubric", "crew_agentic", "crew_slow", "crew_pivot"}


def test_the_blind_probe_writes_valid_labelled_events(tmp_path: Path, event_schema: dict) -> None:
    corpus = shared_file("data/prompts.jsonl.gz")
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--seed", "2", "--days", "1", "--users", "150",
                    "--corpus", str(corpus)], check=True, capture_output=True)
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    labels = json.loads((tmp_path / "labels.json").read_text())
    events = [json.loads(line) for line in lines]
    groups = set(labels["accounts"].values())
    assert set(labels["campaign_start"]) == CAMPAIGNS <= groups
    assert {"lookalike_evalteam", "lookalike_consortium", "lookalike_classroom", "lookalike_viral",
            "lookalike_agentprod", "lookalike_app", "benign"} <= groups
    assert {e["account_id"] for e in events} == set(labels["accounts"])
    crews = {a for a, g in labels["accounts"].items() if g in CAMPAIGNS}
    assert set(labels["account_start"]) == crews
    for event in events[:: max(1, len(events) // 300)]:
        jsonschema.validate(event, event_schema)
    assert {type(e["ts"]) for e in events} >= {int, str}  # epoch ms and RFC 3339
    assert any("messages" in e for e in events) and any("prompt" in e for e in events)
    assert any(isinstance(m.get("content"), list) for e in events for m in e.get("messages", []))  # content parts
