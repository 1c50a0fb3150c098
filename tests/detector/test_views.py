"""Which accounts' views are due at an evaluation (``detector.views.due_for_refresh``)."""

from __future__ import annotations

from detector.scoring import AccountView
from detector.views import due_for_refresh
from features.account import AccountState


def _state(account: str, events: int) -> AccountState:
    state = AccountState(account)
    state.events = events
    return state


def _view(state: AccountState, computed_at: float) -> AccountView:
    return AccountView(state=state, intent=0.0, templated=0.0, recycled=0.0, automation=0.0, evasion=0.0,
                       anomaly=0.0, pivot=0.0, events_at=state.events, computed_at=computed_at)


def test_due_views_leave_the_pending_accounts_and_the_others_wait() -> None:
    states = {name: _state(name, 100) for name in ("steady", "grown", "aged", "replaced", "unseen")}
    views = {name: _view(states[name], 0.0) for name in ("steady", "grown", "aged", "replaced")}
    views["aged"].computed_at = -4000.0
    states["grown"].events = 111  # +11 %
    states["steady"].events = 103  # +3 %: pending
    views["replaced"] = _view(_state("replaced", 100), 0.0)  # a view of another state (the linker's new profile)
    dirty = dict.fromkeys(["steady", "grown", "gone", "aged", "replaced", "unseen"])
    due = due_for_refresh(dirty, states, views, now=0.0, growth=0.1, max_age_s=3600)
    assert due == ["grown", "aged", "replaced", "unseen"]  # in the order their requests came
    assert list(dirty) == ["steady"]  # pending; an account no longer retained ("gone") leaves too
