"""The onboarding starting point (`woonext sim up --erpnext-state bare`): an ERPNext right after its
setup wizard, and a store set up unlike woonext's defaults, as real shops are.

The store keeps its delivery slots under `delivery_date` / `delivery_time_from` / `delivery_duration`
(no leading underscore, as a real store did), lists bacs, cheque and cod all disabled (sample 50)
while its older orders still use cod, and takes valU, which woonext has no default for.
"""

from __future__ import annotations

from .erpnext import ErpSim
from .erpnext.wizard import seed_wizard
from .generator_masters import ABBR, COMPANY
from .masters import Masters

STATES = ("seeded", "bare")
BARE_DELIVERY_KEYS = ("delivery_date", "delivery_time_from", "delivery_duration")
BARE_GATEWAYS = {
    "bacs": False,
    "cheque": False,
    "cod": False,
    "instapay": True,
    "kashier_card": True,
    "kashier_wallet": True,
    "valu": True,
    "fawry": False,  # installed, off: an operator may switch it on before any order used it
}


def seed_bare(erp: ErpSim, currency: str) -> Masters:
    """The ERPNext side: the wizard's company (same name and abbreviation as the seeded state)."""
    return seed_wizard(erp, company=COMPANY, abbr=ABBR, currency=currency)
