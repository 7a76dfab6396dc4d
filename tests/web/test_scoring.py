"""Scoring: closed-form values of each part and of the total, from the run summary."""

from __future__ import annotations

import math

import pytest

from airdefsim.summary import METRIC, RunSummary
from airdefsim.web import scoring


def summary(**kw: float) -> RunSummary:
    return RunSummary.from_dict({"scenario": "s", "seed": 1, **kw})


def parts(res: scoring.Score) -> dict[str, float]:
    return {p.key: p.points for p in res.parts}


def test_perfect_defence_scores_100() -> None:
    s = summary(threats=4, threats_killed=4, interceptors_fired=8, detection_to_launch_s=10.0)
    res = scoring.score(s, n_assets=2)
    assert res.total == 100.0
    assert parts(res) == {
        "assets_hit": 35.0,
        "leakers": 25.0,
        "friendlies_engaged": 0.0,
        "roe_violations": 0.0,
        "detection_to_launch_s": 20.0,
        "interceptors_per_kill": 20.0,
    }


def test_each_part_by_closed_form() -> None:
    # 1 of 2 assets hit, 1 leaker of 4, reaction 65 s (half-way 10..120), 4 per kill.
    s = summary(
        threats=4,
        threats_killed=3,
        leakers=1,
        interceptors_fired=12,
        assets_hit=1,
        detection_to_launch_s=65.0,
    )
    res = scoring.score(s, n_assets=2)
    p = parts(res)
    assert p["assets_hit"] == pytest.approx(17.5)
    assert p["leakers"] == pytest.approx(18.75, abs=0.051)
    assert p["detection_to_launch_s"] == pytest.approx(10.0)
    assert p["interceptors_per_kill"] == pytest.approx(10.0)
    assert res.total == pytest.approx(17.5 + 18.75 + 10.0 + 10.0, abs=0.1)
    assert res.reaction_s == 65.0 and res.ipk == 4.0


def test_parts_are_labelled_from_the_metric_registry() -> None:
    res = scoring.score(summary(threats=1), 1)
    for p in res.parts:
        assert p.label.lower() == METRIC[p.key].label
    assert {p.label for p in res.parts} >= {"Friendlies engaged", "Rules-of-engagement violations"}


def test_friendly_engaged_is_the_gravest_error() -> None:
    base = {
        "threats": 1,
        "threats_killed": 1,
        "interceptors_fired": 2,
        "detection_to_launch_s": 5.0,
    }
    good = scoring.score(summary(**base), 1).total
    bad = scoring.score(summary(**base, friendlies_engaged=1), 1).total
    assert good - bad == 50.0
    # worse than losing the asset and every threat leaking
    lost = scoring.score(summary(**{**base, "threats_killed": 0}, assets_hit=1, leakers=1), 1)
    assert bad < good and (good - bad) > (good - lost.total) - 60


def test_roe_violations_come_from_the_summary() -> None:
    """Counted by the adjudicator for every seat; 10 points each."""
    s = summary(
        threats=1,
        threats_killed=1,
        interceptors_fired=2,
        detection_to_launch_s=5.0,
        roe_violations=2,
    )
    res = scoring.score(s, 1)
    assert res.total == 80.0 and res.roe_violations == 2
    assert parts(res)["roe_violations"] == -20.0


def test_nothing_fired_and_nan_values() -> None:
    s = summary(
        threats=2,
        leakers=2,
        assets_hit=1,
        first_detection_s=30.0,
        detection_to_launch_s=math.nan,
        interceptors_per_kill=math.nan,
    )
    res = scoring.score(s, 1)
    assert res.total == 0.0
    assert res.reaction_s is None and res.ipk is None
    assert parts(res)["detection_to_launch_s"] == 0.0


def test_reaction_time_is_detection_to_launch() -> None:
    """20 points at 10 s, 0 at 120 s, linear between: 87.5 s → 20 × 32.5 / 110."""
    s = summary(threats=1, first_detection_s=12.5, first_launch_s=100.0, detection_to_launch_s=87.5)
    assert parts(scoring.score(s, 0))["detection_to_launch_s"] == pytest.approx(
        round(20 * 32.5 / 110, 1)
    )


def test_no_threats_full_marks_without_shooting() -> None:
    assert scoring.score(summary(threats=0), 0).total == 100.0
