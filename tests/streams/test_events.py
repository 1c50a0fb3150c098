"""Parsing and validating single request events."""

from __future__ import annotations

import itertools

import jsonschema
import orjson
import pytest

from streams.events import EventError, parse_line, parse_record

BASE = {"ts": "2026-02-23T10:00:00.123Z", "account_id": "acct-1", "prompt": "hello there"}


def test_minimal_event_with_rfc3339_timestamp() -> None:
    event = parse_record(dict(BASE))
    assert event.account_id == "acct-1"
    assert event.text == "hello there"
    assert event.ts == pytest.approx(1771840800.123)
    assert event.event_id.startswith("ev-")


def test_epoch_millisecond_timestamps_and_nulls() -> None:
    event = parse_record({"ts": 1771840800123, "account_id": "a", "prompt": "x", "asn": None, "ip": None,
                          "account_created_at": 1771000000000})
    assert event.ts == pytest.approx(1771840800.123)
    assert event.account_created_at == pytest.approx(1771000000.0)
    assert event.asn is None


def test_messages_last_user_turn_with_parts_and_tools() -> None:
    record = {"ts": 0, "account_id": "a", "tools": [{"name": "search"}, "calc"], "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": [{"type": "tool_use", "name": "search"}]},
        {"role": "tool", "content": "result"},
        {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "image", "source": {}}]},
    ]}
    event = parse_record(record)
    assert event.text == "second"
    assert event.tools == ("search", "calc")
    assert event.tool_turns == 2
    assert event.has_image


def test_unknown_fields_are_kept() -> None:
    event = parse_record({**BASE, "region": "eu", "client_meta": {"v": 2}})
    assert event.extra == {"region": "eu", "client_meta": {"v": 2}}


def test_derived_event_id_is_stable() -> None:
    raw = orjson.dumps(BASE)
    assert parse_line(raw).event_id == parse_line(raw).event_id


def test_oversized_prompt_is_truncated_and_flagged() -> None:
    event = parse_record({**BASE, "prompt": "é" * 700_000}, max_prompt_bytes=1_000_000)
    assert event.truncated
    assert len(event.text.encode()) <= 1_000_000


@pytest.mark.parametrize(("raw", "reason"), [
    (b'{"ts": 1, "account_id": "a", "prompt": "x"', "malformed JSON"),
    (b'{"ts": 1, "account_id": "a", "prompt": "\xff\xfe"}', "invalid UTF-8"),
    (b'[1, 2]', "must be a JSON object"),
    (b'{"account_id": "a", "prompt": "x"}', "missing required field 'ts'"),
    (b'{"ts": 1, "prompt": "x"}', "missing required field 'account_id'"),
    (b'{"ts": 1, "account_id": "a"}', "missing prompt text"),
    (b'{"ts": "yesterday", "account_id": "a", "prompt": "x"}', "not an RFC 3339 timestamp"),
    (b'{"ts": 1, "account_id": "a", "prompt": "x", "asn": "13335"}', "field 'asn' must be an integer"),
    (b'{"ts": 1, "account_id": "a", "prompt": 5}', "field 'prompt' must be a string"),
    (b'{"ts": 1, "account_id": "", "prompt": "x"}', "non-empty string"),
    (b'{"ts": true, "account_id": "a", "prompt": "x"}', "got boolean"),
    (b'{"ts": 1, "account_id": "a", "messages": "hi"}', "'messages' must be an array"),
])
def test_bad_records_are_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(EventError, match=reason):
        parse_line(raw)


def _variants() -> list[dict]:
    values = {
        "ts": ["2026-02-23T10:00:00Z", 1771840800000, "garbage", None, True],
        "account_id": ["a", "", 3],
        "asn": [64500, 64500.0, None, "x", 1.5],
        "prompt": ["text", 7, None],
        "messages": [None, [{"role": "user", "content": "hi"}], "no"],
    }
    out = []
    for combo in itertools.product(*values.values()):
        record = {k: v for k, v in zip(values, combo, strict=True) if v is not None}
        out.append(record)
    return out


def test_validation_agrees_with_the_json_schema(event_schema: dict) -> None:
    validator = jsonschema.Draft202012Validator(event_schema)
    for record in _variants():
        schema_ok = validator.is_valid(record)
        try:
            parse_record(record)
            ours = True
        except EventError:
            ours = False
        stricter = record.get("ts") == "garbage"  # the schema allows any string; unparseable times go to the DLQ
        if schema_ok and not stricter:
            assert ours, f"valid per schema but rejected: {record}"
        elif ours:
            # the only case the schema rejects and we accept would be a hole in our validation
            pytest.fail(f"invalid per schema but accepted: {record}")


