"""Territories from WooCommerce shipping zones: which zone an address falls in (WooCommerce's own
rules), which territory that makes it (configured rules first), and the Territory tree woonext
keeps in ERPNext. Pure: no I/O.

Zone matching follows `WC_Shipping_Zone_Data_Store::get_zone_id_from_package`: zones are tried in
(`order`, `id`) order; a zone matches when one of its country / state / continent locations matches
the address (a zone without any such location matches every address) and, when it has postcode
locations, the postcode matches one of them (`wc_postcode_location_matcher`: exact, trailing `*`
wildcard, or a range `a...b`). Zone 0 ("Locations not covered by your other zones") is what is left.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from woonext.mapping.continents import continent_of
from woonext.woo.types import Addressed

REST_OF_WORLD = 0  # WooCommerce's zone 0
RULE_PREFIXES = ("zone", "state", "postcode", "city")


@dataclass(frozen=True)
class Location:
    code: str
    type: str  # postcode | state | country | continent


@dataclass(frozen=True)
class Zone:
    id: int
    name: str
    order: int = 0
    locations: tuple[Location, ...] = ()

    @classmethod
    def from_rest(cls, zone: Mapping[str, Any], locations: Iterable[Mapping[str, Any]] | None = None) -> Zone:
        """A zone as `GET shipping/zones` answers it, with its `GET …/locations` (or `zone["locations"]`)."""
        raw = zone.get("locations") if locations is None else locations
        return cls(
            int(zone["id"]),
            str(zone.get("name") or ""),
            int(zone.get("order") or 0),
            tuple(Location(str(x.get("code") or "").strip(), str(x.get("type") or "country")) for x in raw or []),
        )

    @property
    def regions(self) -> list[Location]:
        return [x for x in self.locations if x.type != "postcode"]

    @property
    def postcodes(self) -> list[str]:
        return [x.code for x in self.locations if x.type == "postcode"]


@dataclass(frozen=True)
class Address:
    country: str = ""
    state: str = ""
    postcode: str = ""
    city: str = ""

    @classmethod
    def from_rest(cls, address: Mapping[str, Any] | None) -> Address:
        a = address or {}
        return cls(*(str(a.get(k) or "").strip() for k in ("country", "state", "postcode", "city")))

    @property
    def empty(self) -> bool:
        return not (self.country or self.state or self.postcode or self.city)


def order_address(order: Addressed) -> Address:
    """The shipping address when the order has one, else the billing address."""
    shipping = Address.from_rest(order.get("shipping"))
    return shipping if not shipping.empty else Address.from_rest(order.get("billing"))


# ---- text normalisation -------------------------------------------------------------------


def fold(text: str) -> str:
    """For comparing names people type: Unicode NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalize_postcode(postcode: str) -> str:
    """`wc_normalize_postcode`: upper case, no spaces or dashes (NFKC also turns Arabic-Indic
    digits and full-width characters into ASCII ones, which WooCommerce would not)."""
    text = unicodedata.normalize("NFKC", postcode).strip().upper()
    text = "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text)
    return re.sub(r"[\s\-]", "", text)


def _numeric_postcode(postcode: str) -> str:
    """`wc_make_numeric_postcode`: each digit and letter as two digits (A=01 … Z=26), others 00."""
    out = []
    for ch in postcode:
        if ch.isdigit():
            out.append(ch.zfill(2))
        elif "A" <= ch <= "Z":
            out.append(f"{ord(ch) - ord('A') + 1:02d}")
        else:
            out.append("00")
    return "".join(out)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?", text))


def postcode_matches(postcode: str, pattern: str) -> bool:
    """One postcode location against a postcode: exact, `PREFIX*`, or a range `MIN...MAX`."""
    code = normalize_postcode(postcode)
    if not code:
        return False
    if "..." in pattern:
        parts = [p.strip() for p in pattern.split("...")]
        if len(parts) != 2:
            return False
        low, high = (normalize_postcode(p) for p in parts)
        if _is_number(low) and _is_number(high):
            if _is_number(code):
                return float(low) <= float(code) <= float(high)
            return low <= code <= high
        compare = _numeric_postcode(code)
        low_n, high_n = (_numeric_postcode(p).ljust(len(compare), "0") for p in (low, high))
        return int(low_n) <= int(compare) <= int(high_n)
    wanted = normalize_postcode(pattern)
    if wanted.endswith("*"):
        return code.startswith(wanted[:-1])
    return code == wanted


