"""Orders events (with slight realistic disorder), assigns ids and writes events.jsonl and labels.json."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from .model import CAMPAIGN_GROUPS, MODEL_RELEASES_BEFORE, Account, rfc3339
from .rand import Rng

log = logging.getLogger(__name__)

_DISORDER_SHARE = 0.03
_DISORDER_MAX_S = 30.0


def arrival_order(rng: Rng, times: np.ndarray) -> np.ndarray:
    """Indices in logging order: by time, except a few % logged late by up to ~30 s."""
    keys = times.copy()
    moved = rng.gen.random(len(times)) < _DISORDER_SHARE
    keys[moved] += rng.gen.uniform(0.0, _DISORDER_MAX_S, int(moved.sum()))
    return np.argsort(keys, kind="stable")


def write_events(path: Path, rows: list[tuple[float, dict[str, Any]]], order: np.ndarray, seed: int) -> None:
    """Assign stable unique event ids in file order and write JSON lines."""
    salt = f"hydrawatch-sim-{seed}-".encode()
    seen: set[str] = set()
    with path.open("wb") as fh:
        chunk: list[bytes] = []
        for n, i in enumerate(order.tolist()):
            ev = rows[i][1]
            eid = "evt_" + hashlib.blake2b(salt + str(n).encode(), digest_size=10).hexdigest()
            if eid in seen:  # astronomically unlikely; keep ids unique regardless
                eid = f"{eid}_{n}"
            seen.add(eid)
            ev["event_id"] = eid
            chunk.append(orjson.dumps(ev))
            if len(chunk) >= 10000:
                fh.write(b"\n".join(chunk) + b"\n")
                chunk = []
        if chunk:
            fh.write(b"\n".join(chunk) + b"\n")


def build_labels(
    accounts: list[Account], rows: list[tuple[float, dict[str, Any]]], release: float
) -> dict[str, Any]:
    """Ground truth: group per active account, first request per campaign and per campaign account, model
    release times."""
    group_of = {a.account_id: a.group for a in accounts}
    first: dict[str, float] = {}
    account_first: dict[str, float] = {}
    active: set[str] = set()
    for t, ev in rows:
        account = ev["account_id"]
        active.add(account)
        g = group_of[account]
        if g in CAMPAIGN_GROUPS:
            first[g] = min(t, first.get(g, t))
            account_first[account] = min(t, account_first.get(account, t))
    return {
        "accounts": {a: group_of[a] for a in sorted(active)},
        "campaign_start": {g: rfc3339(first[g]) for g in CAMPAIGN_GROUPS if g in first},
        "account_start": {a: rfc3339(account_first[a]) for a in sorted(account_first)},
        "model_releases": {**MODEL_RELEASES_BEFORE, "atlas-3": rfc3339(release)},
    }


def write_labels(path: Path, labels: dict[str, Any]) -> None:
    """Write labels.json (pretty, deterministic)."""
    path.write_bytes(orjson.dumps(labels, option=orjson.OPT_INDENT_2) + b"\n")
