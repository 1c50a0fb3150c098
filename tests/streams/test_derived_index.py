"""The linker's derived index: the cross-account text and template index rebuilt from account profiles."""

from __future__ import annotations

from typing import Any

from detector.engine import Detector
from features.account import AccountState
from hydrawatch.settings import Settings
from streams.derived_index import DerivedIndex


def test_derived_index_follows_its_accounts(events: list[Any], settings: Settings) -> None:
    detector = Detector(settings)
    for event in events[:2000]:
        detector.process(event)
    index = DerivedIndex()
    for state in detector.accounts.values():
        index.add(state)
    for key, stats in detector.index.keys.items():  # counted alike while no account's key counts overflowed
        if key in index.keys and stats[0] == index.keys[key][0]:
            assert index.resent(key) == detector.index.resent(key)
    assert any(index.resent(key) for key in index.keys) and not all(index.resent(key) for key in index.keys)
    for state in detector.accounts.values():
        for text in state.text_hashes:
            assert index.is_recycled(text) == (len({a for a, s in detector.accounts.items()
                                                   if text in s.text_hashes}) > 1)
    for state in list(detector.accounts.values()):
        index.remove(state)
    assert index.texts == {} and index.keys == {} and index.text_owners == {}


def _sender(account: str, key: int, texts: list[int]) -> AccountState:
    state = AccountState(account)
    state.template_keys = {key: len(texts)}
    state.recent_keys = [(key, 99)] * len(texts)
    state.recent_texts = list(texts)
    return state


def test_derived_index_tells_a_farm_wrapper_from_a_prompt_re_sent_as_it_is() -> None:
    """A key held by more accounts than linking pairs counts only while it wraps new texts: the linker reads that
    from its senders' recent requests (the profiles carry no per-key text counts)."""
    index = DerivedIndex(max_key_accounts=3)
    for i in range(8):  # a farm: each account wraps new tasks
        index.add(_sender(f"farm{i}", 7, [1000 + 10 * i, 1001 + 10 * i]))
    for i in range(8):  # a viral prompt: one text, sent as it is
        index.add(_sender(f"viral{i}", 8, [555]))
    assert {7, 8} <= index.crowded
    assert index.wraps_new_texts(7) and not index.wraps_new_texts(8)
    for i in range(6):  # most of the farm gone: two accounts, four texts, no longer crowded but still wrapping
        index.remove(_sender(f"farm{i}", 7, []))
    assert 7 not in index.crowded and index.wraps_new_texts(7)
    for i in range(8, 12):  # the viral prompt worded around by four more senders: 4 texts for 12 senders
        index.add(_sender(f"viral{i}", 8, [600 + i]))
    assert not index.wraps_new_texts(8)
    index.add(_sender("viral12", 8, [700, 701]))  # 7 distinct texts for 13 senders: half
    assert index.wraps_new_texts(8)


def test_derived_index_agrees_with_replay_on_which_crowded_keys_wrap(events: list[Any]) -> None:
    """On the simulator's data with a low cap (so that wrappers and public tasks are crowded), the derived index
    finds the same keys wrapping new texts as replay's index, never one replay's does not."""
    settings = Settings()
    settings.embedding.minilm_per_account = 0
    settings.detection.max_key_accounts = 5
    detector = Detector(settings)
    for event in events:
        detector.process(event)
    derived = DerivedIndex(5)
    for state in detector.accounts.values():
        derived.add(state)
    keys = derived.crowded & detector.index.crowded
    replay = {key for key in keys if detector.index.wraps_new_texts(key)}
    found = {key for key in keys if derived.wraps_new_texts(key)}
    assert len(keys) > 50 and len(replay) > 50 and len(keys - replay) > 0
    assert found <= replay and len(found) >= 0.9 * len(replay)


def test_checkpoints_from_before_recent_texts_restore() -> None:
    state = AccountState("a")
    state.recent_keys = [(1, 2)]
    reduced = state.__reduce_ex__(4)
    slots = dict(reduced[2][1])
    del slots["recent_texts"]
    restored = AccountState.__new__(AccountState)
    restored.__setstate__((None, slots))
    assert restored.recent_texts == [] and restored.recent_keys == [(1, 2)]
