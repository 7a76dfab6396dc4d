"""Natural Earth coastlines and borders (public domain) for maps, shipped in the package.

The data is the TopoJSON ``countries-50m.json`` of the npm package ``world-atlas``; its
arcs are the coastline and border polylines, quantised and delta-encoded (TopoJSON
specification, "Quantized Positions").
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray


@lru_cache(maxsize=1)
def _arcs() -> tuple[NDArray[np.float64], ...]:
    path = resources.files("airdefsim.data") / "naturalearth" / "countries-50m.json"
    topo = json.loads(path.read_text(encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.float64), axis=0)
        out.append(np.column_stack([q[:, 0] * sx + tx, q[:, 1] * sy + ty]))
    return tuple(out)


def basemap_lines(
    bbox_deg: tuple[float, float, float, float] | None = None,
) -> list[NDArray[np.float64]]:
    """Coastline and border polylines, each (K, 2) [lon, lat] in degrees.

    bbox_deg : (lon_min, lat_min, lon_max, lat_max) — keep only lines that touch it.
    """
    lines = list(_arcs())
    if bbox_deg is None:
        return lines
    x0, y0, x1, y1 = bbox_deg
    keep = []
    for ln in lines:
        inside = (ln[:, 0] >= x0) & (ln[:, 0] <= x1) & (ln[:, 1] >= y0) & (ln[:, 1] <= y1)
        if inside.any():
            keep.append(ln)
    return keep


def basemap_geojson(bbox_deg: tuple[float, float, float, float] | None = None) -> dict:
    """The same lines as a GeoJSON FeatureCollection of one MultiLineString (for the web)."""
    lines = basemap_lines(bbox_deg)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"source": "Natural Earth 1:50m via world-atlas"},
                "geometry": {
                    "type": "MultiLineString",
                    "coordinates": [np.round(ln, 4).tolist() for ln in lines],
                },
            }
        ],
    }
