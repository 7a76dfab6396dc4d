"""ASTERIX CAT062: independent decoding (pyasteryx), round trips, rejection, UDP sink."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyasteryx import Decoder
from pyasteryx.exceptions import DecodeError
from pyproj import Geod, Proj

from airdefsim.export import asterix as ax
from airdefsim.export.run import RunData
from airdefsim.geo import LocalFrame, enu_rotation

FT = 0.3048
ORIGIN = (40.0, 30.0)  # deg, system reference point of the hand-made rows
GEOD = Geod(ellps="WGS84")


def _ordered_tracks(run: RunData) -> dict[str, np.ndarray]:
    cols = run.table("tracks")
    order = np.argsort(cols["t"], kind="stable")
    return {k: v[order] for k, v in cols.items()}


def _pyasteryx(data: bytes) -> list[dict]:
    return [m.to_dict() for m in Decoder(editions={62: "1.18"}).decode(data)]


def test_independent_decoder_reads_every_field_within_resolution(run: RunData) -> None:
    data = ax.encode_tracks(
        run.table("tracks"), run.meta["epoch"], sac=25, sic=7, origin=run.origin, service_id=3
    )
    tr = _ordered_tracks(run)
    recs = _pyasteryx(data)
    n = tr["t"].size
    assert len(recs) == n == len(ax.split_blocks(data))  # one data block per update

    def col(key: str) -> np.ndarray:
        return np.array([r.get(key, np.nan) for r in recs], float)

    assert np.all(col("I062/010.SAC") == 25) and np.all(col("I062/010.SIC") == 7)
    assert np.all(col("I062/015.SID") == 3)
    np.testing.assert_array_equal(col("I062/040.TrkN"), tr["track_id"])
    # time of day: epoch is 06:00:00Z
    np.testing.assert_allclose(col("I062/070.ToT"), 6 * 3600 + tr["t"], atol=1 / 256)
    lsb = 180 / 2**25
    np.testing.assert_allclose(col("I062/105.Lat"), tr["lat_deg"], atol=lsb / 2 + 1e-12)
    np.testing.assert_allclose(col("I062/105.Lon"), tr["lon_deg"], atol=lsb / 2 + 1e-12)
    x, y = ax.system_plane(tr["lat_deg"], tr["lon_deg"], run.origin)
    np.testing.assert_allclose(col("I062/100.X"), x, atol=0.25 + 1e-9)
    np.testing.assert_allclose(col("I062/100.Y"), y, atol=0.25 + 1e-9)
    vel = np.c_[tr["ve"], tr["vn"], tr["vu"]]
    vx, vy = ax.system_plane_velocity(tr["lat_deg"], tr["lon_deg"], vel, run.origin)
    np.testing.assert_allclose(col("I062/185.Vx"), vx, atol=0.125 + 1e-9)
    np.testing.assert_allclose(col("I062/185.Vy"), vy, atol=0.125 + 1e-9)
    # rate of climb: velocity along the local vertical at the track, ft/min
    lat, lon = np.radians(tr["lat_deg"]), np.radians(tr["lon_deg"])
    up = np.c_[np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]
    o_lat, o_lon = np.radians(run.origin)
    v_ecef = vel @ enu_rotation(o_lat, o_lon)  # scenario ENU -> ECEF
    rocd = np.sum(v_ecef * up, axis=1) / FT * 60
    np.testing.assert_allclose(col("I062/220.RoC"), rocd, atol=6.25 / 2 + 1e-9)
    # sanity of the mapping: the plane agrees with the tracker's ENU plane in bearing and
    # to a fraction of a percent in range (they differ by curvature and altitude terms)
    X, Y = col("I062/100.X"), col("I062/100.Y")
    np.testing.assert_allclose(np.hypot(X, Y) / np.hypot(tr["e"], tr["n"]), 1.0, atol=5e-3)
    np.testing.assert_allclose(np.arctan2(X, Y), np.arctan2(tr["e"], tr["n"]), atol=1e-4)
    np.testing.assert_allclose(col("I062/130.Alt"), tr["alt_m"] / FT, atol=6.25 / 2 + 1e-9)
    # status flags
    status = tr["status"]
    np.testing.assert_array_equal(col("I062/080.CNF") == 1, status == "tentative")
    np.testing.assert_array_equal(np.nan_to_num(col("I062/080.CST")) == 1, status == "coasting")
    assert np.all(col("I062/080.SIM") == 1) and np.all(col("I062/080.SRC") == 2)
    first = np.r_[[np.flatnonzero(tr["track_id"] == i)[0] for i in np.unique(tr["track_id"])]]
    assert set(np.flatnonzero(col("I062/080.TSB") == 1)) == set(first)
    assert np.all(col("I062/080.TSE") == 0)  # every track lives to the end
    # measured flight level: only for the friendly (cooperative) track, ISA standard day
    mfl = col("I062/136.MFL")  # pyasteryx gives feet
    friendly = tr["identity"] == "friendly"
    assert np.all(np.isfinite(mfl) == friendly) and friendly.any()
    z = tr["alt_m"][friendly]
    h_geopot = 6356766.0 * z / (6356766.0 + z)
    np.testing.assert_allclose(mfl[friendly], h_geopot / FT, atol=25 / 2 + 1e-9)


def test_own_decoder_agrees_with_pyasteryx(run: RunData) -> None:
    data = ax.encode_tracks(run.table("tracks"), run.meta["epoch"], sac=1, sic=2, origin=run.origin)
    ours = ax.decode(data)
    recs = _pyasteryx(data)
    for key, theirs in (
        ("lat_deg", "I062/105.Lat"),
        ("x", "I062/100.X"),
        ("vy", "I062/185.Vy"),
        ("time_of_day", "I062/070.ToT"),
        ("geo_alt_ft", "I062/130.Alt"),
        ("track_number", "I062/040.TrkN"),
        ("rocd_fpm", "I062/220.RoC"),
    ):
        np.testing.assert_array_equal(ours[key], [r[theirs] for r in recs])
    np.testing.assert_array_equal(
        ours["mfl_fl"] * 100, [r.get("I062/136.MFL", np.nan) for r in recs]
    )


def test_batched_blocks_decode_to_the_same_records(run: RunData) -> None:
    cols, epoch = run.table("tracks"), run.meta["epoch"]
    one = ax.decode(ax.encode_tracks(cols, epoch, 1, 2, origin=run.origin))
    batched_bytes = ax.encode_tracks(cols, epoch, 1, 2, origin=run.origin, records_per_block=50)
    batched = ax.decode(batched_bytes)
    assert batched["block"].max() + 1 == -(-cols["t"].size // 50)
    for k in ("x", "lat_deg", "track_number", "tsb"):
        np.testing.assert_array_equal(one[k], batched[k])
    assert len(_pyasteryx(batched_bytes)) == cols["t"].size


def _one_row(**over) -> dict[str, np.ndarray]:
    row = dict(
        t=[0.0], track_id=[7], status=["confirmed"], identity=["unknown"], e=[1.0], n=[2.0],
        ve=[3.0], vn=[4.0], lat_deg=[40.0], lon_deg=[30.0], alt_m=[1000.0],
    )  # fmt: skip
    row.update(over)
    return {k: np.asarray(v) for k, v in row.items()}


def test_shapes_zero_and_one() -> None:
    empty = {k: v[:0] for k, v in _one_row().items()}
    assert ax.encode_tracks(empty, None, 0, 0, origin=ORIGIN) == b""
    assert ax.decode(b"")["x"].shape == (0,)
    d = ax.decode(ax.encode_tracks(_one_row(), None, 0, 0, origin=ORIGIN))
    assert d["track_number"].tolist() == [7] and d["x"].tolist() == [0.0]  # at the SRP


def test_altitude_out_of_range_omits_i062_130_and_time_wraps_at_midnight() -> None:
    cols = _one_row(t=[0.0, 3.0], track_id=[1, 2], status=["confirmed"] * 2, identity=["unknown"] * 2,
                    e=[0.0, 0.0], n=[0.0, 0.0], ve=[0.0, 0.0], vn=[0.0, 0.0], lat_deg=[0.0, 0.0],
                    lon_deg=[0.0, 0.0], alt_m=[60000.0, 5000.0])  # fmt: skip
    data = ax.encode_tracks(cols, datetime(2026, 1, 1, 23, 59, 58, tzinfo=UTC), 0, 0, origin=ORIGIN)
    recs = _pyasteryx(data)
    assert "I062/130.Alt" not in recs[0] and recs[1]["I062/130.Alt"] == pytest.approx(
        5000 / FT, abs=3.125
    )
    assert [r["I062/070.ToT"] for r in recs] == [86398.0, 1.0]


def test_track_end_sets_tse_only_when_the_track_ended_early() -> None:
    tsb, tse = ax.first_last_flags([0, 0, 1, 1, 2], [1, 2, 1, 2, 2])
    assert tsb.tolist() == [True, True, False, False, False]
    assert tse.tolist() == [False, False, True, False, False]


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-90, 90), lon=st.floats(-180, 180), x=st.floats(-4e6, 4e6),
    y=st.floats(-4e6, 4e6), vx=st.floats(-8000, 8000), vy=st.floats(-8000, 8000),
    alt_ft=st.floats(-1500, 150000), fl=st.floats(-15, 1500), t=st.floats(0, 86399.99),
    tid=st.integers(0, 65535), cnf=st.booleans(), cst=st.booleans(),
    rocd=st.floats(-204000, 204000),
)  # fmt: skip
def test_round_trip_within_half_lsb(
    lat, lon, x, y, vx, vy, alt_ft, fl, t, tid, cnf, cst, rocd
) -> None:
    one = lambda v, dt=float: np.array([v], dtype=dt)  # noqa: E731
    f = ax.Cat062Fields(
        sac=one(9, np.int64), sic=one(8, np.int64), service_id=one(7, np.int64),
        time_of_day=one(t), track_number=one(tid, np.int64), lat_deg=one(lat), lon_deg=one(lon),
        x=one(x), y=one(y), vx=one(vx), vy=one(vy), geo_alt_ft=one(alt_ft), mfl_fl=one(fl),
        cnf=one(cnf, bool), sim=one(True, bool), tse=one(False, bool), tsb=one(True, bool),
        cst=one(cst, bool), rocd_fpm=one(rocd),
    )  # fmt: skip
    d = ax.decode(b"".join(ax.encode_blocks(f)))
    assert abs(d["lat_deg"][0] - lat) <= ax.LSB_LATLON_DEG / 2 + 1e-12
    assert abs(d["lon_deg"][0] - lon) <= ax.LSB_LATLON_DEG / 2 + 1e-12
    assert abs(d["x"][0] - x) <= 0.25 + 1e-9 and abs(d["y"][0] - y) <= 0.25 + 1e-9
    assert abs(d["vx"][0] - vx) <= 0.125 + 1e-9 and abs(d["vy"][0] - vy) <= 0.125 + 1e-9
    assert abs(d["geo_alt_ft"][0] - alt_ft) <= 3.125 + 1e-9
    assert abs(d["mfl_fl"][0] - fl) <= 0.125 + 1e-9
    assert abs(d["rocd_fpm"][0] - rocd) <= 3.125 + 1e-9
    assert (
        abs(d["time_of_day"][0] - t) <= 1 / 256 + 1e-9
        or abs(d["time_of_day"][0] - t + 86400) <= 1 / 256
    )
    assert d["track_number"][0] == tid and (d["sac"][0], d["sic"][0], d["service_id"][0]) == (
        9,
        8,
        7,
    )
    assert (d["cnf"][0], d["cst"][0], d["tsb"][0], d["tse"][0], d["sim"][0]) == (
        cnf,
        cst,
        True,
        False,
        True,
    )


# ---------------------------------------------------------------- the system plane


def _gauss_radius(lat_deg: float) -> float:
    """sqrt(M N) on WGS-84 at ``lat_deg``: the radius of the conformal sphere."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    w = 1 - e2 * np.sin(np.radians(lat_deg)) ** 2
    return float(np.sqrt(a * (1 - e2) / w**1.5 * a / np.sqrt(w)))


