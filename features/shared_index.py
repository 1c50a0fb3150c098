"""Cross-account indexes of texts and template keys: which texts are recycled, which sentences are wrappers.

A *recycled* text is one that more than one account sent (viral prompts, fixed benchmark items). A *wrapper*
sentence is a template key seen in several distinct prompts from more than one account: the constant part
that operators wrap around changing tasks. Entries not seen within the retention window are pruned.
"""

from __future__ import annotations

from features.text import TextInfo

MAX_KEY_ACCOUNTS_TRACKED = 1024


class SharedIndex:
    """Text hash -> accounts, and template key -> (events, accounts), maintained as events arrive."""

    def __init__(self) -> None:
        self.texts: dict[int, list] = {}   # hash -> [first account, 1 or 2 (= shared), last ts]
        self.keys: dict[int, list] = {}    # key -> [events, accounts (set, capped), n accounts, last ts]

    def observe(self, account_id: str, info: TextInfo, ts: float) -> tuple[bool, str | None]:
        """Record one event's text and template keys.

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
        for key, _words in info.keys:
            stats = self.keys.get(key)
            if stats is None:
                self.keys[key] = [1, {account_id}, 1, ts]
                continue
            stats[0] += 1
            stats[3] = ts
            accounts: set = stats[1]
            if account_id not in accounts:
                stats[2] += 1  # past the cap, untracked accounts count again per request: an upper bound
                if len(accounts) < MAX_KEY_ACCOUNTS_TRACKED:
                    accounts.add(account_id)
        return recycled, first_sender

    def is_recycled(self, text_hash: int) -> bool:
        entry = self.texts.get(text_hash)
        return entry is not None and entry[1] >= 2

    def key_accounts(self, key: int) -> int:
        stats = self.keys.get(key)
        return 0 if stats is None else stats[2]

    def is_wrapper(self, key: int, max_accounts: int) -> bool:
        stats = self.keys.get(key)
        return stats is not None and stats[0] >= 3 and 2 <= stats[2] <= max_accounts

    def prune(self, horizon: float) -> None:
        """Forget texts and keys last seen before ``horizon`` (event time)."""
        self.texts = {h: e for h, e in self.texts.items() if e[2] >= horizon}
        self.keys = {k: s for k, s in self.keys.items() if s[3] >= horizon}
