"""Inspection and control endpoints under /__sim__/ (no WooCommerce auth; test/demo use only)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import WooError

if TYPE_CHECKING:
    from .app import WooSim


def routes(sim: WooSim) -> list[Route]:
    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        data = json.loads(raw) if raw.strip() else {}
        return data if isinstance(data, dict) else {}

    def answer(payload: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(payload, status_code=status)

    async def orders(request: Request) -> JSONResponse:
        if request.method == "POST":
            data = await body(request)
            spec = data.get("spec", data)
            try:
                order = sim.create_order(spec, created_via=str(data.get("created_via", "rest")))
            except WooError as err:
                return answer(err.body(), err.status)
            return answer(sim.render_order(order), 201)
        return answer([sim.render_order(o) for o in sim.orders.values()])

    async def order(request: Request) -> JSONResponse:
        oid = int(request.path_params["order_id"])
        if oid not in sim.orders:
            return answer({"error": "no such order"}, 404)
        return answer(sim.render_order(sim.orders[oid]))

    async def action(request: Request) -> JSONResponse:
        oid = int(request.path_params["order_id"])
        name = request.path_params["action"]
        data = await body(request)
        try:
            if name == "pay":
                result = sim.pay(oid, str(data.get("transaction_id", "")))
            elif name in ("complete", "cancel", "trash", "untrash", "delete"):
                result = getattr(sim, name)(oid)
            elif name == "status":
                result = sim.set_status(oid, str(data["status"]))
            elif name == "update":
                result = sim.update_order(oid, data)
            elif name == "edit_lines":
                result = sim.edit_lines(oid, data.get("line_items", data))
            elif name == "refund":
                refund = sim.refund(
                    oid,
                    amount=data.get("amount"),
                    line_items=data.get("line_items"),
                    restock=bool(data.get("restock", True)),
                    reason=str(data.get("reason", "")),
                    api_refund=bool(data.get("api_refund", False)),
                )
                return answer({k: v for k, v in refund.items() if not k.startswith("_sim_")}, 201)
            elif name == "note":
                return answer(sim.add_note(oid, str(data["note"]), bool(data.get("customer_note", False))), 201)
            else:
                return answer({"error": f"unknown action {name}"}, 404)
        except WooError as err:
            return answer(err.body(), err.status)
        return answer(sim.render_order(result))

    async def deliveries(request: Request) -> JSONResponse:
        return answer([d.to_json() for d in sim.webhook_log])

    async def queue(request: Request) -> JSONResponse:
        return answer(
            [
                {"action_id": a.action_id, "webhook_id": a.webhook_id, "arg": a.arg, "due": a.due.isoformat()}
                for a in sim.hub.queue
            ]
        )

    async def run(request: Request) -> JSONResponse:
        data = await body(request)
        done = await sim.run_webhooks(
            now=bool(data.get("now", True)), order=str(data.get("order", "fifo")), times=int(data.get("times", 1))
        )
        return answer([d.to_json() for d in done])

    async def webhooks(request: Request) -> JSONResponse:
        return answer(
            [
                {
                    **w.to_json(sim.home),
                    "secret": w.secret,
                    "failure_count": w.failure_count,
                    "pending_delivery": w.pending_delivery,
                }
                for w in sim.hub.webhooks.values()
            ]
        )

    async def clock(request: Request) -> JSONResponse:
        if request.method == "POST":
            data = await body(request)
            if "set" in data:
                sim.clock.set(datetime.fromisoformat(str(data["set"]).replace("Z", "+00:00")))
            if "advance" in data:
                sim.clock.advance(float(data["advance"]))
        return answer({"now": sim.clock.now().isoformat()})

    async def keys(request: Request) -> JSONResponse:
        data = await body(request)
        ck, cs = sim.create_key(str(data.get("permissions", "read_write")))
        return answer({"consumer_key": ck, "consumer_secret": cs}, 201)

    async def requests(request: Request) -> JSONResponse:
        return answer([{"method": m, "path": p, "status": s} for m, p, s in sim.request_log])

    return [
        Route("/__sim__/orders", orders, methods=["GET", "POST"]),
        Route("/__sim__/orders/{order_id:int}", order, methods=["GET"]),
        Route("/__sim__/orders/{order_id:int}/{action}", action, methods=["POST"]),
        Route("/__sim__/webhooks", webhooks, methods=["GET"]),
        Route("/__sim__/webhooks/deliveries", deliveries, methods=["GET"]),
        Route("/__sim__/webhooks/queue", queue, methods=["GET"]),
        Route("/__sim__/webhooks/run", run, methods=["POST"]),
        Route("/__sim__/clock", clock, methods=["GET", "POST"]),
        Route("/__sim__/keys", keys, methods=["POST"]),
        Route("/__sim__/requests", requests, methods=["GET"]),
    ]
