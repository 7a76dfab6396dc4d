"""RCS by aspect/band and IFF replies."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.scenario.schema import RcsSpec
from airdefsim.sensors import iff, rcs

SPEC = RcsSpec.model_validate(
    {
        "default": {"nose": "-20 dBsm", "side": "-5 dBsm", "tail": "-10 dBsm"},
        "bands": {"X": {"nose": -30, "side": -15, "tail": -20}},
        "swerling": 1,
    }
)


def test_rcs_table_points_and_interpolation():
    a = np.radians([0, 45, 90, 135, 180])
    assert np.allclose(rcs.rcs_dbsm(SPEC, "S", a), [-20, -12.5, -5, -7.5, -10])
    assert np.allclose(rcs.rcs_dbsm(SPEC, "X", a[[0, 2, 4]]), [-30, -15, -20])


def test_rcs_aspect_symmetric_and_folded():
    a = np.radians([30.0, -30.0, 330.0, 390.0])
    v = rcs.rcs_dbsm(SPEC, "L", a)
    assert np.allclose(v, v[0])


def test_unknown_band_uses_default():
    assert rcs.rcs_dbsm(SPEC, "VHF", np.array([0.0]))[0] == pytest.approx(-20.0)


def test_aspect_angle_geometry():
    radar = np.array([0.0, 0.0, 0.0])
    pos = np.array([[1000.0, 0, 0], [1000.0, 0, 0], [1000.0, 0, 0], [0, 1000.0, 0]])
    vel = np.array([[-200.0, 0, 0], [200.0, 0, 0], [0, 200.0, 0], [0, 0, 0]])
    a = rcs.aspect_angle(pos, vel, radar)
    assert np.allclose(a, [0.0, np.pi, np.pi / 2, 0.0])


@pytest.mark.parametrize("n", [0, 1, 50])
def test_rcs_shapes(n):
    assert rcs.rcs_dbsm(SPEC, "S", np.zeros(n)).shape == (n,)
    assert rcs.aspect_angle(np.ones((n, 3)), np.ones((n, 3)), np.zeros(3)).shape == (n,)


def test_iff_hostiles_and_silent_never_reply():
    rng = np.random.default_rng(1)
    n = 5000
    mode = np.repeat([0, 1, 5], n)
    friendly = np.tile([True, False], 3 * n // 2 + 1)[: 3 * n]
    reply = iff.interrogate(mode, friendly, rng)
    assert not reply[~friendly].any()
    assert not reply[mode == 0].any()


def test_iff_reply_rate_is_reliability():
    rng = np.random.default_rng(2)
    n = 20_000
    for m, p in ((5, 0.98), (1, 0.95)):
        reply = iff.interrogate(np.full(n, m), np.ones(n, bool), rng)
        assert abs(reply.mean() - p) < 4.5 * np.sqrt(p * (1 - p) / n)
    reply = iff.interrogate(np.full(n, 5), np.ones(n, bool), rng, reliability=0.5)
    assert abs(reply.mean() - 0.5) < 4.5 * np.sqrt(0.25 / n)


def test_iff_deterministic_and_shapes():
    a = iff.interrogate(np.full(10, 5), np.ones(10, bool), np.random.default_rng(7))
    b = iff.interrogate(np.full(10, 5), np.ones(10, bool), np.random.default_rng(7))
    assert np.array_equal(a, b)
    assert iff.interrogate(
        np.zeros(0, np.int64), np.zeros(0, bool), np.random.default_rng(0)
    ).shape == (0,)