@pytest.mark.parametrize("az", [0.0, 45.0, 90.0, 200.0, 300.0])
@pytest.mark.parametrize("dist", [100e3, 300e3, 600e3])
def test_system_plane_is_stereographic_about_the_origin(az: float, dist: float) -> None:
    origin = (39.93, 32.86)
    lon, lat, _ = GEOD.fwd(origin[1], origin[0], az, dist)
    x, y = ax.system_plane([lat], [lon], origin)
    r = _gauss_radius(origin[0])
    # stereographic: radius 2 R tan(s / 2R), bearing preserved (closed form on the sphere)
    assert float(np.hypot(x, y)[0]) == pytest.approx(2 * r * np.tan(dist / (2 * r)), abs=0.5)
    assert np.degrees(np.arctan2(x, y))[0] % 360 == pytest.approx(az, abs=1e-4)
    # the tangent plane (ENU) would be off by tens of metres or more at these ranges
    if dist >= 300e3:
        assert abs(float(np.hypot(x, y)[0]) - r * np.sin(dist / r)) > 50.0


def test_vertical_rate_is_along_the_local_normal() -> None:
    origin = (39.93, 32.86)
    # level flight due east in the scenario frame, seen 3° of longitude east at the same
    # latitude: the origin's east axis climbs there by cos(lat) sin(dlon) (exact)
    rate = ax.vertical_rate([39.93, 39.93], [32.86, 35.86], [[250.0, 0.0, 0.0]] * 2, origin)
    assert rate[0] == pytest.approx(0.0, abs=1e-9)
    assert rate[1] == pytest.approx(
        250 * np.cos(np.radians(39.93)) * np.sin(np.radians(3.0)), rel=1e-12
    )
    assert ax.vertical_rate([39.93], [32.86], [[0.0, 0.0, -12.0]], origin)[0] == pytest.approx(
        -12.0
    )


