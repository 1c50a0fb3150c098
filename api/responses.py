"""JSON responses that always encode: attacker-controlled text may hold lone surrogates (broken UTF-8)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse

from streams.records_json import clean_text


def dumps(content: Any) -> bytes:
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)
    return clean_text(text).encode("utf-8")


class SafeJSONResponse(JSONResponse):
    """JSONResponse that replaces unencodable characters instead of failing with a 500."""

    def render(self, content: Any) -> bytes:
        return dumps(content)
