"""Helpers of the engagement tests: small units, pictures and a fake envelope.

The fake envelope (fixture ``fake_envelope`` in ``conftest.py``) replaces ``predicted_intercept`` by a closed-form
rule — feasible iff ``min_range <= |target - launcher| <= max_range``, time of flight =
range / 1000 m/s, aim point = the target's position extrapolated by that time — so the
fire-control and doctrine tests do not depend on the flyout model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from airdefsim.engagement import identification
from airdefsim.engagement.adjudicate import TrackC2
from airdefsim.engagement.identification import Corridor, FlightPlans
from airdefsim.engagement.threat import classify, rank, score
from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic
from airdefsim.scenario.schema import Doctrine, MissileSpec
from airdefsim.types import (
    AirPicture,
    Asset,
    LauncherState,
    RadarCoverage,
    UnitState,
    WeaponsState,
)

LAT0, LON0 = 40.0, 33.0
FRAME = LocalFrame.from_degrees(LAT0, LON0, 0.0)


def spec(
    name: str, max_range: float, min_range: float, mass: float, pk: float = 0.8
) -> MissileSpec:
    """A missile spec with the fields the fire control reads (SI)."""
    return MissileSpec(
        name=name,
        max_range=max_range,
        min_range=min_range,
        max_altitude=30e3,
        max_speed=1500.0,
        launch_mass=mass,
        motor_burnout_mass=mass / 2,
        motor={"boost_thrust": 1e5, "boost_time": 5.0},
        diameter=0.3,
        max_g=300.0,
        guidance="active_radar",
        lethal_radius=10.0,
        pk=pk,
        salvo_interval=3.0,
    )


SPECS = {
    "SHORT": spec("SHORT", 40e3, 1e3, 400.0),
    "MEDIUM": spec("MEDIUM", 150e3, 3e3, 1800.0),
    "LONG": spec("LONG", 400e3, 5e3, 1900.0),
}


def enu(e: float, n: float, u: float) -> np.ndarray:
    """ECEF of a point given in the test frame's ENU (m)."""
    return FRAME.to_ecef(np.array([e, n, u]))


def make_unit(
    name: str = "U1",
    loads: Sequence[dict[str, int]] = ({"SHORT": 4}, {"MEDIUM": 4}, {"LONG": 4}),
    target_channels: int = 36,
    missile_channels: int = 72,
    weapons: WeaponsState = "free",
    at: tuple[float, float] = (0.0, 0.0),
    **doctrine: Any,
) -> UnitState:
    """A unit at ENU ``at`` (m) with one launcher per entry of ``loads``."""
    pos = enu(at[0], at[1], 0.0)
    launchers = [
        LauncherState(
            name=f"{name}/L{k}",
            unit=name,
            pos=pos.copy(),
            lat=FRAME.lat,
            lon=FRAME.lon,
            missiles=dict(load),
        )
        for k, load in enumerate(loads)
    ]
    doc = Doctrine(**{"weapons": weapons, **doctrine})
    radar = RadarCoverage(
        "MFR", LocalFrame(FRAME.lat, FRAME.lon, 10.0), 0.0, 2 * np.pi, 1e6, -0.1, 1.5
    )
    return UnitState(
        name=name,
        preset="test",
        pos=pos,
        lat=FRAME.lat,
        lon=FRAME.lon,
        launchers=launchers,
        target_channels=target_channels,
        missile_channels=missile_channels,
        weapons=weapons,
        doctrine=doc,
        fc_radars=[radar],
    )


def asset(e: float = 0.0, n: float = 0.0, value: float = 10.0, radius: float = 2000.0) -> Asset:
    """A defended asset at ENU (e, n, 0) m of the test frame."""
    lat, lon = FRAME.lat, FRAME.lon
    return Asset("base", lat, lon, 0.0, enu(e, n, 0.0), value, radius)


