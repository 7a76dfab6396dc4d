"""Rows of the recorded tables, built from the world's state (columns as in
``docs/architecture.md``; the recorder fixes their Parquet types).

Pure functions of the state they are given: the loop decides when to record and hands
the columns to its sinks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic
from airdefsim.sim.world import World
from airdefsim.types import F64, Plots, TargetsView, TrackTable

STATUS_NAMES = np.array(["tentative", "confirmed", "coasting"], dtype=object)


def position_sigma(P: F64) -> F64:
    """(M,) m: RMS of the per-axis position standard deviations of covariances P (M, 6, 6)
    (or of measurement covariances (K, 3, 3))."""
    return np.sqrt(np.maximum(np.trace(P[:, :3, :3], axis1=1, axis2=2) / 3.0, 0.0))


def detection_rows(world: World, p: Plots) -> dict[str, Any]:
    """Columns of the ``detections`` table for plots ``p``."""
    names = [f"{r.unit}/{r.name}" for r in world.radars]
    units = [r.unit for r in world.radars]
    return {
        "t": p.t,
        "sensor": [names[i] for i in p.sensor],
        "unit": [units[i] for i in p.sensor],
        "truth_id": p.truth_id,
        "range_m": p.rae[:, 0],
        "az_deg": np.degrees(p.rae[:, 1]),
        "el_deg": np.degrees(p.rae[:, 2]),
        "e": p.pos[:, 0],
        "n": p.pos[:, 1],
        "u": p.pos[:, 2],
        "snr_db": p.snr_db,
        "sigma_m": position_sigma(p.R),
    }


def truth_rows(world: World, tv: TargetsView, idx: np.ndarray) -> dict[str, Any]:
    """Columns of the ``truth`` table for the objects ``idx`` at ``tv.t``."""
    o = world.objects
    lat, lon, h = ecef_to_geodetic(tv.pos[idx])
    return {
        "t": np.full(idx.size, tv.t),
        "id": idx,
        "name": [o.name[i] for i in idx],
        "kind": o.kind[idx].astype(str),
        "preset": o.preset[idx].astype(str),
        "hostile": o.hostile[idx],
        "lat_deg": np.degrees(lat),
        "lon_deg": np.degrees(lon),
        "alt_m": h,
        "x": tv.pos[idx, 0],
        "y": tv.pos[idx, 1],
        "z": tv.pos[idx, 2],
        "vx": tv.vel[idx, 0],
        "vy": tv.vel[idx, 1],
        "vz": tv.vel[idx, 2],
        "alive": tv.alive[idx],
    }


def track_rows(
    frame: LocalFrame,
    t: float,
    tt: TrackTable,
    identity: np.ndarray,
    track_truth: Mapping[int, int],
) -> dict[str, Any]:
    """Columns of the ``tracks`` table: the picture's tracks ``tt`` (confirmed and
    coasting) with their identities (M,) and the truth each was matched to."""
    lat, lon, h = ecef_to_geodetic(frame.to_ecef(tt.x[:, :3]))
    return {
        "t": np.full(len(tt), t),
        "track_id": tt.track_id,
        "status": STATUS_NAMES[tt.status].astype(str),
        "identity": identity.astype(str),
        "e": tt.x[:, 0],
        "n": tt.x[:, 1],
        "u": tt.x[:, 2],
        "ve": tt.x[:, 3],
        "vn": tt.x[:, 4],
        "vu": tt.x[:, 5],
        "lat_deg": np.degrees(lat),
        "lon_deg": np.degrees(lon),
        "alt_m": h,
        "pos_sigma_m": position_sigma(tt.P),
        "truth_id": [track_truth.get(int(i), -1) for i in tt.track_id],
    }


def interceptor_rows(
    t: float, snap: Mapping[str, np.ndarray], fc_track: np.ndarray
) -> dict[str, Any]:
    """Columns of the ``interceptors`` table from a flyout snapshot; ``fc_track`` (K,)
    bool: the guidance had the fire-control (or remote) track it needs at ``t``."""
    k = len(snap["id"])
    pos = np.asarray(snap["pos"], float).reshape(k, 3)
    vel = np.asarray(snap["vel"], float).reshape(k, 3)
    lat, lon, h = ecef_to_geodetic(pos)
    return {
        "t": np.full(k, t),
        "id": snap["id"],
        "missile": snap["missile"],
        "unit": snap["unit"],
        "track_id": snap["track_id"],
        "target_id": snap["target_id"],
        "lat_deg": np.degrees(lat),
        "lon_deg": np.degrees(lon),
        "alt_m": h,
        "x": pos[:, 0],
        "y": pos[:, 1],
        "z": pos[:, 2],
        "vx": vel[:, 0],
        "vy": vel[:, 1],
        "vz": vel[:, 2],
        "phase": snap["phase"],
        "fc_track": np.asarray(fc_track, bool),
    }
