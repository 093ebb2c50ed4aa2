"""Payment Entry: `get_payment_entry`, the controller, and unlinking on invoice cancel (B5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..base import Controller, Ctx, Doc, throw
from . import lookup
from .ledger import gl_entry, merge_and_post, merge_entries, reverse
from .money import ZERO, cint, dec, money, money_in_words
from .status import invoice_total, status_now
from .totals import to_json

RECEIVE = "Receive"


def get_payment_entry(
    ctx: Ctx,
    dt: str = "",
    dn: str = "",
    party_amount: Any = None,
    bank_account: str | None = None,
    bank_amount: Any = None,
    party_type: str | None = None,
    payment_type: str | None = None,
    reference_date: str | None = None,
    **_: Any,
) -> Doc:
    """An unsaved Payment Entry receiving an invoice's outstanding (sample 14)."""
    invoice = ctx.get(dt, dn)
    if invoice is None:
        raise throw(f"{dt} {dn} not found", "DoesNotExistError", 404)
    outstanding = dec(invoice.get("outstanding_amount"))
    if cint(invoice.get("docstatus")) != 1:
        raise throw(f"{dt} {dn} must be submitted")
    company = invoice.get("company") or ""
    today = ctx.now().date().isoformat()
    bank = bank_account or lookup.company_default(ctx, company, "default_cash_account")
    # a credit note's negative outstanding is refunded: money goes out of the bank to the customer
    refund = outstanding < 0
    amount = abs(dec(party_amount)) if party_amount not in (None, "") else abs(outstanding)
    received = dec(bank_amount) if bank_amount not in (None, "") else amount
    allocated = -min(amount, -outstanding) if refund else min(amount, outstanding)
    total = invoice_total(invoice)  # in the receivable account's currency, like the outstanding
    pe: Doc = {
        "owner": "Administrator",
        "docstatus": 0,
        "idx": 0,
        "naming_series": "ACC-PAY-.YYYY.-",
        "payment_type": payment_type or ("Pay" if refund else RECEIVE),
        "payment_order_status": "Initiated",
        "posting_date": today,
        "company": company,
        "party_type": party_type or "Customer",
        "party": invoice.get("customer"),
        "party_name": invoice.get("customer_name") or invoice.get("customer"),
        "book_advance_payments_in_separate_party_account": 0,
        "reconcile_on_advance_payment_date": 0,
        "party_balance": 0.0,
        "paid_from": bank if refund else invoice.get("debit_to"),
        "paid_to": invoice.get("debit_to") if refund else bank,
        "paid_amount": amount,
        "paid_amount_after_tax": ZERO,
        "source_exchange_rate": Decimal(1),
        "base_paid_amount": amount,
        "base_paid_amount_after_tax": ZERO,
        "received_amount": received,
        "received_amount_after_tax": ZERO,
        "target_exchange_rate": Decimal(1),
        "base_received_amount": received,
        "base_received_amount_after_tax": ZERO,
        "total_allocated_amount": abs(allocated),
        "base_total_allocated_amount": abs(allocated),
        "unallocated_amount": ZERO,
        "difference_amount": ZERO,
        "apply_tax_withholding_amount": 0,
        "base_total_taxes_and_charges": ZERO,
        "total_taxes_and_charges": ZERO,
        "reference_date": reference_date or today,
        "status": "Draft",
        "custom_remarks": 0,
        "is_opening": "No",
        "doctype": "Payment Entry",
        "taxes": [],
        "references": [
            {
                "modified": ctx.now().strftime("%Y-%m-%d %H:%M:%S.%f"),
                "modified_by": "Administrator",
                "docstatus": 0,
                "idx": 1,
                "reference_doctype": dt,
                "reference_name": dn,
                "due_date": invoice.get("due_date"),
                "payment_term_outstanding": 0.0,
                "total_amount": total,
                "outstanding_amount": outstanding,
                "allocated_amount": allocated,
                "exchange_rate": 1.0,
                "exchange_gain_loss": 0.0,
                "account": invoice.get("debit_to"),
                "payment_request_outstanding": 0.0,
                "parentfield": "references",
                "parenttype": "Payment Entry",
                "doctype": "Payment Entry Reference",
                "__islocal": 1,
            }
        ],
        "deductions": [],
        "__islocal": 1,
        "__unsaved": 1,
    }
    _set_account_details(pe, ctx)
    return to_json(pe)


def _set_account_details(pe: Doc, ctx: Ctx) -> None:
    company = pe.get("company") or ""
    for side in ("paid_from", "paid_to"):
        account = pe.get(side) or ""
        if account:
            pe[f"{side}_account_type"] = lookup.account_type(ctx, account)
            pe[f"{side}_account_currency"] = lookup.account_currency(ctx, account, company)
            pe.setdefault(f"{side}_account_balance", 0.0)


