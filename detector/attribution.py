"""Which accounts of one candidate group belong together: the strongest tie of each account inside the group.

Louvain can put two crews in one community when they share some evidence (task-generator sentences, say). Each
account's *strongest tie* inside the community says where it belongs; ``detector.campaigns`` follows it when
the community founds a new campaign.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping

import numpy as np
import scipy.sparse as sp

from detector.communities import Edges


class Ties:
    """Symmetric pair weights among the accounts of one candidate group, as a sparse matrix with no diagonal: the
    graph's edges among its members (each member of a group has at least one, so its strongest tie is always an
    edge). Sparse because a farm's group holds thousands of accounts and each has a few dozen ties."""

    def __init__(self, accounts: list[str], edges: Edges) -> None:
        """The ``edges`` among ``accounts`` (numbered like them); their matrix is made when first needed: most groups
        of an evaluation match their campaign without asking where an account belongs."""
        self.accounts = accounts
        self.edges = edges

    @classmethod
    def of_edges(cls, accounts: list[str], edges: Edges) -> Ties:
        """Ties from a group's edges (``detector.communities.Edges`` numbered like ``accounts``)."""
        return cls(list(accounts), edges)

    @classmethod
    def of_pairs(cls, accounts: set[str], pairs: Mapping[tuple[str, str], float]) -> Ties:
        """Ties from explicit pair weights (tests, notebooks); absent pairs weigh 0."""
        ordered = sorted(accounts)
        at = {a: i for i, a in enumerate(ordered)}
        weights = np.zeros((len(ordered), len(ordered)))
        for (a, b), w in pairs.items():
            low, high = sorted((at[a], at[b]))
            weights[low, high] = w
        return cls(ordered, Edges.from_coo(sp.coo_matrix(weights), min_weight=0.0))

    @functools.cached_property
    def weights(self) -> sp.csr_matrix:
        """Symmetric pair weights in ``accounts``' order, with no diagonal."""
        edges, n = self.edges, len(self.accounts)
        ends = (np.concatenate([edges.low, edges.high]), np.concatenate([edges.high, edges.low]))
        return sp.csr_matrix((np.concatenate([edges.weight, edges.weight]), ends), shape=(n, n))

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.accounts)}

    def strongest_to_each(self, others: Collection[str]) -> np.ndarray:
        """Per account (in ``accounts``' order), its strongest tie to any of ``others`` but itself (0 without any)."""
        at = self.index
        rows = [at[o] for o in others if o in at]
        if not rows:
            return np.zeros(len(self.accounts))
        return _column_maxima(self.weights[rows], len(self.accounts))  # the matrix is symmetric: rows are columns

    def strongest_to_other_campaigns(self, accounts: Collection[str], staying: Collection[str],
                                     campaign_of: Mapping[str, str]) -> dict[str, float]:
        """Per account of ``accounts``, its strongest tie to the accounts of ``staying`` that another campaign
        holds (``campaign_of`` names the campaign of each of both)."""
        if not accounts or not staying:
            return {}
        at, ordered = self.index, sorted(accounts)
        cols = np.array(sorted(at[a] for a in staying))
        block = self.weights[[at[a] for a in ordered]][:, cols].tocoo()
        codes: dict[str, int] = {}
        row_campaign = np.array([codes.setdefault(campaign_of[a], len(codes)) for a in ordered])
        col_campaign = np.array([codes.setdefault(campaign_of[self.accounts[i]], len(codes)) for i in cols])
        other = row_campaign[block.row] != col_campaign[block.col]
        best = np.zeros(len(ordered))
        np.maximum.at(best, block.row[other], block.data[other])
        return dict(zip(ordered, best.tolist(), strict=True))

    def strongest(self, campaign_of: Mapping[str, str]) -> dict[str, str | None]:
        """Each account's strongest tie inside the group (None without any). Among equal weights an account of
        the same campaign comes first, then one some campaign holds, then the last by id: a tie no stronger than
        an established one is no reason to leave it."""
        weights, accounts = self.weights, self.accounts
        n = len(accounts)
        rows = np.repeat(np.arange(n), np.diff(weights.indptr))
        top = _column_maxima(weights, n)  # (symmetric: each row's largest is its column's)
        at_top = (weights.data == top[rows]) & (weights.data > 0.0)
        rows, cols = rows[at_top], weights.indices[at_top]
        codes: dict[str, int] = {}
        held = np.array([codes.setdefault(c, len(codes)) if (c := campaign_of.get(a)) is not None else -1
                         for a in accounts], dtype=np.int64)
        by_id = np.empty(n, dtype=np.int64)
        by_id[sorted(range(n), key=accounts.__getitem__)] = np.arange(n)
        own = held[rows]
        preference = (2 * ((held[cols] == own) & (own >= 0)) + (held[cols] >= 0)) * n + by_id[cols]
        order = np.lexsort((preference, rows))  # by account, its most preferred tie last
        rows, cols = rows[order], cols[order]
        last = np.flatnonzero(np.append(rows[1:] != rows[:-1], True)) if len(rows) else rows
        choice = dict(zip(rows[last].tolist(), cols[last].tolist(), strict=True))
        return {a: accounts[choice[i]] if i in choice else None for i, a in enumerate(accounts)}


def _column_maxima(rows: sp.csr_matrix, n: int) -> np.ndarray:
    """Per column of ``rows`` (``n`` columns of positive weights), its largest entry, 0 for none: scipy's
    ``max(axis=0)`` without its conversions to the other sparse format."""
    best = np.zeros(n)
    np.maximum.at(best, rows.indices, rows.data)
    return best
