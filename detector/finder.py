"""One campaign evaluation: link suspicious active accounts, find communities, score them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from detector.communities import LOUVAIN_ABOVE, Edges, bundle_labels, communities, core, linkage
from detector.linking.clients import ClientPopulation
from detector.linking.content import link_similar_content, link_templates
from detector.linking.edges import LinkSet, disabled_links
from detector.linking.infra import link_infrastructure, org_codes
from detector.linking.keys import LinkKeys, hour_counts, link_keys
from detector.linking.timing import link_timing
from detector.scoring import AccountView, GroupScore, disabled_signals, group_score
from detector.tie_senders import tie_senders
from features.account import AccountState
from features.shared_index import SharedIndex

TRANSPARENT_ORG = 3   # an organisation with this many active accounts is a known multi-key customer
YOUNG_REQUESTS = 5    # requests up to which an account that asks for extraction is young (``young_askers``; 3 until
                      # 2026-12-07: a slow crew's account of four requests had one link over the floor, and waited)
BALANCE_HOURS = 24    # hours of recent activity behind co-activity links and load balancing


@dataclass
class Candidate:
    """A scored community of accounts."""

    members: list[AccountView]
    score: GroupScore
    links: LinkSet
    index_of: dict[str, int]
    edges: Edges  # the graph's edges among ``members`` (numbered like them)
    graph: Edges  # the evaluation's whole graph (node ids as in ``index_of``) ...
    accounts: list[str]  # ... and the account of each of its nodes


def find_groups(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, index: SharedIndex,
                now: float, settings, clients: ClientPopulation | None = None,
                retained: Mapping[str, AccountState] | None = None) -> list[Candidate]:
    """Link ``views`` (already filtered to suspicious accounts) and score each community. Most of a community's
    members need a tie only an operator makes (a shared payment instrument or shared content): shared IPs, network
    + browser, signup hour and active hours are also what strangers behind one VPN or carrier NAT, or in one class
    or office, have in common. And its members' strongest ties must on average clear the graph's floor
    (``min_group_linkage``): the light senders of a trending prompt, each worded around with a remark of their
    own, are all tied by that one sentence and the hour they sent it, each tie just above ``min_edge_weight``.
    A community that fails as a whole is judged on its operator-tied members (``crew_of``). Given the ``retained``
    accounts, a group is also judged by everyone who sent the sentences that tie it (``tie_senders``)."""
    det = settings
    counts, links, edges = _graph(views, profiles, has_profile, index, now, det, clients)
    disabled = disabled_signals(det.disabled_signals)
    candidates = []
    accounts = [v.state.account_id for v in views]
    bundles = bundle_labels(links.n, links.together)
    young = young_askers(views)
    for community in communities(edges, det.min_accounts, links.together):
        crew = crew_of(edges, community, links, det, bundles, young, counts)
        if crew is None:
            continue
        members, inside = crew
        group = [views[i] for i in members]
        score = group_score(group, linkage(inside), load_balancing(counts[members]), disabled,
                            _paying_together(views, links, members),
                            tie_senders(group, index, retained) if retained is not None else ())
        candidates.append(Candidate(group, score, links,
                                    {views[i].state.account_id: int(i) for i in members}, inside, edges, accounts))
    return candidates


def crew_of(edges: Edges, community: np.ndarray, links: LinkSet, settings, bundles: np.ndarray | None = None,
            young: np.ndarray | None = None, hours: np.ndarray | None = None) -> tuple[np.ndarray, Edges] | None:
    """The campaign candidate in a community: the core (``communities.core``) of the members of its core that an
    operator's tie holds (a shared card or content, ``LinkSet.operator_tied_members``), when that is a crew
    (``is_crew``). Links that strangers share too (a network + client pair, shared hours) can join a crew's cells
    with accounts nothing else ties to them; the crowd must not hide the crew, nor make it one, nor join it: a
    stranger on the crew's residential network, with its client library, busy in its hours, is no member.
    ``young`` (``young_askers``, per node): accounts that need only one link over the floor to stay in the core, when
    an operator's tie holds them in a community of fewer than ``LOUVAIN_ABOVE`` accounts (a young crew, where each
    account counts; beside a farm a young stranger who sends one of the public tasks it re-sends has that one link
    too, and one account more changes nothing there). With ``hours`` (requests per hour over the last day, per node:
    ``hour_counts``), a young account is also held only when it was active within an hour of another account of the
    community: a crew's accounts work side by side, while an ordinary user who sent a public task hours before a
    crew wrapped it shares that task and nothing else (``alongside``)."""
    lenient = None
    if young is not None and len(community) < LOUVAIN_ABOVE and young[community].any():
        lenient = np.zeros(len(young), dtype=bool)
        lenient[links.operator_tied_members(community)] = True
        lenient &= young
        if hours is not None:
            lenient[community] &= alongside(hours[community])
    members, inside = core(edges, community, bundles, lenient)
    tied = links.operator_tied_members(members)
    if len(tied) < len(members):  # the others are held by what strangers share too
        if len(tied) < settings.min_accounts:
            return None
        members, inside = core(edges, tied, bundles, lenient)
    return (members, inside) if is_crew(members, inside, links, settings) else None


def alongside(hours: np.ndarray) -> np.ndarray:
    """Per row of ``hours`` (accounts x hour buckets: requests), whether another row has requests in one of the
    row's hours or the hour before or after it."""
    active = hours > 0
    near = active.copy()
    near[:, 1:] |= active[:, :-1]
    near[:, :-1] |= active[:, 1:]
    others = active.sum(axis=0)[None, :] - active
    return (near & (others > 0)).any(axis=1)


