"""A second look before a group of customers founds a campaign.

In a trending prompt's first minutes its first senders are all of its senders: a community of them is half of them
or more, judged by its own accounts (``detector.tie_senders``), and looks like a crew in its first minutes (intent,
a shared wrapper, its hour). Whether what ties them is public language shows once others send it too, within an
evaluation or two. A group in which long-standing customers acting like people weigh (``established_accounts``) is
therefore alerted only when it scores as a campaign at two evaluations in a row. Crews' accounts made for the
purpose count nothing as customers, nor do members that share cards, automate or hide (``scoring.group_score``):
they are not held, and a crew on aged accounts that acts like people is caught one evaluation later.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from detector.scoring import AccountView, GroupScore

HOLD_STANDING = 0.25  # ``established_accounts`` from which a group waits for a second evaluation


class SecondLook:
    """The accounts of the groups held at the previous evaluation and at the open one."""

    def __init__(self) -> None:
        self.previous: set[str] = set()
        self.current: set[str] = set()

    def start(self) -> None:
        """Open an evaluation: the groups held at the one before are what a group may be confirmed by."""
        self.previous, self.current = self.current, set()

    def admits(self, members: Sequence[AccountView], score: GroupScore, in_campaigns: Container[str],
               final: bool = False) -> bool:
        """Whether a group (``members``, ``score``) that scores as a campaign may be alerted now: it weighs little
        as customers, or half of its accounts or more were in a group held at the previous evaluation, or one of them
        is in a campaign already (``in_campaigns``: account ids), or it is the end of the input (``final``: no
        evaluation follows). A group not admitted is held (remembered for the next evaluation)."""
        if final or score.values["established_accounts"] < HOLD_STANDING:
            return True
        accounts = [m.state.account_id for m in members]
        if any(a in in_campaigns for a in accounts) or 2 * sum(a in self.previous for a in accounts) >= len(accounts):
            return True
        self.current.update(accounts)
        return False
