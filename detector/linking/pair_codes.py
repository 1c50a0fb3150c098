"""Sorted pair codes (``low * n + high``, as ``LinkSet`` keeps each link): membership, the strongest of repeated
codes, the merge of several links into one sorted union with each pair's summed log(1 - w) terms, and the combined
weights those sums give."""

from __future__ import annotations

import numpy as np

MERGE_BY_SORT_MAX_PAIRS = 1 << 21  # links of more pairs in all (a farm's) are merged into the largest: less memory
MERGE_BLOCK = 1 << 20  # a farm's link is merged this many pairs at a time: its positions and terms are not all live


def sorted_contains(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Which ``needles`` are in ``haystack`` (sorted ascending): ``np.isin`` without sorting the haystack again."""
    at = np.searchsorted(haystack, needles)
    found = at < len(haystack)
    found[found] = haystack[at[found]] == needles[found]
    return found


def strongest_per_code(codes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The index of the largest weight of each distinct code (the first of equal ones), in the codes' order."""
    if len(codes) == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    ordered, ranked = codes[order], weights[order]
    starts = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    group = np.cumsum(starts) - 1
    at_top = np.flatnonzero(ranked == np.maximum.reduceat(ranked, np.flatnonzero(starts))[group])
    first = np.concatenate([[True], group[at_top][1:] != group[at_top][:-1]])
    return order[at_top[first]]


def merge_by_sort(links: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """``LinkSet._combine`` by one stable sort of all links' codes (each link is a sorted run), each pair's terms
    summed one by one in the links' order (at most one per link; ``np.add.reduceat`` would sum them pairwise)."""
    codes = np.concatenate([codes for codes, _ in links])
    if not len(codes):
        return codes, np.zeros(0)
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    terms = np.concatenate([weights for _, weights in links])[order]
    del order
    np.negative(terms, out=terms)
    np.log1p(terms, out=terms)
    starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
    union = codes[starts]
    del codes
    lengths = np.diff(starts, append=len(terms))
    logs = terms[starts]
    for rank in range(1, int(lengths.max())):
        more = np.flatnonzero(lengths > rank)
        logs[more] += terms[starts[more] + rank]
    return union, logs


def merge_into_largest(links: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """``LinkSet._combine`` for a farm's millions of pairs: the pairs of the most widely drawn link (a weak key
    thousands of accounts share) are not copied or sorted again, the others' new pairs are inserted among them.
    Each link is read ``MERGE_BLOCK`` pairs at a time (a pair's terms are still added in the links' order)."""
    union = max((codes for codes, _ in links), key=len)
    for codes, _ in links:
        if codes is not union and len(codes):
            new = np.concatenate([codes[part][~sorted_contains(union, codes[part])] for part in blocks(len(codes))])
            if len(new):
                union = np.insert(union, np.searchsorted(union, new), new)
    logs = np.zeros(len(union))
    for codes, weights in links:
        for part in blocks(len(codes)):
            terms = np.negative(weights[part])
            np.log1p(terms, out=terms)
            if codes is union:
                logs[part] += terms
            else:
                logs[np.searchsorted(union, codes[part])] += terms
    return union, logs


def noisy_or(logs: np.ndarray) -> np.ndarray:
    """Each pair's combined weight, 1 - exp(its summed log(1 - w)), as a new array."""
    weights = np.exp(logs)
    return np.subtract(1.0, weights, out=weights)


def weighing_at_least(logs: np.ndarray, min_weight: float) -> np.ndarray:
    """Which pairs' combined weights (``noisy_or``) are at least ``min_weight``, ``MERGE_BLOCK`` pairs at a time."""
    keep = np.empty(len(logs), dtype=bool)
    for part in blocks(len(logs)):
        np.greater_equal(noisy_or(logs[part]), min_weight, out=keep[part])
    return keep


def noisy_or_where(logs: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``noisy_or(logs)[keep]``, ``MERGE_BLOCK`` pairs at a time."""
    kept = np.empty(int(np.count_nonzero(keep)))
    done = 0
    for part in blocks(len(logs)):
        weights = noisy_or(logs[part])[keep[part]]
        kept[done:done + len(weights)] = weights
        done += len(weights)
    return kept


def blocks(length: int, size: int | None = None) -> list[slice]:
    """Slices of at most ``size`` positions (``MERGE_BLOCK`` unless given) covering ``length`` positions in order."""
    size = MERGE_BLOCK if size is None else size
    return [slice(start, start + size) for start in range(0, length, size)]
