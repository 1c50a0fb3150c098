"""Which accounts of one candidate group belong together: the strongest tie of each account inside the group.

Louvain can put two crews in one community when they share some evidence (task-generator sentences, say). Each
account's *strongest tie* inside the community says where it belongs; ``detector.campaigns`` follows it when
the community founds a new campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import scipy.sparse as sp

from detector.linking.edges import LinkSet


class Ties:
    """Symmetric pair weights (noisy-or of every link, zero diagonal) among the accounts of one candidate group,
    computed on first use: most groups never need them."""

    def __init__(self, accounts: list[str], weights: np.ndarray | None = None, links: LinkSet | None = None,
                 rows: list[int] | None = None) -> None:
        self.accounts = accounts
        self._weights = weights
        self._links = links
        self._rows = rows

    @classmethod
    def of_links(cls, links: LinkSet, index_of: Mapping[str, int]) -> Ties:
        """The combined link weights among ``index_of``'s accounts (rows of ``links``)."""
        accounts = sorted(index_of)
        return cls(accounts, links=links, rows=[index_of[a] for a in accounts])

    @classmethod
    def of_pairs(cls, accounts: set[str], pairs: Mapping[tuple[str, str], float]) -> Ties:
        """Ties from explicit pair weights (tests, notebooks); absent pairs weigh 0."""
        ordered = sorted(accounts)
        at = {a: i for i, a in enumerate(ordered)}
        weights = np.zeros((len(ordered), len(ordered)))
        for (a, b), w in pairs.items():
            weights[at[a], at[b]] = weights[at[b], at[a]] = w
        return cls(ordered, weights)

    @property
    def weights(self) -> np.ndarray:
        if self._weights is None:
            assert self._links is not None and self._rows is not None
            rows = np.array(self._rows, dtype=np.int64)
            log_remaining = np.zeros((len(rows), len(rows)))
            for matrix in self._links.matrices.values():
                sub = sp.csr_matrix(matrix)[rows][:, rows].toarray()
                log_remaining += np.log1p(-np.minimum(np.maximum(sub, sub.T), 0.99))
            self._weights = 1.0 - np.exp(log_remaining)
            np.fill_diagonal(self._weights, 0.0)
        return self._weights

    def strongest(self, campaign_of: Mapping[str, str]) -> dict[str, str | None]:
        """Each account's strongest tie inside the group (None without any). Among equal weights an account of
        the same campaign comes first, then one some campaign holds: a tie no stronger than an established one
        is no reason to leave it."""
        weights = self.weights
        top = weights.max(axis=1, initial=0.0)
        out: dict[str, str | None] = {}
        for i, account in enumerate(self.accounts):
            tied = [self.accounts[j] for j in np.flatnonzero(weights[i] == top[i]) if j != i and top[i] > 0.0]
            out[account] = max(tied, key=_preference(account, campaign_of), default=None)
        return out


def _preference(account: str, campaign_of: Mapping[str, str]) -> Callable[[str], tuple[bool, bool, str]]:
    own = campaign_of.get(account)
    return lambda other: (own is not None and campaign_of.get(other) == own, other in campaign_of, other)

