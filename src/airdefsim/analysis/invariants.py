"""Invariants a domain expert checks in any recording: rules the kill chain must never
break, whatever the scenario and seed.

1. **No kill without the track its guidance needs.** A round whose guidance needs its
   unit's engagement radar to the end (track-via-missile, semi-active) kills only if
   that radar saw the object within ``FC_TRACK_HOLD`` + ``slack`` s before the kill, and
   its last recorded row before the kill shows the track held
   (``interceptors.fc_track``); an active seeker that needed the radar for mid-course
   must have had it at launch (a plot of the radar within the hold before the launch).
2. **No intercept outside the missile's altitude band** (``min_altitude`` …
   ``max_altitude``, with ``alt_tolerance``).
3. **No friendly engaged** (no launch at a track whose object is friendly).
4. **No launch at a track that fails the quality gate** — checked on the recorded track
   row at the launch: above ``MIN_ALTITUDE``, uncertainty within ``MAX_SIGMA``, speed
   within ``MAX_SPEED`` (:mod:`airdefsim.engagement.quality`).
5. **Interceptor speeds and flight times within the preset's bounds**: never faster than
   ``max_speed`` (+ ``speed_tolerance``), never longer in the air than the flyout's
   time-of-flight limit.

:func:`check` returns one line per violation (empty: the recording is sound).
"""

from __future__ import annotations

import numpy as np

from airdefsim.engagement.fire_control import (
    FC_TRACK_HOLD,
    needs_fire_control_track,
    needs_track_to_intercept,
)
from airdefsim.engagement.quality import MAX_SIGMA, MAX_SPEED, MIN_ALTITUDE
from airdefsim.physics.flyout import max_time_of_flight
from airdefsim.record.recorder import Run
from airdefsim.scenario.presets import get_presets


def check(
    run: Run,
    slack: float = 1.5,
    alt_tolerance: float = 5.0,
    speed_tolerance: float = 0.05,
) -> list[str]:
    """Every invariant violation of a recorded run, one line each."""
    specs = get_presets().missiles
    meta = run.meta
    hostile = {int(o["id"]): bool(o["hostile"]) for o in meta.get("objects", [])}
    names = {int(o["id"]): o["name"] for o in meta.get("objects", [])}
    fc_sensors = {
        u["name"]: {
            f"{u['name']}/{r['name']}" for r in u.get("radars", []) if r.get("role") == "engagement"
        }
        for u in meta.get("units", [])
    }
    out: list[str] = []
    events = run.events()
    launch = {e.interceptor_id: e for e in events if e.kind == "launch"}
    det = run.df("detections")
    icpt = run.df("interceptors")
    tracks = run.df("tracks")
    for e in events:
        if e.kind == "launch" and e.truth_id >= 0 and not hostile.get(e.truth_id, True):
            out.append(f"t={e.t:.0f} s: launch at friendly {names.get(e.truth_id)} (T{e.track_id})")
        if e.kind not in ("kill", "miss"):
            continue
        spec = specs.get(e.missile)
        if spec is None:
            continue
        if not spec.min_altitude - alt_tolerance <= e.alt_m <= spec.max_altitude + alt_tolerance:
            out.append(
                f"t={e.t:.0f} s: {e.kind} by {e.missile} at {e.alt_m:.0f} m, outside its "
                f"{spec.min_altitude:.0f}-{spec.max_altitude:.0f} m band"
            )
        if e.kind != "kill" or not needs_fire_control_track(spec):
            continue
        sensors = fc_sensors.get(e.unit, set())
        if not needs_track_to_intercept(spec):
            ev0 = launch.get(e.interceptor_id)
            if ev0 is not None:
                at_launch = (
                    np.isin(det["sensor"], list(sensors))
                    & (det["t"] <= ev0.t)
                    & (det["t"] >= ev0.t - FC_TRACK_HOLD - slack)
                    & (det["truth_id"] == ev0.truth_id)
                )
                if ev0.truth_id >= 0 and not at_launch.any():
                    out.append(
                        f"t={ev0.t:.0f} s: {e.missile} launched at {names.get(ev0.truth_id)} "
                        f"with no plot of {e.unit}'s engagement radar"
                    )
            continue
        seen = (
            (det["truth_id"] == e.truth_id)
            & np.isin(det["sensor"], list(sensors))
            & (det["t"] <= e.t)
            & (det["t"] >= e.t - FC_TRACK_HOLD - slack)
        )
        if not seen.any():
            out.append(
                f"t={e.t:.0f} s: {names.get(e.truth_id)} killed by {e.missile} "
                f"(interceptor {e.interceptor_id}) with no plot of {e.unit}'s engagement "
                f"radar in the last {FC_TRACK_HOLD + slack:.1f} s"
            )
        rows = (icpt["id"] == e.interceptor_id) & (icpt["t"] <= e.t)
        if rows.any() and not bool(icpt["fc_track"][rows][np.argmax(icpt["t"][rows])]):
            out.append(
                f"t={e.t:.0f} s: interceptor {e.interceptor_id} ({e.missile}) killed with its "
                "fire-control track lost"
            )
    for iid in np.unique(icpt["id"]) if len(icpt["id"]) else []:
        rows = icpt["id"] == iid
        name = str(icpt["missile"][rows][0])
        spec = specs.get(name)
        if spec is None:
            continue
        v = np.linalg.norm(np.stack([icpt[k][rows] for k in ("vx", "vy", "vz")], axis=1), axis=1)
        vmax = spec.max_speed.at(0.0)  # a Mach figure is largest at sea level
        if v.max() > vmax * (1 + speed_tolerance):
            out.append(f"interceptor {iid} ({name}) at {v.max():.0f} m/s, above {vmax:.0f} m/s")
        ev = launch.get(int(iid))
        if ev is not None:
            tof = float(icpt["t"][rows].max()) - ev.t
            if tof > max_time_of_flight(spec) + 1.0:
                out.append(f"interceptor {iid} ({name}) flew {tof:.0f} s, above its limit")
    for e in events:
        if e.kind != "launch":
            continue
        rows = (tracks["track_id"] == e.track_id) & (tracks["t"] <= e.t)
        if not rows.any():
            out.append(f"t={e.t:.0f} s: launch at T{e.track_id}, a track never recorded")
            continue
        k = np.flatnonzero(rows)[np.argmax(tracks["t"][rows])]
        speed = float(np.linalg.norm([tracks[c][k] for c in ("ve", "vn", "vu")]))
        bad = []
        if tracks["alt_m"][k] + 3.0 * tracks["pos_sigma_m"][k] < MIN_ALTITUDE:
            bad.append("below the ground")
        if tracks["pos_sigma_m"][k] > MAX_SIGMA:
            bad.append("too uncertain")
        if speed > MAX_SPEED:
            bad.append("impossibly fast")
        if bad:
            out.append(f"t={e.t:.0f} s: launch at T{e.track_id}, {', '.join(bad)}")
    return out
