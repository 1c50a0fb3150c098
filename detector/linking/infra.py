"""Infrastructure links: payment instruments, rotating proxy IPs, ASN + user agent, signup waves.

Only *hidden* linkage counts: accounts of one organisation are linked openly by the provider's own records
(one customer, many keys), so keys shared inside one organisation never link accounts here.
"""

from __future__ import annotations

import math
from collections import defaultdict

from detector.linking.edges import INFRASTRUCTURE, EdgeBook, Link
from features.account import AccountState

PAYMENT_WEIGHT = 0.9
IP_WEIGHT = 0.7
ASN_UA_WEIGHT = 0.3
SIGNUP_WEIGHT = 0.3
WAVE_SECONDS = 3600


def org_key(state: AccountState) -> str:
    """The organisation an account belongs to; org-less accounts are their own."""
    return state.org_id or f"account:{state.account_id}"


def _cross_org(members: list[int], accounts: list[AccountState]) -> bool:
    return len({org_key(accounts[i]) for i in members}) >= 2


def _groups(accounts: list[AccountState], keys_of) -> dict[object, list[int]]:
    index: dict[object, list[int]] = defaultdict(list)
    for i, state in enumerate(accounts):
        for key in keys_of(state):
            index[key].append(i)
    return index


def _link_cross_org(book: EdgeBook, accounts: list[AccountState], members: list[int], link: Link,
                    max_members: int) -> None:
    """Link pairs of members from different organisations."""
    if len(members) < 2 or len(members) > max_members or not _cross_org(members, accounts):
        return
    orgs = [org_key(accounts[i]) for i in members]
    for x, a in enumerate(members):
        for y in range(x + 1, len(members)):
            if orgs[x] != orgs[y]:
                book.add(a, members[y], link)


def rotation(state: AccountState) -> float:
    """How much an account rotates its source IP: 0 for one stable address, 1 for many."""
    distinct = len([ip for ip in state.ips if ip is not None]) + (3 if None in state.ips else 0)
    return min(1.0, max(0.0, (distinct - 1) / 5.0))


def link_infrastructure(accounts: list[AccountState], book: EdgeBook, max_members: int) -> None:
    """Add every infrastructure link among ``accounts`` to ``book``."""
    for fingerprint, members in _groups(accounts, lambda s: s.payments).items():
        _link_cross_org(book, accounts, members, Link("shared_payment", INFRASTRUCTURE, PAYMENT_WEIGHT,
                                                      {"payment_fingerprint": fingerprint}), max_members)
    _link_ips(accounts, book, max_members)
    by_asn_ua = _groups(accounts, lambda s: [(asn, ua) for asn, _ in s.top(s.asns, 2) for ua, _ in s.top(
        s.user_agents, 2)])
    for (asn, ua), members in by_asn_ua.items():
        weight = ASN_UA_WEIGHT / (1.0 + math.log2(max(len(members), 2) / 2.0))
        _link_cross_org(book, accounts, members, Link("shared_asn_user_agent", INFRASTRUCTURE, weight,
                                                      {"asn": asn, "user_agent": ua}), max_members)
    waves = _groups(accounts, lambda s: [] if s.created_at is None else
                    [(s.signup_channel, int(s.created_at // WAVE_SECONDS))])
    for (channel, bucket), members in waves.items():
        if len(members) >= 3:
            _link_cross_org(book, accounts, members, Link("signup_wave", INFRASTRUCTURE, SIGNUP_WEIGHT, {
                "signup_channel": channel, "created_hour": bucket * WAVE_SECONDS, "accounts_in_wave": len(
                    members)}), max_members)


def _link_ips(accounts: list[AccountState], book: EdgeBook, max_members: int) -> None:
    """IPs link accounts in proportion to how rare the shared IPs are and how much both accounts rotate."""
    rotations = [rotation(s) for s in accounts]
    shared: dict[tuple[int, int], list] = defaultdict(lambda: [0.0, []])
    for ip, members in _groups(accounts, lambda s: [ip for ip in s.ips if ip is not None]).items():
        members = [i for i in members if rotations[i] > 0]
        if len(members) < 2 or len(members) > max_members:
            continue
        rarity = 1.0 / math.log(1.0 + len(members))
        for x, a in enumerate(members):
            for b in members[x + 1:]:
                entry = shared[(a, b)]
                entry[0] += rarity
                if len(entry[1]) < 5:
                    entry[1].append(ip)
    for (a, b), (adamic_adar, ips) in shared.items():
        if org_key(accounts[a]) == org_key(accounts[b]):
            continue
        weight = IP_WEIGHT * (1.0 - math.exp(-adamic_adar / 1.5)) * min(rotations[a], rotations[b])
        if weight >= 0.05:
            book.add(a, b, Link("shared_rotating_ips", INFRASTRUCTURE, weight, {"ips": ips}))
