"""An edit woonext could not amend, corrected by hand and accepted (`woonext orders accept-edit`): it
stops being flagged, stays in the audit trail, and a later edit is flagged again."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from typer.testing import CliRunner

from tests.refunds.conftest import Shop, money
from tests.refunds.test_edits import more_cake
from tests.simproc import sim_up_process
from woonext.cli import app
from woonext.store import NEEDS_REVIEW, SKIPPED, SUCCEEDED
from woonext.sync.accept import ACCEPTED_NOW, NO_INVOICE, NOTHING, REFUSED, UNKNOWN, accept_edit, order_facts
from woonext.sync.edits import ACCEPTED

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def flagged_paid_order(shop: Shop) -> int:
    """A Kashier-paid order (invoice + Payment Entry) whose CAKE went 3 → 4 after invoicing."""
    order = shop.order("kashier_card", paid=True)
    assert (await shop.sync(order["id"])).status == SUCCEEDED
    more_cake(shop, order["id"])
    result = await shop.sync(order["id"])
    assert (result.status, result.reason) == (NEEDS_REVIEW, "edited_after_invoicing")
    return int(order["id"])


async def test_an_accepted_edit_is_no_longer_flagged_and_costs_no_erpnext_write(shop: Shop) -> None:
    order_id = await flagged_paid_order(shop)
    again = await shop.sync(order_id)  # without acceptance a replay flags it again, every time
    assert (again.status, again.reason) == (NEEDS_REVIEW, "edited_after_invoicing")
    assert shop.world.db.outcome("main", "order", order_id).attempts == 2  # type: ignore[union-attr]
    writes = shop.erp_writes()

    accepted = await accept_edit(shop.ctx, order_id, "credit note CN-7 made by hand", NOON)

    [invoice] = shop.invoices(order_id)
    assert (accepted.result, accepted.invoice) == (ACCEPTED_NOW, invoice["name"])
    assert "paid" in accepted.why
    assert accepted.lines == ["CAKE: qty 3→4, amount 300.00→400.00", "total 479.94→593.94", "tax 58.94→72.94"]
    outcome = shop.world.db.outcome("main", "order", order_id)
    assert outcome is not None and (outcome.status, outcome.reason, outcome.attempts) == (SUCCEEDED, "edit_accepted", 0)
    assert invoice["name"] in outcome.detail and "CAKE: qty 3→4" in outcome.detail and "CN-7" in outcome.detail
    [entry] = shop.binding("order", order_id).data[ACCEPTED]
    assert (entry["at"], entry["invoice"], entry["note"]) == (
        "2026-11-25 12:00:00 UTC",
        invoice["name"],
        "credit note CN-7 made by hand",
    )
    assert entry["difference"] == "CAKE: qty 3→4, amount 300.00→400.00; total 479.94→593.94; tax 58.94→72.94"

    for _ in range(2):  # a poll and a webhook: in step, nothing written, the acceptance stays on record
        result = await shop.sync(order_id)
        assert (result.status, result.reason) == (SKIPPED, "already_synced")
    assert shop.erp_writes() == writes
    assert shop.world.db.outcome("main", "order", order_id).reason == "edit_accepted"  # type: ignore[union-attr]
    assert [d["docstatus"] for d in shop.invoices(order_id)] == [1]
    assert money(shop.invoices(order_id)[0]["grand_total"]) == Decimal("479.94")  # ERPNext untouched

    # accepting again: nothing to accept
    twice = await accept_edit(shop.ctx, order_id)
    assert twice.result == NOTHING and "as accepted on 2026-11-25 12:00:00 UTC" in twice.message
    assert len(shop.binding("order", order_id).data[ACCEPTED]) == 1


async def test_an_order_edited_again_after_acceptance_is_flagged_again(shop: Shop) -> None:
    order_id = await flagged_paid_order(shop)
    await accept_edit(shop.ctx, order_id, "fixed by hand", NOON)
    shop.woo.update_order(order_id, {"status": "on-hold"})  # not an edit
    assert (await shop.sync(order_id)).reason == "already_synced"

    more_cake(shop, order_id, 5)
    result = await shop.sync(order_id)

    assert (result.status, result.reason) == (NEEDS_REVIEW, "edited_after_invoicing")
    assert "since the edit accepted on 2026-11-25 12:00:00 UTC: CAKE: qty 4→5, amount 400.00→500.00" in result.detail
    assert "against the invoice: CAKE: qty 3→5, amount 300.00→500.00" in result.detail

    second = await accept_edit(shop.ctx, order_id, "second credit note")
    assert second.result == ACCEPTED_NOW and second.lines[0] == "CAKE: qty 3→5, amount 300.00→500.00"
    assert second.since_accepted.startswith("CAKE: qty 4→5")
    assert [e["note"] for e in shop.binding("order", order_id).data[ACCEPTED]] == [
        "fixed by hand",
        "second credit note",
    ]
    assert (await shop.sync(order_id)).reason == "already_synced"

    # edited back to what the invoice says: the hand-made corrections are now wrong, so it is flagged too
    more_cake(shop, order_id, 3)
    back = await shop.sync(order_id)
    assert back.status == NEEDS_REVIEW and "CAKE: qty 5→3" in back.detail
    assert "against the invoice: none, the order agrees with invoice" in back.detail


async def test_a_migrated_order_edit_can_be_accepted(shop: Shop) -> None:
    from woonext.sync.orders import Mode

    order = shop.order("cod")
    shop.woo.complete(order["id"])
    assert (await shop.sync(order["id"], Mode.HISTORICAL)).reason == "created"
    more_cake(shop, order["id"], 2)
    flagged = await shop.sync(order["id"])
    assert flagged.status == NEEDS_REVIEW and "migrated" in flagged.detail

    accepted = await accept_edit(shop.ctx, order["id"], "", NOON)

    assert accepted.result == ACCEPTED_NOW and "migrated" in accepted.why
    assert (await shop.sync(order["id"])).reason == "already_synced"


async def test_nothing_to_accept_without_a_difference_or_an_invoice(shop: Shop) -> None:
    order = shop.order("cod")
    await shop.sync(order["id"])
    writes = shop.erp_writes()

    same = await accept_edit(shop.ctx, order["id"])
    assert same.result == NOTHING and "as invoiced" in same.message
    assert ACCEPTED not in shop.binding("order", order["id"]).data

    unknown = await accept_edit(shop.ctx, 999_999)
    assert unknown.result == UNKNOWN and "no order 999999" in unknown.message

    waiting = shop.order("cod")
    shop.woo.update_order(waiting["id"], {"status": "pending"})
    await shop.sync(waiting["id"])
    assert (await accept_edit(shop.ctx, waiting["id"])).result == NO_INVOICE

    # an open invoice is amended by woonext itself: nothing for a person to accept
    more_cake(shop, order["id"])
    refused = await accept_edit(shop.ctx, order["id"])
    assert refused.result == REFUSED and "amends it" in refused.message
    assert shop.erp_writes() == writes
    assert (await shop.sync(order["id"])).reason == "amended"


async def test_order_facts_tell_whether_the_order_differs_from_its_invoice(shop: Shop) -> None:
    order_id = await flagged_paid_order(shop)
    shop.woo.refund(order_id, amount="10.00")
    await shop.sync(order_id)  # still flagged; the refund's credit note waits for the person

    facts = await order_facts(shop.ctx, order_id)

    assert facts.found and facts.invoice is not None and facts.invoice.state == "paid"
    assert facts.payment is not None and facts.payment.state == "submitted" and facts.payment.document
    assert [c.state for c in facts.credit_notes] == ["none"]
    assert facts.outcome is not None and facts.outcome.reason == "edited_after_invoicing"
    assert facts.changed is True and facts.difference is not None and "CAKE: qty 3→4" in facts.difference

    await accept_edit(shop.ctx, order_id, "", NOON)
    await shop.sync(order_id)  # the refund now gets its credit note
    facts = await order_facts(shop.ctx, order_id)
    assert facts.changed is False and "CAKE: qty 3→4" in (facts.difference or "")
    assert [c.state for c in facts.credit_notes] == ["submitted"]
    assert [e["at"] for e in facts.accepted] == ["2026-11-25 12:00:00 UTC"]

    nobody = await order_facts(shop.ctx, 999_999)
    assert not nobody.known and nobody.difference is None


async def test_reconciliation_keeps_counting_the_money_and_says_the_edit_was_accepted(shop: Shop) -> None:
    from datetime import date

    from woonext.mapping.reconcile import PARKED, TAX, TOTAL, Period
    from woonext.sync.reconcile import reconcile

    order_id = await flagged_paid_order(shop)
    period = Period(date(2000, 1, 1), date(2100, 1, 1))
    [parked] = (await reconcile(shop.ctx, period)).findings
    assert (parked.kind, parked.code, parked.mismatch) == (PARKED, "edited_after_invoicing", False)

    await accept_edit(shop.ctx, order_id, "credit note CN-7 made by hand", NOON)
    report = await reconcile(shop.ctx, period)

    assert not report.ok  # the invoice still says 479.94 for an order of 593.94: the accountant must see it
    by_kind = {f.kind: f for f in report.findings}
    assert set(by_kind) >= {TOTAL, TAX} and PARKED not in by_kind
    for finding in report.mismatches:
        assert finding.order_id == order_id
        assert finding.detail.endswith(
            "(edit accepted by hand on 2026-11-25 12:00:00 UTC: credit note CN-7 made by hand)"
        ), finding
    assert "grand total 479.94, order total 593.94" in by_kind[TOTAL].detail


# ---- the CLI, against `woonext sim up` on real ports, as an operator uses it ---------------------
def test_orders_show_and_accept_edit_through_the_cli(tmp_path: Path) -> None:
    with sim_up_process(tmp_path, orders=40, seed=5) as (cfg, _):
        woo_url = tomllib.loads(cfg.read_text())["stores"][0]["url"]
        code, out = cli(cfg, "setup")  # exit 1: the sim's Stock Settings advice, not a blocker
        assert "woonext_sync_key" in out, out
        cli(cfg, "migrate", "--all")
        orders = httpx.get(f"{woo_url}/__sim__/orders").json()
        order = next(
            o
            for o in orders
            if o["status"] == "completed"
            and o["line_items"]
            and not o["refunds"]
            and cli_json(cfg, "orders", "show", str(o["id"]))[1]["invoice"]
        )
        oid = str(order["id"])

        code, shown = cli_json(cfg, "orders", "show", oid)
        assert code == 0 and shown["invoice"]["state"] == "paid" and shown["purpose"] == "historical_paid"
        assert shown["difference"] == "" and shown["changed_since_recorded"] is False
        code, out = cli(cfg, "orders", "accept-edit", oid)
        assert code == 0 and "nothing to accept" in out, out

        line = order["line_items"][0]  # one more of the first item, after the invoice was made
        edited = httpx.post(
            f"{woo_url}/__sim__/orders/{oid}/edit_lines",
            json={
                "line_items": [
                    {"product_id": line["product_id"], "variation_id": line.get("variation_id") or 0, "quantity": 1}
                ]
            },
        )
        assert edited.status_code == 200, edited.text
        code, out = cli(cfg, "sync", "orders", "--once")
        assert code == 1 and f"order {oid}" in out and "edited_after_invoicing" in out, out

        code, shown = cli_json(cfg, "orders", "show", oid)
        assert shown["outcome"]["reason"] == "edited_after_invoicing" and shown["changed_since_recorded"] is True
        assert shown["difference_lines"] and shown["difference_lines"][0].startswith(f"{line['sku']}: qty")
        code, out = cli(cfg, "orders", "show", oid)
        assert code == 0 and "edited since it was invoiced, not accepted" in out, out

        code, accepted = cli_json(cfg, "orders", "accept-edit", oid, "--note", "credit note by hand")
        assert code == 0 and accepted["result"] == "accepted" and accepted["note"] == "credit note by hand"
        assert accepted["lines"] == shown["difference_lines"] and "migrated" in accepted["why"]

        code, out = cli(cfg, "sync", "orders", "--once")
        assert f"order {oid}" not in out, out  # not flagged again
        code, shown = cli_json(cfg, "orders", "show", oid)
        assert (shown["outcome"]["status"], shown["outcome"]["reason"]) == ("Succeeded", "edit_accepted")
        assert shown["changed_since_recorded"] is False and shown["accepted_edits"][0]["note"] == "credit note by hand"
        code, out = cli(cfg, "orders", "show", oid)
        assert "as accepted" in out and "credit note by hand" in out, out

        code, out = cli(cfg, "orders", "accept-edit", oid)
        assert code == 0 and "nothing to accept" in out and "as accepted on" in out, out
        code, out = cli(cfg, "orders", "accept-edit", "999999")
        assert code == 2 and "no order 999999" in out, out
        code, unknown = cli_json(cfg, "orders", "show", "999999")
        assert code == 2 and unknown["found"] is False and unknown["invoice"] is None
        waiting = next(o for o in orders if o["status"] in ("pending", "on-hold"))
        code, no_invoice = cli_json(cfg, "orders", "accept-edit", str(waiting["id"]))
        assert (code, no_invoice["result"]) == (2, "no_invoice")


def cli(cfg: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(cfg), *args])
    return result.exit_code, result.output


def cli_json(cfg: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["--config", str(cfg), *args, "--json"])
    return result.exit_code, json.loads(result.stdout)
