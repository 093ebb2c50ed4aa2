"""`/__sim__/...`: read-only views of the simulator's state (no auth), and the clock."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from .serialize import jsonable

if TYPE_CHECKING:
    from .sim import ErpSim


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(jsonable(payload)), status_code=status, media_type="application/json")


class Inspector:
    def __init__(self, sim: ErpSim) -> None:
        self.sim = sim

    async def handle(self, request: Request, parts: list[str]) -> Response:
        sim = self.sim
        head = parts[0] if parts else ""
        if head == "docs" and len(parts) == 1:
            return _json({dt: len(rows) for dt, rows in sorted(sim.db.tables.items())})
        if head == "docs" and len(parts) == 2:
            return _json(sim.db.all(parts[1]))
        if head == "docs" and len(parts) >= 3:
            doc = sim.db.get(parts[1], "/".join(parts[2:]))
            return _json(doc) if doc is not None else _json({"error": "not found"}, 404)
        if head == "gl":
            return _json(sim.gl_entries)
        if head == "stock":
            return _json(
                {
                    "ledger": sim.stock_ledger,
                    "bins": [
                        {"item_code": i, "warehouse": w, "actual_qty": q} for (i, w), q in sorted(sim.db.bins.items())
                    ],
                }
            )
        if head == "requests":
            return _json([{"method": m, "path": p, "status": s} for m, p, s in sim.request_log])
        if head == "clock":
            if request.method == "POST":
                body = json.loads(await request.body() or b"{}")
                if "advance" in body:
                    sim.clock.advance(float(body["advance"]))
                if "set" in body:
                    sim.clock.set(datetime.fromisoformat(str(body["set"])))
            return _json({"utc": sim.clock.now().isoformat(), "site": sim.engine.now().isoformat(sep=" ")})
        return _json(
            {
                "error": "unknown inspection path",
                "paths": [
                    "docs",
                    "docs/{doctype}",
                    "docs/{doctype}/{name}",
                    "gl",
                    "stock",
                    "requests",
                    "clock",
                ],
            },
            404,
        )
