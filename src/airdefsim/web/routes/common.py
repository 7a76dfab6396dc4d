"""Routes anyone may call: the basemap around a point and the health check."""

from __future__ import annotations

import json
from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import Response

from airdefsim.geo.basemap import basemap_geojson
from airdefsim.web.deps import ManagerDep

router = APIRouter(tags=["common"])


@lru_cache(maxsize=32)
def basemap_bytes(lat: int, lon: int, span: int) -> bytes:
    """Natural Earth lines around (lat, lon) ± span degrees, GeoJSON bytes (cached)."""
    bbox = (lon - span * 1.5, lat - span, lon + span * 1.5, lat + span)
    return json.dumps(basemap_geojson(bbox), separators=(",", ":")).encode()


@router.get("/api/basemap")
def basemap(lat: float, lon: float, span: float = 8.0) -> Response:
    return Response(
        basemap_bytes(round(lat), round(lon), min(max(round(span), 1), 30)),
        media_type="application/json",
        headers={"cache-control": "private, max-age=3600"},
    )


@router.get("/healthz")
def healthz(manager: ManagerDep) -> dict[str, object]:
    return {"ok": True, "live_exercises": len(manager.live)}
