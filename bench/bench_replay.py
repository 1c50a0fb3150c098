"""Replay benchmark: events/s per stage against a bare ``json.loads`` loop, and memory for 100,000 accounts.

Usage: python bench/bench_replay.py [--events-file PATH] [--runs 3] [--accounts 100000]
Without --events-file, a 150,000-event data set is generated once with the project's simulator (var/bench).
The stage lines run serially in this process; the full replay is `hydrawatch replay` with default settings, where
inputs this large are read, parsed and text-analysed in a second process (``parallel_parse_min_bytes``). Each
full replay is compared with a ``json.loads`` loop timed just before it, so that both see the same host load; the
ratio printed is the median of those.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("detector", "features", "streams", "hydrawatch", "api")
sys.path.insert(0, str(ROOT))


def dataset(path: Path | None) -> Path:
    if path is not None:
        return path
    from hydrawatch.simulator import generate

    out = ROOT / "var" / "bench"
    if not (out / "events.jsonl").exists():
        generate(out, scale=1.0, days=3.0, seed=7)
    return out / "events.jsonl"


def time_json_loads(path: Path) -> tuple[float, int]:
    lines = path.read_bytes().splitlines()
    started = time.perf_counter()
    for line in lines:
        json.loads(line)
    return time.perf_counter() - started, len(lines)


def time_parse(path: Path) -> tuple[float, float]:
    """Read + parse + order, then the same with each text analysed (the parse process's work in a replay)."""
    from features.text import TextAnalyzer
    from streams.sources import ReplaySource

    started = time.perf_counter()
    for _ in ReplaySource([path], lambda r: None):
        pass
    parsed = time.perf_counter() - started
    analyzer = TextAnalyzer()
    started = time.perf_counter()
    for event in ReplaySource([path], lambda r: None):
        analyzer.analyze_request(event)
    return parsed, time.perf_counter() - started


def time_features(path: Path) -> float:
    """Parse + text analysis + per-account state, serially, with campaign evaluations switched off."""
    from detector.engine import Detector
    from hydrawatch.runtime import tune_gc
    from hydrawatch.settings import Settings
    from streams.sources import ReplaySource

    tune_gc()  # as `hydrawatch replay` does
    settings = Settings(db_url="")
    settings.detection.eval_interval_s = 10**9
    detector = Detector(settings)
    started = time.perf_counter()
    for event in ReplaySource([path], lambda r: None):
        detector.process(event)
    return time.perf_counter() - started


def prepare_static_model() -> float:
    """Distil the fast tier's static model now when this machine has not yet (once, about 30 s): a replay on a
    fresh machine does it first, which is set-up, not replay time. Returns the seconds it took."""
    from features.embeddings import load_tiers
    from hydrawatch.settings import Settings

    started = time.perf_counter()
    load_tiers(Settings(db_url=""))  # as a replay loads them: the static model distilled when not cached yet
    return time.perf_counter() - started


def time_replay(path: Path, tmp: Path) -> float:
    """`hydrawatch replay` with default settings in a fresh process: wall time, start-up and model load included."""
    db = tmp / "bench.db"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hydrawatch.cli", "replay", str(path), "--alerts-out",
                    str(tmp / "alerts.jsonl"), "--db", f"sqlite:///{db}", "--no-progress"], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's peak resident set in MB: Linux's ``VmHWM``, the high-water mark of this process's own memory.
    ``ru_maxrss`` is not: a child started by ``subprocess`` carries its parent's peak over ``exec``, so a child
    measuring 100,000 accounts would report the parent's peak whenever that was larger (say, after the parent
    loaded MiniLM to distil the static model)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PEOPLE = 200
PERSONAL = ["what should I cook with leeks and rice", "fix my bash loop that skips the last line",
            "is it worth repotting a fig in autumn", "draft a short note to my landlord about the heating",
            "why does my sourdough come out flat"]


