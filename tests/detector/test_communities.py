"""Communities and their cores on small hand-built graphs."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from detector.communities import LOUVAIN_ABOVE, MEMBER_EVIDENCE, Edges, bundle_labels, communities, core
from detector.finder import YOUNG_REQUESTS, alongside, crew_of, is_crew, young_askers
from detector.linking.edges import CONTENT, LinkSet
from detector.scoring import AccountView
from features.account import AccountState
from hydrawatch.settings import DetectionSettings


def _edges(n: int, weighted: list[tuple[int, int, float]], floor: float = 0.5) -> Edges:
    low, high, weight = zip(*weighted, strict=True)
    return Edges.from_coo(sp.coo_matrix((weight, (low, high)), shape=(n, n)), floor)


def _clique(size: int, weight: float = 0.9) -> list[tuple[int, int, float]]:
    return [(a, b, weight) for a in range(size) for b in range(a + 1, size)]


def test_a_member_needs_its_links_together_to_reach_the_evidence_bar() -> None:
    # 0-3: a strong clique; 4: two fair links (noisy-or 0.802); 5: one link just under the bar; 6: two weak links
    edges = _edges(7, [*_clique(4), (0, 4, 0.55), (1, 4, 0.56), (2, 5, 0.78), (3, 6, 0.5), (4, 6, 0.5)])
    evidence = edges.evidence()
    assert evidence[4] >= MEMBER_EVIDENCE > evidence[5]
    members, inside = core(edges, np.arange(7))
    assert members.tolist() == [0, 1, 2, 3, 4]
    assert inside.n == 5 and len(inside.low) == 6 + 2


def test_a_young_account_needs_one_link_over_the_floor() -> None:
    # 0-3: a strong clique; 4 and 5: one link each over the floor (0.55), 4 young, 5 not
    edges = _edges(6, [*_clique(4), (0, 4, 0.55), (1, 5, 0.55)])
    assert core(edges, np.arange(6))[0].tolist() == [0, 1, 2, 3]
    young = np.array([False] * 4 + [True, False])
    members, inside = core(edges, np.arange(6), young=young)
    assert members.tolist() == [0, 1, 2, 3, 4] and len(inside.low) == 6 + 1


def test_a_young_account_needs_one_link_whatever_floor_the_graph_was_drawn_with() -> None:
    """Configured lower (0.3) or at the default (0.5), a young account's one link at the graph's floor keeps it."""
    young = np.array([False] * 4 + [True])
    for floor in (0.3, 0.5):
        edges = _edges(5, [*_clique(4), (0, 4, floor)], floor)
        assert core(edges, np.arange(5))[0].tolist() == [0, 1, 2, 3]
        assert core(edges, np.arange(5), young=young)[0].tolist() == [0, 1, 2, 3, 4]


def test_a_young_account_stays_in_a_crew_only_by_an_operators_tie() -> None:
    """A crew of four sharing a card (0-3); 4: young, one shared wrapper sentence with 0; 5: young, tied to 1 only by
    a network + client pair and the hour (what strangers share)."""
    edges = _edges(6, [*_clique(4), (0, 4, 0.55), (1, 5, 0.55)])
    links = LinkSet(6)
    low, high = zip(*[(a, b) for a, b, _ in _clique(4)], strict=True)
    links.add("shared_payment", "infrastructure", np.array(low), np.array(high), np.full(len(low), 0.9))
    links.add("shared_template", CONTENT, np.array([0]), np.array([4]), np.array([0.55]))
    links.add("shared_asn_user_agent", "infrastructure", np.array([1]), np.array([5]), np.array([0.3]))
    links.add("co_activity", "timing", np.array([1]), np.array([5]), np.array([0.35]))
    settings = DetectionSettings()
    young = np.array([False] * 4 + [True, True])
    found = crew_of(edges, np.arange(6), links, settings, young=young)
    assert found is not None and found[0].tolist() == [0, 1, 2, 3, 4]
    found = crew_of(edges, np.arange(6), links, settings)
    assert found is not None and found[0].tolist() == [0, 1, 2, 3]


def test_a_stranger_held_only_by_what_strangers_share_is_no_member_of_a_crew() -> None:
    """A crew of five sharing a card (0-4); 5: an ordinary user on the crew's residential network with its client
    library, busy in its hours: a network + client pair and co-activity with three members (0.51 each, over the
    floor, together past the member bar), no card or content. The crew is a crew; the stranger is not in it."""
    edges = _edges(6, [*_clique(5), (0, 5, 0.51), (1, 5, 0.51), (2, 5, 0.51)])
    assert core(edges, np.arange(6))[0].tolist() == [0, 1, 2, 3, 4, 5]  # the graph alone would keep it
    links = LinkSet(6)
    low, high = zip(*[(a, b) for a, b, _ in _clique(5)], strict=True)
    links.add("shared_payment", "infrastructure", np.array(low), np.array(high), np.full(len(low), 0.9))
    links.add("shared_asn_user_agent", "infrastructure", np.array([0, 1, 2]), np.array([5, 5, 5]), np.full(3, 0.3))
    links.add("co_activity", "timing", np.array([0, 1, 2]), np.array([5, 5, 5]), np.full(3, 0.3))
    found = crew_of(edges, np.arange(6), links, DetectionSettings())
    assert found is not None and found[0].tolist() == [0, 1, 2, 3, 4] and found[1].n == 5
    links.add("shared_template", CONTENT, np.array([3]), np.array([5]), np.array([0.2]))  # a content tie too
    found = crew_of(edges, np.arange(6), links, DetectionSettings())
    assert found is not None and found[0].tolist() == [0, 1, 2, 3, 4, 5]


def test_a_young_account_is_held_only_when_it_was_active_beside_the_crew() -> None:
    """A crew of four sharing a card (0-3), active in the last two hours of the day; 4: young, one shared sentence
    with 0 (a public task the crew wrapped), its requests four hours before anyone else's. Sent in the hour before
    the crew's first, it would be held."""
    edges = _edges(5, [*_clique(4), (0, 4, 0.57)])
    links = LinkSet(5)
    low, high = zip(*[(a, b) for a, b, _ in _clique(4)], strict=True)
    links.add("shared_payment", "infrastructure", np.array(low), np.array(high), np.full(len(low), 0.9))
    links.add("shared_template", CONTENT, np.array([0]), np.array([4]), np.array([0.57]))
    young = np.array([False] * 4 + [True])
    hours = np.zeros((5, 24))
    hours[:4, 22:] = 2
    hours[4, 18] = 3
    found = crew_of(edges, np.arange(5), links, DetectionSettings(), young=young, hours=hours)
    assert found is not None and found[0].tolist() == [0, 1, 2, 3]
    hours[4] = 0
    hours[4, 21] = 3
    found = crew_of(edges, np.arange(5), links, DetectionSettings(), young=young, hours=hours)
    assert found is not None and found[0].tolist() == [0, 1, 2, 3, 4]


