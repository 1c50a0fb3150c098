"""The detector benchmark (``bench/bench_detector.py``) times the detector over what a replay of the same file
processes: the same alert versions."""

from __future__ import annotations

import sys
from pathlib import Path

from hydrawatch.replay import replay
from hydrawatch.settings import Settings
from hydrawatch.simulator import generate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_detector  # noqa: E402


def test_the_detector_bench_sees_the_alerts_a_replay_emits(tmp_path: Path) -> None:
    generate(tmp_path, scale=0.3, days=0.5, seed=5)
    events = tmp_path / "events.jsonl"
    result = replay([events], Settings(db_url=""), alerts_out=tmp_path / "alerts.jsonl")
    total, evaluations, alerts = bench_detector.detector_cpu(events)
    assert alerts == result.summary.alerts > 0
    assert 0 < evaluations <= total
