"""The idle-account finder scans only when an account can be past the horizon, and never misses one."""

from __future__ import annotations

from collections.abc import Iterator

from detector.idle import IdleAccounts
from features.account import AccountState


class NoScan(dict[str, AccountState]):
    """Accounts that fail the test if anyone iterates over them."""

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("scanned")

    def items(self):  # type: ignore[override]
        raise AssertionError("scanned")

    def values(self):  # type: ignore[override]
        raise AssertionError("scanned")


def _state(account: str, last_ts: float) -> AccountState:
    state = AccountState(account)
    state.first_ts = state.last_ts = last_ts
    return state


def test_no_scan_while_every_account_is_newer_than_the_horizon() -> None:
    idle = IdleAccounts()
    idle.seen(100.0)
    idle.seen(50.0)
    assert idle.older_than(NoScan(a=_state("a", 50.0)), 50.0) == []


def test_idle_accounts_are_found_and_the_bound_moves_to_the_oldest_kept() -> None:
    accounts = {a: _state(a, ts) for a, ts in (("a", 10.0), ("b", 40.0), ("c", 70.0))}
    idle = IdleAccounts()
    for state in accounts.values():
        idle.seen(state.last_ts)
    assert idle.older_than(accounts, 50.0) == ["a", "b"]
    assert idle.oldest == 70.0
    assert idle.older_than({"c": accounts["c"]}, 71.0) == ["c"]
    assert idle.oldest == float("inf")


def test_an_unknown_bound_scans_at_once() -> None:
    assert IdleAccounts(float("-inf")).older_than({"a": _state("a", 5.0)}, 6.0) == ["a"]
