"""Evaluation report: threshold curve, PNG plots, one self-contained HTML page, and the CLI flags."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import orjson
from typer.testing import CliRunner

from detector.evaluation import threshold_curve
from detector.report import alert_group, write_report
from hydrawatch.cli import app

LABELS = {"accounts": {**{f"c{i}": "campaign_x" for i in range(6)}, "b1": "benign", "b2": "benign"},
          "campaign_start": {"campaign_x": "2026-03-01T00:00:00Z"}}
PNG = b"\x89PNG\r\n\x1a\n"


def _alert(cid: str, version: int, accounts: list[str], score: float, detected: str,
           summary: str = "linked") -> dict:
    return {"alert_id": f"{cid}-v{version}", "campaign_id": cid, "version": version, "severity": "high",
            "score": score, "accounts": accounts, "first_seen": "2026-03-01T00:00:00Z", "detected_at": detected,
            "signals": [], "summary": summary}


ALERTS = [_alert("k", 1, ["c0", "c1", "c2"], 0.9, "2026-03-01T00:30:00Z"),
          _alert("k", 2, ["c0", "c1", "c2", "c3", "c4"], 0.8, "2026-03-01T01:00:00Z"),
          _alert("fp", 1, ["b1", "b2", "c5"], 0.6, "2026-03-01T02:00:00Z", summary="<script>alert(1)</script>")]


def test_threshold_curve_flags_accounts_by_their_best_alert_score() -> None:
    points = threshold_curve(ALERTS, LABELS)
    assert [p.threshold for p in points] == [0.9, 0.8, 0.6]
    assert [p.flagged for p in points] == [3, 5, 8]
    assert points[0].precision == 1.0 and points[0].recall == 0.5
    assert points[2].precision == 6 / 8 and points[2].recall == 1.0
    assert threshold_curve([], LABELS) == []


def test_alert_group_is_the_majority_label() -> None:
    assert alert_group(ALERTS[0], LABELS["accounts"]) == "campaign_x"
    assert alert_group(ALERTS[2], LABELS["accounts"]) == "benign"


def _events(path: Path) -> Path:
    rows = [{"ts": f"2026-03-01T00:{m:02d}:00Z", "account_id": f"c{m % 6}", "prompt": "p"} for m in range(0, 60, 5)]
    rows += [{"ts": "2026-03-01T01:10:00Z", "account_id": "b1", "prompt": "p"}]
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    return path


def test_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    report = write_report(tmp_path / "out", ALERTS, LABELS, [_events(tmp_path / "events.jsonl")])
    assert set(report.images) == {"precision_recall", "time_to_detect", "timeline"}
    for image in report.images.values():
        assert image.read_bytes().startswith(PNG)
    page = report.html.read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(?:src|href)=["'](?!data:)""", page)  # no external assets at all
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(embedded) == 3 and all(base64.b64decode(e).startswith(PNG) for e in embedded)
    metrics = json.loads(report.metrics.read_text())  # type: ignore[union-attr]
    assert metrics["precision"] == 6 / 8 and len(metrics["threshold_curve"]) == 3


def test_report_without_alerts_or_events(tmp_path: Path) -> None:
    report = write_report(tmp_path, [], LABELS)
    assert set(report.images) == {"precision_recall", "time_to_detect"}
    assert "not caught" in report.html.read_text(encoding="utf-8")


def test_cli_evaluate_writes_the_report(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.jsonl"
    alerts.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in ALERTS))
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(LABELS))
    events = _events(tmp_path / "events.jsonl")
    result = CliRunner().invoke(app, ["evaluate", "--alerts", str(alerts), "--labels", str(labels), "--report",
                                      str(tmp_path / "report"), "--events", str(events)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == [
        "metrics.json", "precision_recall.png", "report.html", "time_to_detect.png", "timeline.png"]
    missing = CliRunner().invoke(app, ["evaluate", "--alerts", str(alerts), "--labels", str(labels), "--report",
                                       str(tmp_path / "r2"), "--events", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and not (tmp_path / "r2").exists()
