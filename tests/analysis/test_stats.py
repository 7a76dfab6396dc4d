"""Statistics against published values and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from airdefsim.analysis import stats

# Newcombe, Statistics in Medicine 17 (1998) 857-872, Table II, method 3 (Wilson score
# interval without continuity correction), 95 %, printed to 4 decimals.
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "lo", "hi"), NEWCOMBE_1998)
def test_wilson_matches_newcombe_1998(k, n, lo, hi):
    got = stats.wilson_interval(k, n, 0.95)
    assert got[0] == pytest.approx(lo, abs=5.1e-5)
    assert got[1] == pytest.approx(hi, abs=5.1e-5)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_scipy(kn):
    k, n = kn
    ref = sps.binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson")
    lo, hi = stats.wilson_interval(k, n, 0.9)
    assert lo == pytest.approx(ref.low, abs=1e-12)
    assert hi == pytest.approx(ref.high, abs=1e-12)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_edges():
    assert stats.wilson_interval(0, 10)[0] == 0.0
    assert stats.wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(v) for v in stats.wilson_interval(0, 0))
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 4)


def test_wilson_coverage_close_to_nominal():
    # exact coverage: sum of the binomial pmf over the k whose interval holds p
    n, p = 60, 0.3
    ks = np.arange(n + 1)
    covered = [
        stats.wilson_interval(int(k), n)[0] <= p <= stats.wilson_interval(int(k), n)[1] for k in ks
    ]
    coverage = float(sps.binom.pmf(ks, n, p)[covered].sum())
    assert 0.93 <= coverage <= 0.97


def test_t_interval_closed_form():
    # x = 1..10: mean 5.5, s² = 55/6; t(0.975, 9) = 2.262 (NIST/SEMATECH table 1.3.6.7.2)
    x = np.arange(1.0, 11.0)
    mean, lo, hi = stats.t_interval(x, 0.95)
    half = 2.262 * math.sqrt(55.0 / 6.0) / math.sqrt(10.0)
    assert mean == 5.5
    assert hi - mean == pytest.approx(half, rel=2e-4)
    assert mean - lo == pytest.approx(half, rel=2e-4)
    ref = sps.t.interval(0.95, 9, loc=5.5, scale=sps.sem(x))
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)


def test_t_interval_small_and_nan():
    assert all(math.isnan(v) for v in stats.t_interval([]))
    m, lo, hi = stats.t_interval([3.0])
    assert m == 3.0 and math.isnan(lo) and math.isnan(hi)
    assert stats.t_interval([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert stats.t_interval([1.0, np.nan, 3.0]) == pytest.approx(stats.t_interval([1.0, 3.0]))


def test_running_mean_equals_prefix_intervals():
    rng = np.random.default_rng(3)
    x = rng.normal(1e6, 5.0, 40)  # large offset: checks the shifted sums
    x[[4, 17]] = np.nan
    mean, lo, hi = stats.running_mean(x)
    for k in range(len(x)):
        m, l_, h = stats.t_interval(x[: k + 1])
        assert mean[k] == pytest.approx(m, rel=1e-12)
        if math.isnan(l_):
            assert math.isnan(lo[k]) and math.isnan(hi[k])
        else:
            assert lo[k] == pytest.approx(l_, rel=1e-9)
            assert hi[k] == pytest.approx(h, rel=1e-9)


def test_summarize_counts_probabilities_and_nan():
    rows = [
        {
            "replication": 0,
            "seed": 1,
            "threats": 2,
            "threats_killed": 2,
            "leakers": 0,
            "assets_hit": 0,
            "interceptors_per_kill": 1.5,
        },
        {
            "replication": 1,
            "seed": 2,
            "threats": 2,
            "threats_killed": 1,
            "leakers": 1,
            "assets_hit": 1,
            "interceptors_per_kill": 3.0,
        },
        {
            "replication": 2,
            "seed": 3,
            "threats": 2,
            "threats_killed": 0,
            "leakers": 2,
            "assets_hit": 0,
            "interceptors_per_kill": None,
        },
    ]
    s = stats.summarize(rows)
    assert list(s["metrics"]) == [
        "threats",
        "threats_killed",
        "leakers",
        "assets_hit",
        "interceptors_per_kill",
    ]
    ipk = s["metrics"]["interceptors_per_kill"]
    assert ipk["n"] == 2 and ipk["n_nan"] == 1 and ipk["mean"] == 2.25
    assert s["metrics"]["threats"]["std"] == 0.0
    p = s["probabilities"]
    assert (p["p_asset_hit"]["k"], p["p_asset_hit"]["n"]) == (1, 3)
    assert (p["p_any_leaker"]["k"], p["p_all_killed"]["k"]) == (2, 1)
    assert (p["p_asset_hit"]["lo"], p["p_asset_hit"]["hi"]) == pytest.approx(
        stats.wilson_interval(1, 3)
    )
    assert "p_friendly_engaged" not in p  # no row says anything about friendlies


def test_pooled_fractions_and_registry_order():
    # 2 + 1 + 0 of 2 threats each killed: 3 of 6 pooled; Newcombe's 81/263 row pooled
    # over two runs gives the published interval
    rows = [
        {"interceptors_fired": 4, "threats_killed": 2, "threats": 2, "leakers": 0},
        {"interceptors_fired": 3, "threats_killed": 1, "threats": 2, "leakers": 1},
        {"interceptors_fired": 0, "threats_killed": 0, "threats": 2, "leakers": 2},
    ]
    s = stats.summarize(rows)
    # the registry's order (airdefsim.summary.METRICS), not the rows' key order
    assert list(s["metrics"]) == ["threats", "threats_killed", "leakers", "interceptors_fired"]
    kf = s["probabilities"]["kill_fraction"]
    assert (kf["k"], kf["n"], kf["p"]) == (3, 6, 0.5)
    assert (kf["lo"], kf["hi"]) == pytest.approx(stats.wilson_interval(3, 6))
    runs = [{"threats": 131, "threats_killed": 40}, {"threats": 132, "threats_killed": 41}]
    kf = stats.summarize(runs)["probabilities"]["kill_fraction"]
    assert (kf["k"], kf["n"]) == (81, 263)
    assert (kf["lo"], kf["hi"]) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    # no threats: nothing to pool, the fraction is left out
    assert "kill_fraction" not in stats.summarize([{"threats": 0}])["probabilities"]
