"""A synthetic run directory in the recording format, for tests and benchmarks.

Targets fly straight legs (straight in the scenario ENU plane, at a constant altitude
above the ellipsoid) towards the origin; the "tracker" output is truth plus Gaussian
noise; one interceptor is launched at each of a few targets. It is written through
``airdefsim.record.Recorder``, the simulation's own sink, so the files follow the
recording format exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from airdefsim.events import Event
from airdefsim.geo import LocalFrame, ecef_to_geodetic, geodetic_to_ecef
from airdefsim.record import Recorder
from airdefsim.summary import RunSummary

ORIGIN = (39.93, 32.86)  # deg, scenario origin (lat, lon)
EPOCH = "2026-03-01T06:00:00+00:00"


def _geodetic(frame: LocalFrame, enu: np.ndarray) -> tuple[np.ndarray, ...]:
    ecef = frame.to_ecef(enu)
    lat, lon, h = ecef_to_geodetic(ecef)
    return np.degrees(lat), np.degrees(lon), h, ecef


def synthetic_meta(origin: tuple[float, float] = ORIGIN) -> dict[str, Any]:
    """``run.json`` content: one S-400-like unit with a rotating surveillance radar and
    a sector-scanning engagement radar (120° centred on 350°), two assets."""
    lat0, lon0 = origin
    return {
        "scenario": "synthetic raid",
        "scenario_file": None,
        "seed": 1,
        "versions": {"airdefsim": "synthetic"},
        "epoch": EPOCH,
        "origin": {"lat_deg": lat0, "lon_deg": lon0},
        "units": [
            {
                "name": "bn1",
                "preset": "s400_battalion",
                "lat_deg": lat0 - 0.03,
                "lon_deg": lon0 - 0.06,
                "radars": [
                    {
                        "name": "bn1.surveillance",
                        "role": "surveillance",
                        "lat_deg": lat0 - 0.03,
                        "lon_deg": lon0 - 0.06,
                        "alt_m": 20.0,
                        "instrumented_range_m": 600e3,
                        "detection_range_m": 390e3,
                        "calibration_rcs_m2": 4.0,
                    },
                    {
                        "name": "bn1.engagement",
                        "role": "engagement",
                        "lat_deg": lat0 - 0.02,
                        "lon_deg": lon0 - 0.05,
                        "alt_m": 25.0,
                        "instrumented_range_m": 250e3,
                        "detection_range_m": 200e3,
                        "calibration_rcs_m2": 1.0,
                        "heading_deg": 350.0,
                        "sector_width_deg": 120.0,
                    },
                ],
                "launchers": [
                    {"name": "bn1.tel1", "lat_deg": lat0 - 0.035, "lon_deg": lon0 - 0.065},
                ],
            }
        ],
        "assets": [
            {"name": "airbase", "lat_deg": lat0 + 0.02, "lon_deg": lon0 - 0.17, "value": 10},
            {"name": "city", "lat_deg": lat0, "lon_deg": lon0, "value": 5},
        ],
        "summary": {},
    }


def write_synthetic_run(
    path: str | Path,
    n_targets: int = 8,
    duration: float = 120.0,
    dt: float = 2.0,
    seed: int = 0,
    n_interceptors: int = 2,
) -> Path:
    """Write a run directory with ``n_targets`` targets sampled every ``dt`` s.

    Parameters
    ----------
    path : directory to create (parents too)
    n_targets : number of threats (the last one is a friendly airliner)
    duration : s, recording length
    dt : s, sampling interval of truth and tracks
    seed : RNG seed of the tracker noise and the geometry
    n_interceptors : interceptors launched (one per target, from t = duration / 4)

    Returns
    -------
    the run directory
    """
    rng = np.random.default_rng(seed)
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    meta = synthetic_meta()
    frame = LocalFrame.from_degrees(*ORIGIN)
    t = np.arange(0.0, duration + 1e-9, dt)
    nt = t.size
    n = n_targets
    bearing = rng.uniform(0, 2 * np.pi, n)
    r0 = rng.uniform(150e3, 350e3, n)
    alt = rng.choice([30.0, 3000.0, 10000.0], n)
    speed = rng.uniform(200.0, 900.0, n)
    start = np.stack([r0 * np.sin(bearing), r0 * np.cos(bearing), alt], axis=-1)
    vel = np.stack([-speed * np.sin(bearing), -speed * np.cos(bearing), np.zeros(n)], axis=-1)
    # (nt, n, 3) ENU positions, rows ordered by time then id
    enu = start[None, :, :] + vel[None, :, :] * t[:, None, None]
    enu[..., 2] = 0.0
    enu = enu.reshape(-1, 3)
    tt = np.repeat(t, n)
    ids = np.tile(np.arange(n), nt)
    # constant altitude above the ellipsoid: horizontal position from the tangent plane
    lat, lon, _, _ = _geodetic(frame, enu)
    h = np.tile(alt, nt)
    ecef = geodetic_to_ecef(np.radians(lat), np.radians(lon), h)
    enu = frame.to_enu(ecef)
    vel_ecef = frame.vec_to_ecef(np.tile(vel, (nt, 1)))
    hostile = np.tile(np.arange(n) < n - 1, nt)
    kinds = np.where(np.arange(n) < n - 1, "cruise_missile", "airliner")
    truth = {
        "t": tt,
        "id": ids,
        "name": [f"T{i:03d}" for i in ids],
        "kind": kinds[ids].tolist(),
        "preset": kinds[ids].tolist(),
        "hostile": hostile,
        "lat_deg": lat,
        "lon_deg": lon,
        "alt_m": h,
        "x": ecef[:, 0],
        "y": ecef[:, 1],
        "z": ecef[:, 2],
        "vx": vel_ecef[:, 0],
        "vy": vel_ecef[:, 1],
        "vz": vel_ecef[:, 2],
        "alive": np.ones(tt.size, bool),
    }
    # tracks: truth + noise, confirmed after 3 updates, a coasting row now and then
    sigma = 50.0
    tr_enu = enu + rng.normal(0.0, sigma, enu.shape)
    tr_enu[:, 2] = enu[:, 2] + rng.normal(0.0, 10.0, enu.shape[0])  # u is measured better
    tr_vel = np.tile(vel, (nt, 1)) + rng.normal(0.0, 3.0, (enu.shape[0], 3))
    tlat, tlon, th, _ = _geodetic(frame, tr_enu)
    k = np.repeat(np.arange(nt), n)
    status = np.where(k < 3, 0, np.where(rng.random(k.size) < 0.05, 2, 1))
    identity = np.where(ids == n - 1, "friendly", np.where(k < 10, "unknown", "hostile"))
    tracks = {
        "t": tt,
        "track_id": ids + 100,
        "status": np.array(["tentative", "confirmed", "coasting"])[status].tolist(),
        "identity": identity.tolist(),
        "e": tr_enu[:, 0],
        "n": tr_enu[:, 1],
        "u": tr_enu[:, 2],
        "ve": tr_vel[:, 0],
        "vn": tr_vel[:, 1],
        "vu": tr_vel[:, 2],
        "lat_deg": tlat,
        "lon_deg": tlon,
        "alt_m": th,
        "pos_sigma_m": np.full(tt.size, sigma),
        "truth_id": ids,
    }
    interceptors, events = _interceptors(meta, frame, t, start, vel, min(n_interceptors, n - 1))
    # written through the project's own recorder, one rows() call per sample time as
    # the simulation does, so the files are exactly what a real run produces
    rec = Recorder(p)
    rec.open(meta)
    tables = {
        "truth": truth,
        "detections": _detections(tt, ids, enu, meta, frame),
        "tracks": tracks,
        "interceptors": interceptors,
    }
    for name, cols in tables.items():
        arrays = {k: np.asarray(v) for k, v in cols.items()}
        tcol = arrays["t"]
        cuts = np.flatnonzero(np.diff(tcol)) + 1
        for rows in np.split(np.arange(tcol.size), cuts):
            rec.rows(name, {k: v[rows] for k, v in arrays.items()})
    for j in range(len(events["t"])):
        rec.event(
            Event(
                **{
                    key: (val[j] if not isinstance(val, np.ndarray) else val[j].item())
                    for key, val in events.items()
                }
            )
        )
    rec.close(
        RunSummary.from_dict(
            {
                "scenario": meta.get("scenario_name", "synthetic"),
                "threats": n - 1,
                "interceptors_fired": min(n_interceptors, n - 1),
                "wall_seconds": 0.0,
            }
        )
    )
    return p


def _detections(tt, ids, enu, meta, frame) -> dict[str, Any]:
    radar = meta["units"][0]["radars"][0]
    site = frame.to_enu(
        LocalFrame.from_degrees(radar["lat_deg"], radar["lon_deg"], radar["alt_m"]).origin
    )
    d = enu - site
    rng_m = np.linalg.norm(d, axis=1)
    keep = rng_m < radar["detection_range_m"]
    az = np.degrees(np.mod(np.arctan2(d[:, 0], d[:, 1]), 2 * np.pi))
    el = np.degrees(np.arctan2(d[:, 2], np.hypot(d[:, 0], d[:, 1])))
    m = int(keep.sum())
    return {
        "t": tt[keep],
        "sensor": [radar["name"]] * m,
        "unit": ["bn1"] * m,
        "truth_id": ids[keep],
        "range_m": rng_m[keep],
        "az_deg": az[keep],
        "el_deg": el[keep],
        "e": enu[keep, 0],
        "n": enu[keep, 1],
        "u": enu[keep, 2],
        "snr_db": 20.0 - 40.0 * np.log10(rng_m[keep] / 100e3),
    }


def _interceptors(meta, frame, t, start, vel, n_int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Straight-line interceptors from the TEL to each target's position at t_hit."""
    tel = meta["units"][0]["launchers"][0]
    launcher = frame.to_enu(LocalFrame.from_degrees(tel["lat_deg"], tel["lon_deg"], 0.0).origin)
    cols: dict[str, list] = {
        k: [] for k in ("t", "id", "missile", "unit", "track_id", "target_id", "phase")
    }
    pos_list = []
    vel_list = []
    ev: dict[str, list] = {
        k: []
        for k in (
            "t",
            "kind",
            "unit",
            "track_id",
            "truth_id",
            "interceptor_id",
            "missile",
            "lat_deg",
            "lon_deg",
            "alt_m",
            "detail",
        )
    }
    dt = t[1] - t[0] if t.size > 1 else 1.0
    for j in range(n_int):
        t_launch = t[-1] / 4 + j * dt
        t_hit = min(t_launch + 30.0, t[-1])
        hit = start[j] + vel[j] * t_hit
        v = (hit - launcher) / max(t_hit - t_launch, 1e-3)
        ts = t[(t >= t_launch) & (t <= t_hit)]
        for tk in ts:
            pos_list.append(launcher + v * (tk - t_launch))
            vel_list.append(v)
            cols["t"].append(tk)
            cols["id"].append(j)
            cols["missile"].append("48N6E3")
            cols["unit"].append("bn1")
            cols["track_id"].append(100 + j)
            cols["target_id"].append(j)
            cols["phase"].append("midcourse" if tk < t_hit - 5 else "terminal")
        for kind, tk, pos in (
            ("launch", t_launch, launcher),
            ("kill", t_hit, hit),
        ):
            la, lo, h, _ = _geodetic(frame, pos[None, :])
            ev["t"].append(tk)
            ev["kind"].append(kind)
            ev["unit"].append("bn1")
            ev["track_id"].append(100 + j)
            ev["truth_id"].append(j)
            ev["interceptor_id"].append(j)
            ev["missile"].append("48N6E3")
            ev["lat_deg"].append(float(la[0]))
            ev["lon_deg"].append(float(lo[0]))
            ev["alt_m"].append(float(h[0]))
            ev["detail"].append("")
    pos = np.array(pos_list, float).reshape(-1, 3)
    vv = np.array(vel_list, float).reshape(-1, 3)
    la, lo, h, ecef = _geodetic(frame, pos)
    vel_ecef = frame.vec_to_ecef(vv)
    out: dict[str, Any] = {
        "t": np.array(cols["t"], float),
        "id": np.array(cols["id"], np.int64),
        "missile": cols["missile"],
        "unit": cols["unit"],
        "track_id": np.array(cols["track_id"], np.int64),
        "target_id": np.array(cols["target_id"], np.int64),
        "lat_deg": la,
        "lon_deg": lo,
        "alt_m": h,
        "x": ecef[:, 0],
        "y": ecef[:, 1],
        "z": ecef[:, 2],
        "vx": vel_ecef[:, 0],
        "vy": vel_ecef[:, 1],
        "vz": vel_ecef[:, 2],
        "phase": cols["phase"],
    }
    ev_out: dict[str, Any] = dict(ev)
    ev_out["t"] = np.array(ev["t"], float)
    for k in ("track_id", "truth_id", "interceptor_id"):
        ev_out[k] = np.array(ev[k], np.int64)
    return out, ev_out
