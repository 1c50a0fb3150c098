"""The detector: per-account state updated on every event, campaigns re-evaluated on a cadence of event time."""

from __future__ import annotations

import logging
import math
import random
from typing import Any

import numpy as np

from detector.allowlist import AllowListMatcher
from detector.anomaly import AnomalyScorer, refit_on, rescore
from detector.attribution import Ties
from detector.campaign import Campaign, grouped_members
from detector.campaigns import CampaignTracker
from detector.card_mates import attach_card_mates
from detector.decisions import apply_decision
from detector.explain import build_alert
from detector.finder import Candidate, build_links, candidate_of, find_groups, set_org_sizes
from detector.idle import IdleAccounts
from detector.linking.clients import ClientPopulation
from detector.linking.edges import LinkSet, disabled_links
from detector.related import alerted_before
from detector.restore import checkpoint_of, restore_into
from detector.scoring import AccountView, disabled_signals, severity
from detector.second_look import SecondLook
from detector.template_roles import public_voices, template_runners
from detector.views import account_view, due_for_refresh
from detector.wrapper_mates import MateMemo, linked_views
from features.account import AccountState
from features.embeddings import EmbeddingCache, content_profiles, sample_coherence
from features.shared_index import SharedIndex
from features.text import TextAnalyzer
from streams.clock import EventClock
from streams.dedup import RecentIds
from streams.events import Event

log = logging.getLogger(__name__)

NEW_MODEL_GRACE_S = 6 * 3600   # models first seen this long after the stream started count as new releases


