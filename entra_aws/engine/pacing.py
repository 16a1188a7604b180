"""Time and pacing for the executor: a clock that tests and the benchmark can replace with virtual time, and a
token bucket that keeps Identity Center admin calls under the collective TPS quota."""

from __future__ import annotations

import time
from collections import deque
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
    """At most `rate` calls per second in every window, as Identity Center counts them: no `burst` consecutive
    calls within `burst / rate` seconds, so bursts of up to `burst` and never more than `rate` in any one second
    (a token bucket would allow `rate + burst`)."""

    clock: Clock
    rate: float
    burst: int = 1
    _recent: deque[float] = field(default_factory=deque, init=False)

    def acquire(self) -> None:
        if len(self._recent) >= self.burst:
            wait = self._recent.popleft() + self.burst / self.rate + ROUNDING - self.clock.now()
            if wait > 0:
                self.clock.sleep(wait)
        self._recent.append(self.clock.now())


ROUNDING = 1e-6
"""Seconds kept between windows, so that sums of floating-point sleeps never land a call just inside one."""


def backoff(attempt: int, base: float = 0.5, cap: float = 20.0) -> float:
    """Exponential backoff (no jitter: the limiter already spreads calls out)."""
    return float(min(cap, base * (2**attempt)))
