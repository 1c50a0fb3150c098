"""Whether a shared sentence is public language (``detector.linking.concentration``), answered afresh or from the
last evaluation's answer."""

from __future__ import annotations

import random

import numpy as np
import pytest

from detector.linking.concentration import PublicMemo, _heard, key_concentration
from features.shared_index import SharedIndex
from streams.derived_index import DerivedIndex


def _sent(index: SharedIndex, key: int, *accounts: str) -> None:
    """``accounts`` sent ``key`` (the index's documented layout: events, senders, senders counted, last ts, texts)."""
    entry = index.keys.setdefault(key, [0, set(), 0, 0.0, 0])
    for account in accounts:
        entry[0] += 1
        if account not in entry[1]:
            entry[1].add(account)
            entry[2] += 1


@pytest.mark.parametrize("seed", range(6))
def test_remembered_answers_equal_answers_taken_afresh_as_senders_voices_and_counts_change(seed: int) -> None:
    rng = random.Random(seed)
    index = SharedIndex()
    memo = PublicMemo()
    accounts = [f"a{i}" for i in range(30)]
    keys = list(range(1, 25))
    counts = {a: {} for a in accounts}  # each account's template-key counts (the live dicts voices hold)
    for key in keys:
        _sent(index, key, *rng.sample(accounts, rng.randint(0, 4)))
    asked = 0
    for _generation in range(250):
        for _ in range(rng.randint(0, 6)):  # requests between two evaluations
            account, key = rng.choice(accounts), rng.choice(keys)
            _sent(index, key, account)
            counts[account][key] = counts[account].get(key, 0) + 1
        if rng.random() < 0.1:  # an account's state replaced (the linker's profiles): counts that may be lower
            account = rng.choice(accounts)
            counts[account] = {k: rng.randint(0, 1) for k in counts[account]}
        if rng.random() < 0.05:  # a key pruned, sent again later: a new set of senders
            index.keys.pop(rng.choice(keys), None)
        for _call in range(rng.choice([1, 1, 2])):  # (an evaluation restating a campaign links again)
            voices = {a: counts[a] for a in rng.sample(accounts, rng.randint(0, 20))}
            for key in rng.sample(keys, rng.randint(0, len(keys))):  # keys skip evaluations too
                senders = index.senders(key)
                if not senders:
                    continue
                expected = _heard(key, senders, voices) is not None
                assert memo.public(key, senders, voices) == expected
                assert memo.public(key, senders, voices) == expected  # asked twice in one call
                asked += 1
    assert asked > 1000


def test_a_sentence_stays_private_until_a_second_voice_sends_it_once() -> None:
    index, memo = SharedIndex(), PublicMemo()
    crew, person = {"c1": {7: 3}, "c2": {7: 4}}, {"p1": {7: 1}}
    _sent(index, 7, "c1", "c2", "p1")
    voices = {**crew, **person}
    assert not memo.public(7, index.senders(7), voices)  # one voice sent it once; the crew's re-use is no voice
    voices = dict(voices)  # the next evaluation: nothing changed
    assert not memo.public(7, index.senders(7), voices)
    _sent(index, 7, "p2")
    voices = {**voices, "p2": {7: 1}}
    assert memo.public(7, index.senders(7), voices)
    voices = {**voices, "p2": {7: 2}}  # the second person now re-uses it: a tool, no longer a voice for it
    assert not memo.public(7, index.senders(7), voices)


def test_a_voice_whose_state_was_replaced_is_heard_with_its_new_counts() -> None:
    """Counts only grow while an account keeps its state; a state built elsewhere (the linker's profiles) starts
    from other counts, and a voice that re-used a sentence may now have sent it once."""
    index, memo = SharedIndex(), PublicMemo()
    _sent(index, 7, "c1", "p1")
    assert not memo.public(7, index.senders(7), {"c1": {7: 3}, "p1": {7: 1}})
    assert memo.public(7, index.senders(7), {"c1": {7: 1}, "p1": {7: 1}})


def test_an_index_whose_senders_leave_is_answered_afresh() -> None:
    """The linker's index removes an account's share when its next profile replaces it: a sentence's senders may be
    as many as before and others (a remembered "no" would be stale)."""
    index = DerivedIndex()
    _sent(index, 5, "c1", "p1")
    voices = {"p1": {5: 1}, "p2": {5: 1}}  # (c1 is linked: no voice)
    here = np.array([1])
    assert key_concentration(np.array([5]), here, index, voices=voices) > 0.0  # one voice: not public
    index.keys[5][1].discard("c1")
    index.keys[5][2] -= 1
    _sent(index, 5, "p2")
    assert key_concentration(np.array([5]), here, index, voices=dict(voices)) == 0.0  # two voices: public