# ---- zones --------------------------------------------------------------------------------


def state_code(country: str, state: str, states: Mapping[str, str] | None = None) -> str:
    """The WooCommerce state code of an address: codes as they are (upper case); a state written
    as its name ("Cairo", "cairo ") is looked up in the country's states list when we have it."""
    if not state:
        return ""
    code = state.strip().upper()
    if states and code not in states:
        by_name = {fold(name): c for c, name in states.items()}
        code = by_name.get(fold(state), code)
    return code


def _region_matches(location: Location, country: str, state: str) -> bool:
    code = location.code.strip().upper()
    if location.type == "country":
        return code == country
    if location.type == "state":
        return bool(state) and code == f"{country}:{state}"
    if location.type == "continent":
        return bool(country) and code == continent_of(country)
    return False


def match_zone(address: Address, zones: Iterable[Zone], states: Mapping[str, str] | None = None) -> Zone | None:
    """The zone WooCommerce would pick for this address; None = zone 0 (not covered)."""
    country = address.country.strip().upper()
    state = state_code(country, address.state, states)
    for zone in sorted((z for z in zones if z.id != REST_OF_WORLD), key=lambda z: (z.order, z.id)):
        regions = zone.regions
        if regions and not any(_region_matches(loc, country, state) for loc in regions):
            continue
        if zone.postcodes and not any(postcode_matches(address.postcode, p) for p in zone.postcodes):
            continue
        return zone
    return None


# ---- rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """`territory_rules` parsed: "zone:<name>" (or "zone:#<id>"), "state:<CC:STATE>",
    "postcode:<pattern>", "city:<name>" → territory name."""

    zones_by_name: dict[str, str] = field(default_factory=dict)  # folded zone name → territory
    zones_by_id: dict[int, str] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)  # "CC:STATE" → territory
    postcodes: tuple[tuple[str, str], ...] = ()  # (pattern, territory) in configuration order
    cities: dict[str, str] = field(default_factory=dict)  # folded city → territory
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, rules: Mapping[str, str] | None) -> Rules:
        by_name: dict[str, str] = {}
        by_id: dict[int, str] = {}
        states: dict[str, str] = {}
        postcodes: list[tuple[str, str]] = []
        cities: dict[str, str] = {}
        problems: list[str] = []
        for key, target in (rules or {}).items():
            kind, _, value = key.partition(":")
            kind, value, territory = kind.strip().lower(), value.strip(), " ".join(str(target).split())
            if kind not in RULE_PREFIXES or not value or not territory:
                problems.append(
                    f"territory rule {key!r} = {target!r}: use zone:/state:/postcode:/city:<value> = <territory name>"
                )
            elif kind == "zone" and re.fullmatch(r"#\d+", value):
                by_id[int(value[1:])] = territory
            elif kind == "zone":
                by_name[fold(value)] = territory
            elif kind == "state":
                states[value.upper().replace(" ", "")] = territory
            elif kind == "postcode":
                postcodes.append((value, territory))
            else:
                cities[fold(value)] = territory
        return cls(by_name, by_id, states, tuple(postcodes), cities, tuple(problems))

    def zone_territory(self, zone: Zone) -> str:
        """A zone's territory: its rule, else its name; zone 0 only by a rule."""
        ruled = self.zones_by_id.get(zone.id) or self.zones_by_name.get(fold(zone.name))
        if ruled:
            return ruled
        return "" if zone.id == REST_OF_WORLD else " ".join(zone.name.split())

    def targets(self) -> list[tuple[str, str]]:
        """(rule key, territory) of the state, postcode and city rules."""
        out = [(f"state:{k}", t) for k, t in self.states.items()]
        out += [(f"postcode:{p}", t) for p, t in self.postcodes]
        out += [(f"city:{c}", t) for c, t in self.cities.items()]
        return out


