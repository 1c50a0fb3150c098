"""Behavioural suspicion of accounts and the score of a linked group, as transparent weighted signals.

Both are logistic models with hand-set, documented weights over signals in [0, 1], so every alert can say
how much each signal contributed. A campaign needs *both* hidden linkage (the graph) and an extraction
purpose (intent, templated novel tasks, automation, evasion); recycled content (viral prompts, fixed benchmark
items) counts against it.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detector.account_age import cohort_share, creation_spread_days, established, signed_up_to_use, spread_standing
from detector.linking.keys import LinkKeys
from detector.template_roles import working_a_template
from features.account import AccountState
from features.vector import LIGHT_VERIFICATION, hour_coverage

ACCOUNT_BIAS = -2.5
ACCOUNT_WEIGHTS = {"intent": 3.0, "templated": 1.5, "automation": 1.5, "evasion": 1.0, "anomaly": 1.0,
                   "recycled": -3.0, "automated_templates": 3.0}
GROUP_BIAS = -4.0
GROUP_WEIGHTS = {
    "extraction_intent": 3.0, "shared_templates": 1.5, "automation": 1.5, "evasion": 1.0,
    "behaviour_anomaly": 1.0, "hidden_linkage": 1.5, "load_balancing": 0.5, "recycled_content": -3.0,
    "automated_templates": 3.0,  # templated novel requests sent on a machine's schedule: a harvesting pipeline
    "established_accounts": -3.0,  # long-standing customers acting like people: what they share is public language
    "signup_cohort": 0.6,  # accounts created as one batch, new, and put to use later: made for the purpose
    "newcomers": -3.0,  # people who signed up to send their first request there and then, acting like people
}
NEW_ACCOUNT_DAYS = 3.0
FRESH_EVASION = 0.3  # what an account younger than NEW_ACCOUNT_DAYS adds to its evasion
# account signal <-> group signal of the same behaviour (ablation: disabling either name disables both)
SIGNAL_PAIRS = {"intent": "extraction_intent", "templated": "shared_templates", "automation": "automation",
                "evasion": "evasion", "anomaly": "behaviour_anomaly", "recycled": "recycled_content"}
# group signals made of two behaviours: disabling either behaviour disables them too
COMBINED_SIGNALS = {"automated_templates": ("templated", "automation")}


def disabled_signals(names: Collection[str]) -> frozenset[str]:
    """Account and group signal names to zero for an ablation (``detection.disabled_signals``)."""
    if not names:
        return frozenset()
    unknown = set(names) - set(ACCOUNT_WEIGHTS) - set(GROUP_WEIGHTS)
    if unknown:
        known = sorted(set(ACCOUNT_WEIGHTS) | set(GROUP_WEIGHTS))
        raise ValueError(f"unknown signals {sorted(unknown)}; known: {known}")
    out = set(names)
    for account, group in SIGNAL_PAIRS.items():
        if account in out or group in out:
            out |= {account, group}
    out |= {combined for combined, parts in COMBINED_SIGNALS.items() if out.intersection(parts)}
    return frozenset(out)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def noisy_or(*values: float) -> float:
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - min(max(value, 0.0), 1.0)
    return 1.0 - remaining


@dataclass(slots=True)
class AccountView:
    """The signals of one account at one evaluation."""

    state: AccountState
    intent: float
    templated: float
    recycled: float
    automation: float
    evasion: float
    anomaly: float
    pivot: float
    wrappers: dict[int, float] = field(default_factory=dict)
    org_size: int = 0  # active accounts of the account's organisation, set at each evaluation ...
    org: str | None = None  # ... and that organisation (``finder.set_org_sizes``), None while not known
    features: np.ndarray | None = None
    asn_user_agents: list[tuple[object, object]] = field(default_factory=list)
    suspicion: float = 0.0
    keys: LinkKeys | None = None  # hashed link keys (``detector.linking.keys``)
    events_at: int = 0            # the account's requests when the view was computed ...
    recycled_at: int = 0          # ... its recycled requests then ...
    computed_at: float = 0.0      # ... and the event time then

    def signal(self, name: str) -> float:
        return float(getattr(self, name))

    @property
    def automated_templates(self) -> float:
        """Templated share x automation x the share of novel requests: templated novel tasks on a machine's schedule
        (the account signal, and per member the group signal, of that name)."""
        return self.templated * self.automation * (1.0 - self.recycled)

    def refresh_due(self, now: float, growth: float, max_age_s: float) -> bool:
        """Whether the account, which has new requests or newly recycled ones, changed by ``growth`` (of its
        requests at the time) or the view aged ``max_age_s`` since it was computed."""
        events_at = self.events_at
        return (now - self.computed_at >= max_age_s
                or self.state.events - events_at >= growth * events_at
                or self.state.recycled_events - self.recycled_at >= growth * max(events_at, 1))


PIVOT_WINDOW_S = 86_400


def model_pivot(state: AccountState, new_models: dict[str, float]) -> float:
    """1 when the account moved a large share of its traffic to a model within a day of its release
    (``new_models``: model -> first seen, for models that appeared after the stream started)."""
    for model, released in new_models.items():
        adopted = state.model_first_ts.get(model)
        if adopted is None or adopted - released > PIVOT_WINDOW_S or state.first_ts >= released:
            continue
        if state.models.get(model, 0) >= 0.3 * state.events:
            return 1.0
    return 0.0


def automation(state: AccountState, pivot: float, cv: float) -> float:
    """24/7 operation, machine-regular arrivals (``cv``: of inter-arrival gaps), outputs run to max_tokens,
    rate limiting, model pivots."""
    regular = max(0.0, 1.0 - cv / 0.6) if len(state.arrivals) >= 8 else 0.0
    coverage = max(0.0, (hour_coverage(state) - 0.6) / 0.4)
    near_max = state.near_max / max(state.with_max_tokens, 1)
    limited = min(1.0, 5.0 * state.rate_limited / max(state.events, 1))
    return noisy_or(0.6 * coverage, 0.6 * regular, 0.5 * near_max, 0.4 * limited, 0.6 * pivot)


def evasion(state: AccountState, rotation: float) -> float:
    """Proxy rotation, a fresh account, an entry point with light verification."""
    age = state.age_days()
    new = 0.0 if age is None else float(age < NEW_ACCOUNT_DAYS)
    light = 1.0 if state.signup_channel in LIGHT_VERIFICATION else 0.0
    return noisy_or(0.6 * rotation, FRESH_EVASION * new, 0.3 * light)


def _suspicion_logit(view: AccountView, disabled: Collection[str]) -> float:
    weights, values = _account_terms(frozenset(disabled))
    return ACCOUNT_BIAS + sum(map(operator.mul, weights, map(float, values(view))))


@functools.lru_cache(maxsize=16)
def _account_terms(disabled: frozenset[str]) -> tuple[tuple[float, ...], Callable[[AccountView], tuple[Any, ...]]]:
    """The weights of the account signals not ``disabled`` and a getter of their values, in ``ACCOUNT_WEIGHTS``
    order (the sum taken as a generator over the weights takes it, bit for bit)."""
    names = [name for name in ACCOUNT_WEIGHTS if name not in disabled]
    weights = tuple(ACCOUNT_WEIGHTS[name] for name in names)
    if len(names) > 1:
        return weights, operator.attrgetter(*names)
    one = operator.attrgetter(*names) if names else None
    return weights, lambda view: () if one is None else (one(view),)


def account_suspicion(view: AccountView, disabled: Collection[str] = ()) -> float:
    """Logistic combination of an account's own signals (``disabled``: names from ``disabled_signals``)."""
    return sigmoid(_suspicion_logit(view, disabled))


