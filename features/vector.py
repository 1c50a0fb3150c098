"""Numeric behaviour features of one account, computed from its state at evaluation time."""

from __future__ import annotations

import math
import operator

import numpy as np

from features.account import AccountState

LIGHT_VERIFICATION = frozenset({"education", "startup_program", "security_research", "trial"})
FEATURE_NAMES = (
    "log_events", "log_events_24h", "gap_cv", "hour_coverage", "night_share", "out_in_ratio", "near_max_share",
    "rate_limited_share", "distinct_text_ratio", "intent_share", "ip_rotation", "log_ips", "asn_count",
    "country_count", "account_age_days", "light_verification", "tool_share", "new_model_share",
)


def gap_cv(arrivals: list[float]) -> float:
    """Coefficient of variation of inter-arrival gaps (low = machine-regular); 1.0 when unknown.

    Plain Python: for at most 64 arrivals it is several times faster than numpy's per-call overhead."""
    if len(arrivals) < 6:
        return 1.0
    ordered = sorted(arrivals)
    gaps = list(map(operator.sub, ordered[1:], ordered))
    mean = math.fsum(gaps) / len(gaps)
    if mean <= 0:
        return 0.0
    return math.sqrt(math.fsum([(gap - mean) ** 2 for gap in gaps]) / len(gaps)) / mean


def hour_coverage(state: AccountState) -> float:
    """Share of the 24 hours of day in which the account is active (needs volume to mean anything)."""
    active = 24 - state.hours_of_day.count(0)
    return active / 24.0 if state.events >= 24 else active / 24.0 * state.events / 24.0


def known_share(counter: dict, total: int) -> float:
    return 0.0 if total <= 0 else (len(counter) - (None in counter)) / total


def account_features(state: AccountState, now: float, new_models: dict[str, float],
                     cv: float | None = None) -> np.ndarray:
    """The feature vector (``FEATURE_NAMES`` order); ``cv`` is ``gap_cv(state.arrivals)`` when known."""
    events = max(state.events, 1)
    night = sum(state.hours_of_day[h] for h in (0, 1, 2, 3, 4, 5)) / events
    age_days = state.age_days()
    if age_days is None:
        age_days = 30.0
    new_model_events = sum(state.models.get(m, 0) for m in new_models)
    return np.array([
        math.log1p(state.events),
        math.log1p(state.events_within(now, 86_400)),
        gap_cv(state.arrivals) if cv is None else cv,
        hour_coverage(state),
        night,
        state.tokens_out / max(state.tokens_in, 1),
        state.near_max / max(state.with_max_tokens, 1),
        state.rate_limited / events,
        state.distinct_texts / events,
        state.intent_any / events,
        known_share(state.ips, events),
        math.log1p(len(state.ips)),
        len(state.asns),
        len(state.countries),
        min(age_days, 365.0),
        float(state.signup_channel in LIGHT_VERIFICATION),
        state.tool_events / events,
        new_model_events / events,
    ], dtype=np.float64)
