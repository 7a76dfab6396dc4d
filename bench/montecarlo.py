"""Benchmark: Monte Carlo replications per second, local pool vs Dask.

Runs the flagship scenario (default ``scenarios/s400_vs_mixed_raid.yaml``) through
:func:`airdefsim.analysis.montecarlo.run_montecarlo` with a 1-worker pool, a 2-worker pool
and a Dask ``LocalCluster`` of 2 single-threaded worker processes, and prints:

- replications per second of each (wall time of the whole batch, pool start included);
- the 2-worker speed-up over 1 worker (target >= 1.8x);
- Dask rate relative to the 2-worker pool (target within 10 %);
- peak RSS of any worker process (sampled with psutil every 0.1 s; target < 1 GiB) and
  of this process (``resource.getrusage``).

Usage::

    .venv/bin/python bench/montecarlo.py [SCENARIO] [-n N] [--synthetic]

``-n`` defaults to a count that takes about 20 s per configuration on one core.
``--synthetic`` runs the stand-in model (machinery overhead only). The machine is shared:
figures are only meaningful when the cores are otherwise idle.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import yaml

from airdefsim.analysis import montecarlo as mc
from airdefsim.testing.synthetic_batch import synthetic_replication

ROOT = Path(__file__).resolve().parent.parent


class PeakChildRss:
    """Sample every descendant process: the largest RSS seen (bytes) and the CPU time
    (user + system, s) each has used, summed over processes (last sample of each)."""

    def __init__(self, period: float = 0.1):
        self.period = period
        self.peak = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu(self) -> float:
        return sum(self._cpu.values())

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                    t = child.cpu_times()
                    self._cpu[child.pid] = t.user + t.system
                except psutil.Error:
                    pass
            self._stop.wait(self.period)

    def __enter__(self) -> PeakChildRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_batch(
    raw: dict[str, Any], n: int, fn: mc.ReplicationFn, workers: int = 2, **kw: Any
) -> tuple[float, float, int, float]:
    """One fresh batch: (rate over the whole batch, steady rate, peak worker RSS bytes,
    worker CPU seconds per replication). The steady rate skips the first ``workers``
    rows (pool start, imports): ``(n - 1 - workers) / (t_last - t_workers)``. CPU per
    replication does not depend on other users of the machine (wall rates do)."""
    stamps: list[float] = []
    with tempfile.TemporaryDirectory(prefix="mc-bench-") as tmp, PeakChildRss() as mem:
        t0 = time.perf_counter()
        mc.run_montecarlo(
            raw,
            n,
            Path(tmp) / "run",
            replication=fn,
            plots=False,
            on_row=lambda row: stamps.append(time.perf_counter()),
            workers=None if "scheduler" in kw else workers,
            **kw,
        )
        dt = time.perf_counter() - t0
    k = min(workers, n - 2)
    steady = (n - 1 - k) / (stamps[-1] - stamps[k]) if n - 1 - k > 0 else n / dt
    return n / dt, steady, mem.peak, mem.cpu / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "scenario", nargs="?", default=str(ROOT / "scenarios" / "s400_vs_mixed_raid.yaml")
    )
    ap.add_argument("-n", type=int, default=None, help="replications per configuration")
    ap.add_argument("--synthetic", action="store_true", help="stand-in model, not the simulator")
    args = ap.parse_args()

    raw = yaml.safe_load(Path(args.scenario).read_text())
    fn = synthetic_replication if args.synthetic else mc.run_replication
    t0 = time.perf_counter()
    fn(raw, mc.replication_seed(int(raw.get("seed", 0)), 10**6))  # warm-up + calibration
    t_one = time.perf_counter() - t0
    n = args.n or max(8, 2 * round(10.0 / max(t_one, 1e-3)))
    print(
        f"scenario {args.scenario}: {'synthetic' if args.synthetic else 'simulator'}, "
        f"one replication in process {t_one:.2f} s; n = {n} per configuration; cores {os.cpu_count()}"
    )

    load0 = os.getloadavg()[0]
    r1, q1, m1, c1 = timed_batch(raw, n, fn, workers=1)
    line = "{:15s}: {:7.3f} rep/s overall, {:7.3f} steady; {:6.2f} CPU s/rep; peak worker RSS {:6.1f} MiB"
    print(line.format("pool, 1 worker", r1, q1, c1, m1 / 2**20))
    r2, q2, m2, c2 = timed_batch(raw, n, fn, workers=2)
    print(line.format("pool, 2 workers", r2, q2, c2, m2 / 2**20))

    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        rd, qd, md, cd = timed_batch(raw, n, fn, workers=2, scheduler=client)
    print(line.format("dask, 2 workers", rd, qd, cd, md / 2**20))
    print(
        f"load average (1 min) before {load0:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(
        f"CPU-time view (independent of other users): 2-worker pool {c1 / c2:.2f}x the CPU "
        f"efficiency of 1 worker (ideal speed-up 2 x {c1 / c2:.2f} = {2 * c1 / c2:.2f}x); "
        f"Dask/pool CPU per replication {cd / c2:.3f}"
    )
    # targets on whole-batch rates: the "steady" rate of a 2-worker batch is biased high
    # (replications finish in pairs, so the first-k cut lands mid-pair)
    speedup = r2 / r1
    dask_vs_pool = rd / r2
    peak = max(m1, m2, md)
    print(
        f"2-worker speed-up (whole batch): {speedup:.2f}x (target >= 1.8x) {'OK' if speedup >= 1.8 else 'MISSED'}"
    )
    print(
        f"dask / pool, 2 workers (whole batch): {dask_vs_pool:.3f} (target 0.90-1.10) "
        f"{'OK' if abs(dask_vs_pool - 1) <= 0.10 else 'MISSED'}"
    )
    print(
        f"peak worker memory: {peak / 2**20:.1f} MiB (target < 1024 MiB) {'OK' if peak < 2**30 else 'MISSED'}"
    )
    print(
        f"this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