def test_alongside_means_another_account_active_in_the_same_or_a_neighbouring_hour() -> None:
    hours = np.zeros((4, 6))
    hours[0, 2] = hours[1, 3] = 1  # neighbouring hours
    hours[2, 5] = 4                # alone in its hour and the one before
    hours[3, 0] = 1                # alone at the start of the day
    assert alongside(hours).tolist() == [True, True, False, False]
    assert alongside(hours[[0, 0]]).tolist() == [True, True]  # two accounts in the very same hour


def test_a_young_account_gets_no_leniency_in_a_community_of_a_dozen_or_more() -> None:
    """A farm's cell of LOUVAIN_ABOVE accounts sharing a card, and a young stranger with one content tie to it (a
    public task the farm re-sends): one account more or less decides nothing there, so it needs the full bar."""
    size = LOUVAIN_ABOVE
    edges = _edges(size + 1, [*_clique(size), (0, size, 0.55)])
    links = LinkSet(size + 1)
    low, high = zip(*[(a, b) for a, b, _ in _clique(size)], strict=True)
    links.add("shared_payment", "infrastructure", np.array(low), np.array(high), np.full(len(low), 0.9))
    links.add("shared_template", CONTENT, np.array([0]), np.array([size]), np.array([0.55]))
    young = np.array([False] * size + [True])
    found = crew_of(edges, np.arange(size + 1), links, DetectionSettings(), young=young)
    assert found is not None and found[0].tolist() == list(range(size))


def test_young_askers_are_accounts_of_a_few_requests_with_an_extraction_ask() -> None:
    def view(events: int, intent: float) -> AccountView:
        state = AccountState("a")
        state.events = events
        return AccountView(state, intent=intent, templated=0.0, recycled=0.0, automation=0.0, evasion=0.0,
                           anomaly=0.0, pivot=0.0)

    views = [view(1, 1.0), view(YOUNG_REQUESTS, 0.34), view(YOUNG_REQUESTS + 1, 0.5), view(2, 0.0)]
    assert young_askers(views).tolist() == [True, True, False, False]


