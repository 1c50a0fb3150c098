"""Timing links: accounts active in the same hours beyond what the population's daily rhythm explains.

Everyone is busier at midday, so activity vectors are centred on the population's hourly profile before
their cosine is taken; what remains is shared schedule (synchronized batches, one operator's shifts). Timing
only strengthens pairs that other evidence already connects: alone it would link strangers.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import ThreadpoolController

from detector.linking.edges import TIMING, LinkSet
from detector.linking.pair_codes import blocks

TIMING_WEIGHT = 0.3
MIN_COSINE = 0.5
PAIRS_PER_BLOCK = 1 << 18  # pairs whose hour vectors are gathered at once: bounds memory (100 MB per million pairs)
GRAM_MAX_ACCOUNTS = 4096  # accounts up to which a dense pair set's dot products are read off all accounts' (64 MB)
GRAM_MIN_DENSITY = 1 / 16  # share of all pairs linked from which that is faster than gathering each pair's vectors


def shares_by_hour(counts: np.ndarray) -> np.ndarray:
    """Each row of an accounts x hours request matrix (``keys.hour_counts``) as shares of the account's total."""
    matrix = counts.astype(np.float32)
    return matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)


def link_timing(counts: np.ndarray, links: LinkSet, min_edge_weight: float = 0.0) -> None:
    """Add co-activity links to pairs that other links already connect (``counts``: accounts x recent hours),
    where they can matter: pairs whose other links are too weak to reach ``min_edge_weight`` even with the
    strongest timing link are skipped. The linked pairs are read a block at a time (``LinkSet.linked_code_blocks``):
    a farm's millions of them, and their cosines, are never all live at once. A dense set among a few thousand
    accounts has its cosines read off the accounts' Gram matrix, taken once (``gram_if_dense``)."""
    if len(counts) < 3 or not links.pairs:
        return
    floor = max(0.0, 1.0 - (1.0 - min_edge_weight) / (1.0 - TIMING_WEIGHT)) if min_edge_weight > 0 else 0.0
    centred, norms = centred_shares(counts)
    gram = gram_if_dense(centred, links.linked_pairs())
    linked = 0
    co_active: list[np.ndarray] = []
    cosines: list[np.ndarray] = []
    for codes in links.linked_code_blocks(floor):
        linked += len(codes)
        cosine = pair_cosines(centred, norms, codes, links.n, gram)
        keep = cosine >= MIN_COSINE
        co_active.append(codes[keep])
        cosines.append(cosine[keep])
    if linked:
        links.add_codes("co_activity", TIMING, np.concatenate(co_active),
                        TIMING_WEIGHT * np.concatenate(cosines).astype(np.float64))


def centred_shares(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hour shares (``shares_by_hour``), centred on the population's mean, and each account's norm of them."""
    centred = shares_by_hour(counts)
    centred -= centred.mean(axis=0, keepdims=True)
    return centred, np.linalg.norm(centred, axis=1)


@functools.cache
def _blas() -> ThreadpoolController:
    """numpy's BLAS thread pools (found once: a new controller scans every loaded library)."""
    return ThreadpoolController()


def gram_if_dense(centred: np.ndarray, linked_pairs: int) -> np.ndarray | None:
    """The accounts' Gram matrix of their centred hour shares, when ``linked_pairs`` are a dense set among a few
    thousand accounts (a farm, every pair linked by its shared keys): one matrix product then costs less than
    gathering each pair's vectors. None otherwise."""
    n = len(centred)
    if n > GRAM_MAX_ACCOUNTS or linked_pairs < GRAM_MIN_DENSITY * n * (n - 1) / 2:
        return None
    with _blas().limit(limits=1, user_api="blas"):  # as fast on one thread at this size; BLAS's idle threads
        return centred @ centred.T                   # would spin on the core the parse process works on


def pair_cosines(centred: np.ndarray, norms: np.ndarray, codes: np.ndarray, n: int,
                 gram: np.ndarray | None = None) -> np.ndarray:
    """The cosines of the centred hour shares (``centred_shares``) of pairs of accounts (codes ``low * n + high``):
    their dot products read off the ``gram`` matrix (``gram_if_dense``) or, without it, ``PAIRS_PER_BLOCK`` pairs'
    hour vectors gathered at a time. Either way each pair's dot product is the same whichever block it falls in."""
    cosine = np.empty(len(codes), dtype=centred.dtype)
    for part in blocks(len(codes), PAIRS_PER_BLOCK):
        rows, cols = np.divmod(codes[part], n)
        dots = gram[rows, cols] if gram is not None else np.einsum("ij,ij->i", centred[rows], centred[cols])
        cosine[part] = dots / np.maximum(norms[rows] * norms[cols], 1e-9)
    return cosine
