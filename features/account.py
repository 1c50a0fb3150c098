"""Per-account behaviour, updated one event at a time in bounded memory.

Rates use hour buckets of event time (a sliding window of ``window_hours``); distributions (hours of day, models,
infrastructure, templates) accumulate since the account was first seen and are capped in size. The state is a
plain slotted object so that 100,000 accounts fit comfortably in memory and pickle for checkpoints.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable
from itertools import compress
from operator import itemgetter

from features.intent import FAMILIES
from features.text import TextInfo
from streams.events import Event

MAX_DISTINCT = 48          # cap of each per-account distribution (IPs, user agents, template keys...)
MAX_TEXT_HASHES = 96       # recent text hashes kept for recycling / overlap checks
MAX_GAPS = 64              # recent arrival times kept for regularity
RECENT_KEYED = 32          # template keys of this many recent requests are kept
SAMPLE_PROMPTS = 4         # reservoir of prompt samples kept for explanations
INTENT_EVIDENCE = 2        # evidence phrases kept per intent family
MIN_EMBED_LENGTH = 8       # texts shorter than this are not embedded ...
EMBED_CHARS = 2000         # ... and longer ones are embedded from their head


def _bump(counter: dict, key: object, cap: int = MAX_DISTINCT) -> None:
    """Count ``key``; once ``cap`` distinct keys are held, new ones go to the ``None`` overflow bucket."""
    _bump_each(counter, (key,), cap)


def _bump_each(counter: dict, keys: Iterable[object], cap: int = MAX_DISTINCT) -> None:
    """``_bump`` each of ``keys`` (one call for an event's template keys, the hottest loop of an event)."""
    for key in keys:
        count = counter.get(key)
        if count is not None:
            counter[key] = count + 1
        elif len(counter) < cap:
            counter[key] = 1
        else:
            counter[None] = counter.get(None, 0) + 1


class AccountState:
    """Everything hydrawatch remembers about one account."""

    __slots__ = (
        "account_id", "org_id", "first_ts", "last_ts", "events", "hour_buckets", "hours_of_day", "arrivals",
        "tokens_in", "tokens_out", "with_max_tokens", "near_max", "rate_limited", "errors", "models",
        "model_first_ts", "ips", "asns", "countries", "user_agents", "payments", "api_keys", "created_at",
        "signup_channel", "text_hashes", "distinct_texts", "template_keys", "intent_counts", "intent_any",
        "intent_evidence", "tool_events", "image_events", "samples", "embed_queue", "embed_sum", "embed_count",
        "truncated", "recent_keys", "recent_texts", "recycled_events",
    )

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.org_id: str | None = None
        self.first_ts = 0.0
        self.last_ts = 0.0
        self.events = 0
        self.hour_buckets: dict[int, int] = {}
        self.hours_of_day = [0] * 24
        self.arrivals: list[float] = []
        self.tokens_in = 0
        self.tokens_out = 0
        self.with_max_tokens = 0
        self.near_max = 0
        self.rate_limited = 0
        self.errors = 0
        self.models: dict[str | None, int] = {}
        self.model_first_ts: dict[str, float] = {}
        self.ips: dict[str | None, int] = {}
        self.asns: dict[int | None, int] = {}
        self.countries: dict[str | None, int] = {}
        self.user_agents: dict[str | None, int] = {}
        self.payments: set[str] = set()
        self.api_keys: set[str] = set()
        self.created_at: float | None = None
        self.signup_channel: str | None = None
        self.text_hashes: dict[int, None] = {}  # insertion-ordered set: the oldest goes first
        self.distinct_texts = 0
        self.template_keys: dict[int | None, int] = {}
        self.intent_counts = [0] * len(FAMILIES)
        self.intent_any = 0
        self.intent_evidence: dict[str, list[str]] = {}
        self.tool_events = 0
        self.image_events = 0
        self.samples: list[str] = []
        self.embed_queue: list[tuple[int, str]] = []
        self.embed_sum: object = None
        self.embed_count = 0
        self.truncated = 0
        self.recent_keys: list[tuple[int, ...]] = []
        self.recent_texts: list[int] = []  # the text hash of each of ``recent_keys``' requests (same order)
        self.recycled_events = 0

    def update(self, event: Event, info: TextInfo, rng: random.Random, embed_budget: int,
               window_hours: int = 24) -> None:
        """Fold one event (and the analysis of its text) into the state."""
        ts = event.ts
        if self.events == 0:
            self.first_ts = ts
            self.org_id = event.org_id
        elif event.org_id and not self.org_id:
            self.org_id = event.org_id
        self.events += 1
        self.last_ts = max(self.last_ts, ts)
        hour = int(ts // 3600)
        self.hour_buckets[hour] = self.hour_buckets.get(hour, 0) + 1
        if len(self.hour_buckets) > window_hours * 2:
            horizon = hour - window_hours
            self.hour_buckets = {h: c for h, c in self.hour_buckets.items() if h > horizon}
        self.hours_of_day[hour % 24] += 1
        self.arrivals.append(ts)
        if len(self.arrivals) > MAX_GAPS:
            del self.arrivals[: len(self.arrivals) - MAX_GAPS]
        self._update_usage(event)
        self._update_infra(event)
        self._update_text(event, info, rng, embed_budget)

    def _update_usage(self, event: Event) -> None:
        self.tokens_in += event.input_tokens or 0
        self.tokens_out += event.output_tokens or 0
        if event.max_tokens:
            self.with_max_tokens += 1
            if event.output_tokens is not None and event.output_tokens >= 0.9 * event.max_tokens:
                self.near_max += 1
        if event.status == 429:
            self.rate_limited += 1
        elif event.status is not None and event.status >= 500:
            self.errors += 1
        model = event.model
        _bump(self.models, model, 16)
        if model is not None and model not in self.model_first_ts and len(self.model_first_ts) < 16:
            self.model_first_ts[model] = event.ts
        self.tool_events += bool(event.tools or event.tool_turns)
        self.image_events += event.has_image
        self.truncated += event.truncated

    def _update_infra(self, event: Event) -> None:
        """Values an event lacks (null, absent or empty) are not counted: ``None`` in a distribution is its overflow
        bucket (many distinct values, as a rotating proxy shows), never a gap in the log."""
        if event.ip:
            _bump(self.ips, event.ip)
        if event.asn is not None:
            _bump(self.asns, event.asn, 16)
        if event.country:
            _bump(self.countries, event.country, 16)
        if event.user_agent:
            _bump(self.user_agents, event.user_agent, 16)
        if event.payment_fingerprint and len(self.payments) < 8:
            self.payments.add(event.payment_fingerprint)
        if event.api_key_id and len(self.api_keys) < 32:
            self.api_keys.add(event.api_key_id)
        if event.account_created_at is not None:
            self.created_at = event.account_created_at
        if event.signup_channel:
            self.signup_channel = event.signup_channel

    def _update_text(self, event: Event, info: TextInfo, rng: random.Random, embed_budget: int) -> None:
        hashes = self.text_hashes
        new_text = info.hash not in hashes
        if not new_text and event.tool_turns:
            self.distinct_texts += 1  # an agent loop re-sends its user turn with new tool results: a new step
        elif new_text:
            self.distinct_texts += 1
            hashes[info.hash] = None
            if len(hashes) > MAX_TEXT_HASHES:
                del hashes[next(iter(hashes))]
            if self.distinct_texts <= embed_budget and info.length >= MIN_EMBED_LENGTH:
                self.embed_queue.append((info.hash, event.text[:EMBED_CHARS]))
        _bump_each(self.template_keys, [key for key, _words in info.keys])
        self.recent_keys.append(info.head_keys)
        self.recent_texts.append(info.hash)
        if len(self.recent_keys) > RECENT_KEYED:
            del self.recent_keys[0]
        if len(self.recent_texts) > RECENT_KEYED:
            del self.recent_texts[0]
        mask = info.intent.mask
        if mask:
            self.intent_any += 1
            for bit in range(len(FAMILIES)):
                if mask & (1 << bit):
                    self.intent_counts[bit] += 1
            for family, phrase in info.intent.evidence:
                kept = self.intent_evidence.setdefault(family, [])
                if len(kept) < INTENT_EVIDENCE and phrase not in kept:
                    kept.append(phrase)
        if len(self.samples) < SAMPLE_PROMPTS:
            self.samples.append(event.text[:500])
        elif rng.random() < SAMPLE_PROMPTS / self.events:
            self.samples[rng.randrange(SAMPLE_PROMPTS)] = event.text[:500]

    def __setstate__(self, state: tuple) -> None:
        """Restore from a pickle, including checkpoints written before ``text_hashes`` became a dict or before
        ``recent_texts`` (empty: it fills as requests arrive, aligned with ``recent_keys`` from the newest)."""
        for name, value in state[1].items():
            setattr(self, name, value)
        if isinstance(self.text_hashes, list):
            self.text_hashes = dict.fromkeys(self.text_hashes)
        if "recent_texts" not in state[1]:
            self.recent_texts = []

    def age_days(self) -> float | None:
        """Days from the account's creation to its first request (at least 0); None when the creation time is
        unknown."""
        return None if self.created_at is None else max(0.0, (self.first_ts - self.created_at) / 86400.0)

    def events_within(self, now: float, seconds: float) -> int:
        """Requests in the last ``seconds`` of event time (hour resolution)."""
        horizon = int((now - seconds) // 3600)
        return sum(compress(self.hour_buckets.values(), map(horizon.__lt__, self.hour_buckets)))

    def top(self, counter: dict, n: int = 5) -> list[tuple[object, int]]:
        """Most frequent known values of one of the distributions (ties in first-seen order, as
        ``Counter.most_common``)."""
        known = [(k, v) for k, v in counter.items() if k is not None]
        if len(known) <= n:  # most accounts: one or two values, where a plain sort is several times faster
            return sorted(known, key=itemgetter(1), reverse=True)
        return heapq.nlargest(n, known, key=itemgetter(1))
