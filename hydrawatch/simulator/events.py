"""Builds gateway log events (dicts in schema order) from what a simulated client sends."""

from __future__ import annotations

import math
from typing import Any

from .model import Account, Net, rfc3339
from .rand import Rng

Message = dict[str, Any]
Tools = list[str] | list[dict[str, str]]

MAX_TOKENS = (256, 512, 1024, 1024, 1024, 2048, 2048, 4096, 4096, 8192)
_REGIONS = ("us-east", "us-west", "eu-west", "eu-central", "ap-southeast", "ap-northeast")
_LAT_FACTOR = {"atlas-2": 1.0, "atlas-2-mini": 0.55, "atlas-3": 1.35}


def _chars(content: Any) -> int:
    """Characters of text in a message content (string or parts)."""
    if isinstance(content, str):
        return len(content)
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, dict):
                total += len(str(part.get("text") or part.get("content") or part.get("input") or ""))
        return total
    return 0


class EventFactory:
    """Collects (t, event) pairs; the writer orders them and assigns event ids."""

    def __init__(self, rng: Rng) -> None:
        self.rng = rng
        self.rows: list[tuple[float, dict[str, Any]]] = []
        self._created: dict[str, tuple[str, int]] = {}

    def _created_at(self, acct: Account) -> str | int:
        """Account creation time, as RFC 3339 (80%) or epoch ms (20%)."""
        if acct.account_id not in self._created:
            ts = acct.created_at
            self._created[acct.account_id] = (rfc3339(ts), int(round(ts * 1000)))
        iso, ms = self._created[acct.account_id]
        return ms if self.rng.chance(0.2) else iso

    def emit(
        self,
        acct: Account,
        t: float,
        text: str,
        *,
        net: Net | None = None,
        model: str = "atlas-2",
        system: str | None = None,
        history: list[Message] | None = None,
        pre_parts: list[Message] | None = None,
        tools: Tools | None = None,
        max_tokens: int | None = None,
        out_median: float = 280.0,
        near_max: float = 0.0,
        has_image: bool = False,
        ua: str | None = None,
        as_messages: bool | None = None,
        p429: float = 0.002,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Record one request at time t (epoch seconds) and return its event."""
        rng = self.rng
        where: tuple[str | None, int | None, str] = net or acct.home or (None, None, acct.country)
        if as_messages is None:
            as_messages = bool(history or pre_parts) or rng.chance(acct.msg_p)
        endpoint = acct.endpoint
        if max_tokens is None:
            max_tokens = rng.choice(MAX_TOKENS)
        ev: dict[str, Any] = {
            "event_id": None,
            "ts": rfc3339(t) if rng.chance(0.85) else int(round(t * 1000)),
            "account_id": acct.account_id,
            "org_id": acct.org_id,
            "api_key_id": key
            or (acct.keys[0] if len(acct.keys) == 1 or rng.chance(0.8) else rng.choice(acct.keys)),
            "ip": where[0],
            "asn": where[1],
            "country": where[2],
            "user_agent": ua or acct.ua,
            "payment_fingerprint": acct.payment,
            "account_created_at": self._created_at(acct),
            "signup_channel": acct.channel,
            "model": model,
            "endpoint": endpoint,
            "system": system,
        }
        in_chars = len(text) + len(system or "")
        if as_messages:
            msgs: list[Message] = []
            if endpoint == "/v1/chat/completions" and system:
                msgs.append({"role": "system", "content": system})
                ev["system"] = None
            for m in history or ():
                msgs.append(m)
                in_chars += _chars(m.get("content"))
            if pre_parts:
                content: Any = [*pre_parts, {"type": "text", "text": text}]
                in_chars += _chars(pre_parts)
            elif rng.chance(acct.parts_p):
                content = [{"type": "text", "text": text}]
            else:
                content = text
            msgs.append({"role": "user", "content": content})
            ev["messages"] = msgs
        else:
            ev["prompt"] = text
        ev["tools"] = tools
        ev["has_image"] = has_image
        ev["max_tokens"] = max_tokens
        in_tok = int(in_chars / 4 * rng.uniform(0.9, 1.1)) + 3
        if tools:
            in_tok += 40 * len(tools) + (60 * len(tools) if isinstance(tools[0], dict) else 0)
        if has_image:
            in_tok += rng.randint(900, 1600)
        ev["input_tokens"] = in_tok
        u = rng.random()
        status = 500 if u < 0.003 else 429 if u < 0.003 + p429 else 200
        if status != 200:
            out_tok = 0
            latency = rng.uniform(3, 40) if status == 429 else rng.uniform(200, 30000)
        else:
            if near_max and rng.chance(near_max):
                out_tok = max_tokens if rng.chance(0.35) else int(max_tokens * rng.uniform(0.88, 1.0))
            else:
                median = min(out_median, 0.35 * max_tokens)
                out_tok = min(
                    int(rng.lognormal(math.log(median), 0.7)) + 1, max_tokens
                )  # long answers truncate
            latency = (300 + out_tok * rng.uniform(8, 16) + in_tok * 0.02) * _LAT_FACTOR.get(model, 1.0)
        ev["output_tokens"] = out_tok
        ev["status"] = status
        ev["latency_ms"] = round(latency, 1)
        if rng.chance(0.08):
            ev["region"] = rng.choice(_REGIONS)
        if rng.chance(0.04):
            ev["client_meta"] = {"retry": int(rng.chance(0.1)), "stream": rng.chance(0.6), "sdk_lang": "py"}
        self.rows.append((t, ev))
        return ev
