"""Which accounts of one candidate group belong together: the strongest tie of each account inside the group.

Louvain can put two crews in one community when they share some evidence (task-generator sentences, say). Each
account's *strongest tie* inside the community says where it belongs; ``detector.campaigns`` follows it when
the community founds a new campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import numpy as np

from detector.communities import Edges


class Ties:
    """Symmetric pair weights (zero diagonal) among the accounts of one candidate group: the graph's edges
    among its members (each member of a group has at least one, so its strongest tie is always an edge)."""

    def __init__(self, accounts: list[str], weights: np.ndarray) -> None:
        self.accounts = accounts
        self.weights = weights
        self.index = {a: i for i, a in enumerate(accounts)}

    @classmethod
    def of_edges(cls, accounts: list[str], edges: Edges) -> Ties:
        """Ties from a group's edges (``detector.communities.Edges`` numbered like ``accounts``)."""
        weights = np.zeros((len(accounts), len(accounts)))
        weights[edges.low, edges.high] = edges.weight
        weights[edges.high, edges.low] = edges.weight
        return cls(list(accounts), weights)

    @classmethod
    def of_pairs(cls, accounts: set[str], pairs: Mapping[tuple[str, str], float]) -> Ties:
        """Ties from explicit pair weights (tests, notebooks); absent pairs weigh 0."""
        ordered = sorted(accounts)
        at = {a: i for i, a in enumerate(ordered)}
        weights = np.zeros((len(ordered), len(ordered)))
        for (a, b), w in pairs.items():
            weights[at[a], at[b]] = weights[at[b], at[a]] = w
        return cls(ordered, weights)

    def strongest_to(self, account: str, others: Collection[str]) -> float:
        """The strongest tie of ``account`` to any of ``others`` (0 without any)."""
        at = self.index
        columns = [at[o] for o in others if o in at and o != account]
        return float(self.weights[at[account], columns].max()) if columns else 0.0

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

