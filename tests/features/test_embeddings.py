"""Embedding tiers load from local files only, and the text-hash cache avoids re-encoding."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

from features.account import AccountState
from features.embeddings import (
    EmbeddingCache,
    EmbeddingsAhead,
    ModelNotFoundError,
    StaticEncoder,
    minilm_path,
    static_model_folder,
    static_model_path,
)
from features.text import TextAnalyzer
from streams.events import parse_record


class CountingEncoder:
    dims = 4

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(texts)
        return np.array([[len(t), 1, 0, 0] for t in texts], dtype=np.float32)


def test_cache_encodes_each_text_once_in_one_batch() -> None:
    encoder = CountingEncoder()
    cache = EmbeddingCache(encoder, max_entries=10)
    first = cache.embed([1, 2, 1], ["aa", "bbb", "aa"])
    assert encoder.calls == [["aa", "bbb"]]
    assert first[0].tolist() == first[2].tolist()
    cache.embed([2], ["bbb"])
    assert len(encoder.calls) == 1


def test_vectors_made_ahead_cover_what_accounts_queue_and_prime_the_cache() -> None:
    rng, analyzer, budget = random.Random(4), TextAnalyzer(), 3
    ahead = EmbeddingsAhead(CountingEncoder(), budget)
    states = {a: AccountState(a) for a in ("a", "b", "c")}
    texts = ["Sort a list of numbers.", "Explain recursion simply.", "ok", "Translate this poem into French.",
             "Summarize the causes of the war.", "Write a haiku about rain."]
    for i in range(60):
        account, text = rng.choice(sorted(states)), rng.choice(texts)
        event = parse_record({"ts": 1_772_000_000 + i, "account_id": account, "prompt": text})
        info = analyzer.analyze(event.text)
        states[account].update(event, info, rng, budget)
        ahead.observe(account, info.hash, info.length, event.text)
    made = ahead.take()
    assert made is not None and ahead.take() is None
    hashes, vectors = made
    queued = {h for state in states.values() for h, _ in state.embed_queue}
    assert queued and queued <= set(hashes)  # every text an account queued, each made once
    assert len(hashes) == len(set(hashes)) <= len(texts) - 1  # "ok" is too short to embed
    cache = EmbeddingCache(CountingEncoder())
    cache.prime(hashes, vectors)
    texts_by_hash = {h: t for state in states.values() for h, t in state.embed_queue}
    embedded = cache.embed(list(texts_by_hash), list(texts_by_hash.values()))
    assert cache.encoded == 0 and cache.primed == len(hashes)
    assert embedded.tolist() == CountingEncoder().encode(list(texts_by_hash.values())).tolist()


def test_vectors_made_ahead_stay_bounded_and_still_cover_each_account() -> None:
    ahead = EmbeddingsAhead(CountingEncoder(), budget=2)
    ahead.MAX_ACCOUNTS = ahead.MAX_SENT = 3
    for i in range(10):
        ahead.observe(f"acct-{i}", i, 20, f"text number {i}")
    assert len(ahead._seen) <= 3 and len(ahead._sent) <= 3
    made = ahead.take()
    assert made is not None and made[0] == list(range(10))  # forgetting never drops a text an account queues


def test_missing_configured_models_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        minilm_path(tmp_path)
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        static_model_path(tmp_path, tmp_path, 8, configured=tmp_path / "nope")
    with pytest.raises(ModelNotFoundError, match="no config.json, model.safetensors, tokenizer.json"):
        StaticEncoder(tmp_path)  # an empty folder never reaches for a model hub
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelNotFoundError, match="no model.safetensors, tokenizer.json"):
        StaticEncoder(tmp_path)


def test_a_static_model_being_distilled_by_another_process_is_waited_for_and_reused(tmp_path: Path) -> None:
    source = tmp_path / "no-minilm-here"  # distilling from it would fail: only reuse can succeed
    target = static_model_folder(tmp_path / "cache", source, 8)
    target.parent.mkdir()
    found: list[Path] = []
    with FileLock(target.with_name(target.name + ".lock")):  # another process, distilling
        waiter = threading.Thread(target=lambda: found.append(static_model_path(tmp_path / "cache", source, 8)))
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and not found  # waits rather than distilling a second copy
        target.mkdir()
        (target / "config.json").write_text("{}")
    waiter.join(10)
    assert found == [target]


def test_packaged_minilm_and_distilled_static_tier(tmp_path: Path) -> None:
    """Loads the real packaged MiniLM, distills (or reuses) the static model, and checks they agree."""
    from features.embeddings import MiniLMEncoder, StaticEncoder
    from hydrawatch.settings import default_cache_dir

    source = minilm_path(None)
    static = StaticEncoder(static_model_path(default_cache_dir(), source, 256))
    texts = ["How do I sort a list in Python?", "What is the best way to order a Python list?",
             "Recipe for a chocolate cake with no eggs"]
    fast = static.encode(texts)
    assert fast.shape == (3, 256)
    assert fast[0] @ fast[1] > fast[0] @ fast[2]
    deep = MiniLMEncoder(source).encode(texts)
    assert deep.shape == (3, 384)
    assert deep[0] @ deep[1] > deep[0] @ deep[2]
