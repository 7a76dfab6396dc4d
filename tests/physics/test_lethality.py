"""Kill probability from the miss distance: the Carleton damage function (closed form and
its lethal area by quadrature), body-to-body hits, and flyout kills that follow it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from airdefsim.physics import flyout, lethality
from airdefsim.physics.flyout import Interceptors


@pytest.mark.parametrize("d0", [0.5, 0.8, 1.0])
def test_carleton_lethal_area_is_the_cookie_cutter_area(d0: float) -> None:
    # ∫ P_k dA = π R_L² (Driels, Weaponeering: the Carleton function's lethal area);
    # integrated numerically out to the fuze range (the function is cut there)
    r_l = 20.0
    cut = lethality.FUZE_RANGE_FACTOR * r_l
    area, _ = quad(
        lambda r: 2 * np.pi * r * float(lethality.kill_probability(r, r_l, d0, False)), 0, cut
    )
    tail = np.pi * r_l**2 * np.exp(-d0 * lethality.FUZE_RANGE_FACTOR**2)  # beyond the cut
    assert area + tail == pytest.approx(np.pi * r_l**2, rel=1e-6)


def test_carleton_values_and_fuze_range() -> None:
    r = np.array([0.0, 10.0, 20.0, 40.0, 59.0, 61.0])
    pk = lethality.kill_probability(r, 20.0, 0.8, False)
    np.testing.assert_allclose(pk[:5], 0.8 * np.exp(-0.8 * (r[:5] / 20.0) ** 2), rtol=1e-12)
    assert pk[5] == 0.0  # outside the proximity fuze's range: no detonation
    assert lethality.fuzed(59.0, 20.0, False) and not lethality.fuzed(61.0, 20.0, False)
    # monotone: a closer pass is never less lethal
    assert np.all(np.diff(pk) <= 0)


def test_hit_to_kill_is_body_contact() -> None:
    r = np.array([0.0, 0.5, 1.0, 1.01, 3.0])
    pk = lethality.kill_probability(r, 1.0, 0.9, True)
    np.testing.assert_allclose(pk, [0.9, 0.9, 0.9, 0.0, 0.0])
    assert not lethality.fuzed(1.5, 1.0, True)


def test_flyout_kills_follow_the_damage_function(missiles, make_view, monkeypatch) -> None:
    # 200 9M96E2 (8 m lethal radius) at one stationary point with a deliberately poor
    # seeker (5 mrad, 4 m glint) so the misses spread over the damage function: the number
    # of kills is the sum of Bernoulli(P_k(miss_i)) (4 sigma)
    monkeypatch.setitem(flyout.SEEKER_NOISE, "active_radar", 5e-3)
    monkeypatch.setitem(flyout.GLINT, "active_radar", 4.0)
    spec = missiles["9M96E2"]
    launcher = np.array([4517590.878, 0.0, 4487348.409])  # ~45 N 0 E
    up = launcher / np.linalg.norm(launcher)
    target = launcher + 6000.0 * up + np.array([0.0, 20000.0, 0.0])
    flights = Interceptors()
    for k in range(200):
        flights.launch(0.0, spec, launcher, target, np.zeros(3), k, 9, "u")
    view = make_view(0.0, target[None], np.zeros((1, 3)), np.array([9]))
    events = flights.advance(0.0, 200.0, view, np.random.default_rng(11))
    assert len(events) == 200
    miss = np.array([e.miss_distance for e in events])
    killed = np.array([e.killed for e in events])
    assert np.std(miss) > 1.0 and np.max(miss) > spec.lethal_radius / 2  # spread misses
    pk = lethality.kill_probability(miss, spec.lethal_radius, spec.pk, False)
    sigma = np.sqrt(np.sum(pk * (1 - pk)))
    assert abs(killed.sum() - pk.sum()) < 4 * sigma
    # no kill without a detonation
    assert all(e.reason == "fuze" for e in events if e.killed)
