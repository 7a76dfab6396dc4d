"""Monte Carlo of the real simulation: a replication depends only on scenario and seed."""

from __future__ import annotations

import math

import yaml

from airdefsim.analysis import montecarlo as mc
from airdefsim.analysis import sweep

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
