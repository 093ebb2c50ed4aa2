"""Register woonext's webhooks in a WooCommerce store, idempotently, and report on them.

A webhook with the same topic and delivery URL is kept; one that WooCommerce disabled (after
repeated failed deliveries) or that was paused is re-activated with the configured secret; a
missing one is created with the configured secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from woonext.sync.context import StoreContext

TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "customer.created",
    "customer.updated",
    "product.created",  # the catalog bridge: a product's Items follow it (docs/catalog.md)
    "product.updated",
)
PATH = "/webhooks/woocommerce/"


class InstallError(Exception):
    pass


def delivery_url(base: str, store: str) -> str:
    """`--url` is the service's public base URL; a URL that already names this store's endpoint is taken as is."""
    if PATH in base:
        if base.rstrip("/").rsplit("/", 1)[-1] != store:
            raise InstallError(
                f"--url {base} is the endpoint of another store; pass the service's base URL "
                f"(woonext adds {PATH}{store})"
            )
        return base.rstrip("/")
    return f"{base.rstrip('/')}{PATH}{store}"


@dataclass(frozen=True)
class HookState:
    topic: str
    action: str  # created, kept, reactivated, missing, disabled, paused, active
    webhook_id: int | None = None
    status: str = ""
    url: str = ""
    name: str = ""


def _secret(ctx: StoreContext) -> str:
    secret = ctx.config.webhook_secret.get_secret_value() if ctx.config.webhook_secret else ""
    if not secret:
        raise InstallError(
            f"store {ctx.store!r} has no webhook_secret: set webhook_secret, webhook_secret_file or "
            f"the environment variable for it, then install again"
        )
    return secret


async def install(ctx: StoreContext, base_url: str) -> list[HookState]:
    secret = _secret(ctx)
    url = delivery_url(base_url, ctx.store)
    if not url.startswith(("http://", "https://")):
        raise InstallError(f"--url must start with http:// or https://, got {base_url!r}")
    hooks = await ctx.woo.list_webhooks()
    states = []
    for topic in TOPICS:
        same = [h for h in hooks if h.get("topic") == topic and h.get("delivery_url") == url]
        active = next((h for h in same if h.get("status") == "active"), None)
        if active is not None:
            states.append(HookState(topic, "kept", int(active["id"]), "active", url, str(active.get("name", ""))))
        elif same:
            hook = await ctx.woo.update_webhook(same[0]["id"], {"status": "active", "secret": secret})
            states.append(
                HookState(
                    topic, "reactivated", int(hook["id"]), str(hook.get("status")), url, str(hook.get("name", ""))
                )
            )
        else:
            name = f"woonext {ctx.store} {topic}"
            hook = await ctx.woo.create_webhook(
                {"name": name, "topic": topic, "delivery_url": url, "secret": secret, "status": "active"}
            )
            states.append(HookState(topic, "created", int(hook["id"]), str(hook.get("status")), url, name))
    return states


async def status(ctx: StoreContext, reactivate: bool = True) -> list[HookState]:
    """Every woonext webhook of the store (delivery URL on our endpoint), re-activating disabled or
    paused ones when `reactivate`, and a "missing" row per topic that has none."""
    hooks = [h for h in await ctx.woo.list_webhooks() if PATH in str(h.get("delivery_url") or "")]
    states = []
    secret = _secret(ctx) if reactivate and any(h.get("status") != "active" for h in hooks) else ""
    for hook in sorted(hooks, key=lambda h: (str(h.get("topic")), int(h["id"]))):
        current = str(hook.get("status"))
        action = current
        if reactivate and current != "active":
            hook = await ctx.woo.update_webhook(hook["id"], {"status": "active", "secret": secret})
            action = "reactivated"
        states.append(
            HookState(
                str(hook.get("topic")),
                action,
                int(hook["id"]),
                str(hook.get("status")),
                str(hook.get("delivery_url")),
                str(hook.get("name", "")),
            )
        )
    covered = {s.topic for s in states if s.status == "active"}
    states += [HookState(topic, "missing") for topic in TOPICS if topic not in covered]
    return states
