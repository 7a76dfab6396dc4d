"""The analysis side of the metric registry: display keys, values and labels, and the
per-run trials of every proportion."""

from __future__ import annotations

import math

import pytest

from airdefsim.analysis.metrics import (
    PROPORTION,
    PROPORTIONS,
    display_key,
    format_value,
    label,
)
from airdefsim.analysis.report import summary_tables
from airdefsim.summary import METRIC, METRICS


def test_display_keys_name_their_unit():
    keys = {m.key: display_key(m) for m in METRICS}
    assert keys["first_engagement_range_m"] == "first_engagement_range_km"
    assert keys["detection_to_launch_s"] == "detection_to_launch_s"
    assert keys["threats_killed"] == "threats_killed"
    for m in METRICS:
        if m.display_scale != 1.0:  # a value shown in another unit says which
            assert keys[m.key].endswith("_" + m.display_unit), m.key
    assert len(set(keys.values())) == len(keys)


def test_format_value_in_display_units():
    fer = METRIC["first_engagement_range_m"]
    assert format_value(fer, 123_456.0) == "123"
    assert format_value(fer, 45_678.0) == "45.68"
    assert format_value(fer, math.nan) == "—" and format_value(fer, None) == "—"
    assert format_value(METRIC["threats_killed"], 12) == "12"
    assert format_value(METRIC["threats_killed"], 2.5) == "2.50"  # a mean of counts


def test_labels():
    assert label("first_engagement_range_m") == "first engagement range (km)"
    assert label("p_asset_hit") == "P(any defended asset hit)"
    assert label("kill_fraction", short=True) == "kill fraction"
    assert label("some_new_key") == "some new key"


@pytest.mark.parametrize(
    ("key", "row", "trials"),
    [
        ("p_asset_hit", {"assets_hit": 2}, (1, 1)),
        ("p_asset_hit", {"assets_hit": 0}, (0, 1)),
        ("p_asset_hit", {"assets_hit": None}, None),
        ("p_any_leaker", {}, None),
        ("p_all_killed", {"threats": 3, "threats_killed": 3}, (1, 1)),
        ("p_all_killed", {"threats": 3, "threats_killed": 2}, (0, 1)),
        ("p_all_killed", {"threats": 0, "threats_killed": 0}, None),
        ("kill_fraction", {"threats": 5, "threats_killed": 4}, (4, 5)),
        ("leak_fraction", {"threats": 5, "leakers": 1}, (1, 5)),
        ("leak_fraction", {"threats": 0, "leakers": 0}, None),
        ("p_friendly_engaged", {"friendlies_engaged": float("nan")}, None),
    ],
)
def test_proportion_trials(key, row, trials):
    assert PROPORTION[key].trials(row) == trials


def test_proportion_keys_are_not_metric_keys():
    assert not {p.key for p in PROPORTIONS} & set(METRIC)


def test_report_separates_results_from_bookkeeping():
    summary = {
        "scenario": "x",
        "seed": 7,
        "threats": 4,
        "threats_killed": 3,
        "first_engagement_range_m": 123_456.0,
        "interceptors_per_kill": math.nan,
        "sim_seconds": 600.0,
        "wall_seconds": 1.25,
    }
    results, run = summary_tables(summary)
    assert results == [
        {"metric": "threats", "value": "4"},
        {"metric": "threats killed", "value": "3"},
        {"metric": "interceptors per kill", "value": "—"},
        {"metric": "first engagement range (km)", "value": "123"},
    ]
    assert run == [
        {"metric": "seed", "value": "7"},
        {"metric": "simulated time (s)", "value": "600"},
        {"metric": "wall-clock time (s)", "value": "1.25"},
    ]
