"""Which accounts have been idle past their TTL, found without scanning every account at every evaluation."""

from __future__ import annotations

import math
from collections.abc import Mapping

from features.account import AccountState


class IdleAccounts:
    """Finds the accounts whose last request is older than a horizon. ``oldest`` is at most the last request time of
    every retained account (last requests only move forward), so no scan is made while none can be that old."""

    def __init__(self, oldest: float = math.inf) -> None:
        self.oldest = oldest

    def seen(self, last_ts: float) -> None:
        """An account was added, or replaced by one with this last request time."""
        self.oldest = min(self.oldest, last_ts)

    def older_than(self, accounts: Mapping[str, AccountState], horizon: float) -> list[str]:
        """The accounts whose last request is before ``horizon``; the bound becomes the others' oldest."""
        if horizon <= self.oldest:
            return []
        idle = [a for a, s in accounts.items() if s.last_ts < horizon]
        self.oldest = min((s.last_ts for s in accounts.values() if s.last_ts >= horizon), default=math.inf)
        return idle
