"""When accounts were created, and what that says about them as customers or as a batch made for a campaign.

Customers are created over years and use the API long after signing up; people a trending prompt brings in sign up
and send at once; the crews of the threat model run accounts created within weeks of each other and put to use
later. Each measure here is a linear ramp between two bounds, in [0, 1] (``scoring.group_score`` weighs them).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from features.account import AccountState

ESTABLISHED_DAYS = (90.0, 365.0)  # account age at its first request from which it starts to count as established,
                                  # and fully so
SPREAD_DAYS = (90.0, 270.0)  # spread of a group's creation dates (interquartile range, days) from which its
                             # accounts count as established together, and fully so (crews: within weeks)
COHORT_DAYS = (30.0, 90.0)  # spread of a group's creation dates (interquartile range, days) up to which its accounts
                            # count fully as one batch of sign-ups, and from which not at all
SIGNUP_TO_USE_S = 3600.0  # a first request this soon after the account's creation: signed up to use it there and then


def ramp(value: float, bounds: tuple[float, float]) -> float:
    """0 up to ``bounds[0]``, 1 from ``bounds[1]``, linear between."""
    start, full = bounds
    return min(1.0, max(0.0, (value - start) / (full - start)))


def established(state: AccountState) -> float:
    """How long-standing the account was when its first request arrived, in [0, 1]: 0 up to ``ESTABLISHED_DAYS[0]``
    days after it was created (or when the creation time is unknown), 1 from ``ESTABLISHED_DAYS[1]``."""
    age = state.age_days()
    return 0.0 if age is None else ramp(age, ESTABLISHED_DAYS)


def creation_spread_days(states: Collection[AccountState]) -> float | None:
    """How far apart the accounts were created: the interquartile range of their creation times, in days (None with
    fewer than three creation times known)."""
    created = [s.created_at for s in states if s.created_at is not None]
    if len(created) < 3:
        return None
    low, high = np.percentile(created, [25.0, 75.0])
    return float(high - low) / 86400.0


def spread_standing(days: float | None) -> float:
    """How much accounts created a spread of ``days`` apart (``creation_spread_days``) look like a slice of the
    customer base, in [0, 1]: 0 up to ``SPREAD_DAYS[0]`` days and when unknown, 1 from ``SPREAD_DAYS[1]``. Accounts
    made for a campaign are created within weeks of each other; strangers who share a sentence, over years."""
    return 0.0 if days is None else ramp(days, SPREAD_DAYS)


def cohort_share(days: float | None) -> float:
    """How much accounts created a spread of ``days`` apart (``creation_spread_days``) look like one batch of
    sign-ups, in [0, 1]: 1 up to ``COHORT_DAYS[0]`` days, 0 from ``COHORT_DAYS[1]`` days and when unknown."""
    return 0.0 if days is None else 1.0 - ramp(days, COHORT_DAYS)


def signed_up_to_use(state: AccountState) -> bool:
    """Whether the account's first request came within ``SIGNUP_TO_USE_S`` of its creation: someone who signed up to
    try something there and then (a trending prompt brings a wave of them)."""
    return state.created_at is not None and state.first_ts - state.created_at < SIGNUP_TO_USE_S
