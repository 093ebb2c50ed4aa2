"""The ERPNext 15.92 simulator: `ErpSim(ErpSimConfig(...))` → `.app` (ASGI), `.clock`, `.db`, `.faults`.

See docs/architecture.md ("ErpSim public surface") and `base.py` for the controller seam.
"""

from __future__ import annotations

from .base import Controller, Ctx, Doc, FrappeError, throw
from .sim import ErpSim, ErpSimConfig

__all__ = ["Controller", "Ctx", "Doc", "ErpSim", "ErpSimConfig", "FrappeError", "throw"]
