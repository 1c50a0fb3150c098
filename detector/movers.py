"""Which accounts of a group leave the campaign holding them for the one the group's new accounts found.

An account is attributed by its strongest tie at the time, often before its own crew is visible: the first
accounts of a slowly starting crew land in whatever campaign shares some evidence with them (tasks, hours). When
their crew's own accounts appear and found a campaign, they should follow it; accounts settled where they are,
and young accounts of another crew that only share a community with the new one, should not."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detector.attribution import Ties
    from detector.campaigns import CampaignTracker


def movers(tracker: CampaignTracker, fresh: set[str], ties: Ties,
           strongest: Mapping[str, str | None] | None = None) -> set[str]:
    """Accounts of the group (``ties``) that leave their campaign for the one ``fresh`` accounts found.

    An account follows the new campaign when its strongest tie inside the group leads to the founders, directly or
    through other accounts that follow; or when it is not settled in its campaign (``settled``) and its strongest
    tie to the founders and followers is at least as strong as to the settled accounts (equal ties otherwise go to
    its own campaign). With no settled account of its campaign in the group, it is held instead by the accounts
    other campaigns hold there that stay: young accounts of a crew alerted as several cells, in a community with a
    new crew they share tasks and hours with, stay with their cells. It must not have founded its campaign:
    founders define a campaign and never move, so an account moves at most once. (``strongest``:
    ``ties.strongest`` of the current attribution, when the caller has it.)"""
    campaign_of = tracker.account_campaign
    strongest = ties.strongest(campaign_of) if strongest is None else strongest
    absorbed = {a for a in ties.accounts if a in campaign_of and not tracker.founded(a)}
    inside: dict[str, list[str]] = {campaign_of[a]: [] for a in absorbed}
    for account in ties.accounts:
        if campaign_of.get(account) in inside:
            inside[campaign_of[account]].append(account)
    anchored = {cid: settled(tracker, accounts, strongest) for cid, accounts in inside.items()}
    unsettled = {a for a in absorbed if a not in anchored[campaign_of[a]]}
    reach = {cid: ties.strongest_to_each(anchored[cid]) for cid in {campaign_of[a] for a in unsettled}
             if anchored[cid]}
    to_settled = {a: reach[campaign_of[a]][ties.index[a]] for a in unsettled  # its tie to them
                  if campaign_of[a] in reach}
    adrift = unsettled - to_settled.keys()  # no settled account of its campaign in the group
    held = {a for a in ties.accounts if a in campaign_of}
    joining = set(fresh)
    while True:
        to_joining = ties.strongest_to_each(joining)
        to_others = ties.strongest_to_other_campaigns(adrift - joining, held - joining, campaign_of)
        follow = {a for a in absorbed - joining if strongest[a] in joining or (a in unsettled and (
            0.0 < to_joining[ties.index[a]] >= (to_settled[a] if a in to_settled else to_others[a])))}
        if not follow:
            return joining - fresh
        joining |= follow


def settled(tracker: CampaignTracker, inside: Collection[str], strongest: Mapping[str, str | None]) -> set[str]:
    """Of a group's accounts ``inside`` one campaign, those settled in it: its founders, and accounts it absorbed
    whose strongest tie in the group leads to them (directly or through other settled accounts)."""
    followers: dict[str | None, list[str]] = {}
    for account in inside:
        followers.setdefault(strongest.get(account), []).append(account)
    anchored = {a for a in inside if tracker.founded(a)}
    reached = list(anchored)
    while reached:
        reached = [b for a in reached for b in followers.get(a, ()) if b not in anchored]
        anchored.update(reached)
    return anchored