def test_a_system_turn_is_the_requests_instructions_unless_a_system_field_is_given() -> None:
    turns = [{"role": "system", "content": "Think step by step."}, {"role": "user", "content": "2 + 2?"}]
    assert parse_record({"ts": 0, "account_id": "a", "messages": turns}).system == "Think step by step."
    developer = [{"role": "developer", "content": [{"type": "text", "text": "Show your reasoning."}]}, turns[1]]
    assert parse_record({"ts": 0, "account_id": "a", "messages": developer}).system == "Show your reasoning."
    assert parse_record({"ts": 0, "account_id": "a", "messages": turns, "system": "Be brief."}).system == "Be brief."
    assert parse_record({"ts": 0, "account_id": "a", "messages": turns[1:]}).system is None


def test_integer_fields_take_whole_numbers_written_as_floats() -> None:
    event = parse_record({**BASE, "asn": 13335.0, "max_tokens": 1024.0, "input_tokens": 0.0, "status": 429.0})
    assert (event.asn, event.max_tokens, event.input_tokens, event.status) == (13335, 1024, 0, 429)
    assert type(event.asn) is int and type(event.status) is int
    with pytest.raises(EventError, match="field 'output_tokens' must be an integer or null, got float 7.5"):
        parse_record({**BASE, "output_tokens": 7.5})
    with pytest.raises(EventError, match="field 'input_tokens' must be >= 0"):
        parse_record({**BASE, "input_tokens": -3.0})


def test_a_leap_second_is_read_as_the_next_second() -> None:
    assert parse_record({**BASE, "ts": "2026-12-31T23:59:60Z"}).ts == parse_record(
        {**BASE, "ts": "2027-01-01T00:00:00Z"}).ts
    assert parse_record({**BASE, "ts": "2026-12-31T18:59:60.250-05:00"}).ts == pytest.approx(1798761600.25)
    with pytest.raises(EventError, match="not an RFC 3339 timestamp"):
        parse_record({**BASE, "ts": "2026-12-31T23:59:61Z"})


def test_a_user_turn_with_tool_results_gives_its_text_only_when_no_other_user_turn_has_any() -> None:
    results = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "42"},
                                            {"type": "text", "text": "Now summarise the result."}]}
    only = parse_record({"ts": 0, "account_id": "a", "messages": [results]})
    assert (only.text, only.tool_turns) == ("Now summarise the result.", 1)
    task = {"role": "user", "content": "Compute the answer with the calculator."}
    loop = parse_record({"ts": 0, "account_id": "a", "messages": [task, {"role": "assistant", "content": [
        {"type": "tool_use", "id": "t1", "name": "calc", "input": {}}]}, results]})
    assert (loop.text, loop.tool_turns) == ("Compute the answer with the calculator.", 2)


def test_tools_are_named_in_every_style_and_a_malformed_one_is_unnamed_not_an_error() -> None:
    """The schema says tools are names or objects with a name; OpenAI nests it under ``function``. A ``function``
    that is no object (the schema leaves it open) made the parser raise, which stopped a replay."""
    tools = [{"type": "function", "function": {"name": "calc"}}, {"name": "search"}, "shell", {"function": "run"},
             {"function": True}, {"function": None}, 7]
    event = parse_record({**BASE, "tools": tools})
    assert event.tools == ("calc", "search", "shell", "?", "?", "?")


def test_an_integer_beyond_64_bits_is_read_as_missing_and_the_event_kept() -> None:
    event = parse_line(b'{"ts": 1, "account_id": "a", "prompt": "x", "asn": 100000000000000000000000, '
                       b'"output_tokens": 18446744073709551615, "max_tokens": -9223372036854775808}')
    assert (event.asn, event.output_tokens, event.max_tokens) == (None, None, -(2**63))


def test_overlong_fields_are_cut_for_features_and_flagged() -> None:
    """A user agent, IP or model thousands of characters long is no real client's: it is cut (1,024 characters)
    so it cannot fill memory or every alert that lists it; a system prompt is cut like the prompt."""
    record = {**BASE, "user_agent": "ua" * 5_000, "tools": ["t" * 3_000, "calc"], "system": "s" * 2_000}
    event = parse_record(record, max_prompt_bytes=1_000)
    assert (len(event.user_agent or ""), len(event.system or ""), [len(t) for t in event.tools]) == (1_024, 1_000,
                                                                                                      [1_024, 4])
    assert event.truncated
    assert not parse_record(BASE).truncated


def test_half_an_emoji_escaped_alone_is_read_as_a_replacement_character() -> None:
    """JavaScript's JSON.stringify writes a lone surrogate as an escape (a client that cut a string between the
    halves of an emoji); orjson refuses such JSON, and the event was dead-lettered as malformed."""
    event = parse_line(b'{"ts": 1, "account_id": "a\\ud83d", "prompt": "smile \\ud83d", "x\\udc00": ["\\udfff"]}')
    assert (event.account_id, event.text, event.extra) == ("a\ufffd", "smile \ufffd", {"x\ufffd": ["\ufffd"]})
    assert parse_line(b'{"ts": 1, "account_id": "a", "prompt": "\\ud83d\\ude00"}').text == "\U0001f600"
    with pytest.raises(EventError, match="malformed JSON"):
        parse_line(b'{"ts": 1, "account_id": "a", "prompt": "\\ud83d')
