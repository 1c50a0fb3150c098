"""Campaign identity across evaluations: stable ids, cumulative membership, material-change versioning."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from detector.campaign import SEVERITY_ORDER, Campaign, campaign_id_for, grouped_members
from detector.movers import movers
from detector.triage import TriageMixin

if TYPE_CHECKING:
    from detector.attribution import Ties

__all__ = ["SEVERITY_ORDER", "Campaign", "CampaignTracker", "campaign_id_for"]  # Campaign: checkpoints name it here
MATCH_OVERLAP = 0.5


class CampaignTracker(TriageMixin):
    """Matches each evaluation's groups to known campaigns and decides when a new version is due."""

    def __init__(self, growth_for_new_version: float = 0.2, dismissed_growth: float = 0.5,
                 fragment_accounts: int = 5, name_each_account_below: int = 10) -> None:
        self.growth = growth_for_new_version
        self.each_account_below = name_each_account_below  # versions that named fewer: every new account is material
        self.dismissed_growth = dismissed_growth
        self.fragment_accounts = fragment_accounts
        self.campaigns: dict[str, Campaign] = {}
        self.account_campaign: dict[str, str] = {}
        self.preset: dict[str, tuple[str, int, int]] = {}
        self._versioned: set[str] | None = None  # campaigns versioned in the open evaluation (``evaluation``)

    @contextmanager
    def evaluation(self) -> Iterator[None]:
        """One evaluation's observations: a campaign gets at most one new version in it. Two of its groups can
        each grow a campaign (cells of one crew in two communities); the second restates the version the first
        made, which the detector has not emitted yet, instead of making another at the same moment."""
        self._versioned = set()
        try:
            yield
        finally:
            self._versioned = None

    def match(self, members: set[str], fresh: set[str], ties: Ties | None = None, min_accounts: int = 1,
              final: bool = False) -> tuple[Campaign | None, set[str] | None]:
        """The known campaign sharing most accounts with ``members``, if the overlap is substantial (or the group
        is spread over several campaigns: ``_plurality``); and the ``movers`` of the group's ``fresh`` accounts when
        that took computing them (None otherwise).

        With the group's ``ties``, accounts that would follow the group's new accounts (``movers``) do not count:
        early accounts of a second crew, absorbed before their crew was visible and now tied to it, do not make
        its group a match; while the input goes on, new accounts tied to them may yet found their own campaign. At
        its end (``final``) fewer than ``min_accounts`` new accounts never will: they join the campaign (a late
        account of a crew that is the strongest tie of several of its members would otherwise stay in none)."""
        votes: dict[str, int] = {}
        for account in members:
            cid = self.account_campaign.get(account)
            if cid is not None:
                votes[cid] = votes.get(cid, 0) + 1
        best = max(votes.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        if best is None:
            return None, None
        campaign = self.campaigns[best[0]]
        needed = MATCH_OVERLAP * min(len(members), len(grouped_members(campaign)))
        if best[1] < needed:
            return self._plurality(campaign, members, fresh, ties, len(votes))
        founders = sum(1 for a in members if self.account_campaign.get(a) == campaign.campaign_id and self.founded(a))
        if ties is None or founders >= needed or (final and len(fresh) < max(min_accounts, 1)):
            return campaign, None
        leaving = self.movers(fresh, ties)
        staying = sum(1 for a in members if self.account_campaign.get(a) == campaign.campaign_id and a not in leaving)
        return (campaign if staying >= needed else None), leaving

    def _plurality(self, campaign: Campaign, members: set[str], fresh: set[str], ties: Ties | None,
                   campaigns: int) -> tuple[Campaign | None, set[str] | None]:
        """A group no campaign holds the majority of: ``campaign`` (the one holding most of it) when the group's
        accounts are mostly spread over ``campaigns`` (two or more), those that would found a new campaign (its
        ``fresh`` accounts and the ``movers`` that follow them) are a minority of it, and most of its fresh accounts
        are tied most strongly to that campaign's accounts. The group is then one more cut through an operation
        already alerted as several campaigns (a farm whose evaluations draw its communities differently over time:
        by cards one day, mixing cards the next), and its new accounts are more of it, not a campaign of their own;
        founding one would split a farm into hundreds of small alerts. New accounts tied most to another campaign
        (a slow crew's, in a community with the cells of a crew it shares tasks with) are not this one's. Else
        (None, the movers: ``_found`` decides)."""
        if ties is None or campaigns < 2 or not fresh or 2 * len(fresh) >= len(members):
            return None, None  # no new accounts: nothing to found or place
        strongest = ties.strongest(self.account_campaign)
        leaving = self.movers(fresh, ties, strongest)
        if 2 * len(fresh | leaving) < len(members):
            follow = sum(1 for a in fresh if self.account_campaign.get(strongest.get(a) or "") == campaign.campaign_id)
            if 2 * follow > len(fresh):
                return campaign, None
        return None, leaving

    def observe(self, members: set[str], score: float, severity: str, first_seen: float,
                min_accounts: int = 3, ties: Ties | None = None, final: bool = False,
                at: float | None = None) -> Campaign | None:
        """Fold a detected group in; returns the campaign when it warrants a new alert version (``final``: at the
        end of the input, any growth since the last version does).

        A group matching no campaign founds one from its accounts no campaign holds; with the group's ``ties``,
        accounts whose strongest tie leads to those founders leave their campaign to join it (``movers``). A group
        matching a campaign also absorbs the small campaigns it holds whole (``fragments``)."""
        self._release_mates(members)
        fresh = {a for a in members if a not in self.account_campaign}
        campaign, leaving = self.match(members, fresh, ties, min_accounts, final)
        if campaign is None:
            return self._found(fresh, members, score, severity, first_seen, min_accounts, ties, leaving, at)
        for fragment in self.fragments(campaign, members, ties):
            self._absorb(campaign, fragment)
        return self._grow(campaign, fresh, score, severity, first_seen, 0.0 if final else self.growth, at)

    def card_mates(self) -> set[str]:
        """Every account a campaign holds by its card alone (``attach``)."""
        return {a for c in self.campaigns.values() for a in c.card_mates}

    def _release_mates(self, members: set[str]) -> None:
        """A group's accounts that a campaign holds by their card alone (``attach``) are new to campaigns again: the
        group decides where they belong, as if they had never been attached (its emitted alerts stay as they are).
        Held as members that founded nothing, they would make the group match that campaign, or, following the
        group's new accounts, leave too few new ones to found one: the group would stay in no campaign."""
        for account in members:
            cid = self.account_campaign.get(account)
            if cid is not None and account in self.campaigns[cid].card_mates:
                self.campaigns[cid].card_mates.discard(account)
                self.campaigns[cid].members.discard(account)
                del self.account_campaign[account]

    def fragments(self, campaign: Campaign, members: set[str], ties: Ties | None = None) -> list[Campaign]:
        """Open campaigns other than ``campaign``, smaller than ``fragment_accounts``, whose every account is in
        the group ``members`` and, given the group's ``ties``, tied to an account of ``campaign`` there. Cells of one
        crew (a shared card, a proxy pool) can each be alerted on as a few accounts before the links between the
        cells are visible; once one group holds such a cell whole, it is part of the campaign the group matches, and
        the alert should say so with all its accounts. A cell an account of which is tied only to its own is another
        crew beside it (a slow crew's first accounts and a crew they share tasks with): absorbed, its founders would
        become the other campaign's and never move."""
        if campaign.status == "dismissed":  # an analyst's dismissal does not silence open cells
            return []
        found = {self.account_campaign[a] for a in members if self.account_campaign.get(a, campaign.campaign_id)
                 != campaign.campaign_id}
        cells = [self.campaigns[cid] for cid in sorted(found)]
        grouped = {c.campaign_id: grouped_members(c) for c in cells}  # its card mates are no group's accounts
        cells = [c for c in cells if c.status == "open" and 0 < len(grouped[c.campaign_id]) < self.fragment_accounts
                 and grouped[c.campaign_id] <= members]
        if ties is None or not cells:
            return cells
        own = [a for a in members if self.account_campaign.get(a) == campaign.campaign_id]
        reach = ties.strongest_to_each(own)
        return [c for c in cells if all(reach[ties.index[a]] > 0.0 for a in grouped[c.campaign_id] if a in ties.index)]

    def _absorb(self, campaign: Campaign, fragment: Campaign) -> None:
        """Move a fragment's accounts into ``campaign`` (its founders found it with the campaign's own: they
        never move again); the fragment's emitted alerts stay as they are."""
        campaign.members |= fragment.members
        campaign.founders |= fragment.members & fragment.founders
        campaign.card_mates |= fragment.card_mates
        fragment.card_mates.clear()
        campaign.first_seen = min(campaign.first_seen, fragment.first_seen)
        for account in fragment.members:
            self.account_campaign[account] = campaign.campaign_id
        campaign.absorbed = [*campaign.absorbed, fragment.campaign_id]
        fragment.members = set()
        fragment.absorbed_into = campaign.campaign_id

    def _found(self, fresh: set[str], members: set[str], score: float, severity: str, first_seen: float,
               min_accounts: int, ties: Ties | None, leaving: set[str] | None = None,
               at: float | None = None) -> Campaign | None:
        """A new campaign from ``fresh`` accounts and the ``movers`` tied to them (``leaving``, when ``match``
        already computed them); None when too few: ``min_accounts`` new accounts, or, when the movers split off
        from their campaign, leaving its founders behind in the group ``members`` (``_splits_off``), founders enough
        not to be a fragment (``fragment_accounts``) in all: a crew's cell of three, one of them new, that a
        campaign already names stays in it."""
        if len(fresh) < max(min_accounts, 1) and not (
                fresh and leaving and len(fresh | leaving) >= max(min_accounts, self.fragment_accounts)
                and self._splits_off(members, fresh | leaving)):
            return None
        if leaving is None:
            leaving = self.movers(fresh, ties) if ties is not None else set()
        founders = fresh | leaving
        campaign = Campaign(campaign_id_for(founders), set(founders), first_seen, founders=set(founders))
        self.campaigns[campaign.campaign_id] = campaign
        for account in founders:
            previous = self.account_campaign.get(account)
            if previous is not None:
                self.campaigns[previous].members.discard(account)  # its emitted alerts stay as they are
                self.campaigns[previous].card_mates.discard(account)
            self.account_campaign[account] = campaign.campaign_id
        if not self._apply_preset(campaign):
            return None
        return self._new_version(campaign, score, severity, at)

    def _splits_off(self, members: set[str], founders: set[str]) -> bool:
        """Whether accounts of ``founders`` that a campaign holds leave accounts that founded it in the group
        ``members``: the campaign is there as itself, and the movers' strongest ties lead to the new accounts
        instead (the first accounts of a slowly started crew, absorbed by a crew it shares tasks with before it was
        visible, once its next account appears beside them). A cut of a farm that holds none of its campaign's
        founders shows no such choice, and founds nothing on fewer than ``min_accounts`` new accounts."""
        left = {self.account_campaign[a] for a in founders if a in self.account_campaign}
        return any(self.account_campaign.get(a) in left and self.founded(a) for a in members - founders)

    def _grow(self, campaign: Campaign, added: set[str], score: float, severity: str, first_seen: float,
              growth: float, at: float | None = None) -> Campaign | None:
        """Add accounts to a known campaign; the campaign when it grew materially since its last version (by
        ``growth`` of its size then, or by any account while that was under ``each_account_below``) or its severity
        rose."""
        campaign.members |= added
        for account in added:
            self.account_campaign[account] = campaign.campaign_id
        campaign.first_seen = min(campaign.first_seen, first_seen)
        if campaign.status == "dismissed":
            if len(campaign.members) < (1 + self.dismissed_growth) * max(campaign.dismissed_size, 1):
                return None
            campaign.status = "open"
        announced = campaign.announced if campaign.announced >= 0 else len(campaign.members) - len(added)
        if campaign.campaign_id in (self._versioned or ()) or announced < self.each_account_below:
            growth = 0.0  # versioned in this evaluation already (restating it names any new account for free), or small
        grew = self._unnamed(campaign, announced) >= max(1.0, growth * announced)
        escalated = SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(campaign.severity)
        if grew or escalated:
            return self._new_version(campaign, score, max(severity, campaign.severity, key=SEVERITY_ORDER.index), at)
        return None

    def attach(self, campaign: Campaign, mates: set[str], first_seen: float, final: bool = False,
               at: float | None = None) -> Campaign | None:
        """Add accounts linked to ``campaign`` by its card alone (``detector.card_mates``): members named by its
        alerts, left out of its score; the campaign when that grew it materially (``final``: at all)."""
        campaign.card_mates |= mates
        return self._grow(campaign, mates, campaign.score, campaign.severity, first_seen,
                          0.0 if final else self.growth, at)

    @staticmethod
    def _unnamed(campaign: Campaign, announced: int) -> int:
        """How many of the campaign's members no version has named: accounts that joined since, even when as many
        left (movers), so its size did not change (``announced``: its size at the last version, for campaigns
        restored from versions that did not keep the names)."""
        named = campaign.named
        return len(campaign.members - named) if named is not None else len(campaign.members) - announced

    def unannounced(self, before: float | None = None) -> list[Campaign]:
        """Open or confirmed campaigns with members that no version has named yet (each grew by less than the
        material threshold since its last version), by id; with ``before``, only those whose last version is
        known and older."""
        return [c for _, c in sorted(self.campaigns.items()) if c.status != "dismissed"
                and c.announced >= 0 and self._unnamed(c, c.announced) > 0 and (before is None or (
                    c.announced_at is not None and c.announced_at < before))]

    def announce(self, campaign: Campaign, score: float, severity: str, at: float | None = None) -> Campaign:
        """A new version naming every current member (severity never drops)."""
        return self._new_version(campaign, score, max(severity, campaign.severity, key=SEVERITY_ORDER.index), at)

    def movers(self, fresh: set[str], ties: Ties, strongest: Mapping[str, str | None] | None = None) -> set[str]:
        """Accounts of the group that leave their campaign for the one ``fresh`` accounts found
        (``detector.movers``)."""
        return movers(self, fresh, ties, strongest)

    def founded(self, account: str) -> bool:
        """Whether ``account`` founded its campaign."""
        return account in self.campaigns[self.account_campaign[account]].founders

    def _new_version(self, campaign: Campaign, score: float, severity: str, at: float | None = None) -> Campaign:
        versioned = self._versioned
        if versioned is None or campaign.campaign_id not in versioned:
            campaign.version += 1
        if versioned is not None:
            versioned.add(campaign.campaign_id)
        campaign.announced_at = at
        campaign.announced = len(campaign.members)
        campaign.named = (campaign.named or set()) | campaign.members
        campaign.score = score
        campaign.severity = severity
        return campaign

    def forget_accounts(self, accounts: set[str]) -> None:
        """Drop evicted or allow-listed accounts from the account index (alerts already emitted stay)."""
        for account in accounts:
            self.account_campaign.pop(account, None)
