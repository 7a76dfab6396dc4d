"""Sensor throughput: 10 radars observing 10,000 targets.

Prints looks and detections per second of wall time for ``Radar.observe`` (scan timing,
visibility, RCS, SNR, Swerling draws, measurement, false alarms), the rate of one
vectorised ``detection.detect`` call, and the peak resident memory.

Run: ``.venv/bin/python bench/sensors.py [--targets 10000] [--radars 10] [--seconds 20]``
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from airdefsim.geo.wgs84 import LocalFrame, geodetic_to_ecef
from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import RcsSpec
from airdefsim.sensors import detection
from airdefsim.sensors.radar import Radar
from airdefsim.types import TargetsView


def make_targets(n: int, rng: np.random.Generator, lat0: float, lon0: float) -> TargetsView:
    lat = np.radians(lat0 + rng.uniform(-2.5, 2.5, n))
    lon = np.radians(lon0 + rng.uniform(-3.0, 3.0, n))
    h = rng.uniform(20.0, 15_000.0, n)
    pos = geodetic_to_ecef(lat, lon, h)
    vel = rng.normal(0.0, 200.0, (n, 3))
    specs = [
        RcsSpec.model_validate(
            {"default": {"nose": d, "side": d + 10, "tail": d + 5}, "swerling": sw}
        )
        for d, sw in ((-20, 1), (-10, 1), (0, 3), (10, 1), (20, 0))
    ]
    return TargetsView(
        t=0.0,
        pos=pos,
        vel=vel,
        acc=np.zeros((n, 3)),
        truth_id=np.arange(n, dtype=np.int64),
        alive=np.ones(n, dtype=bool),
        rcs_index=rng.integers(0, len(specs), n),
        rcs_specs=specs,
        is_friendly=np.zeros(n, dtype=bool),
        iff_mode=np.zeros(n, dtype=np.int64),
        kind=np.array(["x"] * n, dtype=object),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=10_000)
    ap.add_argument("--radars", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--step", type=float, default=1.0)
    ap.add_argument("--cues", type=int, default=36, help="cued tracks per engagement radar")
    a = ap.parse_args()

    rng = np.random.default_rng(1)
    lat0, lon0 = 40.0, 30.0
    scen = LocalFrame.from_degrees(lat0, lon0, 0.0)
    presets = get_presets().radars
    names = list(presets)
    radars = []
    for i in range(a.radars):
        spec = presets[names[i % len(names)]]
        site = LocalFrame.from_degrees(
            lat0 + rng.uniform(-0.5, 0.5), lon0 + rng.uniform(-0.5, 0.5), 10.0
        )
        radars.append(
            Radar(spec, site, rng.uniform(0, 2 * np.pi), i, np.random.default_rng(i), scen)
        )
    targets = make_targets(a.targets, rng, lat0, lon0)

    cues = targets.pos[: a.cues] if a.cues else None
    n_plots = n_det = 0
    t0 = time.perf_counter()
    t = 0.0
    while t < a.seconds:
        for r in radars:
            p = r.observe(t, t + a.step, targets, [], cues)
            n_plots += len(p)
            n_det += int((p.truth_id >= 0).sum())
        t += a.step
    wall = time.perf_counter() - t0
    # looks: a rotating radar sees each target once per period, a sector radar once per frame
    print(
        f"{a.radars} radars x {a.targets} targets, {a.seconds:g} s simulated in {a.step:g} s steps"
    )
    print(f"  wall {wall:.2f} s  ({a.seconds / wall:.1f}x real time)")
    print(f"  plots {n_plots} ({n_det} detections, {n_plots - n_det} false alarms)")
    print(f"  detections per second of wall time: {n_det / wall:,.0f}")
    print(f"  radar-target-seconds per second: {a.radars * a.targets * a.seconds / wall:,.0f}")

    m = 1_000_000
    snr = np.full(m, 10.0)
    drng = np.random.default_rng(2)
    t1 = time.perf_counter()
    detection.detect(snr, 1e-6, 10, drng.integers(0, 5, m), drng)
    dt = time.perf_counter() - t1
    print(f"  detection.detect: {m / dt:,.0f} looks/s (one vectorised call of {m:,})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
