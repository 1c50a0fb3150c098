"""Linking: hidden infrastructure links across organisations, template links discounted by recycling."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from detector.finder import build_links, set_org_sizes, transparent
from detector.linking.clients import ClientPopulation, client_keys
from detector.linking.concentration import CONCENTRATED, key_concentration
from detector.linking.content import (
    CROWDED_NEIGHBOURS,
    TEMPLATE_FULL_OVERLAP,
    TEMPLATE_WEIGHT,
    link_similar_content,
    link_templates,
    recycled_share,
    wrapper_shares,
)
from detector.linking.edges import LinkSet
from detector.linking.infra import ASN_UA_WEIGHT, TOGETHER_ABOVE, link_infrastructure
from detector.linking.keys import TEMPLATED_REQUESTS, asn_user_agents, link_keys, rotation, template_use
from detector.linking.pair_codes import sorted_contains
from detector.linking.shared_keys import shared_key_pairs
from detector.scoring import AccountView
from features.account import AccountState
from features.shared_index import SharedIndex
from features.text import TextAnalyzer
from hydrawatch.settings import Settings
from streams.events import parse_record

_LINK_SETTINGS = Settings(db_url="").detection
WRAPPER = ("Act as an impartial judge and evaluate the following response against the rubric of accuracy, depth "
           "and clarity, explaining every deduction in detail. Response to grade: {task}")


def feed(records: list[dict], max_key_accounts: int = 400) -> tuple[dict[str, AccountState], SharedIndex]:
    states: dict[str, AccountState] = {}
    index, analyzer, rng = SharedIndex(max_key_accounts), TextAnalyzer(), random.Random(0)
    for record in records:
        event = parse_record(record)
        info = analyzer.analyze(event.text)
        index.observe(event.account_id, info, event.ts)
        states.setdefault(event.account_id, AccountState(event.account_id)).update(event, info, rng, 0)
    return states, index


def test_payment_links_only_across_organisations() -> None:
    states, _ = feed([
        {"ts": 1, "account_id": "a", "prompt": "x", "payment_fingerprint": "card", "org_id": "o1"},
        {"ts": 2, "account_id": "b", "prompt": "x", "payment_fingerprint": "card", "org_id": "o1"},
        {"ts": 3, "account_id": "c", "prompt": "x", "payment_fingerprint": "card"},
    ])
    accounts = list(states.values())
    links = LinkSet(len(accounts))
    link_infrastructure(accounts, links, max_members=100)
    pay = links.matrices["shared_payment"]
    assert pay[0, 1] == 0  # same organisation: transparent
    assert pay[0, 2] > 0.8 and pay[1, 2] > 0.8


def _views_of(states: dict[str, AccountState]) -> list[AccountView]:
    return [AccountView(state=s, intent=0.0, templated=0.0, recycled=0.0, automation=0.0, evasion=0.0, anomaly=0.0,
                        pivot=0.0) for s in states.values()]


def test_an_account_whose_requests_named_no_organisation_joins_the_one_paying_with_its_card() -> None:
    """An evaluation team's six keys and one card; one key's first requests were logged without ``org_id``. It is
    the team's key, not a stranger hiding behind its card: no hidden payment link to its colleagues."""
    records = [{"ts": i, "account_id": f"k{i}", "prompt": "x", "payment_fingerprint": "team", "org_id": "evals"}
               for i in range(5)]
    records.append({"ts": 9, "account_id": "k5", "prompt": "x", "payment_fingerprint": "team", "org_id": None})
    states, _ = feed(records)
    views = _views_of(states)
    assert build_links(views, np.zeros((6, 4)), np.zeros(6, dtype=bool), 10.0, _LINK_SETTINGS).pairs[
        "shared_payment"][0].size == 5  # not yet told whose key it is: a hidden tie to each of the five
    set_org_sizes(views, states.values())
    assert [v.org for v in views] == ["evals"] * 6 and views[5].org_size == 5 and transparent(views).all()
    links = build_links(views, np.zeros((6, 4)), np.zeros(6, dtype=bool), 10.0, _LINK_SETTINGS)
    assert "shared_payment" not in links.pairs or not links.pairs["shared_payment"][0].size


def test_keys_paying_with_an_organisations_card_that_outnumber_its_own_stay_strangers() -> None:
    """A farm that pays for six org-less keys with the card of a two-key organisation is not that organisation."""
    records = [{"ts": i, "account_id": f"o{i}", "prompt": "x", "payment_fingerprint": "card", "org_id": "tiny"}
               for i in range(2)]
    records += [{"ts": 10 + i, "account_id": f"f{i}", "prompt": "x", "payment_fingerprint": "card"} for i in range(6)]
    records.append({"ts": 30, "account_id": "mixed", "prompt": "x", "payment_fingerprint": "card2"})
    records += [{"ts": 31 + i, "account_id": f"p{i}", "prompt": "x", "payment_fingerprint": "card2",
                 "org_id": f"org{i}"} for i in range(3)]  # a card of three organisations names none of them
    states, _ = feed(records)
    views = _views_of(states)
    set_org_sizes(views, states.values())
    assert [v.org for v in views] == ["tiny", "tiny"] + [None] * 7 + ["org0", "org1", "org2"]
    links = build_links(views, np.zeros((12, 4)), np.zeros(12, dtype=bool), 40.0, _LINK_SETTINGS)
    assert len(links.pairs["shared_payment"][0]) == 8 * 7 // 2 - 1 + 6  # card: all but the organisation's own pair


def test_a_network_and_client_only_the_linked_accounts_use_weighs_fully() -> None:
    """Four accounts on one network with one client: weak as a crowd's browser while many retained accounts use
    that pair too (or nothing says who else does); at full weight once nearly only they use it, as a crew's own
    agent runtime in one datacenter."""
    states, _ = feed([{"ts": i, "account_id": f"c{i % 4}", "prompt": "x", "asn": 24940,
                       "user_agent": "orchestr8/0.9.4 (agent-runtime; linux)"} for i in range(8)])
    accounts = list(states.values())
    pair = client_keys(asn_user_agents(accounts[0]))
    assert all(client_keys(asn_user_agents(a)) == pair for a in accounts)

    def weight(clients: ClientPopulation | None) -> float:
        links = LinkSet(len(accounts))
        link_infrastructure(accounts, links, max_members=100, clients=clients)
        return links.pair(0, 1)["shared_asn_user_agent"]

    own, crowd = ClientPopulation(), ClientPopulation()
    for account in accounts:
        own.update(account.account_id, pair)
        crowd.update(account.account_id, pair)
    for i in range(40):
        crowd.update(f"stranger{i}", pair)
    assert weight(None) == weight(crowd) == pytest.approx(ASN_UA_WEIGHT / 2)
    assert weight(own) == pytest.approx(ASN_UA_WEIGHT)
    own.update("stranger", pair)  # four of five users: still theirs
    assert weight(own) == pytest.approx(ASN_UA_WEIGHT)


