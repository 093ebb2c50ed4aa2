"""One thing `setup --apply` creates or changes in ERPNext, listed before it is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Action:
    doctype: str
    name: str
    what: str  # why it is needed, for the listing
    doc: dict[str, Any] = field(default_factory=dict)
    update: bool = False  # PUT these fields onto the existing document instead of inserting

    def label(self) -> str:
        verb = "set" if self.update else "create"
        return f"{verb} {self.doctype} {self.name!r}: {self.what}"


@dataclass
class SetupPlan:
    actions: list[Action] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what a person must fix first (with how)
    items: list[str] = field(default_factory=list)  # what the catalog sync would do (sync/setup_items.py)
