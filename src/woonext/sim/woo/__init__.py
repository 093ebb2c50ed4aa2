"""The WooCommerce 11.0.1 simulator (see docs/architecture.md, "WooSim public surface")."""

from .app import WooSim
from .config import WooSimConfig
from .webhooks import Delivery, Webhook

__all__ = ["Delivery", "Webhook", "WooSim", "WooSimConfig"]