class Detector:
    """Consumes events in event-time order and returns alerts as campaigns are found or change."""

    def __init__(self, settings: Any, fast_tier: EmbeddingCache | None = None,
                 minilm_tier: EmbeddingCache | None = None) -> None:
        self.settings = settings
        self.det = settings.detection
        self.fast_tier = fast_tier
        self.minilm_tier = minilm_tier
        self.accounts: dict[str, AccountState] = {}
        self.analyzer = TextAnalyzer()
        self.index = SharedIndex(self.det.max_key_accounts)
        self.clients = ClientPopulation()
        self.tracker = CampaignTracker(self.det.growth_for_new_version, self.det.dismissed_growth,
                                       self.det.small_group_accounts, self.det.name_each_account_below)
        self.anomaly = AnomalyScorer(self.det.anomaly_model)
        self.allow = AllowListMatcher(settings.allowlist)
        self.second_look = SecondLook()  # groups of customers wait for a second evaluation
        self.disabled = disabled_signals(self.det.disabled_signals)  # ablation (empty in production)
        disabled_links(self.det.disabled_links)  # unknown names fail here, not at the first evaluation
        self.rng = random.Random(7)
        self.stream_start: float | None = None
        self.model_first_seen: dict[str, float] = {}
        self.now = 0.0
        self.clock = EventClock(self.det.max_clock_jump_s)
        self.recent = RecentIds(self.det.dedup_window_s)
        self.next_eval: float | None = None
        self.next_refit = 0.0
        self.idle = IdleAccounts()  # finds the accounts to forget (``_evict``)
        self.evaluations = 0
        self._views: dict[str, AccountView] = {}
        self.mate_memo = MateMemo()  # wrapper mates' last judgements (``detection.wrapper_mates``)
        self._dirty: dict[str, None] = {}  # accounts with events since the last evaluation (ordered)

    # -- ingestion -------------------------------------------------------------------------------------
    def input_deduplicated(self) -> None:
        """All events will come from one source that drops repeated ids itself, over the same window of event time
        and in the same order (``streams.sources.ReplaySource``): the detector's own check could never find one, and
        is skipped. Only for a detector that has seen no event yet."""
        if self.stream_start is None:
            self.recent = RecentIds(0.0)

    def process(self, event: Event) -> list[dict[str, Any]]:
        """Fold one event into the state; returns alerts when an evaluation falls due."""
        if self.recent.repeated(event):  # the same request delivered twice (``streams.dedup``)
            return []
        alerts: list[dict[str, Any]] = []
        event = self.clock.admit(event)  # an event far ahead of the stream's time is taken at that time
        clock = self.clock.now
        if self.next_eval is not None and clock >= self.next_eval:
            alerts = self.evaluate()
            while self.next_eval <= clock:
                self.next_eval += self.det.eval_interval_s
        if self.stream_start is None and clock > -math.inf:
            self.stream_start = clock
            self.next_eval = clock + self.det.eval_interval_s
        self.now = max(self.now, clock)
        if event.model and event.model not in self.model_first_seen:
            self.model_first_seen[event.model] = event.ts
        state = self.accounts.get(event.account_id)
        if state is None:
            state = self.accounts[event.account_id] = AccountState(event.account_id)
            self.idle.seen(event.ts)
        self._dirty[event.account_id] = None
        info = event.analysis if event.analysis is not None else self.analyzer.analyze_request(event)
        recycled, first_sender = self.index.observe(event.account_id, info, event.ts, state.template_keys)
        state.recycled_events += recycled
        if first_sender is not None and first_sender in self.accounts:
            self.accounts[first_sender].recycled_events += 1  # its text is now shared: its signals changed
            self._dirty[first_sender] = None
        state.update(event, info, self.rng, self.settings.embedding.fast_per_account, self.det.lookback_s // 3600)
        return alerts

    # -- checkpoints -----------------------------------------------------------------------------------
    def checkpoint(self) -> bytes:
        """Everything the detector has learned, as bytes (``detector.restore.checkpoint_of``)."""
        return checkpoint_of(self)

    def restore(self, blob: bytes) -> None:
        """Continue from a ``checkpoint`` taken by a detector with the same settings."""
        restore_into(self, blob)

    def finish(self) -> list[dict[str, Any]]:
        """Evaluate once more at the end of the input, announcing any growth since a campaign's last version."""
        return self.evaluate(final=True) if self.stream_start is not None else []

    # -- account hand-over (the streaming linker builds its accounts from profiles) ------------------------
    def put_account(self, state: AccountState) -> None:
        """Install or replace an account's state built elsewhere; it is re-scored at the next evaluation."""
        self.accounts[state.account_id] = state
        self._dirty[state.account_id] = None
        self.idle.seen(state.last_ts)

    def drop_account(self, account_id: str) -> None:
        """Forget an account (evicted upstream); alerts already emitted stay."""
        self.accounts.pop(account_id, None)
        self._views.pop(account_id, None)
        self._dirty.pop(account_id, None)
        self.clients.forget(account_id)
        self.tracker.forget_accounts({account_id})

    # -- evaluation ------------------------------------------------------------------------------------
    def evaluate(self, final: bool = False) -> list[dict[str, Any]]:
        """Re-evaluate campaigns at the current event time (``final``: the end of the input)."""
        now, det = self.now, self.det
        self.evaluations += 1
        self.second_look.start()
        self._evict(now)
        fresh = [self._view(self.accounts[a]) for a in due_for_refresh(
            self._dirty, self.accounts, self._views, now, det.view_refresh_growth, det.view_refresh_max_age_s)]
        horizon = now - det.lookback_s
        views = [v for v in self._views.values() if v.state.last_ts >= horizon]
        if not self._refit_anomaly(views, now) and fresh:
            rescore(self.anomaly, fresh, self.disabled)
        suspicious = linked_views(views, det.member_min_suspicion, self.index, self.allow.matches,
                                  self.mate_memo if det.wrapper_mates else None)
        set_org_sizes(suspicious, self.accounts.values())
        self.index.runners = template_runners(views, self.allow.matches)
        self.index.people = public_voices(views, det.member_min_suspicion)
        if len(suspicious) < det.min_accounts:
            return self._announce_the_rest(now, final)
        profiles, has_profile = self._profiles([v.state for v in suspicious])
        alerted = {cid for cid, c in self.tracker.campaigns.items() if c.version > 0}
        alerts: dict[str, dict[str, Any]] = {}  # by campaign: one version each per evaluation
        seen: dict[str, list[AccountView]] = {}  # by campaign: the accounts of its groups in this evaluation
        built: dict[str, tuple[Candidate, float | None]] = {}  # by campaign: what its version's alert explains
        with self.tracker.evaluation():
            for candidate in find_groups(suspicious, profiles, has_profile, self.index, now, det, self.clients,
                                         self.accounts):
                small = len(candidate.members) < det.small_group_accounts
                floor = det.small_group_min_score if small else det.min_score
                if candidate.score.score < floor or not self.second_look.admits(
                        candidate.members, candidate.score, self.tracker.account_campaign, final):
                    continue
                members = {m.state.account_id for m in candidate.members}
                first_seen = min(m.state.first_ts for m in candidate.members)
                level = severity(candidate.score.score, len(members))
                ties = Ties.of_edges([m.state.account_id for m in candidate.members], candidate.edges)
                campaign = self.tracker.observe(members, candidate.score.score, level, first_seen,
                                                det.min_accounts, ties, final, now)
                if campaign is None:
                    continue
                cid = campaign.campaign_id
                seen[cid] = [*seen.get(cid, []), *candidate.members]
                if cid in alerts:  # a second group grew it: the version restated, explaining both groups
                    candidate = self._restated(campaign, seen[cid], now)
                built[cid] = candidate, self._coherence(candidate)
                alerts[cid] = self._alert(campaign, *built[cid], now)
            for campaign in attach_card_mates(self.tracker, views, self.accounts, horizon, det.member_min_suspicion,
                                              self.allow.matches, final, now):
                cid = campaign.campaign_id
                explained = built[cid] if cid in built else (self._scored(campaign, now), None)
                alerts[cid] = self._alert(campaign, *explained, now)
            for alert in self._announce_the_rest(now, final):
                alerts[alert["campaign_id"]] = alert
        return alerted_before(list(alerts.values()), alerted)

    def _restated(self, campaign: Campaign, views: list[AccountView], now: float) -> Candidate:
        """The accounts of a campaign's groups in one evaluation (``views``), or its members (``_scored``), scored as
        one group; the campaign's version of this evaluation restated with that score (``CampaignTracker.announce``:
        severity never drops)."""
        views = sorted({v.state.account_id: v for v in views}.values(), key=lambda v: v.state.account_id)
        candidate = candidate_of(views, *self._profiles([v.state for v in views]), self.index, now, self.det,
                                 self.clients)
        self.tracker.announce(campaign, candidate.score.score, severity(candidate.score.score, len(views)), now)
        return candidate

    def _scored(self, campaign: Campaign, now: float) -> Candidate:
        """A campaign's members scored as one group for a version no group of this evaluation explains: those
        linked by their card alone left out (``CampaignTracker.attach``) while enough others remain."""
        grouped = [self._views[a] for a in sorted(grouped_members(campaign)) if a in self._views]
        views = grouped if len(grouped) >= self.det.min_accounts else [
            self._views[a] for a in sorted(campaign.members) if a in self._views]
        set_org_sizes(views, self.accounts.values())
        return self._restated(campaign, views, now)

    def _alert(self, campaign: Campaign, candidate: Candidate, coherence: float | None, now: float) -> dict[str, Any]:
        """The campaign's new version as an alert, with its recommended action."""
        alert = build_alert(campaign, candidate, now, self.det.shadow, coherence, self.tracker.account_campaign)
        return apply_decision(alert, self.settings)

    def _announce_the_rest(self, now: float, final: bool) -> list[dict[str, Any]]:
        """A version for each campaign with members no version named, once its last version is
        ``announce_unnamed_after_s`` old, and at the end of the input: no member stays unnamed (signals from its
        retained members)."""
        after = self.det.announce_unnamed_after_s
        if not final and after <= 0:
            return []
        alerts = []
        for campaign in self.tracker.unannounced(None if final else now - after):
            if sum(a in self._views for a in campaign.members) >= self.det.min_accounts:
                alerts.append(self._alert(campaign, self._scored(campaign, now), None, now))
        return alerts

    def account_views(self) -> list[AccountView]:
        """Signals of every retained account as of the last evaluation (notebooks, reports)."""
        return list(self._views.values())

    def link_graph(self, views: list[AccountView]) -> LinkSet:
        """The hidden links among ``views`` at the current event time, drawn as an evaluation draws them."""
        set_org_sizes(views, self.accounts.values())
        profiles, has_profile = self._profiles([v.state for v in views])
        return build_links(views, profiles, has_profile, self.now, self.det, index=self.index, clients=self.clients)

    def _view(self, state: AccountState) -> AccountView:
        """Signals of an account with new events since the last evaluation (``views.account_view``)."""
        view = account_view(state, self.index, self.clients, self._new_models(), self.now, self.disabled,
                            self.det.member_min_suspicion)
        self._views[state.account_id] = view
        return view

    def _new_models(self) -> dict[str, float]:
        start = self.stream_start or 0.0
        return {m: t for m, t in self.model_first_seen.items() if t >= start + NEW_MODEL_GRACE_S}

    def _refit_anomaly(self, views: list[AccountView], now: float) -> bool:
        """Refit on the accounts outside every campaign's groups (``anomaly.refit_on``) and rescore all views; False
        when not due."""
        if now < self.next_refit and self.anomaly.fitted:
            return False
        if not refit_on(self.anomaly, views, self.tracker.account_campaign.keys() - self.tracker.card_mates()):
            return False
        self.next_refit = now + self.det.anomaly_refit_s
        rescore(self.anomaly, views, self.disabled)
        return True

    def _profiles(self, states: list[AccountState]) -> tuple[np.ndarray, np.ndarray]:
        """Content profiles of the given accounts and which have one (``features.embeddings.content_profiles``)."""
        return content_profiles(states, self.fast_tier, self.index.is_recycled)

    def _coherence(self, candidate: Candidate) -> float | None:
        """MiniLM check of how alike the campaign's sampled prompts are (a small per-account budget)."""
        tier, budget = self.minilm_tier, self.settings.embedding
        return None if tier is None else sample_coherence([m.state.samples for m in candidate.members], tier,
                                                          budget.minilm_per_account, budget.minilm_per_campaign)

    def _evict(self, now: float) -> None:
        """Forget accounts idle for longer than the TTL, and index entries older than the lookback."""
        idle = self.idle.older_than(self.accounts, now - self.det.account_ttl_s)
        for account in idle:
            del self.accounts[account]
            self._views.pop(account, None)
            self.clients.forget(account)
        if idle:
            self.tracker.forget_accounts(set(idle))
        if self.evaluations % 16 == 0:
            self.index.prune(now - max(self.det.lookback_s, 86_400))

