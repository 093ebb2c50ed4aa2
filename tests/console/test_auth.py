"""Who may see and do what: logins, sessions, roles, CSRF, throttled guessing, /metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.helpers import METRICS_TOKEN, PASSWORD, browser, console_world, csrf_of, login, page_csrf
from woonext.console import accounts
from woonext.store import NEEDS_REVIEW
from woonext.store import events as queue


async def test_pages_and_metrics_need_a_login_or_the_metrics_token(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    async with browser(world) as client:
        for path in ("/", "/needs", "/events", "/dead-letter", "/reconcile", "/config", "/orders/main/1"):
            response = await client.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
        assert (await client.get("/metrics")).status_code == 401
        bad = await client.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert bad.status_code == 401
        scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert scraped.status_code == 200 and "woonext_events" in scraped.text
        # health checks stay open for load balancers
        assert (await client.get("/healthz")).status_code == 200

        logged = await login(client, "vic")
        assert logged.status_code == 303 and logged.headers["location"] == "/"
        cookie = logged.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert (await client.get("/metrics")).status_code == 200
        overview = await client.get("/")
        assert overview.status_code == 200 and "Store main" in overview.text and "vic (viewer)" in overview.text


async def test_a_viewer_cannot_act_and_no_action_passes_without_the_csrf_token(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    world.db.record_outcome("main", "order", "900", NEEDS_REVIEW, "unknown_sku", "no Item X", "create it")
    async with browser(world) as viewer:
        await login(viewer, "vic")
        token = await page_csrf(viewer, "/events")
        refused = await viewer.post("/orders/main/900/retry", data={"csrf": token})
        assert refused.status_code == 403 and "viewer" in refused.text
        needs = await viewer.get("/needs")
        assert "Retry these" not in needs.text  # no button for a viewer
    async with browser(world) as operator:
        await login(operator, "olga")
        no_token = await operator.post("/orders/main/900/retry", data={})
        assert no_token.status_code == 403 and "security token" in no_token.text
        forged = await operator.post("/orders/main/900/retry", data={"csrf": "not-the-token"})
        assert forged.status_code == 403
        assert queue.list_events(world.db) == []  # nothing was queued by the refused requests
        token = await page_csrf(operator)
        done = await operator.post("/orders/main/900/retry", data={"csrf": token})
        assert done.status_code == 303 and done.headers["location"].startswith("/orders/main/900?note=")
    [event] = queue.list_events(world.db)
    assert (event.remote_id, event.topic, event.status) == ("900", queue.RETRY_TOPIC, queue.PENDING)
    [entry] = [a for a in accounts.audit_entries(world.db, "main") if a.action == "retry"]
    assert entry.user == "olga" and entry.target == "order:900"


async def test_a_login_without_the_forms_token_is_refused(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    async with browser(world) as client:
        response = await client.post("/login", data={"name": "olga", "password": PASSWORD})
        assert response.status_code == 403 and "woonext_session" not in response.headers.get("set-cookie", "")
        assert (await client.get("/")).status_code == 303  # still not logged in


async def test_five_bad_logins_slow_the_next_ones_down(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    async with browser(world) as client:
        for n in range(1, 6):
            response = await login(client, "olga", "wrong password!")
            assert response.status_code == 401, n
        assert "next try waits 30 s" in response.text
        # counted per name (another address is slowed for "olga") and per address (for any other name)
        assert 25 < accounts.blocked_for(world.db, "olga", "10.9.9.9") <= 30  # the world's clock runs
        assert 25 < accounts.blocked_for(world.db, "somebody", "127.0.0.1") <= 30
        # the right password does not help while the wait lasts, and the answer says how long
        blocked = await login(client, "olga")
        assert blocked.status_code == 429 and blocked.headers["retry-after"] == "30"
        assert "Too many failed logins" in blocked.text
        world.clock.advance(31)
        again = await login(client, "olga", "still wrong...")
        assert again.status_code == 401 and "waits 60 s" in again.text  # each further failure doubles the wait
        world.clock.advance(61)
        assert (await login(client, "olga")).status_code == 303
    assert accounts.blocked_for(world.db, "olga", "10.9.9.9") == 0  # the name's count ends with a good login


async def test_sessions_end_on_logout_and_on_a_new_password(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    async with browser(world) as client:
        await login(client, "olga")
        token = await page_csrf(client)
        out = await client.post("/logout", data={"csrf": token})
        assert out.status_code == 303 and (await client.get("/")).status_code == 303
        await login(client, "olga")
        assert (await client.get("/")).status_code == 200
        accounts.set_password(world.db, "olga", "another long password")
        assert (await client.get("/")).status_code == 303


async def test_login_goes_back_only_to_a_page_of_this_site(tmp_path: Path) -> None:
    world = await console_world(tmp_path)
    async with browser(world) as client:
        form = await client.get("/login?next=//evil.example/")
        response = await client.post(
            "/login",
            data={"name": "olga", "password": PASSWORD, "login_csrf": csrf_of(form.text), "next": "//evil.example/"},
        )
        assert response.headers["location"] == "/"


@pytest.mark.parametrize("role", ["admin", ""])
def test_users_have_a_known_role_and_a_long_password(tmp_path: Path, role: str) -> None:
    from woonext.store import StateDB

    db = StateDB.open(f"sqlite:///{tmp_path / 's.sqlite'}")
    with pytest.raises(accounts.AccountError, match="unknown role"):
        accounts.add_user(db, "x", role, PASSWORD)
    with pytest.raises(accounts.AccountError, match="at least 10"):
        accounts.add_user(db, "x", accounts.VIEWER, "short")
    accounts.add_user(db, "x", accounts.VIEWER, PASSWORD)
    with pytest.raises(accounts.AccountError, match="exists"):
        accounts.add_user(db, "x", accounts.OPERATOR, PASSWORD)
    with db.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
