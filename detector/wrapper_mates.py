"""Accounts under the suspicion floor that work wrappers which, apart from them, only suspicious accounts send.

An account's suspicion is what its own requests show. A slowly started crew's young account may have sent two or
three requests on the crew's wrappers, in a wording no intent rule reads, with no history for the anomaly model to
set it apart: it stays under ``detection.member_min_suspicion``, no evaluation links it, and the crew's catch waits
for its fifth account to look suspicious alone. Yet a sentence that, besides it, only suspicious accounts have sent
is an operator's tool, not public language: a trending prompt, a stock phrase, a public benchmark item or a
classroom's assignment is mostly sent by people under the floor. Such an account (``wrapper_mates``) is linked with
the suspicious ones; whether it joins a campaign is then the group's evidence, as for every other account.

Opt-in (``detection.wrapper_mates``): counting each candidate's sentences' suspicious senders at every evaluation
cost about a tenth of the detector's time on the bench file (17.6 s of CPU against 19.5-20.0 s, 2026-12-07), and
the speed target has less margin than that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from detector.linking.keys import SPECIFICITY_BY_WORDS, TEMPLATED_REQUESTS
from detector.scoring import AccountView
from features.account import AccountState
from features.shared_index import SharedIndex

MATE_REQUESTS = 2  # requests on shared wrapper sentences from which an account under the floor can be a mate
MATE_SENDERS = 2   # suspicious accounts that must have sent one of its wrapper sentences
MATE_SHARE = 0.75  # share of its wrapper sentences' other senders that must be suspicious (specificity-weighted)


def templated_requests(view: AccountView) -> float:
    """About how many of the account's recent requests are templated (``keys.template_use``: a share of at most
    ``TEMPLATED_REQUESTS`` of them)."""
    return view.templated * min(len(view.state.recent_keys), TEMPLATED_REQUESTS)


def wrapper_mates(views: Iterable[AccountView], suspicious: list[AccountView], index: SharedIndex,
                  allowed: Callable[[AccountState], bool]) -> list[AccountView]:
    """The accounts of ``views`` under the floor (not in ``suspicious``, not ``allowed``) with ``MATE_REQUESTS`` or
    more templated requests whose wrapper sentences' other senders are ``MATE_SHARE`` suspicious, at least
    ``MATE_SENDERS`` of them on one sentence."""
    over = {v.state.account_id for v in suspicious}
    counted: dict[int, tuple[int, int]] = {}  # key -> (suspicious senders, senders)
    mates = []
    for view in [v for v in views if v.templated > 0.0]:  # (most accounts send no shared wrapper)
        if templated_requests(view) < MATE_REQUESTS or view.state.account_id in over or allowed(view.state):
            continue
        weighed = suspect = 0.0
        most = 0
        for key in view.wrappers:
            specificity = SPECIFICITY_BY_WORDS.get(key >> 32, 1.0)
            if specificity <= 0.0:
                continue  # a sentence too short to tell anyone apart
            if key not in counted:
                senders = index.senders(key) or set()
                counted[key] = (len(over.intersection(senders)), len(senders))
            suspects, senders_n = counted[key]
            others = senders_n - 1  # (the account itself sent it, and is not suspicious)
            weighed += specificity * others
            suspect += specificity * suspects
            most = max(most, suspects)
        if most >= MATE_SENDERS and suspect >= MATE_SHARE * weighed:
            mates.append(view)
    return mates


def linked_views(views: list[AccountView], floor: float, index: SharedIndex,
                 allowed: Callable[[AccountState], bool], mates: bool = False) -> list[AccountView]:
    """The accounts of ``views`` an evaluation links, by account id: those at or over the suspicion ``floor``
    (``detection.member_min_suspicion``) and, with ``mates`` (``detection.wrapper_mates``), their
    ``wrapper_mates``; none ``allowed`` (allow-listed)."""
    suspicious = [v for v in views if v.suspicion >= floor and not allowed(v.state)]
    if mates:
        suspicious += wrapper_mates(views, suspicious, index, allowed)
    return sorted(suspicious, key=lambda v: v.state.account_id)
