"""The keys an account links by, hashed once when its view is refreshed, not at every evaluation.

An evaluation links a few hundred suspicious accounts many times a day; most of them have not changed since
the last one. Their payment fingerprints, rotating IPs, ASN + user agent pairs, signup wave, wrapper shares and
hour buckets are turned into arrays here, with hashes that are stable across processes (views travel in
checkpoints), so that linking is array concatenation and sparse algebra.
"""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass

import numpy as np

from features.account import AccountState

WAVE_SECONDS = 3600
_EMPTY = np.empty(0, dtype=np.int64)


def stable_hash(value: object) -> int:
    """A 63-bit hash of ``str(value)`` that is the same in every process (``hash`` of a str is not)."""
    return _hash_text(str(value))


@functools.lru_cache(maxsize=1 << 16)  # the same IPs and user agents recur across accounts and refreshes
def _hash_text(text: str) -> int:
    data = text.encode("utf-8", "surrogatepass")
    return ((zlib.crc32(data) & 0x7FFFFFFF) << 32) | zlib.adler32(data)


def _hashes(values: list) -> np.ndarray:
    return np.array([stable_hash(v) for v in values], dtype=np.int64) if values else _EMPTY


def rotation(state: AccountState) -> float:
    """How much an account rotates its source IP: 0 for one stable address, 1 for many."""
    distinct = len(state.ips) + (2 if None in state.ips else 0)  # the overflow bucket (None) counts as 3
    return min(1.0, max(0.0, (distinct - 1) / 5.0))


def asn_user_agents(state: AccountState) -> list[tuple[object, object]]:
    """The account's main (ASN, user agent) combinations."""
    return [(asn, ua) for asn, _ in state.top(state.asns, 2) for ua, _ in state.top(state.user_agents, 2)]


@dataclass(slots=True)
class LinkKeys:
    """One account's hashed link keys (int64 arrays) and the values that weigh them."""

    rotation: float
    payments: np.ndarray
    ips: np.ndarray            # only for accounts that rotate (a stable address links nobody)
    asn_user_agents: np.ndarray
    wave: np.ndarray           # (signup channel, signup hour), empty when the signup time is unknown
    wrappers: np.ndarray       # wrapper template keys ...
    wrapper_roots: np.ndarray  # ... and the square roots of the account's shares of them
    hours: np.ndarray          # hour buckets (hours since the epoch) ...
    hour_counts: np.ndarray    # ... and the requests in each


def link_keys(state: AccountState, wrappers: dict[int, float], asn_ua: list[tuple[object, object]] | None = None,
              turn: float | None = None) -> LinkKeys:
    """The keys of ``state`` (``wrappers``: its wrapper shares; ``asn_ua`` and ``turn``: its ``asn_user_agents``
    and ``rotation`` when already known)."""
    turn = rotation(state) if turn is None else turn
    asn_ua = asn_user_agents(state) if asn_ua is None else asn_ua
    ips = [ip for ip in state.ips if ip is not None] if turn > 0 else []
    wave = [] if state.created_at is None else [(state.signup_channel, int(state.created_at // WAVE_SECONDS))]
    return LinkKeys(
        rotation=turn,
        payments=_hashes(sorted(state.payments)),
        ips=_hashes(ips),
        asn_user_agents=_hashes(asn_ua),
        wave=_hashes(wave),
        wrappers=np.fromiter(wrappers, dtype=np.int64, count=len(wrappers)),
        wrapper_roots=np.fromiter((math.sqrt(v) for v in wrappers.values()), dtype=np.float64,
                                  count=len(wrappers)),
        hours=np.fromiter(state.hour_buckets, dtype=np.int64, count=len(state.hour_buckets)),
        hour_counts=np.fromiter(state.hour_buckets.values(), dtype=np.float64, count=len(state.hour_buckets)),
    )


def hour_counts(keys: list[LinkKeys], now: float, hours: int) -> np.ndarray:
    """Rows: accounts; columns: the last ``hours`` hour buckets up to ``now`` (oldest first); values: requests."""
    last = int(now // 3600)
    lengths = np.fromiter((len(k.hours) for k in keys), dtype=np.int64, count=len(keys))
    matrix = np.zeros((len(keys), hours), dtype=np.float64)
    if not lengths.sum():
        return matrix
    rows = np.repeat(np.arange(len(keys)), lengths)
    age = last - np.concatenate([k.hours for k in keys])
    counts = np.concatenate([k.hour_counts for k in keys])
    inside = (age >= 0) & (age < hours)
    np.add.at(matrix, (rows[inside], hours - 1 - age[inside]), counts[inside])
    return matrix
