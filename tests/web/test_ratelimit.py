"""The orders' token bucket: a burst, then the sustained rate (a hand-moved clock)."""

from __future__ import annotations

import pytest

from airdefsim.web.ratelimit import TokenBucket


def test_burst_then_sustained_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=30, clock=lambda: now[0])
    assert sum(bucket.take() for _ in range(40)) == 30  # the burst, then refused
    now[0] += 0.25  # 2.5 tokens at 10/s
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] += 100.0  # refills to the burst, no more
    assert sum(bucket.take() for _ in range(40)) == 30
    assert bucket.tokens == pytest.approx(0.0)
