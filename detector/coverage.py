"""Which optional fields an input carried, as far as linking reads them.

The input contract requires only ``ts`` and ``account_id``. What the detector can tell apart rests on some of the
optional fields (``bench/field_ablation.py`` measures it): without ``org_id`` an evaluation team's accounts cannot be
told from a crew's; without ``payment_fingerprint`` a crew tied only by its cards is found late. A replay reports
the share of accounts that carried each and warns about fields no account carried (a deployment that does not log
them), so that an analyst reads its alerts knowing what could not be seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from features.account import AccountState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkageField:
    """An optional input field (or group of fields) linking reads, and what is lost when no request carries it."""

    name: str
    carried: Callable[[AccountState], bool]
    without: str


def _network(state: AccountState) -> bool:
    return any(asn is not None for asn in state.asns) or any(ua is not None for ua in state.user_agents)


LINKAGE_FIELDS: tuple[LinkageField, ...] = (
    LinkageField("org_id", lambda s: s.org_id is not None,
                 "an organisation's accounts (an evaluation team, an agent product: many keys under one "
                 "organisation) cannot be told from a crew's, and may be alerted"),
    LinkageField("payment_fingerprint", lambda s: bool(s.payments),
                 "shared cards tie no accounts: a crew tied only by its cards is found late or not at all"),
    LinkageField("account_created_at", lambda s: s.created_at is not None,
                 "account ages and signup waves are not read: customers who share public language (a prompt "
                 "template) may be alerted as a young crew, and crews on fresh accounts are found later"),
    LinkageField("asn / user_agent", _network,
                 "network + client pairs tie no accounts: crews are found later"),
)


def field_coverage(accounts: Iterable[AccountState]) -> tuple[int, dict[str, float]]:
    """The number of accounts and, per ``LINKAGE_FIELDS`` name, the share of them whose requests carried it."""
    counts = dict.fromkeys((f.name for f in LINKAGE_FIELDS), 0)
    total = 0
    for state in accounts:
        total += 1
        for field in LINKAGE_FIELDS:
            counts[field.name] += field.carried(state)
    return total, {name: count / total if total else 0.0 for name, count in counts.items()}


def missing_linkage(total: int, shares: dict[str, float]) -> list[str]:
    """A sentence for each field no account carried (nothing when there were no accounts)."""
    return [_sentence(field) for field in _missing(total, shares)]


class MissingFieldWatch:
    """A stream's coverage, checked at each checkpoint: each field no account held carried is warned about once,
    once at least ``min_accounts`` accounts are held (a stream's first minutes show few accounts)."""

    def __init__(self, min_accounts: int = 100) -> None:
        self.min_accounts = min_accounts
        self.warned: set[str] = set()

    def check(self, accounts: Iterable[AccountState]) -> dict[str, float]:
        """The shares of ``field_coverage``; logs a warning for each field newly found missing."""
        total, shares = field_coverage(accounts)
        if total >= self.min_accounts:
            for field in _missing(total, shares):
                if field.name not in self.warned:
                    self.warned.add(field.name)
                    log.warning(_sentence(field))
        return shares


def _missing(total: int, shares: dict[str, float]) -> list[LinkageField]:
    return [field for field in LINKAGE_FIELDS if total and shares.get(field.name, 0.0) == 0.0]


def _sentence(field: LinkageField) -> str:
    return f"no account's requests carried {field.name}: {field.without} (docs/threat-coverage.md)"
