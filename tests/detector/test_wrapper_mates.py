"""Accounts under the suspicion floor linked for the wrappers that, apart from them, only suspicious accounts send."""

from __future__ import annotations

import pickle
import random

from detector.linking.clients import ClientPopulation
from detector.scoring import AccountView
from detector.views import account_view
from detector.wrapper_mates import RECHECK_EVALUATIONS, MateMemo, templated_requests, wrapper_mates
from features.account import AccountState
from features.shared_index import SharedIndex
from features.text import TextAnalyzer
from streams.events import parse_record

# a crew's wrapper in words no intent rule reads, around tasks that change
WRAPPER = ("Kindly go through the material below with great care and patience before you respond to anything. "
           "Lay out every intermediate consideration you weigh along the way in full detail. {task} "
           "Close with the outcome on its own line, prefixed by the word Outcome.")
FLOOR = 0.35


def _views(records: list[dict]) -> tuple[dict[str, AccountView], SharedIndex]:
    states: dict[str, AccountState] = {}
    index, analyzer, rng = SharedIndex(), TextAnalyzer(), random.Random(0)
    for record in records:
        event = parse_record(record)
        info = analyzer.analyze(event.text)
        state = states.setdefault(event.account_id, AccountState(event.account_id))
        index.observe(event.account_id, info, event.ts, state.template_keys)
        state.update(event, info, rng, 0)
    now = max(r["ts"] for r in records)
    clients = ClientPopulation()
    return {a: account_view(s, index, clients, {}, now, (), FLOOR) for a, s in states.items()}, index


def _crew(young_requests: int, strangers: int = 0) -> list[dict]:
    """Four crew accounts with six wrapped tasks each, a young one with ``young_requests``, and ``strangers``
    ordinary people who each sent the wrapper once around a question of their own."""
    records = [{"ts": 100 * i + k, "account_id": f"crew{k}",
                "prompt": WRAPPER.format(task=f"Item {k}-{i}: sum {i} {k}.")} for i in range(6) for k in range(4)]
    records += [{"ts": 1000 + i, "account_id": "young", "prompt": WRAPPER.format(task=f"Item y-{i}: sum {i}.")}
                for i in range(young_requests)]
    records += [{"ts": 2000 + i, "account_id": f"person{i}", "prompt": WRAPPER.format(task=f"My own question {i}?")}
                for i in range(strangers)]
    return records


def _suspicious(views: dict[str, AccountView]) -> list[AccountView]:
    """The crew's four seasoned accounts, as the evaluation found them (their suspicion set over the floor)."""
    for account, view in views.items():
        view.suspicion = 0.9 if account.startswith("crew") else 0.1
    return [views[f"crew{k}"] for k in range(4)]


def test_a_young_account_on_a_wrapper_only_suspicious_accounts_send_is_linked_with_them() -> None:
    views, index = _views(_crew(young_requests=2))
    assert templated_requests(views["young"]) >= 2  # two requests, both on the shared wrapper
    assert wrapper_mates(views.values(), _suspicious(views), index, lambda s: False) == [views["young"]]


def test_one_request_on_the_wrapper_is_not_enough() -> None:
    views, index = _views(_crew(young_requests=1))
    assert templated_requests(views["young"]) < 2
    assert wrapper_mates(views.values(), _suspicious(views), index, lambda s: False) == []


def test_a_wrapper_ordinary_people_send_too_is_public_language() -> None:
    # twelve people under the floor sent it: most of its other senders are not suspicious
    views, index = _views(_crew(young_requests=3, strangers=12))
    assert wrapper_mates(views.values(), _suspicious(views), index, lambda s: False) == []
    # with two of them the crew's four are 4 of its 6 other senders: under MATE_SHARE, still public language
    views, index = _views(_crew(young_requests=3, strangers=2))
    assert wrapper_mates(views.values(), _suspicious(views), index, lambda s: False) == []
    views, index = _views(_crew(young_requests=3, strangers=1))  # 4 of 5
    assert [v.state.account_id for v in wrapper_mates(views.values(), _suspicious(views), index,
                                                      lambda s: False)] == ["young"]


def test_allow_listed_and_already_suspicious_accounts_are_never_mates() -> None:
    views, index = _views(_crew(young_requests=3))
    assert wrapper_mates(views.values(), _suspicious(views), index, lambda s: s.account_id == "young") == []
    suspicious = [*_suspicious(views), views["young"]]
    assert wrapper_mates(views.values(), suspicious, index, lambda s: False) == []


def test_a_wrapper_held_by_one_suspicious_account_is_not_enough() -> None:
    records = [r for r in _crew(young_requests=3) if r["account_id"] in ("crew0", "young")]
    views, index = _views(records)
    for view in views.values():
        view.suspicion = 0.9 if view.state.account_id == "crew0" else 0.1
    assert wrapper_mates(views.values(), [views["crew0"]], index, lambda s: False) == []


def test_the_memo_judges_an_account_again_at_once_when_accounts_sharing_its_wrapper_rise_over_the_floor() -> None:
    views, index = _views(_crew(young_requests=3))
    crew = _suspicious(views)
    memo = MateMemo()
    assert memo.mates(views.values(), crew[:1], index, lambda s: False) == []  # one suspicious sender: not yet
    assert memo.mates(views.values(), crew, index, lambda s: False) == [views["young"]]  # three more rose: judged now
    assert memo.mates(views.values(), crew, index, lambda s: False) == wrapper_mates(views.values(), crew, index,
                                                                                    lambda s: False)


def test_the_memo_keeps_a_judgement_until_it_is_due_again() -> None:
    views, index = _views(_crew(young_requests=3))
    crew = _suspicious(views)
    memo = MateMemo()
    assert memo.mates(views.values(), crew, index, lambda s: False) == [views["young"]]
    # the crew falls under the floor: nothing the memo watches for moved (no new signals, nobody rose), so the
    # judgement stands until it is RECHECK_EVALUATIONS old, and is then made again
    for _ in range(RECHECK_EVALUATIONS - 1):
        assert memo.mates(views.values(), crew[:1], index, lambda s: False) == [views["young"]]
    assert memo.mates(views.values(), crew[:1], index, lambda s: False) == []


def test_the_memo_judges_an_account_with_new_signals_at_once() -> None:
    views, index = _views(_crew(young_requests=3))
    crew = _suspicious(views)
    memo = MateMemo()
    assert memo.mates(views.values(), crew, index, lambda s: False) == [views["young"]]
    views["young"].computed_at += 900.0  # its view refreshed (new requests)
    assert memo.mates(views.values(), crew[:1], index, lambda s: False) == []
    restored = pickle.loads(pickle.dumps(memo))  # checkpointed with the detector
    assert restored.judged == memo.judged and restored.over == memo.over
