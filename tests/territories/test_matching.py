"""Pure rules: WooCommerce's zone matching, the configured precedence, and the desired tree."""

from __future__ import annotations

from woonext.mapping.territory import (
    Address,
    Rules,
    Zone,
    desired_tree,
    match_zone,
    normalize_postcode,
    order_address,
    postcode_matches,
    territory_of,
)

STATES = {"EGC": "Cairo", "EGGZ": "Giza", "EGALX": "Alexandria", "EGASN": "Aswan"}


def zone(zid: int, name: str, order: int, *locations: tuple[str, str]) -> Zone:
    return Zone.from_rest(
        {"id": zid, "name": name, "order": order, "locations": [{"code": c, "type": t} for c, t in locations]}
    )


ZONES = [
    zone(0, "Locations not covered by your other zones", 0),
    zone(1, "Cairo", 1, ("EG:EGC", "state")),
    zone(2, "Giza", 2, ("EG:EGGZ", "state")),
    zone(3, "Alexandria City", 3, ("EG:EGALX", "state"), ("21*", "postcode")),
    zone(4, "Upper Egypt", 4, ("EG:EGASN", "state"), ("81000...81999", "postcode")),
    zone(5, "Rest of Egypt", 5, ("EG", "country")),
    zone(6, "Africa", 6, ("AF", "continent")),
]


def eg(state: str = "", postcode: str = "", city: str = "", country: str = "EG") -> Address:
    return Address(country=country, state=state, postcode=postcode, city=city)


def test_postcode_patterns_follow_woocommerce() -> None:
    assert postcode_matches("21500", "21*")
    assert postcode_matches("21 500", "21*")  # spaces and dashes are dropped before comparing
    assert not postcode_matches("12150", "21*")
    assert postcode_matches("21500", "21500")
    assert not postcode_matches("", "*")
    assert postcode_matches("81234", "81000...81999")
    assert postcode_matches("81000", "81000 ... 81999")
    assert not postcode_matches("82000", "81000...81999")
    assert not postcode_matches("8100", "81000...81999")  # numeric, not string, comparison
    assert postcode_matches("AB15", "AB10...AB20")  # letters made numeric like wc_make_numeric_postcode
    assert not postcode_matches("AB25", "AB10...AB20")
    assert postcode_matches("sw1a-1aa", "SW1A*")  # case-insensitive
    assert normalize_postcode("٢١٥٠٠") == "21500"  # Arabic-Indic digits read as ASCII
    assert postcode_matches("٢١٥٠٠", "21*")


def test_zones_match_in_order_with_postcode_restrictions() -> None:
    assert match_zone(eg("EGC"), ZONES).id == 1
    assert match_zone(eg("egc"), ZONES).id == 1  # WooCommerce upper-cases the state
    # Alexandria with a 21… postcode is its zone; without one it falls through to "Rest of Egypt".
    assert match_zone(eg("EGALX", "21500"), ZONES).id == 3
    assert match_zone(eg("EGALX", "11511"), ZONES).id == 5
    assert match_zone(eg("EGALX"), ZONES).id == 5
    assert match_zone(eg("EGASN", "81500"), ZONES).id == 4
    assert match_zone(eg("EGASN", "85000"), ZONES).id == 5
    # A continent location; another continent matches no zone (zone 0).
    assert match_zone(eg(country="MA"), ZONES).id == 6
    assert match_zone(eg(country="FR"), ZONES) is None
    # Order decides, then id: a later-ordered zone never wins over an earlier one.
    swapped = [zone(9, "All Egypt first", 0, ("EG", "country")), *ZONES]
    assert match_zone(eg("EGC"), swapped).id == 9


def test_zone_without_regions_matches_everywhere_and_postcode_only_zone() -> None:
    zones = [zone(1, "Pickup postcodes", 1, ("11511", "postcode")), zone(2, "Everywhere", 2)]
    assert match_zone(eg("EGC", "11511"), zones).id == 1
    assert match_zone(eg(country="FR", postcode="11511"), zones).id == 1
    assert match_zone(eg("EGC", "11512"), zones).id == 2


