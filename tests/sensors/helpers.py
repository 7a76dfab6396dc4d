"""Builders shared by the sensor tests: targets around a radar site."""

from __future__ import annotations

import numpy as np

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.scenario.schema import RcsSpec
from airdefsim.types import TargetsView

SITE = LocalFrame.from_degrees(40.0, 30.0, 10.0)


def steady_rcs(dbsm: float, swerling: int = 0) -> RcsSpec:
    return RcsSpec.model_validate(
        {"default": {"nose": dbsm, "side": dbsm, "tail": dbsm}, "swerling": swerling}
    )


def targets_at(
    az_deg, ground_range_m, h_m, rcs=None, vel_enu=None, t: float = 0.0, site=SITE
) -> TargetsView:
    """Targets at azimuth/ground range from ``site`` and height ``h_m`` above the
    ellipsoid (positions placed on the ellipsoid via a local ENU offset, then lifted)."""
    from airdefsim.geo.wgs84 import ecef_to_geodetic, geodetic_to_ecef

    az = np.radians(np.atleast_1d(np.asarray(az_deg, dtype=float)))
    gr = np.atleast_1d(np.asarray(ground_range_m, dtype=float))
    az, gr = np.broadcast_arrays(az, gr)
    n = az.shape[0]
    h = np.broadcast_to(np.asarray(h_m, dtype=float), (n,))
    # walk along the sphere: destination point from site lat/lon (spherical earth)
    a = 6371000.0
    d = gr / a
    lat1, lon1 = site.lat, site.lon
    lat2 = np.arcsin(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(az))
    lon2 = lon1 + np.arctan2(
        np.sin(az) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * np.sin(lat2)
    )
    pos = geodetic_to_ecef(lat2, lon2, h)
    assert np.allclose(ecef_to_geodetic(pos)[2], h, atol=1e-3)
    if vel_enu is None:
        vel = np.zeros((n, 3))
    else:
        vel = np.zeros((n, 3))
        for i in range(n):
            f = LocalFrame(float(lat2[i]), float(lon2[i]), 0.0)
            vel[i] = f.vec_to_ecef(np.asarray(vel_enu, dtype=float))
    specs = [rcs if rcs is not None else steady_rcs(0.0)]
    return TargetsView(
        t=t,
        pos=pos.reshape(n, 3),
        vel=vel,
        acc=np.zeros((n, 3)),
        truth_id=np.arange(n, dtype=np.int64),
        alive=np.ones(n, dtype=bool),
        rcs_index=np.zeros(n, dtype=np.int64),
        rcs_specs=specs,
        is_friendly=np.zeros(n, dtype=bool),
        iff_mode=np.zeros(n, dtype=np.int64),
        kind=np.array(["fighter"] * n, dtype=object),
    )
