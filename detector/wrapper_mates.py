"""Accounts under the suspicion floor that work wrappers which, apart from them, only suspicious accounts send.

An account's suspicion is what its own requests show. A slowly started crew's young account may have sent two or
three requests on the crew's wrappers, in a wording no intent rule reads, with no history for the anomaly model to
set it apart: it stays under ``detection.member_min_suspicion``, no evaluation links it, and the crew's catch waits
for its fifth account to look suspicious alone. Yet a sentence that, besides it, only suspicious accounts have sent
is an operator's tool, not public language: a trending prompt, a stock phrase, a public benchmark item or a
classroom's assignment is mostly sent by people under the floor. Such an account (``wrapper_mates``) is linked with
the suspicious ones; whether it joins a campaign is then the group's evidence, as for every other account.

Counting every candidate's sentences' suspicious senders at every evaluation cost about a tenth of the detector's
time on the bench file (2026-12-07). An evaluation judges again only the accounts whose judgement may have moved
(``MateMemo``): those with new signals, those sharing a sentence with an account newly over the floor, and the
rest once an hour (``RECHECK_EVALUATIONS``); the others keep their last judgement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain

import numpy as np

from detector.linking.keys import SPECIFICITY_BY_WORDS, TEMPLATED_REQUESTS
from detector.scoring import AccountView
from features.account import AccountState
from features.shared_index import SharedIndex

MATE_REQUESTS = 2  # requests on shared wrapper sentences from which an account under the floor can be a mate
MATE_SENDERS = 2   # suspicious accounts that must have sent one of its wrapper sentences
MATE_SHARE = 0.75  # share of its wrapper sentences' other senders that must be suspicious (specificity-weighted)
RECHECK_EVALUATIONS = 4  # evaluations after which an account's judgement is made again whatever changed
_SPECIFICITY = np.array([SPECIFICITY_BY_WORDS.get(words, 1.0) for words in range(max(SPECIFICITY_BY_WORDS) + 2)])


def templated_requests(view: AccountView) -> float:
    """About how many of the account's recent requests are templated (``keys.template_use``: a share of at most
    ``TEMPLATED_REQUESTS`` of them)."""
    return view.templated * min(len(view.state.recent_keys), TEMPLATED_REQUESTS)


def wrapper_mates(views: Iterable[AccountView], suspicious: list[AccountView], index: SharedIndex,
                  allowed: Callable[[AccountState], bool]) -> list[AccountView]:
    """The accounts of ``views`` under the floor (not in ``suspicious``, not ``allowed``) with ``MATE_REQUESTS`` or
    more templated requests whose wrapper sentences' other senders are ``MATE_SHARE`` suspicious, at least
    ``MATE_SENDERS`` of them on one sentence. Each sentence weighs its specificity (``SPECIFICITY_BY_WORDS``; too
    short a sentence, none)."""
    over = {v.state.account_id for v in suspicious}
    candidates = mate_candidates(views, over, allowed)
    return [view for view, mate in zip(candidates, judge(candidates, over, index), strict=True) if mate]


def mate_candidates(views: Iterable[AccountView], over: set[str],
                    allowed: Callable[[AccountState], bool]) -> list[AccountView]:
    """The accounts of ``views`` that could be mates: ``MATE_REQUESTS`` templated requests, not ``over`` the floor,
    not allow-listed (most accounts send no shared wrapper)."""
    return [v for v in views if v.templated > 0.0 and templated_requests(v) >= MATE_REQUESTS
            and v.state.account_id not in over and not allowed(v.state)]


def judge(candidates: list[AccountView], over: set[str], index: SharedIndex) -> list[bool]:
    """Per candidate, whether it is a mate of the accounts ``over`` the floor (``wrapper_mates``)."""
    sizes = np.fromiter((len(v.wrappers) for v in candidates), dtype=np.int64, count=len(candidates))
    total = int(sizes.sum())
    if not total:
        return [False] * len(candidates)
    distinct, position = np.unique(np.fromiter(chain.from_iterable(v.wrappers for v in candidates), dtype=np.int64,
                                               count=total), return_inverse=True)
    held = index.senders_of(distinct.tolist())
    suspects = np.fromiter(map(len, map(over.intersection, held)), dtype=np.float64, count=len(held))
    others = np.fromiter(map(len, held), dtype=np.float64, count=len(held)) - 1.0  # (-1: a key pruned since)
    specificity = _SPECIFICITY[np.minimum(distinct >> 32, len(_SPECIFICITY) - 1)][position]
    counted = specificity > 0.0
    row = np.repeat(np.arange(len(candidates)), sizes)[counted]
    weight, suspect = specificity[counted], suspects[position][counted]
    weighed = np.bincount(row, weight * others[position][counted], minlength=len(candidates))
    suspected = np.bincount(row, weight * suspect, minlength=len(candidates))
    several = np.bincount(row, suspect >= MATE_SENDERS, minlength=len(candidates)) > 0
    return (several & (suspected >= MATE_SHARE * weighed)).tolist()


class MateMemo:
    """``wrapper_mates`` across evaluations, judging again only the candidates whose judgement may have moved: new
    signals (a refreshed view), a sentence shared with an account newly over the floor, or a judgement
    ``RECHECK_EVALUATIONS`` old (the other ways it moves: accounts leaving the floor, strangers sending a sentence).
    Checkpointed with the detector, so a resumed replay judges as an uninterrupted one."""

    def __init__(self) -> None:
        self.evaluations = 0
        self.over: set[str] = set()  # the accounts over the floor at the last evaluation
        self.judged: dict[str, tuple[float, int, bool]] = {}  # account -> (view computed at, evaluation, mate)

    def mates(self, views: Iterable[AccountView], suspicious: list[AccountView], index: SharedIndex,
              allowed: Callable[[AccountState], bool]) -> list[AccountView]:
        """``wrapper_mates(views, suspicious, index, allowed)``, from the last judgements where none is due."""
        self.evaluations += 1
        over = {v.state.account_id for v in suspicious}
        tools = self._new_tools(over, [v.state for v in suspicious if v.state.account_id not in self.over], index)
        candidates, judged, now = mate_candidates(views, over, allowed), self.judged, self.evaluations
        due = []
        for view in candidates:
            last = judged.get(view.state.account_id)
            if (last is None or last[0] != view.computed_at or now - last[1] >= RECHECK_EVALUATIONS
                    or not tools.isdisjoint(view.wrappers)):
                due.append(view)
        for view, mate in zip(due, judge(due, over, index), strict=True):
            judged[view.state.account_id] = (view.computed_at, now, mate)
        self.judged = {v.state.account_id: judged[v.state.account_id] for v in candidates}
        self.over = over
        return [v for v in candidates if self.judged[v.state.account_id][2]]

    @staticmethod
    def _new_tools(over: set[str], risen: list[AccountState], index: SharedIndex) -> set[int]:
        """The sentences of accounts newly ``over`` the floor (``risen``) that ``MATE_SENDERS`` or more accounts over
        it sent, ``MATE_SHARE`` of their senders but one: where a sender's rise is likeliest to make a mate now. A
        candidate it tips over by a sentence it left short of that waits for its hourly judgement."""
        sent = set(chain.from_iterable(s.template_keys for s in risen))
        sent.update(chain.from_iterable(chain.from_iterable(s.recent_keys for s in risen)))
        keys = [key for key in sent if key is not None]  # (None: the overflow bucket of ``template_keys``)
        tools = set()
        for key, senders in zip(keys, index.senders_of(keys), strict=True):  # (a key not indexed: no senders)
            suspects = len(over.intersection(senders))
            if suspects >= MATE_SENDERS and suspects >= MATE_SHARE * (len(senders) - 1):
                tools.add(key)
        return tools


def linked_views(views: list[AccountView], floor: float, index: SharedIndex,
                 allowed: Callable[[AccountState], bool], mates: MateMemo | None = None) -> list[AccountView]:
    """The accounts of ``views`` an evaluation links, by account id: those at or over the suspicion ``floor``
    (``detection.member_min_suspicion``) and, given ``mates`` (with ``detection.wrapper_mates``), their wrapper
    mates; none ``allowed`` (allow-listed)."""
    suspicious = [v for v in views if v.suspicion >= floor and not allowed(v.state)]
    if mates is not None:
        suspicious += mates.mates(views, suspicious, index, allowed)
    return sorted(suspicious, key=lambda v: v.state.account_id)
