"""Alerts per alert.schema.json: every signal with its weight and evidence an analyst can check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from detector.account_age import creation_spread_days, established, signed_up_to_use
from detector.campaign import Campaign
from detector.finder import Candidate
from detector.linking.infra import infrastructure_evidence
from detector.related import related_campaigns
from detector.scoring import GroupScore
from features.intent import FAMILIES

MAX_EXAMPLE_LINKS = 8
MAX_SAMPLES = 6


def iso(ts: float) -> str:
    """RFC 3339 with milliseconds and Z."""
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_alert(campaign: Campaign, candidate: Candidate, detected_at: float, shadow: bool = False,
                coherence: float | None = None, campaign_of: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The alert for a campaign's current version (``campaign_of``: each account's campaign, for the related
    campaigns)."""
    members = candidate.members
    states = [m.state for m in members]
    mates = sorted(campaign.card_mates & campaign.members)  # named by their card alone, left out of the signals
    values = candidate.score.values
    contributions = candidate.score.contributions
    spread = creation_spread_days(states)  # days between the accounts' creation (interquartile range)
    spread_days = None if spread is None else round(spread, 1)
    evidence = {
        "extraction_intent": {**_intent_evidence(states), "counted": round(values["extraction_intent"], 3)},
        "shared_templates": {"templated_share": round(values["shared_templates"], 3)},
        "automation": _automation_evidence(members),
        "evasion": _evasion_evidence(members),
        "behaviour_anomaly": {"mean_percentile": round(values["behaviour_anomaly"], 3)},
        "hidden_linkage": {**_link_evidence(candidate), **_mates_evidence(mates)},
        "load_balancing": {"accounts": len(states), "value": round(values["load_balancing"], 3)},
        "recycled_content": {"recycled_share": round(values["recycled_content"], 3)},
        "automated_templates": {"templated_x_automation_x_novel": round(values["automated_templates"], 3)},
        "established_accounts": {"established_x_unautomated_x_unevasive": round(values["established_accounts"], 3),
                                 "accounts_a_year_old": sum(established(s) >= 1.0 for s in states),
                                 "creation_spread_days": spread_days,
                                 **_tie_evidence(candidate.score)},
        "signup_cohort": {"cohort_x_new_x_used_later": round(values["signup_cohort"], 3),
                          "creation_spread_days": spread_days},
        "newcomers": {"signed_up_to_use_x_unautomated_x_unevasive": round(values["newcomers"], 3),
                      "accounts_first_used_within_an_hour_of_signup": sum(map(signed_up_to_use, states))},
    }
    ordered = sorted(contributions, key=lambda n: -abs(contributions[n]))
    signals: list[dict[str, Any]] = [{"name": name, "weight": round(contributions[name], 4),
                                      "value": round(values[name], 4), "evidence": evidence[name]} for name in ordered]
    if coherence is not None:
        signals.append({"name": "content_coherence", "weight": 0.0, "value": round(coherence, 4),
                        "evidence": {"model": "all-MiniLM-L6-v2", "mean_cosine_to_centroid": round(coherence, 4)}})
    accounts = sorted(campaign.members)
    top = [str(s["name"]) for s in signals if s["weight"] > 0][:3]
    return {
        "schema_version": 1,
        "alert_id": f"{campaign.campaign_id}-v{campaign.version}",
        "campaign_id": campaign.campaign_id,
        "version": campaign.version,
        "severity": campaign.severity,
        "score": round(min(max(campaign.score, 0.0), 1.0), 4),
        "accounts": accounts,
        "first_seen": iso(campaign.first_seen),
        "detected_at": iso(detected_at),
        "signals": signals,
        "summary": (f"{len(accounts)} accounts linked by hidden {', '.join(_link_names(candidate)) or 'links'}"
                    f"{_mates_summary(len(mates))}; strongest signals: {', '.join(top)}"),
        "sample_prompts": _samples(states),
        "status": "open",
        "shadow": shadow,
        "infrastructure": _infrastructure(states),
        "timeline": _timeline(states),
        "related_campaigns": related_campaigns(candidate.graph, candidate.links, candidate.accounts,
                                               campaign.campaign_id, campaign_of or {}),
        **({"absorbed_campaigns": list(campaign.absorbed)} if campaign.absorbed else {}),
    }


def _intent_evidence(states: list) -> dict[str, Any]:
    events = max(sum(s.events for s in states), 1)
    families = {f: round(sum(s.intent_counts[i] for s in states) / events, 3) for i, f in enumerate(FAMILIES)}
    phrases: Counter[str] = Counter()
    for state in states:
        for kept in state.intent_evidence.values():
            phrases.update(kept)
    return {"share": round(sum(s.intent_any for s in states) / events, 3), "families": families,
            "phrases": [p for p, _ in phrases.most_common(5)]}


