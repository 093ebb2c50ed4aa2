"""`woonext setup`: the custom fields the sync needs, created idempotently, then a checklist of
every prerequisite in ERPNext with how to fix what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from woonext.erpnext.errors import ErpError
from woonext.mapping.keys import SYNC_KEY_FIELD
from woonext.sync.context import StoreContext

PAYMENT_METHOD_OPTIONS = ["", "Cash", "Instapay", "Mobile Wallet", "Kashier Card", "Kashier Wallet"]
CUSTOMER_KEY_FIELD = "woonext_customer_key"


def custom_fields(extra_payment_options: list[str] | None = None) -> list[dict[str, Any]]:
    """The Custom Field documents woonext relies on (ERPNext names them "{dt}-{fieldname}")."""
    options = list(PAYMENT_METHOD_OPTIONS)
    for value in extra_payment_options or []:
        if value not in options:
            options.append(value)
    sync_key = {
        "fieldname": SYNC_KEY_FIELD,
        "label": "Woonext Sync Key",
        "fieldtype": "Data",
        "unique": 1,
        "no_copy": 1,
        "read_only": 1,
        "in_standard_filter": 1,
    }
    return [
        {
            "dt": "Sales Invoice",
            "fieldname": "custom_payment_method",
            "label": "Payment Method",
            "fieldtype": "Select",
            "options": "\n".join(options),
            "insert_after": "customer",
        },
        {
            "dt": "Sales Invoice",
            "fieldname": "woo_order_id",
            "label": "Woo Order ID",
            "fieldtype": "Data",
            "insert_after": "custom_payment_method",
            "no_copy": 1,
            "in_standard_filter": 1,
        },
        {
            "dt": "Sales Invoice",
            "fieldname": "woo_order_number",
            "label": "Woo Order Number",
            "fieldtype": "Data",
            "insert_after": "woo_order_id",
            "no_copy": 1,
        },
        {
            "dt": "Sales Invoice",
            "fieldname": "custom_delivery_date",
            "label": "Delivery Date",
            "fieldtype": "Date",
            "insert_after": "woo_order_number",
        },
        {
            "dt": "Sales Invoice",
            "fieldname": "custom_delivery_time_from",
            "label": "Delivery Time From",
            "fieldtype": "Time",
            "insert_after": "custom_delivery_date",
        },
        {
            "dt": "Sales Invoice",
            "fieldname": "custom_delivery_duration",
            "label": "Delivery Duration (seconds)",
            "fieldtype": "Int",
            "insert_after": "custom_delivery_time_from",
        },
        {"dt": "Sales Invoice", "insert_after": "custom_delivery_duration", **sync_key},
        {"dt": "Payment Entry", "insert_after": "reference_date", **sync_key},
        {
            "dt": "Company",
            "fieldname": "custom_kashier_account",
            "label": "Kashier Account",
            "fieldtype": "Link",
            "options": "Account",
            "insert_after": "default_cash_account",
        },
        {
            "dt": "Customer",
            "fieldname": "woo_customer_id",
            "label": "Woo Customer ID",
            "fieldtype": "Data",
            "insert_after": "customer_name",
            "no_copy": 1,
        },
        {
            "dt": "Customer",
            "fieldname": CUSTOMER_KEY_FIELD,
            "label": "Woonext Customer Key",
            "fieldtype": "Data",
            "insert_after": "woo_customer_id",
            "unique": 1,
            "no_copy": 1,
            "read_only": 1,
        },
        # The one Contact per Customer and its Addresses carry our key, so a lost response is looked up.
        {"dt": "Contact", "insert_after": "is_primary_contact", **sync_key},
        {"dt": "Address", "insert_after": "is_shipping_address", **sync_key},
        # The catalog bridge (docs/catalog.md): which WooCommerce product / variation an Item is.
        {
            "dt": "Item",
            "fieldname": "woo_product_id",
            "label": "Woo Product ID",
            "fieldtype": "Data",
            "insert_after": "item_name",
            "no_copy": 1,
            "in_standard_filter": 1,
        },
        {
            "dt": "Item",
            "fieldname": "woo_variation_id",
            "label": "Woo Variation ID",
            "fieldtype": "Data",
            "insert_after": "woo_product_id",
            "no_copy": 1,
        },
        # ERPNext's Address has no territory; woonext files each address under its shipping zone's.
        {
            "dt": "Address",
            "fieldname": "territory",
            "label": "Territory",
            "fieldtype": "Link",
            "options": "Territory",
            "insert_after": "country",
            "in_standard_filter": 1,
        },
    ]


@dataclass
class Check:
    what: str
    ok: bool
    fix: str = ""
    warning: bool = False  # a person must act, but the sync can start (opening stock, above all)


@dataclass
class SetupReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if not c.ok and not c.warning]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if not c.ok and c.warning]


async def ensure_custom_fields(ctx: StoreContext, report: SetupReport, *, dry_run: bool) -> None:
    wanted = custom_fields(list(ctx.config.payment_methods.values()))
    names = [f"{f['dt']}-{f['fieldname']}" for f in wanted]
    existing = {
        row["name"]: row
        for row in await ctx.erp.get_list(
            "Custom Field", filters=[["name", "in", names]], fields=["name", "options", "fieldtype"], limit=0
        )
    }
    for spec, name in zip(wanted, names, strict=True):
        row = existing.get(name)
        if row is None:
            if not dry_run:
                await ctx.erp.insert("Custom Field", spec)
            report.created.append(name)
        elif spec["fieldtype"] == "Select" and _missing_options(row.get("options"), spec["options"]):
            if not dry_run:
                await ctx.erp.update("Custom Field", name, {"options": spec["options"]})
            report.updated.append(name)
        else:
            report.present.append(name)


def _missing_options(current: str | None, wanted: str) -> bool:
    have = set((current or "").split("\n"))
    return any(option not in have for option in wanted.split("\n"))


async def _exists(ctx: StoreContext, doctype: str, name: str) -> dict[str, Any] | None:
    try:
        return await ctx.erp.get_doc(doctype, name)
    except ErpError:
        return None


async def check_prerequisites(ctx: StoreContext, report: SetupReport, skus: set[str]) -> None:
    c = ctx.config
    add = report.checks.append
    company = await _exists(ctx, "Company", c.company)
    add(Check(f"Company {c.company!r}", company is not None, "create the company in ERPNext or fix `company`"))
    warehouse = await _exists(ctx, "Warehouse", c.warehouse)
    add(Check(f"Warehouse {c.warehouse!r}", warehouse is not None, "create it or fix `warehouse` in the store config"))
    price_list = await _exists(ctx, "Price List", c.price_list)
    add(Check(f"Price List {c.price_list!r}", price_list is not None, "create it or fix `price_list`"))
    for item in (c.shipping_item, c.fee_item, c.refund_item):
        doc = await _exists(ctx, "Item", item)
        add(
            Check(
                f"Item {item!r} (non-stock)",
                doc is not None and not doc.get("is_stock_item"),
                f"create a non-stock Item {item!r} (Maintain Stock off) with an income account",
            )
        )
    for method in sorted(set(c.payment_methods.values())):
        mop_name = c.mode_of_payment(method)
        mop = await _exists(ctx, "Mode of Payment", mop_name)
        accounts = {row.get("company"): row.get("default_account") for row in (mop or {}).get("accounts") or []}
        has_account = bool(accounts.get(c.company))
        add(
            Check(
                f"Mode of Payment {mop_name!r} with an account for {c.company}",
                mop is not None and has_account,
                f"create Mode of Payment {mop_name!r} and set its default account for {c.company}",
            )
        )
    if any(account == "" for account in c.prepaid.values()):
        kashier = (company or {}).get("custom_kashier_account")
        add(
            Check(
                "Company.custom_kashier_account is set",
                bool(kashier),
                f"set Kashier Account on Company {c.company!r} (or give accounts in [stores.prepaid])",
            )
        )
    for method, account in sorted(c.prepaid.items()):
        if account:
            add(
                Check(
                    f"prepaid account {account!r} for {method}",
                    await _exists(ctx, "Account", account) is not None,
                    f"create Account {account!r} or fix [stores.prepaid].{method}",
                )
            )
    for rate_id, account in sorted(c.tax_accounts.items()):
        add(
            Check(
                f"tax account {account!r} for rate {rate_id}",
                await _exists(ctx, "Account", account) is not None,
                f"create Account {account!r} or fix [stores.tax_accounts]",
            )
        )
    for method, account in sorted(c.migration_accounts.items()):
        add(
            Check(
                f"migration account {account!r} for {method}",
                await _exists(ctx, "Account", account) is not None,
                f"create Account {account!r} or fix [stores.migration_accounts]",
            )
        )
    if skus:
        found = {
            row["name"]
            for row in await ctx.erp.get_list("Item", filters=[["name", "in", sorted(skus)]], fields=["name"], limit=0)
        }
        missing = sorted(skus - found)
        add(
            Check(
                f"Items for the store's {len(skus)} SKUs",
                not missing or ctx.config.catalog.create_missing_items,
                "run `woonext items sync` (it makes them) or create Items with these codes: "
                + ", ".join(missing[:20])
                + (" …" if len(missing) > 20 else ""),
            )
        )
    settings = await _exists(ctx, "Stock Settings", "Stock Settings")
    if settings is not None:
        add(
            Check(
                "Stock Settings: auto_insert_price_list_rate_if_missing is off",
                not settings.get("auto_insert_price_list_rate_if_missing"),
                "turn off 'Auto Insert Item Price If Missing' in Stock Settings, or the first invoice per item "
                "writes an Item Price at the order's rate",
            )
        )


async def store_skus(ctx: StoreContext) -> set[str]:
    """Every SKU of the store's products and variations (one paged listing)."""
    skus: set[str] = set()
    async for page in ctx.woo.iter_pages("products", {"per_page": 100}):
        for product in page.items:
            # A variable product's own SKU is never on an order line; its variations' SKUs are.
            if product.get("sku") and product.get("type") != "variable":
                skus.add(str(product["sku"]))
            if product.get("type") == "variable":
                async for vpage in ctx.woo.iter_pages(f"products/{product['id']}/variations", {"per_page": 100}):
                    skus.update(str(v["sku"]) for v in vpage.items if v.get("sku"))
    return skus


