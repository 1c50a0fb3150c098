"""JSON in and out of request records, where orjson is too strict: strings with lone surrogate escapes, and
records holding what JSON has no type for."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONE_SURROGATE = re.compile("[\\ud800-\\udfff]")  # in a str decoded by json, a pair is already one character


def clean_text(value: str) -> str:
    """``value`` as valid Unicode: lone surrogates become U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", value)


def loads_lone_surrogates(text: str) -> Any:
    """JSON whose strings hold lone surrogate escapes (``"\\ud83d"``: JavaScript's JSON.stringify writes one for
    half an emoji, as when a client cuts a string between its two halves), which orjson refuses; each becomes
    U+FFFD. Raises ValueError for JSON that is malformed otherwise."""
    return _whole_characters(json.loads(text))


def _whole_characters(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_whole_characters(v) for v in value]
    if isinstance(value, dict):
        return {_whole_characters(k): _whole_characters(v) for k, v in value.items()}
    return value


def record_json(record: Any, sort_keys: bool = False) -> bytes:
    """A decoded record as JSON, whatever it holds: values JSON has no type for (a Parquet column of bytes or
    decimals) as text, and integers beyond 64 bits (a CSV cell, a caller's dict), which orjson refuses, as the
    standard library writes them."""
    try:
        return orjson.dumps(record, default=str, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:
        return json.dumps(record, default=str, sort_keys=sort_keys).encode()  # ASCII: non-ASCII is escaped
