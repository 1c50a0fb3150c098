"""Which accounts of one candidate group belong together: the strongest tie of each account inside the group.

Louvain can put two crews in one community when they share some evidence (task-generator sentences, say). Each
account's *strongest tie* inside the community says where it belongs; ``detector.campaigns`` follows it when
the community founds a new campaign.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

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

    def strongest_to_each(self, others: Collection[str]) -> np.ndarray:
        """Per account (in ``accounts``' order), its strongest tie to any of ``others`` but itself (0 without any;
        the zero diagonal leaves an account's tie to itself out)."""
        at = self.index
        columns = [at[o] for o in others if o in at]
        return self.weights[columns].max(axis=0) if columns else np.zeros(len(self.accounts))  # (symmetric)

    def strongest(self, campaign_of: Mapping[str, str]) -> dict[str, str | None]:
        """Each account's strongest tie inside the group (None without any). Among equal weights an account of
        the same campaign comes first, then one some campaign holds, then the last by id: a tie no stronger than
        an established one is no reason to leave it."""
        weights, accounts = self.weights, self.accounts
        top = weights.max(axis=1, initial=0.0)
        at_top = weights == top[:, None]
        choice = at_top.argmax(axis=1)
        even = np.flatnonzero((top > 0.0) & (at_top.sum(axis=1) > 1))  # accounts with several strongest ties
        if len(even):
            choice[even] = np.where(at_top[even], self._preference(campaign_of, even), -1).argmax(axis=1)
        return {a: accounts[j] if tie > 0.0 else None
                for a, j, tie in zip(accounts, choice.tolist(), top.tolist(), strict=True)}

    def _preference(self, campaign_of: Mapping[str, str], rows: np.ndarray) -> np.ndarray:
        """For each account of ``rows`` and each other account, a rank among its ties: one of its own campaign
        first, then one some campaign holds, then by id."""
        codes: dict[str, int] = {}
        held = np.array([codes.setdefault(c, len(codes)) if (c := campaign_of.get(a)) is not None else -1
                         for a in self.accounts])
        by_id = np.empty(len(self.accounts), dtype=np.int64)
        by_id[sorted(range(len(self.accounts)), key=self.accounts.__getitem__)] = np.arange(len(self.accounts))
        own = held[rows][:, None]
        same = (held[None, :] == own) & (own >= 0)
        return (2 * same + (held >= 0)[None, :]) * len(self.accounts) + by_id[None, :]
