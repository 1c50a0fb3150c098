"""The keys an account links by, hashed once when its view is refreshed, not at every evaluation.

An evaluation links a few hundred suspicious accounts many times a day; most of them have not changed since
the last one. Their payment fingerprints, rotating IPs, ASN + user agent pairs, signup wave, wrapper shares and
hour buckets are turned into arrays here, with hashes that are stable across processes (views travel in
checkpoints), so that linking is array concatenation and sparse algebra.
"""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass

import numpy as np

from features.account import AccountState

WAVE_SECONDS = 3600
SHARE_SMOOTHING = 2.0  # requests added to an account's count, so a two-request account cannot look fully templated
TEMPLATED_SPECIFICITY = 0.75  # summed key specificity that makes a request templated: one sentence of five content
                              # words, or two of four and three (a terse paraphrased wrapper; 1.0 until 2026-12-07)
TEMPLATED_REQUESTS = 8  # templated requests among the recent ones (a quarter of RECENT_KEYED) that count fully
ROTATED_WRAPPERS = 2  # requests on shared wrapper sentences from which a young account's are templated unreused
_EMPTY = np.empty(0, dtype=np.int64)


def stable_hash(value: object) -> int:
    """A 63-bit hash of ``str(value)`` that is the same in every process (``hash`` of a str is not)."""
    return _hash_text(str(value))


@functools.lru_cache(maxsize=1 << 16)  # the same IPs and user agents recur across accounts and refreshes
def _hash_text(text: str) -> int:
    data = text.encode("utf-8", "surrogatepass")
    return ((zlib.crc32(data) & 0x7FFFFFFF) << 32) | zlib.adler32(data)


def _hashes(values: list) -> np.ndarray:
    return np.array([stable_hash(v) for v in values], dtype=np.int64) if values else _EMPTY


# A template key's specificity by its content words (``key >> 32``): 0.25 for three up to 1.0 for six or more;
# read as ``SPECIFICITY_BY_WORDS.get(key >> 32, 1.0)``.
SPECIFICITY_BY_WORDS = {words: max(0.0, (words - 2) / 4.0) for words in range(6)}


def template_use(recent_keys: list[tuple[int, ...]], wrappers: dict[int, float] | set[int],
                 counts: dict[int | None, int]) -> tuple[float, float]:
    """Two measures of the account's recent requests (``recent_keys``), in one pass:

    - *templated*: requests built on wrapper sentences that other accounts share and this account reuses
      (``counts`` >= 2; specific enough: one long boilerplate sentence, or several shorter ones); at least
      ``TEMPLATED_REQUESTS`` of them count fully, since an operator's wrapper reused around that many new tasks is
      its fingerprint however many ordinary requests the account sends besides (padding a crew's accounts with
      filler must not dilute it; young accounts, with fewer requests than that, keep the plain share). A
      thousand-account farm's wrapper sentences (``SharedIndex.crowded``) count like any other: each of its
      accounts re-uses them around new tasks (a viral prompt's senders send theirs once or twice, so re-use makes
      them no more templated). While an account has fewer than ``TEMPLATED_REQUESTS`` recent requests, once
      ``ROTATED_WRAPPERS`` of them are built on shared sentences, each of those counts whether reused or not: an
      operator rotating paraphrased wrappers (the threat model's evasion) reuses none at first, and a farm's
      accounts send a few requests each. Later, reuse alone decides: an ordinary user's traffic meets public
      boilerplate (a popular prompt, a stock prefix) now and then;
    - *cover* (smoothed): requests carrying wrapper sentences, each counting at most once (its wrapper keys'
      summed specificity, up to 1). It bounds the account's template links: a long public prompt (a benchmark's
      instructions and few-shot examples) shares ten sentences with every stranger who sends it once, and must not
      weigh as ten templated requests."""
    if not wrappers or not recent_keys:
        return 0.0, 0.0
    by_words = SPECIFICITY_BY_WORDS
    specificity = {key: by_words.get(key >> 32, 1.0) for key in wrappers}
    reused = {key for key in specificity if counts.get(key, 0) >= 2}
    templated = wrapped = 0
    covered = 0.0
    shared = specificity.keys()
    for keys in recent_keys:
        if shared.isdisjoint(keys):
            continue  # no wrapper sentence: adds nothing (most of an ordinary account's requests)
        weight = reuse = 0.0
        for key in keys:
            value = specificity.get(key)
            if value is not None:
                weight += value
                if key in reused:
                    reuse += value
        covered += min(1.0, weight)
        templated += reuse >= TEMPLATED_SPECIFICITY
        wrapped += weight >= TEMPLATED_SPECIFICITY
    if wrapped >= ROTATED_WRAPPERS and len(recent_keys) < TEMPLATED_REQUESTS:  # paraphrases in rotation
        templated = wrapped  # (a request on reused sentences is one on shared sentences: templated <= wrapped)
    return (min(1.0, templated / min(len(recent_keys), TEMPLATED_REQUESTS)),
            covered / (len(recent_keys) + SHARE_SMOOTHING))


