"""WooCommerce refunds become credit notes against the invoice: every kind of refund, stock back only
when WooCommerce restocked, the refund paid out where the order was paid, exactly once."""

from __future__ import annotations

from decimal import Decimal

from tests.refunds.conftest import VAT, WAREHOUSE, Shop, money
from woonext.store import SUCCEEDED
from woonext.sync.orders import Mode


def rows(note: dict) -> list[tuple]:
    return [(r["item_code"], float(r["qty"]), float(r["rate"])) for r in note["items"]]


async def test_amount_only_refund_of_an_unpaid_cod_order_lowers_what_is_owed(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    [invoice] = shop.invoices(order["id"])
    shop.woo.refund(order["id"], amount="50.00", reason="Late delivery", restock=False)

    result = await shop.sync(order["id"])

    assert (result.status, result.reason) == (SUCCEEDED, "updated")
    [note] = shop.credit_notes(order["id"])
    assert (note["is_return"], note["return_against"], note["docstatus"]) == (1, invoice["name"], 1)
    assert rows(note) == [("Refund", 0.0, 50.0)] and note["update_stock"] == 0
    assert money(note["grand_total"]) == Decimal("-50.00") and note["taxes"] == []
    original = shop.erp.db.get("Sales Invoice", invoice["name"])
    assert money(original["outstanding_amount"]) == money(order["total"]) - Decimal("50.00")
    assert shop.customer_balance(invoice["customer"]) == money(order["total"]) - Decimal("50.00")
    assert shop.stock_moves(note["name"]) == {}


async def test_partial_line_refund_without_restock_reverses_lines_and_tax_but_not_stock(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    refund = shop.woo.refund(
        order["id"], line_items=[{"id": shop.line_id(order["id"], "TART"), "quantity": 1}], restock=False
    )

    await shop.sync(order["id"])

    [note] = shop.credit_notes(order["id"])
    assert rows(note) == [("TART", -1.0, 45.5)] and note["update_stock"] == 0
    assert [(t["account_head"], money(t["tax_amount"])) for t in note["taxes"]] == [(VAT, Decimal("-6.37"))]
    assert money(note["grand_total"]) == -money(refund["amount"]) == Decimal("-51.87")
    assert shop.stock_moves(note["name"]) == {}


async def test_restocked_line_refund_puts_the_stock_back_in_the_warehouse(shop: Shop) -> None:
    order = shop.order("cod", {"CAKE": 3, "TART": 2})
    await shop.sync(order["id"])
    [invoice] = shop.invoices(order["id"])
    assert shop.stock_moves(invoice["name"]) == {"CAKE": Decimal(-3), "TART": Decimal(-2)}
    shop.woo.refund(order["id"], line_items=[{"id": shop.line_id(order["id"], "CAKE"), "quantity": 2}], restock=True)

    await shop.sync(order["id"])

    [note] = shop.credit_notes(order["id"])
    assert note["update_stock"] == 1 and {r["warehouse"] for r in note["items"]} == {WAREHOUSE}
    assert rows(note) == [("CAKE", -2.0, 100.0)] and money(note["grand_total"]) == Decimal("-228.00")
    assert shop.stock_moves(note["name"]) == {"CAKE": Decimal(2)}  # the stock ledger shows the return
    assert shop.binding("refund", note["woonext_sync_key"].rsplit(":", 1)[1]).data["restocked"] == {
        str(shop.line_id(order["id"], "CAKE")): 2
    }


async def test_only_what_woocommerce_restocked_comes_back(shop: Shop) -> None:
    """WRAP does not manage stock in WooCommerce, so "restock" leaves it out: its value is credited
    without moving stock; a second refund without restock moves nothing either."""
    order = shop.order("cod", {"CAKE": 2, "WRAP": 1})
    await shop.sync(order["id"])
    shop.woo.refund(
        order["id"],
        restock=True,
        line_items=[
            {"id": shop.line_id(order["id"], "CAKE"), "quantity": 1},
            {"id": shop.line_id(order["id"], "WRAP"), "quantity": 1},
        ],
    )
    await shop.sync(order["id"])
    shop.woo.refund(order["id"], line_items=[{"id": shop.line_id(order["id"], "CAKE"), "quantity": 1}], restock=False)
    await shop.sync(order["id"])

    first, second = sorted(shop.credit_notes(order["id"]), key=lambda n: n["name"])
    assert first["update_stock"] == 1 and shop.stock_moves(first["name"]) == {"CAKE": Decimal(1)}
    assert rows(first) == [("CAKE", -1.0, 100.0), ("Refund", 0.0, 12.0)]
    assert money(first["grand_total"]) == Decimal("-127.68")
    assert second["update_stock"] == 0 and shop.stock_moves(second["name"]) == {}
    assert rows(second) == [("CAKE", -1.0, 100.0)]


async def test_shipping_and_fee_refunds_are_rows_of_their_items_with_their_tax(shop: Shop) -> None:
    order = shop.order("cod", {"TART": 1}, fees=[{"name": "Packing", "total": "10.00", "tax_status": "taxable"}])
    await shop.sync(order["id"])
    charges = [{"id": order["shipping_lines"][0]["id"]}, {"id": order["fee_lines"][0]["id"]}]
    refund = shop.woo.refund(order["id"], line_items=charges)

    await shop.sync(order["id"])

    [note] = shop.credit_notes(order["id"])
    assert sorted(rows(note)) == [("Fee", -1.0, 10.0), ("Shipping", -1.0, 30.0)]
    assert money(note["grand_total"]) == -money(refund["amount"]) == Decimal("-45.60")
    assert money(note["total_taxes_and_charges"]) == Decimal("-5.60")


async def test_full_refund_of_a_prepaid_live_order_leaves_nothing_outstanding_or_owed(shop: Shop) -> None:
    order = shop.order("kashier_card", paid=True)
    await shop.sync(order["id"])
    [invoice] = shop.invoices(order["id"])
    assert shop.erp.db.get("Sales Invoice", invoice["name"])["status"] == "Paid"
    shop.woo.refund(
        order["id"],
        amount=order["total"],
        restock=True,
        line_items=[{"id": li["id"], "quantity": li["quantity"]} for li in order["line_items"]]
        + [{"id": order["shipping_lines"][0]["id"]}],
    )
    assert shop.woo.orders[order["id"]]["status"] == "refunded"

    await shop.sync(order["id"])

    [note] = shop.credit_notes(order["id"])
    original = shop.erp.db.get("Sales Invoice", invoice["name"])
    assert money(note["grand_total"]) == -money(order["total"])
    assert note["is_pos"] == 1 and [money(p["amount"]) for p in note["payments"]] == [-money(order["total"])]
    assert note["payments"][0]["account"] == "Kashier - JT"  # paid back out of the gateway's account
    assert money(original["outstanding_amount"]) == 0 and money(note["outstanding_amount"]) == 0
    assert shop.customer_balance(invoice["customer"]) == 0
    assert shop.stock_moves(note["name"]) == {"CAKE": Decimal(3), "TART": Decimal(2)}


async def test_unpaid_cod_order_refunded_in_two_steps_owes_nothing(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    [invoice] = shop.invoices(order["id"])
    first = shop.woo.refund(order["id"], line_items=[{"id": shop.line_id(order["id"], "CAKE"), "quantity": 1}])
    await shop.sync(order["id"])
    rest = money(order["total"]) - money(first["amount"])
    shop.woo.refund(order["id"], amount=str(rest), reason="Cancelled by phone")

    await shop.sync(order["id"])

    notes = shop.credit_notes(order["id"])
    assert len(notes) == 2 and sum(money(n["grand_total"]) for n in notes) == -money(order["total"])
    original = shop.erp.db.get("Sales Invoice", invoice["name"])
    assert money(original["outstanding_amount"]) == 0
    assert all(money(n["outstanding_amount"]) == 0 for n in notes)
    assert shop.customer_balance(invoice["customer"]) == 0


async def test_refund_of_a_migrated_paid_order_is_paid_back_through_a_pos_return(shop: Shop) -> None:
    order = shop.order("cod")
    shop.woo.complete(order["id"])
    await shop.sync(order["id"], Mode.HISTORICAL)
    [invoice] = shop.invoices(order["id"])
    assert invoice["is_pos"] == 1 and invoice["update_stock"] == 0
    shop.woo.refund(order["id"], line_items=[{"id": shop.line_id(order["id"], "TART"), "quantity": 2}])

    await shop.sync(order["id"], Mode.HISTORICAL)

    [note] = shop.credit_notes(order["id"])
    assert note["update_stock"] == 0  # a migrated invoice moved no stock, so its return moves none
    assert note["is_pos"] == 1 and money(note["payments"][0]["amount"]) == money(note["grand_total"])
    assert money(shop.erp.db.get("Sales Invoice", invoice["name"])["outstanding_amount"]) == 0
    assert money(note["outstanding_amount"]) == 0 and shop.customer_balance(invoice["customer"]) == 0


async def test_lost_responses_still_give_one_credit_note_per_refund(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    shop.woo.refund(order["id"], line_items=[{"id": shop.line_id(order["id"], "CAKE"), "quantity": 1}])
    shop.woo.refund(order["id"], amount="20.00")
    shop.erp.faults.inject_next("lost", route="POST /api/resource/Sales Invoice", count=1)
    shop.erp.faults.inject_next("lost", route="PUT /api/resource/Sales Invoice/*", count=1)

    attempts = [await shop.sync(order["id"]) for _ in range(4)]

    assert shop.erp.faults.injected["lost"] == 2
    assert attempts[-1].reason == "already_synced"
    notes = shop.credit_notes(order["id"])
    assert len(notes) == 2 and all(n["docstatus"] == 1 for n in notes)
    assert sorted(money(n["grand_total"]) for n in notes) == [Decimal("-114.00"), Decimal("-20.00")]
    assert len({n["woonext_sync_key"] for n in notes}) == 2


async def test_refunds_are_read_only_when_a_new_refund_id_appears(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    await shop.sync(order["id"])
    assert shop.woo_refund_reads() == 0
    shop.woo.refund(order["id"], amount="10.00")
    await shop.sync(order["id"])
    await shop.sync(order["id"])
    assert shop.woo_refund_reads() == 1 and len(shop.credit_notes(order["id"])) == 1


async def test_full_restocked_refund_of_an_unpaid_cod_order_in_one_go(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    [invoice] = shop.invoices(order["id"])
    shop.woo.refund(
        order["id"],
        amount=order["total"],
        restock=True,
        line_items=[{"id": li["id"], "quantity": li["quantity"]} for li in order["line_items"]],
    )

    await shop.sync(order["id"])

    [note] = shop.credit_notes(order["id"])  # ERPNext's own return mapper: every row and tax reversed
    assert note["is_pos"] == 0 and note["update_stock"] == 1 and money(note["grand_total"]) == -money(order["total"])
    assert shop.stock_moves(note["name"]) == {"CAKE": Decimal(3), "TART": Decimal(2)}
    assert money(shop.erp.db.get("Sales Invoice", invoice["name"])["outstanding_amount"]) == 0
    assert money(note["outstanding_amount"]) == 0 and shop.customer_balance(invoice["customer"]) == 0
