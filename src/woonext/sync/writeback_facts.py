"""What ERPNext says about live invoices, read in a few list requests per batch (docs/writeback.md).

For a batch of invoices: the invoices with their rows (what each row delivered: Sales Invoice Item
`delivered_qty`, which ERPNext keeps from the Delivery Notes), the Payment Entries allocated to them,
the Delivery Notes against them and their credit notes — four requests, whatever the batch size (the
`in` lists are chunked under the request-line limit, sync/erp_lists.py), a fifth for the lines of
credit notes that are to become refunds. Payment Entries woonext made itself (a prepaid order's) are
known from the state DB and left out: they say the order was paid in WooCommerce, not in ERPNext.

Also how a Payment Entry, Delivery Note or credit note finds its invoices, and the sweep's lists of
documents changed since a cursor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from woonext.mapping.keys import SYNC_KEY_FIELD
from woonext.mapping.money import money
from woonext.mapping.writeback import CreditLine, CreditNote, Entry, InvoiceFacts, Row
from woonext.sync.context import StoreContext
from woonext.sync.erp_lists import chunk_values

PE_REF = "Payment Entry Reference"
DN_ITEM = "Delivery Note Item"
SI_ITEM = "Sales Invoice Item"
STAMP = "%Y-%m-%d %H:%M:%S.%f"
OVERLAP = timedelta(minutes=2)  # a document saved in a transaction that committed late is still seen
# doctype → (the child table naming the invoice, its field): how a document finds its invoices
LINKS = {
    "Payment Entry": (PE_REF, "reference_name"),
    "Delivery Note": (DN_ITEM, "against_sales_invoice"),
    "Sales Invoice": ("", "return_against"),  # a credit note
}


def _dec(value: Any) -> Decimal:
    return money(value if value is not None else 0)


async def _rows_in(
    ctx: StoreContext,
    doctype: str,
    where: tuple[str, str],
    values: Iterable[str],
    fields: list[str],
    filters: list[list[Any]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of `doctype` whose (child table, field) is one of `values`, chunked."""
    table, field = where
    rows: list[dict[str, Any]] = []
    for chunk in chunk_values(sorted(set(values))):
        condition = [table, field, "in", chunk] if table else [field, "in", chunk]
        rows += await ctx.erp.get_list(doctype, filters=[*(filters or []), condition], fields=fields, limit=0)
    return rows


async def invoice_facts(ctx: StoreContext, invoices: Iterable[str], own_payments: set[str]) -> dict[str, InvoiceFacts]:
    """The live invoices as ERPNext has them now (missing ones are left out)."""
    names = sorted(set(invoices))
    if not names:
        return {}
    facts = await _invoices(ctx, names)
    found = sorted(facts)
    if not found:
        return facts
    await _payments(ctx, facts, found, own_payments)
    await _deliveries(ctx, facts, found)
    await _credit_notes(ctx, facts, found)
    return facts


async def _invoices(ctx: StoreContext, names: list[str]) -> dict[str, InvoiceFacts]:
    fields = ["name", "docstatus", "grand_total", "outstanding_amount", "update_stock"]
    fields += [f"`tab{SI_ITEM}`.name as row", f"`tab{SI_ITEM}`.item_code as item_code"]
    fields += [f"`tab{SI_ITEM}`.qty as qty", f"`tab{SI_ITEM}`.delivered_qty as delivered_qty"]
    facts: dict[str, InvoiceFacts] = {}
    for r in await _rows_in(ctx, "Sales Invoice", ("", "name"), names, fields):
        name = str(r["name"])
        f = facts.get(name) or InvoiceFacts(
            name,
            int(r.get("docstatus") or 0),
            _dec(r.get("grand_total")),
            _dec(r.get("outstanding_amount")),
            bool(int(r.get("update_stock") or 0)),
        )
        facts[name] = f
        if r.get("row") and r["row"] not in {row.name for row in f.rows}:
            f.rows.append(
                Row(str(r["row"]), str(r.get("item_code") or ""), _dec(r.get("qty")), _dec(r.get("delivered_qty")))
            )
    return facts


async def _payments(ctx: StoreContext, facts: dict[str, InvoiceFacts], names: list[str], own: set[str]) -> None:
    fields = [
        "name",
        "docstatus",
        f"`tab{PE_REF}`.reference_name as invoice",
        f"`tab{PE_REF}`.allocated_amount as allocated",
    ]
    rows = await _rows_in(
        ctx, "Payment Entry", (PE_REF, "reference_name"), names, fields, [["docstatus", "in", [1, 2]]]
    )
    for r in rows:
        f = facts.get(str(r.get("invoice")))
        if f is not None and str(r["name"]) not in own:
            f.payments.append(Entry(str(r["name"]), int(r.get("docstatus") or 0), _dec(r.get("allocated"))))


async def _deliveries(ctx: StoreContext, facts: dict[str, InvoiceFacts], names: list[str]) -> None:
    fields = ["name", "docstatus", f"`tab{DN_ITEM}`.against_sales_invoice as invoice"]
    rows = await _rows_in(
        ctx, "Delivery Note", (DN_ITEM, "against_sales_invoice"), names, fields, [["docstatus", "in", [1, 2]]]
    )
    for r in rows:
        f = facts.get(str(r.get("invoice")))
        if f is not None and all(d.name != r["name"] for d in f.deliveries):
            f.deliveries.append(Entry(str(r["name"]), int(r.get("docstatus") or 0)))


