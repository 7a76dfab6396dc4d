"""CZML (validated by czml3), KML (parsed by fastkml), GeoJSON (geojson + shapely)."""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from datetime import timedelta

import geojson as gj
import numpy as np
import pytest
import shapely.geometry as sg
from czml3 import Document, Packet
from pydantic import ValidationError
from pyproj import Geod

from airdefsim.export import czml, geojson, kml
from airdefsim.export.common import coverage_radius, detection_range, geodesic_ring, radar_sites
from airdefsim.export.run import RunData

GEOD = Geod(ellps="WGS84")
KR = 4.0 / 3.0 * 6371000.0  # m, 4/3-earth radius


def _horizon(h: float) -> float:
    return float(np.sqrt(2 * KR * h + h * h))


def _per_id(cols: dict[str, np.ndarray], key: str, oid: int) -> dict[str, np.ndarray]:
    m = cols[key] == oid
    order = np.argsort(cols["t"][m], kind="stable")
    return {k: v[m][order] for k, v in cols.items()}


# ---------------------------------------------------------------- coverage geometry


def test_geodesic_ring_is_closed_ccw_and_at_the_radius() -> None:
    lon, lat = geodesic_ring(39.9, 32.8, 250e3, n=90)
    assert lon.shape == (91,) and lon[0] == lon[-1] and lat[0] == lat[-1]
    _, _, dist = GEOD.inv(np.full(91, 32.8), np.full(91, 39.9), lon, lat)
    np.testing.assert_allclose(dist, 250e3, atol=1e-3)  # inverse problem agrees
    assert sg.Polygon(np.c_[lon, lat]).exterior.is_ccw
    # area of the inscribed 90-gon vs the small-circle area on the sphere (R = 6371 km):
    area, _ = GEOD.polygon_area_perimeter(lon, lat)
    sphere = 2 * np.pi * 6371e3**2 * (1 - np.cos(250e3 / 6371e3))
    assert abs(area) == pytest.approx(sphere * np.sin(2 * np.pi / 90) / (2 * np.pi / 90), rel=5e-3)


def test_coverage_radius_closed_form(run: RunData) -> None:
    surv = radar_sites(run.meta)[0]  # 390 km detection, antenna 20 m
    # low target: the 4/3-earth horizon limits
    assert coverage_radius(surv, 1000.0) == pytest.approx(
        _horizon(20.0) + _horizon(1000.0), rel=1e-9
    )
    # high target: the slant detection range limits
    assert coverage_radius(surv, 20e3) == pytest.approx(
        np.sqrt(390e3**2 - (20e3 - 20.0) ** 2), rel=1e-9
    )
    assert coverage_radius(surv, 500e3) == 0.0
    # radar equation, R ∝ σ^(1/4): a 1/16 m² target is seen at half the 4 m² range
    assert coverage_radius(surv, 10e3, rcs_m2=4.0 / 16) == pytest.approx(
        np.sqrt(195e3**2 - (10e3 - 20.0) ** 2), rel=1e-9
    )
    assert detection_range(surv, 4.0 * 16) == 600e3  # 780 km, capped at instrumented range


# ---------------------------------------------------------------- CZML


