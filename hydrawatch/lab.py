"""The notebook API: replay files through the detector in-process, inspect the results as pandas DataFrames.

    import hydrawatch.lab as lab
    sim = lab.simulate("data", scale=0.15, days=1)
    run = lab.replay([sim.events_path], labels=sim.labels_path)
    run.campaigns_df(); run.accounts_df(); run.graph_df(); run.evaluate().recall
    lab.ablate([sim.events_path], sim.labels_path, {"no timing": {"disabled_links": ["timing"]}})

Nothing is written (no store, no files) unless asked; embedding models are loaded once per process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from detector.engine import Detector
from detector.evaluation import Evaluation, evaluate, load_labels, threshold_curve
from detector.wrapper_mates import MateMemo, linked_views
from features.embeddings import EmbeddingCache, load_tiers
from hydrawatch import lab_frames as frames
from hydrawatch.settings import DetectionSettings, Settings
from hydrawatch.simulator import SimulationSummary, generate
from streams.events import Event
from streams.pipeline import RunSummary, run_pipeline
from streams.sinks import MemoryAlertSink, rejected_record
from streams.sources import Rejected, ReplaySource, SourceStats

__all__ = ["LabRun", "ablate", "replay", "simulate", "with_detection"]

PathLike = str | Path
_TIERS: dict[tuple[Any, ...], tuple[EmbeddingCache, EmbeddingCache | None]] = {}


@dataclass
class LabRun:
    """One in-process replay: the detector's final state, every alert version, optionally every event."""

    paths: list[Path]
    settings: Settings
    detector: Detector
    alerts: list[dict[str, Any]]
    summary: RunSummary
    source: SourceStats
    labels: dict[str, Any] | None = None
    events: list[Event] = field(default_factory=list, repr=False)
    rejected: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def group_of(self) -> dict[str, str] | None:
        return None if self.labels is None else self.labels["accounts"]

    def events_df(self) -> pd.DataFrame:
        """Every accepted event (needs ``keep_events=True``), with the labelled ``group`` when labels are set."""
        return frames.events_frame(self.events, self.group_of)

    def rejected_df(self) -> pd.DataFrame:
        """Dead letters: source, line, reason and the original record."""
        return pd.DataFrame(self.rejected, columns=["source", "line", "reason", "raw"])

    def accounts_df(self) -> pd.DataFrame:
        """Per-account signals (intent, templated, recycled, automation, evasion, anomaly, pivot), suspicion,
        the alerted ``campaign_id`` and the behaviour features ``f_<FEATURE_NAMES>`` at the end of the replay."""
        return frames.accounts_frame(self.detector, self.alerts, self.group_of)

    def graph_df(self, everyone: bool = False) -> pd.DataFrame:
        """The hidden-link graph at the end of the replay, as an edge list with one weight column per link.

        Like an evaluation, it links the accounts active within the lookback whose suspicion reaches
        ``detection.member_min_suspicion`` and, with ``detection.wrapper_mates``, their wrapper mates
        (``everyone=True``: every active account), minus allow-listed ones."""
        det = self.detector
        horizon = det.now - self.settings.detection.lookback_s
        active = [v for v in det.account_views() if v.state.last_ts >= horizon]
        floor = -math.inf if everyone else self.settings.detection.member_min_suspicion
        mates = self.settings.detection.wrapper_mates and not everyone  # (everyone is linked already)
        views = linked_views(active, floor, det.index, det.allow.matches, MateMemo() if mates else None)
        return frames.graph_frame(views, det.link_graph(views), self.settings.detection.min_edge_weight)

    def alerts_df(self) -> pd.DataFrame:
        """One row per alert version (signal values as columns; ``mostly``/``purity`` against the labels)."""
        return frames.alerts_frame(self.alerts, self.group_of)

    def signals_df(self) -> pd.DataFrame:
        """One row per (alert version, signal): value and weight (contribution to the logit of the score)."""
        return frames.signals_frame(self.alerts)

    def members_df(self) -> pd.DataFrame:
        """Campaign membership with the version that first listed each account."""
        return frames.members_frame(self.alerts, self.group_of)

    def campaigns_df(self) -> pd.DataFrame:
        """One row per campaign: latest version, score, size, first and last alert times."""
        return frames.campaigns_frame(self.alerts, self.group_of)

    def evaluate(self, labels: PathLike | dict[str, Any] | None = None, min_caught: int = 5) -> Evaluation:
        """Account precision/recall/F1, per-campaign recall and time to detect (``detector.evaluation``)."""
        return evaluate(self.alerts, self._labels(labels), min_caught=min_caught)

    def campaign_results_df(self, labels: PathLike | dict[str, Any] | None = None,
                            min_caught: int = 5) -> pd.DataFrame:
        """Per labelled campaign: accounts, detected, recall and time to detect (minutes)."""
        frame = pd.DataFrame([c.__dict__ for c in self.evaluate(labels, min_caught).campaigns])
        if not frame.empty:
            frame["time_to_detect_min"] = frame.pop("time_to_detect_s") / 60.0
            frame["catchable_after_min"] = frame.pop("catchable_after_s") / 60.0
        return frame

    def threshold_df(self, labels: PathLike | dict[str, Any] | None = None) -> pd.DataFrame:
        """Precision/recall as the alert score threshold varies (one row per distinct score)."""
        points = threshold_curve(self.alerts, self._labels(labels))
        return pd.DataFrame([p.__dict__ for p in points], columns=["threshold", "precision", "recall", "flagged"])

    def report(self, out_dir: PathLike, labels: PathLike | dict[str, Any] | None = None) -> Path:
        """Write the ``hydrawatch evaluate --report`` plots and HTML for this run; returns report.html."""
        from detector.report import write_report

        return write_report(Path(out_dir), self.alerts, self._labels(labels), self.paths).html

    def rerun(self, **detection: Any) -> LabRun:
        """The same replay with some ``detection`` settings changed, e.g. ``rerun(disabled_links=["timing"])``."""
        return replay(self.paths, with_detection(self.settings, **detection), labels=self.labels,
                      keep_events=bool(self.events))

    def _labels(self, labels: PathLike | dict[str, Any] | None) -> dict[str, Any]:
        if labels is None:
            if self.labels is None:
                raise ValueError("no labels: pass labels= here or to lab.replay")
            return self.labels
        return labels if isinstance(labels, dict) else load_labels(Path(labels))


