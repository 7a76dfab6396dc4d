"""Terrain masking from a digital elevation model (GeoTIFF, read with rasterio).

The DEM is a raster of terrain heights (m) on a geographic grid (EPSG:4326, degrees);
heights are taken as heights above the ellipsoid (the geoid undulation, tens of metres,
is neglected). The line of sight from the radar antenna to a target is sampled at
``n_samples`` points along the path (linear in latitude/longitude, fine for the few
hundred km of a radar's reach); a target is masked when the terrain, raised by the
earth's bulge on the 4/3 effective earth, ``d (D - d) / (2 k a)``, rises above the
straight ray between the two heights (Skolnik, *Radar Handbook*, ch. 26; the
"effective-earth profile" method of ITU-R P.526).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.sensors.propagation import EFF_RADIUS

F64 = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Dem:
    """A terrain grid. ``heights[i, j]`` is the height (m) at latitude
    ``lat0_deg + i·dlat_deg`` and longitude ``lon0_deg + j·dlon_deg`` (cell centres;
    ``dlat_deg`` is negative for a north-up GeoTIFF)."""

    heights: F64
    lat0_deg: float
    lon0_deg: float
    dlat_deg: float
    dlon_deg: float

    @staticmethod
    def from_geotiff(path: str | Path) -> Dem:
        """Read band 1 of a GeoTIFF in geographic coordinates (no-data -> 0 m)."""
        import rasterio  # edge import: only needed when a DEM is used

        with rasterio.open(path) as src:
            if src.crs is not None and not src.crs.is_geographic:
                raise ValueError(f"{path}: the DEM must be in geographic coordinates (EPSG:4326)")
            data = src.read(1, masked=True).astype(float).filled(0.0)
            t = src.transform
            if t.b != 0 or t.d != 0:
                raise ValueError(f"{path}: rotated rasters are not supported")
            return Dem(
                heights=np.asarray(data, dtype=float),
                lat0_deg=t.f + 0.5 * t.e,
                lon0_deg=t.c + 0.5 * t.a,
                dlat_deg=t.e,
                dlon_deg=t.a,
            )

    def height(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> F64:
        """Terrain height (m), bilinear between cell centres; 0 outside the grid."""
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        fi = (lat - self.lat0_deg) / self.dlat_deg
        fj = (lon - self.lon0_deg) / self.dlon_deg
        ni, nj = self.heights.shape
        inside = (fi >= 0) & (fi <= ni - 1) & (fj >= 0) & (fj <= nj - 1)
        fi = np.clip(fi, 0, ni - 1)
        fj = np.clip(fj, 0, nj - 1)
        i0 = np.minimum(np.floor(fi).astype(np.int64), max(ni - 2, 0))
        j0 = np.minimum(np.floor(fj).astype(np.int64), max(nj - 2, 0))
        i1 = np.minimum(i0 + 1, ni - 1)
        j1 = np.minimum(j0 + 1, nj - 1)
        di = fi - i0
        dj = fj - j0
        h = self.heights
        val = (
            h[i0, j0] * (1 - di) * (1 - dj)
            + h[i1, j0] * di * (1 - dj)
            + h[i0, j1] * (1 - di) * dj
            + h[i1, j1] * di * dj
        )
        return np.where(inside, val, 0.0)


def is_masked(
    dem: Dem,
    site_lat_deg: float,
    site_lon_deg: float,
    site_h: float,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    h: ArrayLike,
    ground_rng: ArrayLike,
    n_samples: int = 64,
    eff_radius: float = EFF_RADIUS,
) -> B:
    """True where terrain blocks the ray from the antenna to the target.

    Parameters
    ----------
    dem : the terrain
    site_lat_deg, site_lon_deg, site_h : antenna position (deg, deg, m above ellipsoid)
    lat_deg, lon_deg, h : (N,) target positions (deg, deg, m)
    ground_rng : (N,) m — ground range from the site (for the earth bulge)
    n_samples : points tested along each path (ends excluded)

    Returns
    -------
    (N,) bool
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    ht = np.asarray(h, dtype=float)
    d_total = np.asarray(ground_rng, dtype=float)
    if lat.size == 0:
        return np.zeros(0, dtype=bool)
    f = (np.arange(1, n_samples + 1) / (n_samples + 1))[None, :]  # (1, S)
    plat = site_lat_deg + (lat[:, None] - site_lat_deg) * f
    dlon = np.mod(lon[:, None] - site_lon_deg + 180.0, 360.0) - 180.0
    plon = site_lon_deg + dlon * f
    terrain = dem.height(plat, plon)
    d = d_total[:, None] * f
    bulge = d * (d_total[:, None] - d) / (2.0 * eff_radius)
    ray = site_h + (ht[:, None] - site_h) * f
    return np.any(terrain + bulge > ray, axis=1)
