"""Property tests of the input contract: every event the JSON schema allows is read, or rejected only for a time
that cannot be read, and never stops a run (hypothesis, with events generated from the schema itself)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from event_strategies import message, readable_times, tool
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from streams.events import KNOWN_FIELDS, EventError, parse_line

TIMESTAMPS = ("'ts'", "'account_created_at'")  # the schema allows any string there; an unreadable one is rejected

chat_shapes = st.fixed_dictionaries(
    {"ts": readable_times, "account_created_at": st.none() | readable_times, "tools": st.lists(tool, max_size=4)},
    optional={"messages": st.lists(message, max_size=5), "prompt": st.text(max_size=200)})
PROPERTIES = settings(max_examples=100, deadline=None,  # the schema fixture is read only: one per test is enough
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode()


@PROPERTIES
@given(data=st.data())
def test_every_event_the_schema_allows_is_read_or_rejected_for_its_time(event_schema: dict[str, Any],
                                                                        data: st.DataObject) -> None:
    record = data.draw(from_schema(event_schema))
    try:
        event = parse_line(_line(record))
    except EventError as error:
        assert any(field in str(error) for field in TIMESTAMPS), f"{error} for a valid event: {record}"
        return
    assert event.account_id == record["account_id"]
    assert set(event.extra) == set(record) - KNOWN_FIELDS  # unknown fields are kept


@PROPERTIES
@given(data=st.data())
def test_chat_messages_and_tools_of_every_shape_are_read(event_schema: dict[str, Any],
                                                        data: st.DataObject) -> None:
    """The schema leaves a message's content and a tool's fields open; generated events rarely hold the shapes
    APIs send (content parts, OpenAI-style tools with a ``function``), so these are drawn in every shape."""
    record = {**data.draw(from_schema(event_schema)), **data.draw(chat_shapes)}
    assume(jsonschema.Draft202012Validator(event_schema).is_valid(record))
    event = parse_line(_line(record))
    tools = record.get("tools") or []
    assert len(event.tools) == sum(isinstance(t, str | dict) for t in tools)
    assert isinstance(event.text, str)
