"""C2 item 1: the simulator's schema is derived from the real v15 doctype JSON by the tool."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from test_engine_support import REFERENCE

from woonext.sim.erpnext.schema import SCHEMA_PATH, base_schema

TOOL = Path(__file__).resolve().parents[3] / "tools" / "derive_erpnext_schema.py"


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("derive_erpnext_schema", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_c2_01_committed_schema_is_what_the_tool_derives(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert _tool().main(["--source", str(REFERENCE / "erpnext-v15-doctypes"), "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads(SCHEMA_PATH.read_text())


def test_c2_01_schema_keeps_what_validation_needs() -> None:
    raw = json.loads((REFERENCE / "erpnext-v15-doctypes" / "sales_invoice.json").read_text())
    metas = base_schema()
    invoice = metas["Sales Invoice"]
    assert invoice.autoname == "naming_series:" and invoice.is_submittable and invoice.title_field == "title"
    reqd = {f["fieldname"] for f in raw["fields"] if f.get("reqd")}
    assert {f["fieldname"] for f in invoice.fields if f.get("reqd")} == reqd
    customer = invoice.get_field("customer")
    assert customer is not None and (customer["fieldtype"], customer["options"]) == ("Link", "Customer")
    items = invoice.get_field("items")
    assert items is not None and items["options"] == "Sales Invoice Item"
    assert "column_break1" not in invoice.by_name  # layout fields carry no data
    assert metas["Sales Invoice Item"].istable
    customer_type = metas["Customer"].get_field("customer_type")
    assert customer_type is not None and customer_type["options"] == "Company\nIndividual\nPartnership"
    assert metas["Territory"].is_tree and metas["Territory"].nsm_parent_field == "parent_territory"
    line1 = metas["Address"].get_field("address_line1")
    assert line1 is not None and line1["length"] == 240
    layout = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Image"}
    allowed = {f["fieldname"] for f in raw["fields"] if f.get("allow_on_submit") and f["fieldtype"] not in layout}
    assert {f["fieldname"] for f in invoice.fields if f.get("allow_on_submit")} == allowed
