"""Timing links: accounts active in the same hours beyond what the population's daily rhythm explains.

Everyone is busier at midday, so activity vectors are centred on the population's hourly profile before
their cosine is taken; what remains is shared schedule (synchronized batches, one operator's shifts). Timing
only strengthens pairs that other evidence already connects: alone it would link strangers.
"""

from __future__ import annotations

import numpy as np

from detector.linking.edges import TIMING, LinkSet
from features.account import AccountState

TIMING_WEIGHT = 0.3
MIN_COSINE = 0.5


def activity_matrix(accounts: list[AccountState], now: float, hours: int) -> np.ndarray:
    """Rows: accounts; columns: the last ``hours`` hour buckets; values: share of the account's requests."""
    last = int(now // 3600)
    matrix = np.zeros((len(accounts), hours), dtype=np.float32)
    for row, state in enumerate(accounts):
        for hour, count in state.hour_buckets.items():
            col = last - hour
            if 0 <= col < hours:
                matrix[row, hours - 1 - col] = count
    totals = matrix.sum(axis=1, keepdims=True)
    return matrix / np.maximum(totals, 1.0)


def link_timing(accounts: list[AccountState], links: LinkSet, now: float, hours: int = 24) -> None:
    """Add co-activity links to pairs that other links already connect."""
    if len(accounts) < 3:
        return
    rows, cols = links.union_pairs()
    if len(rows) == 0:
        return
    centred = activity_matrix(accounts, now, hours)
    centred -= centred.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)
    dots = np.einsum("ij,ij->i", centred[rows], centred[cols])
    cosine = dots / np.maximum(norms[rows] * norms[cols], 1e-9)
    keep = cosine >= MIN_COSINE
    links.add("co_activity", TIMING, rows[keep], cols[keep], TIMING_WEIGHT * cosine[keep].astype(np.float64))
