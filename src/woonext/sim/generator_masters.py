"""The ERPNext side of a generated (or imported) store: company, chart of accounts, items, stock,
modes of payment, exchange rates — what woonext's setup check expects to find."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .masters import AccountSpec, ItemSpec, Masters, ModeOfPaymentSpec

COMPANY, ABBR = "Jarz Test", "JT"
WAREHOUSE = f"Jarz Main - {ABBR}"
STOCK_PER_ITEM = Decimal("100000")
SERVICE_ITEMS = ("Shipping", "Fee", "Refund")
EXCHANGE_TO_EGP = {"USD": Decimal("48.50"), "EUR": Decimal("52.60")}
# custom_payment_method (the Select on Sales Invoice) → (Mode of Payment type, default account)
MODES_OF_PAYMENT = {
    "Cash": ("Cash", f"Cash - {ABBR}"),
    "Instapay": ("Bank", f"Instapay - {ABBR}"),
    "Kashier Card": ("Bank", f"Kashier - {ABBR}"),
    "Kashier Wallet": ("Phone", f"Kashier - {ABBR}"),
    "Mobile Wallet": ("Phone", f"Mobile Wallet - {ABBR}"),
}


def _rate(from_currency: str, to_currency: str) -> Decimal:
    """Exchange rate between two currencies we know an EGP rate for (0 = unknown)."""
    egp_per = {"EGP": Decimal(1), **EXCHANGE_TO_EGP}
    if from_currency not in egp_per or to_currency not in egp_per:
        return Decimal(0)
    return (egp_per[from_currency] / egp_per[to_currency]).quantize(Decimal("0.000000001")).normalize()


def _a(name: str, account_type: str, root_type: str) -> AccountSpec:
    return AccountSpec(name=f"{name} - {ABBR}", account_type=account_type, root_type=root_type)


def base_accounts() -> list[AccountSpec]:
    return [
        _a("Debtors", "Receivable", "Asset"),
        _a("Cash", "Cash", "Asset"),
        _a("Kashier", "Bank", "Asset"),
        _a("Instapay", "Bank", "Asset"),
        _a("Mobile Wallet", "Bank", "Asset"),
        # Historical (migrated) payments land here instead of a real bank account.
        _a("Woo Clearing", "", "Asset"),
        _a("Stock In Hand", "Stock", "Asset"),
        _a("Sales", "Income Account", "Income"),
        _a("Shipping Income", "Income Account", "Income"),
        _a("Freight and Forwarding Charges", "Chargeable", "Expense"),
        _a("Cost of Goods Sold", "Cost of Goods Sold", "Expense"),
        _a("Stock Adjustment", "Stock Adjustment", "Expense"),
        _a("Round Off", "Round Off", "Expense"),
    ]


def tax_account_name(label: str, rate_percent: Any) -> str:
    pct = Decimal(str(rate_percent or 0)).normalize()
    label = label.strip() or "Tax"
    return f"{label} {pct:f}% - {ABBR}"


def masters_for(
    skus: Mapping[str, tuple[str, Decimal]],
    tax_accounts: Iterable[str],
    currencies: Iterable[str],
    currency: str = "EGP",
) -> Masters:
    """Masters with the given items (sku → (name, rate)), tax accounts and currencies; `currency`
    is the company's, the others get an exchange rate into it."""
    accounts = base_accounts() + [
        AccountSpec(name=a, account_type="Tax", root_type="Liability") for a in dict.fromkeys(tax_accounts)
    ]
    items = [ItemSpec(item_code=sku, item_name=name[:140], standard_rate=rate) for sku, (name, rate) in skus.items()]
    items += [ItemSpec(item_code=s, item_name=s, is_stock_item=0, item_group="Services") for s in SERVICE_ITEMS]
    used = list(dict.fromkeys([currency, *currencies]))
    return Masters(
        company=COMPANY,
        abbr=ABBR,
        currency=currency,
        accounts=accounts,
        default_receivable_account=f"Debtors - {ABBR}",
        default_income_account=f"Sales - {ABBR}",
        default_cash_account=f"Cash - {ABBR}",
        round_off_account=f"Round Off - {ABBR}",
        kashier_account=f"Kashier - {ABBR}",
        warehouses=[WAREHOUSE],
        default_warehouse=WAREHOUSE,
        items=items,
        stock={(i.item_code, WAREHOUSE): STOCK_PER_ITEM for i in items if i.is_stock_item},
        price_lists=["Standard Selling"],
        modes_of_payment=[ModeOfPaymentSpec(name=n, type=t, account=a) for n, (t, a) in MODES_OF_PAYMENT.items()],
        currencies=list(dict.fromkeys([*used, "EGP", "USD", "EUR"])),
        exchange_rates={(c, currency): _rate(c, currency) for c in used if c != currency and _rate(c, currency)},
    )


def line_sku(line: Mapping[str, Any]) -> str:
    """The item code an order line maps to (its SKU; a stable stand-in when the product had none)."""
    sku = line.get("sku")
    if sku:
        return str(sku)
    return f"WOO-{line.get('product_id', 0)}-{line.get('variation_id', 0)}"


def tax_map_for_orders(orders: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """rate_id → account head, named after the label and percentage seen on the orders' tax lines."""
    found: dict[str, str] = {}
    for order in orders:
        for tax in order.get("tax_lines") or []:
            rid = str(tax.get("rate_id"))
            if rid not in found:
                found[rid] = tax_account_name(str(tax.get("label") or ""), tax.get("rate_percent"))
    # Two rates with the same label and percentage must still book to distinct accounts.
    counts: dict[str, int] = {}
    for account in found.values():
        counts[account] = counts.get(account, 0) + 1
    return {
        rid: (acc if counts[acc] == 1 else acc.replace(f" - {ABBR}", f" ({rid}) - {ABBR}"))
        for rid, acc in found.items()
    }


def masters_for_orders(orders: list[dict]) -> Masters:
    """Masters for importing these WooCommerce orders: items for their SKUs, tax accounts for their
    rate ids, their currencies."""
    skus: dict[str, tuple[str, Decimal]] = {}
    for order in orders:
        for line in order.get("line_items") or []:
            qty = int(line.get("quantity") or 0) or 1
            rate = (Decimal(str(line.get("total") or "0")) / qty).quantize(Decimal("0.01"))
            skus.setdefault(line_sku(line), (str(line.get("name") or line_sku(line)), rate))
    currencies = [str(o.get("currency") or "EGP") for o in orders]
    return masters_for(skus, tax_map_for_orders(orders).values(), currencies)
