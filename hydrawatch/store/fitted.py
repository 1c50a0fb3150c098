"""Strings from input events as the store keeps them: within their column's length, without NUL characters.

The request-event schema bounds no string, but PostgreSQL refuses a value longer than its ``VARCHAR(n)`` column
and any NUL character (SQLite takes both), and one such account id or model name stopped a replay into
PostgreSQL. A value that does not fit is kept as its prefix and a hash of the whole, so distinct values stay
distinct and a value maps to the same key wherever it is written or looked up; values that fit are unchanged.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

HASH_CHARS = 16


def fitted(value: str, length: int) -> str:
    """``value`` itself when it fits ``length`` and holds no NUL; else its prefix, "~" and a hash of it."""
    if len(value) <= length and "\x00" not in value:
        return value
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=HASH_CHARS // 2).hexdigest()
    return value[: length - HASH_CHARS - 1].replace("\x00", "\ufffd") + "~" + digest


class Fitted(TypeDecorator[str]):
    """A ``String(length)`` column whose bound values are ``fitted``: writes, and comparisons in queries."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return fitted(value, self.length) if isinstance(value, str) else value
