"""Alerts: what needs a person reaches them by e-mail and/or a Slack-compatible webhook, batched per
store (`[alerts]`, docs/alerts.md). The scheduler runs `tick` on each wake-up; `woonext alerts test`
sends a test message through every channel."""

from .engine import tick
from .send import Channels, SendError, send

__all__ = ["Channels", "SendError", "send", "tick"]
