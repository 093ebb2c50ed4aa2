"""Customer (B6): naming by customer name, the group clash, and the primary contact and address
ERPNext creates when a new customer carries e-mail/mobile or address fields."""

from __future__ import annotations

from typing import Any

from .base import Controller, Ctx, Doc, throw


class CustomerController(Controller):
    doctype = "Customer"

    def before_insert(self, doc: Doc, ctx: Ctx) -> None:
        # Selling Settings without defaults (right after the wizard) leave both empty
        settings = ctx.get("Selling Settings", "Selling Settings") or {}
        for field in ("customer_group", "territory"):
            if not doc.get(field) and settings.get(field):
                doc[field] = settings[field]
        doc.setdefault("language", "en")
        if not doc.get("language"):
            doc["language"] = "en"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        settings = ctx.get("Selling Settings", "Selling Settings") or {}
        if (settings.get("cust_master_name") or "Customer Name") != "Customer Name":
            return None
        name = str(doc.get("customer_name") or "").strip()
        if not name:
            raise throw("Customer Name is required")
        if not ctx.exists("Customer", name):
            return name
        count = 0
        prefix = f"{name} - ".casefold()
        for other in ctx.names("Customer"):
            other_name = other.casefold()
            if other_name.startswith(prefix) and other_name[len(prefix) :].isdigit():
                count = max(count, int(other_name[len(prefix) :]))
        new_name = f"{name} - {count + 1}"
        ctx.msgprint(
            f"Changed customer name to '{new_name}' as '{name}' already exists.",
            title="Note",
            indicator="yellow",
        )
        return new_name

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        if doc.get("__islocal") and doc.get("address_line1"):
            missing = [f"<li>{f.title()}</li>" for f in ("city", "country") if not doc.get(f)]
            if missing:
                raise throw(
                    "Following fields are mandatory to create address: <br><br> <ul>" + "\n".join(missing) + "</ul>",
                    title="Missing Values Required",
                )
        if ctx.exists("Customer Group", doc["name"]):
            raise throw(
                "A Customer Group exists with same name please change the Customer name or rename the Customer Group",
                "NameError",
                409,
            )

    def on_trash(self, doc: Doc, ctx: Ctx) -> None:
        delete_contacts_and_addresses(ctx, doc["name"])

    def on_update(self, doc: Doc, ctx: Ctx) -> None:
        if not doc.get("__islocal"):
            return
        changes: dict[str, Any] = {}
        if (doc.get("email_id") or doc.get("mobile_no")) and not doc.get("customer_primary_contact"):
            contact = ctx.insert("Contact", primary_contact(doc))
            changes.update(
                customer_primary_contact=contact["name"], email_id=doc.get("email_id"), mobile_no=doc.get("mobile_no")
            )
        if doc.get("address_line1"):
            address = ctx.insert("Address", primary_address(doc))
            changes.update(customer_primary_address=address["name"], primary_address=address_display(address))
        if changes:
            stored = ctx.get("Customer", doc["name"])
            if stored is not None:
                stored.update(changes)
                ctx.save(stored)
            doc.update(changes)


def delete_contacts_and_addresses(ctx: Ctx, customer: str) -> None:
    """ERPNext's `delete_contact_and_address`: what links only to this customer goes with it; shared
    ones just lose the link."""
    txn: Any = getattr(ctx, "txn")  # noqa: B009 - DocCtx carries the transaction
    for doctype in ("Address", "Contact"):
        for doc in ctx.all(doctype):
            links = doc.get("links") or []
            mine = [r for r in links if r.get("link_doctype") == "Customer" and r.get("link_name") == customer]
            if not mine:
                continue
            if len(mine) == len(links):
                txn.delete(doctype, doc["name"])
            else:
                doc["links"] = [r for r in links if r not in mine]
                ctx.save(doc)


def primary_contact(customer: Doc) -> Doc:
    """ERPNext's `make_contact`: names split for individuals, the company name otherwise."""
    contact: Doc = {
        "is_primary_contact": 1,
        "links": [{"link_doctype": "Customer", "link_name": customer["name"]}],
    }
    name = str(customer.get("customer_name") or "")
    if customer.get("customer_type") == "Individual":
        parts = name.split()
        contact["first_name"] = parts[0] if parts else ""
        contact["middle_name"] = " ".join(parts[1:-1]) if len(parts) > 2 else None
        contact["last_name"] = parts[-1] if len(parts) > 1 else None
    else:
        contact["company_name"] = name
    if customer.get("email_id"):
        contact["email_ids"] = [{"email_id": customer["email_id"], "is_primary": 1}]
    if customer.get("mobile_no"):
        contact["phone_nos"] = [{"phone": customer["mobile_no"], "is_primary_mobile_no": 1}]
    return contact


def primary_address(customer: Doc) -> Doc:
    """ERPNext's `make_address`: a primary billing address that is also the shipping one."""
    fields = ("address_line1", "address_line2", "city", "state", "pincode", "country")
    return {
        "address_title": customer.get("customer_name"),
        **{f: customer.get(f) for f in fields},
        "is_primary_address": 1,
        "is_shipping_address": 1,
        "links": [{"link_doctype": "Customer", "link_name": customer["name"]}],
    }


def address_display(address: Doc) -> str:
    """The default address template, rendered."""
    lines = [address.get(f) for f in ("address_line1", "address_line2", "city", "state", "pincode", "country")]
    extra = [
        f"Phone: {address['phone']}" if address.get("phone") else None,
        f"Email: {address['email_id']}" if address.get("email_id") else None,
    ]
    return "".join(f"{line}<br>\n" for line in [*lines, *extra] if line)
