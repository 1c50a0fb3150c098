"""The held-out probe (``bench/probe_independent.py``): a generator written apart from the simulator, real prompts
for ordinary users, its own campaign wordings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
from shared_paths import shared_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import probe_independent  # noqa: E402


def test_the_probe_writes_valid_labelled_events(tmp_path: Path, event_schema: dict) -> None:
    corpus = shared_file("data/prompts.jsonl.gz")
    n = probe_independent.generate(tmp_path, seed=2, hard=True, consortium=True, corpus=corpus, users=200)
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert len(lines) == n > 30_000
    groups = set(labels["accounts"].values())
    assert {"campaign_hydra", "campaign_rubric", "campaign_agentic", "campaign_slow", "lookalike_consortium",
            "lookalike_evalteam", "lookalike_classroom", "lookalike_app", "benign"} <= groups
    assert set(labels["campaign_start"]) == {g for g in groups if g.startswith("campaign_")}
    first = [json.loads(line) for line in lines[:2000]]
    for line in lines[:: len(lines) // 200]:  # every kind of account, across the three days
        jsonschema.validate(json.loads(line), event_schema)
    assert {type(e["ts"]) for e in first} == {int, str}  # epoch ms and RFC 3339, as the contract allows
    assert any("messages" in e for e in first) and any("prompt" in e for e in first)