def test_the_client_population_counts_each_account_once() -> None:
    clients = ClientPopulation()
    clients.update("a", (1, 2))
    clients.update("a", (1, 2))
    clients.update("b", (2, 3))
    assert clients.accounts(np.array([1, 2, 3, 4])).tolist() == [1, 2, 1, 0]
    clients.update("a", (3,))  # its main pairs changed
    assert clients.counts == {2: 1, 3: 2}
    clients.forget("b")
    clients.forget("nobody")
    assert clients.counts == {3: 1}


def test_shared_ips_count_only_when_accounts_rotate() -> None:
    campus = [{"ts": i, "account_id": f"s{i % 4}", "prompt": "x", "ip": "192.0.2.1"} for i in range(40)]
    proxies = [{"ts": i, "account_id": f"p{i % 4}", "prompt": "x", "ip": f"203.0.113.{i % 10}"} for i in range(80)]
    states, _ = feed(campus + proxies)
    accounts = list(states.values())
    assert rotation(states["s0"]) == 0 and rotation(states["p0"]) >= 0.8
    links = LinkSet(len(accounts))
    link_infrastructure(accounts, links, max_members=100)
    ips = links.matrices["shared_rotating_ips"].tocoo()
    linked = {accounts[i].account_id for i in np.concatenate([ips.row, ips.col])}
    assert linked == {"p0", "p1", "p2", "p3"}


def test_template_links_need_novel_tasks() -> None:
    harvest = [{"ts": i, "account_id": f"h{i % 3}", "prompt": WRAPPER.format(task=f"task number {i} about topic {i}")}
               for i in range(30)]
    recycle = [{"ts": 100 + i, "account_id": f"e{i % 3}", "prompt": WRAPPER.format(task=f"fixed item {i % 2}")}
               for i in range(30)]
    states, index = feed(harvest + recycle)
    accounts = list(states.values())
    shares = [wrapper_shares(s, index) for s in accounts]
    recycled = np.array([recycled_share(s) for s in accounts])
    assert template_use(states["h0"].recent_keys, shares[0], states["h0"].template_keys)[0] == 1.0
    links = LinkSet(len(accounts))
    keys = [link_keys(s, share, []) for s, share in zip(accounts, shares, strict=True)]
    link_templates(accounts, keys, recycled, links, max_members=100)
    coo = links.matrices["shared_template"].tocoo()
    pairs = {(accounts[i].account_id, accounts[j].account_id): w
             for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)}
    assert pairs[("h0", "h1")] > 0.5
    assert all(w < 0.2 for (a, b), w in pairs.items() if a.startswith("e") and b.startswith("e"))



PUBLIC_PROMPT = (
    "The following sentences each contain a grammatical mistake that a careful editor would correct quickly. "
    "Your job is to identify the category of each mistake from the list given below this paragraph. "
    "Subject verb agreement errors happen when a singular subject takes a plural verb form. "
    "Tense errors happen when the sentence switches between past and present without any reason. "
    "Article errors happen when a definite or indefinite article is missing or misplaced entirely. "
    "Preposition errors happen when the wrong relational word connects the noun phrase to the verb. "
    "Answer with the category name only and nothing else after reading the sentence carefully. "
    "Sentence: {item}"
)


OWN_PROMPTS = [f"{a} {b} {c}?" for a, b, c in zip(
    ["how do tulips grow", "best pasta sauce", "fix a bike chain", "train a puppy", "paint a fence",
     "brew green tea", "tune a guitar", "plan a hike", "knit a scarf", "bake sourdough"],
    ["in sandy soil", "with fresh basil", "that keeps slipping", "to sit calmly", "before winter",
     "without bitterness", "by ear", "near glaciers", "for beginners", "at high altitude"],
    ["quickly", "cheaply", "safely", "gently", "today", "properly", "tonight", "alone", "easily", "slowly"],
    strict=True)] * 2


def test_a_long_public_prompt_sent_once_by_strangers_is_no_template_link() -> None:
    """Strangers who each send one item of the same public benchmark prompt (many boilerplate sentences) among
    their own prompts share ten sentences, but only one request each: no template link."""
    records = []
    for n in range(5):
        records.append({"ts": n, "account_id": f"u{n}", "prompt": PUBLIC_PROMPT.format(item=f"the cats runs {n}")})
        records += [{"ts": 10 + n * 10 + i, "account_id": f"u{n}", "prompt": OWN_PROMPTS[n * 4 + i]}
                    for i in range(4)]
    records += [{"ts": 200 + i, "account_id": f"h{i % 3}", "prompt": WRAPPER.format(task=f"task {i} on topic {i}")}
                for i in range(15)]
    states, index = feed(records)
    accounts = list(states.values())
    shares = [wrapper_shares(s, index) for s in accounts]
    keys = [link_keys(s, share, []) for s, share in zip(accounts, shares, strict=True)]
    assert len(shares[0]) >= 6  # the public prompt's sentences are shared keys ...
    assert keys[0].template_cover == 1 / 7  # ... of one request in five (smoothed by two)
    links = LinkSet(len(accounts))
    link_templates(accounts, keys, np.zeros(len(accounts)), links, max_members=100)
    coo = links.matrices["shared_template"].tocoo()
    pairs = {frozenset((accounts[i].account_id, accounts[j].account_id)): w
             for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)}
    assert max(w for pair, w in pairs.items() if all(a.startswith("u") for a in pair)) < 0.3
    assert pairs[frozenset(("h0", "h1"))] > 0.5


WORD_PROBLEM = ("Mara plants tomato seedlings along the southern garden fence. Each seedling needs forty centimetres "
                "of space from its neighbours. The fence measures twelve metres from the wooden gate to the shed. She "
                "already planted nine seedlings near the gate last weekend. How many more seedlings can she plant "
                "before reaching the shed?")


