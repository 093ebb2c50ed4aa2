"""The Sales Invoice controller: defaults, totals, POS, stock, GL, returns, status."""

from __future__ import annotations

from ..base import Controller, Ctx, Doc, FrappeError, throw
from . import invoice_defaults as defaults
from . import lookup, pos, returns
from .invoice_gl import sales_invoice_gl
from .ledger import merge_and_post, merge_entries, post_stock, reverse, reverse_stock, stock_entries
from .money import ZERO, cint, dec, money, money_in_words
from .payment_entry import link_exists, unlink_payments_of_invoice
from .status import compute_status, invoice_total
from .totals import calculate_taxes_and_totals, to_json


def is_new(doc: Doc, ctx: Ctx) -> bool:
    return not doc.get("name") or ctx.get("Sales Invoice", doc["name"]) is None


def negative_rate_error(item_code: str) -> FrappeError:
    return throw(
        f"For item <strong>{item_code}</strong>, rate must be a positive number. To Allow negative rates, "
        "enable `Allow Negative rates for Items` in Selling Settings"
    )


def db_set(doc: Doc, ctx: Ctx, values: dict[str, object], in_response: bool = True) -> None:
    """Frappe's `db_set` after the row is written: the stored copy changes; the in-memory document
    (what the response shows) only when ERPNext's in-memory doc changes too."""
    stored = ctx.get(doc.get("doctype") or "Sales Invoice", doc["name"]) if doc.get("name") else None
    if stored is not None:
        stored.update(values)
        ctx.save(stored)
    if in_response:
        doc.update(values)