def test_czml_loads_in_czml3_and_replays_truth(run: RunData) -> None:
    packets = czml.run_to_czml(run)
    text = czml.dumps(packets)
    loaded = json.loads(text)
    doc = Document(packets=[Packet.model_validate(p) for p in loaded])  # czml3 validation
    czml.check_structure(loaded)
    assert json.loads(doc.dumps())[0]["id"] == "document"
    ids = [p["id"] for p in loaded]
    assert len(ids) == len(set(ids))
    head = loaded[0]
    assert head["version"] == "1.0" and head["clock"]["range"] == "LOOP_STOP"
    start, end = head["clock"]["interval"].split("/")
    assert start == "2026-03-01T06:00:00.000Z" and end == "2026-03-01T06:02:00.000Z"

    truth = run.table("truth")
    tpk = [p for p in loaded if p["id"].startswith("truth/")]
    assert len(tpk) == np.unique(truth["id"]).size
    for p in tpk:
        rows = _per_id(truth, "id", int(p["id"].split("/")[1]))
        s = np.asarray(p["position"]["cartographicDegrees"]).reshape(-1, 4)
        np.testing.assert_allclose(s[:, 0], rows["t"])
        np.testing.assert_allclose(s[:, 1], rows["lon_deg"], atol=1e-7)
        np.testing.assert_allclose(s[:, 2], rows["lat_deg"], atol=1e-7)
        np.testing.assert_allclose(s[:, 3], rows["alt_m"], atol=1e-6)
        assert p["position"]["epoch"] == start
        assert p["point"]["color"]["rgba"][:3] == (
            [230, 40, 40] if rows["hostile"][-1] else [40, 140, 255]
        )
    sites = radar_sites(run.meta)
    cov = [p for p in loaded if p["id"].startswith("coverage/")]
    assert [c["ellipsoid"]["radii"]["cartesian"][0] for c in cov] == [
        min(s.detection_range_m, s.instrumented_range_m) for s in sites
    ]
    assert all(c["ellipsoid"]["maximumCone"] == pytest.approx(np.pi / 2) for c in cov)
    assert "minimumClock" not in cov[0]["ellipsoid"]  # rotating radar: whole dome
    # sector radar (120° about azimuth 350°): Cesium clock angles run anticlockwise from
    # east, so azimuths 290°…50° are clock 40°…160°
    e = cov[1]["ellipsoid"]
    assert np.degrees([e["minimumClock"], e["maximumClock"]]) == pytest.approx([40.0, 160.0])
    ev = [p for p in loaded if p["id"].startswith("event/")]
    assert {p["name"].split()[0] for p in ev} == {"launch", "kill"}
    assert len([p for p in loaded if p["id"].startswith("interceptor/")]) == 2
    # a track declared hostile after 20 s: yellow until the declaration, red after
    tracks = run.table("tracks")
    for p in (p for p in loaded if p["id"].startswith("track/")):
        rows = _per_id(tracks, "track_id", int(p["id"].split("/")[1]))
        colour = p["point"]["color"]
        if rows["identity"][0] == rows["identity"][-1]:
            assert isinstance(colour, dict)
            continue
        t_decl = rows["t"][np.argmax(rows["identity"] != rows["identity"][0])]
        assert [c["rgba"][:3] for c in colour] == [[255, 210, 0], [230, 40, 40]]
        boundary = colour[0]["interval"].split("/")[1]
        assert boundary == colour[1]["interval"].split("/")[0]
        assert boundary == (run.epoch + timedelta(seconds=float(t_decl))).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        )
        assert p["path"]["material"]["solidColor"]["color"] == colour
    assert (
        len([p for p in loaded if p["id"].startswith("track/")])
        == np.unique(run.table("tracks")["track_id"]).size
    )


def test_czml_what_selects_layers_and_a_broken_packet_is_rejected(run: RunData) -> None:
    packets = czml.run_to_czml(run, what=("coverage",))
    layers = {p["id"].split("/")[0] for p in packets}
    assert layers == {"document", "unit", "asset", "coverage", "event"}
    full = json.loads(czml.dumps(czml.run_to_czml(run)))
    czml.check_structure(full)
    k = next(i for i, p in enumerate(full) if p["id"].startswith("truth/"))
    truncated = json.loads(json.dumps(full))
    truncated[k]["position"]["cartographicDegrees"].pop()
    with pytest.raises(czml.CzmlError, match=r"\[t, lon, lat, h\]"):
        czml.check_structure(truncated)
    late = json.loads(json.dumps(full))
    late[k]["availability"] = "2026-03-01T07:00:00.000Z/2026-03-01T07:01:00.000Z"
    with pytest.raises(czml.CzmlError, match="outside the clock"):
        czml.check_structure(late)
    with pytest.raises(czml.CzmlError, match="unique"):
        czml.check_structure([*full, full[k]])
    bad_colour = json.loads(json.dumps(full[k]))
    bad_colour["point"]["color"]["rgba"] = [300, 0, 0]
    with pytest.raises(ValidationError):  # czml3 rejects what the schema can see
        Packet.model_validate(bad_colour)


# ---------------------------------------------------------------- KML


