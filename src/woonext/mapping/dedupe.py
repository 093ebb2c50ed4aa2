"""Which ERPNext Customers are one person, and which of those can be merged without asking anyone.

Pure: the facts about each Customer go in (names, flags, the e-mails and phones of its contacts),
a plan comes out. Customers are grouped when they share a normalised e-mail or phone (connected
components: A shares a phone with B and B an e-mail with C makes one group). Inside a group, a
link is *proof* when it is a shared e-mail, or a shared phone between compatible names; a phone
shared by "Mona Hassan" and "Ahmed Ali" is a household, not a person. Each set of customers tied
together by proof is merged into one survivor unless something makes the merge a decision for a
person: two different WooCommerce accounts, an internal customer, different customer types,
currencies or receivable accounts. Everything else in a group is listed with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from woonext.mapping.identity import latin_digits, normalise_email, normalise_phone

EMAIL = "email"
PHONE = "phone"

# Why a group is left for a person (stable codes; the detail says it in words).
DIFFERENT_WOO_CUSTOMERS = "different_woo_customers"
INTERNAL_CUSTOMER = "internal_customer"
DIFFERENT_CUSTOMER_TYPE = "different_customer_type"
DIFFERENT_CURRENCY = "different_currency"
DIFFERENT_PARTY_ACCOUNTS = "different_party_accounts"
DISABLED_SURVIVOR = "disabled_survivor"
NAMES_DIFFER = "names_differ"

_COLLISION_SUFFIX = re.compile(r"\s+-\s+\d+$")  # ERPNext's "Mona Hassan - 2" for a second "Mona Hassan"
_PLACEHOLDER = re.compile(r"^(guest(\s+\d+)?|customer|unknown|n/?a)?$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CustomerFacts:
    """One ERPNext Customer as the plan sees it."""

    name: str
    customer_name: str = ""
    customer_type: str = ""
    disabled: bool = False
    creation: str = ""  # ERPNext's "YYYY-MM-DD HH:MM:SS.ffffff": sorts as text
    woo_customer_id: str = ""
    customer_key: str = ""  # woonext_customer_key, "<store>:<identity>"
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    region: str = ""  # ISO country for phones written without a country code
    default_currency: str = ""
    internal: bool = False
    party_accounts: tuple[tuple[str, str], ...] = ()  # (company, receivable account)

    @property
    def store(self) -> str:
        return self.customer_key.split(":", 1)[0] if ":" in self.customer_key else ""

    @property
    def woo_account(self) -> tuple[str, str] | None:
        """A WooCommerce customer id means something only within its store."""
        return (self.store, self.woo_customer_id) if self.woo_customer_id else None

    @property
    def label(self) -> str:
        return self.customer_name or self.name


@dataclass(frozen=True)
class Evidence:
    """One e-mail or phone (normalised) that several customers share, and how each wrote it."""

    kind: str
    value: str
    customers: tuple[str, ...]
    written: tuple[str, ...]

    def describe(self) -> str:
        spelled = ", ".join(f"'{w}'" for w in self.written)
        return f"{self.kind} {self.value} ({spelled}) on {', '.join(self.customers)}"


@dataclass(frozen=True)
class Merge:
    """Merge each of `merged` into `survivor` (ERPNext rename with merge)."""

    survivor: str
    merged: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    survivor_reason: str


@dataclass(frozen=True)
class Review:
    """Customers that look like one person but need a person to decide."""

    customers: tuple[str, ...]
    reason: str
    detail: str
    evidence: tuple[Evidence, ...]

    @property
    def key(self) -> str:
        """Stable across runs (after the provable merges of the group were applied)."""
        return "|".join(sorted(self.customers))


@dataclass(frozen=True)
class DedupePlan:
    merges: tuple[Merge, ...] = ()
    review: tuple[Review, ...] = ()
    customers: int = 0

    @property
    def duplicates(self) -> int:
        return sum(len(m.merged) for m in self.merges)


@dataclass
class _Sets:
    """Union-find over customer names."""

    parent: dict[str, str] = field(default_factory=dict)

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self, members: Iterable[str]) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for m in members:
            out.setdefault(self.find(m), []).append(m)
        return [sorted(g) for g in out.values()]


def identity_values(c: CustomerFacts) -> dict[tuple[str, str], set[str]]:
    """(kind, normalised value) → how this customer wrote it."""
    out: dict[tuple[str, str], set[str]] = {}
    for raw in c.emails:
        if value := normalise_email(raw):
            out.setdefault((EMAIL, value), set()).add(str(raw).strip())
    for raw in c.phones:
        if value := normalise_phone(raw, c.region):
            out.setdefault((PHONE, value), set()).add(str(raw).strip())
    return out


def _tokens(name: str) -> list[str]:
    text = _COLLISION_SUFFIX.sub("", latin_digits(name).strip()).casefold()
    if "@" in text or _PLACEHOLDER.match(text):
        return []  # an e-mail or a placeholder says nothing about who it is
    return _WORD.findall(text)


def names_compatible(a: str, b: str) -> bool:
    """Could these be one person's names? Every word of the shorter appears in the longer (an
    initial matches the word it starts); a missing or placeholder name contradicts nothing."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return True
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return all(any(s == w or (len(s) == 1 and w.startswith(s)) for w in long) for s in short)