def _invoice_outstanding(ctx: Ctx, ref: Doc) -> Decimal:
    invoice = ctx.get(ref.get("reference_doctype") or "", ref.get("reference_name") or "") or {}
    return dec(invoice.get("outstanding_amount"))


class PaymentEntry(Controller):
    doctype = "Payment Entry"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        lookup.use_site_rounding(ctx)
        # the client sends back what get_payment_entry gave it; Frappe ignores these markers
        doc.pop("__islocal", None)
        doc.pop("__unsaved", None)
        company = doc.get("company") or ""
        if doc.get("payment_type") in (RECEIVE, "Pay"):
            if not doc.get("party_type"):
                raise throw("Party Type is mandatory")
            if not doc.get("party"):
                raise throw("Party is mandatory")
        customer = ctx.get("Customer", doc.get("party") or "") if doc.get("party_type") == "Customer" else None
        if customer and not doc.get("party_name"):
            doc["party_name"] = customer.get("customer_name") or doc["party"]
        if not doc.get("paid_from") and doc.get("payment_type") == RECEIVE:
            doc["paid_from"] = lookup.company_default(ctx, company, "default_receivable_account")
        if not doc.get("paid_to") and doc.get("payment_type") == RECEIVE:
            mode = doc.get("mode_of_payment") or ""
            mode_account = lookup.mode_of_payment_account(ctx, mode, company) if mode else ""
            doc["paid_to"] = mode_account or lookup.company_default(ctx, company, "default_cash_account")
        _set_account_details(doc, ctx)
        self._set_references(doc, ctx)
        self._validate_references(doc, ctx)
        self._set_amounts(doc)
        self._validate_transaction_reference(doc)
        self._validate_allocated_amount(doc, ctx)
        doc["title"] = doc.get("party_name") or doc.get("party") or ""
        if not cint(doc.get("custom_remarks")):
            doc["remarks"] = self._remarks(doc)
        words_amount = doc["received_amount"] if doc.get("payment_type") == RECEIVE else doc["paid_amount"]
        currency = doc.get("paid_to_account_currency") or lookup.company_currency(ctx, company)
        fraction = lookup.fraction_name(ctx, currency)
        doc["in_words"] = money_in_words(abs(dec(words_amount)), currency, fraction)
        doc["base_in_words"] = doc["in_words"]
        doc["status"] = {0: "Draft", 1: "Submitted", 2: "Cancelled"}[cint(doc.get("docstatus"))]
        to_json(doc)

    def _set_references(self, doc: Doc, ctx: Ctx) -> None:
        """`set_missing_ref_details`: only what the client left empty; its outstanding is kept so
        that a stale one can be refused below (ERPNext does the same)."""
        for idx, ref in enumerate(doc.get("references") or [], start=1):
            ref["idx"] = idx
            ref.pop("__islocal", None)
            invoice = ctx.get(ref.get("reference_doctype") or "", ref.get("reference_name") or "")
            if invoice is None:
                if dec(ref.get("allocated_amount")):
                    raise throw(f"{ref.get('reference_doctype')} {ref.get('reference_name')} does not exist")
                continue
            if not dec(ref.get("outstanding_amount")):
                ref["outstanding_amount"] = dec(invoice.get("outstanding_amount"))
            if not dec(ref.get("total_amount")):
                ref["total_amount"] = invoice_total(invoice)
            for field, value in (("due_date", invoice.get("due_date")), ("account", invoice.get("debit_to"))):
                if not ref.get(field):
                    ref[field] = value
            if not dec(ref.get("exchange_rate")):
                ref["exchange_rate"] = 1.0

    def _validate_references(self, doc: Doc, ctx: Ctx) -> None:
        for field, label in (("paid_amount", "Paid Amount"), ("received_amount", "Received Amount")):
            if not dec(doc.get(field)):
                raise throw(f"{label} is mandatory")
        seen: set[tuple[Any, Any]] = set()
        for ref in doc.get("references") or []:
            if not dec(ref.get("allocated_amount")):
                continue
            invoice = ctx.get(ref.get("reference_doctype") or "", ref.get("reference_name") or "") or {}
            if invoice.get("customer") != doc.get("party"):
                raise throw(
                    f"{ref.get('reference_doctype')} {ref.get('reference_name')} is not associated with "
                    f"{doc.get('party_type')} {doc.get('party')}"
                )
            if cint(invoice.get("docstatus")) != 1:
                raise throw(f"{ref.get('reference_doctype')} {ref.get('reference_name')} must be submitted")
        for ref in doc.get("references") or []:
            key = (ref.get("reference_doctype"), ref.get("reference_name"))
            if key in seen:
                raise throw(f"Row #{ref['idx']}: Duplicate entry in References {key[0]} {key[1]}")
            seen.add(key)

    def _set_amounts(self, doc: Doc) -> None:
        for field in ("paid_amount", "received_amount"):
            doc[field] = money(doc.get(field))
        if not doc["received_amount"]:
            doc["received_amount"] = doc["paid_amount"]
        source_rate = dec(doc.get("source_exchange_rate")) or Decimal(1)
        target_rate = dec(doc.get("target_exchange_rate")) or Decimal(1)
        doc["base_paid_amount"] = money(doc["paid_amount"] * source_rate)
        doc["base_received_amount"] = money(doc["received_amount"] * target_rate)
        for field in ("paid_amount", "received_amount"):
            doc[f"{field}_after_tax"] = doc[field]
            doc[f"base_{field}_after_tax"] = doc[f"base_{field}"]
        # ERPNext keeps the allocated total positive (a refund allocates negative amounts)
        allocated = abs(money(sum((dec(r.get("allocated_amount")) for r in doc.get("references") or []), ZERO)))
        doc["total_allocated_amount"] = allocated
        doc["base_total_allocated_amount"] = money(allocated * source_rate)
        party_amount = doc["paid_amount"] if doc.get("payment_type") == RECEIVE else doc["received_amount"]
        doc["unallocated_amount"] = money(party_amount - allocated) if party_amount > allocated else ZERO
        base_party = doc["base_received_amount"] if doc.get("payment_type") == RECEIVE else doc["base_paid_amount"]
        base_unallocated = money(doc["unallocated_amount"] * source_rate)
        doc["difference_amount"] = money(base_party - doc["base_total_allocated_amount"] - base_unallocated)
        if cint(doc.get("docstatus")) == 1 and doc["difference_amount"]:
            raise throw("Difference Amount must be zero")

    def _validate_transaction_reference(self, doc: Doc) -> None:
        bank_side = (
            doc.get("paid_to_account_type") if doc.get("payment_type") == RECEIVE else doc.get("paid_from_account_type")
        )
        if bank_side == "Bank" and not (doc.get("reference_no") and doc.get("reference_date")):
            raise throw("Reference No and Reference Date is mandatory for Bank transaction")

    def _validate_allocated_amount(self, doc: Doc, ctx: Ctx) -> None:
        """Against the invoices' latest outstanding, as `validate_allocated_amount_with_latest_data`."""
        allocated_total = sum((dec(r.get("allocated_amount")) for r in doc.get("references") or []), ZERO)
        if allocated_total < 0 and doc.get("party_type") == "Customer" and doc.get("payment_type") == RECEIVE:
            raise throw("Cannot receive from customer against negative outstanding", title="Incorrect Payment Type")
        for ref in doc.get("references") or []:
            name = f"{ref.get('reference_doctype')} {ref.get('reference_name')}"
            invoice = ctx.get(ref.get("reference_doctype") or "", ref.get("reference_name") or "") or {}
            latest = money(invoice.get("outstanding_amount"))
            if latest == 0:
                raise throw(f"{name} has already been fully paid.")
            total = money(invoice_total(invoice))
            if 0 < latest < total and money(ref.get("outstanding_amount")) != latest:
                raise throw(
                    f"{name} has already been partly paid. Please use the 'Get Outstanding Invoice' or the "
                    "'Get Outstanding Orders' button to get the latest outstanding amounts."
                )
            allocated = dec(ref.get("allocated_amount"))
            if (allocated > 0 and allocated > latest) or (allocated < 0 and allocated < latest):
                raise throw(f"Row #{ref['idx']}: Allocated Amount cannot be greater than outstanding amount.")

    def _remarks(self, doc: Doc) -> str:
        """ERPNext's `set_remarks` (party id, not name; amounts printed as floats)."""
        receive = doc.get("payment_type") == RECEIVE
        currency = doc.get("paid_to_account_currency" if receive else "paid_from_account_currency") or ""
        amount = float(dec(doc.get("paid_amount" if receive else "received_amount")))
        lines = [f"Amount {currency} {amount} {'received from' if receive else 'to'} {doc.get('party')}"]
        if doc.get("reference_no"):
            lines.append(f"Transaction reference no {doc['reference_no']} dated {doc.get('reference_date')}")
        party_currency = doc.get("paid_from_account_currency" if receive else "paid_to_account_currency") or ""
        for ref in doc.get("references") or []:
            if dec(ref.get("allocated_amount")):
                lines.append(
                    f"Amount {party_currency} {float(dec(ref['allocated_amount']))} against "
                    f"{ref.get('reference_doctype')} {ref.get('reference_name')}"
                )
        return "\n".join(lines)

    def on_submit(self, doc: Doc, ctx: Ctx) -> None:
        lookup.use_site_rounding(ctx)
        merge_and_post(ctx, payment_gl(doc))
        self._apply_to_invoices(doc, ctx, sign=1)

    def on_cancel(self, doc: Doc, ctx: Ctx) -> None:
        lookup.use_site_rounding(ctx)
        reverse(ctx, merge_entries(payment_gl(doc)))
        self._apply_to_invoices(doc, ctx, sign=-1)
        doc["status"] = "Cancelled"

    def _apply_to_invoices(self, doc: Doc, ctx: Ctx, sign: int) -> None:
        for ref in doc.get("references") or []:
            invoice = ctx.get(ref.get("reference_doctype") or "", ref.get("reference_name") or "")
            if invoice is None or cint(invoice.get("docstatus")) != 1:
                continue
            outstanding = money(dec(invoice.get("outstanding_amount")) - sign * dec(ref.get("allocated_amount")))
            invoice["outstanding_amount"] = float(outstanding)
            invoice["status"] = status_now(invoice, ctx)
            ctx.save(invoice)
            if sign > 0:
                ref["outstanding_amount"] = float(outstanding)


