"""The replay benchmark's memory figure (``bench/bench_replay.py``) is the measuring process's own peak."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import bench_replay  # noqa: E402

CHILD = f"import sys; sys.path.insert(0, {str(BENCH)!r}); import bench_replay; print(bench_replay.peak_rss_mb())"


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    ballast = bytearray(400 * 2**20)  # 400 MB, every page touched: the parent's peak is at least that
    ballast[::4096] = b"x" * len(ballast[::4096])
    parent = bench_replay.peak_rss_mb()
    child = float(subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                                 check=True).stdout)
    del ballast
    assert parent > 400
    assert 0 < child < 200  # a bare interpreter and the bench module; ``ru_maxrss`` here says the parent's peak
