"""Controllers of the masters (B6) and of Custom Field (B7); accounting lives in `accounting/`."""

from __future__ import annotations

from .base import Controller, Ctx, Doc, FrappeError, throw
from .contacts import AddressController, ContactController
from .custom_fields import CustomFieldController
from .customer import CustomerController
from .serialize import to_int


class CustomerGroupController(Controller):
    doctype = "Customer Group"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        # ERPNext: msgprint(..., raise_exception=1), a plain ValidationError (the Customer side is 409)
        if ctx.exists("Customer", doc["name"]):
            raise throw("A customer with the same name already exists")


class AccountController(Controller):
    doctype = "Account"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        company = ctx.get("Company", str(doc.get("company") or "")) or {}
        number = str(doc.get("account_number") or "").strip()
        base = f"{number} - {doc.get('account_name')}" if number else str(doc.get("account_name") or "")
        return f"{base.strip()} - {company.get('abbr', '')}"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        company = ctx.get("Company", str(doc.get("company") or "")) or {}
        if not doc.get("account_currency"):  # Account.validate_account_currency
            doc["account_currency"] = company.get("default_currency")
        parent_name = str(doc.get("parent_account") or "")
        parent = ctx.get("Account", parent_name)  # a missing one was refused as a broken Link already
        if parent is not None and parent.get("company") != doc.get("company"):
            raise throw(
                f"Account {doc['name']}: Parent account {parent_name} does not belong to company: {doc.get('company')}"
            )
        if parent is not None:
            if not to_int(parent.get("is_group")):
                raise throw(
                    f"Account {parent['name']}: Parent account {parent['name']} can not be a ledger",
                    "InvalidAccountError",
                )
            doc.setdefault("root_type", parent.get("root_type"))
            if not doc.get("root_type"):
                doc["root_type"] = parent.get("root_type")
            if not doc.get("report_type"):
                doc["report_type"] = parent.get("report_type")


class ModeOfPaymentController(Controller):
    """erpnext/accounts/doctype/mode_of_payment/mode_of_payment.py: each company once, and each
    default account of the company it is listed for."""

    doctype = "Mode of Payment"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        rows = doc.get("accounts") or []
        for row in rows:
            account = ctx.get("Account", str(row.get("default_account") or "")) or {}
            if account.get("company") != row.get("company"):
                raise throw(
                    f"Account {row.get('default_account')} does not match with Company {row.get('company')} "
                    f"in Mode of Account: {doc['name']}"
                )
        companies = [row.get("company") for row in rows]
        if len(companies) != len(set(companies)):
            raise throw("Same Company is entered more than once")


class WarehouseController(Controller):
    doctype = "Warehouse"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        company = ctx.get("Company", str(doc.get("company") or "")) or {}
        suffix = f" - {company.get('abbr', '')}"
        name = str(doc.get("warehouse_name") or "").strip()
        return name if name.endswith(suffix) else name + suffix


class CostCenterController(Controller):
    doctype = "Cost Center"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        company = ctx.get("Company", str(doc.get("company") or "")) or {}
        number = str(doc.get("cost_center_number") or "").strip()
        base = f"{number} - {doc.get('cost_center_name')}" if number else str(doc.get("cost_center_name") or "")
        return f"{base.strip()} - {company.get('abbr', '')}"


class CurrencyExchangeController(Controller):
    doctype = "Currency Exchange"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        purpose = ""
        if to_int(doc.get("for_buying")) and not to_int(doc.get("for_selling")):
            purpose = "Buying"
        elif to_int(doc.get("for_selling")) and not to_int(doc.get("for_buying")):
            purpose = "Selling"
        name = f"{doc.get('date')}-{doc.get('from_currency')}-{doc.get('to_currency')}"
        return f"{name}-{purpose}" if purpose else name

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        if not to_int(doc.get("for_buying")) and not to_int(doc.get("for_selling")):
            raise throw("Currency Exchange must be applicable for Buying or for Selling.")


def _refuse_delete_with_children(doctype: str, parent_field: str) -> type[Controller]:
    class TreeController(Controller):
        def on_trash(self, doc: Doc, ctx: Ctx) -> None:
            if ctx.all(doctype, **{parent_field: doc["name"]}):
                # frappe/utils/nestedset.py validate_if_child_exists (v15)
                message = f"Cannot delete {doc['name']} as it has child nodes"
                raise FrappeError(
                    status=417,
                    exc_type="NestedSetChildExistsError",
                    messages=[
                        {
                            "message": message,
                            "title": "Message",
                            "indicator": "red",
                            "raise_exception": 1,
                        }
                    ],
                    exception=message,
                    exc_module="frappe.utils.nestedset",
                )

    TreeController.doctype = doctype
    return TreeController


CONTROLLERS: list[Controller] = [
    CustomerController(),
    CustomerGroupController(),
    AccountController(),
    ModeOfPaymentController(),
    WarehouseController(),
    CostCenterController(),
    CurrencyExchangeController(),
    AddressController(),
    ContactController(),
    CustomFieldController(),
    _refuse_delete_with_children("Territory", "parent_territory")(),
    _refuse_delete_with_children("Customer Group", "parent_customer_group")(),
]