def test_links_to_a_bundle_a_member_is_not_in_count_as_one() -> None:
    """0-5: a farm's holders kept together (each pair tied at 0.55); 6: an outsider tied by one public prompt to
    four of them (0.52 each, 0.95 together); 7-9: a crew tied to one holder and to each other."""
    edges = _edges(10, [*_clique(6, 0.55), *[(h, 6, 0.52) for h in range(4)],
                        (2, 7, 0.9), *[(a, b, 0.9) for a, b in ((7, 8), (7, 9), (8, 9))]])
    assert edges.evidence()[6] >= MEMBER_EVIDENCE
    assert core(edges, np.arange(10))[0].tolist() == list(range(10))  # without bundles: a member
    bundles = bundle_labels(10, [np.arange(6)])
    assert bundles is not None and (bundles[:6] == bundles[0]).all() and (bundles[6:] == -1).all()
    members, inside = core(edges, np.arange(10), bundles)
    assert members.tolist() == [0, 1, 2, 3, 4, 5, 7, 8, 9]  # one tie of 0.52: no member; the holders' own links
    assert inside.n == 9                                      # and the crew's links count one by one
    assert bundle_labels(10, []) is None


def test_trimming_repeats_until_every_member_is_well_inside() -> None:
    # a chain 4-5-6-7 hanging off the clique: 5 and 6 pass the bar at first (two fair links each), then lose a
    # partner each round; 4 stays by its strong link into the clique
    edges = _edges(8, [*_clique(4), (3, 4, 0.85), (4, 5, 0.6), (5, 6, 0.6), (6, 7, 0.6)])
    members, _ = core(edges, np.arange(8))
    assert members.tolist() == [0, 1, 2, 3, 4]


def test_components_below_the_minimum_size_are_no_community() -> None:
    edges = _edges(9, [*_clique(5), (6, 7, 0.9), (7, 8, 0.9)])
    found = communities(edges, min_accounts=4)
    assert [sorted(c.tolist()) for c in found] == [[0, 1, 2, 3, 4]]


def _two_cliques(size: int) -> list[tuple[int, int, float]]:
    """Two cliques of ``size`` nodes joined by one bridge edge."""
    other = [(a + size, b + size, w) for a, b, w in _clique(size)]
    return [*_clique(size), *other, (size - 1, size, 0.6)]


def test_a_small_component_stays_whole_and_a_large_one_is_split() -> None:
    small = 4  # 8 accounts: modularity would cut the bridge, leaving two groups of 4; the core rule decides instead
    assert 2 * small < LOUVAIN_ABOVE
    found = communities(_edges(2 * small, _two_cliques(small)), min_accounts=3)
    assert [sorted(c.tolist()) for c in found] == [list(range(2 * small))]
    large = 7  # 14 accounts: two crews bridged by one link are two communities
    assert 2 * large >= LOUVAIN_ABOVE
    found = communities(_edges(2 * large, _two_cliques(large)), min_accounts=3)
    assert sorted(sorted(c.tolist()) for c in found) == [list(range(large)), list(range(large, 2 * large))]


def test_a_crowd_tied_at_the_graphs_floor_is_no_crew() -> None:
    """Strangers who each sent one popular sentence in the same hour are tied pairwise just above the graph's
    floor: enough for a community, not for a campaign. Firmer ties, or one operator tie per member, are."""
    settings = DetectionSettings()
    for weight, crew in ((0.52, False), (0.58, False), (0.62, True), (0.9, True)):
        edges = _edges(6, _clique(6, weight))
        links = LinkSet(6)
        links.add("shared_template", CONTENT, edges.low, edges.high, edges.weight)
        members, inside = core(edges, np.arange(6))
        assert len(members) == 6  # everyone is well inside: the noisy-or of five such ties
        assert is_crew(members, inside, links, settings) is crew, weight
    edges = _edges(6, _clique(6, 0.52))
    strangers = LinkSet(6)
    strangers.add("co_activity", "timing", edges.low, edges.high, edges.weight)
    assert not is_crew(np.arange(6), edges, strangers, DetectionSettings(min_group_linkage=0.0))  # no operator tie


