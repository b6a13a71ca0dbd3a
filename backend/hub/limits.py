"""Rate limits for the customer's socket: token buckets per conversation and per address."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Limiter:
    """Token buckets per key (a conversation, an IP address) in this process's memory: with
    several backend processes, each one counts on its own."""

    MAX_KEYS = 50_000

    def __init__(self, *, burst: float, per_second: float) -> None:
        self.burst, self.rate = burst, per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def _tokens(self, key: str, now: float) -> float:
        tokens, when = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - when) * self.rate)

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` has a token; 0 when it has one now."""
        return max(0.0, (1 - self._tokens(key, now)) / self.rate)

    def take(self, key: str, now: float) -> None:
        if len(self._buckets) >= self.MAX_KEYS:  # full buckets say nothing: forget them
            self._buckets = {k: v for k, v in self._buckets.items()
                             if self._tokens(k, now) < self.burst}
        self._buckets[key] = (self._tokens(key, now) - 1, now)


@dataclass
class Limits:
    chat_per_conversation: Limiter = field(
        default_factory=lambda: Limiter(burst=10, per_second=0.5))
    # Generous: offices and mobile networks put many customers behind one address.
    chat_per_ip: Limiter = field(default_factory=lambda: Limiter(burst=40, per_second=2))
    sessions_per_ip: Limiter = field(default_factory=lambda: Limiter(burst=20, per_second=0.2))
    transcripts_per_ip: Limiter = field(
        default_factory=lambda: Limiter(burst=5, per_second=5 / 3600))
    clock: Callable[[], float] = time.monotonic

    def admit(self, *checks: tuple[Limiter, str | None]) -> int:
        """0, with a token taken from every bucket; else whole seconds to wait (none taken).
        A check without a key (no client address) is skipped."""
        now = self.clock()
        checks = tuple((limiter, key) for limiter, key in checks if key is not None)
        wait = max((limiter.wait(key, now) for limiter, key in checks), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for limiter, key in checks:
            limiter.take(key, now)  # type: ignore[arg-type]
        return 0