def young_askers(views: list[AccountView]) -> np.ndarray:
    """Per view, whether the account is young (``YOUNG_REQUESTS`` requests or fewer) and asked for what crews harvest
    (an extraction ask among them). Its links weigh shares of its requests, smoothed by two: with up to five requests
    it can show one link over the floor, rarely the several a member needs (``communities.MEMBER_EVIDENCE``), so a
    slowly started crew's fifth account would wait an hour or more for requests that add nothing new. A stranger
    tied by a network + client pair and the hour (no operator's tie, ``crew_of``) or asking nothing gets no such
    leniency."""
    return np.array([v.state.events <= YOUNG_REQUESTS and v.intent > 0 for v in views], dtype=bool)


def is_crew(members: np.ndarray, inside: Edges, links: LinkSet, settings) -> bool:
    """Whether a community's core (``members``, its edges ``inside``) can be a campaign: enough accounts, most
    of them tied by what only an operator shares, and ties firmer on average than the graph's floor (a crowd
    tied at ``min_edge_weight``, strangers who sent one popular sentence in the same hour, is not a crew)."""
    return (len(members) >= settings.min_accounts and links.operator_tied(members)
            and linkage(inside) >= settings.min_group_linkage)


def candidate_of(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, index: SharedIndex,
                 now: float, settings, clients: ClientPopulation | None = None) -> Candidate:
    """The given accounts scored as one group, whatever communities they fall into now (a campaign's members,
    for a version that announces them): the links among them alone, its graph."""
    det = settings
    counts, links, edges = _graph(views, profiles, has_profile, index, now, det, clients)
    score = group_score(views, linkage(edges), load_balancing(counts), disabled_signals(det.disabled_signals),
                        _paying_together(views, links, np.arange(len(views))))
    return Candidate(list(views), score, links, {v.state.account_id: i for i, v in enumerate(views)}, edges, edges,
                     [v.state.account_id for v in views])


def _paying_together(views: list[AccountView], links: LinkSet, members: np.ndarray) -> set[str]:
    """The group's accounts that share a payment instrument with another of its accounts."""
    return {views[i].state.account_id for i in links.linked_by(["shared_payment"], members)}


def _graph(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, index: SharedIndex, now: float,
           settings, clients: ClientPopulation | None) -> tuple[np.ndarray, LinkSet, Edges]:
    """The views' requests per hour over the last day, their links, and the graph of edges kept from them."""
    counts = hour_counts([view_keys(v) for v in views], now, BALANCE_HOURS)
    links = build_links(views, profiles, has_profile, now, settings, counts, index, clients)
    edges = Edges.splitting(links.n, *links.combined_codes(settings.min_edge_weight))
    links.drop_sums()
    return counts, links, edges