def test_a_crowd_joined_to_a_crew_by_what_strangers_share_hides_no_crew() -> None:
    """A crew of five sharing cards (0-4) and seven accounts tied to everyone only by a network + client pair and
    shared hours (5-11): most of the community has no operator tie, so it is no crew as a whole, but the crew its
    operator's ties hold is one. A crowd with no such ties stays none."""
    settings = DetectionSettings()
    crew, crowd = list(range(5)), list(range(5, 12))
    card = [(a, b, 0.9) for a in crew for b in crew if a < b]
    shared_network = [(a, b, 0.55) for a in range(12) for b in range(12) if a < b and (a, b, 0.9) not in card]
    edges = _edges(12, [*card, *shared_network])
    links = LinkSet(12)
    low, high = zip(*[(a, b) for a, b, _ in card], strict=True)
    links.add("shared_payment", "infrastructure", np.array(low), np.array(high), np.full(len(low), 0.9))
    low, high = zip(*[(a, b) for a, b, _ in shared_network], strict=True)
    links.add("shared_asn_user_agent", "infrastructure", np.array(low), np.array(high), np.full(len(low), 0.3))
    links.add("co_activity", "timing", np.array(low), np.array(high), np.full(len(low), 0.3))
    community = np.arange(12)
    members, inside = core(edges, community)
    assert members.tolist() == community.tolist() and not is_crew(members, inside, links, settings)
    found = crew_of(edges, community, links, settings)
    assert found is not None and found[0].tolist() == crew
    assert crew_of(edges.within(np.array(crowd)), np.arange(7), links_among(links, crowd), settings) is None


def links_among(links: LinkSet, nodes: list[int]) -> LinkSet:
    """The links between ``nodes``, renumbered 0..len(nodes)-1."""
    out = LinkSet(len(nodes))
    at = {node: i for i, node in enumerate(nodes)}
    for name, (codes, weights) in links.pairs.items():
        low, high = codes // links.n, codes % links.n
        keep = np.isin(low, nodes) & np.isin(high, nodes)
        if keep.any():
            out.add(name, links.families[name], np.array([at[x] for x in low[keep].tolist()]),
                    np.array([at[x] for x in high[keep].tolist()]), weights[keep])
    return out


def _hydra_with(groups: list[list[tuple[int, int, float]]],
                ties: list[tuple[int, int, int, int, float]] = (), size: int = 2000) -> tuple[Edges, list[int]]:
    """A large, loosely meshed component (a thousand-account farm: ten links of 0.7 per account) with ``groups``
    (edge lists numbered from 0 each) placed after it, each joined to it by three links of 0.6; ``ties``: links
    (group, node, other group, node, weight) between the groups. Returns the graph and where each group starts."""
    rng = np.random.default_rng(1)
    weighted = {(min(a, b), max(a, b)): 0.7 for a in range(size) for b in rng.choice(size, 10) if a != b}
    starts, at = [], size
    for group in groups:
        starts.append(at)
        weighted |= {(at + a, at + b): w for a, b, w in group}
        weighted |= {(int(rng.integers(size)), at + k): 0.6 for k in range(3)}
        at += max(b for _, b, _ in group) + 1
    weighted |= {(starts[g] + a, starts[h] + b): w for g, a, h, b, w in ties}
    pairs = sorted(weighted)
    return _edges(at, [(a, b, weighted[(a, b)]) for a, b in pairs]), starts


def test_a_small_crew_tied_by_a_stray_link_to_another_inside_a_large_component_stays_apart() -> None:
    # two crews that drew two tasks from one public benchmark, next to a large hydra they share a few tasks with:
    # modularity over the whole component would make them one community (its resolution limit)
    edges, (small, crew) = _hydra_with([_clique(8), _clique(25, 0.8)], [(0, 0, 1, 0, 0.6), (0, 1, 1, 1, 0.6)])
    found = {(int(c.min()), len(c)) for c in communities(edges, 3) if c.max() >= small}
    assert found == {(small, 8), (crew, 25)}

    import detector.communities as module  # the premise: without splitting communities again, one group
    saved, module.APART_CONDUCTANCE = module.APART_CONDUCTANCE, -1.0
    try:
        assert {(int(c.min()), len(c)) for c in communities(edges, 3) if c.max() >= small} == {(small, 33)}
    finally:
        module.APART_CONDUCTANCE = saved


