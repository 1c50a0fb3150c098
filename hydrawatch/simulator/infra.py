"""Network and account infrastructure: countries, ASNs, IP pools, user agents, payment and ids."""

from __future__ import annotations

from .model import Net
from .rand import Rng, cumulative

# country: (weight, utc offsets, residential ASNs, mobile carrier ASNs)
COUNTRIES: dict[str, tuple[float, tuple[float, ...], tuple[int, ...], tuple[int, ...]]] = {
    "US": (30, (-5, -6, -7, -8), (7922, 701, 7018, 20115, 22773), (21928, 22394, 20057)),
    "GB": (8, (0,), (2856, 5089, 5607), (25135, 12576)),
    "DE": (8, (1,), (3320, 6805, 31334), (3209,)),
    "FR": (6, (1,), (3215, 12322, 5410), (51207,)),
    "IN": (10, (5.5,), (24560, 17488), (55836, 45609)),
    "BR": (5, (-3,), (28573, 18881, 26599), (26615,)),
    "JP": (5, (9,), (4713, 2516, 17676), (9605,)),
    "CA": (4, (-5, -8), (812, 577, 6327), (852,)),
    "AU": (3, (10,), (1221, 4764), (4804,)),
    "ES": (3, (1,), (3352, 12479), (12430,)),
    "NL": (2, (1,), (1136, 33915), (50266,)),
    "KR": (3, (9,), (4766, 9318), (17858,)),
    "MX": (3, (-6,), (8151,), (28403,)),
    "PL": (2, (1,), (5617, 12741), (12912,)),
    "IT": (3, (1,), (3269, 30722), (1267,)),
    "SG": (2, (8,), (9506, 55430), (45143,)),
    "NG": (2, (1,), (29465, 36873), (37148,)),
    "ID": (3, (7,), (7713, 17974), (23693,)),
}
CLOUD = {
    16509: "US",
    15169: "US",
    8075: "US",
    14061: "US",
    24940: "DE",
    16276: "FR",
    63949: "US",
    20473: "US",
}
VPN = {9009: ("NL", "GB", "US", "DE"), 212238: ("US", "CH", "SG"), 60068: ("DE", "JP", "CA", "FR")}
UNIVERSITY = {3: "US", 25: "US", 786: "GB", 680: "DE", 1103: "NL"}
PROXY_ASNS = {4760: "HK", 9506: "SG", 45899: "VN", 4788: "MY", 16276: "FR", 9009: "NL"}

_FIRST_OCTETS = [o for o in range(2, 224) if o not in (10, 100, 127, 169, 172, 192, 198, 203)]
_CHANNELS_BENIGN = ("self_serve",) * 88 + ("education",) * 6 + ("startup_program",) * 4 + ("enterprise",) * 2

_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{s}"
    " Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 "
    "Safari/537.36 Edg/{c}.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.{m} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 15; Pixel {p}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 "
    "Mobile Safari/537.36",
)
_SDKS = (
    "atlas-python/1.{a}.{b}",
    "atlas-typescript/0.{a}.{b}",
    "OpenAI/Python 1.{a}.{b}",
    "openai-node/4.{a}.{b}",
    "langchain-atlas/0.3.{b}",
    "python-requests/2.32.{b}",
    "curl/8.{a}.0",
    "Go-http-client/2.0",
    "PostmanRuntime/7.{a}.{b}",
    "python-httpx/0.27.{b}",
    "llama-index/0.12.{b}",
)


class Infra:
    """Allocates ASN prefixes and hands out IPs, user agents, ids and payment fingerprints."""

    def __init__(self, rng: Rng) -> None:
        self.rng = rng
        self._prefix: dict[int, list[tuple[int, int]]] = {}
        self._used: set[tuple[int, int]] = set()
        self._ids: set[str] = set()
        self.countries = list(COUNTRIES)
        self.country_cum = cumulative([COUNTRIES[c][0] for c in self.countries])

    def _prefixes(self, asn: int) -> list[tuple[int, int]]:
        """Three /16 prefixes announced by an ASN (allocated on first use)."""
        if asn not in self._prefix:
            pref: list[tuple[int, int]] = []
            while len(pref) < 3:
                p = (self.rng.choice(_FIRST_OCTETS), self.rng.randint(0, 255))
                if p not in self._used:
                    self._used.add(p)
                    pref.append(p)
            self._prefix[asn] = pref
        return self._prefix[asn]

    def ip(self, asn: int, v6: bool = False) -> str:
        """A random address announced by `asn`."""
        a, b = self.rng.choice(self._prefixes(asn))
        if v6:
            return (
                f"2a0{a % 10}:{a:02x}{b:02x}:{self.rng.hexstr(4)}:{self.rng.hexstr(4)}::{self.rng.hexstr(3)}"
            )
        return f"{a}.{b}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def pool(self, asn: int, country: str, n: int, v6_share: float = 0.0) -> list[Net]:
        """n distinct addresses in one ASN."""
        out: dict[str, Net] = {}
        while len(out) < n:
            ip = self.ip(asn, v6=self.rng.chance(v6_share))
            out[ip] = (ip, asn, country)
        return list(out.values())

    def country(self) -> str:
        """A country weighted by user population."""
        return self.rng.wchoice(self.countries, self.country_cum)

    def tz(self, country: str) -> float:
        """A UTC offset (hours) consistent with the country."""
        return self.rng.choice(COUNTRIES[country][1])

    def residential(self, country: str) -> Net:
        """A home broadband address in the country."""
        asn = self.rng.choice(COUNTRIES[country][2])
        return (self.ip(asn), asn, country)

    def mobile_asns(self, country: str) -> tuple[int, ...]:
        """Mobile carrier ASNs of a country."""
        return COUNTRIES[country][3]

    def browser_ua(self) -> str:
        """A browser user agent with a plausible version."""
        return self.rng.choice(_BROWSERS).format(
            c=self.rng.randint(128, 134),
            s=f"18.{self.rng.randint(0, 3)}",
            f=self.rng.randint(130, 136),
            m=self.rng.randint(0, 4),
            p=self.rng.randint(6, 9),
        )

    def sdk_ua(self) -> str:
        """An SDK / HTTP client user agent with a plausible version."""
        return self.rng.choice(_SDKS).format(a=self.rng.randint(30, 59), b=self.rng.randint(0, 12))

    def uid(self, prefix: str, n: int = 16) -> str:
        """A unique random id with a prefix."""
        while True:
            value = f"{prefix}_{self.rng.hexstr(n)}"
            if value not in self._ids:
                self._ids.add(value)
                return value

    def payment(self) -> str:
        """An opaque payment-instrument fingerprint."""
        return self.uid("pf", 32)

    def keys(self, n: int = 1) -> list[str]:
        """API key ids."""
        return [self.uid("key", 20) for _ in range(n)]

    def benign_channel(self) -> str:
        """Signup channel of an ordinary user."""
        return self.rng.choice(_CHANNELS_BENIGN)
