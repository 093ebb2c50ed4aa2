"""Generated shoppers: registered customers and guests with Egyptian addresses.

Repeat guests are the hard case for customer matching: the same person writes the same mobile
number in different formats and changes the case of the e-mail address (observed-real §11).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .generator_time import wc_dates

FIRST_NAMES = [
    "Mona",
    "Ahmed",
    "Aya",
    "Hany",
    "Khaled",
    "Heba",
    "Noha",
    "Tarek",
    "Fatma",
    "Amr",
    "Yasmine",
    "Eman",
    "Omar",
    "Sara",
    "Mahmoud",
    "Nour",
    "Karim",
    "Dina",
    "Youssef",
    "Reem",
    "Mostafa",
    "Salma",
    "Hassan",
    "Laila",
    "Ibrahim",
    "Mariam",
    "Sherif",
    "Rana",
    "Tamer",
    "Hala",
]
LAST_NAMES = [
    "Hassan",
    "Mostafa",
    "Reda",
    "Shaker",
    "Ezzat",
    "Mansour",
    "Saber",
    "Mahmoud",
    "Zaki",
    "Nabil",
    "Ashraf",
    "Helmy",
    "Farouk",
    "Soliman",
    "Abdelrahman",
    "Gamal",
    "Fawzy",
    "Kamel",
    "Naguib",
    "Said",
]
STREETS = [
    "El Tahrir St",
    "Gameat El Dewal St",
    "26th of July St",
    "Abbas El Akkad St",
    "El Haram St",
    "Corniche El Nil",
    "Makram Ebeid St",
    "Fouad St",
    "El Nasr Rd",
    "Salah Salem St",
    "El Merghany St",
    "Mohamed Farid St",
]
# state code → [(city, postcode)]; weights favour Cairo and Giza like a Cairo-based shop.
PLACES: dict[str, list[tuple[str, str]]] = {
    "EGC": [
        ("Nasr City", "11765"),
        ("Heliopolis", "11757"),
        ("Maadi", "11728"),
        ("Zamalek", "11211"),
        ("New Cairo", "11835"),
    ],
    "EGGZ": [("Dokki", "12611"), ("Mohandessin", "12655"), ("6th of October", "12573"), ("Haram", "12556")],
    "EGALX": [("Smouha", "21615"), ("Sidi Gaber", "21523"), ("Miami", "21919")],
    "EGDK": [("Mansoura", "35511")],
    "EGSHR": [("Zagazig", "44511")],
    "EGKB": [("Banha", "13511")],
    "EGPTS": [("Port Said", "42511")],
    "EGLX": [("Luxor", "85951")],
    "EGASN": [("Aswan", "81511")],
}
STATE_WEIGHTS = {
    "EGC": 40,
    "EGGZ": 25,
    "EGALX": 12,
    "EGDK": 5,
    "EGSHR": 4,
    "EGKB": 4,
    "EGPTS": 4,
    "EGLX": 3,
    "EGASN": 3,
}
MOBILE_PREFIXES = ["10", "11", "12", "15"]


def phone_formats(national: str) -> list[str]:
    """One Egyptian mobile (`01012345678`) in the ways people type it."""
    rest = national[1:]  # 1012345678
    return [national, f"+20 {rest[:2]} {rest[2:6]} {rest[6:]}", f"0020-{rest}", f"(+20) {rest}", f"+20{rest}"]


def vary_email_case(rng: random.Random, email: str) -> str:
    local, _, domain = email.partition("@")
    style = rng.choice(["lower", "title", "upper-domain", "upper"])
    if style == "title":
        return f"{local.title()}@{domain}"
    if style == "upper-domain":
        return f"{local}@{domain.upper()}"
    if style == "upper":
        return email.upper()
    return email


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str
    mobile: str  # national format, 11 digits
    state: str
    city: str
    postcode: str
    street: str
    customer_id: int = 0  # 0 = guest
    orders: int = field(default=0)

    def address(self, *, with_email: bool, phone: str | None = None, email: str | None = None) -> dict[str, Any]:
        out = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": "",
            "address_1": self.street,
            "address_2": "",
            "city": self.city,
            "state": self.state,
            "postcode": self.postcode,
            "country": "EG",
        }
        if with_email:
            out["email"] = email or self.email
        out["phone"] = phone or self.mobile
        return out


def make_person(rng: random.Random, n: int) -> Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    state = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
    city, postcode = rng.choice(PLACES[state])
    mobile = "0" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    email = f"{first.lower()}.{last.lower()}{n}@example.test"
    street = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
    return Person(first, last, email, mobile, state, city, postcode, street)


def customer_json(person: Person, when: datetime) -> dict[str, Any]:
    """A registered customer as `GET /customers/{id}` shows it."""
    return {
        "id": person.customer_id,
        **wc_dates("date_created", when),
        **wc_dates("date_modified", when + timedelta(minutes=1)),
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "role": "customer",
        "username": person.email.split("@")[0],
        "billing": person.address(with_email=True),
        "shipping": person.address(with_email=False),
        "is_paying_customer": False,
        "avatar_url": "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g",
        "meta_data": [],
    }


def make_people(
    rng: random.Random, registered: int, guests: int, first_customer_id: int = 2
) -> tuple[list[Person], list[Person]]:
    members = [make_person(rng, i) for i in range(registered)]
    for offset, person in enumerate(members):
        person.customer_id = first_customer_id + offset
    visitors = [make_person(rng, registered + i) for i in range(guests)]
    return members, visitors
