"""Timing generators: human diurnal sessions, machine-regular streams, Poisson streams."""

from __future__ import annotations

import numpy as np

from .model import DAY, HOUR
from .rand import Rng, cumulative

# relative activity per local hour, 0..23 (a working-day shape with an evening bump)
_DIURNAL = (
    0.25,
    0.12,
    0.07,
    0.05,
    0.05,
    0.08,
    0.2,
    0.45,
    0.8,
    1.0,
    1.05,
    1.0,
    0.9,
    0.95,
    1.0,
    1.0,
    0.9,
    0.8,
    0.75,
    0.8,
    0.85,
    0.8,
    0.6,
    0.4,
)
_HOURS = list(range(24))
_DIURNAL_CUM = cumulative(_DIURNAL)


def local_hour(t: float, tz: float) -> float:
    """Hour of day (0..24) at UTC offset tz."""
    return ((t + tz * HOUR) % DAY) / HOUR


def human_session_starts(
    rng: Rng, t0: float, t1: float, tz: float, per_day: float, p_active: float
) -> list[float]:
    """Session start times with a diurnal shape in the user's own time zone."""
    out: list[float] = []
    day0 = (t0 + tz * HOUR) // DAY * DAY - tz * HOUR  # local midnight on or before t0
    day = day0
    while day < t1:
        if rng.chance(p_active):
            for _ in range(rng.poisson(per_day)):
                t = day + (rng.wchoice(_HOURS, _DIURNAL_CUM) + rng.random()) * HOUR
                if t0 <= t < t1:
                    out.append(t)
        day += DAY
    out.sort()
    return out


def session_times(rng: Rng, t: float, n: int, mean_gap: float, t1: float) -> list[float]:
    """n request times in a burst starting at t with exponential gaps."""
    out = []
    for _ in range(n):
        if t >= t1:
            break
        out.append(t)
        t += 4.0 + rng.expo(mean_gap)
    return out


def regular(rng: Rng, t0: float, t1: float, period: float, jitter: float) -> list[float]:
    """Machine pacing: one request every `period` seconds, Gaussian jitter (sd seconds)."""
    n = int((t1 - t0) / period)
    if n <= 0:
        return []
    base = t0 + period * np.arange(n) + rng.gen.normal(0, jitter, n)
    base = base[(base >= t0) & (base < t1)]
    return np.sort(base).tolist()


def poisson(rng: Rng, t0: float, t1: float, per_hour: float) -> list[float]:
    """Poisson arrivals at a constant rate."""
    if t1 <= t0 or per_hour <= 0:
        return []
    n = int(rng.gen.poisson(per_hour * (t1 - t0) / HOUR))
    return np.sort(rng.gen.uniform(t0, t1, n)).tolist()


def diurnal_poisson(
    rng: Rng, t0: float, t1: float, per_hour: float, tz: float, floor: float = 0.3
) -> list[float]:
    """Poisson arrivals whose rate follows the diurnal curve (never below `floor` of the mean)."""
    cand = poisson(rng, t0, t1, per_hour * 1.3)
    peak = max(_DIURNAL)
    keep = []
    for t in cand:
        w = max(_DIURNAL[int(local_hour(t, tz)) % 24] / peak, floor)
        if rng.random() < w:
            keep.append(t)
    return keep