def _parse_kml(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fastkml warns that lxml is missing
        from fastkml import KML

        return KML.from_string(data)


def test_kml_parses_with_fastkml_and_tracks_replay_in_time(run: RunData) -> None:
    data, counts = kml.run_to_kml(run, coverage_alt_m=3000.0)
    doc = _parse_kml(data).features[0]
    folders = {f.name: f for f in doc.features}
    assert list(folders) == [
        "Units",
        "Assets",
        "Coverage at 3000 m",
        "Truth",
        "Tracks",
        "Interceptors",
        "Events",
    ]
    assert {k: len(f.features) for k, f in folders.items()} == {
        "Units": 1, "Assets": 2, "Coverage at 3000 m": 2, "Truth": counts["truth"],
        "Tracks": counts["tracks"], "Interceptors": 2, "Events": 4,
    }  # fmt: skip
    truth = run.table("truth")
    assert counts["truth"] == np.unique(truth["id"]).size
    epoch = run.epoch
    for pm in folders["Truth"].features:
        trk = pm.kml_geometry
        rows = _per_id(truth, "name", pm.name)
        assert len(trk.whens) == len(trk.coords) == rows["t"].size
        assert [w.dt for w in trk.whens] == [epoch + timedelta(seconds=float(t)) for t in rows["t"]]
        c = np.asarray(trk.coords, float)
        np.testing.assert_allclose(c[:, 0], rows["lon_deg"], atol=1e-7)
        np.testing.assert_allclose(c[:, 1], rows["lat_deg"], atol=1e-7)
        np.testing.assert_allclose(c[:, 2], rows["alt_m"], atol=0.05)
    for pm in folders["Coverage at 3000 m"].features:
        ring = np.asarray(pm.geometry.exterior.coords, float)
        assert np.array_equal(ring[0], ring[-1]) and np.all(ring[:, 2] == 3000.0)
    site = radar_sites(run.meta)[0]
    ring = np.asarray(folders["Coverage at 3000 m"].features[0].geometry.exterior.coords)
    _, _, dist = GEOD.inv(
        np.full(len(ring), site.lon_deg), np.full(len(ring), site.lat_deg), ring[:, 0], ring[:, 1]
    )
    np.testing.assert_allclose(dist, _horizon(20.0) + _horizon(3000.0), rtol=1e-6)
    # KML 2.2 schema order of Feature children: name, description, TimePrimitive, styleUrl
    ns = "{http://www.opengis.net/kml/2.2}"
    order = ["name", "description", "TimeStamp", "styleUrl"]
    for pm in ET.fromstring(data).iter(f"{ns}Placemark"):
        tags = [c.tag.removeprefix(ns) for c in pm if c.tag.removeprefix(ns) in order]
        assert tags == sorted(tags, key=order.index)
    ev = folders["Events"].features[0]
    assert ev.times.timestamp.dt == epoch + timedelta(seconds=float(run.table("events")["t"][0]))


# ---------------------------------------------------------------- GeoJSON


def test_geojson_is_valid_with_closed_valid_polygons(run: RunData) -> None:
    text = geojson.dumps(geojson.run_to_geojson(run, coverage_alt_m=1000.0))
    obj = gj.loads(text)
    assert obj.is_valid, obj.errors()
    feats = obj["features"]
    layers = [f["properties"]["layer"] for f in feats]
    polys = [f for f in feats if f["geometry"]["type"] == "Polygon"]
    assert len(polys) == layers.count("coverage") == 2
    for f in polys:
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        shape = sg.shape(f["geometry"])
        assert shape.is_valid and shape.exterior.is_ccw  # RFC 7946 §3.1.6 winding
    circle, sector = (f["geometry"]["coordinates"][0] for f in polys)
    assert len(circle) == 73
    # the engagement radar scans 120° centred on 350°: a sector, apex at the site
    site = radar_sites(run.meta)[1]
    assert (site.heading_deg, site.sector_width_deg) == (350.0, 120.0)
    assert sector[0] == sector[-1] == [site.lon_deg, site.lat_deg]
    arc = np.asarray(sector[1:-1])
    az, _, dist = GEOD.inv(
        np.full(len(arc), site.lon_deg), np.full(len(arc), site.lat_deg), arc[:, 0], arc[:, 1]
    )
    np.testing.assert_allclose(dist, polys[1]["properties"]["radius_m"], rtol=1e-6)
    assert az[0] == pytest.approx(50.0, abs=1e-4) and az[-1] == pytest.approx(-70.0, abs=1e-4)
    assert np.all(np.diff(np.mod(az + 180, 360)) < 0)  # sweeping anticlockwise
    area, _ = GEOD.polygon_area_perimeter([*arc[:, 0], site.lon_deg], [*arc[:, 1], site.lat_deg])
    r = polys[1]["properties"]["radius_m"]
    sphere = 2 * np.pi * 6371e3**2 * (1 - np.cos(r / 6371e3))
    assert abs(area) == pytest.approx(sphere / 3, rel=5e-3)
    truth = run.table("truth")
    lines = [f for f in feats if f["properties"]["layer"] == "truth"]
    assert len(lines) == np.unique(truth["id"]).size
    for f in lines:
        assert f["geometry"]["type"] == "LineString" and sg.shape(f["geometry"]).is_valid
        rows = _per_id(truth, "id", f["properties"]["id"])
        c = np.asarray(f["geometry"]["coordinates"])
        np.testing.assert_allclose(c[:, :2], np.c_[rows["lon_deg"], rows["lat_deg"]], atol=1e-7)
        assert f["properties"]["hostile"] == bool(rows["hostile"][-1])
    assert layers.count("unit") == 1 and layers.count("asset") == 2 and layers.count("event") == 4
    assert layers.count("interceptor") == 2


def test_geojson_layers_and_out_of_reach_coverage(run: RunData) -> None:
    fc = geojson.run_to_geojson(run, what=("coverage",), coverage_alt_m=450e3)
    assert [f for f in fc["features"] if f["properties"]["layer"] in ("coverage", "truth")] == []
    fc = geojson.run_to_geojson(run, what=("tracks",))
    assert {f["properties"]["layer"] for f in fc["features"]} == {"unit", "asset", "track", "event"}
