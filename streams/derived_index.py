"""The linker's cross-account index (``DerivedIndex``): which texts and template keys several accounts share, rebuilt
from the accounts' profiles instead of from events (``streams.linker``)."""

from __future__ import annotations

from collections.abc import Container

from features.account import AccountState
from features.shared_index import SharedIndex
from features.text import TextInfo


class DerivedIndex(SharedIndex):
    """The ``SharedIndex`` rebuilt from the accounts' own recent text hashes and template-key counts.

    ``texts`` and ``keys`` keep the parent's layout (readers may use them directly); each account's share is
    added and removed as its profiles arrive. Accounts whose texts became shared or unshared are collected in
    ``changed`` so that their ``recycled_events`` can be re-estimated before an evaluation. Whether a key wraps
    new texts is read from its senders' recent requests (``wraps_new_texts``).
    """

    senders_grow_only = False  # an account's share is removed when its next profile replaces it

    def __init__(self, max_key_accounts: int = 400) -> None:
        super().__init__(max_key_accounts)
        self.text_owners: dict[int, set[str]] = {}
        self.changed: set[str] = set()
        self.states: dict[str, AccountState] = {}  # the profile each account's share was added from
        self.wrapping: dict[int, bool] = {}        # ``wraps_new_texts`` answers since the last change

    def add(self, state: AccountState) -> None:
        account, ts = state.account_id, state.last_ts
        self.changed.add(account)
        self.states[account] = state
        self.wrapping.clear()
        for text in set(state.text_hashes):
            owners = self.text_owners.setdefault(text, set())
            owners.add(account)
            if len(owners) == 2:
                self.changed.update(owners)
            self.texts[text] = [next(iter(owners)), 2 if len(owners) > 1 else 1, ts]
        for key, count in state.template_keys.items():
            if key is None:
                continue
            stats = self.keys.get(key)
            if stats is None:
                stats = self.keys[key] = [0, set(), 0, ts]
            stats[0] += count
            stats[1].add(account)
            stats[2] = len(stats[1])
            stats[3] = max(stats[3], ts)
            self.classify(key, stats)

    def remove(self, state: AccountState) -> None:
        account = state.account_id
        self.states.pop(account, None)
        self.wrapping.clear()
        for text in set(state.text_hashes):
            owners = self.text_owners.get(text)
            if owners is None or account not in owners:
                continue
            owners.discard(account)
            if not owners:
                del self.text_owners[text], self.texts[text]
                continue
            if len(owners) == 1:
                self.changed.update(owners)
            self.texts[text][:2] = [next(iter(owners)), 2 if len(owners) > 1 else 1]
        for key, count in state.template_keys.items():
            stats = self.keys.get(key) if key is not None else None
            if stats is None or account not in stats[1]:
                continue
            stats[0] -= count
            stats[1].discard(account)
            stats[2] = len(stats[1])
            self.classify(key, stats)  # type: ignore[arg-type]
            if not stats[1]:
                del self.keys[key]  # type: ignore[arg-type]

    def wraps_new_texts(self, key: int) -> bool:
        """Whether ``key`` was seen in at least half as many distinct texts as it has senders (as
        ``SharedIndex.wraps_new_texts``), counted over its senders' recent requests that carry it among their
        first sentences (``AccountState.recent_texts``): a farm's wrapper around new tasks, not a viral prompt
        re-sent as it is. A lower bound of the replay's count, which sees every request."""
        answer = self.wrapping.get(key)
        if answer is not None:
            return answer
        stats = self.keys.get(key)
        if stats is None:
            return False
        needed = (stats[2] + 1) // 2
        texts: set[int] = set()
        for account in stats[1]:
            state = self.states.get(account)
            if state is None:
                continue
            pairs = zip(reversed(state.recent_texts), reversed(state.recent_keys), strict=False)  # newest first
            texts.update(text for text, keys in pairs if key in keys)
            if len(texts) >= needed:
                break
        answer = self.wrapping[key] = len(texts) >= needed
        return answer

    def recycled_estimate(self, state: AccountState) -> int:
        """Requests of the account that re-sent a text another account sent (from its recent texts)."""
        if not state.text_hashes:
            return 0
        shared = sum(len(self.text_owners.get(h, ())) > 1 for h in state.text_hashes)
        return round(state.events * shared / len(state.text_hashes))

    def observe(self, account_id: str, info: TextInfo, ts: float,
                sent_before: Container[int | None] = ()) -> tuple[bool, str | None]:
        """Not used: the linker learns from profiles, not events."""
        return False, None

    def prune(self, horizon: float) -> None:
        """Nothing to prune: entries leave with their accounts."""
