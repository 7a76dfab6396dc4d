"""Real-time factor of the flagship scenario on one core.

Prints simulated seconds per wall second (target for the foundation issue: >= 100x),
the time per step, and the peak resident memory (target < 1 GiB).

    .venv/bin/python bench/sim_speed.py [SCENARIO] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from airdefsim.scenario import load_scenario
from airdefsim.sim import Simulation

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios" / "s400_vs_mixed_raid.yaml")
    )
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    scn = load_scenario(args.scenario)
    factors = []
    for i in range(args.repeat):
        sim = Simulation(scn, seed=scn.seed + i)
        t0 = time.perf_counter()
        steps = 0
        while not sim.done:
            sim.step()
            steps += 1
        wall = time.perf_counter() - t0
        s = sim.summary()
        factors.append(sim.t / wall)
        print(
            f"run {i}: {sim.t:.0f} s simulated in {wall:.2f} s wall = {sim.t / wall:.0f}x real time "
            f"({1000 * wall / steps:.1f} ms/step; {s.threats} threats, {s.interceptors_fired} interceptors)"
        )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"real-time factor: {min(factors):.0f}x (worst of {len(factors)}), target >= 100x")
    print(f"peak memory: {peak_mib:.0f} MiB (target < 1024 MiB)")


if __name__ == "__main__":
    main()
