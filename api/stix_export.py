"""A STIX 2.1 bundle of confirmed campaigns: Campaign objects and the Indicators that indicate them."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from stix2 import Bundle, Campaign, Identity, Indicator, Relationship

from api.queries.common import utc
from api.responses import clean_text

NAMESPACE = uuid.UUID("5f4a4b8e-52a4-4c1e-9a43-6879647261ff")
IDENTITY_ID = f"identity--{uuid.uuid5(NAMESPACE, 'hydrawatch')}"
UA_PATH = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"


def literal(value: str) -> str:
    """A STIX pattern string literal (quotes and backslashes escaped)."""
    return "'" + clean_text(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def ip_pattern(value: str) -> str | None:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None
    kind = "ipv4-addr" if network.version == 4 else "ipv6-addr"
    text = str(network.network_address) if network.num_addresses == 1 else str(network)
    return f"[{kind}:value = '{text}']"


def patterns(accounts: Iterable[str], infrastructure: dict[str, Any]) -> list[tuple[str, str]]:
    """(pattern, name) of every indicator of one campaign."""
    found: list[tuple[str, str]] = []
    for account in accounts:
        found.append((f"[user-account:user_id = {literal(account)}]", f"account {account}"))
    for ip, *_ in infrastructure.get("ips", []) or []:
        pattern = ip_pattern(str(ip))
        if pattern is not None:
            found.append((pattern, f"IP {ip}"))
    for asn, *_ in infrastructure.get("asns", []) or []:
        if isinstance(asn, int) or str(asn).isdigit():
            found.append((f"[autonomous-system:number = {int(asn)}]", f"AS{int(asn)}"))
    for agent, *_ in infrastructure.get("user_agents", []) or []:
        found.append((f"[{UA_PATH} = {literal(str(agent))}]", "user agent"))
    for fingerprint, *_ in infrastructure.get("payment_fingerprints", []) or []:
        found.append(
            (f"[x-hydrawatch-payment:fingerprint = {literal(str(fingerprint))}]", "payment fingerprint")
        )
    return found


def stix_id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, chr(31).join(parts))}"


def build_bundle(campaigns: list[dict[str, Any]]) -> Bundle:
    """``campaigns``: dicts of campaign_id, summary, first_seen, detected_at, accounts, infrastructure and
    optionally related (campaign ids its accounts are linked to: ``related-to`` relationships between campaigns
    of the bundle).

    Object ids are derived from the campaign id and the pattern, so a re-export produces the same ids.
    """
    identity = Identity(
        id=IDENTITY_ID,
        name="hydrawatch",
        identity_class="system",
        created=datetime(2024, 1, 1, tzinfo=UTC),
        modified=datetime(2024, 1, 1, tzinfo=UTC),
    )
    objects: list[Any] = [identity]
    for item in campaigns:
        cid = item["campaign_id"]
        stamp, first = utc(item["detected_at"]), utc(item["first_seen"])
        campaign = Campaign(
            id=stix_id("campaign", cid),
            name=clean_text(cid),
            description=clean_text(item.get("summary") or ""),
            first_seen=first,
            created=stamp,
            modified=stamp,
            created_by_ref=IDENTITY_ID,
            labels=["llm-api-extraction"],
            external_references=[{"source_name": "hydrawatch", "external_id": clean_text(cid)}],
        )
        objects.append(campaign)
        for pattern, name in patterns(item["accounts"], item.get("infrastructure") or {}):
            indicator = Indicator(
                id=stix_id("indicator", cid, pattern),
                name=clean_text(name)[:300],
                pattern=pattern,
                pattern_type="stix",
                valid_from=first,
                indicator_types=["malicious-activity"],
                created=stamp,
                modified=stamp,
                created_by_ref=IDENTITY_ID,
            )
            relation = Relationship(
                id=stix_id("relationship", cid, pattern),
                relationship_type="indicates",
                source_ref=indicator.id,
                target_ref=campaign.id,
                created=stamp,
                modified=stamp,
                created_by_ref=IDENTITY_ID,
            )
            objects.extend((indicator, relation))
    objects.extend(_related(campaigns))
    return Bundle(objects=objects, allow_custom=True)


def _related(campaigns: list[dict[str, Any]]) -> list[Relationship]:
    """One ``related-to`` relationship per pair of exported campaigns that either lists as related."""
    exported = {item["campaign_id"]: item for item in campaigns}
    pairs = sorted({tuple(sorted((cid, other))) for cid, item in exported.items()
                    for other in item.get("related") or () if other in exported and other != cid})
    out = []
    for a, b in pairs:
        stamp = max(utc(exported[a]["detected_at"]), utc(exported[b]["detected_at"]))
        out.append(Relationship(
            id=stix_id("relationship", a, "related-to", b),
            relationship_type="related-to",
            source_ref=stix_id("campaign", a),
            target_ref=stix_id("campaign", b),
            description="accounts of the two campaigns are linked (shared infrastructure, templates or timing)",
            created=stamp,
            modified=stamp,
            created_by_ref=IDENTITY_ID,
        ))
    return out