def test_system_plane_velocity_is_the_projection_differential() -> None:
    origin = (39.93, 32.86)
    proj = Proj("+proj=sterea +lat_0=39.93 +lon_0=32.86 +k=1 +ellps=WGS84")
    frame = LocalFrame.from_degrees(*origin)
    for az, dist, heading in ((90.0, 300e3, 0.0), (200.0, 450e3, 33.0), (0.0, 0.0, 250.0)):
        lon, lat, _ = GEOD.fwd(origin[1], origin[0], az, dist)
        local = enu_rotation(np.radians(lat), np.radians(lon))
        v_local = np.array(
            [300 * np.sin(np.radians(heading)), 300 * np.cos(np.radians(heading)), -40.0]
        )
        v_scn = frame.vec_to_enu(v_local @ local)  # the same velocity in the scenario frame
        vx, vy = ax.system_plane_velocity([lat], [lon], v_scn[None, :], origin)
        fac = proj.get_factors(lon, lat)  # PROJ's analytic scale and convergence
        assert float(np.hypot(vx, vy)[0]) == pytest.approx(300 * fac.meridional_scale, rel=1e-8)
        grid_heading = np.degrees(np.arctan2(vx, vy))[0]
        assert (
            grid_heading - heading + fac.meridian_convergence + 180
        ) % 360 - 180 == pytest.approx(0, abs=1e-6)


