"""The typed contracts between parts: events, the run summary and its metric registry,
the JSON encoder, the clock seam."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airdefsim.events import EVENT_FIELDS, EVENT_KINDS, TRUTH_KINDS, Event, describe
from airdefsim.jsonsafe import dumps, to_jsonable
from airdefsim.record.recorder import TABLES
from airdefsim.sim.clock import AsFastAsPossible, WallClock
from airdefsim.summary import METRIC, METRICS, RunSummary, metric_label


def test_unknown_event_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event kind"):
        Event(t=0.0, kind="intercept")  # type: ignore[arg-type]


def test_recorded_events_table_has_one_column_per_event_field() -> None:
    assert tuple(TABLES["events"].names) == EVENT_FIELDS


def test_event_row_round_trip() -> None:
    ev = Event(
        3.5, "launch", unit="Bn", track_id=4, interceptor_id=2, missile="48N6E3", range_m=9e4
    )
    assert Event.from_row(ev.to_row()) == ev
    row = {**ev.to_row(), "extra": 1, "miss_m": None}
    assert Event.from_row(row) == ev  # unknown keys ignored, null is "not applicable"


def test_every_kind_renders_and_the_operator_never_sees_truth() -> None:
    for kind in EVENT_KINDS:
        ev = Event(1.0, kind, track_id=3, truth_id=7, detail="airbase", reason="why")  # type: ignore[arg-type]
        analyst = describe(ev, "analyst", {7: "fighter-1"})
        assert analyst
        op = describe(ev, "operator")
        if kind in TRUTH_KINDS:
            assert op is None
        else:
            assert op and "fighter-1" not in op and "object 7" not in op


def test_summary_registry_covers_every_numeric_field() -> None:
    fields = dataclasses.fields(RunSummary)
    numeric = [f.name for f in fields if f.type in ("int", "float") and f.name != "seed"]
    assert [m.key for m in METRICS] == numeric
    assert {m.key for m in METRICS if not m.deterministic} == {"wall_seconds"}
    assert metric_label("first_engagement_range_m") == "first engagement range (km)"
    assert METRIC["first_engagement_range_m"].display_scale == 1e-3


def test_summary_json_round_trip_keeps_nan_as_null() -> None:
    s = RunSummary.from_dict({"scenario": "x", "seed": 4, "threats": 3})
    assert s.threats == 3 and math.isnan(s.interceptors_per_kill)
    text = dumps(s.to_dict())
    assert '"interceptors_per_kill": null' in text
    back = RunSummary.from_dict(json.loads(text))
    assert back.to_dict().keys() == s.to_dict().keys()
    assert "wall_seconds" not in s.to_dict(deterministic_only=True)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
        max_leaves=10,
    )
)
def test_jsonsafe_always_gives_strict_json(v: object) -> None:
    json.loads(dumps(v))


def test_jsonsafe_numpy_and_non_finite() -> None:
    v = {"a": np.float64("nan"), "b": np.arange(3), "c": np.int64(2), "d": (1.0, math.inf)}
    assert to_jsonable(v) == {"a": None, "b": [0, 1, 2], "c": 2, "d": [1.0, None]}


class FakeWall:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_wall_clock_factor_pause_and_hold() -> None:
    wall = FakeWall()
    c = WallClock(wall=wall, factor=1.0)
    assert c.wait(1.0) == pytest.approx(1.0)
    wall.now += 3.0
    assert c.now() == pytest.approx(3.0) and c.wait(2.0) == 0.0
    c.set_factor(4.0)
    wall.now += 1.0
    assert c.now() == pytest.approx(7.0)
    assert c.wait(11.0) == pytest.approx(1.0)  # 4 simulated seconds at 4x
    c.pause()
    wall.now += 50.0
    assert c.now() == pytest.approx(7.0) and c.wait(8.0) == math.inf
    c.resume()
    wall.now += 0.5
    assert c.now() == pytest.approx(9.0)
    c.hold(sim_t=2.0, slack=3.0)  # 7 s behind: pulled back to 2 + 1
    assert c.now() == pytest.approx(3.0)
    with pytest.raises(ValueError):
        c.set_factor(0.0)
    assert AsFastAsPossible().wait(1e9) == 0.0


def test_a_warhead_burst_the_target_survives_is_not_called_a_miss() -> None:
    burst = Event(5.0, "miss", track_id=4, miss_m=0.6, reason="fuze")
    assert describe(burst) == "T4 survived an intercept at 0.6 m"
    wide = Event(5.0, "miss", track_id=4, miss_m=42.0, reason="miss")
    assert describe(wide) == "Miss on T4 (miss distance 42 m)"
