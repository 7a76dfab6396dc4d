"""Radar.observe: calibration, scan timing, sectors, cue dwells, false alarms,
measurement covariance, horizon, shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.geo.horizon import max_los_range
from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.scenario.presets import get_presets
from airdefsim.sensors import detection, jamming, propagation
from airdefsim.sensors.radar import Radar, cartesian_covariance
from airdefsim.types import Plots

from .helpers import SITE, steady_rcs, targets_at

SCEN = LocalFrame.from_degrees(40.2, 30.3, 0.0)


def spec(name: str, **update):
    return get_presets().radars[name].model_copy(update=update)


def make(name: str, seed: int = 0, heading: float = 0.0, **update) -> Radar:
    return Radar(spec(name, **update), SITE, heading, 3, np.random.default_rng(seed), SCEN)


def run(radar: Radar, targets, t_end: float, step: float, cues=None) -> Plots:
    parts = []
    t = 0.0
    while t < t_end - 1e-12:
        t1 = min(t + step, t_end)
        parts.append(radar.observe(t, t1, targets, [], cues))
        t = t1
    return Plots.concat(parts)


def test_calibration_reproduces_published_pd():
    for name, s in get_presets().radars.items():
        k = jamming.radar_constant(s)
        snr = k * s.calibration.rcs / s.calibration.range**4
        pd = detection.pd_swerling(snr, s.pfa, s.pulses, s.swerling)
        assert float(pd) == pytest.approx(s.calibration.pd, abs=1e-6), name


def test_snr_is_radar_equation_without_losses():
    r = make("91N6E", band="HF", clutter_loss=0.0)
    tg = targets_at([10, 50, 200], [100e3, 200e3, 300e3], 15_000.0, rcs=steady_rcs(3.0))
    snr, vis, rae, _ = r.snr(tg.pos, tg.vel, tg.rcs_index, tg.rcs_specs, [])
    assert vis.all()
    assert np.allclose(snr, r.k * 10**0.3 / rae[:, 0] ** 4, rtol=1e-9)


def test_detection_rate_at_calibration_snr():
    """End to end: targets whose RCS puts them at the calibration SNR are detected with
    the calibration Pd (0.5) over many scans."""
    r = make("96L6E", seed=11, band="HF", clutter_loss=0.0, pfa=1e-12)
    n = 60
    tg = targets_at(np.linspace(0, 354, n), 150e3, 12_000.0)
    _, _, rae, _ = r.snr(tg.pos, tg.vel, tg.rcs_index, tg.rcs_specs, [])
    cal = r.spec.calibration
    # one RCS spec per target so that each sits exactly at the calibration SNR
    specs = [
        steady_rcs(10 * np.log10(cal.rcs * (rr / cal.range) ** 4), swerling=1) for rr in rae[:, 0]
    ]
    tg = type(tg)(**{**tg.__dict__, "rcs_specs": specs, "rcs_index": np.arange(n)})
    plots = run(r, tg, 6.0 * 40, 2.0)
    hits = (plots.truth_id >= 0).sum()
    looks = 40 * n
    assert abs(hits / looks - 0.5) < 4.5 * np.sqrt(0.25 / looks)


def test_rotating_radar_looks_once_per_period_whatever_the_step():
    tg = targets_at([90.0], [50e3], 3000.0, rcs=steady_rcs(20.0))
    times = []
    for step in (0.7, 1.0, 25.0):
        r = make("96L6E", seed=4, pfa=1e-15)
        p = run(r, tg, 60.0, step)
        t = np.sort(p.t[p.truth_id == 0])
        times.append(t)
        assert len(t) == 10  # 60 s / 6 s per turn
        assert np.allclose(np.diff(t), 6.0, atol=1e-6)
    assert np.allclose(times[0], times[1]) and np.allclose(times[0], times[2])


def test_look_time_is_when_the_beam_crosses_the_target():
    tg = targets_at([0.0, 90.0, 180.0], [40e3], 3000.0, rcs=steady_rcs(20.0))
    r = make("96L6E", seed=9, pfa=1e-15)
    phase0 = r._phase
    p = run(r, tg, 6.0, 1.0)
    for tid, az in ((0, 0.0), (1, 0.25), (2, 0.5)):
        t = p.t[p.truth_id == tid]
        assert t.size == 1
        assert t[0] == pytest.approx(6.0 * np.mod(az - phase0, 1.0), abs=1e-3)


def test_sector_radar_sees_only_its_sector():
    tg = targets_at([10.0, 90.0, 200.0], [60e3], 8000.0, rcs=steady_rcs(20.0))
    r = make("92N6E", seed=1, heading=0.0, pfa=1e-15)
    p = run(r, tg, 20.0, 1.0)
    ids = set(p.truth_id.tolist())
    assert 0 in ids and 1 not in ids and 2 not in ids
    assert (p.truth_id == 0).sum() == 5  # 4 s frame


def test_cue_dwells_add_looks_and_stretch_the_search_frame():
    tg = targets_at([0.0, 30.0], [100e3], 10_000.0, rcs=steady_rcs(20.0))
    r = make("92N6E", seed=2, pfa=1e-15)
    p = run(r, tg, 40.0, 0.5, cues=tg.pos[:1])
    assert 48 <= (p.truth_id == 0).sum() <= 52  # 40 track dwells + ~10 search looks
    # 50 cues elsewhere fill half the time: search looks of target 1 halve; more cues
    # beyond the capacity are not served
    far = targets_at(np.linspace(-40, 40, 200), [300e3], 20_000.0).pos
    for cues, expect in ((None, 10), (far[:50], 5), (far, 5)):
        r = make("92N6E", seed=2, pfa=1e-15)
        p = run(r, tg, 40.0, 1.0, cues=cues)
        assert abs((p.truth_id == 1).sum() - expect) <= 1


def test_false_alarm_count_is_pfa_times_cells():
    r = make("91N6E", seed=3, pfa=1e-6)
    empty = targets_at([0.0], [1e3], 0.0)
    empty = type(empty)(**{**empty.__dict__, "alive": np.zeros(1, bool)})
    p = run(r, empty, 300.0, 1.0)
    expected = 1e-6 * r.cells_per_frame() * 30
    assert abs(len(p) - expected) < 4.5 * np.sqrt(expected)
    assert (p.truth_id == -1).all()
    assert (p.rae[:, 0] <= r.spec.instrumented_range).all()
    assert (p.t >= 0).all() and (p.t < 300).all()


def test_measurement_covariance_is_consistent():
    """Normalised estimation error squared of the plots averages 3 (χ², 3 dof)."""
    tg = targets_at(np.linspace(0, 358, 200), [60e3], 5000.0, rcs=steady_rcs(0.0))
    r = make("96L6E", seed=8, pfa=1e-15)
    p = run(r, tg, 60.0, 1.0)
    truth = SCEN.to_enu(tg.pos[p.truth_id])
    e = p.pos - truth
    nees = np.einsum("ki,kij,kj->k", e, np.linalg.inv(p.R), e)
    assert len(p) > 1500
    assert nees.mean() == pytest.approx(3.0, abs=0.25)
    # R is symmetric positive definite, sensor_pos is the site in scenario ENU
    assert np.allclose(p.R, np.transpose(p.R, (0, 2, 1)))
    assert (np.linalg.eigvalsh(p.R) > 0).all()
    assert np.allclose(p.sensor_pos, SCEN.to_enu(SITE.origin))


def test_errors_grow_as_snr_falls():
    tg = targets_at([0.0, 0.5], [30e3, 140e3], 5000.0, rcs=steady_rcs(0.0))
    r = make("96L6E", seed=8, pfa=1e-15)
    p = run(r, tg, 60.0, 1.0)
    near = p.sigma_rae[p.truth_id == 0].mean(axis=0)
    far = p.sigma_rae[p.truth_id == 1].mean(axis=0)
    assert (far > near).all()
    assert near[1] >= r.spec.accuracy.azimuth


def test_horizon_limits_visibility():
    r = make("96L6E")
    h_site, h_t = SITE.h, 20.0
    d = float(max_los_range(h_site, h_t, propagation.EFF_RADIUS))
    tg = targets_at([0.0, 0.0], [d * 0.98, d * 1.02], h_t)
    _, vis, _, _ = r.snr(tg.pos, tg.vel, tg.rcs_index, tg.rcs_specs, [])
    assert vis.tolist() == [True, False]


@pytest.mark.parametrize("n", [0, 1, 25])
def test_shapes(n):
    r = make("91N6E", seed=1, pfa=1e-15)
    tg = targets_at(
        np.linspace(0, 350, n) if n else np.zeros(0), [50e3], 5000.0, rcs=steady_rcs(20.0)
    )
    p = run(r, tg, 10.0, 1.0)
    k = len(p)
    assert k == n
    assert p.pos.shape == (k, 3) and p.R.shape == (k, 3, 3) and p.rae.shape == (k, 3)
    assert p.sigma_rae.shape == (k, 3) and p.sensor_pos.shape == (k, 3)
    assert p.t.shape == p.snr_db.shape == p.truth_id.shape == p.sensor.shape == (k,)
    assert (p.sensor == 3).all()
    assert np.all(np.diff(p.t) >= 0)


@settings(max_examples=60, deadline=None)
@given(
    r=st.floats(100.0, 6e5),
    az=st.floats(0.0, 2 * np.pi),
    el=st.floats(-0.1, 1.5),
    sr=st.floats(1.0, 500.0),
    sa=st.floats(1e-4, 0.05),
    se=st.floats(1e-4, 0.05),
)
def test_measurement_covariance_symmetric_psd(r, az, el, sr, sa, se):
    cov = cartesian_covariance(np.array([[r, az, el]]), np.array([[sr, sa, se]]))[0]
    assert np.allclose(cov, cov.T)
    w = np.linalg.eigvalsh(cov)
    assert w.min() > -1e-9 * w.max()
    # the trace is the sum of the variances along range and the two cross directions
    expect = sr**2 + (r * np.cos(el) * sa) ** 2 + (r * se) ** 2
    assert np.trace(cov) == pytest.approx(expect, rel=1e-9)
