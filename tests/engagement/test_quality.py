"""The track-quality gate against closed-form kinematics."""

from __future__ import annotations

import numpy as np

from airdefsim.engagement import quality as q
from airdefsim.units import G0


def _run(vels: list[np.ndarray], alt: float = 5000.0, sigma: float = 100.0, n: int = 10):
    gate = q.TrackQuality()
    out = None
    for k, v in enumerate(vels):
        out = gate.assess(
            float(k),
            np.array([7]),
            np.array([alt]),
            np.asarray(v, float).reshape(1, 3),
            np.array([sigma]),
            np.array([n]),
            np.array([float(k)]),
        )
    assert out is not None
    return bool(out[0][0]), str(out[1][0])


def test_a_9g_break_passes_and_a_track_hop_fails() -> None:
    v = 250.0
    w = 9 * G0 / v  # rad/s, level turn at 9 g
    turn = [v * np.array([np.cos(w * k), np.sin(w * k), 0.0]) for k in range(5)]
    assert _run(turn) == (True, "")
    hop = [np.array([0.0, 50.0, 0.0])] * 3 + [np.array([900.0, -300.0, 0.0])] * 2
    ok, why = _run(hop)
    assert not ok and "manoeuvre" in why


def test_each_basic_test_fails_alone() -> None:
    steady = [np.array([250.0, 0.0, 0.0])] * 4
    assert _run(steady, alt=-500.0)[1] == "below the ground"
    assert "uncertainty" in _run(steady, sigma=5000.0)[1]
    assert "fewer than" in _run(steady, n=1)[1]
    assert "speed" in _run([np.array([7000.0, 0.0, 0.0])] * 4)[1]