def test_state_written_as_its_name() -> None:
    assert match_zone(eg("Giza"), ZONES, STATES).id == 2
    assert match_zone(eg(" giza "), ZONES, STATES).id == 2
    assert match_zone(eg("Giza"), ZONES).id == 5  # without the states list it is an unknown code


def test_precedence_city_postcode_state_zone() -> None:
    rules = Rules.parse(
        {
            "city:New Cairo": "New Cairo",
            "postcode:11835": "Fifth Settlement",
            "state:EG:EGGZ": "Giza Governorate",
            "zone:cairo": "Greater Cairo",
        }
    )
    assert territory_of(eg("EGC", "11835", "new  cairo"), ZONES, rules) == "New Cairo"  # city wins
    assert territory_of(eg("EGC", "11835", "Nasr City"), ZONES, rules) == "Fifth Settlement"
    assert territory_of(eg("EGGZ", "12611", "Dokki"), ZONES, rules) == "Giza Governorate"
    assert territory_of(eg("EGC", "11511", "Downtown"), ZONES, rules) == "Greater Cairo"  # zone rule, any case
    assert territory_of(eg("EGALX", "21500"), ZONES, rules) == "Alexandria City"  # default: the zone name
    assert territory_of(eg("EGASN", "85000"), ZONES, rules) == "Rest of Egypt"


def test_zone_zero_maps_to_nothing_unless_a_rule_says_so() -> None:
    assert territory_of(eg(country="FR"), ZONES, Rules.parse({})) == ""
    assert territory_of(Address(), ZONES, Rules.parse({"zone:#0": "Abroad"})) == ""  # no address, no territory
    assert territory_of(eg(country="FR"), ZONES, Rules.parse({"zone:#0": "Abroad"})) == "Abroad"
    by_name = Rules.parse({"zone:Locations not covered by your other zones": "International"})
    assert territory_of(eg(country="DE"), ZONES, by_name) == "International"


def test_unicode_names_fold() -> None:
    zones = [zone(1, "Ｃａｉｒｏ", 1, ("EG:EGC", "state"))]  # full-width letters
    rules = Rules.parse({"zone:cairo": "القاهرة", "city:İSKENDERİYE": "Iskenderiye"})
    assert territory_of(eg("EGC"), zones, rules) == "القاهرة"
    assert territory_of(eg("EGALX", city="i̇skenderi̇ye"), zones, rules) == "Iskenderiye"


def test_bad_rules_are_reported() -> None:
    rules = Rules.parse({"province:EG:EGC": "Cairo", "zone:": "X", "city:Giza": ""})
    assert len(rules.problems) == 3


def test_order_address_prefers_shipping() -> None:
    order = {"billing": {"country": "EG", "state": "EGC"}, "shipping": {"country": "EG", "state": "EGGZ"}}
    assert order_address(order).state == "EGGZ"
    order["shipping"] = {"first_name": "", "country": "", "state": "", "postcode": "", "city": ""}
    assert order_address(order).state == "EGC"


def test_desired_tree() -> None:
    rules = Rules.parse(
        {
            "state:EG:EGC": "Cairo Downtown",
            "zone:Giza": "Cairo",
            "postcode:11835": "Fifth Settlement",
            "state:EG:EGASN": "Aswan",
        }
    )
    tree = desired_tree(ZONES, rules, "Egypt", STATES, "EG")
    by_name = {n.name: n for n in tree}
    # Zone "Cairo" and zone "Giza" (ruled into "Cairo") share one territory; zone 0 is absent.
    assert set(by_name) == {
        "Cairo",
        "Alexandria City",
        "Upper Egypt",
        "Rest of Egypt",
        "Africa",
        "Cairo Downtown",
        "Fifth Settlement",
        "Aswan",
    }
    assert (
        by_name["Cairo"].keys
        == [
            "zone:1",
            "zone:2",
        ]
        and by_name["Cairo"].is_group
    )
    assert by_name["Cairo Downtown"].parent == "Cairo"
    assert by_name["Aswan"].parent == "Upper Egypt"  # the zone covering the state (postcode-limited or not)
    assert by_name["Fifth Settlement"].parent == "Egypt"
    assert not by_name["Rest of Egypt"].is_group
    names = [n.name for n in tree]
    assert names.index("Cairo") < names.index("Cairo Downtown")
