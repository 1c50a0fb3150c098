"""Hypothesis strategies for request events in the shapes APIs send, which the contract's JSON schema leaves open
(a message's content, a tool's fields) and schema-drawn events rarely hold; and times the parser can read."""

from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
content_part = st.one_of(st.text(max_size=40), json_values, st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["text", "image_url", "input_image", "tool_use", "tool_result", "function_call"])
    | json_values,
    "text": st.text(max_size=60) | json_values, "image_url": json_values, "content": json_values}))
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "system", "developer", "assistant", "tool"]) | st.text(max_size=8)},
    optional={"content": st.text(max_size=80) | st.lists(content_part, max_size=4) | json_values,
              "tool_calls": json_values})
tool = st.one_of(st.text(max_size=10), json_values, st.fixed_dictionaries(  # OpenAI style: {"function": {...}}
    {"function": json_values | st.fixed_dictionaries({}, optional={"name": json_values, "parameters": json_values})},
    optional={"name": json_values, "type": json_values}))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
readable_times = st.one_of(st.integers(0, 10**14 - 1), st.floats(0, 10**14 - 1),
                           st.datetimes(timezones=offsets).map(lambda moment: moment.isoformat()))
