"""Detector benchmark: the CPU time of per-account state and campaign evaluations alone, apart from parsing.

Usage: python bench/bench_detector.py [--events-file PATH] [--runs 3]
The events are first read, parsed and text-analysed as a replay does (in its parse process for large inputs) and
kept in memory; then ``Detector.process`` runs over them and the end-of-input evaluation, timed as this process's
CPU time, evaluations apart. A replay's wall time is bounded by whichever of its two processes is busier, and this
VM's timings drift with host load; to compare two checkouts, run this script from both at once, each with
``PYTHONPATH`` set to its checkout, so that both see the same load.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def detector_cpu(path: Path) -> tuple[float, float, int]:
    """CPU seconds of the detector over ``path``'s events, of its evaluations, and the alert versions emitted."""
    from hydrawatch.replay import build_detector, replay_source
    from hydrawatch.runtime import tune_gc
    from hydrawatch.settings import Settings
    from streams.sinks import DeadLetterFile

    tune_gc()  # as `hydrawatch replay` does
    settings = Settings(db_url="")
    detector = build_detector(settings)
    source = replay_source([path], settings, DeadLetterFile(None), None, detector)
    try:
        events = list(source)
    finally:
        source.close()
    evaluate, spent = detector.evaluate, [0.0]

    def timed_evaluate(final: bool = False) -> list:
        started = time.process_time()
        try:
            return evaluate(final)
        finally:
            spent[0] += time.process_time() - started

    detector.evaluate = timed_evaluate  # type: ignore[method-assign]
    started = time.process_time()
    alerts = sum(len(detector.process(event)) for event in events) + len(detector.finish())
    return time.process_time() - started, spent[0], alerts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events-file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from bench_replay import dataset  # (this script's folder is on the path)

    path = dataset(args.events_file)
    totals = []
    for run in range(args.runs):
        total, evaluations, alerts = detector_cpu(path)
        totals.append(total)
        print(f"run {run + 1}: detector {total:.2f} s CPU, of which evaluations {evaluations:.2f} s; "
              f"{alerts} alert versions")
    print(f"median detector CPU: {statistics.median(totals):.2f} s ({path})")


if __name__ == "__main__":
    main()
