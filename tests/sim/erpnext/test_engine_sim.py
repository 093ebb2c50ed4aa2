"""ErpSim's public surface: seed, inspection endpoints, controller registry and the Ctx seam."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from test_engine_support import Api, texts

from woonext.sim.erpnext import Controller, Ctx, Doc, throw


async def test_seed_builds_the_company_and_its_masters(api: Api) -> None:
    company = await api.ok("GET", "/api/resource/Company/Jarz Test")
    assert (company["abbr"], company["default_currency"], company["country"]) == ("JT", "EGP", "Egypt")
    assert company["default_receivable_account"] == "Debtors - JT"
    cash = await api.ok("GET", "/api/resource/Account/Cash - JT")
    assert (cash["account_type"], cash["parent_account"], cash["company"]) == (
        "Cash",
        "Application of Funds (Assets) - JT",
        "Jarz Test",
    )
    mode = await api.ok("GET", "/api/resource/Mode of Payment/Cash")
    assert [(r["company"], r["default_account"]) for r in mode["accounts"]] == [("Jarz Test", "Cash - JT")]
    prices = await api.ok("GET", "/api/resource/Item Price", params={"fields": '["item_code", "price_list_rate"]'})
    assert prices == [{"item_code": "Test Cake", "price_list_rate": 150.0}]
    egypt = await api.ok("GET", "/api/resource/Country", params={"filters": '{"code": "eg"}'})
    assert egypt == [{"name": "Egypt"}]
    assert await api.ok("GET", "/api/method/frappe.client.get_count", params={"doctype": "Country"}) >= 249
    assert api.sim.db.bins[("Test Cake", "Jarz Main - JT")] == Decimal("98")


async def test_inspection_endpoints_need_no_auth(api: Api) -> None:
    await api.call("POST", "/api/resource/Territory", {"territory_name": "Seen"})
    counts = (await api.client.get("/__sim__/docs")).json()
    assert counts["Territory"] == 3
    one = (await api.client.get("/__sim__/docs/Territory/Seen")).json()
    assert one["parent_territory"] == "All Territories"
    log = (await api.client.get("/__sim__/requests")).json()
    assert {"method": "POST", "path": "/api/resource/Territory", "status": 200} in log
    assert ("POST", "/api/resource/Territory", 200) in api.sim.request_log
    clock = (await api.client.post("/__sim__/clock", json={"advance": 3600})).json()
    assert clock["site"].startswith("2026-11-25 07:22")
    stock = (await api.client.get("/__sim__/stock")).json()
    assert {"item_code": "Test Cake", "warehouse": "Jarz Main - JT", "actual_qty": 98.0} in stock["bins"]
    assert (await api.client.get("/__sim__/gl")).json() == []


class Probe(Controller):
    """A controller that exercises every Ctx call inside the request's transaction."""

    doctype = "Territory"

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        if doc["name"] != "Probe":
            return
        ctx.insert("Territory", {"territory_name": "Probe Side Effect"})
        ctx.add_gl({"account": "Cash - JT", "debit": 1.0, "credit": 0.0, "voucher_no": "Probe"})
        ctx.add_stock_ledger({"item_code": "Test Cake", "warehouse": "Jarz Main - JT", "actual_qty": -3})
        assert ctx.stock_qty("Test Cake", "Jarz Main - JT") == Decimal("95")
        assert ctx.exists("Territory", "probe side effect")
        assert [t["name"] for t in ctx.all("Territory", is_group=1)] == ["All Territories"]
        assert ctx.now().strftime("%Y-%m-%d %H:%M") == "2026-11-25 06:22"
        ctx.msgprint("probe ran", title="Note", indicator="blue")
        if doc.get("territory_manager") is None and doc.get("is_group"):
            raise throw("probe refused")


async def test_controllers_use_the_request_transaction(api: Api) -> None:
    api.sim.register_controller(Probe())
    refused = await api.call("POST", "/api/resource/Territory", {"territory_name": "Probe", "is_group": 1})
    assert refused.status_code == 417
    assert texts(refused.json()) == ["probe ran", "probe refused"]  # messages before the throw are kept
    assert api.sim.db.get("Territory", "Probe Side Effect") is None and api.sim.gl_entries == []
    assert api.sim.db.bins[("Test Cake", "Jarz Main - JT")] == Decimal("98")
    ok = await api.call("POST", "/api/resource/Territory", {"territory_name": "Probe"})
    assert ok.status_code == 200 and texts(ok.json()) == ["probe ran"]
    assert api.sim.db.get("Territory", "Probe Side Effect") is not None
    assert api.sim.gl_entries[-1]["voucher_no"] == "Probe" and api.sim.stock_ledger[-1]["actual_qty"] == -3
    assert api.sim.db.bins[("Test Cake", "Jarz Main - JT")] == Decimal("95")


async def test_registered_methods_and_daily_jobs(api: Api) -> None:
    calls: list[str] = []

    def echo(ctx: Ctx, value: str = "", **_: Any) -> dict[str, str]:
        return {"echo": value, "company": (ctx.get("Company", "Jarz Test") or {})["abbr"]}

    def nightly(ctx: Ctx) -> None:
        calls.append(ctx.now().date().isoformat())

    api.sim.register_method("woonext.probe.echo", echo)
    api.sim.daily_jobs.append(nightly)
    assert await api.ok("GET", "/api/method/woonext.probe.echo", params={"value": "hi"}) == {
        "echo": "hi",
        "company": "JT",
    }
    assert calls == []
    api.sim.clock.advance(24 * 3600)
    await api.call("GET", "/api/resource/Company")
    await api.call("GET", "/api/resource/Company")
    assert calls == ["2026-11-26"]  # once per new site-local day


async def test_new_documents_get_schema_defaults(api: Api) -> None:
    item = await api.ok(
        "POST", "/api/resource/Item", {"item_code": "Fresh", "item_group": "Products", "stock_uom": "Nos"}
    )
    assert item["end_of_life"] == "2099-12-31" and item["item_name"] == "Fresh" and item["is_stock_item"] == 1
    price = await api.ok(
        "POST",
        "/api/resource/Item Price",
        {"item_code": "Fresh", "price_list": "Standard Selling", "price_list_rate": 12},
    )
    assert price["valid_from"] == "2026-11-25"  # "Today" in the site's time zone
    assert (price["currency"], price["uom"], price["selling"]) == ("EGP", "Nos", 1)
