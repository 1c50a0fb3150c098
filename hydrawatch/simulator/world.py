"""The simulation context shared by all group generators."""

from __future__ import annotations

from dataclasses import dataclass, field

from .events import EventFactory
from .infra import COUNTRIES, VPN, Infra
from .model import DAY, Account, Net
from .rand import Rng
from .texts import BenignTexts


@dataclass
class World:
    """Time frame, shared infrastructure pools, text source and event sink."""

    start: float
    days: float
    scale: float
    infra: Infra
    texts: BenignTexts
    sink: EventFactory
    accounts: list[Account] = field(default_factory=list)
    viral_remarks: float = 0.0  # share of viral sends carrying a sentence of the sender's own (a probe) ...
    remarks: Rng | None = None  # ... drawn from this stream, so the rest of the data stays as without them
    system_wrappers: float = 0.0  # share of campaign extraction requests whose wrapper is the system prompt ...
    systems: Rng | None = None  # ... drawn from this stream (a probe, like the remarks)
    wrappers: dict[str, tuple[str, ...]] | None = None  # the campaigns' wrappers (None: ``tasks.WRAPPERS``)
    slow_ramp_hours: float = 10.0  # the slow crew's accounts start one by one within this many hours
    campaign_filler: float | None = None  # share of the crews' requests that are ordinary filler (None: their own)
    _mobile: dict[int, list[Net]] = field(default_factory=dict)
    _vpn: list[Net] = field(default_factory=list)

    @property
    def end(self) -> float:
        """End of the simulated window (epoch seconds)."""
        return self.start + self.days * DAY

    @property
    def release(self) -> float:
        """When atlas-3 becomes available (middle of the run)."""
        return self.start + 0.5 * self.days * DAY

    def at(self, frac: float) -> float:
        """Time at a fraction of the run."""
        return self.start + frac * self.days * DAY

    def add(self, acct: Account) -> Account:
        """Register an account."""
        self.accounts.append(acct)
        return acct

    def mobile_pool(self, asn: int) -> list[Net]:
        """The carrier-grade NAT egress pool of a mobile ASN (shared by all its users)."""
        if asn not in self._mobile:
            country = next(c for c, v in COUNTRIES.items() if asn in v[3])
            size = int(8 + 3 * COUNTRIES[country][0])
            self._mobile[asn] = self.infra.pool(asn, country, size, v6_share=0.15)
        return self._mobile[asn]

    def vpn_exits(self) -> list[Net]:
        """Exit IPs of popular consumer VPNs (a few dozen, shared by many users)."""
        if not self._vpn:
            for asn, countries in VPN.items():
                for c in countries:
                    self._vpn.extend(self.infra.pool(asn, c, 3))
        return self._vpn

    def benign_model(self, rng: Rng, acct: Account, t: float) -> str:
        """Model choice of an ordinary client: atlas-2 family, gradual atlas-3 adoption after release."""
        adopt = float(acct.extra.get("adopt_at", float("inf")))  # type: ignore[arg-type]
        if t >= adopt and rng.chance(0.7):
            return "atlas-3"
        return "atlas-2-mini" if rng.chance(float(acct.extra.get("p_mini", 0.3))) else "atlas-2"  # type: ignore[arg-type]

    def adoption_time(self, rng: Rng, share: float = 0.55, mean_days: float = 1.2) -> float:
        """When a client starts using atlas-3 (inf for those who don't)."""
        if not rng.chance(share):
            return float("inf")
        return self.release + rng.expo(mean_days * DAY)
