"""The links between accounts of one evaluation: per named link, a sparse matrix of pair weights.

Links are computed with sparse matrix products (accounts x shared keys), so a key shared by hundreds of
accounts costs C time, not Python loops. Pairs are stored once, with the lower index first.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

INFRASTRUCTURE = "infrastructure"
CONTENT = "content"
TIMING = "timing"
LINK_FAMILIES = {  # every link the detector draws, by family (docs/threat-coverage.md)
    "shared_payment": INFRASTRUCTURE, "shared_rotating_ips": INFRASTRUCTURE, "shared_asn_user_agent": INFRASTRUCTURE,
    "signup_wave": INFRASTRUCTURE, "shared_template": CONTENT, "similar_content": CONTENT, "co_activity": TIMING,
}


def disabled_links(names: Collection[str]) -> frozenset[str]:
    """Validated link or family names to leave out of the graph (``detection.disabled_links``)."""
    unknown = set(names) - set(LINK_FAMILIES) - set(LINK_FAMILIES.values())
    if unknown:
        known = sorted(set(LINK_FAMILIES) | set(LINK_FAMILIES.values()))
        raise ValueError(f"unknown links {sorted(unknown)}; known: {known}")
    return frozenset(names)


@dataclass
class LinkSet:
    """Pair weights by link name over ``n`` accounts, and which family each link belongs to; links named in
    ``disabled`` (by name or family, for ablations) are never added."""

    n: int
    matrices: dict[str, sp.csr_matrix] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()

    def add(self, name: str, family: str, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
            min_weight: float = 0.02) -> None:
        """Add pair weights (any order, duplicates keep the largest) under ``name``."""
        if name in self.disabled or family in self.disabled:
            return
        keep = (rows != cols) & (weights >= min_weight)
        rows, cols, weights = rows[keep], cols[keep], np.minimum(weights[keep], 0.99)
        low, high = np.minimum(rows, cols), np.maximum(rows, cols)
        matrix = sp.coo_matrix((weights, (low, high)), shape=(self.n, self.n)).tocsr()
        if matrix.nnz and len(weights) != matrix.nnz:  # duplicates were summed: recompute as maximum
            order = np.lexsort((-weights, high, low))
            low, high, weights = low[order], high[order], weights[order]
            first = np.ones(len(low), dtype=bool)
            first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
            matrix = sp.csr_matrix((weights[first], (low[first], high[first])), shape=(self.n, self.n))
        if name in self.matrices:
            matrix = self.matrices[name].maximum(matrix)
        self.matrices[name] = matrix.tocsr()
        self.families[name] = family

    def union_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every pair that any link connects."""
        total = sp.csr_matrix((self.n, self.n))
        for matrix in self.matrices.values():
            total = total + (matrix > 0).astype(np.float64)
        coo = total.tocoo()
        return coo.row.astype(np.int64), coo.col.astype(np.int64)

    def combined(self) -> sp.coo_matrix:
        """Noisy-or of all links per pair: 1 - prod(1 - w)."""
        log_remaining = sp.csr_matrix((self.n, self.n))
        for matrix in self.matrices.values():
            logs = matrix.copy()
            logs.data = np.log1p(-logs.data)
            log_remaining = log_remaining + logs
        coo = log_remaining.tocoo()
        return sp.coo_matrix((1.0 - np.exp(coo.data), (coo.row, coo.col)), shape=(self.n, self.n))

    def pair(self, a: int, b: int) -> dict[str, float]:
        """Weights of each link between two accounts."""
        low, high = min(a, b), max(a, b)
        return {name: float(m[low, high]) for name, m in self.matrices.items() if m[low, high] > 0}


def shared_key_pairs(membership: sp.csr_matrix) -> sp.coo_matrix:
    """Pairs of accounts (rows) sharing columns, with the sum of the products of their values."""
    product = (membership @ membership.T).tocoo()
    upper = product.row < product.col
    return sp.coo_matrix((product.data[upper], (product.row[upper], product.col[upper])), shape=product.shape)


def membership_matrix(keys_per_account: list[np.ndarray], max_members: int, min_members: int = 2,
                      values: list[np.ndarray] | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Accounts x keys matrix from each account's hashed keys (int64 arrays, ``detector.linking.keys``); keys
    held by fewer than ``min_members`` or more than ``max_members`` accounts are dropped.

    Returns the matrix and each kept key's number of accounts.
    """
    n = len(keys_per_account)
    lengths = np.fromiter((len(keys) for keys in keys_per_account), dtype=np.int64, count=n)
    if not lengths.sum():
        return sp.csr_matrix((n, 0)), np.empty(0, dtype=np.int64)
    rows = np.repeat(np.arange(n), lengths)
    uniques, cols = np.unique(np.concatenate(keys_per_account), return_inverse=True)
    data = np.ones(len(rows)) if values is None else np.concatenate(values).astype(np.float64)
    full = sp.csr_matrix((data, (rows, cols.ravel())), shape=(n, len(uniques)))
    degree = np.diff(full.tocsc().indptr)
    kept = np.flatnonzero((degree >= min_members) & (degree <= max_members))
    return full[:, kept].tocsr(), degree[kept]
