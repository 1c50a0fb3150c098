"""How much a shared sentence belongs to the accounts being linked rather than to everyone (``key_concentration``):
the weight of its column when template links are drawn (``detector.linking.content``)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from weakref import WeakKeyDictionary

import numpy as np

from features.shared_index import SharedIndex

RUNNER_REUSES = 2  # requests in which a runner sent a sentence from which it is a tool it works (``key_concentration``)
CONCENTRATED = 0.75  # share of a sentence's senders among the linked accounts from which it counts fully: an
                     # operator's wrapper belongs to its accounts; a trending prompt's senders are mostly ordinary
PUBLIC_VOICES = 2  # accounts speaking for the public (``SharedIndex.people``) whose sending a sentence makes it public


def key_concentration(keys: np.ndarray, accounts_here: np.ndarray, index: SharedIndex,
                      runners_elsewhere: Mapping[str, Mapping[int | None, int]] | None = None,
                      voices: Mapping[str, Mapping[int | None, int]] | None = None) -> np.ndarray:
    """How much each sentence (``keys``, held by ``accounts_here`` of the accounts being linked) belongs to them
    rather than to everyone, in [0, 1]. A sentence that most of its senders share (``CONCENTRATED`` of the
    accounts the index has seen with it) counts fully; one that mostly ordinary accounts send (the stock
    phrasing of everyday requests, which a crew's filler traffic may borrow) counts in proportion: it is common
    language, not an operator's template. Its senders that run shared templates and re-used it (``runners_elsewhere``:
    accounts of ``SharedIndex.runners`` not being linked, such as a farm's accounts below the suspicion floor, with
    their template-key counts; ``RUNNER_REUSES``) count with the linked ones: it is a tool they work, not the passing
    words of a person; a public task a runner wrapped once is not. A crowded sentence (``SharedIndex.crowded``)
    counts only while it wraps new texts (``SharedIndex.wraps_new_texts``): a public task that a farm's thousands of
    accounts re-send around their wrappers, or a viral prompt, ties no one; every crew draws tasks from the same
    public banks. A sentence that ``PUBLIC_VOICES`` of the ``voices`` sent in one request each (accounts of
    ``SharedIndex.people`` not being linked, with their template-key counts: people past their first requests,
    under the floor, none of their recent requests templated) is public language however many linked accounts send
    it too, and ties no one: the instructions of a public benchmark whose items a crew wraps, which people ask as
    they are. A crew's accounts under the floor re-use its wrapper: they are no voices for it."""
    stats, crowded = index.keys, index.crowded
    listed = keys.tolist()
    seen = np.array([stats[k][2] if k in stats else 0 for k in listed], dtype=np.float64)
    here = accounts_here.astype(np.float64)
    if runners_elsewhere:  # (only where the linked accounts alone leave it under full weight)
        short = np.flatnonzero(here < CONCENTRATED * seen).tolist()  # (a key not indexed has no senders)
        tools = _tools(runners_elsewhere, {listed[i] for i in short})
        for i in short:
            senders = index.senders(listed[i]) or set()
            here[i] += sum(a in senders for a in tools.get(listed[i], ()))
    wrapping = np.array([k not in crowded or index.wraps_new_texts(k) for k in listed], dtype=bool)
    if voices:
        memo = _memo_of(index)
        for i in np.flatnonzero(wrapping & (accounts_here < seen)).tolist():  # (else only linked accounts sent it)
            wrapping[i] = not _public(listed[i], index, voices, memo)
    return np.where(wrapping, np.minimum(1.0, here / np.maximum(seen, here) / CONCENTRATED), 0.0)


def _public(key: int, index: SharedIndex, voices: Mapping[str, Mapping[int | None, int]],
            memo: PublicMemo | None = None) -> bool:
    """Whether ``PUBLIC_VOICES`` of the ``voices`` (accounts speaking for the public, with their template-key counts)
    sent ``key`` in one request each: a sentence one of them re-used is a tool it works, not what the public asks.
    Given the index's ``memo`` (``_memo_of``), answered from the last evaluation's answer where nothing it rests on
    changed."""
    senders = index.senders(key)
    if not senders:
        return False
    if memo is None:
        return _heard(key, senders, voices) is not None
    return memo.public(key, senders, voices)


