"""The ERPNext 15.92 simulator (see docs/architecture.md, "ErpSim public surface").

    erp = ErpSim(ErpSimConfig(timezone="Africa/Cairo", allow_error_traceback=True))
    key, secret = erp.create_api_user("Administrator")   # `Authorization: token key:secret`
    erp.seed(masters)                                      # woonext.sim.masters.Masters
    erp.app                  # ASGI app (wrapped in woonext.sim.faults.FaultMiddleware)
    erp.clock, erp.faults    # SimClock, FaultPlan
    erp.db.get(doctype, name) / erp.db.all(doctype)        # committed documents (copies)
    erp.gl_entries, erp.stock_ledger, erp.request_log
    erp.register_controller(controller), erp.register_method(dotted_path, fn)
    erp.queue_document(doctype, name)                      # writes then get DocumentLockedError

Validation is driven by `schema.json` (derived by tools/derive_erpnext_schema.py from the real v15
doctype JSON) plus Custom Fields created at runtime. Controllers plug in through `base.py`.
"""

from __future__ import annotations

from .base import Controller, Ctx, Doc, FrappeError, throw
from .sim import ErpSim, ErpSimConfig

__all__ = ["Controller", "Ctx", "Doc", "ErpSim", "ErpSimConfig", "FrappeError", "throw"]
