"""Derive the ERPNext simulator's compact schema from the real v15 doctype definitions.

Reads `reference/erpnext-v15-doctypes/*.json` (next to the repository, or `--source`) and writes
`src/woonext/sim/erpnext/schema.json` with only what the simulator's validation needs. Doctypes the
reference set does not contain but that other doctypes link to (Country, Currency, UOM, ...) are
described minimally by `SUPPLEMENT` below, so Link validation has somewhere to look.

Usage: python tools/derive_erpnext_schema.py [--source DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / "tests" / "fixtures" / "real" / "erpnext-v15-doctypes"
DEFAULT_OUT = REPO / "src" / "woonext" / "sim" / "erpnext" / "schema.json"

# Layout-only field types carry no data; Frappe's `no_value_fields`.
NO_VALUE_TYPES = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Image", "Fold", "Heading"}
FIELD_KEYS = (
    "label",
    "fieldtype",
    "reqd",
    "options",
    "length",
    "unique",
    "allow_on_submit",
    "set_only_once",
    "non_negative",
    "default",
    "read_only",
    "no_copy",
    "precision",
    "fetch_from",
    "fetch_if_empty",
    "is_virtual",
    "oldfieldtype",
)
DOCTYPE_KEYS = (
    "autoname",
    "naming_rule",
    "is_submittable",
    "istable",
    "title_field",
    "is_tree",
    "nsm_parent_field",
    "sort_field",
    "sort_order",
    "issingle",
)


def _field(name: str, fieldtype: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"fieldname": name, "fieldtype": fieldtype, "label": label, **extra}


# Minimal definitions (fieldname, type, label, flags) of v15 doctypes missing from the reference
# set. Field names follow the v15 source; only fields the simulator reads or writes are listed.
SUPPLEMENT: dict[str, dict[str, Any]] = {
    "Country": {
        "autoname": "field:country_name",
        "fields": [
            _field("country_name", "Data", "Country Name", reqd=1, unique=1),
            _field("code", "Data", "Code"),
            _field("date_format", "Data", "Date Format"),
            _field("time_format", "Data", "Time Format"),
            _field("time_zones", "Text", "Time Zones"),
        ],
    },
    "Currency": {
        "autoname": "field:currency_name",
        "fields": [
            _field("currency_name", "Data", "Currency Name", reqd=1, unique=1),
            _field("enabled", "Check", "Enabled", default="0"),
            _field("fraction", "Data", "Fraction"),
            _field("fraction_units", "Int", "Fraction Units"),
            _field("smallest_currency_fraction_value", "Currency", "Smallest Currency Fraction Value"),
            _field("symbol", "Data", "Symbol"),
            _field(
                "number_format",
                "Select",
                "Number Format",
                options="\n#,###.##\n#.###,##\n# ###.##\n# ###,##\n#'###.##\n#, ###.##\n#,##,###.##"
                "\n#,###.###\n#.###\n#,###",
            ),
        ],
    },
    "UOM": {
        "autoname": "field:uom_name",
        "fields": [
            _field("uom_name", "Data", "UOM Name", reqd=1, unique=1),
            _field("enabled", "Check", "Enabled", default="1"),
            _field("must_be_whole_number", "Check", "Must be Whole Number", default="0"),
        ],
    },
    "Stock Entry Type": {
        "autoname": "Prompt",
        "fields": [
            _field(
                "purpose",
                "Select",
                "Purpose",
                reqd=1,
                default="Material Issue",
                options="Material Issue\nMaterial Receipt\nMaterial Transfer\nMaterial Transfer for Manufacture"
                "\nMaterial Consumption for Manufacture\nManufacture\nRepack\nSend to Subcontractor",
            ),
            _field("add_to_transit", "Check", "Add to Transit", default="0"),
        ],
    },
    "Item Group": {
        "autoname": "field:item_group_name",
        "is_tree": 1,
        "nsm_parent_field": "parent_item_group",
        "fields": [
            _field("item_group_name", "Data", "Item Group Name", reqd=1, unique=1),
            _field("parent_item_group", "Link", "Parent Item Group", options="Item Group"),
            _field("is_group", "Check", "Is Group", default="0"),
            _field("lft", "Int", "lft", read_only=1),
            _field("rgt", "Int", "rgt", read_only=1),
            _field("old_parent", "Link", "Old Parent", options="Item Group"),
        ],
    },
    "Cost Center": {
        "autoname": "autoname",
        "is_tree": 1,
        "nsm_parent_field": "parent_cost_center",
        "fields": [
            _field("cost_center_name", "Data", "Cost Center Name", reqd=1),
            _field("cost_center_number", "Data", "Cost Center Number"),
            _field("parent_cost_center", "Link", "Parent Cost Center", options="Cost Center"),
            _field("company", "Link", "Company", options="Company", reqd=1),
            _field("is_group", "Check", "Is Group", default="0"),
            _field("disabled", "Check", "Disabled", default="0"),
            _field("lft", "Int", "lft", read_only=1),
            _field("rgt", "Int", "rgt", read_only=1),
            _field("old_parent", "Link", "Old Parent", options="Cost Center"),
        ],
    },
    "Currency Exchange": {
        "autoname": "autoname",
        "fields": [
            _field("date", "Date", "Date", reqd=1),
            _field("from_currency", "Link", "From Currency", options="Currency", reqd=1),
            _field("to_currency", "Link", "To Currency", options="Currency", reqd=1),
            _field("exchange_rate", "Float", "Exchange Rate", reqd=1, precision="9"),
            _field("for_buying", "Check", "For Buying", default="1"),
            _field("for_selling", "Check", "For Selling", default="1"),
        ],
    },
    "Stock Settings": {
        "issingle": 1,
        "fields": [
            _field("allow_negative_stock", "Check", "Allow Negative Stock", default="0"),
            _field(
                "auto_insert_price_list_rate_if_missing",
                "Check",
                "Auto Insert Item Price If Missing",
                default="1",
            ),
            _field("default_warehouse", "Link", "Default Warehouse", options="Warehouse"),
            _field("stock_uom", "Link", "Default Stock UOM", options="UOM"),
        ],
    },
    "Selling Settings": {
        "issingle": 1,
        "fields": [
            _field(
                "cust_master_name",
                "Select",
                "Customer Naming By",
                options="Customer Name\nNaming Series\nAuto Name",
                default="Customer Name",
            ),
            _field("customer_group", "Link", "Default Customer Group", options="Customer Group"),
            _field("territory", "Link", "Default Territory", options="Territory"),
            _field("selling_price_list", "Link", "Default Price List", options="Price List"),
            _field("allow_negative_rates_for_items", "Check", "Allow Negative rates for Items", default="0"),
        ],
    },
    "Accounts Settings": {
        "issingle": 1,
        "fields": [
            _field(
                "unlink_payment_on_cancellation_of_invoice",
                "Check",
                "Unlink Payment on Cancellation of Invoice",
                default="1",
            ),
            _field(
                "delete_linked_ledger_entries",
                "Check",
                "Delete Accounting and Stock Ledger Entries on deletion of Transaction",
                default="0",
            ),
        ],
    },
    "System Settings": {
        "issingle": 1,
        "fields": [
            _field("time_zone", "Data", "Time Zone"),
            _field("country", "Link", "Country", options="Country"),
            _field("currency", "Link", "Default Currency", options="Currency"),
            _field(
                "allow_error_traceback",
                "Check",
                "Show Full Error and Allow Reporting of Issues to the Developer",
                default="1",
            ),
        ],
    },
    "Language": {
        "autoname": "field:language_code",
        "fields": [
            _field("language_code", "Data", "Language Code", reqd=1, unique=1),
            _field("language_name", "Data", "Language Name", reqd=1),
            _field("enabled", "Check", "Enabled", default="1"),
        ],
    },
    # child table ERPNext fills on every invoice (erpnext/accounts/doctype/payment_schedule)
    "Payment Schedule": {
        "istable": 1,
        "fields": [
            _field("payment_term", "Link", "Payment Term", options="Payment Term"),
            _field("description", "Small Text", "Description"),
            _field("due_date", "Date", "Due Date", reqd=1),
            _field("invoice_portion", "Percent", "Invoice Portion"),
            _field("mode_of_payment", "Link", "Mode of Payment", options="Mode of Payment"),
            _field(
                "due_date_based_on",
                "Select",
                "Due Date Based On",
                read_only=1,
                options="\nDay(s) after invoice date\nDay(s) after the end of the invoice month"
                "\nMonth(s) after the end of the invoice month",
            ),
            _field("credit_days", "Int", "Credit Days", read_only=1),
            _field("credit_months", "Int", "Credit Months", read_only=1),
            _field("discount_date", "Date", "Discount Date"),
            _field("discount", "Float", "Discount"),
            _field("discount_type", "Select", "Discount Type", options="Percentage\nAmount"),
            _field(
                "discount_validity_based_on",
                "Select",
                "Discount Validity Based On",
                options="Day(s) after invoice date\nDay(s) after the end of the invoice month"
                "\nMonth(s) after the end of the invoice month",
            ),
            _field("discount_validity", "Int", "Discount Validity"),
            _field("payment_amount", "Currency", "Payment Amount", reqd=1, options="currency"),
            _field("outstanding", "Currency", "Outstanding", options="currency"),
            _field("paid_amount", "Currency", "Paid Amount", options="currency"),
            _field("discounted_amount", "Currency", "Discounted Amount", options="currency"),
            _field(
                "base_payment_amount",
                "Currency",
                "Payment Amount (Company Currency)",
                options="Company:company:default_currency",
            ),
            _field(
                "base_outstanding",
                "Currency",
                "Outstanding (Company Currency)",
                options="Company:company:default_currency",
            ),
            _field(
                "base_paid_amount",
                "Currency",
                "Paid Amount (Company Currency)",
                options="Company:company:default_currency",
            ),
        ],
    },
    "User": {
        "fields": [
            _field("email", "Data", "Email", reqd=1, options="Email"),
            _field("first_name", "Data", "First Name", reqd=1),
            _field("full_name", "Data", "Full Name"),
            _field("enabled", "Check", "Enabled", default="1"),
            _field("api_key", "Data", "API Key", unique=1),
        ],
    },
}


def compact_field(raw: dict[str, Any], position: int = 0) -> dict[str, Any] | None:
    if raw.get("fieldtype") in NO_VALUE_TYPES:
        return None
    out: dict[str, Any] = {"fieldname": raw["fieldname"]}
    if position:
        out["position"] = position  # 1-based place among all fields, layout ones included (Custom Field idx)
    for key in FIELD_KEYS:
        value = raw.get(key)
        if value in (None, "", 0) and key != "default":
            continue
        if key == "default" and value is None:
            continue
        out[key] = value
    out.setdefault("fieldtype", "Data")
    out.setdefault("label", raw.get("label") or "")
    return out


def compact_doctype(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: raw[k] for k in DOCTYPE_KEYS if raw.get(k) not in (None, "", 0)}
    order = {name: i for i, name in enumerate(raw.get("field_order") or [], start=1)}
    fields = (compact_field(fl, order.get(fl["fieldname"], i)) for i, fl in enumerate(raw.get("fields", []), start=1))
    out["fields"] = [f for f in fields if f is not None]
    return out


def derive(source: Path) -> dict[str, Any]:
    files = sorted(source.glob("*.json"))
    if not files:
        raise SystemExit(f"no doctype JSON files in {source}")
    doctypes: dict[str, Any] = {}
    for path in files:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("doctype") != "DocType":
            continue
        doctypes[raw["name"]] = compact_doctype(raw)
    for name, spec in SUPPLEMENT.items():
        if name in doctypes:
            continue
        doctypes[name] = {
            **{k: v for k, v in spec.items() if k != "fields"},
            "fields": [compact_field(f, i) for i, f in enumerate(spec["fields"], start=1)],
            "supplement": 1,
        }
    return {"source": "ERPNext 15.92.1 / Frappe 15.92.0 doctype JSON", "doctypes": doctypes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    schema = derive(args.source.resolve())
    args.out.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(schema['doctypes'])} doctypes to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
