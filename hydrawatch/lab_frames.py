"""pandas views of a replay for ``hydrawatch.lab``: events, account signals, the link graph, alerts, campaigns."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from detector.engine import Detector
from detector.linking.edges import LinkSet
from detector.scoring import AccountView
from features.vector import FEATURE_NAMES
from streams.events import Event

EVENT_COLUMNS = ("event_id", "ts", "account_id", "org_id", "api_key_id", "ip", "asn", "country", "user_agent",
                 "payment_fingerprint", "account_created_at", "signup_channel", "model", "endpoint", "has_image",
                 "max_tokens", "input_tokens", "output_tokens", "status", "latency_ms", "tool_turns", "truncated",
                 "text")
SIGNALS = ("intent", "templated", "recycled", "automation", "automated_templates", "evasion", "anomaly", "pivot",
           "suspicion")


def _times(values: Any) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="float64"), unit="s", utc=True)


def _group(group_of: dict[str, str] | None, accounts: Any) -> list[str | None]:
    return [None if group_of is None else group_of.get(a, "unlabelled") for a in accounts]


def events_frame(events: list[Event], group_of: dict[str, str] | None) -> pd.DataFrame:
    """One row per accepted event, in replay (event-time) order; ``time`` is ``ts`` as UTC datetimes, ``tools``
    the number of tools, ``extra`` the record's unknown fields."""
    frame = pd.DataFrame({name: [getattr(e, name) for e in events] for name in EVENT_COLUMNS})
    frame["tools"] = [len(e.tools) for e in events]
    frame["extra"] = [e.extra for e in events]  # unknown input fields, kept as they came
    frame.insert(1, "time", _times(frame["ts"]))
    frame["group"] = _group(group_of, frame["account_id"])
    return frame


def accounts_frame(detector: Detector, alerts: list[dict[str, Any]], group_of: dict[str, str] | None) -> pd.DataFrame:
    """Per-account signals (the inputs of suspicion), suspicion, campaign and the behaviour features."""
    views = sorted(detector.account_views(), key=lambda v: v.state.account_id)
    alerted: dict[str, str] = {}
    for alert in alerts:
        for account in alert["accounts"]:
            alerted.setdefault(account, alert["campaign_id"])
    rows = []
    for view in views:
        state = view.state
        row: dict[str, Any] = {"account_id": state.account_id, "org_id": state.org_id, "events": state.events,
                               "first_ts": state.first_ts, "last_ts": state.last_ts,
                               "signup_channel": state.signup_channel}
        row.update({name: float(getattr(view, name)) for name in SIGNALS})
        row["campaign_id"] = alerted.get(state.account_id)
        features = view.features if view.features is not None else np.full(len(FEATURE_NAMES), np.nan)
        row.update({f"f_{name}": float(value) for name, value in zip(FEATURE_NAMES, features, strict=True)})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=None if rows else ["account_id", *SIGNALS])
    if rows:
        frame["first_seen"] = _times(frame["first_ts"])
        frame["last_seen"] = _times(frame["last_ts"])
    frame["group"] = _group(group_of, frame["account_id"])
    return frame


def graph_frame(views: list[AccountView], links: LinkSet, min_edge_weight: float) -> pd.DataFrame:
    """Edge list: ``source``, ``target`` (account ids, source < target), the combined (noisy-or) ``weight``,
    ``kept`` (weight >= detection.min_edge_weight, the edges communities are found on) and one column per link."""
    ids = [v.state.account_id for v in views]
    per_link: dict[tuple[int, int], dict[str, float]] = {}
    for name, matrix in sorted(links.matrices.items()):
        coo = matrix.tocoo()
        for a, b, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            per_link.setdefault((a, b), {})[name] = w
    names = sorted(links.matrices)
    rows = []
    for (a, b), weights in per_link.items():
        combined = 1.0 - float(np.prod([1.0 - w for w in weights.values()]))
        source, target = sorted((ids[a], ids[b]))
        rows.append({"source": source, "target": target, "weight": combined, "kept": combined >= min_edge_weight,
                     **{n: weights.get(n, 0.0) for n in names}})
    frame = pd.DataFrame(rows, columns=["source", "target", "weight", "kept", *names])
    return frame.sort_values(["source", "target"], ignore_index=True)


def alerts_frame(alerts: list[dict[str, Any]], group_of: dict[str, str] | None) -> pd.DataFrame:
    """One row per alert version; each signal's value is a column (its weight: ``signals_frame``)."""
    rows = []
    for alert in alerts:
        row = {k: alert[k] for k in ("alert_id", "campaign_id", "version", "severity", "score", "first_seen",
                                     "detected_at", "summary", "shadow")}
        row["accounts"] = len(alert["accounts"])
        row.update({s["name"]: s["value"] for s in alert["signals"]})
        if group_of is not None:
            votes = Counter(group_of.get(a, "unlabelled") for a in alert["accounts"])
            row["mostly"], top = votes.most_common(1)[0]
            row["purity"] = top / len(alert["accounts"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("first_seen", "detected_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def signals_frame(alerts: list[dict[str, Any]]) -> pd.DataFrame:
    """Long form: one row per (alert version, signal) with its value and weight (contribution to the score)."""
    return pd.DataFrame([{"alert_id": a["alert_id"], "campaign_id": a["campaign_id"], "version": a["version"],
                          "signal": s["name"], "value": s["value"], "weight": s["weight"]}
                         for a in alerts for s in a["signals"]],
                        columns=["alert_id", "campaign_id", "version", "signal", "value", "weight"])


def members_frame(alerts: list[dict[str, Any]], group_of: dict[str, str] | None) -> pd.DataFrame:
    """Campaign membership: each account with the version of its campaign that first listed it."""
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for alert in alerts:
        for account in alert["accounts"]:
            key = (alert["campaign_id"], account)
            if key not in first or alert["version"] < first[key][0]:
                first[key] = (alert["version"], alert["detected_at"])
    frame = pd.DataFrame([{"campaign_id": c, "account_id": a, "first_version": v, "listed_at": t}
                          for (c, a), (v, t) in sorted(first.items())],
                         columns=["campaign_id", "account_id", "first_version", "listed_at"])
    frame["listed_at"] = pd.to_datetime(frame["listed_at"], utc=True)
    frame["group"] = _group(group_of, frame["account_id"])
    return frame


def campaigns_frame(alerts: list[dict[str, Any]], group_of: dict[str, str] | None) -> pd.DataFrame:
    """One row per campaign: its latest version, when it was first and last alerted, its size."""
    frame = alerts_frame(alerts, group_of)
    if frame.empty:
        return pd.DataFrame(columns=["campaign_id", "versions", "severity", "score", "accounts", "first_seen",
                                     "first_alert_at", "last_alert_at", "summary"])
    frame = frame.sort_values(["campaign_id", "version"])
    grouped = frame.groupby("campaign_id", sort=False)
    latest = grouped.tail(1).set_index("campaign_id")
    out = pd.DataFrame({
        "versions": grouped["version"].max(), "severity": latest["severity"], "score": latest["score"],
        "accounts": latest["accounts"], "first_seen": grouped["first_seen"].min(),
        "first_alert_at": grouped["detected_at"].min(), "last_alert_at": grouped["detected_at"].max(),
        "summary": latest["summary"]})
    if group_of is not None:
        out["mostly"], out["purity"] = latest["mostly"], latest["purity"]
    return out.sort_values("score", ascending=False).reset_index()
