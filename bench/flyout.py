"""Flyout speed: 72 interceptors in flight at once (an S-400 battalion's guided missiles).

Prints missile integration steps per second, advance() calls per second of simulated
time, wall time per simulated second, and the peak resident memory.

With ``--srbm N`` it also flies N interceptors of each S-400/Patriot round against the
``srbm`` preset's arc (450 km, 50 km apogee) towards an airbase 7-11 km from the
launchers, on tracker-like uplinks (120 m / 25 m/s noise, velocity lagging the fall by
1 s: the simulator's mature SRBM tracks), each launched at the first second ``predicted_intercept(ballistic=True)`` finds
an intercept, and prints the single-shot kill probability and the miss distances.

Run: ``.venv/bin/python bench/flyout.py [--n 72] [--seed 1] [--srbm 40]``
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.physics.flyout import Interceptors
from airdefsim.scenario.presets import get_presets
from airdefsim.types import TargetsView


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=72, help="interceptors in flight")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--srbm", type=int, default=0, help="trials per missile against an SRBM")
    args = ap.parse_args()
    n = args.n
    rng = np.random.default_rng(args.seed)
    specs = get_presets().missiles
    names = ["40N6E", "48N6E3", "9M96E2"]
    frame = LocalFrame.from_degrees(45.0, 30.0, 0.0)
    # targets 40-150 km out, 0.03-12 km high, 250-600 m/s inbound, spread in azimuth
    az = rng.uniform(0, 2 * np.pi, n)
    rng_m = rng.uniform(40e3, 150e3, n)
    alt = rng.uniform(30.0, 12e3, n)
    spd = rng.uniform(250.0, 600.0, n)
    enu = np.stack([rng_m * np.sin(az), rng_m * np.cos(az), alt], axis=1)
    v_enu = np.stack([-spd * np.sin(az), -spd * np.cos(az), np.zeros(n)], axis=1)
    pos0 = frame.to_ecef(enu)
    vel = frame.vec_to_ecef(v_enu)
    ids = np.arange(n, dtype=np.int64)
    flights = Interceptors(capacity=n)
    for k in range(n):
        flights.launch(0.0, specs[names[k % 3]], frame.origin, pos0[k], vel[k], k, k, "bn1")

    def view(t: float) -> TargetsView:
        return TargetsView(
            t,
            pos0 + vel * t,
            vel,
            np.zeros((n, 3)),
            ids,
            np.ones(n, bool),
            np.zeros(n, np.int64),
            [],
            np.zeros(n, bool),
            np.zeros(n, np.int64),
            np.full(n, "t", dtype=object),
        )

    t, calls, events = 0.0, 0, []
    start = time.perf_counter()
    while flights.alive_ids().size and t < 600.0:
        events += flights.advance(t, t + 1.0, view(t), rng)
        t += 1.0
        calls += 1
        flights.update_estimates(
            flights.alive_ids(),
            (pos0 + vel * t)[flights.target_id[flights.alive_ids()]],
            vel[flights.target_id[flights.alive_ids()]],
        )
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    kills = sum(e.killed for e in events)
    fuzed = sum(e.reason == "fuze" for e in events)
    print(f"interceptors           {n}")
    print(f"simulated time         {t:.0f} s in {calls} advance() calls")
    print(f"wall time              {wall:.2f} s ({wall / t * 1e3:.1f} ms per simulated s)")
    print(f"missile steps          {flights.n_steps} ({flights.n_steps / wall:,.0f} per s)")
    print(
        f"vectorised iterations  {flights.n_iterations} ({flights.n_iterations / wall:,.0f} per s)"
    )
    print(f"advance() calls        {calls / wall:,.1f} per s")
    print(f"fuzed / killed         {fuzed} / {kills} of {len(events)} ended flights")
    # predicted intercept points, as the doctrine asks every decision tick
    from airdefsim.engagement.envelope import flyout_table, predicted_intercept

    for name in names:
        flyout_table(specs[name])  # shipped tables: loaded, not computed
    n_tracks = 100
    reps = 20
    tp, tv = pos0[np.arange(n_tracks) % n], vel[np.arange(n_tracks) % n]
    start = time.perf_counter()
    for _ in range(reps):
        for name in names:
            predicted_intercept(specs[name], frame.origin, tp, tv)
    pi_wall = (time.perf_counter() - start) / (reps * len(names))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"predicted_intercept    {pi_wall * 1e3:.1f} ms per call for {n_tracks} tracks")
    print(f"peak RSS               {peak_mb:.0f} MB")
    if args.srbm > 0:
        srbm_end_game(args.srbm, args.seed)


def srbm_end_game(n: int, seed: int) -> None:
    """Single-shot kill probability of each round against the ``srbm`` arc (see above)."""
    from airdefsim.engagement.envelope import predicted_intercept
    from airdefsim.geo.wgs84 import ecef_to_geodetic, geodetic_to_ecef
    from airdefsim.physics.ballistic import ballistic_arc

    specs = get_presets().missiles
    la0, lo0, la1, lo1 = np.radians([37.10, 35.20, 39.95, 32.69])
    ta, pa, va = ballistic_arc(la0, lo0, la1, lo1, apogee=50e3)
    aa = np.gradient(va, ta, axis=0)

    def truth(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = [np.array([np.interp(t, ta, a[:, k]) for k in range(3)]) for a in (pa, va, aa)]
        return f[0], f[1], f[2]

    sites = {"S-400": (39.90, 32.80), "Patriot": (39.97, 32.62)}
    rounds = [
        ("40N6E", "S-400"),
        ("48N6E3", "S-400"),
        ("9M96E2", "S-400"),
        ("PAC-2_GEM-T", "Patriot"),
        ("PAC-3_MSE", "Patriot"),
    ]
    print(f"srbm end game          {n} trials per round, single shots")
    for name, unit in rounds:
        spec = specs[name]
        lp = geodetic_to_ecef(*np.radians(sites[unit]), 0.0)
        rng = np.random.default_rng(seed)
        trk = np.random.default_rng(seed + 1)
        flights = Interceptors(capacity=n)
        pending = list(range(n))
        t = float(np.ceil(ta[0]))
        events = []
        start = time.perf_counter()
        while (pending or flights.alive_ids().size) and t < ta[-1]:
            p, v, a = truth(t)
            est_p = p + trk.normal(0.0, 120.0, (n, 3))
            est_v = v - 1.0 * a + trk.normal(0.0, 25.0, (n, 3))
            alive = flights.alive_ids()
            flights.update_estimates(
                alive, est_p[flights.track_id[alive]], est_v[flights.track_id[alive]]
            )
            if pending:
                ok, _, _ = predicted_intercept(
                    spec, lp, est_p[pending], est_v[pending], np.ones(len(pending), bool)
                )
                for k in [k for k, f in zip(pending, ok, strict=True) if f]:
                    flights.launch(t, spec, lp, est_p[k], est_v[k], k, 0, unit)
                    pending.remove(k)
            view = TargetsView(
                t,
                p[None],
                v[None],
                a[None],
                np.zeros(1, np.int64),
                np.ones(1, bool),
                np.zeros(1, np.int64),
                [],
                np.zeros(1, bool),
                np.zeros(1, np.int64),
                np.array(["srbm"], dtype=object),
            )
            events += flights.advance(t, t + 1.0, view, rng)
            t += 1.0
        wall = time.perf_counter() - start
        miss = np.array([e.miss_distance for e in events])
        kills = np.array([e.killed for e in events])
        alt = np.array([ecef_to_geodetic(e.pos)[2] for e in events])
        if not events:
            print(f"  {name:12s} no intercept found")
            continue
        print(
            f"  {name:12s} SSKP {kills.mean():.2f}  miss median {np.median(miss):.1f} m, "
            f"90 % {np.percentile(miss, 90):.1f} m  intercept at {np.median(alt) / 1e3:.1f} km"
            f" (max {alt.max() / 1e3:.1f})  "
            f"({len(events)} flights, {wall:.1f} s)"
        )


if __name__ == "__main__":
    main()
