"""Who else sends the sentences that tie a group (``detector.tie_senders``), and what that does to its score."""

from __future__ import annotations

import random
from collections.abc import Mapping

from detector.linking.content import wrapper_shares
from detector.scoring import AccountView, group_score
from detector.tie_senders import tie_senders
from features.account import AccountState
from features.shared_index import SharedIndex
from features.text import TextAnalyzer
from streams.events import parse_record

TRENDING = "Explain step by step, like a patient physics teacher would, showing every bit of your reasoning: {q}"
OWN = "Walk through the derivation in numbered stages and justify each inference before the final answer: {q}"
SUBJECTS = ["tides", "sourdough", "glaciers", "compilers", "violins", "monsoons", "bridges", "vaccines", "comets",
            "tariffs", "lichens", "turbines", "sonnets", "volcanoes", "mortgages", "enzymes", "satellites", "orchids"]
VERBS = ["form", "fail", "change over decades", "get measured", "differ by region", "affect prices", "evolve"]
DAY = 86_400.0
NOW = 1_780_000_000.0


def _traffic(senders: Mapping[str, tuple[str | tuple[str, ...], int]]) -> tuple[dict[str, AccountState], SharedIndex]:
    """Each account sends its wrapper (or its wrappers in turn) around questions of its own (``senders``: account ->
    (wrapper, requests))."""
    states: dict[str, AccountState] = {}
    index, analyzer, rng = SharedIndex(400), TextAnalyzer(), random.Random(0)
    asked = random.Random(1)
    for n, (account, (wrapper, requests)) in enumerate(senders.items()):
        for i in range(requests):
            question = f"why do {asked.choice(SUBJECTS)} {asked.choice(VERBS)} near {asked.choice(SUBJECTS)}?"
            text = wrapper if isinstance(wrapper, str) else wrapper[i % len(wrapper)]
            event = parse_record({"ts": NOW + n * 60 + i, "account_id": account, "prompt": text.format(q=question)})
            info = analyzer.analyze_request(event)
            state = states.setdefault(account, AccountState(account))
            index.observe(account, info, event.ts, state.template_keys)
            state.update(event, info, rng, 0)
    return states, index


def _views(states: dict[str, AccountState], index: SharedIndex, names: list[str]) -> list[AccountView]:
    return [AccountView(states[a], intent=1.0, templated=0.85, recycled=0.0, automation=0.0, evasion=0.0,
                        anomaly=0.4, pivot=0.0, wrappers=wrapper_shares(states[a], index)) for a in names]


def test_everyone_who_sent_the_sentences_tying_a_group_is_its_tie_population() -> None:
    senders = {f"m{i}": (TRENDING, 2) for i in range(5)} | {f"o{i}": (TRENDING, 1) for i in range(25)}
    senders |= {f"w{i}": (OWN, 3) for i in range(6)}
    states, index = _traffic(senders)
    group = _views(states, index, [f"m{i}" for i in range(5)])
    tied = tie_senders(group, index, states)
    assert [s.account_id for s in tied] == sorted(f"{p}{i}" for p, n in (("m", 5), ("o", 25)) for i in range(n))
    crew = _views(states, index, [f"w{i}" for i in range(6)])
    assert tie_senders(crew, index, states) == []  # a wrapper only the group sends: nothing more to judge it by
    gone = {f"o{i}" for i in range(10, 20)}
    retained = {a: s for a, s in states.items() if a not in gone}
    assert len(tie_senders(group, index, retained)) == 30 - 10  # senders no longer retained are not judged
    mixed = _views(states, index, ["m0", "m1", "w0", "w1"])
    assert tie_senders(mixed, index, states) == []  # each wrapper held by half of them: neither ties the group
    assert tie_senders(_views(states, index, ["m0", "w0", "w1"]), index, states) == []  # half of the crew's 6
    assert [s.account_id for s in tie_senders(_views(states, index, ["w0", "w1"]), index, states)] == [
        f"w{i}" for i in range(6)]  # two of the crew: judged by its six, as created as they are
    half = _views(states, index, [f"m{i}" for i in range(5)] + [f"o{i}" for i in range(10)])
    assert tie_senders(half, index, states) == []  # 15 of the trending prompt's 30 senders: no slice of them
    assert len(tie_senders(half[:14], index, states)) == 30


