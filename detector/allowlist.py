"""Allow-lists from configuration: accounts, organisations, payment fingerprints, IPs and CIDR networks."""

from __future__ import annotations

import ipaddress
from typing import Any

from features.account import AccountState


class AllowListMatcher:
    """Tells whether an account is covered by the allow-list (such accounts are never linked or alerted)."""

    def __init__(self, allowlist: Any) -> None:
        self.accounts = set(allowlist.accounts)
        self.orgs = set(allowlist.orgs)
        self.payments = set(allowlist.payment_fingerprints)
        self.ips: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allowlist.ips:
            if "/" in entry:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            else:
                self.ips.add(str(ipaddress.ip_address(entry)))
        self.empty = not (self.accounts or self.orgs or self.payments or self.ips or self.networks)

    def matches(self, state: AccountState) -> bool:
        if self.empty:
            return False
        if state.account_id in self.accounts or (state.org_id is not None and state.org_id in self.orgs):
            return True
        if state.payments & self.payments:
            return True
        return any(self.ip_allowed(ip) for ip in state.ips if ip is not None)

    def ip_allowed(self, ip: str) -> bool:
        if ip in self.ips:
            return True
        if not self.networks:
            return False
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.networks)
