"""Cross-account indexes of texts and template keys: which texts are recycled, which sentences are wrappers.

A *recycled* text is one that more than one account sent (viral prompts, fixed benchmark items). A *wrapper*
sentence is a template key seen in several distinct prompts from more than one account: the constant part
that operators wrap around changing tasks. A *crowded* key is one seen on more accounts than linking may pair (a
viral prompt's, or a thousand-account farm's wrapper): linking ties each of its holders to a few others instead, and
only while it wraps new texts (``wraps_new_texts``: a wrapper, not a public task or a prompt re-sent as it is); an
account that re-uses it around new tasks works a template. Entries not seen within the retention window are pruned.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from collections.abc import Set as AbstractSet
from itertools import repeat
from types import MappingProxyType

from features.text import TextInfo

MAX_KEY_ACCOUNTS_TRACKED = 1024


class SharedIndex:
    """Text hash -> accounts, and template key -> (events, accounts), maintained as events arrive; ``wrappers``
    holds the keys that currently qualify as wrappers (seen in 3+ requests of 2..``max_key_accounts``
    accounts) and ``crowded`` those seen in 3+ requests of more accounts, updated when a key's counts cross those
    bounds. ``runners``: the accounts that run shared templates (``detector.template_roles.runs_templates``), as the
    detector saw them at its last evaluation (whose they are is a judgement on their views, not on the index), with
    their template-key counts (``AccountState.template_keys``); ``people``: the accounts that speak for the public
    (``detector.template_roles.public_voices``), as of the same evaluation, with theirs."""

    runners: Mapping[str, Mapping[int | None, int]] = MappingProxyType({})  # (class defaults: indexes restored
    people: Mapping[str, Mapping[int | None, int]] = MappingProxyType({})   # from older checkpoints lack them)
    senders_grow_only = True  # a key's set of senders only gains accounts (pruning drops the key with its set)

    def __init__(self, max_key_accounts: int = 400) -> None:
        self.texts: dict[int, list] = {}   # hash -> [first account, 1 or 2 (= shared), last ts]
        self.keys: dict[int, list] = {}    # key -> [events, accounts (set, capped), n accounts, last ts, texts]
        self.max_key_accounts = max_key_accounts
        self.wrappers: set[int] = set()
        self.crowded: set[int] = set()

    def observe(self, account_id: str, info: TextInfo, ts: float,
                sent_before: Container[int | None] = ()) -> tuple[bool, str | None]:
        """Record one event's text and template keys (``sent_before``: the keys the account sent before, its
        ``AccountState.template_keys``, by which an account past a key's tracked ones is counted once).

        Returns whether another account sent this text before, and the account that first sent it when the
        text has just become shared (so that account's count of recycled requests can be updated too).
        """
        entry = self.texts.get(info.hash)
        recycled, first_sender = False, None
        if entry is None:
            self.texts[info.hash] = [account_id, 1, ts]
        else:
            if entry[0] != account_id:
                recycled = True
                if entry[1] == 1:
                    first_sender = entry[0]
                entry[1] = 2  # shared by two or more accounts; larger counts are not needed
            entry[2] = ts
        new_text = entry is None
        for key, _words in info.keys:
            stats = self.keys.get(key)
            if stats is None:
                self.keys[key] = [1, {account_id}, 1, ts, 1]
                continue
            stats[0] += 1
            stats[3] = ts
            if new_text and len(stats) > 4:
                stats[4] += 1
            accounts: set = stats[1]
            if account_id not in accounts:
                if len(accounts) < MAX_KEY_ACCOUNTS_TRACKED:
                    accounts.add(account_id)
                elif key in sent_before:
                    continue  # an untracked account that sent the key before: counted then
                stats[2] += 1  # untracked accounts whose own counts lost the key count again: an upper bound
                self.classify(key, stats)
            elif stats[0] == 3:
                self.classify(key, stats)
        return recycled, first_sender

    def classify(self, key: int, stats: list) -> None:
        """Put ``key`` in or out of ``wrappers`` and ``crowded`` after its ``stats`` changed."""
        if stats[0] >= 3 and 2 <= stats[2] <= self.max_key_accounts:
            self.wrappers.add(key)
        else:
            self.wrappers.discard(key)
        if stats[0] >= 3 and stats[2] > self.max_key_accounts:
            self.crowded.add(key)
        else:
            self.crowded.discard(key)

    def senders(self, key: int) -> set[str] | None:
        """The accounts that sent ``key`` (up to ``MAX_KEY_ACCOUNTS_TRACKED`` of them); None for a key not indexed."""
        stats = self.keys.get(key)
        return None if stats is None else stats[1]

    def senders_of(self, keys: list[int]) -> list[AbstractSet[str]]:
        """``senders`` of each of ``keys``, an empty set for a key not indexed (one call for many keys)."""
        none: list = [0, frozenset()]
        return [entry[1] for entry in map(self.keys.get, keys, repeat(none))]

    def wraps_new_texts(self, key: int) -> bool:
        """Whether ``key`` was seen in at least half as many distinct texts as it has senders: a wrapper around
        tasks that change (some of them re-sent), not a text many accounts re-send (a public task, a viral prompt)
        whatever wording is around it. Unknown (False) for indexes that do not count texts."""
        stats = self.keys.get(key)
        return stats is not None and len(stats) > 4 and 2 * stats[4] >= stats[2]

    def resent(self, key: int) -> bool:
        """Whether some sender sent ``key`` in more than one request (a wrapper re-used around new tasks, a task
        re-asked), not only once each (a public task that several accounts each sent once). Unknown keys: False."""
        stats = self.keys.get(key)
        return stats is not None and stats[0] > stats[2]

    def reclassify(self, max_key_accounts: int) -> None:
        """Rebuild ``wrappers`` (another bound, or an index restored from a checkpoint that lacked it)."""
        self.max_key_accounts = max_key_accounts
        self.wrappers, self.crowded = set(), set()
        for key, stats in self.keys.items():
            self.classify(key, stats)

    def is_recycled(self, text_hash: int) -> bool:
        entry = self.texts.get(text_hash)
        return entry is not None and entry[1] >= 2

    def prune(self, horizon: float) -> None:
        """Forget texts and keys last seen before ``horizon`` (event time)."""
        for table, at in ((self.texts, 2), (self.keys, 3)):
            for stale in [key for key, entry in table.items() if entry[at] < horizon]:  # in place: most stay
                del table[stale]
        self.wrappers.intersection_update(self.keys)
        self.crowded.intersection_update(self.keys)
