"""Address and Contact controllers (frappe.contacts): naming, Dynamic Link titles, primary fields."""

from __future__ import annotations

from typing import Any

from .base import Controller, Ctx, Doc, throw
from .naming import append_number_if_exists, make_autoname
from .serialize import to_int


def set_link_titles(doc: Doc, ctx: Ctx) -> None:
    """Each Dynamic Link row shows the linked document's title (its title field, else its name)."""
    for link in doc.get("links") or []:
        if link.get("link_title") or not link.get("link_doctype") or not link.get("link_name"):
            continue
        linked = ctx.get(str(link["link_doctype"]), str(link["link_name"]))
        if linked is None:
            continue
        meta = getattr(ctx, "meta")(str(link["link_doctype"]))  # noqa: B009
        title_field = meta.title_field if meta is not None else ""
        link["link_title"] = (linked.get(title_field) if title_field else None) or linked["name"]


class AddressController(Controller):
    doctype = "Address"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        if not doc.get("address_title") and doc.get("links"):
            doc["address_title"] = doc["links"][0].get("link_name")
        title = str(doc.get("address_title") or "").strip()
        if not title:
            raise throw("Address Title is mandatory.")
        name = f"{title}-{str(doc.get('address_type') or '').strip()}"
        if ctx.exists("Address", name):
            txn: Any = getattr(ctx, "txn")  # noqa: B009
            name = make_autoname(txn, f"{name}-.#", ctx.now(), doc)
        return name

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        set_link_titles(doc, ctx)
        txn: Any = getattr(ctx, "txn")  # noqa: B009
        parties = {(link.get("link_doctype"), link.get("link_name")) for link in doc.get("links") or []}
        for flag in ("is_primary_address", "is_shipping_address"):
            if not to_int(doc.get(flag)):
                continue
            # Looked at in place and copied only when it is the same party's (a shop has many addresses).
            for stored in list(txn.iter("Address")):
                if stored["name"] == doc.get("name") or not to_int(stored.get(flag)):
                    continue
                if any((o.get("link_doctype"), o.get("link_name")) in parties for o in stored.get("links") or []):
                    # ERPNext unsets the flag on the other addresses of the same party
                    other = ctx.get("Address", str(stored["name"]))
                    if other is not None:
                        other[flag] = 0
                        ctx.save(other)


class ContactController(Controller):
    doctype = "Contact"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        name = full_name(doc)
        for link in doc.get("links") or []:
            name = f"{name}-{str(link.get('link_name') or '').strip()}"
            break
        txn: Any = getattr(ctx, "txn")  # noqa: B009
        return append_number_if_exists(txn, "Contact", name)

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        doc["full_name"] = full_name(doc)
        set_primary_email(doc)
        set_primary(doc, "phone")
        set_primary(doc, "mobile_no")
        if doc.get("image") is None:
            doc["image"] = ""
        set_link_titles(doc, ctx)


def full_name(doc: Doc) -> str:
    parts = [str(doc.get(f) or "").strip() for f in ("first_name", "middle_name", "last_name")]
    return " ".join(p for p in parts if p) or str(doc.get("company_name") or "").strip()


def set_primary_email(doc: Doc) -> None:
    rows = doc.get("email_ids") or []
    primary = [r for r in rows if to_int(r.get("is_primary"))]
    if len(primary) > 1:
        raise throw("Only one <strong>Email ID</strong> can be set as primary.")
    doc["email_id"] = str(primary[0].get("email_id") or "").strip() if primary else ""


def set_primary(doc: Doc, fieldname: str) -> None:
    rows = doc.get("phone_nos") or []
    flag = f"is_primary_{fieldname}"
    primary = [r for r in rows if to_int(r.get(flag))]
    if len(primary) > 1:
        label = fieldname.replace("_", " ").title()
        raise throw(f"Only one <strong>{label}</strong> can be set as primary.")
    doc[fieldname] = primary[0].get("phone") if primary else ""