def test_a_crew_of_card_cells_inside_a_large_component_stays_whole() -> None:
    # three cells of six accounts sharing a card (0.96), every account tied to the others by one network and
    # client plus co-activity (0.51): cells, but no group of their own
    cells = [(a, b, 0.96 if a // 6 == b // 6 else 0.51) for a in range(18) for b in range(a + 1, 18)]
    edges, (crew,) = _hydra_with([cells])
    found = [c for c in communities(edges, 3) if c.max() >= crew]
    assert [(int(c.min()), len(c)) for c in found] == [(crew, 18)]


def test_accounts_kept_together_are_one_community_and_other_groups_still_stand_apart() -> None:
    # a farm's card drawn as a star (``LinkSet.together``): Louvain alone splits the loosely meshed farm
    edges, (small, crew) = _hydra_with([_clique(8), _clique(25, 0.8)], [(0, 0, 1, 0, 0.6), (0, 1, 1, 1, 0.6)])
    assert len([c for c in communities(edges, 3) if c.max() < small]) > 1
    found = communities(edges, 3, together=[np.arange(small)])
    assert sorted((int(c.min()), len(c)) for c in found) == [(0, small), (small, 8), (crew, 25)]


def test_edges_within_a_set_of_nodes_are_those_a_mask_over_every_edge_keeps() -> None:
    """``within`` reads only the edges of the given nodes; it keeps the same edges, in the same order, renumbered."""
    rng = np.random.default_rng(2)
    low, high = rng.integers(0, 80, 400), rng.integers(0, 80, 400)
    low, high = np.minimum(low, high)[low != high], np.maximum(low, high)[low != high]
    edges = Edges.from_coo(sp.coo_matrix((rng.uniform(0.5, 1, len(low)), (low, high)), shape=(80, 80)).tocsr().tocoo(),
                           0.5)
    for nodes in (np.arange(80), np.sort(rng.choice(80, 17, replace=False)), np.array([3]), np.array([], dtype=int)):
        member = np.zeros(80, dtype=bool)
        member[nodes] = True
        inside = member[edges.low] & member[edges.high]
        sub = edges.within(nodes)
        assert sub.n == len(nodes)
        assert np.array_equal(nodes[sub.low], edges.low[inside]) and np.array_equal(nodes[sub.high], edges.high[inside])
        assert np.array_equal(sub.weight, edges.weight[inside])


def test_edges_split_from_owned_codes_equal_edges_filtered_from_the_combined_codes() -> None:
    rng = np.random.default_rng(2)
    codes = np.unique(rng.integers(0, 60 * 60, 500))
    codes = codes[codes // 60 < codes % 60]
    weights = rng.uniform(0.0, 1.0, len(codes))
    filtered = Edges.from_codes(60, codes, weights, 0.5)
    split = Edges.splitting(60, codes[weights >= 0.5], weights[weights >= 0.5])
    for name in ("low", "high", "weight"):
        assert getattr(split, name).tolist() == getattr(filtered, name).tolist()
    assert filtered.low.tolist() == (codes[weights >= 0.5] // 60).tolist()
    assert filtered.high.tolist() == (codes[weights >= 0.5] % 60).tolist()
    before = codes.copy()
    assert len(Edges.from_codes(60, codes, weights, 0.0).low) == len(codes)
    assert codes.tolist() == before.tolist()  # every pair kept: still not split in place, a copy is


def test_members_linked_by_are_those_a_pass_over_every_pair_finds() -> None:
    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(2, 60))
        links = LinkSet(n)
        for name, family in (("shared_payment", "infrastructure"), ("shared_template", CONTENT), ("shared_ip", "i")):
            count = int(rng.integers(0, 3 * n))
            links.add(name, family, rng.integers(0, n, count), rng.integers(0, n, count), np.full(count, 0.5))
        members = rng.choice(n, int(rng.integers(1, n + 1)), replace=False)  # any order
        names = ["shared_payment", "shared_template", "absent"]
        expected: set[int] = set()
        for name in names[:2]:
            if name in links.pairs:
                for code in links.pairs[name][0].tolist():
                    low, high = divmod(code, n)
                    if low in set(members.tolist()) and high in set(members.tolist()):
                        expected |= {low, high}
        found = links.linked_by(names, members)
        assert found.tolist() == sorted(expected)
        assert links.operator_tied_members(members).tolist() == sorted(expected)
