"""A token bucket: how many orders a console may send (sustained rate, bursts)."""

from __future__ import annotations

import time
from collections.abc import Callable

COMMAND_RATE = 10.0  # orders per second a console may send, sustained
COMMAND_BURST = 30  # orders in a burst (e.g. interrogating every track at once)


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; :meth:`take` spends one if there is one.

    Parameters
    ----------
    rate : float, 1/s — refill rate
    burst : float — capacity (full at creation)
    clock : callable -> float, s — a monotonic clock (tests pass their own)
    """

    def __init__(
        self,
        rate: float = COMMAND_RATE,
        burst: float = COMMAND_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock
        self.tokens = float(burst)
        self._last = clock()

    def take(self) -> bool:
        """Spend one token; False (nothing spent) when the bucket is empty."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
        self._last = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True
