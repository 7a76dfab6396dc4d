"""The static layout of an exercise — units, radar coverage, engagement zones, assets —
from a run's metadata (``run.json``; what :func:`airdefsim.sim.meta.run_meta` writes and
every sink receives at ``open``).

The live console and the review draw the same layout from the same metadata, so the
scope shows the units exactly as the simulation placed them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airdefsim.web.wire import AssetLayout, ExerciseLayout, UnitLayout, ZoneLayout

#: a radar's drawn coverage: its calibration range (detection of the calibration RCS)
#: times this, capped by its instrumented range — assumed: where a fighter-sized
#: target is still detected now and then, to show the trainee where tracks can appear
COVERAGE_FACTOR = 1.5


def _unit(u: Mapping[str, Any]) -> tuple[UnitLayout, list[str]]:
    """One unit's layout and the missile types on its launchers (in load order)."""
    cov, sector, heading = 0.0, 360.0, 0.0
    for r in u.get("radars", []):
        reach = min(
            float(r["instrumented_range_m"]), float(r["detection_range_m"]) * COVERAGE_FACTOR
        )
        if reach > cov:
            cov, sector, heading = reach, float(r["sector_width_deg"]), float(r["heading_deg"])
    missiles: list[str] = []
    for ln in u.get("launchers", []):
        missiles.extend(m for m in ln["missiles"] if m not in missiles)
    ranges = u.get("missile_max_range_m", {})
    zones = [ZoneLayout(missile=m, max_m=float(ranges[m])) for m in missiles if m in ranges]
    layout = UnitLayout(
        name=u["name"],
        preset=u["preset"],
        lat=float(u["lat_deg"]),
        lon=float(u["lon_deg"]),
        heading_deg=heading,
        coverage_m=cov or None,
        sector_deg=sector,
        zones=zones,
    )
    return layout, missiles


def layout_from_meta(meta: Mapping[str, Any], title: str | None = None) -> ExerciseLayout:
    """The exercise layout of a run's metadata (``title`` default: the scenario's name)."""
    units: list[UnitLayout] = []
    missiles: list[str] = []
    for u in meta["units"]:
        layout, names = _unit(u)
        units.append(layout)
        missiles.extend(m for m in names if m not in missiles)
    origin = (float(meta["origin"]["lat_deg"]), float(meta["origin"]["lon_deg"]))
    return ExerciseLayout(
        title=title if title is not None else str(meta.get("scenario_name", "")),
        origin=origin,
        site=(units[0].lat, units[0].lon) if units else origin,
        duration=float(meta["duration_s"]),
        units=units,
        assets=[
            AssetLayout(
                name=a["name"],
                lat=float(a["lat_deg"]),
                lon=float(a["lon_deg"]),
                radius_m=float(a["radius_m"]),
            )
            for a in meta["assets"]
        ],
        missiles=missiles,
    )
