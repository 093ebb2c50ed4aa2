"""Orders the property test (or its development) broke on, kept as explicit cases.

Each builds its order with WooCommerce's arithmetic (woomoney), first asserts the order really has
the shape that broke, then sends it through `sync_order` and checks the invoice like the property."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.money.checks import check_invoice, d, sync_batch
from tests.money.orders import RATES
from tests.sync.world import World
from woonext.mapping.residual import CAUSE_TAX_LINES, CAUSE_TOTAL
from woonext.sim.woomoney import TaxSettings, calculate_order
from woonext.store import FAILED, NEEDS_REVIEW
from woonext.sync.orders import Mode, sync_order


def order(
    lines: list[tuple[int, int, str]],
    *,
    state: str = "EGC",
    fees: tuple[str, ...] = (),
    round_at_subtotal: bool = False,
    currency: str = "EGP",
    **extra: Any,
) -> dict[str, Any]:
    """An order of (product id, quantity, ex-tax line total) lines; product n has class n % 4."""
    address = {
        "first_name": "Mona",
        "last_name": "Buyer",
        "city": "Cairo",
        "state": state,
        "postcode": "11511",
        "country": "EG",
    }
    raw = {
        "id": 1,
        "status": "processing",
        "currency": currency,
        "prices_include_tax": False,
        "date_created": "2026-03-01T10:00:00",
        "date_created_gmt": "2026-03-01T08:00:00",
        "billing": {**address, "email": "mona@example.com", "phone": "01012345678"},
        "shipping": address,
        "payment_method": "cod",
        "payment_method_title": "Cash on delivery",
        "meta_data": [],
        "line_items": [
            {
                "product_id": p,
                "variation_id": 0,
                "quantity": q,
                "subtotal": t,
                "total": t,
                "sku": f"SKU-{p}",
                "name": f"Product {p}",
                "meta_data": [],
            }
            for p, q, t in lines
        ],
        "fee_lines": [{"name": "Fee", "total": f, "tax_status": "taxable", "tax_class": ""} for f in fees],
        "shipping_lines": [],
        "coupon_lines": [],
        "tax_lines": [],
        "refunds": [],
        **extra,
    }
    classes = ["standard", "standard", "reduced-rate", "zero-rate"]
    products = {
        p: {"id": p, "price": "10.00", "tax_class": classes[p % 4], "tax_status": "taxable"} for p, _, _ in lines
    }
    return calculate_order(
        raw, rates=RATES, settings=TaxSettings(round_at_subtotal=round_at_subtotal), products=products
    )


async def sync_one(world: World, built: dict[str, Any], mode: str) -> tuple[dict[str, Any], Any]:
    [(served, _, result)] = await sync_batch(world, [(built, mode)])
    return served, result


async def test_tax_lines_rounded_apart_from_total_tax_are_reconciled_to_total_tax(world: World) -> None:
    # Broke with "residual -0.01": with "round tax at subtotal level" each tax line and total_tax are
    # rounded separately (VAT 1.414 → 1.41, levy 0.101 → 0.10, total 1.515 → 1.52).
    built = order([(4, 1, "10.10")], state="EGGZ", round_at_subtotal=True)
    assert [t["tax_total"] for t in built["tax_lines"]] == ["1.41", "0.10"] and built["total_tax"] == "1.52"
    served, result = await sync_one(world, built, "historical completed")
    check_invoice(world, served, "historical completed", result)
    [invoice] = world.invoices(woo_order_id=str(served["id"]))
    # the cent goes to the largest row
    assert [d(t["tax_amount"]) for t in invoice["taxes"]] == [Decimal("1.42"), Decimal("0.10")]


async def test_a_few_cents_over_many_units_never_make_a_negative_row(world: World) -> None:
    # Broke with ERPNext's "rate must be a positive number": 0.04 over 7 units rounded up to 0.01 a unit
    # left −0.02 for the last row.
    built = order([(3, 7, "0.04")])
    served, result = await sync_one(world, built, "historical completed")
    check_invoice(world, served, "historical completed", result)
    [invoice] = world.invoices(woo_order_id=str(served["id"]))
    assert [(d(r["qty"]), d(r["rate"])) for r in invoice["items"]] == [(6, 0), (1, Decimal("0.04"))]


async def test_a_zero_rate_split_row_does_not_take_the_price_list_rate(world: World) -> None:
    # Broke with "ERPNext computed 70.53 … residual -10.00": a split row of rate 0 took the Item Price 10.00.
    built = order([(3, 4, "0.03"), (7, 1, "50.00")])
    served, result = await sync_one(world, built, "live cod")
    check_invoice(world, served, "live cod", result)


async def test_a_negative_fee_on_free_items_is_parked_not_posted(world: World) -> None:
    # WooCommerce only caps a negative fee when there is something to discount: free items and a −25 fee
    # make a −25.00 order. ERPNext cannot invoice it: NeedsReview, nothing written.
    built = order([(1, 1, "0.00")], fees=("-25.00",))
    assert built["total"] == "-25.00"
    served, result = await sync_one(world, built, "historical completed")
    assert (result.status, result.reason) == (NEEDS_REVIEW, "negative_total")
    check_invoice(world, served, "historical completed", result)


async def test_a_prepaid_order_with_a_zero_total_needs_no_payment_entry(world: World) -> None:
    # Broke with "Paid Amount is mandatory": a Payment Entry of 0 for a free order.
    built = order([(1, 2, "0.00")])
    served, result = await sync_one(world, built, "live kashier")
    check_invoice(world, served, "live kashier", result)
    assert world.erp.db.all("Payment Entry") == []


async def test_a_foreign_currency_invoice_takes_the_selling_rate_of_its_posting_date(world: World) -> None:
    # Rates dated 2026-01-01 (48.50), 2026-02-01 (1, buying only) and 2026-06-01 (49.50): an order of
    # 2026-03-01 is converted at 48.50.
    built = order([(1, 3, "100.00")], currency="USD")
    served, result = await sync_one(world, built, "live kashier")
    check_invoice(world, served, "live kashier", result)
    [invoice] = world.invoices(woo_order_id=str(served["id"]))
    assert d(invoice["conversion_rate"]) == Decimal("48.5") and invoice["party_account_currency"] == "EGP"
    assert d(invoice["base_grand_total"]) == Decimal("114.00") * Decimal("48.5")
    [entry] = world.erp.db.all("Payment Entry")
    assert d(entry["paid_amount"]) == Decimal("5529.00")  # the receivable is in EGP


async def test_orders_that_do_not_add_up_are_parked_with_their_cause_and_never_posted(world: World) -> None:
    edited_total = order([(1, 2, "50.00")])
    edited_total["total"] = f"{Decimal(edited_total['total']) + Decimal('5.00'):.2f}"  # a plugin's surcharge
    edited_tax = order([(1, 1, "80.00")], state="EGGZ")
    edited_tax["tax_lines"] = edited_tax["tax_lines"][:1]  # the levy line removed by hand, totals kept
    for built, cause in ((edited_total, CAUSE_TOTAL), (edited_tax, CAUSE_TAX_LINES)):
        served, result = await sync_one(world, built, "historical completed")
        assert (result.status, result.reason) == (NEEDS_REVIEW, "residual")
        assert "residual" in result.detail and cause in result.detail and result.hint
        assert world.invoices(woo_order_id=str(served["id"])) == []


async def test_item_and_shipping_tax_rounded_apart_can_miss_total_tax_by_a_cent_per_tax_line(world: World) -> None:
    # Broke with "residual 0.02 … tax_lines ≠ total_tax": at subtotal rounding each tax line's item and
    # shipping tax are rounded (1.414 → 1.41 twice, 0.101 → 0.10 twice: 3.02) and the cart and shipping
    # totals apart (1.515 → 1.52 twice: 3.04). Two tax lines, two cents: rounding, not an edit.
    ship = [{"method_title": "Flat rate", "method_id": "flat_rate", "total": "10.10", "tax_status": "taxable"}]
    built = order([(4, 1, "10.10")], state="EGGZ", round_at_subtotal=True, shipping_lines=ship)
    assert [(t["tax_total"], t["shipping_tax_total"]) for t in built["tax_lines"]] == [
        ("1.41", "1.41"),
        ("0.10", "0.10"),
    ]
    assert built["total_tax"] == "3.04"
    served, result = await sync_one(world, built, "live kashier")
    check_invoice(world, served, "live kashier", result)


def skewed_eur_order() -> dict[str, Any]:
    """An untaxed EUR order whose rows convert to one cent less than its total (52.60 EGP per EUR):
    961.04 → 50550.70(4), 131.72 → 6928.47(2): 57479.17; 1092.76 → 57479.17(6) → 57479.18."""
    built = order([(3, 1, "961.04"), (7, 1, "131.72")], currency="EUR")
    assert (built["total"], Decimal(built["total_tax"])) == ("1092.76", 0)
    return built


async def test_a_migrated_foreign_currency_order_is_paid_by_a_payment_entry_that_leaves_no_cent(world: World) -> None:
    # Was "outstanding -0.01": a POS row is converted in one go, the rows one by one (docs/money.md).
    served, result = await sync_one(world, skewed_eur_order(), "historical completed")
    assert "foreign, migrated: paid by Payment Entry (a POS row would leave a cent)" in check_invoice(
        world, served, "historical completed", result
    )
    invoice = world.erp.db.get("Sales Invoice", result.invoice)
    assert d(invoice["base_grand_total"]) == Decimal("57479.17") and d(invoice["outstanding_amount"]) == 0
    [entry] = world.erp.db.all("Payment Entry")
    assert (entry["payment_type"], d(entry["paid_amount"]), entry["docstatus"]) == ("Receive", Decimal("57479.17"), 1)
    assert entry["paid_to"] == "Cash - JT" and entry["mode_of_payment"] == "Cash"  # the migration account
    binding = world.db.get_binding("main", "order", served["id"])
    assert binding is not None and binding.state == "paid"


async def test_a_refund_of_a_migrated_foreign_currency_order_is_paid_out_by_a_payment_entry(world: World) -> None:
    served, result = await sync_one(world, skewed_eur_order(), "historical completed")
    world.woo.refund(served["id"], amount="131.72", reason="one item returned")
    world.erp.faults.inject_next("lost", route="POST /api/resource/Payment Entry", count=1)
    ctx = world.context()
    try:
        order = await ctx.woo.get_order(served["id"])
        assert order is not None
        attempts = [await sync_order(ctx, order, Mode.HISTORICAL) for _ in range(3)]
    finally:
        await ctx.aclose()
    # the lost answer is settled by looking the entry up by its sync key: one refund, no retry needed
    assert world.erp.faults.injected["lost"] == 1
    assert [a.reason for a in attempts] == ["updated", "already_synced", "already_synced"]
    [note] = [n for n in world.erp.db.all("Sales Invoice") if n.get("is_return")]
    assert (note["is_pos"], note["update_outstanding_for_self"], d(note["grand_total"])) == (0, 1, Decimal("-131.72"))
    assert d(note["base_grand_total"]) == Decimal("-6928.47") and d(note["outstanding_amount"]) == 0
    refunds = [e for e in world.erp.db.all("Payment Entry") if e["payment_type"] == "Pay"]
    assert len(refunds) == 1 and refunds[0]["paid_from"] == "Cash - JT"
    assert d(refunds[0]["paid_amount"]) == Decimal("6928.47")
    assert d(world.erp.db.get("Sales Invoice", result.invoice)["outstanding_amount"]) == 0


async def test_a_foreign_currency_credit_note_whose_refund_entry_failed_is_paid_out_on_the_next_run(
    world: World,
) -> None:
    served, result = await sync_one(world, skewed_eur_order(), "historical completed")
    world.woo.refund(served["id"], amount="131.72")
    world.erp.faults.inject_next("500", route="POST /api/resource/Payment Entry", count=50)
    ctx = world.context()
    try:
        order = await ctx.woo.get_order(served["id"])
        assert order is not None
        first = await sync_order(ctx, order, Mode.HISTORICAL)
        [note] = [n for n in world.erp.db.all("Sales Invoice") if n.get("is_return")]
        assert first.status == FAILED and d(note["outstanding_amount"]) == Decimal("-6928.47")
        world.erp.faults.clear()
        again = await sync_order(ctx, order, Mode.HISTORICAL)
    finally:
        await ctx.aclose()
    assert again.reason == "updated"
    assert len([n for n in world.erp.db.all("Sales Invoice") if n.get("is_return")]) == 1  # no second note
    assert d(world.erp.db.get("Sales Invoice", note["name"])["outstanding_amount"]) == 0
    assert len([e for e in world.erp.db.all("Payment Entry") if e["payment_type"] == "Pay"]) == 1