def make_picture(
    t: float,
    pos_enu: ArrayLike,
    vel_enu: ArrayLike,
    identity: Sequence[str],
    units: list[UnitState],
    track_id: Sequence[int] | None = None,
    iff_reply: Sequence[bool] | None = None,
    iff_interrogated: Sequence[bool] | None = None,
    sigma: Sequence[float] | None = None,
    assets: list[Asset] | None = None,
    engagements: list | None = None,
    c2: TrackC2 | None = None,
    t_update: Sequence[float] | None = None,
    corridors: Sequence[Corridor] = (),
    plans: FlightPlans | None = None,
) -> AirPicture:
    """An air picture from ENU track states (m, m/s) in the test frame. ``c2`` (from an
    :class:`~airdefsim.engagement.adjudicate.Adjudicator`) gives the salvos and kill
    assessments; without it none. Tracks are updated at ``t`` unless ``t_update``."""
    pe = np.asarray(pos_enu, float).reshape(-1, 3)
    ve = np.asarray(vel_enu, float).reshape(-1, 3)
    m = pe.shape[0]
    ids = np.arange(1, m + 1) if track_id is None else np.asarray(track_id)
    pos, vel = FRAME.to_ecef(pe), FRAME.vec_to_ecef(ve)
    ident = np.asarray(list(identity), dtype=object)
    kinds = classify(pos, vel)
    assets = [] if assets is None else assets
    value, tta = score(pos, vel, ident, assets, kinds)
    asked = np.ones(m, bool) if iff_interrogated is None else np.asarray(iff_interrogated, bool)
    return AirPicture(
        t=t,
        track_id=ids.astype(np.int64),
        pos=pos,
        vel=vel,
        pos_enu=pe,
        vel_enu=ve,
        pos_sigma=np.full(m, 50.0) if sigma is None else np.asarray(sigma, float),
        status=np.ones(m, np.int64),
        t_update=np.full(m, t) if t_update is None else np.asarray(t_update, float),
        n_updates=np.full(m, 10, np.int64),
        kind=kinds,
        quality_ok=np.ones(m, bool),
        quality=np.full(m, "", dtype=object),
        identity=ident,
        evidence=identification.gather(
            pe,
            ve,
            np.atleast_1d(ecef_to_geodetic(pos)[2]) if m else np.zeros(0),
            kinds,
            np.asarray(tta, float),
            pe,
            list(corridors),
            [],
            FlightPlans.none() if plans is None else plans,
        ),
        iff_reply=np.zeros(m, bool) if iff_reply is None else np.asarray(iff_reply, bool),
        iff_interrogated=asked,
        n_interrogations=asked.astype(np.int64) if c2 is None else c2.n_interrogations,
        threat_score=value,
        threat_rank=rank(value),
        time_to_asset=tta,
        salvos=np.zeros(m, np.int64) if c2 is None else c2.salvos,
        salvos_since_look=np.zeros(m, np.int64) if c2 is None else c2.salvos_since_look,
        kill_status=np.full(m, "none", dtype=object) if c2 is None else c2.kill_status,
        kill_ended_at=np.full(m, np.nan) if c2 is None else c2.kill_ended_at,
        cancelled_at=np.full(m, np.nan) if c2 is None else c2.cancelled_at,
        units=[u.snapshot() for u in units],
        engagements=[] if engagements is None else engagements,
        assets=assets,
    )


def fake_predicted_intercept(
    spec: MissileSpec,
    launcher_pos: Any,
    target_pos: Any,
    target_vel: Any,
    ballistic: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lp = np.asarray(launcher_pos, float).reshape(3)
    tp = np.asarray(target_pos, float).reshape(-1, 3)
    tv = np.asarray(target_vel, float).reshape(-1, 3)
    r = np.linalg.norm(tp - lp, axis=1)
    ok = (r >= spec.min_range) & (r <= spec.max_range)
    tf = np.where(ok, r / 1000.0, np.inf)
    pip = np.where(ok[:, None], tp + tv * np.where(ok, tf, 0.0)[:, None], tp)
    return ok, tf, pip