def payment_gl(doc: Doc) -> list[Doc]:
    """Receive: debit the cash/bank account, credit the receivable per allocated invoice."""
    entries = []
    party: dict[str, Any] = {"party_type": doc.get("party_type") or "", "party": doc.get("party") or ""}
    receive = doc.get("payment_type") == RECEIVE
    party_account = doc.get("paid_from") if receive else doc.get("paid_to")
    bank_account = doc.get("paid_to") if receive else doc.get("paid_from")
    side = "credit" if receive else "debit"
    for ref in doc.get("references") or []:
        amount = abs(dec(ref.get("allocated_amount")))
        if amount:
            entries.append(
                gl_entry(
                    doc,
                    party_account or "",
                    **{side: amount},
                    against_voucher_type=ref.get("reference_doctype") or "",
                    against_voucher=ref.get("reference_name") or "",
                    **party,
                )
            )
    unallocated = dec(doc.get("unallocated_amount"))
    if unallocated:
        entries.append(gl_entry(doc, party_account or "", **{side: unallocated}, **party))
    bank_side = "debit" if receive else "credit"
    amount = dec(doc.get("base_received_amount") if receive else doc.get("base_paid_amount"))
    entries.append(gl_entry(doc, bank_account or "", **{bank_side: amount}))
    return entries