def territory_of(
    address: Address | Mapping[str, Any], zones: Iterable[Zone], rules: Rules, states: Mapping[str, str] | None = None
) -> str:
    """The territory of one address: city rule > postcode rule > state rule > the zone's rule or
    name > "" (zone 0 without a rule, or an empty address)."""
    a = address if isinstance(address, Address) else Address.from_rest(address)
    if a.empty:
        return ""
    if a.city and fold(a.city) in rules.cities:
        return rules.cities[fold(a.city)]
    for pattern, territory in rules.postcodes:
        if postcode_matches(a.postcode, pattern):
            return territory
    country = a.country.upper()
    state = state_code(country, a.state, states)
    if state and f"{country}:{state}" in rules.states:
        return rules.states[f"{country}:{state}"]
    zone_list = list(zones)
    zone = match_zone(a, zone_list, states)
    if zone is None:
        rest = next((z for z in zone_list if z.id == REST_OF_WORLD), Zone(REST_OF_WORLD, ""))
        return rules.zone_territory(rest)
    return rules.zone_territory(zone)


# ---- the tree -----------------------------------------------------------------------------


@dataclass
class TerritoryNode:
    name: str
    parent: str
    is_group: bool = False
    keys: list[str] = field(default_factory=list)  # what asks for it: "zone:<id>", "rule:<rule key>"


def desired_tree(
    zones: Iterable[Zone], rules: Rules, root: str, states: Mapping[str, str] | None = None, country: str = ""
) -> list[TerritoryNode]:
    """The territories woonext keeps under `root`, parents before children.

    One territory per zone (its rule or name; zone 0 only by a rule) directly under the root. A
    state rule's territory hangs under the territory of the first zone naming that state (else of
    the zone an address in that state without a postcode falls in); postcode
    and city rules' territories under the root. Names are unique case-insensitively, as in ERPNext:
    two zones ruled into one territory share it.
    """
    nodes: dict[str, TerritoryNode] = {}
    root_key = fold(root)

    def add(name: str, parent: str, key: str) -> None:
        if not name or fold(name) == root_key:
            return
        node = nodes.setdefault(fold(name), TerritoryNode(name, parent))
        node.keys.append(key)

    zone_list = sorted(zones, key=lambda z: (z.order, z.id))
    for zone in zone_list:
        add(rules.zone_territory(zone), root, f"zone:{zone.id}")
    for rule_key, territory in rules.targets():
        parent = root
        if rule_key.startswith("state:"):
            cc, _, st = rule_key[len("state:") :].partition(":")
            covering = _zone_naming_state(zone_list, f"{cc}:{st}".upper()) or match_zone(
                Address(country=cc, state=st), zone_list, states if cc == country else None
            )
            zone_territory = rules.zone_territory(covering) if covering is not None else ""
            if zone_territory and fold(zone_territory) != fold(territory):
                parent = zone_territory
        add(territory, parent, f"rule:{rule_key}")
    for node in nodes.values():
        above = nodes.get(fold(node.parent))
        if above is not None:
            above.is_group = True
    return _parents_first(list(nodes.values()), root)


def _zone_naming_state(zones: list[Zone], code: str) -> Zone | None:
    """The first zone with a state location for `code` (postcode limits aside)."""
    return next(
        (
            z
            for z in zones
            if z.id != REST_OF_WORLD and any(loc.type == "state" and loc.code.upper() == code for loc in z.locations)
        ),
        None,
    )


def _parents_first(nodes: list[TerritoryNode], root: str) -> list[TerritoryNode]:
    placed = {fold(root)}
    out: list[TerritoryNode] = []
    pending = list(nodes)
    while pending:
        ready = [n for n in pending if fold(n.parent) in placed]
        if not ready:  # cannot happen with parents that are the root or a zone territory; be safe
            ready = pending
            for n in ready:
                n.parent = root
        for n in ready:
            placed.add(fold(n.name))
            out.append(n)
        pending = [n for n in pending if n not in ready]
    return out


@dataclass(frozen=True)
class ZoneBook:
    """What territory decisions need for one store, read once per run: its zones with their
    locations, its country's states (code → name), the parsed rules, and the ERPNext territories
    that exist (folded name → name), since an invoice may only link to an existing one."""

    zones: tuple[Zone, ...] = ()
    rules: Rules = field(default_factory=Rules)
    country: str = ""
    states: dict[str, str] = field(default_factory=dict)
    territories: dict[str, str] = field(default_factory=dict)

    def territory_of(self, address: Address | Mapping[str, Any]) -> str:
        """The existing ERPNext territory of an address ("" when none applies or it does not exist)."""
        wanted = territory_of(address, self.zones, self.rules, self.states)
        return self.territories.get(fold(wanted), "") if wanted else ""
