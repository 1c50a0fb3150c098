"""A campaign's card mates: light accounts paying with the instrument that pays for several of its accounts.

A farm keeps most of its accounts light (a few requests a day, some of them ordinary prompts or tasks re-sent from
public banks), so many stay under ``detection.member_min_suspicion`` and no evaluation links them. The card that
pays for them is the operator's, though: once at least ``MIN_CAMPAIGN_HOLDERS`` accounts that one open campaign's
groups hold (of organisations other than the account's own) pay with it, its other active holders under the floor
are that campaign's too. They are attached to it after the evaluation's communities are found and scored, and
change nothing else the detector computes: their card links shape no community, their light traffic weighs in no
score (``CampaignTracker.attach``), they stay in the anomaly model's reference, they count as holders of no
campaign (mates do not recruit mates), and a group that holds them decides where they belong as if they had never
been attached (``CampaignTracker._release_mates``). An instrument under ``PLACEHOLDER_SHARE`` of whose active
holders the campaigns' groups hold is taken for a placeholder value (a reseller's, a gateway's default) and pulls
no one in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping

from detector.campaign import Campaign
from detector.campaigns import CampaignTracker
from detector.linking.infra import org_key
from detector.scoring import AccountView
from features.account import AccountState

MIN_CAMPAIGN_HOLDERS = 2
PLACEHOLDER_SHARE = 0.1


def card_mates(views: Collection[AccountView], accounts: Mapping[str, AccountState], campaign_of: Mapping[str, str],
               open_campaigns: Collection[str], mates: Collection[str], horizon: float, floor: float,
               allowed: Callable[[AccountState], bool]) -> dict[str, set[str]]:
    """Accounts of ``views`` (the evaluation's active accounts) to attach to a campaign, by campaign id.

    ``accounts``: every retained account's state; ``campaign_of``: each account's campaign; ``open_campaigns``: the
    campaigns that may take accounts (not dismissed); ``mates``: the accounts attached so far, which count as
    holders of no campaign (mates do not recruit mates); ``horizon``: the event time from which an account is
    active; ``floor``: ``member_min_suspicion`` (accounts at or above it are the evaluation's to link);
    ``allowed``: the allow-list. An account whose cards point to several campaigns joins the one with most holders
    of one of its cards (the smallest id among equals)."""
    # card -> campaign -> active grouped holders by organisation (a counter made only for a new card and campaign)
    in_campaign: defaultdict[str, defaultdict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for account, cid in campaign_of.items():
        state = accounts.get(account)
        if state is not None and state.payments and state.last_ts >= horizon and account not in mates:
            org = org_key(state)
            for card in state.payments:
                in_campaign[card][cid][org] += 1
    if not in_campaign:
        return {}
    cards = set(in_campaign)
    holding = [v for v in views if v.state.payments and not cards.isdisjoint(v.state.payments)]  # one pass
    holders = Counter(card for v in holding for card in v.state.payments if card in cards)
    placeholders = {card for card, by_campaign in in_campaign.items()
                    if sum(sum(c.values()) for c in by_campaign.values()) < PLACEHOLDER_SHARE * holders[card]}
    found: dict[str, set[str]] = {}
    for view in holding:
        state = view.state
        if state.account_id in campaign_of or view.suspicion >= floor or allowed(state):
            continue
        best: tuple[int, str] | None = None
        for card in state.payments:
            if card in placeholders:
                continue
            for cid, orgs in in_campaign.get(card, {}).items():
                count = sum(orgs.values()) - orgs[org_key(state)]  # one organisation's keys are no hidden tie
                if cid in open_campaigns and count >= MIN_CAMPAIGN_HOLDERS and (
                        best is None or (-count, cid) < (-best[0], best[1])):
                    best = (count, cid)
        if best is not None:
            found.setdefault(best[1], set()).add(state.account_id)
    return found


def attach_card_mates(tracker: CampaignTracker, views: Collection[AccountView], accounts: Mapping[str, AccountState],
                      horizon: float, floor: float, allowed: Callable[[AccountState], bool], final: bool,
                      now: float) -> list[Campaign]:
    """Attach each open campaign's ``card_mates`` among ``views`` to it (``CampaignTracker.attach``); the campaigns
    that grew materially by them (``final``: at all), by id."""
    open_ids = {cid for cid, c in tracker.campaigns.items() if c.status != "dismissed" and c.members}
    found = card_mates(views, accounts, tracker.account_campaign, open_ids, tracker.card_mates(), horizon, floor,
                       allowed)
    grown = []
    for cid, mates in sorted(found.items()):
        first_seen = min(accounts[a].first_ts for a in mates)
        campaign = tracker.attach(tracker.campaigns[cid], mates, first_seen, final, now)
        if campaign is not None:
            grown.append(campaign)
    return grown
