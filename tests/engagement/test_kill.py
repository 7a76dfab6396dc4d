"""Kill assessment: the radar's call and the look timeline."""

from __future__ import annotations

import numpy as np
from scipy import stats

from airdefsim.engagement.kill import KillAssessor, observe_kill


def test_observe_kill_extremes() -> None:
    rng = np.random.default_rng(0)
    truth = np.array([True, False, True, False])
    assert observe_kill(truth, 1.0, rng).tolist() == truth.tolist()
    assert observe_kill(truth, 0.0, rng).tolist() == (~truth).tolist()
    assert observe_kill(np.zeros(0, bool), 0.9, rng).shape == (0,)


def test_observe_kill_rate_is_binomial() -> None:
    rng = np.random.default_rng(42)
    n, p = 20000, 0.9
    right = int((observe_kill(np.ones(n, bool), p, rng)).sum())
    # two-sided binomial test at 1e-3: the call is right with probability p
    assert stats.binomtest(right, n, p).pvalue > 1e-3


def test_timeline_and_reported_kill() -> None:
    ka = KillAssessor(delay=5.0, p_correct=1.0, rng=np.random.default_rng(1))
    assert ka.status(7, 0.0) == "none"
    ka.start(7, 10.0, killed=True)
    assert ka.status(7, 14.99) == "assessing"
    assert ka.status(7, 15.0) == "killed"
    assert ka.ended_at(7) == 10.0 and ka.looks(7) == 1
    ka.start(8, 10.0)  # not reported: survivors stay in the picture
    assert ka.status(8, 15.0) == "survived"
    ka.cancel(8)
    assert ka.status(8, 20.0) == "none" and ka.ended_at(8) is None