def _heard(key: int, senders: AbstractSet[str], voices: Mapping[str, Mapping[int | None, int]],
           ) -> tuple[str, ...] | None:
    """``PUBLIC_VOICES`` of the ``voices`` that sent ``key`` (of its ``senders``) in one request each, or None."""
    heard: list[str] = []
    find = voices.get
    for account in senders:  # (a public sentence's senders are mostly voices: the first few usually tell)
        counts = find(account)
        if counts is not None and counts.get(key, 0) < RUNNER_REUSES:
            heard.append(account)
            if len(heard) >= PUBLIC_VOICES:
                return tuple(heard)
    return None


class PublicMemo:
    """``_public``'s answers from one evaluation to the next. A public sentence stays public while the voices heard
    on it still are voices that sent it once (checked each time); a sentence no two voices sent stays so while no
    account joined its senders and no sender became a voice, or a voice with new counts, since the last evaluation
    (``changed``: template-key counts only grow, so a voice that re-used it still has). Only for an index whose sets
    of senders only grow (``SharedIndex.senders_grow_only``)."""

    PRUNE_EVERY = 64  # generations between drops of answers no evaluation asked for since the one before

    def __init__(self) -> None:
        self.voices: Mapping[str, Mapping[int | None, int]] | None = None  # the voices of the current generation
        self.generation = 0
        self.changed: set[str] = set()  # accounts that are voices now, not before or with other counts
        self.answers: dict[int, tuple[int, AbstractSet[str], int, tuple[str, ...] | None]] = {}

    def public(self, key: int, senders: AbstractSet[str], voices: Mapping[str, Mapping[int | None, int]]) -> bool:
        if voices is not self.voices:
            self._advance(voices)
        generation, answer = self.generation, self.answers.get(key)
        if answer is not None:
            asked, known, size, heard = answer
            if heard is not None:
                for account in heard:
                    counts = voices.get(account)
                    if counts is None or counts.get(key, 0) >= RUNNER_REUSES or account not in senders:
                        break
                else:
                    return True
            elif known is senders and size == len(senders) and (
                    asked == generation or (asked == generation - 1 and self.changed.isdisjoint(senders))):
                self.answers[key] = (generation, senders, size, None)
                return False
        heard = _heard(key, senders, voices)
        self.answers[key] = (generation, senders, len(senders), heard)
        return heard is not None

    def _advance(self, voices: Mapping[str, Mapping[int | None, int]]) -> None:
        last = self.voices or {}
        self.changed = {a for a, counts in voices.items() if last.get(a) is not counts}
        self.voices = voices
        self.generation += 1
        if self.generation % self.PRUNE_EVERY == 0:  # (answers keep their senders' sets alive)
            oldest = self.generation - 1
            self.answers = {k: a for k, a in self.answers.items() if a[0] >= oldest}


_MEMOS: WeakKeyDictionary[SharedIndex, PublicMemo] = WeakKeyDictionary()


def _memo_of(index: SharedIndex) -> PublicMemo | None:
    """The ``PublicMemo`` of an index whose sets of senders only grow (one per index, gone with it)."""
    if not index.senders_grow_only:
        return None
    memo = _MEMOS.get(index)
    if memo is None:
        memo = _MEMOS[index] = PublicMemo()
    return memo


def _tools(runners: Mapping[str, Mapping[int | None, int]], keys: set[int]) -> dict[int, list[str]]:
    """Of ``keys``, each one's ``runners`` that sent it in ``RUNNER_REUSES`` or more requests."""
    tools: dict[int, list[str]] = {}
    for account, counts in runners.items():
        for key, count in counts.items():
            if count >= RUNNER_REUSES and key is not None and key in keys:
                tools.setdefault(key, []).append(account)
    return tools


def concentration_factor(keys: np.ndarray, accounts_here: np.ndarray, index: SharedIndex,
                         runners_elsewhere: Mapping[str, Mapping[int | None, int]],
                         voices: Mapping[str, Mapping[int | None, int]]) -> np.ndarray:
    """``key_concentration``'s square root: a column factor of the membership matrix (a pair's overlap multiplies
    two of them)."""
    return np.sqrt(key_concentration(keys, accounts_here, index, runners_elsewhere, voices))