async def _credit_notes(ctx: StoreContext, facts: dict[str, InvoiceFacts], names: list[str]) -> None:
    fields = ["name", "docstatus", "return_against", "grand_total", "update_stock", SYNC_KEY_FIELD]
    filters: list[list[Any]] = [["is_return", "=", 1], ["docstatus", "in", [1, 2]]]
    for r in await _rows_in(ctx, "Sales Invoice", ("", "return_against"), names, fields, filters):
        f = facts.get(str(r.get("return_against")))
        if f is not None:
            ours = bool(r.get(SYNC_KEY_FIELD))  # woonext's credit notes carry its sync key
            note = CreditNote(str(r["name"]), int(r.get("docstatus") or 0), -_dec(r.get("grand_total")), ours)
            f.credit_notes.append(_with(note, update_stock=bool(int(r.get("update_stock") or 0))))


def _with(note: CreditNote, **changes: Any) -> CreditNote:
    from dataclasses import replace

    return replace(note, **changes)


async def credit_lines(ctx: StoreContext, notes: list[CreditNote]) -> list[CreditNote]:
    """The credit notes with their goods lines (one more request, only for notes that become refunds)."""
    if not notes:
        return notes
    fields = ["name", f"`tab{SI_ITEM}`.item_code as item_code", f"`tab{SI_ITEM}`.qty as qty"]
    fields += [f"`tab{SI_ITEM}`.net_amount as amount"]
    rows = await _rows_in(ctx, "Sales Invoice", ("", "name"), [n.name for n in notes], fields)
    lines: dict[str, list[CreditLine]] = {}
    for r in rows:
        if r.get("item_code"):
            line = CreditLine(str(r["item_code"]), -_dec(r.get("qty")), -_dec(r.get("amount")))
            lines.setdefault(str(r["name"]), []).append(line)
    return [_with(n, lines=tuple(lines.get(n.name, []))) for n in notes]


async def invoices_of(ctx: StoreContext, doctype: str, name: str) -> list[str]:
    """The invoices a Payment Entry, Delivery Note or credit note is about."""
    table, field = LINKS[doctype]
    column = f"`tab{table}`.{field} as invoice" if table else f"{field} as invoice"
    rows = await ctx.erp.get_list(doctype, filters=[["name", "=", name]], fields=["name", column], limit=0)
    return sorted({str(r["invoice"]) for r in rows if r.get("invoice")})


async def changed_since(
    ctx: StoreContext, cursor: dict[str, Any], first_look: datetime, *, own_stock: bool = False
) -> tuple[set[str], dict[str, Any]]:
    """Invoices touched by a Payment Entry, Delivery Note or credit note saved since the cursor (one
    request per doctype; `own_stock`: also invoices that moved stock themselves), and the cursor to keep
    after them (per stream: the newest `modified` seen)."""
    streams: dict[str, tuple[str, str, str, list[list[Any]]]] = {
        "Payment Entry": ("Payment Entry", PE_REF, "reference_name", []),
        "Delivery Note": ("Delivery Note", DN_ITEM, "against_sales_invoice", []),
        "Credit Note": ("Sales Invoice", "", "return_against", [["is_return", "=", 1]]),
    }
    if own_stock:
        streams["Invoice"] = ("Sales Invoice", "", "name", [["is_return", "=", 0], ["update_stock", "=", 1]])
    invoices: set[str] = set()
    after = dict(cursor)
    for stream, (doctype, table, field, extra) in streams.items():
        mark = dict(cursor.get(stream) or {})
        stamp, seen = str(mark.get("modified") or ""), dict(mark.get("seen") or {})
        since = datetime.fromisoformat(stamp) - OVERLAP if stamp else first_look
        column = f"`tab{table}`.{field} as invoice" if table else f"{field} as invoice"
        filters = [["modified", ">", since.strftime(STAMP)], ["docstatus", "in", [1, 2]], *extra]
        rows = await ctx.erp.get_list(doctype, filters=filters, fields=["name", "modified", column], limit=0)
        fresh = [r for r in rows if seen.get(str(r["name"])) != str(r["modified"])]  # the overlap's repeats out
        invoices |= {str(r["invoice"]) for r in fresh if r.get("invoice")}
        after[stream] = _advance(stamp, seen, rows)
    return invoices, after


def _advance(stamp: str, seen: dict[str, str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The stream's cursor after these rows: the newest `modified`, and the documents within the overlap
    before it already handled (so the next sweep does not look at them again)."""
    latest = max([stamp, *(str(r["modified"]) for r in rows)])
    if not latest:
        return {}
    edge = (datetime.fromisoformat(latest) - OVERLAP).strftime(STAMP)  # ERPNext may omit .000000
    keep = {**seen, **{str(r["name"]): str(r["modified"]) for r in rows}}
    return {"modified": latest, "seen": {k: v for k, v in keep.items() if v > edge}}
