"""Request events: parse and validate one raw record (request-event.schema.json) into an ``Event``.

Validation is hand-written for speed and for readable reasons; tests check it agrees with the JSON schema. The
user's text, instructions and tools come from ``streams.request_text``; lenient JSON from ``streams.records_json``.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

import orjson

from streams.errors import EventError
from streams.records_json import loads_lone_surrogates, record_json
from streams.request_text import prompt_text, tool_names

KNOWN_FIELDS = frozenset(
    "event_id ts account_id org_id api_key_id ip asn country user_agent payment_fingerprint account_created_at "
    "signup_channel model endpoint system prompt messages tools has_image max_tokens input_tokens output_tokens "
    "status latency_ms".split()
)
_NULLABLE_STR = ("org_id", "api_key_id", "ip", "country", "user_agent", "payment_fingerprint", "signup_channel",
                 "model", "endpoint", "system")
_NULLABLE_INT = ("asn", "max_tokens", "input_tokens", "output_tokens", "status")
_LEAP_SECOND = re.compile(r"([Tt ]\d\d:\d\d):60(?=[.+-]|$)")


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_FIELD_CHARS = 1_024  # a longer string field (user agent, IP, model...) or tool name is cut for features


@dataclass(slots=True)
class Event:
    """One accepted request. ``text`` is the user's prompt (last user turn), truncated to the size limit."""

    event_id: str
    ts: float
    account_id: str
    text: str
    org_id: str | None = None
    api_key_id: str | None = None
    ip: str | None = None
    asn: int | None = None
    country: str | None = None
    user_agent: str | None = None
    payment_fingerprint: str | None = None
    account_created_at: float | None = None
    signup_channel: str | None = None
    model: str | None = None
    endpoint: str | None = None
    system: str | None = None
    tools: tuple[str, ...] = ()
    has_image: bool = False
    max_tokens: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    status: int | None = None
    latency_ms: float | None = None
    tool_turns: int = 0
    truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    analysis: Any = None  # the text's ``features.text.TextInfo`` when a source computed it (parallel replay)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as constructor arguments: loads several times faster than the default for slotted objects,
        which matters for the batches a parse process sends (``streams.parallel_source``)."""
        return Event, tuple(getattr(self, name) for name in _EVENT_FIELDS)


_EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))


def parse_line(raw: bytes, max_prompt_bytes: int = 1_000_000) -> Event:
    """Decode one JSON line (bytes) into an Event, or raise EventError with a readable reason."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if raw.startswith(codecs.BOM_UTF8):  # a file saved with a byte order mark: its first line carries it
            return parse_line(raw[len(codecs.BOM_UTF8):], max_prompt_bytes)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise EventError(f"invalid UTF-8 at byte {bad.start}") from None
        if "surrogate" not in str(exc):
            raise EventError(f"malformed JSON: {exc}") from None
        try:
            record = loads_lone_surrogates(text)
        except ValueError:
            raise EventError(f"malformed JSON: {exc}") from None
    return parse_record(record, max_prompt_bytes, raw)