async def run_setup(ctx: StoreContext, *, dry_run: bool = False) -> SetupReport:
    report = SetupReport()
    await ensure_custom_fields(ctx, report, dry_run=dry_run)
    await check_prerequisites(ctx, report, await store_skus(ctx))
    return report


class NotReady(Exception):
    """ERPNext lacks what the sync needs; nothing was written. The message says what to run."""


async def ensure_ready(ctx: StoreContext) -> None:
    """Before a run writes anything: the custom fields exist and every payment-method value is an option.

    Without the unique key fields ERPNext would silently drop our keys and lose exactly-once; a value
    missing from the Select would fail every order of that method. One request per run.
    """
    if ctx.cache.ready:
        return
    # the Item fields are the catalog bridge's, checked by `items sync` itself (sync/items.py)
    wanted = {f"{f['dt']}-{f['fieldname']}": f for f in custom_fields() if f["dt"] != "Item"}
    rows = await ctx.erp.get_list(
        "Custom Field", filters=[["name", "in", sorted(wanted)]], fields=["name", "options"], limit=0
    )
    found = {row["name"]: row for row in rows}
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise NotReady(f"ERPNext lacks the custom fields {', '.join(missing)}: run `woonext setup` first")
    options = set(str(found["Sales Invoice-custom_payment_method"].get("options") or "").split("\n"))
    unknown = sorted(v for v in set(ctx.config.payment_methods.values()) if v not in options)
    if unknown:
        raise NotReady(
            f"payment method value(s) {', '.join(map(repr, unknown))} are not options of Sales Invoice "
            "custom_payment_method: run `woonext setup` (it adds them) or fix [stores.payment_methods]"
        )
    ctx.cache.ready = True
