"""The quality sweep (``bench/quality_sweep.py``) prints what ``hydrawatch evaluate`` says of each data set's replay,
and marks what misses the issue's targets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detector.evaluation import CampaignResult, Evaluation
from hydrawatch.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import quality_sweep  # noqa: E402


def _evaluation(slow_s: float | None, false_positives: dict[str, int]) -> Evaluation:
    campaigns = [CampaignResult("campaign_hydra", 10, 10, 1.0, 720.0, 0.0),
                 CampaignResult("campaign_slow", 5, 4, 0.8, slow_s, 5280.0)]
    return Evaluation(0.9, 0.93, 0.91, 15, 14, campaigns, false_positives)


def test_cells_mark_late_and_missed_catches_and_keep_look_alikes_apart() -> None:
    results = [quality_sweep.SetResult("--seed 7", _evaluation(7440.0, {"lookalike_viral": 2, "benign": 1}), 30, 41.0),
               quality_sweep.SetResult("--seed 5 --benign-corpus CORPUS", _evaluation(None, {}), 12, 40.2)]
    lines = quality_sweep.table(results).splitlines()
    assert lines[0] == ("| data set | precision | recall | look-alikes alerted | other false positives | hydra | slow "
                        "| alert versions | replay s |")
    assert lines[2] == "| `--seed 7` | 0.900 | 0.930 | 2 | 1 | 12 (0) | **124** (88) | 30 | 41 |"
    assert lines[3] == ("| `--seed 5 --benign-corpus <corpus>` | 0.900 | 0.930 | 0 | 0 | 12 (0) | **not caught** (88) "
                        "| 12 | 40 |")
    assert quality_sweep.summary(results) == ("2 data sets: precision 0.900 on each, recall 0.930 on each, "
                                              "2 look-alike accounts alerted, 2 of 4 campaigns caught within 2 hours.")
    results[1].evaluation.recall = 0.9049
    assert "recall 0.905-0.930," in quality_sweep.summary(results)
    assert quality_sweep.catch_cell(7200.0, None) == "120"  # the target itself is met
    assert [quality_sweep.fraction(v) for v in (1.0, 0.99995, 0.9995, 0.99949, 0.93)] == [
        "1.000", "0.9999", "0.9995", "0.999", "0.930"]


def test_a_suite_replays_each_set_once_generated_and_scores_it_as_evaluate_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(quality_sweep.SUITES, "tiny", ("simulate", ["--seed 5 --scale 0.3 --days 0.5"]))
    monkeypatch.setattr(sys, "argv", ["quality_sweep.py", "--suite", "tiny", "--out", str(tmp_path), "--jobs", "1"])
    quality_sweep.main()
    folder = tmp_path / "tiny" / "seed-5-scale-0.3-days-0.5"
    printed = capsys.readouterr().out
    evaluated = CliRunner().invoke(app, ["evaluate", "--alerts", str(folder / "alerts.jsonl"),
                                         "--labels", str(folder / "labels.json"), "--json"])
    expected = json.loads(evaluated.stdout)
    stored = json.loads((tmp_path / "tiny" / "results.json").read_text())
    assert [r["args"] for r in stored] == ["--seed 5 --scale 0.3 --days 0.5"]
    assert stored[0]["precision"] == expected["precision"] and stored[0]["recall"] == expected["recall"] > 0.9
    assert stored[0]["campaigns"] == expected["campaigns"]
    row = next(line for line in printed.splitlines() if line.startswith("| `--seed 5"))
    groups = [c["group"].removeprefix("campaign_") for c in expected["campaigns"]]
    assert printed.splitlines()[0].split(" | ")[5:-2] == groups
    assert f"| {stored[0]['versions']:,} |" in row and stored[0]["versions"] > 0
    generated = (folder / "events.jsonl").stat().st_mtime_ns
    quality_sweep.main()  # the second run reuses the data set
    assert (folder / "events.jsonl").stat().st_mtime_ns == generated
    assert capsys.readouterr().out.splitlines()[2].split(" | ")[1:-1] == row.split(" | ")[1:-1]


def test_a_partial_run_keeps_the_stored_results_of_the_other_sets(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    order = ["--seed 1", "--seed 2", "--seed 3"]
    quality_sweep.store_results(path, [quality_sweep.SetResult(a, _evaluation(600.0, {}), 10, 30.0)
                                       for a in ("--seed 3", "--seed 1")], order)
    quality_sweep.store_results(path, [quality_sweep.SetResult("--seed 2", _evaluation(None, {}), 7, 31.0),
                                       quality_sweep.SetResult("--seed 1", _evaluation(900.0, {}), 12, 32.0)], order)
    stored = json.loads(path.read_text())
    assert [(r["args"], r["versions"]) for r in stored] == [("--seed 1", 12), ("--seed 2", 7), ("--seed 3", 10)]
    assert stored[1]["campaigns"][1]["time_to_detect_s"] is None