def _shared(members: list[str], values: dict[str, dict[tuple[str, str], set[str]]]) -> list[Evidence]:
    holders: dict[tuple[str, str], list[str]] = {}
    for m in members:
        for key in values[m]:
            holders.setdefault(key, []).append(m)
    out = []
    for (kind, value), names in sorted(holders.items()):
        if len(names) > 1:
            written = sorted({w for n in names for w in values[n][(kind, value)]})
            out.append(Evidence(kind, value, tuple(sorted(names)), tuple(written)))
    return out


def _survivor(members: list[CustomerFacts]) -> tuple[CustomerFacts, str]:
    """The WooCommerce-bound one, else an enabled one, else the oldest (then by name)."""
    ranked = sorted(members, key=lambda c: (c.woo_customer_id == "", c.disabled, c.creation or "~", c.name))
    best = ranked[0]
    if best.woo_customer_id:
        return best, f"bound to WooCommerce customer {best.woo_customer_id}"
    if not best.disabled and any(c.disabled for c in members):
        return best, f"the oldest enabled one (created {best.creation})"
    return best, f"the oldest (created {best.creation})"


def _blocker(members: list[CustomerFacts], survivor: CustomerFacts) -> tuple[str, str] | None:
    """Why merging these automatically would be wrong, if anything."""
    accounts = sorted({c.woo_account for c in members if c.woo_account})
    if len(accounts) > 1:
        listed = ", ".join(f"{cid} in store {store or '?'}" for store, cid in accounts)
        return DIFFERENT_WOO_CUSTOMERS, f"they are different WooCommerce customers ({listed})"
    internal = [c.name for c in members if c.internal]
    if internal:
        return INTERNAL_CUSTOMER, f"{', '.join(internal)} represents a company of yours (internal customer)"
    for attr, code, what in (
        ("customer_type", DIFFERENT_CUSTOMER_TYPE, "customer types"),
        ("default_currency", DIFFERENT_CURRENCY, "default currencies"),
    ):
        seen = sorted({getattr(c, attr) for c in members if getattr(c, attr)})
        if len(seen) > 1:
            return code, f"different {what}: {', '.join(seen)}"
    by_company: dict[str, set[str]] = {}
    for c in members:
        for company, account in c.party_accounts:
            by_company.setdefault(company, set()).add(account)
    clash = sorted(company for company, accounts_ in by_company.items() if len(accounts_) > 1)
    if clash:
        return DIFFERENT_PARTY_ACCOUNTS, f"different receivable accounts for {', '.join(clash)}"
    if survivor.disabled and any(not c.disabled for c in members):
        return DISABLED_SURVIVOR, f"{survivor.name} holds the WooCommerce account but is disabled"
    return None


def plan_dedupe(customers: Iterable[CustomerFacts]) -> DedupePlan:
    facts = {c.name: c for c in customers}
    values = {name: identity_values(c) for name, c in facts.items()}
    holders: dict[tuple[str, str], list[str]] = {}
    for name in sorted(facts):
        for key in values[name]:
            holders.setdefault(key, []).append(name)
    linked = _Sets()
    proven = _Sets()
    for (kind, _), names in holders.items():
        for a in names[1:]:
            linked.union(names[0], a)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if kind == EMAIL or names_compatible(facts[a].label, facts[b].label):
                    proven.union(a, b)
    merges: list[Merge] = []
    review: list[Review] = []
    grouped = sorted({n for names in holders.values() if len(names) > 1 for n in names})
    for group in linked.groups(grouped):
        after: dict[str, str] = {}  # member → the name it will have once the provable merges ran
        for cluster in proven.groups(group):
            members = [facts[n] for n in cluster]
            survivor, why = _survivor(members)
            if len(cluster) == 1:
                after[cluster[0]] = cluster[0]
                continue
            evidence = tuple(_shared(cluster, values))
            blocked = _blocker(members, survivor)
            if blocked is not None:
                review.append(Review(tuple(cluster), blocked[0], blocked[1], evidence))
                after.update({n: n for n in cluster})
                continue
            merged = tuple(n for n in cluster if n != survivor.name)
            merges.append(Merge(survivor.name, merged, evidence, why))
            after.update({n: survivor.name for n in cluster})
        survivors = sorted(set(after.values()))
        if len(survivors) > 1 and not _all_reviewed(review, survivors):
            # only phones tie proven sets together here: a shared e-mail would have proven them one
            weak = [e for e in _shared(group, values) if len({proven.find(n) for n in e.customers}) > 1]
            listed = "; ".join(repr(s) if facts[s].label == s else f"{facts[s].label!r} ({s})" for s in survivors)
            detail = f"they share {', '.join(f'{e.kind} {e.value}' for e in weak)} but their names differ: {listed}"
            review.append(Review(tuple(survivors), NAMES_DIFFER, detail, tuple(weak)))
    merges.sort(key=lambda m: m.survivor)
    review.sort(key=lambda r: r.key)
    return DedupePlan(tuple(merges), tuple(review), len(facts))


def _all_reviewed(review: list[Review], survivors: list[str]) -> bool:
    """A group that is a single blocked cluster was already listed with its own reason."""
    return any(set(r.customers) == set(survivors) for r in review)