def build_links(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, now: float,
                settings, counts: np.ndarray | None = None, index: SharedIndex | None = None,
                clients: ClientPopulation | None = None) -> LinkSet:
    """Every hidden link among ``views`` (less ``settings.disabled_links``): the weighted account graph
    (``counts``: the views' ``hour_counts`` over the last day, computed here when not given; ``index`` and
    ``clients``: who else sends a sentence, or uses a network + client pair)."""
    det = settings
    accounts = [v.state for v in views]
    keys = [view_keys(v) for v in views]
    counts = hour_counts(keys, now, BALANCE_HOURS) if counts is None else counts
    orgs = org_codes(accounts, [v.org for v in views])
    links = LinkSet(len(accounts), disabled=disabled_links(det.disabled_links))
    link_infrastructure(accounts, links, det.max_key_accounts, keys, orgs, clients)
    open_org = transparent(views)
    link_templates(accounts, keys, np.array([v.recycled for v in views]), links, det.max_key_accounts, open_org, orgs,
                   index)
    link_similar_content(accounts, profiles, has_profile & ~open_org, links, det.knn_neighbours,
                         det.knn_min_similarity, orgs)
    link_timing(counts, links, det.min_edge_weight)
    return links


def view_keys(view: AccountView) -> LinkKeys:
    """The view's link keys, computed now for views built without them (tests, notebooks)."""
    keys = view.keys
    if keys is None:
        keys = view.keys = link_keys(view.state, view.wrappers, view.asn_user_agents or None)
    return keys


def transparent(views: list[AccountView]) -> np.ndarray:
    """Accounts of organisations with several accounts (``org_size``, counted over every retained account, not
    only the suspicious ones): the provider knows them as one customer, so their prompts resembling strangers'
    prompts (public benchmarks, common agent frameworks) is no hidden link."""
    return np.array([bool(v.org or v.state.org_id) and v.org_size >= TRANSPARENT_ORG for v in views], dtype=bool)


def set_org_sizes(views: list[AccountView], accounts: Iterable[AccountState]) -> None:
    """Give each view its organisation (``AccountView.org``) and the number of accounts that organisation has among
    the retained ``accounts`` (active or not: the provider knows an organisation's keys whether or not they are busy
    right now). An account whose requests have not named an organisation yet belongs to the one whose accounts pay
    with its cards (``_org_of_cards``): logs that leave ``org_id`` out of some requests must not turn an evaluation
    team's key into a stranger hiding behind the team's card."""
    orgless = Counter(card for v in views if not v.state.org_id for card in v.state.payments)
    sizes: Counter[str] = Counter()
    card_orgs: dict[str, Counter[str]] = {}
    for account in accounts:
        org = account.org_id
        if org:
            sizes[org] += 1
            for card in account.payments:
                if card in orgless:
                    card_orgs.setdefault(card, Counter())[org] += 1
    for view in views:
        org = view.state.org_id or _org_of_cards(view.state.payments, card_orgs, orgless)
        view.org = org
        view.org_size = sizes[org] if org else 1


def _org_of_cards(cards: set[str], card_orgs: dict[str, Counter[str]], orgless: Counter[str]) -> str | None:
    """The one organisation whose accounts hold each of ``cards``, outnumbering each card's holders that name no
    organisation (``orgless``, among the views); else None. A farm that paid with an organisation's card on more
    keys than the organisation has does not become that organisation."""
    found: set[str] = set()
    for card in cards:
        holders = card_orgs.get(card)
        if holders is None or len(holders) != 1:
            return None
        (org, count), = holders.items()
        if count <= orgless[card]:
            return None
        found.add(org)
    return found.pop() if len(found) == 1 else None


def load_balancing(counts: np.ndarray) -> float:
    """High when the group's combined traffic covers the clock evenly while each account stays light
    (``counts``: the members' requests per hour over the last day)."""
    if len(counts) < 3:
        return 0.0
    combined = counts.sum(axis=0)
    if combined.sum() <= 0:
        return 0.0
    coverage = float((combined > 0).mean())
    biggest_share = float(counts.sum(axis=1).max() / combined.sum())
    return max(0.0, coverage - biggest_share) if coverage >= 0.5 else 0.0
