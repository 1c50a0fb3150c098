"""Who else sends the sentences that tie a group.

A trending prompt with a slot (each sender's own question around it), or a public prompt template, is sent by a slice
of the customer base. The hours its senders sent it in cut the few of them who ask for steps into communities of a
handful, and one of those may by chance hold only accounts created within months of each other: judged alone it
looks like a young crew. Whether the sentences that tie a group are public language is a property of everyone who
sends them, not of the few accounts one community drew (``scoring.group_score``'s ``tie_states``). A crew's wrapper
is sent by the crew: a community that is half of a sentence's senders or more is no slice of a population, and is
judged by its own accounts (the first members of a crew created weeks apart are not judged by the later ones); so is
a community that holds such a sentence beside public ones (a crew that mixes ordinary requests into its traffic
shares their stock sentences with hundreds of customers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import chain

from detector.scoring import AccountView
from features.account import AccountState
from features.shared_index import SharedIndex


def tie_senders(members: list[AccountView], index: SharedIndex,
                accounts: Mapping[str, AccountState]) -> list[AccountState]:
    """The retained accounts that sent a wrapper sentence more than half of ``members`` hold (the sentences that tie
    the group; the index tracks up to ``shared_index.MAX_KEY_ACCOUNTS_TRACKED`` senders of each), members included,
    in account order; empty when the members are half of them or more, or half of one such sentence's senders."""
    held = Counter(chain.from_iterable(member.wrappers for member in members))  # members holding each sentence
    own = 2 * len(members)  # senders up to which a sentence is the group's own
    senders: set[str] = set()
    for key, holders in held.items():
        sent_by = index.senders(key) if 2 * holders > len(members) else None
        if sent_by is None:
            continue
        if len(sent_by) <= own:
            return []
        senders.update(sent_by)
    if len(senders) <= own:
        return []
    return [accounts[a] for a in sorted(senders) if a in accounts]
