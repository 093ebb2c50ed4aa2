"""What the soak found, one regression test each."""

from __future__ import annotations

from pathlib import Path

from tests.runtime.helpers import ready_world
from woonext.sync.documents import binding_for, insert_once, mark_done


async def test_two_flows_on_one_order_record_one_intent_and_make_one_document(tmp_path: Path) -> None:
    # The soak: the orders poll and a webhook event synced one refunded order at the same moment;
    # the second to record its intent met BindingExists and the order ended Failed (internal_error).
    world = await ready_world(tmp_path)
    ctx = world.context()
    doc = {"first_name": "Soak", "last_name": "Race", "woonext_sync_key": "main:contact:race"}
    late = await binding_for(ctx, "contact", "race", "Contact")  # read before the other flow saved its intent
    early = await binding_for(ctx, "contact", "race", "Contact")
    first = await insert_once(ctx, early, "Contact", dict(doc))
    await mark_done(ctx, early, str(first["name"]), "submitted")
    second = await insert_once(ctx, late, "Contact", dict(doc))
    assert second["name"] == first["name"]
    assert [c["name"] for c in world.erp.db.all("Contact") if c.get("woonext_sync_key") == doc["woonext_sync_key"]] == [
        first["name"]
    ]
    assert late.id == early.id
    await ctx.aclose()
