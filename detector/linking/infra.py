"""Infrastructure links: payment instruments, rotating proxy IPs, ASN + user agent, signup waves.

Only *hidden* linkage counts: accounts of one organisation are linked openly by the provider's own records
(one customer, many keys), so keys shared inside one organisation never link accounts here. An (ASN, user agent)
pair weighs less the more linked accounts share it, unless nearly all of its users are among them
(``clients.ClientPopulation``): then it is their own client, not a crowd's browser.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from detector.linking.clients import ClientPopulation
from detector.linking.edges import INFRASTRUCTURE, LinkSet
from detector.linking.keys import WAVE_SECONDS, LinkKeys, asn_user_agents, link_keys
from detector.linking.shared_keys import KeyPairs, key_columns, membership_matrix, shared_key_pairs, star_pairs
from features.account import AccountState

PAYMENT_WEIGHT = 0.9
IP_WEIGHT = 0.7
ASN_UA_WEIGHT = 0.3
SIGNUP_WEIGHT = 0.3
MIN_WAVE = 3
TOGETHER_ABOVE = 64  # holders of one payment instrument held by more are one node for Louvain (``_link_payments``)
OWN_CLIENT = 0.75  # share of an (ASN, user agent) pair's accounts among the linked accounts from which it is theirs


def org_key(state: AccountState) -> str:
    """The organisation an account belongs to; org-less accounts are their own."""
    return state.org_id or f"account:{state.account_id}"


def org_codes(accounts: list[AccountState], known: list[str | None] | None = None) -> np.ndarray:
    """A code per account, one per organisation (``org_key``; ``known``: each account's organisation where more is
    known than its requests named, ``AccountView.org``)."""
    codes: dict[str, int] = {}
    names = [org_key(s) for s in accounts] if known is None else [
        org or org_key(s) for org, s in zip(known, accounts, strict=True)]
    return np.array([codes.setdefault(name, len(codes)) for name in names], dtype=np.int64)


def _add_cross_org(links: LinkSet, name: str, pairs: KeyPairs, weights: np.ndarray, orgs: np.ndarray) -> None:
    cross = orgs[pairs.row] != orgs[pairs.col]
    if cross.all():  # no copies of a farm's millions of pairs
        links.add(name, INFRASTRUCTURE, pairs.row, pairs.col, weights)
    else:
        links.add(name, INFRASTRUCTURE, pairs.row[cross], pairs.col[cross], weights[cross])


def link_infrastructure(accounts: list[AccountState], links: LinkSet, max_members: int,
                        keys: list[LinkKeys] | None = None, orgs: np.ndarray | None = None,
                        clients: ClientPopulation | None = None) -> None:
    """Add every infrastructure link among ``accounts`` (``keys``: their ``link_keys``; ``orgs``: their
    ``org_codes``; both computed here when not given; ``clients``: the population of (ASN, user agent) pairs, without
    which every pair is weighed by its number of linked accounts alone)."""
    orgs = org_codes(accounts) if orgs is None else orgs
    keys = keys if keys is not None else [link_keys(s, {}) for s in accounts]
    _link_payments(links, [k.payments for k in keys], max_members, orgs)

    rotations = np.array([k.rotation for k in keys])
    matrix, _, _ = membership_matrix([k.ips for k in keys], max_members, scale=_root_rarity)
    pairs = shared_key_pairs(matrix)
    adamic_adar = pairs.data
    weights = IP_WEIGHT * (1.0 - np.exp(-adamic_adar / 1.5)) * np.minimum(rotations[pairs.row], rotations[pairs.col])
    _add_cross_org(links, "shared_rotating_ips", pairs, weights, orgs)

    matrix, _, _ = membership_matrix([k.asn_user_agents for k in keys], max_members, scale=_root_strength(clients))
    pairs = shared_key_pairs(matrix)
    _add_cross_org(links, "shared_asn_user_agent", pairs, np.minimum(pairs.data, ASN_UA_WEIGHT), orgs)

    matrix, _, _ = membership_matrix([k.wave for k in keys], max_members, min_members=MIN_WAVE)
    pairs = shared_key_pairs(matrix)
    _add_cross_org(links, "signup_wave", pairs, np.full(pairs.nnz, SIGNUP_WEIGHT), orgs)


def _link_payments(links: LinkSet, payments: list[np.ndarray], max_members: int, orgs: np.ndarray) -> None:
    """Accounts of several organisations paying with one instrument. One held by more than ``max_members`` of the
    linked accounts (a farm's card) is drawn as a star (``star_pairs``), not as every pair of its holders, so the
    graph's cost stays linear in them and no holder is left out. The holders of one held by more than
    ``TOGETHER_ABOVE`` (or drawn as a star) are kept in one community (``LinkSet.keep_together``): Louvain would
    not split a clique tied at 0.9 anyway, and as one node, with the links among them as its loop, they leave
    modularity as it is and cost Louvain one node instead of all their pairs."""
    matrix, degree, _ = membership_matrix(payments, len(payments))  # every shared instrument, however widely held
    pairs = shared_key_pairs(key_columns(matrix, degree <= max_members))
    _add_cross_org(links, "shared_payment", pairs, np.full(pairs.nnz, PAYMENT_WEIGHT), orgs)
    widely_held = degree > min(TOGETHER_ABOVE, max_members)
    if not widely_held.any():
        return
    wide = matrix[:, widely_held].tocsc()
    wide.sort_indices()
    stars: list[tuple[np.ndarray, np.ndarray]] = []
    for column in range(wide.shape[1]):
        holders = wide.indices[wide.indptr[column]:wide.indptr[column + 1]].astype(np.int64)
        if len(np.unique(orgs[holders])) < 2:
            continue  # one organisation's accounts: no hidden tie
        if len(holders) > max_members:
            stars.append(star_pairs(holders, orgs))
        links.keep_together("shared_payment", INFRASTRUCTURE, holders)
    if stars:
        rows, cols = np.concatenate([s[0] for s in stars]), np.concatenate([s[1] for s in stars])
        links.add("shared_payment", INFRASTRUCTURE, rows, cols, np.full(len(rows), PAYMENT_WEIGHT))


def _root_rarity(ips: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Square roots (a pair multiplies two) of the rarity of IPs held by ``degree`` linked accounts (Adamic-Adar)."""
    return np.sqrt(1.0 / np.log1p(np.maximum(degree, 1)))


def _root_strength(clients: ClientPopulation | None) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Square roots (a pair multiplies two) of the strength of (ASN, user agent) pairs held by ``degree`` linked
    accounts: ``ASN_UA_WEIGHT`` for two, falling with more; the full weight for a pair nearly only they use."""
    def root_strength(pair_keys: np.ndarray, degree: np.ndarray) -> np.ndarray:
        strength = ASN_UA_WEIGHT / (1.0 + np.log2(np.maximum(degree, 2) / 2.0))
        if clients is not None:
            own = degree / np.maximum(clients.accounts(pair_keys), degree) >= OWN_CLIENT
            strength = np.where(own, ASN_UA_WEIGHT, strength)
        return np.sqrt(strength)
    return root_strength


def infrastructure_evidence(a: AccountState, b: AccountState) -> dict[str, object]:
    """What two accounts share, for an analyst to check."""
    shared_ips = sorted(ip for ip in set(a.ips) & set(b.ips) if ip is not None)
    evidence: dict[str, object] = {}
    if a.payments & b.payments:
        evidence["payment_fingerprints"] = sorted(a.payments & b.payments)
    if shared_ips:
        evidence["ips"] = shared_ips[:5]
    asn_ua = set(asn_user_agents(a)) & set(asn_user_agents(b))
    if asn_ua:
        asn, ua = sorted(asn_ua, key=str)[0]
        evidence["asn_user_agent"] = {"asn": asn, "user_agent": ua}
    if a.created_at is not None and b.created_at is not None and a.signup_channel == b.signup_channel and int(
            a.created_at // WAVE_SECONDS) == int(b.created_at // WAVE_SECONDS):
        evidence["signup_wave"] = {"channel": a.signup_channel, "hour": int(a.created_at // WAVE_SECONDS) * 3600}
    return evidence
