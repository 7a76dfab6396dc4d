"""The live console's frame: a JSON-ready view of the picture at the current time.

Only what the C2 seat may see: tracks (the tracker's estimates with identities), the
latest plots, own interceptors and units, messages. Angles in degrees, distances in m,
speeds in m/s (the browser converts for display).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic

if TYPE_CHECKING:
    from airdefsim.sim.loop import Simulation


def _r(x: float, nd: int = 1) -> float | None:
    return None if not math.isfinite(x) else round(float(x), nd)


def build_frame(sim: Simulation, since_message: int = 0) -> dict[str, Any]:
    pic = sim.picture()
    w = sim.world
    ref = LocalFrame(w.units[0].lat, w.units[0].lon, 0.0) if w.units else w.frame
    tracks = []
    if len(pic):
        lat, lon, h = ecef_to_geodetic(pic.pos)
        az, _el, _rng = ref.aer(pic.pos)
        ground = np.hypot(*ref.to_enu(pic.pos)[:, :2].T)
        venu = pic.vel_enu
        speed = np.linalg.norm(venu, axis=1)
        heading = np.degrees(np.mod(np.arctan2(venu[:, 0], venu[:, 1]), 2 * np.pi))
        for i, tid in enumerate(pic.track_id):
            tracks.append(
                {
                    "id": int(tid),
                    "identity": str(pic.identity[i]),
                    "lat": _r(np.degrees(lat[i]), 5),
                    "lon": _r(np.degrees(lon[i]), 5),
                    "alt": _r(h[i], 0),
                    "speed": _r(speed[i], 1),
                    "heading": _r(heading[i], 1),
                    "range": _r(ground[i], 0),
                    "bearing": _r(np.degrees(az[i]), 1),
                    "ve": _r(venu[i, 0], 1),
                    "vn": _r(venu[i, 1], 1),
                    "vu": _r(venu[i, 2], 1),
                    "rank": int(pic.threat_rank[i]),
                    "tta": _r(pic.time_to_asset[i], 0),
                    "sigma": _r(pic.pos_sigma[i], 0),
                    "iff": bool(pic.iff_reply[i]),
                    "interrogated": bool(pic.iff_interrogated[i]),
                    "type": _type_guess(speed[i], h[i], venu[i, 2]),
                }
            )
    plots = []
    p = sim.last_plots
    if len(p):
        pos = w.frame.to_ecef(p.pos)
        lat, lon, _ = ecef_to_geodetic(pos)
        for i in range(len(p)):
            plots.append(
                {
                    "lat": _r(np.degrees(lat[i]), 5),
                    "lon": _r(np.degrees(lon[i]), 5),
                    "t": _r(p.t[i], 2),
                    "s": int(p.sensor[i]),
                }
            )
    missiles = []
    snap = sim.interceptors.snapshot()
    if len(snap.get("id", [])):
        lat, lon, h = ecef_to_geodetic(np.asarray(snap["pos"], float))
        for i, iid in enumerate(snap["id"]):
            missiles.append(
                {
                    "id": int(iid),
                    "missile": str(snap["missile"][i]),
                    "track": int(snap["track_id"][i]),
                    "lat": _r(np.degrees(lat[i]), 5),
                    "lon": _r(np.degrees(lon[i]), 5),
                    "alt": _r(h[i], 0),
                }
            )
    units = []
    for u in w.units:
        inv: dict[str, int] = {}
        for ln in u.launchers:
            for m, n in ln.missiles.items():
                inv[m] = inv.get(m, 0) + int(n)
        units.append(
            {
                "name": u.name,
                "preset": u.preset,
                "lat": math.degrees(u.lat),
                "lon": math.degrees(u.lon),
                "weapons": u.weapons,
                "inventory": inv,
                "targets_engaged": u.targets_engaged,
                "target_channels": u.target_channels,
                "missiles_guided": u.missiles_guided,
                "missile_channels": u.missile_channels,
                "launchers": [
                    {
                        "name": ln.name,
                        "missiles": dict(ln.missiles),
                        "lat": math.degrees(ln.lat),
                        "lon": math.degrees(ln.lon),
                    }
                    for ln in u.launchers
                ],
            }
        )
    return {
        "t": round(sim.t, 2),
        "duration": sim.duration,
        "done": sim.done,
        "tracks": tracks,
        "plots": plots,
        "interceptors": missiles,
        "units": units,
        "engagements": [
            {"track": e.track_id, "unit": e.unit, "missile": e.missile, "n": len(e.interceptor_ids)}
            for e in pic.engagements
        ],
        "messages": sim.messages[since_message:],
        "n_messages": len(sim.messages),
    }


def _type_guess(speed: float, alt: float, vu: float) -> str:
    """A crude operator's type guess from kinematics (what a console shows before ID)."""
    if speed > 1200 or (alt > 25000 and vu < -300):
        return "ballistic"
    if alt < 300 and speed > 150:
        return "cruise missile"
    if speed < 80:
        return "drone / slow"
    if speed > 350:
        return "fast jet"
    return "aircraft"