@pytest.fixture()
def good_stream() -> bytes:
    cols = _one_row(t=[0.0, 1.0], track_id=[1, 2], status=["confirmed"] * 2, identity=["unknown"] * 2,
                    e=[1.0, 2.0], n=[1.0, 2.0], ve=[0.0, 0.0], vn=[0.0, 0.0], lat_deg=[1.0, 2.0],
                    lon_deg=[1.0, 2.0], alt_m=[100.0, 200.0])  # fmt: skip
    return ax.encode_tracks(cols, None, 0, 0, origin=ORIGIN)


@pytest.mark.parametrize("cut", [1, 2, 5, 20])
def test_truncated_stream_is_rejected(good_stream: bytes, cut: int) -> None:
    with pytest.raises(ax.AsterixError, match="truncated"):
        ax.decode(good_stream[:-cut])
    with pytest.raises(DecodeError):  # the independent decoder agrees it is broken
        Decoder(editions={62: "1.18"}).decode(good_stream[:-cut])


def test_malformed_blocks_are_rejected(good_stream: bytes) -> None:
    block = ax.split_blocks(good_stream)[0]
    with pytest.raises(ax.AsterixError, match="category 48"):
        ax.decode(bytes([48]) + block[1:])
    with pytest.raises(ax.AsterixError, match="too small"):
        ax.decode(bytes([62, 0, 2]) + block[3:])
    # LEN shorter than the record: the record's items run past the block end
    short = bytes([62, 0, len(block) - 4]) + block[3:-4]
    with pytest.raises(ax.AsterixError, match=r"truncated|past the end"):
        ax.decode(short)
    # FSPEC naming an item this module does not write (I062/210, FRN 8)
    fspec_bad = bytes([62, 0, 6, 0x01, 0x80, 0x00])
    with pytest.raises(ax.AsterixError, match="I062/210"):
        ax.decode(fspec_bad)
    # FSPEC naming the spare FRN 2
    with pytest.raises(ax.AsterixError, match="spare FRN 2"):
        ax.decode(bytes([62, 0, 6, 0x40, 0, 0]))
    with pytest.raises(ax.AsterixError, match="empty FSPEC"):
        ax.decode(bytes([62, 0, 4, 0x00]))
    with pytest.raises(ValueError, match="sac"):
        ax.encode_tracks(_one_row(), None, 256, 0, origin=ORIGIN)


