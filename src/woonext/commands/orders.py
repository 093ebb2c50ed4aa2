"""`woonext orders show|accept-edit`: one order as woonext knows it, and settling an edit a person
corrected by hand (the flows are sync/accept.py)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import typer
from rich.markup import escape

from woonext.commands._common import console, err_console, run
from woonext.commands._context import CliContext, cli_context
from woonext.store import Outcome
from woonext.sync.accept import (
    ACCEPTED_NOW,
    NO_INVOICE,
    NOTHING,
    UNKNOWN,
    Acceptance,
    OrderFacts,
    Record,
    accept_edit,
    order_facts,
)
from woonext.sync.context import StoreContext
from woonext.sync.edits import difference_lines

orders_app = typer.Typer(
    help="One order: what woonext knows about it; accept an edit corrected by hand.", no_args_is_help=True
)
EXIT = {ACCEPTED_NOW: 0, NOTHING: 0, NO_INVOICE: 2, UNKNOWN: 2}  # anything else (refused): 1


def _one_store(cli: CliContext, store: str | None) -> str:
    """An order id means one store: --store, or the only one configured."""
    stores = cli.config().stores
    if store is None and len(stores) > 1:
        err_console.print(
            f"[red]several stores are configured ({', '.join(s.name for s in stores)}): give --store[/red]",
            highlight=False,
        )
        raise typer.Exit(2)
    return store or stores[0].name


def _say(text: str) -> None:
    console.print(escape(text), highlight=False, soft_wrap=True)


def _outcome(o: Outcome | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "status": o.status,
        "reason": o.reason,
        "detail": o.detail,
        "hint": o.hint,
        "attempts": o.attempts,
        "updated_at": o.updated_at.isoformat(),
    }


def _record(r: Record | None) -> str:
    if r is None:
        return "none"
    rev = f", revision {r.revision}" if r.revision else ""
    return f"{r.document or '(no document)'} {r.state}{rev}"


def verdict(f: OrderFacts) -> str:
    """The order against its invoice now, in one line."""
    if f.invoice is None or f.difference is None:
        return "invoice gone from ERPNext" if f.invoice_gone else "not compared (no invoice, or no order)"
    name = f.invoice.document
    if f.changed:
        return (
            f"edited since it was invoiced{' or accepted' if f.accepted else ''}, not accepted: "
            f"{f.difference or 'lines changed, totals the same'} (against {name})"
        )
    if f.difference:
        return f"differs from {name} as accepted: {f.difference}"
    return f"agrees with {name}"


def print_facts(f: OrderFacts) -> None:
    head = f"{f.status}, total {f.total} {f.currency}" if f.found else "not found in WooCommerce"
    _say(f"order {f.order_id} (store {f.store}): {head}")
    if f.invoice is not None:
        _say(f"  invoice      {_record(f.invoice)}" + (f" ({f.purpose})" if f.purpose else ""))
    pos = " (the migrated invoice is POS-paid)" if f.payment is None and f.purpose == "historical_paid" else ""
    _say(f"  payment      {_record(f.payment)}{pos}")
    for note in f.credit_notes:
        _say(f"  credit note  refund {note.remote_id}: {_record(note)}")
    for step in f.amended:
        _say(f"  amended      {step.get('from')} → {step.get('to') or '(cancelled)'}")
    for e in f.accepted:
        _say(
            f"  accepted     {e.get('at')} for {e.get('invoice')}: {e.get('difference')}"
            + (f"; note: {e['note']}" if e.get("note") else "")
        )
    for label, o in (("outcome", f.outcome), ("reconcile", f.reconcile)):
        if o is not None:
            _say(
                f"  {label:<12} {o.status} {o.reason} (attempts {o.attempts}, {o.updated_at:%Y-%m-%d %H:%M:%S})"
                + (f": {o.detail}" if o.detail else "")
                + (f"\n               → {o.hint}" if o.hint else "")
            )
    _say(f"  now          {verdict(f)}")


def facts_json(f: OrderFacts) -> dict[str, Any]:
    return {
        "store": f.store,
        "order_id": f.order_id,
        "found": f.found,
        "status": f.status,
        "total": f.total,
        "currency": f.currency,
        "invoice": asdict(f.invoice) if f.invoice else None,
        "purpose": f.purpose,
        "payment": asdict(f.payment) if f.payment else None,
        "credit_notes": [asdict(c) for c in f.credit_notes],
        "amended": f.amended,
        "accepted_edits": f.accepted,
        "outcome": _outcome(f.outcome),
        "reconcile": _outcome(f.reconcile),
        "changed_since_recorded": f.changed,
        "difference": f.difference,
        "difference_lines": difference_lines(f.difference or ""),
        "invoice_gone": f.invoice_gone,
        "verdict": verdict(f),
    }


def print_acceptance(a: Acceptance) -> None:
    if a.result != ACCEPTED_NOW:
        (console if EXIT.get(a.result, 1) == 0 else err_console).print(
            escape(a.message), highlight=False, soft_wrap=True
        )
        return
    _say(f"{a.message} ({a.why}); the invoice differs from the order by:")
    for line in a.lines:
        _say(f"  {line}")
    if a.since_accepted:
        _say(f"since the edit accepted before: {a.since_accepted}")
    if a.note:
        _say(f"note: {a.note}")
    _say("recorded Succeeded edit_accepted; the order is flagged again only if it is edited again")


def register(app: typer.Typer) -> None:
    app.add_typer(orders_app, name="orders")

    @orders_app.command("show")
    def show_cmd(
        ctx: typer.Context,
        order_id: int = typer.Argument(..., help="The WooCommerce order id."),
        store: str | None = typer.Option(None, "--store", "-s", help="The store (needed when there are several)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """The order's invoice, payment, credit notes, last outcome, and whether it differs from its invoice now."""
        cli = cli_context(ctx)

        async def flow(sctx: StoreContext) -> OrderFacts:
            return await order_facts(sctx, order_id)

        [(_, facts)] = run(cli, _one_store(cli, store), flow)
        if as_json:
            print(json.dumps(facts_json(facts), indent=2, ensure_ascii=False))
        else:
            print_facts(facts)
        if not facts.known:
            if not as_json:
                err_console.print(f"order {order_id} is unknown to WooCommerce and to woonext", highlight=False)
            raise typer.Exit(2)

    @orders_app.command("accept-edit")
    def accept_cmd(
        ctx: typer.Context,
        order_id: int = typer.Argument(..., help="The WooCommerce order id."),
        store: str | None = typer.Option(None, "--store", "-s", help="The store (needed when there are several)."),
        note: str = typer.Option("", "--note", help="What was done by hand (kept with the acceptance)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Accept an order's edit after invoicing as corrected by hand: it stops being flagged (until edited again)."""
        cli = cli_context(ctx)

        async def flow(sctx: StoreContext) -> Acceptance:
            return await accept_edit(sctx, order_id, note)

        [(_, acceptance)] = run(cli, _one_store(cli, store), flow)
        if as_json:
            print(json.dumps({**asdict(acceptance), "lines": acceptance.lines}, indent=2, ensure_ascii=False))
        else:
            print_acceptance(acceptance)
        raise typer.Exit(EXIT.get(acceptance.result, 1))
