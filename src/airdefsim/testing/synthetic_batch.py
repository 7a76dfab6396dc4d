"""A cheap stand-in replication function for testing and benchmarking batch machinery.

Not the simulator: :func:`synthetic_replication` has the signature of
:func:`airdefsim.analysis.montecarlo.run_replication` and returns the numeric keys of a
run summary from a closed-form random model, so the Monte Carlo runner (seeding,
pool/Dask equivalence, durability, resume, statistics) can be exercised in milliseconds.
Its closed forms let a test check the statistics against known values.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np

#: Environment variable read by :func:`synthetic_replication`: seconds each replication
#: sleeps, so a test can kill or interrupt a batch mid-way (subprocess workers inherit
#: it). The product never reads it.
SYNTHETIC_DELAY_ENV = "AIRDEFSIM_SYNTHETIC_DELAY_S"


def synthetic_replication(scenario_raw: dict[str, Any], seed: int) -> dict[str, Any]:
    """A closed-form random model with the summary keys of the real simulation.

    Model (assumed, for testing only): ``T`` = sum of ``count`` over
    ``scenario_raw["red"]`` (1 per group without ``count``); each threat is killed
    independently with probability 0.8 (``threats_killed ~ Binomial(T, 0.8)``), each
    leaker hits the asset with probability 0.5; ``interceptors_fired = killed +
    Binomial(2T, 0.3)``; first engagement range ~ Normal(120 km, 15 km); detection to
    launch ~ Gamma(4, 5 s). Every draw comes from ``numpy.random.default_rng(seed)``.

    Sleeps ``$AIRDEFSIM_SYNTHETIC_DELAY_S`` seconds if set. The result depends only on
    ``(scenario_raw, seed)`` except ``wall_seconds``.
    """
    t0 = time.perf_counter()
    delay = float(os.environ.get(SYNTHETIC_DELAY_ENV, "0") or 0.0)
    if delay > 0:
        time.sleep(delay)
    groups = scenario_raw.get("red") or []
    n_threats = int(sum(int(g.get("count", 1)) for g in groups if isinstance(g, dict)))
    rng = np.random.default_rng(seed)
    killed = int(rng.binomial(n_threats, 0.8))
    leakers = n_threats - killed
    fired = killed + int(rng.binomial(2 * n_threats, 0.3))
    assets_hit = int(rng.binomial(leakers, 0.5))
    return {
        "threats": n_threats,
        "threats_killed": killed,
        "leakers": leakers,
        "interceptors_fired": fired,
        "assets_hit": assets_hit,
        "friendlies_engaged": 0,
        "friendlies_killed": 0,
        "sim_seconds": 600.0,
        "wall_seconds": time.perf_counter() - t0,
        "seed": seed,
        "first_engagement_range_m": float(rng.normal(120e3, 15e3)) if n_threats else math.nan,
        "detection_to_launch_s": float(rng.gamma(4.0, 5.0)) if n_threats else math.nan,
        "interceptors_per_kill": fired / killed if killed else math.nan,
    }