OTHER_PROBLEMS = (
    "A ferry crosses the bay every forty minutes during summer mornings. Tickets for cyclists cost less than "
    "tickets for cars. Yesterday the harbour office sold ninety tickets before noon. Two thirds of those buyers "
    "travelled with bicycles. How much money did the office collect from cyclists?",
    "Omar bakes rye loaves for the village market each Friday. Every loaf uses three cups of flour and a spoon "
    "of caraway seeds. His pantry holds a large sack with sixty cups of flour. He promised eight loaves to the "
    "school kitchen. How many loaves remain for the market stall?")


def _named_template_pairs(records: list[dict]) -> dict[frozenset[str], float]:
    states, index = feed(records)
    accounts = list(states.values())
    keys = [link_keys(s, wrapper_shares(s, index), []) for s in accounts]
    links = LinkSet(len(accounts))
    link_templates(accounts, keys, np.zeros(len(accounts)), links, max_members=100, index=index)
    coo = links.matrices["shared_template"].tocoo()
    return {frozenset((accounts[i].account_id, accounts[j].account_id)): w
            for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)}


def test_a_public_task_a_crew_wrapped_once_ties_a_person_who_asked_it_by_one_request() -> None:
    """Two crew accounts each wrapped a public word problem once, among their templated requests; a person asked
    it as it is, among requests of their own. The person shares its five sentences with each of them, each sent once
    on both sides: one request shared, not five, so the person is barely tied to the crew. The crew's re-used
    wrapper still ties its accounts."""
    records = [{"ts": i, "account_id": f"h{i % 3}", "prompt": WRAPPER.format(task=f"task {i} on topic {i}")}
               for i in range(30)]
    records += [{"ts": 40 + i, "account_id": f"h{i}", "prompt": WRAPPER.format(task=WORD_PROBLEM)} for i in range(2)]
    records += [{"ts": 50, "account_id": "p", "prompt": WORD_PROBLEM}]
    records += [{"ts": 60 + i, "account_id": "p", "prompt": OWN_PROMPTS[i]} for i in range(2)]
    pairs = _named_template_pairs(records)
    assert max(pairs.get(frozenset(("p", f"h{i}")), 0.0) for i in range(3)) < 0.25
    assert min(pairs[frozenset((f"h{i}", f"h{j}"))] for i, j in ((0, 1), (0, 2), (1, 2))) > 0.5


def test_accounts_that_each_sent_the_same_three_tasks_once_share_three_requests() -> None:
    """The sentences of one text weigh one request, not one pair: two farm accounts that each sent the same three
    public tasks once share three requests, and stay strongly linked; a person who asked one of them shares one. Texts
    are told apart by who holds them among the linked accounts (``sentences_as_texts``): here each task has other
    holders (a person asked each)."""
    tasks = [WORD_PROBLEM, *OTHER_PROBLEMS]
    records = [{"ts": 10 * n + i, "account_id": f"f{i}", "prompt": task} for n, task in enumerate(tasks)
               for i in range(2)]
    records += [{"ts": 100 + i, "account_id": f"f{i % 2}", "prompt": OWN_PROMPTS[i]} for i in range(2)]
    for n, person in enumerate(("p", "q", "r")):
        records += [{"ts": 200 + 10 * n, "account_id": person, "prompt": tasks[n]}]
        records += [{"ts": 201 + 10 * n + i, "account_id": person, "prompt": OWN_PROMPTS[2 + 3 * n + i]}
                    for i in range(3)]
    pairs = _named_template_pairs(records)
    assert pairs[frozenset(("f0", "f1"))] > 0.6
    assert max(pairs.get(frozenset((person, f"f{i}")), 0.0) for person in "pqr" for i in range(2)) < 0.35


def test_texts_only_the_same_accounts_sent_once_count_as_one_request() -> None:
    """The approximation's other side: two tasks that the same three accounts each sent once, and nobody else,
    cannot be told apart from one longer text, and weigh one request between any two of them (a weaker link than
    with the tasks told apart, never a stronger one)."""
    records = [{"ts": 10 * n + i, "account_id": f"f{i}", "prompt": task} for n, task in enumerate(OTHER_PROBLEMS)
               for i in range(3)]
    records += [{"ts": 100 + i, "account_id": f"f{i}", "prompt": OWN_PROMPTS[i]} for i in range(3)]
    one_request = TEMPLATE_WEIGHT * (1 / (3 + 2)) / TEMPLATE_FULL_OVERLAP  # 3 requests each, smoothed by two
    assert _named_template_pairs(records)[frozenset(("f0", "f1"))] == pytest.approx(one_request)


def test_a_word_problem_two_accounts_each_send_twice_is_not_merged_into_one_request() -> None:
    """The merge is for sentences no sender re-sent: two accounts that each re-send the same five-sentence problem
    work it as a template (each re-use is another request), and keep a strong link."""
    records = [{"ts": 2 * i + n, "account_id": f"r{n}", "prompt": WORD_PROBLEM} for i in range(2) for n in range(2)]
    records += [{"ts": 10 + i, "account_id": f"r{i % 2}", "prompt": OWN_PROMPTS[i]} for i in range(2)]
    pairs = _named_template_pairs(records)
    assert pairs[frozenset(("r0", "r1"))] > 0.5


PUBLIC_TASK = ("The following translations from German to English contain a particular error. That error will be one "
               "of the following types: named entities, numerical values, modifiers or adjectives, negation or "
               "antonyms, facts, or dropped content. Please identify the error in the translation given below.")
STOCK = ("Could you make this email sound a little more professional for my manager, please: {task}",
         "Please summarize the main points of this article in three short bullet points for me: {task}")


