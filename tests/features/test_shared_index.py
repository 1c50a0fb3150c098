"""The cross-account index: recycled texts and the incrementally kept set of wrapper keys."""

from __future__ import annotations

import random

import features.shared_index as shared_index
from features.shared_index import SharedIndex
from features.text import TextAnalyzer

WRAPPER = "Please lay out every intermediate reasoning step before stating the final answer clearly."


def _observe(index: SharedIndex, analyzer: TextAnalyzer, account: str, text: str, ts: float) -> None:
    index.observe(account, analyzer.analyze(text), ts)


def test_a_key_becomes_a_wrapper_with_three_requests_from_two_accounts_and_stops_past_the_bound() -> None:
    index, analyzer = SharedIndex(max_key_accounts=3), TextAnalyzer()
    key = analyzer.analyze(WRAPPER).keys[0][0]
    _observe(index, analyzer, "a", f"{WRAPPER} Task: sort 4 numbers.", 1)
    _observe(index, analyzer, "a", f"{WRAPPER} Task: invert a tree.", 2)
    assert key not in index.wrappers  # one account
    _observe(index, analyzer, "b", f"{WRAPPER} Task: parse a date.", 3)
    assert key in index.wrappers
    _observe(index, analyzer, "c", f"{WRAPPER} Task: merge two lists.", 4)
    _observe(index, analyzer, "d", f"{WRAPPER} Task: count the vowels.", 5)
    assert key not in index.wrappers  # held by more accounts than the bound: too widely sent to link by ...
    assert key in index.crowded  # ... but still a template its senders may re-use
    index.prune(horizon=10)
    assert index.wrappers == set() == index.crowded and index.keys == {}


def test_incremental_wrappers_equal_a_rebuild() -> None:
    rng, index, analyzer = random.Random(3), SharedIndex(max_key_accounts=20), TextAnalyzer()
    phrases = [f"Variant {w} of the house template for crew members." for w in ("alpha", "beta", "gamma")]
    for i in range(600):
        account = rng.randrange(30)  # each variant is used by 10 accounts, the closing sentence by all 30
        text = f"{phrases[account % 3]} Then solve the problem about {rng.choice(['trains', 'ropes', 'coins'])}."
        _observe(index, analyzer, f"acct-{account}", text, i)
    incremental, crowded = set(index.wrappers), set(index.crowded)
    index.reclassify(20)
    assert incremental == index.wrappers and len(incremental) == 3
    assert crowded == index.crowded and len(crowded) >= 1  # the closing sentence, sent by all 30


def test_prune_forgets_only_entries_last_seen_before_the_horizon() -> None:
    index, analyzer = SharedIndex(), TextAnalyzer()
    old, recent = "An old question about compound interest rates.", "A recent question about binary search trees."
    _observe(index, analyzer, "a", old, 5)
    _observe(index, analyzer, "b", recent, 5)
    _observe(index, analyzer, "c", recent, 20)  # seen again after the horizon: kept
    index.prune(horizon=10)
    assert not index.is_recycled(analyzer.analyze(old).hash) and analyzer.analyze(old).hash not in index.texts
    assert index.is_recycled(analyzer.analyze(recent).hash)
    assert set(index.keys) == {key for key, _ in analyzer.analyze(recent).keys}


def test_accounts_past_the_tracked_ones_count_once_by_their_own_counts(monkeypatch) -> None:
    """A key's senders are counted exactly past the accounts it tracks by name, when each event says which keys
    its account sent before (``AccountState.template_keys``); without that, each of their requests counts."""
    monkeypatch.setattr(shared_index, "MAX_KEY_ACCOUNTS_TRACKED", 2)
    analyzer = TextAnalyzer()
    key = analyzer.analyze(WRAPPER).keys[0][0]
    for told in (True, False):
        index, sent = SharedIndex(), {}
        for i in range(12):  # six accounts, two requests each
            account = f"a{i % 6}"
            index.observe(account, analyzer.analyze(f"{WRAPPER} Task {i}."), i, sent.get(account, {}) if told else ())
            sent.setdefault(account, {})[key] = 1
        assert index.keys[key][2] == (6 if told else 2 + 2 * 4)


def test_a_key_wraps_new_texts_when_seen_in_half_as_many_texts_as_senders() -> None:
    index, analyzer = SharedIndex(max_key_accounts=3), TextAnalyzer()
    task = "Tom has three apples and buys five more at the market."
    for i in range(8):
        _observe(index, analyzer, f"w{i}", f"{WRAPPER} Task {i}: sort {i} numbers.", i)  # eight new texts ...
        _observe(index, analyzer, f"v{i}", task, 10 + i)  # ... and one public task, sent as it is by eight more
    wrapper_key = analyzer.analyze(WRAPPER).keys[0][0]
    task_key = analyzer.analyze(task).keys[0][0]
    assert {wrapper_key, task_key} <= index.crowded
    assert index.wraps_new_texts(wrapper_key)
    assert not index.wraps_new_texts(task_key)  # eight senders, one text
    _observe(index, analyzer, "w0", f"{WRAPPER} Task 9: {task}", 20)  # wrapped once, and a sender re-sends it
    _observe(index, analyzer, "v0", task, 21)
    assert index.keys[task_key][4] == 2 and not index.wraps_new_texts(task_key)


def test_a_key_is_resent_once_one_sender_sends_it_in_a_second_request() -> None:
    """A public task several accounts each sent once is not re-sent; a wrapper its first account re-uses is."""
    index, analyzer = SharedIndex(), TextAnalyzer()
    key = analyzer.analyze(WRAPPER).keys[0][0]
    for n, account in enumerate(("a", "b", "c")):
        _observe(index, analyzer, account, f"{WRAPPER} Task: sort {n} numbers.", n)
    assert key in index.wrappers and not index.resent(key)
    _observe(index, analyzer, "a", f"{WRAPPER} Task: invert a tree.", 5)
    assert index.resent(key)
    assert not index.resent(12345)  # a key never seen
