"""Coverage functions and the ``coverage`` command (Typer CliRunner)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from airdefsim.analysis import coverage
from airdefsim.cli.coverage import register
from airdefsim.geo.horizon import max_los_range
from airdefsim.scenario.presets import get_presets
from airdefsim.sensors import rcs as rcs_mod
from airdefsim.sensors.propagation import EFF_RADIUS

from .test_terrain_jamming import LAT0, LON0, write_ridge


def radar(name):
    return get_presets().radars[name]


@pytest.mark.parametrize("name", ["91N6E", "92N6E", "96L6E", "AN/MPQ-65"])
def test_range_scales_as_fourth_root_of_rcs(name):
    """Free space (no losses), high target, not horizon-limited: 16x RCS -> 2x range,
    and the calibration RCS gives the calibration range."""
    s = radar(name)
    cal = s.calibration
    small = coverage.detection_range(s, cal.rcs / 16, 30_000.0, cal.pd, losses=False)
    big = coverage.detection_range(s, cal.rcs / 256, 30_000.0, cal.pd, losses=False)
    assert small.limited_by == "snr" and big.limited_by == "snr"
    assert small.detection_range == pytest.approx(cal.range / 2, rel=1e-4)
    assert big.detection_range == pytest.approx(cal.range / 4, rel=1e-4)
    fs = coverage.free_space_range(s, cal.rcs * 0.01, cal.pd)
    assert fs == pytest.approx(cal.range * 0.01**0.25, rel=1e-9)


def test_horizon_and_instrumented_limits():
    s = radar("91N6E")
    low = coverage.detection_range(s, 100.0, 20.0)
    assert low.limited_by == "horizon"
    assert low.horizon_range == pytest.approx(float(max_los_range(s.mast_height, 20.0, EFF_RADIUS)))
    assert low.detection_range == pytest.approx(low.horizon_range, rel=1e-3)
    # 4.12 km per sqrt(m), two heights add (cases.json hor.coef_km_per_sqrt_m)
    assert low.horizon_range / 1e3 == pytest.approx(4.12 * (np.sqrt(10) + np.sqrt(20)), rel=2e-3)
    high = coverage.detection_range(s, 1000.0, 30_000.0)
    assert high.limited_by == "instrumented"
    assert high.detection_range == pytest.approx(s.instrumented_range, abs=5.0)


def test_losses_only_shorten_the_range():
    s = radar("92N6E")
    with_l = coverage.detection_range(s, 0.1, 10_000.0)
    without = coverage.detection_range(s, 0.1, 10_000.0, losses=False)
    assert 0.8 * without.detection_range < with_l.detection_range < without.detection_range


def test_jamming_shrinks_range_by_fourth_root():
    s = radar("92N6E")
    clear = coverage.detection_range(s, 0.1, 20_000.0, losses=False)
    jammed = coverage.detection_range(s, 0.1, 20_000.0, losses=False, jn=15.0)
    assert jammed.detection_range == pytest.approx(clear.detection_range / 2, rel=1e-3)


def test_unit_preset_resolves_radars_once_each():
    rows = coverage.coverage_table("s400_regiment", 0.01, 10_000.0)
    assert [r["name"] for r in rows] == ["91N6E", "92N6E", "96L6E"]
    with pytest.raises(coverage.CoverageError):
        coverage.coverage_table("nope")


def test_first_detection_ranges_use_threat_rcs_by_band():
    rows = coverage.first_detection_ranges("s400_battalion")
    p = get_presets()
    assert len(rows) == 6
    for r in rows:
        s = p.radars[r["radar"]]
        th = p.threats[r["threat"]]
        assert r["rcs_dbsm"] == pytest.approx(
            float(rcs_mod.rcs_dbsm(th.rcs, s.band, np.zeros(1))[0])
        )
        ref = coverage.detection_range(
            s, 10 ** (r["rcs_dbsm"] / 10), r["altitude_m"], swerling=th.rcs.swerling
        )
        assert r["detection_range_m"] == pytest.approx(ref.detection_range, abs=0.1)
        assert r["detection_range_m"] <= r["horizon_range_m"] * 1.001


def test_horizontal_coverage_with_ridge_and_jammer(tmp_path):
    from airdefsim.sensors.terrain import Dem

    dem = Dem.from_geotiff(write_ridge(tmp_path / "r.tif", height=3000.0))
    s = radar("96L6E")
    _, r_clear = coverage.horizontal_coverage(s, 10.0, 500.0, site_deg=(LAT0, LON0), n_az=8)
    _, r_dem = coverage.horizontal_coverage(s, 10.0, 500.0, site_deg=(LAT0, LON0), dem=dem, n_az=8)
    north, south = 0, 4
    assert r_dem[north] < 25e3 < r_clear[north]  # the ridge 20 km north hides beyond it
    assert r_dem[south] == pytest.approx(r_clear[south], rel=0.01)  # flat: same to the horizon
    _, r_jam = coverage.horizontal_coverage(
        s, 10.0, 5000.0, site_deg=(LAT0, LON0), jammer=(LAT0 + 1.0, LON0, 50.0), n_az=8
    )
    _, r_5k = coverage.horizontal_coverage(s, 10.0, 5000.0, site_deg=(LAT0, LON0), n_az=8)
    assert r_jam[north] < 0.5 * r_5k[north]  # main-lobe jamming on the jammer's bearing
    assert (r_jam <= r_5k + 1e-6).all()


# ---------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def app():
    a = typer.Typer()
    register(a)

    @a.callback()
    def _root() -> None:
        """test app"""

    return a


def test_cli_json(app):
    res = CliRunner().invoke(
        app, ["coverage", "patriot_battery", "--rcs", "-20 dBsm", "--altitude", "20 m", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    (row,) = out["radars"]
    assert row["name"] == "AN/MPQ-65"
    assert row["rcs_m2"] == pytest.approx(0.01)
    assert row["altitude_m"] == 20.0
    assert row["horizon_range_m"] == pytest.approx(
        float(max_los_range(5.0, 20.0, EFF_RADIUS)), abs=0.1
    )
    ref = coverage.detection_range(radar("AN/MPQ-65"), 0.01, 20.0)
    assert row["detection_range_m"] == pytest.approx(ref.detection_range, abs=0.1)


def test_cli_m2_and_dbsm_agree(app):
    a = CliRunner().invoke(app, ["coverage", "91N6E", "--rcs", "0.01", "--json"])
    b = CliRunner().invoke(
        app, ["coverage", "91N6E", "--rcs", "-20dBsm", "--altitude", "10 km", "--json"]
    )
    assert a.exit_code == b.exit_code == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_cli_table(app):
    res = CliRunner().invoke(app, ["coverage", "s400_battalion"])
    assert res.exit_code == 0
    for name in ("91N6E", "92N6E", "96L6E"):
        assert name in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["coverage", "nope"],
        ["coverage", "91N6E", "--altitude", "ten"],
        ["coverage", "91N6E", "--rcs", "-3"],
        ["coverage", "91N6E", "--rcs", "big"],
        ["coverage", "91N6E", "--pd", "1.5"],
        ["coverage", "91N6E", "--out", "OUT", "--jammer", "1,2"],
        ["coverage", "91N6E", "--out", "OUT", "--jammer", "40,30,50"],
    ],
)
def test_cli_bad_input_one_line_exit_2(app, args, tmp_path):
    args = [str(tmp_path / "o") if a == "OUT" else a for a in args]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_writes_pngs_with_dem_and_jammer(app, tmp_path):
    dem = write_ridge(tmp_path / "ridge.tif")
    out = tmp_path / "cov"
    res = CliRunner().invoke(
        app,
        [
            "coverage",
            "96L6E",
            "--altitude",
            "500 m",
            "--rcs",
            "1",
            "--out",
            str(out),
            "--dem",
            str(dem),
            "--jammer",
            f"{LAT0 + 1},{LON0},40",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    files = json.loads(res.stdout)["files"]
    assert sorted(p.split("/")[-1] for p in files) == ["96L6E_horizontal.png", "96L6E_vertical.png"]
    for f in files:
        with open(f, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_first_detection_accepts_pairs_and_text_altitudes():
    a = coverage.first_detection_ranges("patriot_battery", [("cruise_missile", "20 m")])
    b = coverage.first_detection_ranges("patriot_battery", [("cruise_missile", 20.0, "head-on")])
    assert a == b
    with pytest.raises(coverage.CoverageError):
        coverage.first_detection_ranges("patriot_battery", [("cruise_missile", "low")])
    with pytest.raises(coverage.CoverageError):
        coverage.first_detection_ranges("patriot_battery", [("nope", 20.0)])


def test_cli_first_detection(app):
    res = CliRunner().invoke(app, ["coverage", "s400_battalion", "--first-detection", "--json"])
    assert res.exit_code == 0
    rows = json.loads(res.stdout)["first_detection"]
    assert rows == coverage.first_detection_ranges("s400_battalion")
    res = CliRunner().invoke(app, ["coverage", "patriot_battery", "--first-detection"])
    assert res.exit_code == 0 and "cruise_missile" in res.stdout
