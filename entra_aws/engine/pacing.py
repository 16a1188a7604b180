"""Time and pacing for the executor: a clock that tests and the benchmark can replace with virtual time, and a
token bucket that keeps Identity Center admin calls under the collective TPS quota."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class VirtualClock:
    """Time that advances only when someone sleeps: benchmarks run hours of quota in milliseconds."""

    current: float = 0.0

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.current += max(seconds, 0.0)


@dataclass
class RateLimiter:
    """Token bucket: at most `rate` calls per second, bursts up to `burst`."""

    clock: Clock
    rate: float
    burst: float = 1.0
    _tokens: float = field(default=1.0, init=False)
    _updated: float | None = field(default=None, init=False)

    def acquire(self) -> None:
        now = self.clock.now()
        if self._updated is None:
            self._updated, self._tokens = now, self.burst
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens < 1.0:
            wait = (1.0 - self._tokens) / self.rate
            self.clock.sleep(wait)
            self._updated = self.clock.now()
            self._tokens = 1.0
        self._tokens -= 1.0


def backoff(attempt: int, base: float = 0.5, cap: float = 20.0) -> float:
    """Exponential backoff (no jitter: the limiter already spreads calls out)."""
    return float(min(cap, base * (2**attempt)))
