"""An account's signals at one evaluation (its ``AccountView``), from its state and what other accounts share."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from detector.linking.clients import ClientPopulation, client_keys
from detector.linking.content import recycled_share, wrapper_shares
from detector.linking.keys import asn_user_agents, link_keys, rotation, template_use
from detector.scoring import AccountView, account_suspicion, automation, evasion, model_pivot, suspicion_ceiling
from features.account import AccountState
from features.shared_index import SharedIndex
from features.vector import account_features, gap_cv


def account_view(state: AccountState, index: SharedIndex, clients: ClientPopulation, new_models: dict[str, float],
                 now: float, disabled: Collection[str], member_min_suspicion: float) -> AccountView:
    """Signals of an account with new events (``new_models``: models released during the stream, by first use;
    ``disabled``: signals left out for an ablation). The account's network + client pairs join ``clients`` (every
    account: the pairs' population); link keys only where the view can reach ``member_min_suspicion`` whatever its
    anomaly score (``finder.view_keys`` makes the others' on demand)."""
    events = max(state.events, 1)
    pivot = model_pivot(state, new_models)
    wrappers = wrapper_shares(state, index)
    cv = gap_cv(state.arrivals)
    turn = rotation(state)
    templated, cover = template_use(state.recent_keys, wrappers, state.template_keys)
    view = AccountView(
        state=state,
        intent=state.intent_any / events,
        templated=templated,
        recycled=recycled_share(state),
        automation=automation(state, pivot, cv),
        evasion=evasion(state, turn),
        anomaly=0.0,
        pivot=pivot,
        wrappers=wrappers,
        features=account_features(state, now, new_models, cv),
        events_at=state.events,
        recycled_at=state.recycled_events,
        computed_at=now,
    )
    view.suspicion = account_suspicion(view, disabled)
    asn_ua = asn_user_agents(state)
    hashed = client_keys(asn_ua)
    clients.update(state.account_id, hashed)
    if suspicion_ceiling(view, disabled) >= member_min_suspicion:  # else never linked
        view.asn_user_agents = asn_ua
        view.keys = link_keys(state, wrappers, asn_ua, turn, cover, hashed)
    return view


def due_for_refresh(dirty: dict[str, None], accounts: Mapping[str, AccountState], views: Mapping[str, AccountView],
                    now: float, growth: float, max_age_s: float) -> list[str]:
    """Of the accounts with new requests since their view (``dirty``, in order), those whose signals are due: they
    grew by ``growth`` or their view is ``max_age_s`` old (``AccountView.refresh_due``), or they have no view of
    their state. Those leave ``dirty``, as do accounts no longer retained; the others stay pending (one more request
    barely moves the signals of an account with hundreds)."""
    due = []
    for account in list(dirty):
        state, view = accounts.get(account), views.get(account)
        if state is not None and view is not None and view.state is state and not view.refresh_due(
                now, growth, max_age_s):
            continue  # pending (a replaced state, from the linker's profiles, is always due)
        del dirty[account]
        if state is not None:
            due.append(account)
    return due
