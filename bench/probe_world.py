"""The probe's world (``probe_independent``): its clock, networks and clients, and a data set's accounts, events and
labels, written as the request-event contract has them."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("HYDRAWATCH_SHARED_DIR", ROOT.parent / "shared")) / "data" / "prompts.jsonl.gz"
T0 = dt.datetime(2026, 5, 4, tzinfo=dt.UTC).timestamp()
DAY, HOUR = 86_400.0, 3_600.0
END, RELEASE = T0 + 3 * DAY, T0 + 1.5 * DAY  # model nova-4 appears at RELEASE
ORDINARY = ("clinc150", "nq_open", "staqc_sql", "gsm8k", "awesome_chatgpt_prompts", "self_instruct", "arena_hard",
            "mbpp", "oasst_eval")
TASKS = ("gsm8k", "bbh", "mbpp", "arena_hard", "humaneval")
NETWORKS = [(7922, "US"), (701, "US"), (3320, "DE"), (2856, "GB"), (12322, "FR"), (4134, "CN"), (9121, "TR"),
            (7018, "US"), (5089, "GB"), (6830, "NL"), (3215, "FR"), (1136, "NL")]
UTC_OFFSET = {"US": -6, "DE": 1, "GB": 0, "FR": 1, "CN": 8, "TR": 3, "NL": 1}
BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0", "Mozilla/5.0 (Macintosh) Safari/17.4",
            "openai-python/1.30.1", "anthropic-sdk-python/0.25", "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0",
            "curl/8.5.0"]


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


class ProbeWorld:
    """One data set: accounts (fixed fields per account), their events, and the labels."""

    def __init__(self, seed: int, hard: bool, corpus: Path = CORPUS, users: int = 1800) -> None:
        self.rng, self.seed, self.hard, self.users = random.Random(seed), seed, hard, users  # users: ordinary ones
        self.corpus: dict[str, list[str]] = {}
        with gzip.open(corpus, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                self.corpus.setdefault(record["source"], []).append(record["text"])
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.labels: dict[str, str] = {}
        self.accounts: dict[str, dict[str, Any]] = {}  # each account's fixed fields, by id
        self.starts: dict[str, float] = {}

    def uid(self, prefix: str, *parts: object) -> str:
        return prefix + hashlib.sha1(f"{parts}{self.seed}".encode()).hexdigest()[:16]

    def ip(self) -> str:
        r = self.rng
        return f"{r.randint(11, 220)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def pick(self, *sources: str) -> str:
        return self.rng.choice(self.corpus[self.rng.choice(sources)])

    def account(self, group: str, i: int, net: tuple[str, int, str], ua: str, card: str | None, channel: str,
                created: float, org: str | None = None) -> dict[str, Any]:
        account_id = self.uid("u_", group, i)
        self.labels[account_id] = group
        self.accounts[account_id] = {
            "account_id": account_id, "org_id": org or self.uid("o_", group, i), "api_key_id": self.uid("k_", group, i),
            "ip": net[0], "asn": net[1], "country": net[2], "user_agent": ua, "payment_fingerprint": card,
            "signup_channel": channel, "created": created}
        return self.accounts[account_id]

    def send(self, acct: dict[str, Any], ts: float, text: str, campaign: bool = False, **fields: Any) -> None:
        """One request; ``fields``: model, system, tools, messages (bool), max_tokens, out, status, ip/asn/country."""
        if ts >= END:
            return
        if campaign:
            group = self.labels[acct["account_id"]]
            self.starts[group] = min(self.starts.get(group, ts), ts)
        r = self.rng
        event: dict[str, Any] = {k: v for k, v in acct.items() if k != "created"}
        event.update({k: fields[k] for k in ("ip", "asn", "country") if k in fields})
        event.update(event_id=self.uid("e_", acct["account_id"], ts, len(self.events)),
                     ts=int(ts * 1000) if r.random() < 0.3 else iso(ts),  # both forms the contract allows
                     account_created_at=iso(acct["created"]) if r.random() < 0.9 else None,
                     model=fields.get("model", "nova-3"), max_tokens=fields.get("max_tokens"),
                     input_tokens=len(text) // 4, output_tokens=fields.get("out", r.randint(50, 900)),
                     status=fields.get("status", 200), x_region="eu-1")  # an unknown field, kept
        system, tools = fields.get("system"), fields.get("tools")
        if fields.get("messages") or tools:
            turns = [{"role": "system", "content": system}] if system else []
            turns.append({"role": "user", "content": [{"type": "text", "text": text}]})
            if tools:
                turns += [{"role": "assistant", "content": "Calling read_file."},
                          {"role": "tool", "content": "def f(x):\n    return x"}]
                event["tools"] = [{"type": "function", "function": {"name": name}} for name in tools]
            event["messages"] = turns
        else:
            event["prompt"] = text
            if system:
                event["system"] = system
        self.events.append((ts, event))

    def regular(self, start: float, end: float, gap: float, jitter: float) -> Iterator[float]:
        while start < end:
            yield start
            start += max(5.0, self.rng.gauss(gap, jitter))

    def write(self, out: Path) -> int:
        out.mkdir(parents=True, exist_ok=True)
        self.events.sort(key=lambda pair: pair[0])
        with open(out / "events.jsonl", "w", encoding="utf-8") as sink:
            for _, event in self.events:
                sink.write(json.dumps(event) + "\n")
        labels = {"accounts": self.labels, "campaign_start": {g: iso(t) for g, t in sorted(self.starts.items())}}
        (out / "labels.json").write_text(json.dumps(labels))
        return len(self.events)
