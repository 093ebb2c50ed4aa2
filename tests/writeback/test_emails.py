"""The e-mails WooCommerce sends because of woonext's writes — as the simulator records them (samples 60,
69–72) — are exactly what docs/writeback.md ("A silent store") says, and what `woonext setup` tells the
operator to switch off."""

from __future__ import annotations

from pathlib import Path

from tests.writeback.conftest import make_shop
from woonext.mapping.writeback_emails import writeback_emails
from woonext.sync.writeback import writeback_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "writeback.md"


def documented() -> dict[str, list[str]]:
    """The table of "A silent store": what woonext writes → the e-mails WooCommerce sends."""
    section = DOC.read_text().split("## A silent store", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    table = {cells[0].strip(): cells[1].strip() for cells in rows[1:]}
    return {what: [] if sends == "nothing" else [t.strip() for t in sends.split(",")] for what, sends in table.items()}


async def test_the_e_mails_sent_are_the_documented_ones(tmp_path: Path) -> None:
    docs = documented()
    writeback = {"enabled": True, "customer_note": "Your order {number} is {status}.", "refunds": True}
    shop, ctx = await make_shop(tmp_path / "a", writeback)
    try:
        order, invoice = await shop.invoiced()
        before = len(shop.emails(order["id"]))
        await writeback_document(ctx, "Payment Entry", await shop.pay(invoice))
        sent = shop.emails(order["id"])[before:]
        wanted = docs["status processing → completed"] + docs["the customer note (`customer_note` set)"]
        assert sent == wanted == ["Completed order", "Customer note"]
        assert docs["the `_woonext_writeback` marker (order meta)"] == [] and docs["a private note"] == []

        other, other_invoice = await shop.invoiced()
        before = len(shop.emails(other["id"]))
        await writeback_document(ctx, "Sales Invoice", await shop.credit(other_invoice))
        assert shop.emails(other["id"])[before:] == docs["a refund record (`refunds = true`)"] == ["Refunded order"]

        told = writeback_emails(
            ctx.config.writeback.transitions, "completed", customer_note=True, refunds=True
        )  # what `woonext setup` prints for this store
        assert [e.title for e in told] == ["Completed order", "Customer note", "Refunded order"]
    finally:
        await ctx.aclose()

    custom = {"enabled": True, "status": "delivered", "transitions": {"processing": ["delivered"]}}
    shop, ctx = await make_shop(tmp_path / "b", custom)
    shop.woo.config.custom_statuses = ("delivered",)
    try:
        order, invoice = await shop.invoiced()
        before = len(shop.emails(order["id"]))
        await writeback_document(ctx, "Payment Entry", await shop.pay(invoice))
        await writeback_document(ctx, "Sales Invoice", await shop.credit(invoice))  # refunds off: a private note
        assert shop.woo.orders[order["id"]]["status"] == "delivered"
        assert shop.emails(order["id"])[before:] == docs["status → a custom status (e.g. `delivered`)"] == []
        assert writeback_emails(ctx.config.writeback.transitions, "delivered", customer_note=False, refunds=False) == []
    finally:
        await ctx.aclose()
