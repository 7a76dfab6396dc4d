"""The U.S. Standard Atmosphere 1976 (= ICAO ISA below 32 km), vectorised.

Source: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562 (NOAA, NASA, USAF), §1.2–1.3:
seven layers of linear molecular-scale temperature in geopotential altitude from 0 to
84.852 km (86 km geometric), hydrostatic pressure, the ideal-gas density and the speed of
sound ``a = sqrt(gamma R* T_M / M0)``. Between 80 and 86 km geometric the kinetic
temperature is ``T = T_M (M / M0)`` with the molecular-weight ratio of Table 8.

Above 86 km the 1976 model changes to a diffusive, non-hydrostatic formulation. This
module does *not* implement it: the temperature is held at its 86 km value (186.87 K) and
pressure and density decay exponentially with the isothermal scale height at 86 km.
That is within a factor ~2 of the standard up to ~120 km, which is irrelevant for drag
(dynamic pressure there is < 1 Pa for any missile).

All altitudes in m, temperatures in K, pressures in Pa, densities in kg/m³, speeds in m/s.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

G0 = 9.80665  # m/s², standard gravity (US76 g0)
R_STAR = 8.31432  # J/(mol K), US76 gas constant (as used in the standard, not CODATA)
M0 = 28.9644e-3  # kg/mol, sea-level mean molecular weight of air
R_AIR = R_STAR / M0  # J/(kg K), 287.053
GAMMA = 1.4  # ratio of specific heats of air
R0 = 6356766.0  # m, effective earth radius for geopotential altitude (US76)
T0 = 288.15  # K, sea-level temperature
P0 = 101325.0  # Pa, sea-level pressure

# Layer bases in geopotential altitude (m) and molecular-scale temperature gradients
# (K/m), US76 Table 4.
_H_BASE = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0, 84852.0])
_LAPSE = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3, 0.0])


def _layer_bases() -> tuple[F64, F64]:
    """Molecular-scale temperature and pressure at every layer base (US76 recursion)."""
    t_b = np.empty(_H_BASE.size)
    p_b = np.empty(_H_BASE.size)
    t_b[0], p_b[0] = T0, P0
    for i in range(1, _H_BASE.size):
        dh = _H_BASE[i] - _H_BASE[i - 1]
        lapse = _LAPSE[i - 1]
        t_b[i] = t_b[i - 1] + lapse * dh
        if lapse == 0.0:
            p_b[i] = p_b[i - 1] * np.exp(-G0 * dh / (R_AIR * t_b[i - 1]))
        else:
            p_b[i] = p_b[i - 1] * (t_b[i] / t_b[i - 1]) ** (-G0 / (R_AIR * lapse))
    return t_b, p_b


_T_BASE, _P_BASE = _layer_bases()

# US76 Table 8: molecular-weight ratio M/M0 from 80 to 86 km geometric, every 500 m.
_Z_MRATIO = np.arange(80000.0, 86000.0 + 1.0, 500.0)
_MRATIO = np.array(
    [
        1.000000,
        0.999996,
        0.999989,
        0.999971,
        0.999941,
        0.999909,
        0.999870,
        0.999829,
        0.999786,
        0.999741,
        0.999694,
        0.999641,
        0.999579,
    ]
)


def geopotential_altitude(z: ArrayLike) -> F64:
    """Geopotential altitude H (m') of geometric altitude ``z`` (m): ``H = r0 z / (r0 + z)``."""
    z = np.asarray(z, dtype=float)
    return R0 * z / (R0 + z)


def geometric_altitude(H: ArrayLike) -> F64:
    """Geometric altitude z (m) of geopotential altitude ``H`` (m'): ``z = r0 H / (r0 - H)``."""
    H = np.asarray(H, dtype=float)
    return R0 * H / (R0 - H)


def _molecular(H: F64) -> tuple[F64, F64]:
    """Molecular-scale temperature T_M (K) and pressure (Pa) at geopotential altitude H.

    Below 0 the first layer is extended downwards (valid to a few km below sea level);
    above 84.852 km (86 km geometric) the atmosphere is isothermal (see module note).
    """
    idx = np.clip(np.searchsorted(_H_BASE, H, side="right") - 1, 0, _H_BASE.size - 1)
    hb = _H_BASE[idx]
    tb = _T_BASE[idx]
    pb = _P_BASE[idx]
    lapse = _LAPSE[idx]
    dh = H - hb
    t_m = tb + lapse * dh
    is_iso = lapse == 0.0
    safe_lapse = np.where(is_iso, 1.0, lapse)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grad = pb * (t_m / tb) ** (-G0 / (R_AIR * safe_lapse))
    p_iso = pb * np.exp(-G0 * dh / (R_AIR * tb))
    return t_m, np.where(is_iso, p_iso, p_grad)


def _state(H: F64, z: F64) -> tuple[F64, F64, F64, F64]:
    t_m, p = _molecular(H)
    rho = p / (R_AIR * t_m)
    a = np.sqrt(GAMMA * R_AIR * t_m)
    mratio = np.interp(z, _Z_MRATIO, _MRATIO, left=1.0, right=_MRATIO[-1])
    return t_m * mratio, p, rho, a


def isa(h: ArrayLike) -> tuple[F64, F64, F64, F64]:
    """Standard atmosphere at *geometric* altitude ``h``.

    Parameters
    ----------
    h : (...) float, m — geometric altitude above mean sea level (the ellipsoid height is
        used for it throughout the simulator)

    Returns
    -------
    T : (...) float, K — kinetic temperature
    p : (...) float, Pa — pressure
    rho : (...) float, kg/m³ — density
    a : (...) float, m/s — speed of sound
    """
    z = np.asarray(h, dtype=float)
    return _state(geopotential_altitude(z), z)


def isa_geometric(z: ArrayLike) -> tuple[F64, F64, F64, F64]:
    """Alias of :func:`isa` (geometric altitude, m)."""
    return isa(z)


def isa_geopotential(H: ArrayLike) -> tuple[F64, F64, F64, F64]:
    """Standard atmosphere at *geopotential* altitude ``H`` (m'), as tables list it.

    Returns ``(T K, p Pa, rho kg/m³, a m/s)`` like :func:`isa`.
    """
    H = np.asarray(H, dtype=float)
    return _state(H, geometric_altitude(H))


def density(h: ArrayLike) -> F64:
    """Air density (kg/m³) at geometric altitude ``h`` (m)."""
    return isa(h)[2]


def speed_of_sound(h: ArrayLike) -> F64:
    """Speed of sound (m/s) at geometric altitude ``h`` (m)."""
    z = np.asarray(h, dtype=float)
    t_m, _ = _molecular(geopotential_altitude(z))
    return np.sqrt(GAMMA * R_AIR * t_m)