def with_detection(settings: Settings | None = None, **overrides: Any) -> Settings:
    """A copy of ``settings`` with validated ``detection`` overrides (the ablation hook:
    ``disabled_links``, ``disabled_signals``, ``min_score``...)."""
    settings = settings or Settings()
    detection = DetectionSettings.model_validate(settings.detection.model_dump() | overrides)
    return settings.model_copy(update={"detection": detection})


def _detector(settings: Settings, embeddings: bool) -> Detector:
    if not embeddings:
        return Detector(settings)
    emb = settings.embedding
    key = (emb.model_path, emb.static_model_path, emb.static_dims, emb.cache_size, emb.minilm_per_account > 0,
           str(settings.cache_dir))
    if key not in _TIERS:
        _TIERS[key] = load_tiers(settings)
    return Detector(settings, *_TIERS[key])


def replay(paths: PathLike | Sequence[PathLike], settings: Settings | None = None, *,
           labels: PathLike | dict[str, Any] | None = None, embeddings: bool = True,
           keep_events: bool = True) -> LabRun:
    """Run the detection pipeline over replay files (JSONL/.gz, Parquet, CSV) in this process.

    ``embeddings=False`` skips the content kNN link (no model load); ``keep_events=False`` saves memory."""
    settings = settings or Settings()
    files = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no such input file: {', '.join(missing)}")
    detector = _detector(settings, embeddings)
    rejected: list[dict[str, Any]] = []

    def reject(record: Rejected) -> None:
        rejected.append(rejected_record(record))

    source = ReplaySource(files, reject, **settings.reading_options())
    events: list[Event] = []
    sink = MemoryAlertSink()
    summary = run_pipeline(source, detector, [sink], on_event=events.append if keep_events else None)
    source.stats.warn_of_disorder(settings.detection.reorder_window_s)
    label_data = None if labels is None else labels if isinstance(labels, dict) else load_labels(Path(labels))
    return LabRun(files, settings, detector, sink.alerts, summary, source.stats, label_data, events, rejected)


def simulate(out_dir: PathLike, *, scale: float = 0.15, days: float = 1.0, seed: int = 7) -> SimulationSummary:
    """Labelled synthetic traffic (``hydrawatch simulate``): out_dir/events.jsonl and out_dir/labels.json."""
    return generate(Path(out_dir), scale=scale, days=days, seed=seed)


def ablate(paths: PathLike | Sequence[PathLike], labels: PathLike | dict[str, Any],
           variants: Mapping[str, Mapping[str, Any]], settings: Settings | None = None,
           min_caught: int = 5) -> pd.DataFrame:
    """Replay once per variant (name -> ``detection`` overrides; ``{}`` is the baseline) and compare quality:
    precision, recall, F1, campaigns caught, mean time to detect, alert versions and run time."""
    rows = []
    for name, overrides in variants.items():
        started = time.perf_counter()
        run = replay(paths, with_detection(settings, **dict(overrides)), labels=labels, keep_events=False)
        quality = run.evaluate(min_caught=min_caught)
        caught = [c.time_to_detect_s for c in quality.campaigns if c.time_to_detect_s is not None]
        rows.append({"variant": name, "precision": quality.precision, "recall": quality.recall, "f1": quality.f1,
                     "flagged": quality.flagged, "campaigns_caught": len(caught),
                     "campaigns": len(quality.campaigns),
                     "mean_ttd_min": sum(caught) / len(caught) / 60.0 if caught else None,
                     "alert_versions": len(run.alerts), "seconds": time.perf_counter() - started})
    return pd.DataFrame(rows).set_index("variant")