def parse_record(record: Any, max_prompt_bytes: int = 1_000_000, raw: bytes | None = None) -> Event:
    """Validate a decoded record (dict) into an Event."""
    if not isinstance(record, dict):
        raise EventError(f"event must be a JSON object, got {type(record).__name__}")
    account_id = record.get("account_id")
    if account_id is None:
        raise EventError("missing required field 'account_id'")
    if not isinstance(account_id, str) or not account_id:
        raise EventError("field 'account_id' must be a non-empty string")
    if "ts" not in record or record["ts"] is None:
        raise EventError("missing required field 'ts'")
    ts = parse_time(record["ts"], "ts")
    overlong = False
    for name in _NULLABLE_STR:
        value = record.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise EventError(f"field '{name}' must be a string or null, got {type(value).__name__}")
            if len(value) > MAX_FIELD_CHARS and name != "system":  # a system prompt is cut like the prompt
                overlong = True
    strings = _clipped(record) if overlong else record
    asn, max_tokens, input_tokens, output_tokens, status = (_integer(record.get(n), n) for n in _NULLABLE_INT)
    for name, count in (("input_tokens", input_tokens), ("output_tokens", output_tokens)):
        if (count or 0) < 0:
            raise EventError(f"field '{name}' must be >= 0")
    latency = record.get("latency_ms")
    if latency is not None and (not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0):
        raise EventError("field 'latency_ms' must be a non-negative number or null")
    has_image = record.get("has_image")
    if has_image is not None and not isinstance(has_image, bool):
        raise EventError("field 'has_image' must be a boolean or null")
    event_id = record.get("event_id")
    if event_id is not None and not isinstance(event_id, str):
        raise EventError("field 'event_id' must be a string")
    text, tool_turns, image_in_parts, instructions = prompt_text(record)
    truncated = False
    if len(text) > max_prompt_bytes // 4:
        text, truncated = _cut(text, max_prompt_bytes)
    system: str | None = record.get("system") or instructions
    if system is not None and len(system) > max_prompt_bytes // 4:
        system, cut = _cut(system, max_prompt_bytes)
        truncated = truncated or cut
    tools = tool_names(record.get("tools"))
    if tools and max(map(len, tools)) > MAX_FIELD_CHARS:
        tools, overlong = tuple(name[:MAX_FIELD_CHARS] for name in tools), True
    truncated = truncated or overlong
    created = record.get("account_created_at")
    return Event(
        event_id=event_id or _derived_id(record, raw),
        ts=ts,
        account_id=account_id,
        text=text,
        org_id=strings.get("org_id"),
        api_key_id=strings.get("api_key_id"),
        ip=strings.get("ip"),
        asn=asn,
        country=strings.get("country"),
        user_agent=strings.get("user_agent"),
        payment_fingerprint=strings.get("payment_fingerprint"),
        account_created_at=None if created is None else parse_time(created, "account_created_at"),
        signup_channel=strings.get("signup_channel"),
        model=strings.get("model"),
        endpoint=strings.get("endpoint"),
        system=system,
        tools=tools,
        has_image=bool(has_image) or image_in_parts,
        max_tokens=max_tokens,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        status=status,
        latency_ms=latency,
        tool_turns=tool_turns,
        truncated=truncated,
        extra={k: v for k, v in record.items() if k not in KNOWN_FIELDS},
    )


def _clipped(record: dict[str, Any]) -> dict[str, Any]:
    """The record's string fields within ``MAX_FIELD_CHARS`` (but the system prompt, cut like the prompt)."""
    return {name: value[:MAX_FIELD_CHARS] if isinstance(value, str) and name != "system" else value
            for name in _NULLABLE_STR if (value := record.get(name)) is not None}


def _cut(text: str, max_bytes: int) -> tuple[str, bool]:
    """``text`` within ``max_bytes`` of UTF-8 (cut at a character boundary), and whether it was cut (callers
    skip texts of at most ``max_bytes // 4`` characters, which always fit)."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text, False
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore"), True


def _integer(value: Any, name: str) -> int | None:
    """An integer field's value: JSON Schema counts a number with no fractional part as an integer (``13335.0``,
    as tools that hold nullable integer columns as floats write it). One beyond 64 bits is read as missing: the
    schema bounds no integer, but no ASN, token count or status is that large, and the alert sinks, the store and
    Kafka hold 64-bit integers (the event is kept; its bytes stay as they came, on the topic or in the file)."""
    if value is None:
        return None
    if type(value) is not int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            raise EventError(f"field '{name}' must be an integer or null, got {type(value).__name__} "
                             f"{str(value)[:40]}")
    return int(value) if INT64_MIN <= value <= INT64_MAX else None


def parse_time(value: Any, name: str) -> float:
    """RFC 3339 string or epoch milliseconds -> epoch seconds."""
    if isinstance(value, bool):
        raise EventError(f"field '{name}' must be an RFC 3339 string or epoch milliseconds, got boolean")
    if isinstance(value, int | float):
        if not 0 <= value < 1e14:
            raise EventError(f"field '{name}' epoch milliseconds out of range: {value}")
        return float(value) / 1000.0
    if isinstance(value, str):
        text = value.replace("Z", "+00:00").replace("z", "+00:00")
        text, leap = _LEAP_SECOND.subn(r"\1:59", text, count=1)  # RFC 3339 allows second 60; datetime does not
        try:
            parsed = datetime.fromisoformat(text) + timedelta(seconds=leap)
        except ValueError:
            raise EventError(f"field '{name}' is not an RFC 3339 timestamp: {value[:60]!r}") from None
        if parsed.tzinfo is None:
            raise EventError(f"field '{name}' has no time zone: {value[:60]!r}")
        return parsed.timestamp()
    raise EventError(f"field '{name}' must be an RFC 3339 string or epoch milliseconds, got {type(value).__name__}")


def _derived_id(record: dict[str, Any], raw: bytes | None) -> str:
    """A stable id from the event's content when it carries none."""
    payload = raw if raw is not None else record_json(record, sort_keys=True)
    return "ev-" + hashlib.blake2b(payload, digest_size=12).hexdigest()