def _automation_evidence(members: list) -> dict[str, Any]:
    states = [m.state for m in members]
    return {
        "mean": round(sum(m.automation for m in members) / len(members), 3),
        "near_max_tokens_share": round(sum(s.near_max for s in states) / max(sum(s.with_max_tokens for s in
                                                                                   states), 1), 3),
        "rate_limited_share": round(sum(s.rate_limited for s in states) / max(sum(s.events for s in states), 1), 3),
        "accounts_pivoting_to_new_model": sum(1 for m in members if m.pivot > 0),
    }


def _evasion_evidence(members: list) -> dict[str, Any]:
    states = [m.state for m in members]
    return {
        "mean": round(sum(m.evasion for m in members) / len(members), 3),
        "distinct_ips": len({ip for s in states for ip in s.ips if ip}),
        "signup_channels": dict(Counter(s.signup_channel or "unknown" for s in states)),
        "organisations": len({s.org_id or s.account_id for s in states}),
    }


def _link_names(candidate: Candidate) -> list[str]:
    counts = _link_counts(candidate)
    return [name for name, _ in counts.most_common(3)]


def _link_counts(candidate: Candidate) -> Counter[str]:
    counts = Counter(candidate.links.pairs_within(np.fromiter(candidate.index_of.values(), dtype=np.int64)))
    return +counts  # links with no pair inside the group are left out


def _link_evidence(candidate: Candidate) -> dict[str, Any]:
    """Counts of linked pairs per link, and the strongest pairs with what they share."""
    rows = np.array(sorted(candidate.index_of.values()))
    names = {i: a for a, i in candidate.index_of.items()}
    states = {m.state.account_id: m.state for m in candidate.members}
    combined = candidate.links.combined_within(rows).tocsr()[rows][:, rows].tocoo()
    order = np.argsort(-combined.data, kind="stable")[:MAX_EXAMPLE_LINKS]
    examples = []
    for k in order:
        a, b = int(rows[combined.row[k]]), int(rows[combined.col[k]])
        pair = candidate.links.pair(a, b)
        examples.append({"accounts": [names[a], names[b]], "weight": round(float(combined.data[k]), 3),
                         "links": {n: round(w, 3) for n, w in sorted(pair.items())},
                         "shared": infrastructure_evidence(states[names[a]], states[names[b]])})
    return {"pairs_by_link": dict(_link_counts(candidate)), "examples": examples}


def _mates_evidence(mates: list[str]) -> dict[str, Any]:
    """The members linked by their card alone (``detector.card_mates``), left out of the signals above."""
    return {"accounts_linked_by_card_alone": len(mates), "card_alone_examples": mates[:MAX_EXAMPLE_LINKS]} if mates \
        else {}


def _mates_summary(mates: int) -> str:
    return f" ({mates} of them only by a card that pays for several of the others)" if mates else ""


def _samples(states: list) -> list[str]:
    samples: list[str] = []
    for state in sorted(states, key=lambda s: -s.events):
        for text in state.samples[:1]:
            if text not in samples:
                samples.append(text)
        if len(samples) >= MAX_SAMPLES:
            break
    return samples


def _infrastructure(states: list) -> dict[str, Any]:
    def top(attr: str) -> list[list[Any]]:
        counts: Counter = Counter()
        for state in states:
            counts.update({k: v for k, v in getattr(state, attr).items() if k is not None})
        return [[k, v] for k, v in counts.most_common(10)]

    payments: Counter[str] = Counter(p for s in states for p in s.payments)
    return {"ips": top("ips"), "asns": top("asns"), "countries": top("countries"),
            "user_agents": top("user_agents"), "models": top("models"),
            "payment_fingerprints": [[k, v] for k, v in payments.most_common(10)]}


def _timeline(states: list) -> list[list[Any]]:
    """Requests per hour across members: [[hour start, count], ...] (the retained window)."""
    hours: Counter[int] = Counter()
    for state in states:
        hours.update(state.hour_buckets)
    return [[iso(hour * 3600.0), count] for hour, count in sorted(hours.items())]


def _tie_evidence(score: GroupScore) -> dict[str, Any]:
    """Who else sends the sentences that tie the group (``tie_senders``), when anyone does."""
    if not score.tie_senders:
        return {}
    spread = score.tie_spread_days
    return {"senders_of_tying_sentences": score.tie_senders,
            "their_creation_spread_days": None if spread is None else round(spread, 1)}