def rotation(state: AccountState) -> float:
    """How much an account rotates its source IP: 0 for one stable address, 1 for many."""
    distinct = len(state.ips) + (2 if None in state.ips else 0)  # the overflow bucket (None) counts as 3
    return min(1.0, max(0.0, (distinct - 1) / 5.0))


def asn_user_agents(state: AccountState) -> list[tuple[object, object]]:
    """The account's main (ASN, user agent) combinations."""
    return [(asn, ua) for asn, _ in state.top(state.asns, 2) for ua, _ in state.top(state.user_agents, 2)]


@dataclass(slots=True)
class LinkKeys:
    """One account's hashed link keys (int64 arrays) and the values that weigh them."""

    rotation: float
    payments: np.ndarray
    ips: np.ndarray            # only for accounts that rotate (a stable address links nobody)
    asn_user_agents: np.ndarray
    wave: np.ndarray           # (signup channel, signup hour), empty when the signup time is unknown
    wrappers: np.ndarray       # wrapper template keys ...
    wrapper_roots: np.ndarray  # ... and the square roots of the account's shares of them
    hours: np.ndarray          # hour buckets (hours since the epoch) ...
    hour_counts: np.ndarray    # ... and the requests in each
    template_cover: float = 1.0  # the ``template_use`` cover of the account's recent requests


def link_keys(state: AccountState, wrappers: dict[int, float], asn_ua: list[tuple[object, object]] | None = None,
              turn: float | None = None, cover: float | None = None,
              asn_ua_keys: tuple[int, ...] | None = None) -> LinkKeys:
    """The keys of ``state`` (``wrappers``: its wrapper shares; ``asn_ua``, ``turn`` and ``cover``: its
    ``asn_user_agents``, ``rotation`` and ``template_use`` cover when already known; ``asn_ua_keys``: those pairs
    hashed, when already hashed)."""
    turn = rotation(state) if turn is None else turn
    asn_ua = asn_user_agents(state) if asn_ua is None else asn_ua
    ips = [ip for ip in state.ips if ip is not None] if turn > 0 else []
    wave = [] if state.created_at is None else [(state.signup_channel, int(state.created_at // WAVE_SECONDS))]
    return LinkKeys(
        rotation=turn,
        payments=_hashes(sorted(state.payments)),
        ips=_hashes(ips),
        asn_user_agents=_hashes(asn_ua) if asn_ua_keys is None else np.array(asn_ua_keys, dtype=np.int64),
        wave=_hashes(wave),
        wrappers=np.fromiter(wrappers, dtype=np.int64, count=len(wrappers)),
        wrapper_roots=np.fromiter((math.sqrt(v) for v in wrappers.values()), dtype=np.float64,
                                  count=len(wrappers)),
        hours=np.fromiter(state.hour_buckets, dtype=np.int64, count=len(state.hour_buckets)),
        hour_counts=np.fromiter(state.hour_buckets.values(), dtype=np.float64, count=len(state.hour_buckets)),
        template_cover=template_use(state.recent_keys, wrappers, state.template_keys)[1] if cover is None else cover,
    )


def hour_counts(keys: list[LinkKeys], now: float, hours: int) -> np.ndarray:
    """Rows: accounts; columns: the last ``hours`` hour buckets up to ``now`` (oldest first); values: requests."""
    last = int(now // 3600)
    lengths = np.fromiter((len(k.hours) for k in keys), dtype=np.int64, count=len(keys))
    matrix = np.zeros((len(keys), hours), dtype=np.float64)
    if not lengths.sum():
        return matrix
    rows = np.repeat(np.arange(len(keys)), lengths)
    age = last - np.concatenate([k.hours for k in keys])
    counts = np.concatenate([k.hour_counts for k in keys])
    inside = (age >= 0) & (age < hours)
    np.add.at(matrix, (rows[inside], hours - 1 - age[inside]), counts[inside])
    return matrix
