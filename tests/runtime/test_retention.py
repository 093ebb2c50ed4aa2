"""Bounded state: finished events leave after `retention_days`, events that need a person stay, the
daily prune job runs through the worker, `woonext status` shows it, and `/metrics` reads only open
events (by index)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.sync.world import make_world
from woonext.cli import app
from woonext.clock import SYSTEM_CLOCK, Clock
from woonext.config import Config
from woonext.runtime.metrics import render
from woonext.runtime.scheduler import queue_due
from woonext.runtime.worker import Worker
from woonext.sim.clock import SimClock
from woonext.store import DEAD_LETTER, NEEDS_REVIEW, SKIPPED, SUCCEEDED, StateDB, retention
from woonext.store import events as queue

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
OLD = timedelta(days=40)
_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateDB]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    else:
        server = request.getfixturevalue("postgres_url")
        name = f"woonext_retention_{next(_names)}"
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        url = server.replace("/postgres?", f"/{name}?")
    state = StateDB.open(url, SimClock.running_from(T0))
    yield state
    state.close()


def ended(db: StateDB, store: str, remote_id: str, status: str, at: datetime) -> int:
    """An event queued, claimed and finished with `status` at `at`; returns its id."""
    event_id = queue.enqueue(db, store, "order", remote_id, "order.updated", at).event_id
    claimed = queue.claim(db, "test", at, at + timedelta(minutes=1))
    assert claimed is not None and claimed.id == event_id
    if status != queue.RUNNING:
        queue.finish(db, event_id, "test", status, at)
    return event_id


def ids(db: StateDB) -> set[int]:
    return {e.id for e in queue.list_events(db, limit=1000)}


def test_prune_removes_old_finished_events_of_the_store_and_keeps_what_needs_a_person(db: StateDB) -> None:
    now = db.clock.now()
    old_ok = ended(db, "main", "1", SUCCEEDED, now - OLD)
    old_skip = ended(db, "main", "2", SKIPPED, now - OLD)
    kept = {
        ended(db, "main", "3", NEEDS_REVIEW, now - OLD),
        ended(db, "main", "4", DEAD_LETTER, now - OLD),
        ended(db, "other", "6", SUCCEEDED, now - OLD),  # another store's
        ended(db, "main", "7", SUCCEEDED, now - timedelta(days=29)),  # within the retention
        queue.enqueue(db, "main", "order", "5", "order.updated", now - OLD).event_id,  # Pending: still work
    }
    before = retention.cutoff(now, 30)
    assert retention.prunable(db, "main", before) == 2
    assert retention.prune(db, "main", before, batch=1) == 2  # batch by batch
    assert old_ok not in ids(db) and old_skip not in ids(db) and ids(db) == kept
    assert retention.prune(db, "main", before) == 0


def test_a_dead_letter_stays_until_resolved_then_ages_like_any_other(db: StateDB) -> None:
    now = db.clock.now()
    dead = ended(db, "main", "9", DEAD_LETTER, now - OLD)
    assert retention.prune(db, "main", retention.cutoff(now, 30)) == 0
    queue.retry(db, dead, now - timedelta(days=35))  # resolved: queued again and synced
    claimed = queue.claim(db, "test", now - timedelta(days=35), now)
    assert claimed is not None
    queue.finish(db, dead, "test", SUCCEEDED, now - timedelta(days=35))
    assert retention.prune(db, "main", retention.cutoff(now, 30)) == 1 and ids(db) == set()


async def test_the_daily_prune_job_runs_through_the_worker_with_the_store_retention(tmp_path: Path) -> None:
    world = make_world(tmp_path, [], store={"retention_days": 7})
    world.clock.set(datetime(2026, 11, 25, 3, 20, tzinfo=UTC))
    now = world.clock.now()
    old = ended(world.db, "main", "15", SUCCEEDED, now - timedelta(days=8))
    recent = ended(world.db, "main", "16", SUCCEEDED, now - timedelta(days=6))
    assert "prune" in {t.job for t in queue_due(world.config, world.db, now)}  # 03:17 daily by default
    worker = Worker(world.config, world.db, world.transports())
    while (event := queue.claim(world.db, worker.owner, now, now + timedelta(minutes=1))) is not None:
        if event.remote_id == "prune":
            await worker.process(event)
            job = queue.get(world.db, event.id)
        else:  # the other jobs ticked too; they are not under test here
            queue.finish(world.db, event.id, worker.owner, SKIPPED, now)
    await worker.aclose()
    assert job is not None and job.status == SUCCEEDED
    assert (job.last_error or "").startswith("1 finished event(s) older than 2026-11-18T03:20")
    remaining = ids(world.db)
    assert old not in remaining and recent in remaining
    last = world.db.get_checkpoint("main", retention.CHECKPOINT)
    assert last is not None and last["removed"] == 1 and last["at"].startswith("2026-11-25T03:20")


def test_retention_must_be_at_least_a_day() -> None:
    store = {"name": "m", "url": "http://w.test", "consumer_key": "k", "consumer_secret": "s"}
    store |= {"company": "C", "warehouse": "W", "currency": "EGP", "retention_days": 0}
    with pytest.raises(ValidationError, match="retention_days"):
        Config.model_validate(
            {"erpnext": {"url": "http://e.test", "api_key": "k", "api_secret": "s"}, "stores": [store]}
        )


def _cli_config(tmp_path: Path) -> Path:
    path = tmp_path / "woonext.toml"
    path.write_text(
        f'state_url = "sqlite:///{tmp_path / "state.sqlite"}"\n'
        '[erpnext]\nurl = "http://erp.test"\napi_key = "key"\napi_secret = "secret"\n'
        '[[stores]]\nname = "main"\nurl = "http://woo.test"\nconsumer_key = "ck_x"\nconsumer_secret = "cs_x"\n'
        'company = "Jarz Test"\nwarehouse = "Jarz Main - JT"\ncurrency = "EGP"\nretention_days = 10\n',
        encoding="utf-8",
    )
    return path


def test_events_prune_and_status_on_the_command_line(tmp_path: Path) -> None:
    # The CLI runs on the system clock: the events are dated relative to it, never to a calendar day.
    config = _cli_config(tmp_path)
    db = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    clock: Clock = SYSTEM_CLOCK
    for n in range(3):
        ended(db, "main", str(n), SUCCEEDED, clock.now() - timedelta(days=11 + n))
    ended(db, "main", "8", NEEDS_REVIEW, clock.now() - timedelta(days=60))
    ended(db, "main", "9", SKIPPED, clock.now() - timedelta(days=2))
    db.close()
    runner = CliRunner()

    def woonext(*args: str) -> str:
        result = runner.invoke(app, ["--config", str(config), *args], terminal_width=200)
        assert result.exit_code == 0, result.output
        return result.output

    before = json.loads(woonext("status", "--json"))["events"]["main"]
    assert before["open"] == {"Pending": 0, "Running": 0, NEEDS_REVIEW: 1, DEAD_LETTER: 0}
    assert before["retention_days"] == 10 and before["last_prune"] is None
    assert datetime.fromisoformat(before["oldest_finished"]) < clock.now() - timedelta(days=12)
    dry = woonext("events", "prune", "--dry-run")
    assert "store main: 3 finished event(s) older than 10 days would be pruned" in dry
    assert "store main: 3 finished event(s) older than" in woonext("events", "prune")
    assert "store main: 0 finished event(s)" in woonext("events", "prune")
    after = json.loads(woonext("status", "--json"))["events"]["main"]
    assert after["last_prune"]["removed"] == 0
    assert clock.now() - timedelta(days=3) < datetime.fromisoformat(after["oldest_finished"])  # the Skipped one
    shown = " ".join(woonext("status").split())
    assert "events of store main: 0 Pending · 0 Running · 1 NeedsReview · 0 DeadLetter;" in shown
    assert "finished ones kept 10 days (oldest from " in shown and "UTC, 0 removed)" in shown
    assert "store main: 1 finished event(s)" in woonext("events", "prune", "--older-than-days", "1")


def _samples(body: bytes, name: str) -> dict[tuple[str, str], float]:
    families = text_string_to_metric_families(body.decode())
    return {(s.labels["store"], s.labels["status"]): s.value for f in families for s in f.samples if s.name == name}


def test_metrics_count_the_open_events_only(db: StateDB) -> None:
    now = db.clock.now()
    for n in range(3):
        ended(db, "main", f"s{n}", SUCCEEDED, now)
    ended(db, "main", "r", NEEDS_REVIEW, now)
    ended(db, "main", "d", DEAD_LETTER, now)
    ended(db, "main", "x", queue.RUNNING, now)
    queue.enqueue(db, "main", "order", "p", "order.created", now)
    assert _samples(render(db), "woonext_events") == {
        ("main", queue.PENDING): 1.0,
        ("main", queue.RUNNING): 1.0,
        ("main", NEEDS_REVIEW): 1.0,
        ("main", DEAD_LETTER): 1.0,
    }


def test_the_scrape_and_the_prune_read_events_by_index(tmp_path: Path) -> None:
    # Bounded: neither reads the table row by row (SQLite's plan; figures in docs/benchmarks.md).
    from woonext.runtime.metrics import QueueCollector

    db = StateDB.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    queries = QueueCollector(db).queries()
    open_events = queries["open events by status and store"]
    prune_ids = retention.batch_ids("main", T0, 10)
    with db.engine.connect() as connection:
        oldest = retention.oldest_query(SUCCEEDED, "main")
        for query in (open_events, prune_ids, oldest, queries["documents by store, kind and state"]):
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = " | ".join(str(row[-1]) for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    db.close()
