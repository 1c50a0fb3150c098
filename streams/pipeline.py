"""The pipeline, top to bottom: source -> parse -> features -> detect -> sinks -> commit.

Replay and streaming share this loop; only the source and the sinks differ. ``commit`` is the explicit last
step of each batch, called only after every sink has made the batch's alerts durable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from streams.events import Event
from streams.sinks import AlertSink


class EventDetector(Protocol):
    """What the pipeline needs of a detector."""

    def process(self, event: Event) -> list[dict[str, Any]]: ...

    def finish(self) -> list[dict[str, Any]]: ...


@dataclass
class RunSummary:
    """Counts of one run."""

    events: int = 0
    alerts: int = 0
    campaigns: int = 0
    seconds: float = 0.0

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def run_pipeline(source: Iterable[Event], detector: EventDetector, sinks: list[AlertSink], *,
                 commit: Callable[[], None] | None = None, on_event: Callable[[Event], None] | None = None,
                 finish: bool = True) -> RunSummary:
    """Feed every event of ``source`` to ``detector``; write alerts to every sink, then commit."""
    summary = RunSummary()
    campaigns: set[str] = set()
    started = time.perf_counter()

    def emit(alerts: list[dict[str, Any]]) -> None:
        for alert in alerts:
            for sink in sinks:
                sink.write(alert)
            campaigns.add(alert["campaign_id"])
        summary.alerts += len(alerts)
        for sink in sinks:
            sink.flush()
        if commit is not None:
            commit()

    for event in source:
        summary.events += 1
        alerts = detector.process(event)
        if alerts:
            emit(alerts)
        if on_event is not None:
            on_event(event)
    if finish:
        emit(detector.finish())
    summary.campaigns = len(campaigns)
    summary.seconds = time.perf_counter() - started
    return summary
