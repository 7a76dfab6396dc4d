"""Geodesy on WGS84 (ECEF, geodetic, local ENU/AER) and the radar horizon."""

from airdefsim.geo.horizon import (
    K_STANDARD,
    effective_earth_radius,
    horizon_range,
    is_visible,
    max_los_range,
    min_visible_height,
)
from airdefsim.geo.wgs84 import (
    LocalFrame,
    aer_to_enu,
    ecef_to_enu_vec,
    ecef_to_geodetic,
    enu_rotation,
    enu_to_aer,
    enu_to_ecef_vec,
    geodetic_to_ecef,
)

__all__ = [
    "K_STANDARD",
    "LocalFrame",
    "aer_to_enu",
    "ecef_to_enu_vec",
    "ecef_to_geodetic",
    "effective_earth_radius",
    "enu_rotation",
    "enu_to_aer",
    "enu_to_ecef_vec",
    "geodetic_to_ecef",
    "horizon_range",
    "is_visible",
    "max_los_range",
    "min_visible_height",
]
