"""Monte Carlo of the real simulation: a replication depends only on scenario and seed."""

from __future__ import annotations

import math

import yaml

from airdefsim.analysis import compare, sweep
from airdefsim.analysis import montecarlo as mc

# one fighter against one S-400 battalion, 40 s: engaged, cheap (~0.5 s a run once warm)
TINY_REAL = """\
name: tiny-real
origin: {lat: 39.93, lon: 32.86}
duration: 40 s
seed: 5
defended_assets:
  - {name: airbase, lat: 39.95, lon: 32.69}
blue:
  - preset: s400_battalion
    at: {lat: 39.90, lon: 32.80}
red:
  - preset: fighter
    route: [{lat: 40.45, lon: 32.85, alt: 8 km}, {at: airbase}]
"""
RAW = yaml.safe_load(TINY_REAL)


def _strip(rows):
    return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in rows]


def _rows(path):
    return _strip(sorted(mc.read_rows(path / mc.RESULTS), key=mc.row_key))


def test_simulation_rows_identical_in_process_pool_and_dask(tmp_path):
    from distributed import LocalCluster

    n = 3
    s = mc.run_montecarlo(RAW, n, tmp_path / "inproc", workers=0, plots=False)
    # one pool worker: each new process pays the engine's warm-up (flyout tables)
    mc.run_montecarlo(RAW, n, tmp_path / "pool", workers=1, plots=False)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        mc.run_montecarlo(
            RAW, n, tmp_path / "dask", scheduler=cluster.scheduler_address, plots=False
        )
    ref = _rows(tmp_path / "inproc")
    assert _rows(tmp_path / "pool") == ref
    assert _rows(tmp_path / "dask") == ref
    # the rows are the simulator's summaries for the derived seeds
    assert [r["seed"] for r in ref] == [mc.replication_seed(5, i) for i in range(n)]
    assert all(r["threats"] == 1 and r["sim_seconds"] <= 40.0 for r in ref)
    # the battalion engages the fighter inside the S-400 family's published 400 km reach
    fer = s["metrics"]["first_engagement_range_m"]
    assert fer["n"] == n and 0 < fer["min"] <= fer["max"] < 400e3
    # seeds matter: the first detection time differs between replications
    assert len({r["first_detection_s"] for r in ref}) == n
    assert math.isfinite(ref[0]["first_detection_s"])


def test_simulation_sweep_sets_threat_count(tmp_path):
    s = sweep.run_sweep(RAW, ["red[0].count=1,2"], 1, tmp_path / "sw", workers=0, plots=False)
    assert [row["threats_mean"] for row in s["table"]] == [1, 2]


def test_compare_of_the_simulator_with_itself_pairs_runs_exactly(tmp_path):
    # the same scenario as A and B: replication k of both runs with the same derived
    # seed, so every paired difference is exactly zero (the engine is a function of
    # scenario and seed; a pairing or seeding slip would show)
    res = compare.compare(RAW, RAW, 2, tmp_path / "cmp", seed=9, workers=0, plots=False)
    assert [r["seed"] for r in res["runs"]["a"]] == [mc.replication_seed(9, k) for k in (0, 1)]

    def engine(rows):
        skip = ("wall_seconds", "point", "system")
        return [{k: v for k, v in r.items() if k not in skip} for r in rows]

    assert engine(res["runs"]["a"]) == engine(res["runs"]["b"])
    # and they are what a plain Monte Carlo batch of that seed gives
    mc_raw = {**RAW, "seed": 9}
    mc.run_montecarlo(mc_raw, 2, tmp_path / "mc", workers=0, plots=False)
    assert engine(res["runs"]["a"]) == _rows(tmp_path / "mc")
    for key, st in res["diff"].items():
        if st["n"]:
            assert st["mean"] == 0.0, key
    assert res["a"]["threats"]["mean"] == 1
