"""`migrate --dry-run`: the plan. Every document the real run would write — invoice, its cancellation,
a credit note per refund (partial refunds of completed orders too), the Payment Entry of an order paid
in another currency than the company's, the Customer (with Contact and Addresses) of a person woonext
does not know yet — decided from reads only, worded "would create". Nothing is written anywhere, the
state database included.
"""

from __future__ import annotations

from dataclasses import dataclass

from woonext.mapping.customer import customer_name, identity_keys, party_of, phone_region
from woonext.mapping.invoice import MappingError, PaymentRow, Purpose, map_order
from woonext.mapping.keys import order_key
from woonext.mapping.lines import with_item_codes
from woonext.mapping.money import money
from woonext.sync.context import StoreContext
from woonext.sync.customers import known_person, store_region
from woonext.sync.followups import settled_by_entry
from woonext.sync.lines import lines_known
from woonext.sync.orders import DONE_STATES
from woonext.sync.party_scope import scoped_keys
from woonext.woo.types import WooOrder

WOULD_CREATE = "would create"
WOULD_CANCEL = "would cancel"
# The documents a plan counts, in the order the summary names them.
DOCUMENTS = ("Sales Invoice", "credit note", "Payment Entry", "Customer", "Item")


@dataclass
class PlanRow:
    order_id: int
    action: str  # would create, would cancel, skip, fail
    detail: str
    reason: str = ""  # the same codes a real run records (already_synced, unknown_sku, ...)
    document: str = ""  # with "would create": one of DOCUMENTS


async def plan_order(ctx: StoreContext, order: WooOrder, people: set[str]) -> list[PlanRow]:
    """What migrating this order would write. `people` holds the identity keys of the Customers this
    plan already creates, so a person with several orders is created once."""
    order_id = int(order["id"])
    binding = await ctx.state.get_binding(ctx.store, "order", order_id)
    if binding is not None and binding.state in DONE_STATES:
        rows = await _credit_notes(ctx, order)
        if not rows:
            return [PlanRow(order_id, "skip", f"already synced as {binding.erp_name}", "already_synced")]
        return rows
    if order.get("status") not in ctx.config.migrate_statuses:
        return [PlanRow(order_id, "skip", f"status {order.get('status')!r} is not migrated", "status_not_migrated")]
    codes, missing = await lines_known(ctx, order)  # a dry run makes no Item
    if missing and not ctx.config.catalog.create_missing_items:
        skus = ", ".join(sorted(str(li.get("sku") or f"(product {li.get('product_id')})") for li in missing))
        return [PlanRow(order_id, "fail", f"no ERPNext Item for {skus}", "unknown_sku")]
    rows = [
        PlanRow(
            order_id, WOULD_CREATE, f"Item for product {li.get('product_id')} ({li.get('name')!r})", document="Item"
        )
        for li in missing  # the run would make them first (create_missing_items)
    ]
    for line in missing:
        codes[str(line.get("id"))] = str(line.get("sku") or f"(new Item for product {line.get('product_id')})")
    order = with_item_codes(order, codes)
    cancelled = order.get("status") == "cancelled"
    try:
        plan = map_order(
            order,
            ctx.invoice_settings(),
            customer="(customer)",
            purpose=Purpose.HISTORICAL_UNPAID if cancelled else Purpose.HISTORICAL_PAID,
            sync_key=order_key(ctx.store, order_id),
            payment=PaymentRow("(mode)", "(account)"),
        )
    except MappingError as exc:
        return [PlanRow(order_id, "fail", f"{exc.reason}: {exc.message}", exc.reason)]
    rows += await _customer(ctx, order, people)
    how = "submitted, then cancelled" if cancelled else "paid"
    total = f"{plan.grand_total} {order.get('currency')}"
    rows.append(PlanRow(order_id, WOULD_CREATE, f"invoice {total}, {how}", document="Sales Invoice"))
    if not cancelled and await settled_by_entry(ctx, order):
        rows.append(
            PlanRow(
                order_id,
                WOULD_CREATE,
                f"Payment Entry of {total} (not the company's currency)",
                document="Payment Entry",
            )
        )
    return rows + await _credit_notes(ctx, order)


async def _credit_notes(ctx: StoreContext, order: WooOrder) -> list[PlanRow]:
    """A credit note for every refund that has none yet — on refunded and completed orders alike."""
    rows = []
    for refund in order.get("refunds") or []:
        if not refund.get("id"):
            continue
        credit = await ctx.state.get_binding(ctx.store, "refund", refund["id"])
        if credit is not None and credit.state == "submitted":
            continue
        amount = money(refund.get("total"), "refund total")
        rows.append(
            PlanRow(
                int(order["id"]),
                WOULD_CREATE,
                f"credit note for refund {refund['id']}: {amount} {order.get('currency')}",
                document="credit note",
            )
        )
    return rows


async def _customer(ctx: StoreContext, order: WooOrder, people: set[str]) -> list[PlanRow]:
    party = party_of(order)
    keys = scoped_keys(ctx, identity_keys(party, phone_region(party, await store_region(ctx))))
    if people & set(keys) or await known_person(ctx, keys):
        people.update(keys)
        return []
    people.update(keys)
    name = customer_name(party)
    return [
        PlanRow(
            int(order["id"]), WOULD_CREATE, f"Customer {name!r} with its Contact and Addresses", document="Customer"
        )
    ]