def memory_for_accounts(accounts: int) -> None:
    """Child process: state for ``accounts`` accounts (5 requests each), then one evaluation; prints the max RSS in
    MB with the state alone and after the evaluation (every account there is suspicious and shares wrapper sentences
    with hundreds of others: the evaluation links all of them, as one farm). ``PEOPLE`` people writing their own prompts
    are the anomaly model's reference, which leaves out accounts running shared wrappers."""
    from detector.engine import Detector
    from hydrawatch.settings import Settings
    from streams.events import parse_record

    settings = Settings(db_url="")
    settings.detection.eval_interval_s = 10**9
    detector = Detector(settings)
    base = 1_772_000_000_000
    for i in range(accounts * 5):
        a = i % accounts
        detector.process(parse_record({
            "ts": base + i * 50, "account_id": f"acct-{a}", "ip": f"10.{a % 250}.{i % 250}.{a % 199}",
            "asn": 64500 + a % 300, "user_agent": f"client/{a % 40}", "payment_fingerprint": f"card-{a}",
            "model": "atlas-2", "max_tokens": 1024, "input_tokens": 40, "output_tokens": 300,
            "prompt": f"Question {i} from account {a}: explain the topic number {i % 977} in simple words."}))
    for i in range(PEOPLE * 5):
        detector.process(parse_record({
            "ts": base + accounts * 250 + i * 50, "account_id": f"person-{i % PEOPLE}", "ip": f"10.250.{i % PEOPLE}.1",
            "prompt": f"{PERSONAL[i % len(PERSONAL)]} ({i})"}))
    state_mb = peak_rss_mb()
    detector.evaluate()
    rss_mb = peak_rss_mb()
    print(json.dumps({"accounts": len(detector.accounts), "state_rss_mb": round(state_mb),
                      "max_rss_mb": round(rss_mb)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events-file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.memory_child:
        memory_for_accounts(args.accounts)
        return
    path = dataset(args.events_file)
    # as an installed package would be: byte-compiled once (this sandbox sets PYTHONDONTWRITEBYTECODE)
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(ROOT / p) for p in PACKAGES)], check=True)
    loads_s, n = time_json_loads(path)
    print(f"data set: {path} ({n:,} lines, {path.stat().st_size / 1e6:.0f} MB)")
    print(f"bare json.loads loop: {loads_s:.2f} s ({n / loads_s:,.0f} lines/s)")
    parse_s, analysed_s = time_parse(path)
    print(f"stage read+parse+order: {parse_s:.2f} s ({n / parse_s:,.0f} events/s)")
    print(f"stage + text analysis (the parse process of a replay): {analysed_s:.2f} s ({n / analysed_s:,.0f} events/s)")
    feat_s = time_features(path)
    print(f"stage + per-account state, serial (no evaluations): {feat_s:.2f} s ({n / feat_s:,.0f} events/s)")
    distilled_s = prepare_static_model()
    if distilled_s > 1.0:
        print(f"static embedding model distilled first (once per machine): {distilled_s:.1f} s, not timed below")
    tmp = ROOT / "var" / "bench" / "out"
    tmp.mkdir(parents=True, exist_ok=True)
    totals, ratios = [], []
    for run in range(args.runs):  # each replay next to its own json.loads loop: both under the same host load
        loop_s = time_json_loads(path)[0]
        totals.append(time_replay(path, tmp))
        ratios.append(totals[-1] / loop_s)
        print(f"full replay run {run + 1} (fresh process, default settings): {totals[-1]:.2f} s "
              f"({n / totals[-1]:,.0f} events/s); json.loads loop {loop_s:.2f} s; {ratios[-1]:.1f}x")
    median = statistics.median(totals)
    print(f"median full replay: {n / median:,.0f} events/s; median ratio {statistics.median(ratios):.1f}x the "
          f"json.loads loop")
    child = subprocess.run([sys.executable, __file__, "--memory-child", "--accounts", str(args.accounts)],
                           capture_output=True, text=True, check=True)
    memory = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"memory: {memory['accounts']:,} accounts in state, max RSS {memory['state_rss_mb']:,} MB; after one "
          f"evaluation linking them all, {memory['max_rss_mb']:,} MB")


if __name__ == "__main__":
    main()