def unlink_payments_of_invoice(invoice: Doc, ctx: Ctx) -> None:
    """Invoice cancel: payments become unallocated (default) or block the cancel (LinkExistsError)."""
    linked: list[tuple[Doc, Doc]] = []
    for pe in ctx.all("Payment Entry", docstatus=1):
        for ref in pe.get("references") or []:
            if ref.get("reference_doctype") == "Sales Invoice" and ref.get("reference_name") == invoice.get("name"):
                linked.append((pe, ref))
    if not linked:
        return
    if not cint(lookup.setting(ctx, "Accounts Settings", "unlink_payment_on_cancellation_of_invoice")):
        pe, ref = linked[0]
        raise link_exists("Sales Invoice", invoice["name"], "Payment Entry", pe["name"], f"at Row: {ref.get('idx', 1)}")
    names: list[str] = []
    for pe, ref in linked:
        pe["references"] = [r for r in pe.get("references") or [] if r is not ref]
        allocated = money(sum((dec(r.get("allocated_amount")) for r in pe["references"]), ZERO))
        pe["total_allocated_amount"] = float(allocated)
        pe["base_total_allocated_amount"] = float(allocated)
        pe["unallocated_amount"] = float(money(dec(pe.get("paid_amount")) - allocated))
        ctx.save(pe)
        if pe["name"] not in names:
            names.append(pe["name"])
    ctx.msgprint(f"Payment Entries {chr(10).join(names)} are un-linked")  # one name per line


def link_exists(doctype: str, name: str, linked_doctype: str, linked_name: str, row: str = "") -> Exception:
    """Frappe's `raise_link_exists_exception` text (a submitted document still points here)."""
    doc_link = f'<a href="/app/Form/{doctype}/{name}">{name}</a>'
    linked_link = f'<a href="/app/Form/{linked_doctype}/{linked_name}">{linked_name}</a>'
    return throw(
        f"Cannot delete or cancel because {doctype} {doc_link} is linked with {linked_doctype} {linked_link} {row}",
        "LinkExistsError",
    )
