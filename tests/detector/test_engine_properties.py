"""Property test: whatever valid events arrive, the detector folds each one in once and evaluates without error
(events drawn from the contract's JSON schema, in chat and tool shapes APIs send, a few hours of event time)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from event_strategies import message, tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from hydrawatch.replay import build_detector
from hydrawatch.settings import Settings
from streams.events import parse_line

START_MS = 1_771_840_800_000
ACCOUNTS = [f"acct-{i}" for i in range(6)]  # few accounts, so groups form and get evaluated
busy_hours = st.fixed_dictionaries(
    {"ts": st.integers(START_MS, START_MS + 6 * 3_600_000), "account_id": st.sampled_from(ACCOUNTS),
     "account_created_at": st.none() | st.integers(START_MS - 400 * 86_400_000, START_MS)},
    optional={"messages": st.lists(message, max_size=4), "tools": st.none() | st.lists(tool, max_size=3)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                     HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_valid_event_is_folded_in_once_and_evaluations_never_fail(event_schema: dict[str, Any],
                                                                        data: st.DataObject) -> None:
    validator = jsonschema.Draft202012Validator(event_schema)
    records = data.draw(st.lists(st.builds(lambda base, over: {**base, **over}, from_schema(event_schema), busy_hours)
                                 .filter(validator.is_valid), min_size=1, max_size=40))
    for number, record in enumerate(records):
        record["event_id"] = f"ev-{number}"  # distinct requests (an id seen again within minutes is a redelivery)
    events = sorted((parse_line(json.dumps(r).encode()) for r in records), key=lambda e: e.ts)
    detector = build_detector(Settings(), embeddings=False)
    for event in events:
        detector.process(event)
    detector.finish()
    assert sum(state.events for state in detector.accounts.values()) == len(events)
    assert detector.evaluations >= 1
