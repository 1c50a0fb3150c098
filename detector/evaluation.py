"""Detection quality against labels: account precision/recall/F1, per-campaign recall and time to detect.

Labels: ``{"accounts": {account: group}, "campaign_start": {group: ts}}``; the groups in ``campaign_start``
are campaigns, every other group is legitimate. A campaign counts as *caught* by the first alert version with
at least ``min_caught`` accounts (or the whole campaign, if smaller) of which most belong to it. Labels may also
give each campaign account's first request (``"account_start": {account: ts}``, written by the simulator):
then each campaign also reports when it became *catchable*, its ``min_caught``-th account's first request (a
slowly starting crew cannot be caught before it has that many accounts).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from streams.events import parse_time

log = logging.getLogger(__name__)


@dataclass
class CampaignResult:
    group: str
    accounts: int
    detected: int
    recall: float
    time_to_detect_s: float | None
    catchable_after_s: float | None = None  # from the campaign's start (``account_start`` labels)


@dataclass
class Evaluation:
    precision: float
    recall: float
    f1: float
    flagged: int
    true_positives: int
    campaigns: list[CampaignResult]
    false_positives_by_group: dict[str, int]
    groups_in_any_alert: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1, "flagged": self.flagged,
            "true_positives": self.true_positives, "false_positives_by_group": self.false_positives_by_group,
            "campaigns": [c.__dict__ for c in self.campaigns],
        }


def load_alerts(path: Path) -> list[dict[str, Any]]:
    """Every alert version of a JSON-lines file. A line that is not JSON (the last write of a run that was killed
    is cut short) is skipped with a warning: the versions before it still count."""
    alerts = []
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                alerts.append(orjson.loads(line))
            except orjson.JSONDecodeError as exc:
                log.warning("%s line %d is no alert (%s; a write cut short?): skipped", path, number, exc)
    return alerts


def load_labels(path: Path) -> dict[str, Any]:
    return dict(orjson.loads(Path(path).read_bytes()))


def evaluate(alerts: list[dict[str, Any]], labels: dict[str, Any], min_caught: int = 5) -> Evaluation:
    """Score every alert version ever emitted against the labels."""
    group_of: dict[str, str] = labels["accounts"]
    starts = {g: parse_time(ts, "campaign_start") for g, ts in labels.get("campaign_start", {}).items()}
    campaign_accounts: dict[str, set[str]] = defaultdict(set)
    for account, group in group_of.items():
        if group in starts:
            campaign_accounts[group].add(account)
    flagged: set[str] = set()
    for alert in alerts:
        flagged.update(alert["accounts"])
    positives = {a for members in campaign_accounts.values() for a in members}
    tp = len(flagged & positives)
    precision = tp / len(flagged) if flagged else 1.0
    recall = tp / len(positives) if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fp_groups = Counter(group_of.get(a, "unlabelled") for a in flagged - positives)
    ordered = sorted(alerts, key=lambda a: parse_time(a["detected_at"], "detected_at"))
    campaigns = []
    for group, members in sorted(campaign_accounts.items()):
        needed = min(min_caught, len(members))
        caught_at = None
        for alert in ordered:
            inside = len(members.intersection(alert["accounts"]))
            if inside >= needed and inside > len(alert["accounts"]) / 2:
                caught_at = parse_time(alert["detected_at"], "detected_at")
                break
        detected = len(members & flagged)
        campaigns.append(CampaignResult(group, len(members), detected, detected / len(members),
                                        None if caught_at is None else caught_at - starts[group],
                                        _catchable_after(members, needed, labels, starts[group])))
    return Evaluation(precision, recall, f1, len(flagged), tp, campaigns, dict(fp_groups), dict(fp_groups))


def _catchable_after(members: set[str], needed: int, labels: dict[str, Any], start: float) -> float | None:
    """Seconds from the campaign's start to its ``needed``-th account's first request (None without labels)."""
    firsts = labels.get("account_start")
    if not firsts:
        return None
    known = sorted(parse_time(firsts[a], "account_start") for a in members if a in firsts)
    return known[needed - 1] - start if len(known) >= needed else None


@dataclass
class ThresholdPoint:
    """Account precision/recall when only alert versions scoring at least ``threshold`` count."""

    threshold: float
    precision: float
    recall: float
    flagged: int


def threshold_curve(alerts: list[dict[str, Any]], labels: dict[str, Any]) -> list[ThresholdPoint]:
    """Precision-recall as the alert score threshold varies: an account is flagged at ``t`` when it appears in
    any alert version scoring ``>= t``. One point per distinct score, highest threshold first."""
    group_of: dict[str, str] = labels["accounts"]
    campaigns = set(labels.get("campaign_start", {}))
    positives = {a for a, g in group_of.items() if g in campaigns}
    best: dict[str, float] = {}
    for alert in alerts:
        for account in alert["accounts"]:
            best[account] = max(best.get(account, 0.0), float(alert["score"]))
    points = []
    for threshold in sorted(set(best.values()), reverse=True):
        flagged = {a for a, s in best.items() if s >= threshold}
        tp = len(flagged & positives)
        points.append(ThresholdPoint(threshold, tp / len(flagged), tp / len(positives) if positives else 1.0,
                                     len(flagged)))
    return points
