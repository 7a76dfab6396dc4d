"""KML 2.2 of a run for Google Earth (desktop or web) and other KML viewers.

Folders: ``Units`` and ``Assets`` (placemarks), ``Coverage`` (one polygon per radar at
the requested target altitude, drawn at that altitude — a circle, or a sector for a
radar that scans a sector; geodesic circles on WGS-84, see
``airdefsim.export.common``), ``Truth``, ``Tracks`` and ``Interceptors`` (one
``gx:Track`` per object: a ``<when>`` and a ``<gx:coord>`` per recorded row, so Google
Earth's time slider replays the run) and ``Events`` (time-stamped points).

Altitudes are written ``absolute``; KML defines absolute as above mean sea level while
our altitudes are above the WGS-84 ellipsoid — the geoid undulation (< 100 m) is
neglected. Source: OGC 07-147r2 (KML 2.2) and Google's gx extension reference.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import numpy as np

from airdefsim.export.common import (
    EVENT_KINDS,
    RGBA,
    coverage_radius,
    group_paths,
    iso,
    radar_sites,
    run_name,
)
from airdefsim.export.run import RunData

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"
LAYERS = ("truth", "tracks", "interceptors", "coverage")
MAX_POINTS = 5000  # per gx:Track; longer paths are thinned evenly

ET.register_namespace("", KML_NS)
ET.register_namespace("gx", GX_NS)


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _gx(tag: str) -> str:
    return f"{{{GX_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def kml_color(rgba: tuple[int, int, int, int]) -> str:
    """(r, g, b, a) 0..255 -> KML ``aabbggrr`` hex."""
    r, g, b, a = rgba
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"


def _styles(doc: ET.Element) -> None:
    for name, rgba in RGBA.items():
        st = _sub(doc, _k("Style"))
        st.set("id", name)
        icon = _sub(st, _k("IconStyle"))
        _sub(icon, _k("color"), kml_color((*rgba[:3], 255)))
        _sub(icon, _k("scale"), "0.8")
        line = _sub(st, _k("LineStyle"))
        _sub(line, _k("color"), kml_color((*rgba[:3], 255)))
        _sub(line, _k("width"), "2")
        poly = _sub(st, _k("PolyStyle"))
        _sub(poly, _k("color"), kml_color(rgba))


def _placemark(
    folder: ET.Element, name: str, style: str, description: str = "", when: str | None = None
) -> ET.Element:
    """A Placemark with children in KML 2.2 schema order (name, description,
    TimeStamp, styleUrl; the caller appends the geometry)."""
    pm = _sub(folder, _k("Placemark"))
    _sub(pm, _k("name"), name)
    if description:
        _sub(pm, _k("description"), description)
    if when is not None:
        _sub(_sub(pm, _k("TimeStamp")), _k("when"), when)
    _sub(pm, _k("styleUrl"), f"#{style}")
    return pm


def _point(pm: ET.Element, lon: float, lat: float, alt: float | None = None) -> None:
    pt = _sub(pm, _k("Point"))
    if alt is None:
        _sub(pt, _k("coordinates"), f"{lon:.7f},{lat:.7f}")
    else:
        _sub(pt, _k("altitudeMode"), "absolute")
        _sub(pt, _k("coordinates"), f"{lon:.7f},{lat:.7f},{alt:.1f}")


def _gx_track(
    pm: ET.Element, cols: dict[str, np.ndarray], rows: np.ndarray, epoch: datetime
) -> int:
    """Write a gx:Track of ``rows``; returns the number of samples written."""
    rows = rows[np.isfinite(cols["lat_deg"][rows]) & np.isfinite(cols["lon_deg"][rows])]
    trk = _sub(pm, _gx("Track"))
    _sub(trk, _k("altitudeMode"), "absolute")
    for t in cols["t"][rows]:
        _sub(trk, _k("when"), iso(epoch, float(t)))
    alt = np.nan_to_num(cols["alt_m"][rows])
    for lon, lat, h in zip(cols["lon_deg"][rows], cols["lat_deg"][rows], alt, strict=True):
        _sub(trk, _gx("coord"), f"{lon:.7f} {lat:.7f} {h:.1f}")
    return int(rows.size)


def run_to_kml(
    run: RunData,
    what: tuple[str, ...] = LAYERS,
    coverage_alt_m: float = 1000.0,
    coverage_rcs_m2: float | None = None,
) -> tuple[bytes, dict[str, int]]:
    """The run as a KML document.

    Parameters
    ----------
    run : the recorded run
    what : layers among ``truth, tracks, interceptors, coverage`` (units, assets and
        events always included)
    coverage_alt_m : m, target altitude of the coverage polygons
    coverage_rcs_m2 : m², target RCS of the coverage polygons (None: calibration RCS)

    Returns
    -------
    (UTF-8 KML document, counts of placemarks per folder)
    """
    meta, epoch = run.meta, run.epoch
    root = ET.Element(_k("kml"))
    doc = _sub(root, _k("Document"))
    _sub(doc, _k("name"), run_name(meta))
    _sub(doc, _k("description"), f"airdefsim run, epoch {iso(epoch)}, seed {meta.get('seed')}")
    _styles(doc)
    counts: dict[str, int] = {}

    def folder(name: str) -> ET.Element:
        f = _sub(doc, _k("Folder"))
        _sub(f, _k("name"), name)
        return f

    f = folder("Units")
    for u in meta.get("units", []) or []:
        pm = _placemark(f, str(u.get("name")), "unit", f"preset {u.get('preset')}")
        _point(pm, float(u["lon_deg"]), float(u["lat_deg"]))
    counts["units"] = len(meta.get("units", []) or [])
    f = folder("Assets")
    for a in meta.get("assets", []) or []:
        pm = _placemark(f, str(a.get("name")), "asset", f"value {a.get('value')}")
        _point(pm, float(a["lon_deg"]), float(a["lat_deg"]))
    counts["assets"] = len(meta.get("assets", []) or [])

    if "coverage" in what:
        rcs_txt = "" if coverage_rcs_m2 is None else f", {coverage_rcs_m2:g} m²"
        f = folder(f"Coverage at {coverage_alt_m:g} m{rcs_txt}")
        n = 0
        for site in radar_sites(meta):
            radius = float(coverage_radius(site, coverage_alt_m, coverage_rcs_m2))
            if not np.isfinite(radius) or radius <= 0.0:
                continue
            lon, lat = site.outline(radius)
            pm = _placemark(
                f,
                site.name,
                "coverage",
                f"{site.role} radar of {site.unit}, {radius / 1000:.1f} km",
            )
            poly = _sub(pm, _k("Polygon"))
            _sub(poly, _k("altitudeMode"), "absolute")
            ring = _sub(_sub(poly, _k("outerBoundaryIs")), _k("LinearRing"))
            _sub(
                ring,
                _k("coordinates"),
                " ".join(
                    f"{x:.7f},{y:.7f},{coverage_alt_m:.1f}" for x, y in zip(lon, lat, strict=True)
                ),
            )
            n += 1
        counts["coverage"] = n

    layers: list[tuple[str, str, str, Any]] = [
        ("truth", "Truth", "id", lambda c, r: "hostile" if c["hostile"][r] else "friendly"),
        ("tracks", "Tracks", "track_id", lambda c, r: str(c["identity"][r])),
        ("interceptors", "Interceptors", "id", lambda c, r: "interceptor"),
    ]
    for layer, title, key, style_of in layers:
        if layer not in what:
            continue
        cols = run.table(layer)
        f = folder(title)
        n = 0
        for oid, rows in group_paths(cols, key, MAX_POINTS):
            last = rows[-1]
            style = style_of(cols, last)
            if layer == "truth":
                name, desc = str(cols["name"][last]), f"{cols['kind'][last]} (id {oid})"
            elif layer == "tracks":
                name, desc = f"track {oid}", f"{style}, truth id {cols['truth_id'][last]}"
            else:
                name, desc = (
                    f"{cols['missile'][last]} #{oid}",
                    f"from {cols['unit'][last]} at track {cols['track_id'][last]}",
                )
            pm = _placemark(f, name, style if style in RGBA else "unknown", desc)
            if _gx_track(pm, cols, rows, epoch):
                n += 1
            else:
                f.remove(pm)
        counts[layer] = n

    ev = run.table("events")
    f = folder("Events")
    n = 0
    if ev:
        keep = (
            np.isin(ev["kind"], EVENT_KINDS)
            & np.isfinite(ev["lat_deg"])
            & np.isfinite(ev["lon_deg"])
        )
        for k in np.flatnonzero(keep):
            pm = _placemark(
                f,
                f"{ev['kind'][k]} t={ev['t'][k]:.1f} s",
                "event",
                str(ev["detail"][k]),
                when=iso(epoch, float(ev["t"][k])),
            )
            alt = float(ev["alt_m"][k]) if np.isfinite(ev["alt_m"][k]) else 0.0
            _point(pm, float(ev["lon_deg"][k]), float(ev["lat_deg"][k]), alt)
            n += 1
    counts["events"] = n
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), counts
