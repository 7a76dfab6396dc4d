"""Helpers shared by the physics tests: straight-line truth and a tiny engagement loop."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.physics.flyout import FuzeEvent, Interceptors
from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import TargetsView


@pytest.fixture(scope="session")
def missiles() -> dict[str, MissileSpec]:
    return get_presets().missiles


@pytest.fixture(scope="session")
def make_view():
    """``make_view(t, pos (N,3), vel (N,3), ids (N,)) -> TargetsView`` (straight lines)."""
    return truth_view


@pytest.fixture(scope="session")
def engage():
    """:func:`engage_straight`."""
    return engage_straight


def truth_view(t: float, pos: np.ndarray, vel: np.ndarray, ids: np.ndarray) -> TargetsView:
    n = pos.shape[0]
    return TargetsView(
        t=t,
        pos=pos,
        vel=vel,
        acc=np.zeros((n, 3)),
        truth_id=ids,
        alive=np.ones(n, bool),
        rcs_index=np.zeros(n, np.int64),
        rcs_specs=[],
        is_friendly=np.zeros(n, bool),
        iff_mode=np.zeros(n, np.int64),
        kind=np.full(n, "t", dtype=object),
    )


def engage_straight(
    spec: MissileSpec,
    target_enu: tuple[float, float, float],
    target_vel_enu: tuple[float, float, float],
    seed: int = 0,
    truth_id: int = 7,
    est_offset_enu: tuple[float, float, float] = (0.0, 0.0, 0.0),
    est_vel_enu: tuple[float, float, float] | None = None,
    uplink: bool = True,
    t_max: float = 600.0,
) -> tuple[list[FuzeEvent], Interceptors, LocalFrame]:
    """One interceptor from a launcher at (45 N, 10 E) against a straight-flying target.

    The tracker estimate is the truth plus ``est_offset_enu`` (velocity ``est_vel_enu``
    if given), uplinked every second when ``uplink``.
    """
    frame = LocalFrame.from_degrees(45.0, 10.0, 0.0)
    p0 = frame.to_ecef(np.array(target_enu, dtype=float))
    v0 = frame.vec_to_ecef(np.array(target_vel_enu, dtype=float))
    off = frame.vec_to_ecef(np.array(est_offset_enu, dtype=float))
    ev = v0 if est_vel_enu is None else frame.vec_to_ecef(np.array(est_vel_enu, dtype=float))
    ids = np.array([truth_id], np.int64)
    flights = Interceptors()
    i = flights.launch(0.0, spec, frame.origin, p0 + off, ev, 1, truth_id, "u1")
    rng = np.random.default_rng(seed)
    events: list[FuzeEvent] = []
    t = 0.0
    while flights.alive_ids().size and t < t_max:
        view = truth_view(t, (p0 + v0 * t)[None], v0[None], ids)
        events += flights.advance(t, t + 1.0, view, rng)
        t += 1.0
        if uplink:
            flights.update_estimates([i], (p0 + v0 * t + off)[None], ev[None])
    return events, flights, frame
