"""Replay files through the pipeline: the assembly behind ``hydrawatch replay`` and the notebook API."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from detector.coverage import field_coverage, missing_linkage
from detector.engine import Detector
from features.embeddings import StaticEncoder, load_tiers
from hydrawatch.runtime import tune_gc
from hydrawatch.settings import Settings
from hydrawatch.store import StoreAlertSink, init_db, make_engine
from hydrawatch.store.accounts import ActivityRecorder
from hydrawatch.store.feedback import apply_feedback
from hydrawatch.webhooks.service import WakeSink, finish_delivery, start_delivery
from hydrawatch.webhooks.worker import DeliveryWorker
from streams.events import Event
from streams.parallel_source import ParallelReplaySource
from streams.pipeline import RunSummary, run_pipeline
from streams.sinks import AlertSink, DeadLetterFile, JsonLinesAlertSink
from streams.sources import ReplaySource, SourceStats

log = logging.getLogger(__name__)


@dataclass
class ReplayResult:
    """What a replay did."""

    summary: RunSummary
    source: SourceStats
    rejected: int
    detector: Detector
    webhooks_pending: int | None = None  # deliveries left in the outbox (None: no webhooks)
    coverage: dict[str, float] = field(default_factory=dict)  # share of accounts carrying each linkage field


def build_detector(settings: Settings, embeddings: bool = True) -> Detector:
    """A detector with its embedding tiers loaded from local files."""
    fast, minilm = load_tiers(settings) if embeddings else (None, None)
    return Detector(settings, fast, minilm)


def replay(paths: list[Path], settings: Settings, *, alerts_out: Path | None = None, dlq_out: Path | None = None,
           db_url: str | None = None, on_event: Callable[[Event], None] | None = None,
           detector: Detector | None = None) -> ReplayResult:
    """Run the whole pipeline over replay files."""
    tune_gc()
    detector = detector or build_detector(settings)
    url = db_url if db_url is not None else settings.db_url
    engine = make_engine(url) if url else None
    if engine is not None:
        init_db(engine)  # before a parse process may write activity
    dlq = DeadLetterFile(dlq_out)
    source = replay_source(paths, settings, dlq, url, detector)  # large inputs: forks a parse process, before threads
    detector.input_deduplicated()  # the source drops repeated ids (``dedup_window_s``) before the detector sees them
    sinks: list[AlertSink] = []
    recorder: ActivityRecorder | None = None
    webhooks: DeliveryWorker | None = None
    try:
        if alerts_out is not None:
            sinks.append(JsonLinesAlertSink(alerts_out))
        if engine is not None:
            sinks.append(StoreAlertSink(engine))
            apply_feedback(detector, engine)  # stored allow-lists and triage decisions
            if isinstance(source, ReplaySource):  # a parse process records the activity itself
                recorder = ActivityRecorder(engine)
                on_event = _chain(recorder.observe, on_event)
            webhooks = start_delivery(engine, settings)  # a worker thread, off the hot path
            if webhooks is not None:
                sinks.append(WakeSink(webhooks))  # after the store sink: wakes the worker once a batch is committed
        summary = run_pipeline(source, detector, sinks, on_event=on_event)
    except BaseException:
        if webhooks is not None:
            webhooks.stop(0)  # undelivered rows stay in the outbox
        raise
    finally:
        source.close()
        for sink in sinks:
            sink.close()
        if recorder is not None:
            recorder.close()
        dlq.close()
    left = finish_delivery(webhooks, settings.webhooks.drain_s) if webhooks is not None else None
    source.stats.warn_of_disorder(settings.detection.reorder_window_s)
    accounts, coverage = field_coverage(detector.accounts.values())
    for line in missing_linkage(accounts, coverage):
        log.warning(line)
    return ReplayResult(summary, source.stats, dlq.count, detector, left, coverage)


def replay_source(paths: list[Path], settings: Settings, dlq: DeadLetterFile, url: str | None,
                  detector: Detector) -> ReplaySource | ParallelReplaySource:
    """The replay source: in a second process for large inputs (``parallel_parse_min_bytes``), which also
    records the per-account activity into the store at ``url`` and embeds the detector's profile texts with its
    static fast tier."""
    threshold = settings.parallel_parse_min_bytes
    size = sum(p.stat().st_size for p in paths if p.is_file())
    if threshold < 0 or size < threshold or "fork" not in multiprocessing.get_all_start_methods():
        return ReplaySource(paths, dlq, **settings.reading_options())
    observer = partial(_activity_recorder, url) if url else None
    fast = detector.fast_tier if detector.fast_tier is not None and isinstance(
        detector.fast_tier.encoder, StaticEncoder) else None  # never torch in the parse process
    return ParallelReplaySource(paths, dlq, **settings.reading_options(), child_observer=observer, embeddings=fast,
                                embed_budget=settings.embedding.fast_per_account)


def _activity_recorder(url: str) -> ActivityRecorder:
    """In the parse process: its own engine on the store (connections are never shared across a fork)."""
    return ActivityRecorder(make_engine(url))


def _chain(first: Callable[[Event], None], second: Callable[[Event], None] | None) -> Callable[[Event], None]:
    if second is None:
        return first

    def both(event: Event) -> None:
        first(event)
        second(event)

    return both