def suspicion_ceiling(view: AccountView, disabled: Collection[str] = ()) -> float:
    """The highest ``account_suspicion`` the view can reach while only its anomaly score changes (the anomaly
    model is refitted and rescores views between their refreshes; scores stay in [0, 1])."""
    headroom = 0.0 if "anomaly" in disabled else ACCOUNT_WEIGHTS["anomaly"] * (1.0 - view.anomaly)
    return sigmoid(_suspicion_logit(view, disabled) + headroom)


@dataclass(slots=True)
class GroupScore:
    """Score of a group with each signal's value and contribution (weight x value), and the senders of the sentences
    that tie it (``tie_states``) when others send them too: how many, and how far apart they were created."""

    score: float
    values: dict[str, float]
    contributions: dict[str, float]
    tie_senders: int = 0
    tie_spread_days: float | None = None


def group_score(members: list[AccountView], linkage: float, load_balancing: float,
                disabled: Collection[str] = (), paying_together: Collection[str] = (),
                tie_states: Collection[AccountState] = ()) -> GroupScore:
    """Score a set of linked accounts; signals are request-weighted means over members (``disabled`` ones
    keep their value but weigh nothing). ``extraction_intent`` counts a member's asks at most up to its share of
    novel (not recycled) requests: asks around texts the accounts send each other are an evaluation re-running fixed
    items (from the items' first run on, while ``recycled_content`` still weighs little) or a trending prompt; a
    crew's asks, around new tasks, fit among its novel requests whatever share of its filler is recycled.
    ``automated_templates`` is the mean over members of templated share x automation x the share of novel requests:
    the same accounts sending shared wrappers around new tasks on a machine's schedule, which extraction pipelines do
    whatever words their prompts use; people sharing a prompt do not keep a schedule, and an evaluation re-running
    fixed items recycles them. ``established_accounts`` (negative) is the mean over members of how long-standing the
    account is (``established``; for a member whose creation time no request of it carried, a log with gaps, the mean
    of the members whose creation time is known, 0 when none is), or the group's accounts are together
    (``account_age.spread_standing`` of their creation spread: created years apart; or the accounts that send the
    sentences tying the group, ``tie_states``, when others send them too: a trending prompt's senders, of which a
    community drew a few), x (1 - automation) x
    (1 - evasion), and 0 for members working a shared template (unless ``tie_states`` judge the group: that template
    is public language, which people who keep it as their tool work too) or paying with a card another member uses
    (``paying_together``: account ids): customers acting like people who share a sentence share public language (a
    trending prompt with a slot of their own); the crews of the threat model run accounts made for the purpose,
    within weeks of each other, and what they automate, hide or share that strangers never do cancels the
    exemption. ``newcomers`` (negative) is the same for members that signed up to send their first request there
    and then (``signed_up_to_use``; their evasion apart from being new, less what ``established_accounts`` counts
    for them): people a trending prompt brought in; a crew's fresh accounts that work its template, share cards,
    keep a schedule, rotate addresses or came through a lightly verified entry point do not count. ``signup_cohort``
    is how much the accounts were created as one batch (``account_age.cohort_share``) x (1 - their mean standing)
    x (1 - the share of them that signed up to use it there and then): accounts made for the purpose and put to use
    later, as the threat model's crews run them (their evidence when nothing else is: clean addresses and cards, no
    schedule, wordings no intent rule reads); customers are created over years, and people a trending prompt brings
    in sign up and send at once."""
    public_tie = bool(tie_states)  # the group is judged by the senders of the sentences tying it
    columns = np.array([(max(m.state.events, 1), m.intent, m.recycled, m.templated, m.automation,
                         m.automated_templates, m.evasion, m.anomaly,
                         np.nan if m.state.created_at is None else established(m.state), signed_up_to_use(m.state),
                         (public_tie or not working_a_template(m)) * (m.state.account_id not in paying_together))
                        for m in members],
                       dtype=np.float64).reshape(len(members), 11).T
    (weight, intent, recycled, templated, automated, automated_templates, evasive, anomaly, aged, signed_up,
     own_way) = columns
    total = sum(weight.tolist())
    known = ~np.isnan(aged)  # a member whose requests never gave its creation time is taken to be like the others
    aged = np.where(known, aged, float(aged[known].mean()) if known.any() else 0.0)

    def weighted(values: np.ndarray) -> float:  # summed one member after another, as Python's ``sum`` does
        return sum((values * weight).tolist()) / total

    days = creation_spread_days([m.state for m in members])
    tie_days = creation_spread_days(tie_states) if tie_states else None
    together = max(spread_standing(days), spread_standing(tie_days))
    standing = np.maximum(aged, together)  # as a customer, alone or as a group
    apart_from_new = np.maximum(0.0, 1.0 - (1.0 - evasive) / (1.0 - FRESH_EVASION))  # being new is what a
                                                                                     # newcomer is: the rest counts

    def like_people(evasion: np.ndarray) -> np.ndarray:  # acting like people (see the docstring)
        return (1.0 - automated) * (1.0 - evasion) * own_way

    values = {
        "extraction_intent": weighted(np.minimum(intent, 1.0 - recycled)),
        "shared_templates": weighted(templated), "automation": weighted(automated), "evasion": weighted(evasive),
        "behaviour_anomaly": weighted(anomaly), "hidden_linkage": linkage,
        "load_balancing": load_balancing, "recycled_content": weighted(recycled),
        "automated_templates": weighted(automated_templates),
        "established_accounts": weighted(standing * like_people(evasive)),
        "newcomers": weighted(signed_up * (1.0 - standing) * like_people(apart_from_new)),
        "signup_cohort": cohort_share(days) * (1.0 - weighted(standing)) * (1.0 - weighted(signed_up)),
    }
    contributions = {name: 0.0 if name in disabled else GROUP_WEIGHTS[name] * value
                     for name, value in values.items()}
    return GroupScore(sigmoid(GROUP_BIAS + sum(contributions.values())), values, contributions, len(tie_states),
                      tie_days)


def severity(score: float, size: int) -> str:
    if score >= 0.9 and size >= 20:
        return "critical"
    if score >= 0.8:
        return "high"
    if score >= 0.65:
        return "medium"
    return "low"
