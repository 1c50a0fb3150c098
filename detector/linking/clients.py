"""The population behind the ASN + user agent link: how many retained accounts use each network + client pair.

Strangers share a network and a browser (a big ISP, a VPN exit, a campus), so the more accounts share an
(ASN, user agent) pair the less it says. But a pair that almost only the suspicious accounts being linked use,
such as a custom agent runtime in one datacenter, is a crew's own tooling, not a crowd's browser: its share of
the pair's users is what the link weighs (``infra.link_infrastructure``), as shared sentences are weighed by
their senders (``concentration.key_concentration``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from detector.linking.keys import asn_user_agents, stable_hash
from features.account import AccountState


def client_keys(asn_user_agents: Iterable[tuple[object, object]]) -> tuple[int, ...]:
    """The hashed (ASN, user agent) pairs of an account (``keys.asn_user_agents``), as its link keys hash them."""
    return tuple(stable_hash(pair) for pair in asn_user_agents)


class ClientPopulation:
    """Per hashed (ASN, user agent) pair, the number of retained accounts listing it among their main pairs."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self._held: dict[str, tuple[int, ...]] = {}

    @classmethod
    def of_states(cls, states: Iterable[AccountState]) -> ClientPopulation:
        """The population of these accounts' main pairs (for a checkpoint written before it was kept)."""
        population = cls()
        for state in states:
            population.update(state.account_id, client_keys(asn_user_agents(state)))
        return population

    def update(self, account_id: str, keys: tuple[int, ...]) -> None:
        """Set the account's pairs (its view was refreshed)."""
        if self._held.get(account_id) == keys:
            return
        self.forget(account_id)
        if keys:
            self._held[account_id] = keys
            for key in keys:
                self.counts[key] = self.counts.get(key, 0) + 1

    def forget(self, account_id: str) -> None:
        """Remove an evicted or dropped account."""
        for key in self._held.pop(account_id, ()):
            left = self.counts[key] - 1
            if left:
                self.counts[key] = left
            else:
                del self.counts[key]

    def accounts(self, keys: np.ndarray) -> np.ndarray:
        """How many retained accounts list each of ``keys`` (hashed pairs)."""
        counts = self.counts
        return np.fromiter((counts.get(key, 0) for key in keys.tolist()), dtype=np.float64, count=len(keys))