def test_a_group_cut_from_a_trending_prompt_s_senders_is_judged_by_all_of_them() -> None:
    senders = {f"m{i}": (TRENDING, 2) for i in range(7)} | {f"o{i}": (TRENDING, 1) for i in range(40)}
    states, index = _traffic(senders)
    for i, state in enumerate(states.values()):  # the customer base: created 20 to 700 days before ...
        state.first_ts, state.created_at = NOW, NOW - (20 + 680 * (i * 37 % 47) / 46) * DAY
    for i in range(7):  # ... but the seven one community drew were created within weeks, none a year old
        states[f"m{i}"].created_at = NOW - (120 + 6 * i) * DAY
    group = _views(states, index, [f"m{i}" for i in range(7)])
    alone = group_score(group, linkage=0.7, load_balancing=0.0)
    judged = group_score(group, linkage=0.7, load_balancing=0.0, tie_states=tie_senders(group, index, states))
    assert alone.score >= 0.55 and alone.tie_senders == 0
    assert judged.tie_senders == 47 and judged.tie_spread_days is not None and judged.tie_spread_days > 270
    assert judged.values["established_accounts"] == 1.0 and judged.score < 0.55


def test_a_group_holding_a_sentence_of_its_own_is_judged_by_its_own_accounts() -> None:
    """A crew that pads its traffic with ordinary requests shares their stock sentences with many customers; its own
    wrapper, which only it sends, keeps it from being judged by them."""
    senders = {f"w{i}": ((OWN, TRENDING), 4) for i in range(3)} | {f"o{i}": (TRENDING, 1) for i in range(30)}
    states, index = _traffic(senders)
    assert tie_senders(_views(states, index, ["w0", "w1", "w2"]), index, states) == []
    assert len(tie_senders(_views(states, index, ["o0", "o1", "w0"]), index, states)) == 33  # the trend ties these


def test_customers_working_a_public_template_are_judged_as_customers_unless_they_act_like_a_machine() -> None:
    """Working a shared template (``working_a_template``) cancels a group's exemption as customers, except when the
    sentences that tie it are public language (a slice of the senders, ``tie_senders``): people who keep a public
    prompt template as their tool work it too. What a crew automates still cancels it."""
    senders = {f"m{i}": (TRENDING, 9) for i in range(5)} | {f"o{i}": (TRENDING, 1) for i in range(40)}
    states, index = _traffic(senders)
    for i, state in enumerate(states.values()):  # the customer base: created 20 to 700 days before ...
        state.first_ts, state.created_at = NOW, NOW - (20 + 680 * (i * 37 % 47) / 46) * DAY
    for i in range(5):  # ... the five one community drew within weeks of each other
        states[f"m{i}"].created_at = NOW - (120 + 6 * i) * DAY
    group = _views(states, index, [f"m{i}" for i in range(5)])
    for view in group:
        view.templated = 1.0  # each sent its 9 requests on the template: it works it
    tied = tie_senders(group, index, states)
    assert len(tied) == 45
    judged = group_score(group, linkage=0.7, load_balancing=0.0, tie_states=tied)
    assert judged.values["established_accounts"] == 1.0 and judged.score < 0.55
    alone = group_score(group, linkage=0.7, load_balancing=0.0)  # its own sentence: working it cancels the exemption
    assert alone.values["established_accounts"] == 0.0 and alone.score >= 0.55
    for view in group:
        view.automation = 0.8  # on a machine's schedule
    assert group_score(group, linkage=0.7, load_balancing=0.0, tie_states=tied).score >= 0.55
