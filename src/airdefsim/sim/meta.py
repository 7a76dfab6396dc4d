"""The run's metadata (``run.json`` without its summary): scenario, seed, versions,
origin, placed units with their radars and launchers, assets and air objects.

Angles in degrees and distances in m, for the report, the exports and the console.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import airdefsim
from airdefsim.sim.world import World


def run_meta(world: World) -> dict[str, Any]:
    """Metadata of a run of ``world`` (JSON-ready)."""
    w = world
    sc = w.scenario
    units = []
    for u in w.units:
        radars = [
            {
                "name": r.name,
                "role": r.spec.role,
                "band": r.spec.band,
                "lat_deg": math.degrees(r.site.lat),
                "lon_deg": math.degrees(r.site.lon),
                "alt_m": r.site.h,
                "instrumented_range_m": r.spec.instrumented_range,
                "detection_range_m": r.spec.calibration.range,
                "calibration_rcs_m2": r.spec.calibration.rcs,
                "heading_deg": math.degrees(r.heading),
                "sector_width_deg": math.degrees(r.spec.scan.sector_width),
            }
            for r in w.radars
            if r.unit == u.name
        ]
        launchers = [
            {
                "name": ln.name,
                "lat_deg": math.degrees(ln.lat),
                "lon_deg": math.degrees(ln.lon),
                "missiles": dict(ln.missiles),
            }
            for ln in u.launchers
        ]
        ranges = {
            m: w.presets.missiles[m].max_range
            for ln in u.launchers
            for m in ln.missiles
            if m in w.presets.missiles
        }
        units.append(
            {
                "name": u.name,
                "preset": u.preset,
                "lat_deg": math.degrees(u.lat),
                "lon_deg": math.degrees(u.lon),
                "radars": radars,
                "launchers": launchers,
                "missile_max_range_m": ranges,
                "target_channels": u.target_channels,
                "missile_channels": u.missile_channels,
            }
        )
    return {
        "scenario": sc.model_dump(mode="json"),
        "scenario_name": sc.name,
        "seed": w.seed,
        "versions": {"airdefsim": airdefsim.__version__, "numpy": np.__version__},
        "epoch": sc.epoch,
        "duration_s": sc.duration,
        "origin": {"lat_deg": sc.origin.lat, "lon_deg": sc.origin.lon},
        "units": units,
        "assets": [
            {
                "name": a.name,
                "lat_deg": math.degrees(a.lat),
                "lon_deg": math.degrees(a.lon),
                "value": a.value,
                "radius_m": a.radius,
            }
            for a in w.assets
        ],
        "objects": [
            {
                "id": i,
                "name": w.objects.name[i],
                "preset": str(w.objects.preset[i]),
                "kind": str(w.objects.kind[i]),
                "hostile": bool(w.objects.hostile[i]),
            }
            for i in range(len(w.objects))
        ],
    }