def test_udp_sink_sends_decodable_datagrams(run: RunData) -> None:
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2.0)
    port = rx.getsockname()[1]
    origin = run.meta["origin"]
    sink = ax.AsterixUdpSink("127.0.0.1", port, 12, 34, origin["lat_deg"], origin["lon_deg"], None,
                             max_datagram=600)  # fmt: skip
    tr = _ordered_tracks(run)
    times = np.unique(tr["t"])[:5]
    sent = 0
    try:
        sink.open(run.meta)
        sink.rows("truth", run.table("truth"))  # ignored
        sink.event({"kind": "launch"})  # ignored
        for t in times:
            m = tr["t"] == t
            # rows without geodetic columns: the sink derives them from ENU
            rows = {k: v[m] for k, v in tr.items() if k not in ("lat_deg", "lon_deg", "alt_m")}
            sink.rows("tracks", rows)
            sent += int(m.sum())
        received = []
        while sum(len(_pyasteryx(d)) for d in received) < sent:
            received.append(rx.recv(65535))
    finally:
        sink.close({})
        rx.close()
    assert sink.n_blocks == sent and sink.n_datagrams == len(received)
    assert all(len(d) <= 600 for d in received)
    recs = [r for d in received for r in _pyasteryx(d)]
    assert {(r["I062/010.SAC"], r["I062/010.SIC"]) for r in recs} == {(12, 34)}
    m = np.isin(tr["t"], times)
    np.testing.assert_allclose([r["I062/105.Lat"] for r in recs], tr["lat_deg"][m], atol=1e-5)
    np.testing.assert_allclose([r["I062/130.Alt"] for r in recs], tr["alt_m"][m] / FT, atol=3.2)
    tsb = np.array([r["I062/080.TSB"] for r in recs])
    assert (
        tsb[: int((tr["t"] == times[0]).sum())].all()
        and not tsb[int((tr["t"] == times[0]).sum()) :].any()
    )


def test_parse_host_port() -> None:
    assert ax.parse_host_port("127.0.0.1:8600") == ("127.0.0.1", 8600)
    for bad in ("8600", "host:", "h:99999", "h:x"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            ax.parse_host_port(bad)


def test_udp_sink_marks_first_and_deleted_tracks() -> None:
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2.0)
    sink = ax.AsterixUdpSink(
        "127.0.0.1", rx.getsockname()[1], 1, 2, 40.0, 30.0, "2026-01-01T00:00:00Z"
    )

    def rows(t: float, ids: list[int]) -> dict[str, np.ndarray]:
        k = len(ids)
        return {
            "t": np.full(k, t), "track_id": np.array(ids, np.int64), "status": np.array(["confirmed"] * k),
            "identity": ["unknown"] * k, "e": np.array(ids, float) * 1000.0, "n": np.zeros(k),
            "u": np.full(k, 500.0), "ve": np.zeros(k), "vn": np.zeros(k),
        }  # fmt: skip

    try:
        sink.open({})
        got = []
        for t, ids in ((0.0, [1, 2]), (1.0, [2]), (2.0, [2, 3]), (3.0, [])):
            sink.rows("tracks", rows(t, ids))
            got.append(ax.decode(rx.recv(65535)) if ids or t == 3.0 else None)
    finally:
        sink.close({})
        rx.close()
    summary = [
        [(int(n), float(tod), bool(b), bool(e)) for n, tod, b, e in zip(d["track_number"], d["time_of_day"], d["tsb"], d["tse"], strict=True)]
        for d in got
        if d is not None
    ]  # fmt: skip
    assert summary == [
        [(1, 0.0, True, False), (2, 0.0, True, False)],
        [(1, 0.0, False, True), (2, 1.0, False, False)],  # track 1 deleted: its last update, TSE
        [(2, 2.0, False, False), (3, 2.0, True, False)],
        [(2, 2.0, False, True), (3, 2.0, False, True)],  # everything gone
    ]
    assert sink.n_ended == 3 and sink.n_blocks == 8
    # ENU-only rows: the sink derived the geodetic position from the origin (40 N, 30 E)
    assert got[0]["lat_deg"][0] == pytest.approx(40.0, abs=1e-4)
    assert got[0]["lon_deg"][0] == pytest.approx(
        30.0 + 1000.0 / (111_320 * np.cos(np.radians(40))), abs=1e-4
    )


def test_uap_agrees_with_an_independent_spec_table() -> None:
    from pyasteryx import SpecRegistry

    uap = SpecRegistry.with_bundled().get(62, "1.18").uap  # from CroatiaControl's cat062.xml
    assert {item: uap.index(f"I062/{item}") + 1 for item in ax.UAP} == ax.UAP
    spec = {it.item_id: it for it in SpecRegistry.with_bundled().get(62, "1.18").items.values()}
    for item, n in ax._FIXED_LEN.items():
        assert spec[f"I062/{item}"].length == n
