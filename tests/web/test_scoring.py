"""Scoring: closed-form values of each part and of the total."""

from __future__ import annotations

import math

import pytest

from airdefsim.web import scoring


def parts(res: dict) -> dict[str, float]:
    return {p["key"]: p["points"] for p in res["parts"]}


def test_perfect_defence_scores_100() -> None:
    s = {
        "threats": 4,
        "threats_killed": 4,
        "leakers": 0,
        "interceptors_fired": 8,
        "assets_hit": 0,
        "friendlies_engaged": 0,
        "detection_to_launch_s": 10.0,
    }
    res = scoring.score(s, n_assets=2, decisions=[])
    assert res["total"] == 100.0
    assert parts(res) == {
        "assets": 35.0,
        "leakers": 25.0,
        "friendlies": 0.0,
        "roe": 0.0,
        "reaction": 20.0,
        "ipk": 20.0,
    }


def test_each_part_by_closed_form() -> None:
    # 1 of 2 assets hit, 1 leaker of 4, reaction 65 s (half-way 10..120), 4 per kill.
    s = {
        "threats": 4,
        "threats_killed": 3,
        "leakers": 1,
        "interceptors_fired": 12,
        "assets_hit": 1,
        "friendlies_engaged": 0,
        "detection_to_launch_s": 65.0,
    }
    res = scoring.score(s, n_assets=2)
    p = parts(res)
    assert p["assets"] == pytest.approx(17.5)
    assert p["leakers"] == pytest.approx(18.75, abs=0.051)
    assert p["reaction"] == pytest.approx(10.0)
    assert p["ipk"] == pytest.approx(10.0)
    assert res["total"] == pytest.approx(17.5 + 18.75 + 10.0 + 10.0, abs=0.1)


def test_friendly_engaged_is_the_gravest_error() -> None:
    base = {
        "threats": 1,
        "threats_killed": 1,
        "leakers": 0,
        "interceptors_fired": 2,
        "assets_hit": 0,
        "detection_to_launch_s": 5.0,
    }
    good = scoring.score({**base, "friendlies_engaged": 0}, 1)["total"]
    bad = scoring.score({**base, "friendlies_engaged": 1}, 1)["total"]
    assert good - bad == 50.0
    # worse than losing the asset and every threat leaking
    lost = scoring.score(
        {**base, "friendlies_engaged": 0, "assets_hit": 1, "leakers": 1, "threats_killed": 0}, 1
    )["total"]
    assert bad < good and (good - bad) > (good - lost) - 60


def test_roe_violations_from_decisions() -> None:
    decisions = [
        {"t": 10, "kind": "interrogate", "track": 1, "identity": "unknown", "iff": None},
        {
            "t": 12,
            "kind": "engage",
            "track": 1,
            "identity": "unknown",
            "iff": False,
        },  # not declared
        {"t": 15, "kind": "engage", "track": 2, "identity": "hostile", "iff": True},  # answered IFF
        {"t": 20, "kind": "engage", "track": 3, "identity": "hostile", "iff": False},  # fine
    ]
    assert scoring.roe_violations(decisions) == 2
    s = {
        "threats": 1,
        "threats_killed": 1,
        "leakers": 0,
        "interceptors_fired": 2,
        "assets_hit": 0,
        "friendlies_engaged": 0,
        "detection_to_launch_s": 5.0,
    }
    assert scoring.score(s, 1, decisions)["total"] == 80.0


def test_nothing_engaged_and_nan_values() -> None:
    s = {
        "threats": 2,
        "threats_killed": 0,
        "leakers": 2,
        "interceptors_fired": 0,
        "assets_hit": 1,
        "friendlies_engaged": 0,
        "detection_to_launch_s": math.nan,
        "interceptors_per_kill": math.nan,
    }
    res = scoring.score(s, 1)
    assert res["total"] == 0.0
    assert res["reaction_s"] is None and res["ipk"] is None


def test_reaction_time_falls_back_to_decisions() -> None:
    s = {"threats": 1, "first_detection_t": 30.0}
    d = [{"t": 50.0, "kind": "engage", "identity": "hostile", "iff": False}]
    assert scoring.reaction_time(s, d) == 20.0


def test_no_threats_full_marks_without_shooting() -> None:
    res = scoring.score({"threats": 0}, 0)
    assert res["total"] == 100.0
