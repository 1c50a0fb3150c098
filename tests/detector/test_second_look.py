"""A group of customers waits for a second evaluation before it founds a campaign (``detector.second_look``)."""

from __future__ import annotations

from detector.scoring import AccountView, GroupScore
from detector.second_look import HOLD_STANDING, SecondLook
from features.account import AccountState


def _group(names: list[str], established: float) -> tuple[list[AccountView], GroupScore]:
    views = [AccountView(AccountState(a), 1.0, 0.85, 0.0, 0.0, 0.0, 0.4, 0.0) for a in names]
    return views, GroupScore(0.6, {"established_accounts": established}, {})


def test_a_group_of_customers_is_alerted_only_when_it_scores_at_two_evaluations_in_a_row() -> None:
    look = SecondLook()
    first = _group(["a", "b", "c", "d", "e"], established=0.55)
    look.start()
    assert not look.admits(*first, in_campaigns=set())  # held: the first senders of what may be a trending prompt
    look.start()
    assert look.admits(*first, in_campaigns=set())
    look.start()
    grown = _group(["a", "b", "c", "x", "y", "z"], established=0.55)  # half of them held at the one before
    assert not look.admits(*grown, in_campaigns=set())  # ... the one before held nothing
    look.start()
    assert look.admits(*grown, in_campaigns=set())
    look.start()
    look.start()  # an evaluation at which it did not score as a campaign: it starts over
    assert not look.admits(*grown, in_campaigns=set())


def test_a_group_confirmed_by_fewer_than_half_of_its_accounts_waits_again() -> None:
    look = SecondLook()
    look.start()
    assert not look.admits(*_group(["a", "b", "c"], established=0.5), in_campaigns=set())
    look.start()
    others = _group(["a", "b", "x", "y", "z"], established=0.5)
    assert not look.admits(*others, in_campaigns=set())  # 2 of 5 held before
    look.start()
    assert look.admits(*others, in_campaigns=set())


def test_crews_campaigns_and_the_end_of_the_input_are_not_held() -> None:
    look = SecondLook()
    look.start()
    assert look.admits(*_group(["a", "b", "c"], established=0.0), in_campaigns=set())  # accounts made for it
    assert look.admits(*_group(["a", "b", "c"], established=HOLD_STANDING - 0.01), in_campaigns=set())
    customers = _group(["a", "b", "c"], established=HOLD_STANDING)
    assert look.admits(*customers, in_campaigns={"c"})  # a campaign's group: it was alerted before
    assert look.admits(*customers, in_campaigns=set(), final=True)  # no evaluation follows the input's end
    assert not look.admits(*customers, in_campaigns=set())
