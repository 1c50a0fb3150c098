"""Account-age measures: established customers, the spread of a group's creation dates, batches of sign-ups."""

from __future__ import annotations

import pytest

from detector.account_age import (
    cohort_share,
    creation_spread_days,
    established,
    ramp,
    signed_up_to_use,
    spread_standing,
)
from features.account import AccountState

FIRST_TS = 1_780_000_000.0


def _created(days_before: list[float]) -> list[AccountState]:
    """Accounts whose first request came ``days_before`` days after each was created."""
    states = []
    for i, days in enumerate(days_before):
        state = AccountState(f"a{i}")
        state.first_ts = FIRST_TS
        state.created_at = FIRST_TS - days * 86400
        states.append(state)
    return states


def test_a_ramp_is_zero_up_to_its_start_and_one_from_its_end() -> None:
    assert [ramp(v, (10.0, 30.0)) for v in (-5, 10, 15, 20, 30, 100)] == [0.0, 0.0, 0.25, 0.5, 1.0, 1.0]


def test_an_account_counts_as_established_from_a_quarter_to_a_year_after_it_was_created() -> None:
    assert established(AccountState("unknown")) == 0.0  # no creation time: nothing is known
    assert [established(s) for s in _created([2, 90, 227.5, 365, 2000])] == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_the_spread_of_a_group_s_creation_dates_is_their_interquartile_range() -> None:
    states = _created([10, 20, 30, 40, 1000])
    assert creation_spread_days(states) == 20.0  # one old account does not make a crew's accounts spread
    assert spread_standing(creation_spread_days(states)) == 0.0
    unknown = [AccountState(f"u{i}") for i in range(3)] + _created([10, 600])
    assert creation_spread_days(unknown) is None  # fewer than three creation times known
    assert spread_standing(creation_spread_days(unknown)) == 0.0
    spreads = [spread_standing(creation_spread_days(_created([0, iqr, 2 * iqr]))) for iqr in (30, 90, 180, 270, 900)]
    assert spreads == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_accounts_created_within_a_month_are_one_batch_and_from_three_months_none() -> None:
    assert cohort_share(creation_spread_days([AccountState("unknown")] * 3)) == 0.0  # no creation times: unknown
    assert cohort_share(None) == 0.0
    assert cohort_share(creation_spread_days(_created([20 + 2 * i for i in range(8)]))) == 1.0  # 7 days (IQR)
    assert cohort_share(creation_spread_days(_created([20 + 30 * i for i in range(8)]))) == 0.0  # 4 months apart
    assert [cohort_share(days) for days in (0, 30, 60, 90, 400)] == [1.0, 1.0, 0.5, 0.0, 0.0]


@pytest.mark.parametrize(("minutes", "signed_up"), [(0, True), (5, True), (59, True), (60, False), (600, False)])
def test_an_account_signed_up_to_use_it_when_its_first_request_came_within_the_hour(minutes: float,
                                                                                      signed_up: bool) -> None:
    assert signed_up_to_use(_created([minutes / 1440])[0]) is signed_up


def test_an_account_whose_creation_time_is_unknown_did_not_sign_up_to_use_it() -> None:
    assert not signed_up_to_use(AccountState("unknown"))
