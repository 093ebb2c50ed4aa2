"""Issue 13, item 1: a scheduled job that keeps failing is visible in `woonext status` and `/metrics`,
not only in the log. The reconcile job meets ERPNext's web server refusing its request line (the
simulator's gunicorn limit lowered so that every request is refused) twice, then succeeds."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.cfg import write_config
from tests.runtime.helpers import client, ready_world
from tests.sync.world import World
from woonext.cli import app
from woonext.runtime.job_health import job_health
from woonext.runtime.worker import Worker
from woonext.store import events as queue


async def _metrics(world: World) -> str:
    async with client(world) as web:  # with the scrape's bearer token, as Prometheus sends it
        return (await web.get("/metrics")).text


async def test_a_failing_job_shows_its_failures_in_a_row_then_its_recovery(tmp_path: Path) -> None:
    world = await ready_world(tmp_path)
    worker = Worker(world.config, world.db, world.transports())
    queue.enqueue(world.db, "main", "job", "reconcile", "schedule", world.clock.now(), delivery_key="tick:test")
    world.erp.request_line.limit = 100  # every request line is "too large" now
    for _ in range(2):
        event = await worker.run_once()
        assert event is not None and event.status == "Pending"  # retried later, with back-off
        world.clock.advance(3600)
    [health] = job_health(world.db)
    assert (health.job, health.failures_in_row, health.last_success) == ("reconcile", 2, None)
    assert "Request Line is too large" not in health.last_error  # decoded, not an HTML dump
    assert "refused a request line" in health.last_error

    cfg = write_config(world.config, tmp_path / "woonext.toml")
    result = CliRunner().invoke(app, ["--config", str(cfg), "status", "--json"])
    listed = json.loads(result.output)
    assert listed["jobs"][0]["job"] == "reconcile" and listed["jobs"][0]["failures_in_row"] == 2
    assert any(f["kind"] == "job" and f["attempts"] == 2 for f in listed["failures"])
    text = CliRunner().invoke(app, ["--config", str(cfg), "status"]).output
    assert "2 in a row" in text and "reconcile" in text
    metrics = await _metrics(world)
    assert 'woonext_job_failures_in_row{job="reconcile",store="main"} 2.0' in metrics

    world.erp.request_line.limit = 4094
    event = await worker.run_once()
    assert event is not None and event.status == "Succeeded"
    [health] = job_health(world.db)
    assert health.failures_in_row == 0 and health.last_success is not None
    metrics = await _metrics(world)
    assert 'woonext_job_failures_in_row{job="reconcile",store="main"} 0.0' in metrics
    assert 'woonext_job_last_success_timestamp_seconds{job="reconcile",store="main"}' in metrics
    await worker.aclose()