def test_stock_phrasing_that_ordinary_accounts_share_is_no_operator_template() -> None:
    """Two crew accounts whose filler borrows everyday phrasing that thirty ordinary users also send are not
    linked by it; the crew's own wrapper still links them."""
    records = [{"ts": i, "account_id": f"user{i % 30}", "prompt": STOCK[i % 2].format(task=f"note {i} about {i}")}
               for i in range(90)]
    records += [{"ts": 100 + i, "account_id": f"h{i % 2}", "prompt": STOCK[i // 2 % 2].format(task=f"filler {i}")}
                for i in range(8)]
    records += [{"ts": 200 + i, "account_id": f"c{i % 2}", "prompt": WRAPPER.format(task=f"task {i} on {i}")}
                for i in range(8)]
    states, index = feed(records)
    linked = [states[a] for a in ("h0", "h1", "c0", "c1")]  # the accounts an evaluation links (suspicious ones)
    shares = [wrapper_shares(s, index) for s in linked]
    keys = [link_keys(s, share, []) for s, share in zip(linked, shares, strict=True)]
    stock, own = keys[0].wrappers, keys[2].wrappers
    assert len(stock) == 2 and (stock == keys[1].wrappers).all() and (own == keys[3].wrappers).all()
    both = np.full(2, 2)  # each phrase is held by both accounts of its pair among those linked here
    assert np.allclose(key_concentration(stock, both, index), 2 / 17 / CONCENTRATED)  # ... of its 17 senders
    assert (key_concentration(own, both[: len(own)], index) == 1.0).all()

    def weights(with_index: bool) -> dict[frozenset[str], float]:
        links = LinkSet(len(linked))
        link_templates(linked, keys, np.zeros(len(linked)), links, 100, index=index if with_index else None)
        coo = links.matrices["shared_template"].tocoo()
        return {frozenset((linked[i].account_id, linked[j].account_id)): w
                for i, j, w in zip(coo.row, coo.col, coo.data, strict=True)}

    assert weights(False)[frozenset(("h0", "h1"))] > 0.5  # counted blindly, the stock phrasing links them
    assert weights(True).get(frozenset(("h0", "h1")), 0.0) < 0.25  # far below an edge of the graph (0.5)
    assert weights(True)[frozenset(("c0", "c1"))] > 0.5


def test_accounts_sharing_sentences_are_content_linked_by_the_template_link_alone() -> None:
    """Two accounts that send the same sentences also have alike content profiles, from that same text: the
    template link (with its discounts for public and recycled text) weighs it, similar content does not add to it.
    A third account with an alike profile but no shared sentence is linked by similar content."""
    records = [{"ts": i, "account_id": f"c{i % 2}", "prompt": WRAPPER.format(task=f"task {i} on {i}")}
               for i in range(8)]
    own = ["Write a limerick about a purple walrus", "Which telescope suits a beginner astronomer",
           "Convert this pancake recipe for twelve guests", "Summarize the plot of a famous heist movie"]
    records += [{"ts": 50 + i, "account_id": name, "prompt": text}
                for i, (name, text) in enumerate(zip(["p", "q0", "q1", "q2"], own, strict=True))]
    states, index = feed(records)
    accounts = [states[a] for a in ("c0", "c1", "p", "q0", "q1", "q2")]
    keys = [link_keys(s, wrapper_shares(s, index), []) for s in accounts]
    rng = np.random.default_rng(0)
    alike = rng.normal(size=16)
    profiles = np.stack([alike, alike + 0.01, alike - 0.01, *rng.normal(size=(3, 16))]).astype(np.float32)

    def content_pairs(disabled: frozenset[str] = frozenset()) -> dict[str, set[frozenset[str]]]:
        links = LinkSet(len(accounts), disabled=disabled)
        link_templates(accounts, keys, np.zeros(len(accounts)), links, 100, index=index)
        link_similar_content(accounts, profiles, np.ones(len(accounts), dtype=bool), links, 5, 0.8)
        return {name: {frozenset((accounts[i].account_id, accounts[j].account_id))
                       for i, j in zip(*matrix.nonzero(), strict=True)} for name, matrix in links.matrices.items()}

    pairs = content_pairs()
    assert pairs["shared_template"] == {frozenset(("c0", "c1"))}
    assert pairs["similar_content"] == {frozenset(("c0", "p")), frozenset(("c1", "p"))}
    ablated = content_pairs(frozenset({"shared_template"}))  # without template links, similar content is whole
    assert "shared_template" not in ablated and frozenset(("c0", "c1")) in ablated["similar_content"]


def test_similar_content_links_are_the_same_on_one_thread_or_many(monkeypatch) -> None:
    """A farm's thousands of profiles are searched on every core (``knn_threads``); each query's neighbours, and so
    the links and their weights, are those one thread finds."""
    import detector.linking.content as content

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(12, 32))
    profiles = (centres[rng.integers(0, 12, 600)] + 0.35 * rng.normal(size=(600, 32))).astype(np.float32)
    accounts = [AccountState(f"a{i}") for i in range(600)]

    def similar(threads_from: int) -> tuple[np.ndarray, np.ndarray]:
        monkeypatch.setattr(content, "KNN_THREADS_FROM", threads_from)
        links = LinkSet(len(accounts))
        link_similar_content(accounts, profiles, np.ones(len(accounts), dtype=bool), links, 10, 0.8)
        return links.combined_codes()

    assert content.knn_threads(599) == 1
    assert content.knn_threads(content.KNN_THREADS_FROM) == content.usable_cores()
    one_thread, every_core = similar(10**9), similar(0)
    assert len(one_thread[0]) > 600  # a linked set worth comparing
    assert np.array_equal(one_thread[0], every_core[0]) and np.array_equal(one_thread[1], every_core[1])


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs CPU affinity and at least two usable cores")
def test_the_knn_uses_the_cores_the_process_may_run_on_not_every_core_of_the_host() -> None:
    """Pinned to one core (``taskset``, a container's cpuset), a farm's kNN search runs on one thread."""
    script = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
              "from detector.linking.content import KNN_THREADS_FROM, knn_threads; "
              "print(knn_threads(KNN_THREADS_FROM), os.cpu_count())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    threads, host_cores = map(int, done.stdout.split())
    assert threads == 1 and host_cores >= 2


def test_an_operator_tie_is_a_shared_card_or_shared_content() -> None:
    """Shared IPs, a network + browser, a signup hour and shared hours are what strangers behind one VPN or in one
    class have in common; a shared payment instrument or shared content is not."""
    links = LinkSet(6)
    pair = np.array([0]), np.array([1])
    links.add("shared_rotating_ips", "infrastructure", *pair, np.array([0.6]))
    links.add("signup_wave", "infrastructure", *pair, np.array([0.3]))
    links.add("shared_asn_user_agent", "infrastructure", *pair, np.array([0.3]))
    links.add("co_activity", "timing", *pair, np.array([0.3]))
    links.add("shared_template", "content", np.array([2]), np.array([3]), np.array([0.6]))
    links.add("shared_payment", "infrastructure", np.array([3]), np.array([4]), np.array([0.9]))
    links.add("similar_content", "content", np.array([4]), np.array([5]), np.array([0.5]))
    assert not links.operator_tied(np.array([0, 1]))
    assert not links.operator_tied(np.array([0, 1, 2]))  # 2's template partner is not a member
    assert not links.operator_tied(np.array([0, 1, 2, 3]))  # two of four: an incidental pair is not enough
    assert links.operator_tied(np.array([0, 2, 3]))  # most members
    assert links.operator_tied(np.array([3, 4])) and links.operator_tied(np.array([3, 4, 5]))


def test_template_use_counts_each_request_once() -> None:
    long_a, long_b, short = (6 << 32) | 1, (6 << 32) | 2, (3 << 32) | 3  # specificity 1, 1 and 0.25
    recent = [(long_a, long_b), (short,), (long_a, 99), (99,)]
    templated, cover = template_use(recent, {long_a: 0.5, long_b: 0.2, short: 0.1}, {long_a: 2, long_b: 1, short: 1})
    assert templated == 2 / 4  # requests with a reused long wrapper sentence
    assert cover == (1.0 + 0.25 + 1.0) / 6  # the two-sentence request counts once


def test_a_wrapper_of_two_short_sentences_is_a_template_and_one_short_sentence_is_not() -> None:
    """A paraphrased wrapper can be terse ("Narrate the design decisions as you make them; code last; big-O at the
    end."): two shared sentences of four and three content words (specificity 0.5 + 0.25) make a templated
    request; one of five words (0.75) does too; one of three or four words alone is stock phrasing."""
    four, three, five = (4 << 32) | 1, (3 << 32) | 2, (5 << 32) | 3
    shares = {four: 0.5, three: 0.5, five: 0.5}
    counts: dict[int | None, int] = {four: 9, three: 9, five: 9}
    assert template_use([(four, three, 99)] * 8, shares, counts)[0] == 1.0
    assert template_use([(five, 99)] * 8, shares, counts)[0] == 1.0
    assert template_use([(four, 99)] * 8, shares, counts)[0] == 0.0
    assert template_use([(three, 99)] * 8, shares, counts)[0] == 0.0


def test_template_use_is_not_diluted_by_ordinary_requests() -> None:
    """A crew padding its accounts with ordinary requests keeps its templated measure: a reused wrapper around
    TEMPLATED_REQUESTS new tasks counts fully, whatever else the account sent; an account with fewer requests
    than that keeps the plain share."""
    wrapper, ordinary = (6 << 32) | 1, (6 << 32) | 2
    shares, counts = {wrapper: 0.5}, {wrapper: 40, ordinary: 1}

    def templated(of_requests: int, requests: int) -> float:
        recent = [(wrapper,)] * of_requests + [(ordinary,)] * (requests - of_requests)
        return template_use(recent, shares, counts)[0]

    assert templated(TEMPLATED_REQUESTS, 32) == templated(32, 32) == 1.0  # three quarters filler: still templated
    assert templated(TEMPLATED_REQUESTS // 2, 32) == 0.5
    assert templated(1, 32) == 1 / TEMPLATED_REQUESTS  # an incidental reuse weighs little
    assert templated(2, 4) == 0.5 and templated(0, 32) == 0.0


def test_template_use_counts_rotated_wrappers_of_young_accounts() -> None:
    """A crew rotating paraphrased wrappers reuses none of them at first: from a young account's second request
    built on wrapper sentences other accounts share, each such request is templated; one alone is not (a prompt
    tried once), nor are those of an account with TEMPLATED_REQUESTS requests (public boilerplate, met now and
    then)."""
    paraphrases = [(6 << 32) | i for i in range(1, 5)]  # specificity 1 each, every one sent once by this account
    ordinary, short = (6 << 32) | 9, (3 << 32) | 8  # a sentence nobody else sends; a short shared one (0.25)
    shares = {key: 1 / 6 for key in paraphrases} | {short: 1 / 6}
    counts: dict[int | None, int] = {key: 1 for key in [*paraphrases, ordinary, short]}
    assert template_use([(paraphrases[0],), (ordinary,)], shares, counts)[0] == 0.0
    assert template_use([(paraphrases[0],), (short,), (ordinary,)], shares, counts)[0] == 0.0  # too generic
    assert template_use([(paraphrases[0],), (paraphrases[1],), (ordinary,), (ordinary,)], shares, counts)[0] == 0.5
    assert template_use([(key,) for key in paraphrases], shares, counts)[0] == 1.0
    older = [*((key,) for key in paraphrases), *[(ordinary,)] * (TEMPLATED_REQUESTS - len(paraphrases))]
    assert template_use(older, shares, counts)[0] == 0.0


def test_noisy_or_combination() -> None:
    links = LinkSet(3)
    links.add("one", "content", np.array([0]), np.array([1]), np.array([0.5]))
    links.add("two", "timing", np.array([1]), np.array([0]), np.array([0.5]))
    combined = links.combined().tocsr()
    assert abs(combined[0, 1] - 0.75) < 1e-9
    assert links.pair(1, 0) == {"one": 0.5, "two": 0.5}


def test_links_added_after_combining_equal_a_fresh_combination() -> None:
    rng = np.random.default_rng(5)

    def random_link(links: LinkSet, name: str, size: int) -> None:
        rows, cols = rng.integers(0, 40, size), rng.integers(0, 40, size)
        links.add(name, "content", rows, cols, rng.uniform(0.05, 0.9, size))

    incremental, fresh = LinkSet(40), LinkSet(40)
    for links in (incremental, fresh):
        rng = np.random.default_rng(5)
        random_link(links, "a", 200)
        random_link(links, "b", 200)
    base = incremental.combined()  # then a link on a subset of the linked pairs (timing), then one with new pairs
    for links in (incremental, fresh):
        links.add("reweigh", "timing", base.row[::3], base.col[::3], np.full(len(base.row[::3]), 0.3))
    assert incremental._combined is not None  # folded in, not recomputed
    assert np.array_equal(incremental.combined().toarray(), fresh.combined().toarray())  # bit for bit
    for links in (incremental, fresh):
        rng = np.random.default_rng(9)
        random_link(links, "c", 300)
    assert np.array_equal(incremental.combined().toarray(), fresh.combined().toarray())


def test_combined_pairs_over_a_floor_are_new_arrays_of_the_combined_pairs_at_or_above_it() -> None:
    rng = np.random.default_rng(13)
    links = LinkSet(50)
    for name in ("shared_template", "shared_asn_user_agent", "co_activity"):
        links.add(name, "content", rng.integers(0, 50, 400), rng.integers(0, 50, 400), rng.uniform(0.02, 0.9, 400))
    codes, weights = links.combined_codes()
    for floor in (0.0, 0.2, 0.5, 0.95):
        kept_codes, kept_weights = links.combined_codes(floor)
        assert kept_codes.tolist() == codes[weights >= floor].tolist()
        assert kept_weights.tolist() == weights[weights >= floor].tolist()
        assert np.concatenate(list(links.linked_code_blocks(floor))).tolist() == kept_codes.tolist()
        kept_codes[:] = -1  # the caller's own: the links' sums are untouched
        assert links.combined_codes()[0].tolist() == codes.tolist()
    blocks = list(links.linked_code_blocks(0.2, block=7))  # read in small blocks: the same codes
    assert max(len(b) for b in blocks) <= 7 and np.concatenate(blocks).tolist() == links.combined_codes(0.2)[0].tolist()
    assert len(LinkSet(4).combined_codes(0.5)[0]) == 0 and not list(LinkSet(4).linked_code_blocks(0.5))


def test_combined_pairs_among_members_are_the_whole_combination_restricted_to_them_bit_for_bit() -> None:
    rng = np.random.default_rng(17)
    links = LinkSet(40)
    for name in ("shared_payment", "shared_template", "shared_asn_user_agent"):
        links.add(name, "content", rng.integers(0, 40, 300), rng.integers(0, 40, 300), rng.uniform(0.02, 0.9, 300))
    whole = links.combined().tocsr()
    timing = whole.tocoo()
    links.add("co_activity", "timing", timing.row[::2], timing.col[::2], np.full(len(timing.row[::2]), 0.3))
    whole = links.combined().tocsr()
    for members in (np.arange(40), np.array([3]), np.sort(rng.choice(40, 12, replace=False))):
        within = links.combined_within(members).tocsr()
        assert within.nnz == whole[members][:, members].nnz
        assert np.array_equal(within[members][:, members].toarray(), whole[members][:, members].toarray())
        outside = np.setdiff1d(np.arange(40), members)
        assert within[outside].nnz == 0 and within[:, outside].nnz == 0
    links.drop_sums()
    assert np.array_equal(links.combined().toarray(), whole.toarray())  # recomputed the same
    assert LinkSet(5).combined_within(np.arange(5)).nnz == 0  # no links at all


def test_pairs_added_as_codes_equal_pairs_added_as_rows_and_columns() -> None:
    rng = np.random.default_rng(11)
    by_rows, by_codes = LinkSet(30), LinkSet(30)
    for links in (by_rows, by_codes):
        links.add("shared_template", "content", rng.integers(0, 30, 90), rng.integers(0, 30, 90), rng.uniform(0, 1, 90))
        rng = np.random.default_rng(11)
    codes = np.unique(rng.integers(0, 30, 60) * 30 + rng.integers(0, 30, 60))
    codes = codes[codes // 30 < codes % 30]
    weights = rng.uniform(0, 1, len(codes))
    by_rows.add("co_activity", "timing", codes // 30, codes % 30, weights)
    by_codes.add_codes("co_activity", "timing", codes, weights)
    assert all(np.array_equal(by_rows.pairs["co_activity"][i], by_codes.pairs["co_activity"][i]) for i in (0, 1))
    assert np.array_equal(by_rows.combined().toarray(), by_codes.combined().toarray())
    assert (by_codes.pairs["co_activity"][1] >= 0.02).all() and by_codes.pairs["co_activity"][1].max() <= 0.99


def test_link_bits_name_the_links_pair_finds_for_every_pair() -> None:
    """The batch lookup (related campaigns) finds the same links as ``pair`` one pair at a time: bit b for the
    b-th link."""
    rng = np.random.default_rng(3)
    links = LinkSet(30)
    for name, family in (("shared_payment", "infrastructure"), ("shared_template", "content"),
                         ("co_activity", "timing")):
        links.add(name, family, rng.integers(0, 30, 120), rng.integers(0, 30, 120), rng.uniform(0.1, 0.9, 120))
    low, high = rng.integers(0, 30, 400), rng.integers(0, 30, 400)
    names = list(links.pairs)
    named = [tuple(n for b, n in enumerate(names) if bits >> b & 1) for bits in links.link_bits(low, high).tolist()]
    assert named == [tuple(links.pair(a, b)) for a, b in zip(low, high, strict=True)]
    assert any(len(found) > 1 for found in named)  # the draw has multi-link pairs


def test_sorted_contains_is_isin_on_a_sorted_haystack() -> None:
    rng = np.random.default_rng(4)
    haystack = np.sort(rng.integers(0, 500, 200))
    needles = rng.integers(-5, 510, 1000)
    assert np.array_equal(sorted_contains(haystack, needles), np.isin(needles, haystack))
    assert not sorted_contains(np.empty(0, dtype=np.int64), needles).any()


def test_pairs_within_counts_each_links_pairs_among_the_members() -> None:
    rng = np.random.default_rng(6)
    links = LinkSet(25)
    links.add("shared_payment", "infrastructure", rng.integers(0, 25, 80), rng.integers(0, 25, 80), np.full(80, 0.5))
    links.add("co_activity", "timing", rng.integers(0, 25, 80), rng.integers(0, 25, 80), np.full(80, 0.3))
    members = np.array([1, 4, 5, 9, 12, 13, 20])
    expected = {name: matrix[members][:, members].nnz for name, matrix in links.matrices.items()}
    assert links.pairs_within(members) == expected and sum(expected.values()) > 0
    assert links.pairs_within(np.array([3])) == {"shared_payment": 0, "co_activity": 0}


def test_a_card_held_beyond_the_key_cap_ties_each_holder_to_another_organisations_holder() -> None:
    records = [{"ts": i, "account_id": f"f{i}", "prompt": "x", "payment_fingerprint": "farm",
                "org_id": "o1" if i < 3 else None} for i in range(8)]
    records += [{"ts": 10 + i, "account_id": f"e{i}", "prompt": "x", "payment_fingerprint": "corp", "org_id": "o2"}
                for i in range(8)]  # one organisation's card: the provider knows them as one customer
    states, _ = feed(records)
    accounts = list(states.values())
    links = LinkSet(len(accounts))
    link_infrastructure(accounts, links, max_members=4)
    low, high = np.divmod(links.pairs["shared_payment"][0], len(accounts))
    assert len(low) == 7 and set(low) | set(high) == set(range(8))
    orgs = [accounts[i].org_id for i in range(8)]
    assert all(orgs[a] is None or orgs[a] != orgs[b] for a, b in zip(low, high, strict=True))
    assert [g.tolist() for g in links.together] == [list(range(8))]

    ablated = LinkSet(len(accounts), disabled=frozenset({"shared_payment"}))
    link_infrastructure(accounts, ablated, max_members=4)
    assert not ablated.together and "shared_payment" not in ablated.pairs


def test_a_card_held_by_many_under_the_key_cap_links_every_pair_and_keeps_its_holders_together() -> None:
    holders = TOGETHER_ABOVE + 6
    states, _ = feed([{"ts": i, "account_id": f"f{i}", "prompt": "x", "payment_fingerprint": "farm"}
                      for i in range(holders)] + [{"ts": 100 + i, "account_id": f"s{i}", "prompt": "x",
                                                    "payment_fingerprint": "shop"} for i in range(5)])
    accounts = list(states.values())
    links = LinkSet(len(accounts))
    link_infrastructure(accounts, links, max_members=400)
    assert len(links.pairs["shared_payment"][0]) == holders * (holders - 1) // 2 + 10
    assert [g.tolist() for g in links.together] == [list(range(holders))]  # the five sharing a card: as before


def test_shared_key_pairs_taken_in_blocks_equal_the_whole_product_sorted() -> None:
    """The product is taken a block of accounts at a time (a farm on a few networks has millions of pairs): the
    same pairs and sums as the whole product's upper triangle, sorted by (row, column). Taken whole, its pairs
    come in order without a sort (its CSC form), bit for bit those of the blocks."""
    rng = np.random.default_rng(4)
    membership = sp.random(60, 15, density=0.2, format="csr", random_state=4, data_rvs=lambda k: rng.uniform(0.1, 1, k))
    dense = (membership @ membership.T).toarray()
    taken = {}
    for block in (1, 7, 64):
        pairs = taken[block] = shared_key_pairs(membership, rows_per_block=block)
        expected = np.triu(dense, 1)
        found = np.zeros_like(dense)
        found[pairs.row, pairs.col] = pairs.data
        assert np.allclose(found, expected) and pairs.nnz == np.count_nonzero(expected)
        codes = pairs.row.astype(np.int64) * 60 + pairs.col
        assert (pairs.row < pairs.col).all() and (np.diff(codes) > 0).all()
    whole, blocks = taken[64], taken[7]  # one block: the product's own column order, not a sort; the same bits
    assert all(np.array_equal(a, b) for a, b in zip(whole, blocks, strict=True))


def test_combined_links_equal_a_noisy_or_summed_in_the_links_order_whichever_link_is_largest() -> None:
    """Each pair's log(1 - w) terms are added in the links' order, whatever their sizes (``pair_codes``' two merges
    are compared bit for bit in ``test_pair_codes``)."""
    rng = np.random.default_rng(8)
    links = LinkSet(50)
    reference = np.zeros((50, 50))
    for name, size in (("small", 30), ("large", 600), ("middle", 120), ("none", 0)):
        rows, cols = rng.integers(0, 50, size), rng.integers(0, 50, size)
        links.add(name, "content", rows, cols, rng.uniform(0.05, 0.9, size))
    for codes, weights in links.pairs.values():
        low, high = np.divmod(codes, 50)
        reference[low, high] += np.log1p(-weights)
    expected = np.where(reference < 0, 1.0 - np.exp(reference), 0.0)
    assert np.array_equal(links.combined().toarray(), expected)


def _crowd(prompt: str, holders: int = 30, others: int = 0) -> tuple[list[AccountState], list, SharedIndex]:
    """``holders`` accounts sending ``prompt`` (``{i}``: the request's number) twice each, and ``others`` once each,
    indexed with a key cap of 10: the holders (the accounts an evaluation links), their link keys and the index."""
    states, index = feed([{"ts": i, "account_id": f"f{i % holders}", "prompt": prompt.format(i=i)}
                          for i in range(2 * holders)] +
                         [{"ts": 100 + i, "account_id": f"o{i}", "prompt": prompt.format(i=100 + i)}
                          for i in range(others)], max_key_accounts=10)
    accounts = [s for s in states.values() if s.account_id.startswith("f")]
    return accounts, [link_keys(s, wrapper_shares(s, index), []) for s in accounts], index


def _template_pairs(accounts: list[AccountState], keys: list, index: SharedIndex, max_members: int,
                    links: LinkSet | None = None) -> dict[tuple[int, int], float]:
    links = LinkSet(len(accounts)) if links is None else links
    link_templates(accounts, keys, np.zeros(len(accounts)), links, max_members, index=index)
    codes, weights = links.pairs.get("shared_template", (np.empty(0, dtype=np.int64), np.empty(0)))
    return {(int(c) // len(accounts), int(c) % len(accounts)): float(w) for c, w in zip(codes, weights, strict=True)}


def test_a_wrapper_held_beyond_the_key_cap_ties_each_holder_to_a_few_of_its_holders() -> None:
    """A farm's wrapper, re-used around new tasks by more accounts than pairs may be drawn for, still links them:
    each to ``CROWDED_NEIGHBOURS`` others, drawn by the accounts' order, with the weight the pair would have among
    all pairs; its holders are kept in one community."""
    accounts, keys, index = _crowd(WRAPPER.replace("{task}", "task number {i} about item {i}"))
    assert all(len(k.wrappers) for k in keys) and set(keys[0].wrappers.tolist()) <= index.crowded
    every = _template_pairs(accounts, keys, index, max_members=100)
    assert len(every) == 30 * 29 // 2 and min(every.values()) > 0.5  # under the cap: every pair
    links = LinkSet(30)
    sampled = _template_pairs(accounts, keys, index, max_members=10, links=links)
    assert 30 * CROWDED_NEIGHBOURS / 2 <= len(sampled) <= 30 * CROWDED_NEIGHBOURS
    assert all(every[pair] == w for pair, w in sampled.items())
    degree = np.bincount(np.array(list(sampled)).ravel(), minlength=30)
    assert (degree >= CROWDED_NEIGHBOURS).all()  # every holder tied to ten others (and chosen by some)
    assert [g.tolist() for g in links.together] == [list(range(30))]  # all its senders: one community


def test_a_wrapper_whose_other_senders_run_templates_counts_as_the_linked_accounts_own() -> None:
    """Two linked farm accounts share a wrapper with 28 more of the farm's, below the suspicion floor (not linked):
    counted as public language, those senders leave it a twentieth of its weight and the pair unlinked. Senders
    that run shared templates (``SharedIndex.runners``) and re-used it send it as a tool, as the linked ones do: it
    counts fully once they are such runners, in proportion to them otherwise. A public task each runner wrapped once
    stays public language."""
    records = [{"ts": i, "account_id": f"f{i % 30}", "prompt": WRAPPER.format(task=f"task {i} on {i}")}
               for i in range(180)]
    records += [{"ts": 200 + i, "account_id": f"f{i}", "prompt": WRAPPER.format(task=PUBLIC_TASK)} for i in range(30)]
    states, index = feed(records)
    linked = [states["f0"], states["f1"]]
    keys = [link_keys(s, wrapper_shares(s, index), []) for s in linked]
    task = np.array([k for k, _ in TextAnalyzer().analyze(PUBLIC_TASK).keys])
    wrapper = np.setdiff1d(keys[0].wrappers, task)
    assert len(wrapper) and len(task) and np.isin(task, keys[0].wrappers).all()
    here = np.full(len(wrapper), 2)
    elsewhere = {f"f{i}": states[f"f{i}"].template_keys for i in range(2, 30)}
    assert np.allclose(key_concentration(wrapper, here, index), 2 / 30 / CONCENTRATED)
    assert (key_concentration(wrapper, here, index, elsewhere) == 1.0).all()
    half = {f"f{i}": states[f"f{i}"].template_keys for i in range(2, 16)}
    assert np.allclose(key_concentration(wrapper, here, index, half), 16 / 30 / CONCENTRATED)
    assert (key_concentration(task, np.full(len(task), 2), index, elsewhere) ==
            key_concentration(task, np.full(len(task), 2), index)).all()  # sent once by each runner: not a tool
    assert (key_concentration(wrapper, here, index, {"someone": {int(wrapper[0]): 5}}) ==
            key_concentration(wrapper, here, index)).all()  # runners that never sent it: nothing

    def weight() -> float:
        links = LinkSet(2)
        link_templates(linked, keys, np.zeros(2), links, 100, index=index)
        return float(links.matrices["shared_template"].toarray()[0, 1]) if "shared_template" in links.matrices else 0.0

    assert weight() < 0.5
    index.runners = {a: s.template_keys for a, s in states.items()}  # the linked ones too: they count once
    assert weight() > 0.5


def test_a_crowded_wrapper_mostly_others_send_ties_its_holders_but_does_not_keep_them_together() -> None:
    accounts, keys, index = _crowd(WRAPPER.replace("{task}", "task number {i} about item {i}"), others=40)
    links = LinkSet(30)
    sampled = _template_pairs(accounts, keys, index, max_members=10, links=links)
    assert sampled and not links.together  # 30 of its 70 senders are linked here: under TOGETHER_CONCENTRATION
    assert max(sampled.values()) < max(_template_pairs(*_crowd(WRAPPER.replace("{task}", "task {i} on {i}")),
                                                       max_members=10).values())  # and it weighs less


def test_a_crowded_sentence_that_wraps_no_new_text_ties_no_one() -> None:
    """Thirty accounts sending one public task (the same text, as a farm re-sends benchmark items) share its
    sentence beyond the key cap, but it wraps nothing new: no template link, even with recycling ignored."""
    accounts, keys, index = _crowd(WRAPPER.replace("{task}", "the same public task every time"))
    key = int(keys[0].wrappers[0])
    assert key in index.crowded and not index.wraps_new_texts(key)
    assert key_concentration(np.array([key]), np.array([30]), index)[0] == 0.0
    assert _template_pairs(accounts, keys, index, max_members=10) == {}
    assert _template_pairs(accounts, keys, index, max_members=100) == {}



def test_a_public_benchmarks_instructions_that_people_send_too_tie_no_one() -> None:
    """Twelve crew accounts wrap items of a public benchmark (instructions shared by every item, a new item each
    time) in their own wrapper. Three people with a dozen requests of their own each ask one item as it is: the
    crew's accounts are most of the instructions' senders, so by concentration alone they tie the person linked with
    them (p0) to the crew. Once two people outside the linked accounts (``SharedIndex.people``) have sent the
    instructions, once each, they are public language and weigh nothing; one is not enough, nor one who re-used
    them, and the crew's own wrapper, which no person sends, keeps its full weight."""
    records = [{"ts": i, "account_id": f"c{i % 12}",
                "prompt": WRAPPER.format(task=f"{PUBLIC_TASK} Item {i}: Der Hund {i} lief nach Hause.")}
               for i in range(48)]
    for person in ("p0", "p1", "p2"):
        records += [{"ts": 100 + i, "account_id": person, "prompt": f"{OWN_PROMPTS[i % len(OWN_PROMPTS)]} ({i})"}
                    for i in range(12)]
        records.append({"ts": 200, "account_id": person, "prompt": f"{PUBLIC_TASK} Item {person}: Die Katze schlief."})
    states, index = feed(records)
    linked = [states[f"c{i}"] for i in range(12)] + [states["p0"]]
    keys = [link_keys(s, wrapper_shares(s, index), []) for s in linked]
    task = np.array(sorted({k for k, _ in TextAnalyzer().analyze(PUBLIC_TASK).keys} & set(keys[-1].wrappers.tolist())))
    wrapper = np.setdiff1d(keys[0].wrappers, task)
    assert len(task) >= 2 and len(wrapper) >= 2
    held = np.full(len(task), 13)  # the twelve crew accounts and p0, linked here
    people = {a: states[a].template_keys for a in ("p1", "p2")}
    assert (key_concentration(task, held, index) == 1.0).all()  # 13 of its 15 senders
    assert (key_concentration(task, held, index, voices={"p1": people["p1"]}) == 1.0).all()
    assert (key_concentration(task, held, index, voices=people) == 0.0).all()
    assert (key_concentration(wrapper, np.full(len(wrapper), 12), index, voices=people) == 1.0).all()
    reusing = {"p1": people["p1"], "p2": {int(k): 2 for k in task}}  # p2 had re-used it: a tool, not the public
    assert (key_concentration(task, held, index, voices=reusing) == 1.0).all()

    def person_tie() -> float:
        links = LinkSet(len(linked))
        link_templates(linked, keys, np.zeros(len(linked)), links, 100, index=index)
        matrix = links.matrices["shared_template"].toarray()
        assert matrix[0, 1] > 0.5  # the crew's own wrapper ties the crew whatever the people sent
        return float(matrix[:12, 12].max())

    assert person_tie() > 0.5
    index.people = {a: states[a].template_keys for a in ("p0", "p1")} | {"nobody": {}}  # p0 is linked, "nobody"
    assert person_tie() > 0.5                                                             # never sent it: one voice
    index.people = {a: states[a].template_keys for a in ("p0", "p1", "p2")}
    assert person_tie() == 0.0
