"""Which accounts work shared templates and which speak for the public, judged on their views at an evaluation:
the runners and voices of ``SharedIndex`` (``concentration.key_concentration`` weighs shared sentences by them), and
the accounts left out of what the anomaly model learns as normal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from detector.linking.keys import TEMPLATED_REQUESTS
from features.account import AccountState

if TYPE_CHECKING:
    from detector.scoring import AccountView

RUNS_TEMPLATES = (0.5, 5)  # templated share and recent requests from which an account runs shared wrappers rather
                           # than writing its own prompts: it does not define normal for the anomaly model
PUBLIC_VOICE_REQUESTS = 5  # requests past which an account under the suspicion floor speaks for the public
                           # (``public_voices``; a crew's young accounts, up to ``finder.YOUNG_REQUESTS``, do not)


def working_a_template(view: AccountView) -> bool:
    """Whether the account sent ``TEMPLATED_REQUESTS`` or more of its recent requests on shared wrappers: a tool it
    works, not a trending prompt tried a few times."""
    return view.templated >= 1.0 and len(view.state.recent_keys) >= TEMPLATED_REQUESTS


def runs_templates(view: AccountView) -> bool:
    """Whether the account sends its recent requests (``RUNS_TEMPLATES[1]`` or more) mostly on wrappers other accounts
    share (templated share from ``RUNS_TEMPLATES[0]``): it runs templates, so it is left out of what the anomaly model
    learns as normal; someone who tried a trending prompt a few times is not."""
    share, requests = RUNS_TEMPLATES
    return view.templated >= share and len(view.state.recent_keys) >= requests


def template_runners(views: Iterable[AccountView], allowed: Callable[[AccountState], bool],
                     ) -> dict[str, dict[int | None, int]]:
    """The accounts of ``views`` that run templates (``runs_templates``) and are not ``allowed`` (allow-listed), with
    their template-key counts: ``SharedIndex.runners``, for whose sentences they are
    (``concentration.key_concentration``)."""
    return {v.state.account_id: v.state.template_keys for v in views if runs_templates(v) and not allowed(v.state)}


def public_voices(views: Iterable[AccountView], floor: float) -> dict[str, dict[int | None, int]]:
    """The accounts of ``views`` that speak for the public, with their template-key counts: past their first
    ``PUBLIC_VOICE_REQUESTS`` requests, under the suspicion ``floor``, with none of their recent requests templated
    (so never template runners, ``runs_templates``): ``SharedIndex.people``, whose sentences sent once are public
    language (``concentration.key_concentration``). A crew's young accounts under the floor are no such voice, nor are
    its runners or a farm's light accounts that work its wrappers now and then."""
    return {v.state.account_id: v.state.template_keys for v in views
            if v.state.events > PUBLIC_VOICE_REQUESTS and v.suspicion < floor and v.templated == 0.0}
