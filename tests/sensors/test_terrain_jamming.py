"""Terrain masking on a synthetic DEM ridge, and stand-off jamming against the
textbook burn-through range."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

from airdefsim.geo.wgs84 import LocalFrame, geodetic_to_ecef
from airdefsim.scenario.presets import get_presets
from airdefsim.sensors import detection, jamming
from airdefsim.sensors.radar import Radar
from airdefsim.sensors.terrain import Dem, is_masked
from airdefsim.types import Jammer, Plots

from .helpers import steady_rcs, targets_at

LAT0, LON0 = 40.0, 30.0
RIDGE_LAT = LAT0 + 0.18  # ~20 km north of the site
SITE = LocalFrame.from_degrees(LAT0, LON0, 10.0)


def write_ridge(path, height=1000.0):
    """A 0.8° x 0.8° GeoTIFF around the site: flat 0 m with an east-west ridge of
    ``height`` m, 0.02° wide, 0.18° north of the site."""
    res = 0.002
    n = 400
    lat = LAT0 + 0.4 - res * (np.arange(n) + 0.5)
    z = np.where(np.abs(lat - RIDGE_LAT) < 0.01, height, 0.0)[:, None] * np.ones((1, n))
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=n,
        width=n,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(res, 0.0, LON0 - 0.4, 0.0, -res, LAT0 + 0.4),
    ) as dst:
        dst.write(z.astype("float32"), 1)
    return path


@pytest.fixture(scope="module")
def dem(tmp_path_factory):
    return Dem.from_geotiff(write_ridge(tmp_path_factory.mktemp("dem") / "ridge.tif"))


def test_dem_reads_back(dem):
    assert dem.height(np.array([RIDGE_LAT]), np.array([LON0]))[0] == pytest.approx(1000.0)
    assert dem.height(np.array([LAT0]), np.array([LON0]))[0] == pytest.approx(0.0)
    assert dem.height(np.array([50.0]), np.array([LON0]))[0] == 0.0  # outside: 0


def test_ridge_hides_low_target_not_high_one(dem):
    lat = np.array([LAT0 + 0.36, LAT0 + 0.36, LAT0 - 0.36])
    lon = np.array([LON0, LON0, LON0])
    h = np.array([100.0, 5000.0, 100.0])  # low behind the ridge, high behind, low south
    gr = np.full(3, 0.36 * 111_195.0)
    m = is_masked(dem, LAT0, LON0, 10.0, lat, lon, h, gr)
    assert m.tolist() == [True, False, False]


def test_radar_with_dem_does_not_detect_masked_target(dem):
    spec = get_presets().radars["96L6E"].model_copy(update={"pfa": 1e-15})
    tg = targets_at(
        [0.0, 0.0, 180.0], [40e3], [100.0, 5000.0, 100.0], rcs=steady_rcs(20.0), site=SITE
    )
    seen = []
    for d in (dem, None):
        r = Radar(spec, SITE, 0.0, 0, np.random.default_rng(1), SITE, dem=d)
        p = Plots.concat([r.observe(t, t + 1.0, tg, []) for t in range(12)])
        seen.append(set(p.truth_id.tolist()))
    assert seen[0] == {1, 2}
    assert seen[1] == {0, 1, 2}


def _clean_spec():
    return get_presets().radars["91N6E"].model_copy(update={"band": "S", "clutter_loss": 0.0})


def test_burn_through_matches_textbook_closed_form():
    """Stand-off jammer in the side lobes: the range where the radar's S/(N+J) reaches
    the required SNR equals the textbook burn-through range
    R⁴ = P_t G² σ R_j² B_j / (4π ERP G_sl B_r (S/J)_req) (Skolnik §10.7), with
    P_t G² recovered from the calibration: P_t G² λ² / ((4π)³ N) = k."""
    s = _clean_spec().model_copy(update={"band": "HF"})  # no atmospheric loss
    r = Radar(s, SITE, 0.0, 0, np.random.default_rng(0), SITE)
    jam_pos = geodetic_to_ecef(np.radians(LAT0), np.radians(LON0 + 2.0), 10_000.0)  # east, ~170 km
    erp = 10 ** (60 / 10)  # 60 dBW
    jam = Jammer("soj", jam_pos, erp, 2e6, ("HF",))
    rcs = 1.0
    snr_req = float(detection.undb(detection.required_snr_db(0.5, s.pfa, s.pulses, s.swerling)))
    lam = 299792458.0 / s.frequency
    n0 = jamming.noise_power(s.bandwidth, s.noise_figure)
    pt_g2 = r.k * (4 * np.pi) ** 3 * n0 / lam**2
    g_sl = 10 ** ((s.antenna_gain + s.sidelobe_level) / 10)  # absolute side-lobe gain
    rj = float(np.linalg.norm(SITE.to_enu(jam_pos)))
    b_j, b_r = 2e6, s.bandwidth
    r_bt = (pt_g2 * rcs * rj**2 * b_j / (4 * np.pi * erp * g_sl * b_r * snr_req)) ** 0.25

    # the radar pipeline: SNR of a 1 m² target due north (jammer in the side lobes) at
    # range r_bt, 15 km up so the elevation stays above the clutter region
    tg = targets_at([0.0], [r_bt], 15_000.0, rcs=steady_rcs(0.0), site=SITE)
    snr, vis, rae, _ = r.snr(tg.pos, tg.vel, tg.rcs_index, tg.rcs_specs, [jam])
    assert vis[0]
    jn = r.jammer_to_noise(rae[:, 1], rae[:, 2], [jam])[0]
    assert jn > 100  # jamming dominates
    # closed form of the module, at the slant range actually used
    bt = jamming.burn_through_range(r.k, rcs, jn, snr_req)
    assert bt == pytest.approx(r_bt * (1 + 1 / jn) ** -0.25, rel=2e-3)
    # S/(N+J) at the textbook range is the required SNR (slant vs ground: <0.5%)
    assert snr[0] * (rae[0, 0] / r_bt) ** 4 == pytest.approx(snr_req / (1 + 1 / jn), rel=2e-3)


def test_jammer_out_of_band_or_below_horizon_does_nothing():
    s = _clean_spec()
    r = Radar(s, SITE, 0.0, 0, np.random.default_rng(0), SITE)
    near = geodetic_to_ecef(np.radians(LAT0), np.radians(LON0 + 1.0), 10_000.0)
    far_low = geodetic_to_ecef(np.radians(LAT0), np.radians(LON0 + 3.0), 50.0)  # ~255 km, 50 m
    az, el = np.array([0.0]), np.array([0.1])
    assert r.jammer_to_noise(az, el, [Jammer("x", near, 1e6, 1e7, ("X",))])[0] == 0.0
    assert r.jammer_to_noise(az, el, [Jammer("lo", far_low, 1e6, 1e7, ("S",))])[0] == 0.0
    assert r.jammer_to_noise(az, el, [Jammer("s", near, 1e6, 1e7, ("S",))])[0] > 0.0


def test_main_lobe_jamming_is_stronger_by_the_sidelobe_level():
    s = _clean_spec()
    r = Radar(s, SITE, 0.0, 0, np.random.default_rng(0), SITE)
    jpos = geodetic_to_ecef(np.radians(LAT0), np.radians(LON0 + 1.0), 10_000.0)
    jam = Jammer("s", jpos, 1e3, 1e7, ("S",))
    jaz, jel, _ = SITE.aer(jpos)
    jn = r.jammer_to_noise(np.array([jaz, jaz + 0.5]), np.array([jel, jel]), [jam])
    assert 10 * np.log10(jn[1] / jn[0]) == pytest.approx(s.sidelobe_level)


def test_jamming_shrinks_detections():
    s = _clean_spec().model_copy(update={"pfa": 1e-15})
    tg = targets_at(np.linspace(0, 350, 36), [250e3], 12_000.0, rcs=steady_rcs(0.0), site=SITE)
    jpos = geodetic_to_ecef(np.radians(LAT0 - 2.0), np.radians(LON0), 10_000.0)
    jam = Jammer("s", jpos, 10**6.5, 1e7, ("S",))
    counts = []
    for jams in ([], [jam]):
        r = Radar(s, SITE, 0.0, 0, np.random.default_rng(5), SITE)
        p = Plots.concat([r.observe(t, t + 5.0, tg, jams) for t in range(0, 40, 5)])
        counts.append(len(p))
    assert counts[1] < counts[0] / 2
