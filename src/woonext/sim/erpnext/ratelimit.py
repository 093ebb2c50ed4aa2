"""Frappe's site rate limiter (B8): a budget of request processing time per fixed window, plus the
per-method `@rate_limit` counter. Both read the simulated clock so tests can move through windows."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .base import FrappeError, throw


@dataclass
class SiteRateLimit:
    limit_s: float  # processing seconds allowed per window
    window_s: float
    cost_s: float = 0.0  # simulated processing time charged per request on top of the measured one
    _window: int = -1
    _used: float = 0.0

    def _roll(self, now: float) -> None:
        window = int(now // self.window_s)
        if window != self._window:
            self._window = window
            self._used = 0.0

    def reset_in(self, now: float) -> int:
        return max(1, math.ceil((self._window + 1) * self.window_s - now))

    def check(self, now: float) -> None:
        self._roll(now)
        if self._used > self.limit_s:
            err = FrappeError(status=429, exc_type="TooManyRequestsError")
            raise err

    def spend(self, now: float, seconds: float) -> None:
        self._roll(now)
        self._used += seconds + self.cost_s

    def headers(self, now: float) -> dict[str, str]:
        self._roll(now)
        remaining = max(0.0, self.limit_s - self._used)
        return {
            "X-RateLimit-Limit": str(int(self.limit_s * 1_000_000)),
            "X-RateLimit-Remaining": str(int(round(remaining)) * 1_000_000),
            "X-RateLimit-Reset": str(self.reset_in(now)),
        }


@dataclass
class MethodRateLimits:
    """`@rate_limit(limit=N, seconds=S)` on named methods: N calls per S seconds, site-wide."""

    limits: dict[str, tuple[int, float]]
    _calls: dict[str, list[float]] = field(default_factory=dict)

    def check(self, method: str, now: float) -> None:
        if method not in self.limits:
            return
        limit, seconds = self.limits[method]
        calls = [t for t in self._calls.get(method, []) if now - t < seconds]
        if len(calls) >= limit:
            self._calls[method] = calls
            raise throw(
                "You hit the rate limit because of too many requests. Please try after sometime.",
                "RateLimitExceededError",
                429,
            )
        calls.append(now)
        self._calls[method] = calls


def epoch(now: Callable[[], datetime]) -> float:
    return now().timestamp()
