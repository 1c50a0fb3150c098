"""Per-account state: windows, distributions, caps and what gets queued for embedding."""

from __future__ import annotations

import pickle
import random

from detector.linking.keys import rotation
from features.account import MAX_DISTINCT, AccountState
from features.text import TextAnalyzer
from features.vector import FEATURE_NAMES, account_features, gap_cv
from streams.events import parse_record


def _feed(state: AccountState, records: list[dict]) -> None:
    analyzer, rng = TextAnalyzer(), random.Random(0)
    for record in records:
        event = parse_record({"account_id": state.account_id, **record})
        state.update(event, analyzer.analyze_request(event), rng, embed_budget=3)


def test_counts_usage_infrastructure_and_intent() -> None:
    state = AccountState("a")
    _feed(state, [
        {"ts": 3_600_000 * i, "prompt": f"Explain step by step problem {i}", "ip": f"10.0.0.{i}", "status": 429 if i % 2
         else 200, "max_tokens": 100, "output_tokens": 95, "input_tokens": 10, "model": "m1", "org_id": "o",
         "payment_fingerprint": "card"} for i in range(1, 7)])
    assert state.events == 6 and state.org_id == "o"
    assert state.rate_limited == 3 and state.near_max == 6
    assert len(state.ips) == 6 and state.payments == {"card"}
    assert state.intent_any == 6 and state.intent_evidence["reasoning"] == ["step by step"]
    assert state.events_within(3600 * 6, 3 * 3600) == 3
    assert len(state.embed_queue) == 3  # the per-account embedding budget


def test_repeated_texts_are_not_distinct_but_agent_loop_steps_are() -> None:
    state = AccountState("a")
    _feed(state, [{"ts": i, "prompt": "same question"} for i in range(4)])
    assert state.distinct_texts == 1
    loop = [{"ts": 10 + i, "messages": [{"role": "user", "content": "fix the bug"},
                                        {"role": "tool", "content": f"step {i}"}]} for i in range(3)]
    _feed(state, loop)
    assert state.distinct_texts == 4


def test_distributions_are_capped() -> None:
    state = AccountState("a")
    _feed(state, [{"ts": i, "prompt": "x", "ip": f"10.0.{i // 250}.{i % 250}"} for i in range(MAX_DISTINCT + 20)])
    assert len(state.ips) == MAX_DISTINCT + 1  # the None bucket holds the overflow
    assert state.ips[None] == 20


def test_values_a_request_lacks_are_not_counted_as_the_overflow_of_a_rotating_address() -> None:
    state = AccountState("a")
    _feed(state, [{"ts": i, "prompt": "x", "ip": "10.0.0.1" if i % 3 else None, "asn": 64500 if i % 2 else None,
                   "country": "" if i % 4 == 0 else "NL", "user_agent": None if i == 5 else "cli/1"}
                  for i in range(12)])
    assert state.ips == {"10.0.0.1": 8} and None not in state.asns
    assert state.countries == {"NL": 9} and state.user_agents == {"cli/1": 11}
    assert rotation(state) == 0.0  # one stable address with gaps in the log: no rotation (was 0.6)
    features = dict(zip(FEATURE_NAMES, account_features(state, 12.0, {}), strict=True))
    assert features["asn_count"] == 1 and features["country_count"] == 1


def test_regularity_and_feature_vector() -> None:
    assert gap_cv([0, 60, 120, 180, 240, 300, 360]) < 0.01
    assert gap_cv([0, 1, 500, 502, 4000, 4001, 9000]) > 1.0
    state = AccountState("a")
    _feed(state, [{"ts": 60_000 * i, "prompt": f"p{i}"} for i in range(30)])
    vector = account_features(state, 60 * 30, {})
    assert vector.shape == (len(FEATURE_NAMES),)
    assert vector[FEATURE_NAMES.index("distinct_text_ratio")] == 1.0


def test_state_pickles_for_checkpoints() -> None:
    state = AccountState("a")
    _feed(state, [{"ts": 1, "prompt": "hello there friend"}])
    copy = pickle.loads(pickle.dumps(state))
    assert copy.events == 1 and copy.samples == ["hello there friend"]
