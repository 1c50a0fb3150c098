"""pyod anomaly scores, evaluation metrics and the alert contract."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from detector.anomaly import AnomalyScorer
from detector.evaluation import evaluate, load_alerts


@pytest.mark.parametrize("model", ["ecod", "iforest"])
def test_anomaly_scores_rank_outliers_high(model: str) -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(300, 5))
    scorer = AnomalyScorer(model)
    assert scorer.score(reference[:2]).tolist() == [0.5, 0.5]  # not fitted yet
    assert scorer.fit(reference)
    scores = scorer.score(np.vstack([np.zeros(5), np.full(5, 8.0)]))
    assert 0.0 <= scores[0] < 0.7 and scores[1] > 0.99


def test_large_references_are_sampled() -> None:
    rng = np.random.default_rng(1)
    scorer = AnomalyScorer()
    assert scorer.fit(rng.normal(size=(5000, 4)))
    assert scorer.fitted_on == 1000
    low, high = scorer.score(np.vstack([np.zeros(4), np.full(4, 6.0)]))
    assert low < 0.7 < 0.99 < high


def test_ecod_keeps_no_per_row_matrices_between_calls_and_scores_the_same() -> None:
    rng = np.random.default_rng(2)
    scorer = AnomalyScorer("ecod")
    assert scorer.fit(rng.normal(size=(400, 6)))
    rows = rng.normal(size=(2000, 6))
    first = scorer.score(rows)
    assert not [name for name in ("U_l", "U_r", "U_skew", "O") if hasattr(scorer._model, name)]
    assert len(pickle.dumps(scorer)) < 50_000  # the reference (400 x 6), not the 2,000 scored rows' matrices
    assert np.array_equal(scorer.score(rows), first)


def test_anomaly_refuses_tiny_reference_and_unknown_models() -> None:
    assert not AnomalyScorer().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="unknown anomaly model"):
        AnomalyScorer("nope")


def _alert(cid: str, version: int, accounts: list[str], detected: str) -> dict:
    return {"alert_id": f"{cid}-v{version}", "campaign_id": cid, "version": version, "severity": "high",
            "score": 0.9, "accounts": accounts, "first_seen": "2026-03-01T00:00:00Z", "detected_at": detected,
            "signals": []}


def test_ecod_loads_without_pyplot_which_it_imports_on_first_use() -> None:
    script = (
        "import sys, numpy as np\n"
        "from detector.anomaly import AnomalyScorer\n"
        "scorer = AnomalyScorer('ecod')\n"
        "assert scorer.fit(np.random.default_rng(0).random((60, 4)))\n"
        "assert 'matplotlib.figure' not in sys.modules and 'matplotlib.pyplot' not in sys.modules\n"
        "plt = sys.modules['pyod.models.ecod'].plt\n"
        "assert plt.figure.__module__ == 'matplotlib.pyplot' and 'matplotlib.pyplot' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_evaluation_metrics_and_time_to_detect() -> None:
    labels = {"accounts": {**{f"c{i}": "campaign_x" for i in range(6)}, "b1": "benign", "l1": "lookalike_viral"},
              "campaign_start": {"campaign_x": "2026-03-01T00:00:00Z"}}
    alerts = [_alert("k", 1, ["c0", "c1", "c2"], "2026-03-01T00:30:00Z"),
              _alert("k", 2, ["c0", "c1", "c2", "c3", "c4", "b1"], "2026-03-01T01:00:00Z")]
    result = evaluate(alerts, labels)
    assert result.flagged == 6 and result.true_positives == 5
    assert result.precision == pytest.approx(5 / 6) and result.recall == pytest.approx(5 / 6)
    assert result.false_positives_by_group == {"benign": 1}
    (campaign,) = result.campaigns
    assert campaign.time_to_detect_s == 3600.0  # v1 had fewer than five accounts
    assert campaign.catchable_after_s is None  # no per-account starts in these labels
    labels["account_start"] = {f"c{i}": f"2026-03-01T00:{10 * i:02d}:00Z" for i in range(6)}
    (campaign,) = evaluate(alerts, labels).campaigns
    assert campaign.catchable_after_s == 40 * 60.0  # the fifth account's first request


def test_alerts_follow_the_contract(alert_schema: dict) -> None:
    from scenario_builder import SCENARIOS, load, run_scenario

    alerts, _ = run_scenario(load(next(p for p in SCENARIOS if p.stem == "hydra_shared_card")))
    assert alerts
    for alert in alerts:
        jsonschema.validate(alert, alert_schema)
        assert alert["alert_id"] == f"{alert['campaign_id']}-v{alert['version']}"
        names = {s["name"] for s in alert["signals"]}
        assert {"extraction_intent", "hidden_linkage", "shared_templates"} <= names
        linkage = next(s for s in alert["signals"] if s["name"] == "hidden_linkage")
        assert linkage["evidence"]["examples"][0]["shared"]  # an analyst can check what the pair shares


def test_an_alerts_file_cut_short_by_a_killed_run_still_loads_its_whole_versions(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "alerts.jsonl"
    versions = [b'{"alert_id": "cmp-a-v1", "accounts": ["x"]}', b'{"alert_id": "cmp-a-v2", "accounts": ["x", "y"]}']
    path.write_bytes(b"\n".join(versions) + b'\n\n{"alert_id": "cmp-a-v3", "acco')
    with caplog.at_level("WARNING", logger="detector.evaluation"):
        alerts = load_alerts(path)
    assert [a["alert_id"] for a in alerts] == ["cmp-a-v1", "cmp-a-v2"]
    assert f"{path} line 4 is no alert" in caplog.text
