"""The field ablation (``bench/field_ablation.py``): copies of a data set without some optional fields, each
replayed and scored as the quality sweep scores a data set."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import field_ablation  # noqa: E402


def test_stripping_removes_only_the_named_fields_and_passes_other_lines_unchanged() -> None:
    event = {"ts": 1, "account_id": "a", "payment_fingerprint": "pf", "org_id": "o", "x_custom": {"k": 1}}
    plain = b'{"ts":2,"account_id":"b","prompt":"hi"}\n'
    lines = [orjson.dumps(event) + b"\n", plain, b"{not json\n", b"[1, 2]\n"]
    out = list(field_ablation.strip_fields(lines, ("payment_fingerprint", "org_id")))
    assert orjson.loads(out[0]) == {"ts": 1, "account_id": "a", "x_custom": {"k": 1}} and out[0].endswith(b"\n")
    assert out[1:] == lines[1:]


def test_gaps_remove_each_field_from_about_its_share_of_the_lines_that_carry_it() -> None:
    lines = [orjson.dumps({"ts": i, "account_id": f"a{i % 7}", "ip": "10.0.0.1", "org_id": "o", "x": i}) + b"\n"
             for i in range(2000)]
    out = [orjson.loads(line) for line in field_ablation.strip_fields(lines, ("ip", "org_id", "asn"), 0.3, seed=1)]
    assert [{k: v for k, v in e.items() if k in ("ts", "account_id", "x")} for e in out] == [
        {"ts": i, "account_id": f"a{i % 7}", "x": i} for i in range(2000)]  # nothing else changes, no line is lost
    for field in ("ip", "org_id"):
        assert 500 < sum(field not in e for e in out) < 700
    both = sum("ip" not in e and "org_id" not in e for e in out)
    assert 120 < both < 240  # drawn apart for each field: about 0.3 x 0.3 of the lines
    again = list(field_ablation.strip_fields(lines, ("ip", "org_id", "asn"), 0.3, seed=1))
    assert [orjson.loads(line) for line in again] == out  # seeded


def test_each_ablation_replays_a_copy_without_its_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(field_ablation, "ABLATIONS", {"as logged": (), "no payment": field_ablation.PAYMENT})
    monkeypatch.setattr(sys, "argv", ["field_ablation.py", "--data", "--seed 5 --scale 0.3 --days 0.5",
                                      "--out", str(tmp_path), "--jobs", "1"])
    field_ablation.main()
    base = tmp_path / "simulate-seed-5-scale-0.3-days-0.5"
    original, ablated = base / "as-logged", base / "no-payment"
    assert (ablated / "labels.json").read_bytes() == (original / "labels.json").read_bytes()
    kept = [json.loads(line) for line in (original / "events.jsonl").open()]
    stripped = [json.loads(line) for line in (ablated / "events.jsonl").open()]
    assert sum("payment_fingerprint" in e for e in kept) > 0 and not any("payment_fingerprint" in e for e in stripped)
    assert stripped == [{k: v for k, v in e.items() if k != "payment_fingerprint"} for e in kept]
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| `")]
    assert [row.split(" | ")[0] for row in rows] == ["| `as logged`", "| `no payment`"]
    assert (original / "alerts.jsonl").exists() and (ablated / "alerts.jsonl").exists()
