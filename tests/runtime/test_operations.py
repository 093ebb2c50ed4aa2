"""Operations: replaying a window of orders through the worker, and the dead-letter commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.runtime.helpers import ready_world
from tests.sync.world import make_world
from woonext.cli import app
from woonext.runtime.replay import replay_orders
from woonext.runtime.worker import Worker
from woonext.store import DEAD_LETTER, SUCCEEDED
from woonext.store import events as queue

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
runner = CliRunner()


async def test_replay_queues_the_orders_modified_in_the_window_once_and_the_worker_syncs_them(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    ctx = world.context()
    window = await replay_orders(ctx, datetime(2026, 11, 25, 4, 14), datetime(2026, 11, 25, 4, 16))
    assert (window.queued, window.merged) == (4, 0)  # 16–19 were saved between 04:14 and 04:16 GMT
    assert sorted(e.remote_id for e in queue.list_events(world.db)) == ["16", "17", "18", "19"]
    everything = await replay_orders(ctx, datetime(2026, 11, 25, 0, 0, tzinfo=UTC))
    assert (everything.queued, everything.merged) == (2, 4)
    nothing = await replay_orders(ctx, datetime(2026, 11, 26, 0, 0))
    assert nothing.orders == 0
    await ctx.aclose()

    worker = Worker(world.config, world.db, world.transports())
    while await worker.run_once() is not None:
        pass
    await worker.aclose()
    assert sorted(i["woo_order_id"] for i in world.invoices()) == ["15", "16", "18", "20"]
    assert queue.counts(world.db).get(SUCCEEDED) == 4


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "woonext.toml"
    cfg.write_text(f"""state_url = "sqlite:///{tmp_path / "state.sqlite"}"
[erpnext]
url = "http://erp.test"
api_key = "key"
api_secret = "secret"
[[stores]]
name = "main"
url = "http://woo.test"
consumer_key = "ck_x"
consumer_secret = "cs_x"
company = "Jarz Test"
warehouse = "Jarz Main - JT"
currency = "EGP"
""")
    return cfg


def test_dead_letter_list_and_retry_one_or_all(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    db = make_world(tmp_path, []).db
    dead = []
    for order_id in (15, 16, 17):
        event = queue.enqueue(db, "main", "order", order_id, "order.created", T0)
        claimed = queue.claim(db, "w", T0, T0 + timedelta(seconds=60))
        assert claimed is not None and claimed.id == event.event_id
        queue.finish(db, event.event_id, "w", DEAD_LETTER, T0, f"gave up after 10 attempts; order {order_id}")
        dead.append(event.event_id)
    listed = runner.invoke(app, ["--config", str(cfg), "dead-letter", "list"])
    assert listed.exit_code == 0 and "3 dead letter(s)" in listed.output and "order 16" in listed.output
    one = runner.invoke(app, ["--config", str(cfg), "dead-letter", "retry", str(dead[0])])
    assert one.exit_code == 0, one.output
    assert queue.get(db, dead[0]).status == queue.PENDING  # type: ignore[union-attr]
    again = runner.invoke(app, ["--config", str(cfg), "dead-letter", "retry", str(dead[0])])
    assert again.exit_code == 2 and "not a dead letter" in again.output  # nothing to retry: usage
    assert runner.invoke(app, ["--config", str(cfg), "dead-letter", "retry"]).exit_code == 2
    every = runner.invoke(app, ["--config", str(cfg), "dead-letter", "retry", "--all"])
    assert every.exit_code == 0 and "2 dead letter(s) queued again" in every.output
    assert {e.status for e in queue.list_events(db)} == {queue.PENDING}
    bad = runner.invoke(app, ["--config", str(cfg), "events", "replay", "--store", "main", "--since", "yesterday"])
    assert bad.exit_code == 2 and "not an ISO date" in bad.output
