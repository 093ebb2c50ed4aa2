"""One alerts pass (the scheduler calls `tick` on every wake-up, at most every 30 s).

Per store, at most one batch message per `alerts.every`: what became new since the last one waits
for the window and goes out together — 30 orders parked in a minute are one message, not 30. The
daily digest goes out once a day after `alerts.digest_at` (UTC). Several scheduler processes may run:
a process claims a store's stream in the state DB (`alert_state.claimed_until`) before it sends, so
one message goes out, and marks what it said only after a channel took it (a failed send is tried
again a minute later, nothing lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from woonext.alerts import collect as gather
from woonext.alerts.message import batch_message, digest_message
from woonext.alerts.send import Channels, Message, SendError, send
from woonext.clock import as_utc
from woonext.config import Config
from woonext.console.queries import store_overview
from woonext.store import StateDB
from woonext.store.asyncdb import AsyncStateDB
from woonext.store.engine import write_transaction
from woonext.store.tables_ops import alert_state

log = structlog.get_logger(__name__)
BATCH, DIGEST = "batch", "digest"
CLAIM = timedelta(minutes=2)  # a sender that died frees the stream after this
RETRY = timedelta(minutes=1)  # after a failed send


@dataclass
class Sent:
    store: str
    stream: str
    message: Message
    channels: Channels | None = None
    error: str = ""


def _claim(db: StateDB, store: str, stream: str, now: datetime, every: timedelta | None) -> dict[str, Any] | None:
    """Take the store's stream for sending, or None when another process holds it or (with `every`)
    the last message is more recent than the window."""
    key = (alert_state.c.store == store, alert_state.c.stream == stream)
    try:
        with write_transaction(db.engine) as connection:
            row = connection.execute(select(alert_state).where(*key).with_for_update()).first()
            if row is None:
                connection.execute(insert(alert_state).values(store=store, stream=stream, value={}, updated_at=now))
                value: dict[str, Any] = {}
            else:
                claimed, last = as_utc(row.claimed_until), as_utc(row.last_sent_at)
                if claimed is not None and claimed > now:
                    return None
                if every is not None and last is not None and now - last < every:
                    return None
                value = dict(row.value or {})
            connection.execute(update(alert_state).where(*key).values(claimed_until=now + CLAIM, updated_at=now))
    except IntegrityError:  # another process inserted the row first: it is sending
        return None
    return value


def _release(db: StateDB, store: str, stream: str, now: datetime, sent: bool, value: dict[str, Any]) -> None:
    values: dict[str, Any] = {"value": value, "updated_at": now, "claimed_until": None if sent else now + RETRY}
    if sent:
        values["last_sent_at"] = now
    with write_transaction(db.engine) as connection:
        connection.execute(
            update(alert_state).where(alert_state.c.store == store, alert_state.c.stream == stream).values(**values)
        )


def _state(db: StateDB, store: str, stream: str) -> dict[str, Any]:
    with db.engine.connect() as connection:
        value = connection.execute(
            select(alert_state.c.value).where(alert_state.c.store == store, alert_state.c.stream == stream)
        ).scalar()
    return dict(value or {})


async def _deliver(
    config: Config, store: str, stream: str, message: Message, now: datetime, transport: httpx.AsyncBaseTransport | None
) -> Sent:
    try:
        channels = await send(config.alerts, message, now, transport=transport)
    except SendError as exc:
        log.warning("alert_not_sent", store=store, stream=stream, why=str(exc))
        return Sent(store, stream, message, error=str(exc))
    log.info("alert_sent", store=store, stream=stream, channels=channels.sent, subject=message.subject)
    return Sent(store, stream, message, channels)


async def _batch(
    config: Config, db: StateDB, store: str, now: datetime, transport: httpx.AsyncBaseTransport | None
) -> Sent | None:
    alerts = config.alerts
    state = AsyncStateDB(db)
    lag_alerted = bool((await state.run(_state, db, store, BATCH)).get("lag_alerted"))
    if (await state.run(gather.collect, db, alerts, store, now, lag_alerted)).empty:
        return None  # nothing to say: no write at all
    value = await state.run(_claim, db, store, BATCH, now, timedelta(seconds=alerts.every_seconds))
    if value is None:
        return None
    lag_alerted = bool(value.get("lag_alerted"))
    found = await state.run(gather.collect, db, alerts, store, now, lag_alerted)  # again, now it is ours
    if found.empty:
        await state.run(_release, db, store, BATCH, now, False, value)
        return None
    sent = await _deliver(
        config, store, BATCH, batch_message(found, alerts.lag_seconds, alerts.console_url), now, transport
    )
    if sent.channels is not None:
        failing = (await state.run(store_overview, db, store, now, alerts.job_failures)).failing_jobs
        await state.run(gather.mark, db, found, now, failing)
        value["lag_alerted"] = (lag_alerted or found.lag_over) and not found.lag_recovered
    await state.run(_release, db, store, BATCH, now, sent.channels is not None, value)
    return sent


def digest_due(digest_at: str, now: datetime, last_day: str | None) -> bool:
    if not digest_at:
        return False
    hour, minute = (int(part) for part in digest_at.split(":"))
    due = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return now >= due and last_day != now.date().isoformat()


async def _digest(
    config: Config, db: StateDB, store: str, now: datetime, transport: httpx.AsyncBaseTransport | None
) -> Sent | None:
    state = AsyncStateDB(db)
    if not digest_due(config.alerts.digest_at, now, (await state.run(_state, db, store, DIGEST)).get("day")):
        return None
    value = await state.run(_claim, db, store, DIGEST, now, None)
    if value is None or not digest_due(config.alerts.digest_at, now, value.get("day")):
        if value is not None:
            await state.run(_release, db, store, DIGEST, now, False, value)
        return None
    figures = await state.run(gather.digest, db, config.alerts, store, now)
    sent = await _deliver(config, store, DIGEST, digest_message(figures, config.alerts.console_url), now, transport)
    if sent.channels is not None:
        value["day"] = now.date().isoformat()
    await state.run(_release, db, store, DIGEST, now, sent.channels is not None, value)
    return sent


async def tick(
    config: Config, db: StateDB, now: datetime, transport: httpx.AsyncBaseTransport | None = None
) -> list[Sent]:
    """Send what is due for every store; returns what was sent or tried."""
    if not config.alerts.enabled:
        return []
    done: list[Sent] = []
    for store in config.stores:
        for step in (_batch, _digest):
            sent = await step(config, db, store.name, now, transport)
            if sent is not None:
                done.append(sent)
    return done