class SalesInvoice(Controller):
    doctype = "Sales Invoice"

    def before_validate(self, doc: Doc, ctx: Ctx) -> None:
        # before the engine's link checks: a real 15.92 fails on these masters inside ERPNext code
        # (500 AttributeError / 404 DoesNotExistError), not with a LinkValidationError
        defaults.check_party_and_items(doc, ctx)

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        lookup.use_site_rounding(ctx)
        new = is_new(doc, ctx)
        submitting = cint(doc.get("docstatus")) == 1
        customer, items = defaults.check_party_and_items(doc, ctx)
        defaults.set_posting_time(doc, ctx.now())
        defaults.set_header_defaults(doc, customer, ctx)
        missing_prices = defaults.set_item_defaults(doc, items, ctx, ctx.stock_qty)
        self._auto_insert_prices(doc, ctx, missing_prices)
        defaults.set_tax_defaults(doc, ctx)
        # a draft fills POS payment accounts; an insert that submits at once does not (sample 12)
        pos.fill_payment_rows(doc, ctx, filling_accounts=not (new and submitting))
        self._validate_rows(doc, ctx, submitting)
        if submitting:
            pos.validate_pos_on_submit(doc)
        calculate_taxes_and_totals(doc, lookup.smallest_fraction(ctx, doc["currency"]))
        pos.validate_pos_return(doc)
        returns.validate_return(doc, ctx)
        self._validate_stock_settings(doc, ctx)
        defaults.set_payment_schedule(doc)
        defaults.validate_due_date(doc)
        self._set_summary_fields(doc, ctx)
        if submitting and not doc.get("remarks"):
            doc["remarks"] = "No Remarks"
        # ERPNext's set_status returns early for a new document: an insert keeps "Draft"
        # (no credit note can point at a draft or at an invoice being submitted: skip that lookup)
        doc["status"] = "Draft" if new else compute_status(doc, ctx.now().date(), lambda: False)
        to_json(doc)

    def _auto_insert_prices(self, doc: Doc, ctx: Ctx, missing: list[str]) -> None:
        if not missing or not cint(lookup.setting(ctx, "Stock Settings", "auto_insert_price_list_rate_if_missing")):
            return
        price_list = doc["selling_price_list"]
        done: set[str] = set()
        for row in doc.get("items") or []:
            code = row.get("item_code")
            if code not in missing or code in done or not dec(row.get("rate")):
                continue
            done.add(code)
            rate = dec(row["rate"]) / (dec(row.get("conversion_factor")) or 1)
            ctx.insert(
                "Item Price",
                {
                    "item_code": code,
                    "price_list": price_list,
                    "price_list_rate": float(money(rate)),
                    "currency": doc.get("price_list_currency"),
                    "uom": row.get("stock_uom"),
                    "selling": 1,
                },
            )
            row["price_list_rate"] = money(rate)
            ctx.msgprint(f"Item Price added for {code} in Price List {price_list}")

    def _validate_rows(self, doc: Doc, ctx: Ctx, submitting: bool) -> None:
        is_return = cint(doc.get("is_return"))
        for idx, row in enumerate(doc.get("items") or [], start=1):
            if not is_return and not dec(row.get("qty")):
                raise throw(
                    f"Row #{idx}: Quantity for Item <strong>{row.get('item_code')}</strong> cannot be zero.",
                    "InvalidQtyError",
                    title="Invalid Quantity",
                )
            negative = submitting and not is_return and dec(row.get("rate")) < 0
            if negative and not cint(lookup.setting(ctx, "Selling Settings", "allow_negative_rates_for_items")):
                raise negative_rate_error(row.get("item_code") or "")

    def _validate_stock_settings(self, doc: Doc, ctx: Ctx) -> None:
        if not cint(doc.get("update_stock")):
            return
        for row in lookup.stock_rows(doc, ctx):
            if not row.get("warehouse"):
                raise throw(f"Warehouse required for stock Item {row.get('item_code')}")

    def _set_summary_fields(self, doc: Doc, ctx: Ctx) -> None:
        rows = doc.get("items") or []
        accounts: list[str] = []
        for row in rows:
            if row.get("income_account") and row["income_account"] not in accounts:
                accounts.append(row["income_account"])
        doc["against_income_account"] = ",".join(accounts)
        doc["amount_eligible_for_commission"] = sum(
            (dec(r.get("base_net_amount")) for r in rows if cint(r.get("grant_commission"))), ZERO
        )
        rounding_off = cint(doc.get("disable_rounded_total"))
        amount = dec(doc.get("grand_total") if rounding_off else doc.get("rounded_total"))
        base_amount = dec(doc.get("base_grand_total") if rounding_off else doc.get("base_rounded_total"))
        company_currency = lookup.company_currency(ctx, doc.get("company") or "")
        doc["in_words"] = money_in_words(abs(amount), doc["currency"], lookup.fraction_name(ctx, doc["currency"]))
        doc["base_in_words"] = money_in_words(
            abs(base_amount), company_currency, lookup.fraction_name(ctx, company_currency)
        )

    def on_submit(self, doc: Doc, ctx: Ctx) -> None:
        lookup.use_site_rounding(ctx)
        # validate leaves "Draft" on a submitted doc only when it was inserted with docstatus 1
        inserted_submitted = doc.get("status") == "Draft"
        _, items = defaults.check_party_and_items(doc, ctx)
        if cint(doc.get("update_stock")):
            allow = cint(lookup.setting(ctx, "Stock Settings", "allow_negative_stock"))
            post_stock(ctx, doc, stock_entries(doc, items), bool(allow))
        merge_and_post(ctx, sales_invoice_gl(doc, ctx))
        self._update_against_invoice(doc, ctx, sign=1)
        status = compute_status(doc, ctx.now().date(), lambda: False)
        if not inserted_submitted:
            db_set(doc, ctx, {"status": status})
        elif not (cint(doc.get("is_pos")) and cint(doc.get("is_return"))):
            # the outstanding update writes the status to the database only: the response of the
            # insert still says "Draft" (samples 13, 03); a POS return is never updated (observed)
            db_set(doc, ctx, {"status": status}, in_response=False)

    def on_cancel(self, doc: Doc, ctx: Ctx) -> None:
        lookup.use_site_rounding(ctx)
        unlink_payments_of_invoice(doc, ctx)
        # Frappe's back-link check after on_cancel: a submitted credit note blocks the cancel
        for note in ctx.all("Sales Invoice", return_against=doc["name"], docstatus=1):
            raise link_exists("Sales Invoice", doc["name"], "Sales Invoice", note["name"])
        _, items = defaults.check_party_and_items(doc, ctx)
        if cint(doc.get("update_stock")):
            reverse_stock(ctx, stock_entries(doc, items))
        reverse(ctx, merge_entries(sales_invoice_gl(doc, ctx)))
        self._update_against_invoice(doc, ctx, sign=-1)
        db_set(doc, ctx, {"status": "Cancelled"})

    def _update_against_invoice(self, doc: Doc, ctx: Ctx, sign: int) -> None:
        """A credit note either reduces the original's outstanding (update_outstanding_for_self 0)
        or keeps its own; either way the original's status is recomputed (Credit Note Issued)."""
        if not cint(doc.get("is_return")) or not doc.get("return_against"):
            return
        original = ctx.get("Sales Invoice", doc["return_against"])
        if original is None or cint(original.get("docstatus")) != 1:
            return
        if not cint(doc.get("update_outstanding_for_self")) and not cint(doc.get("is_pos")):
            total = invoice_total(doc)  # the GL row is in the receivable's currency (base for a foreign note)
            original["outstanding_amount"] = float(money(dec(original.get("outstanding_amount")) + sign * total))
            if sign > 0:
                # the note's own outstanding moves to the original
                db_set(doc, ctx, {"outstanding_amount": 0.0})
        others = [
            n
            for n in ctx.all("Sales Invoice", return_against=original["name"], docstatus=1, is_return=1)
            if n.get("name") != doc.get("name")
        ]
        credit_note = bool(others) or sign > 0
        original["status"] = compute_status(original, ctx.now().date(), lambda: credit_note)
        ctx.save(original)
