"""The live sink and the order log, without a server."""

from __future__ import annotations

import numpy as np
import pytest
from tests.web.fakesim import FakeBackend

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.web import catalog
from airdefsim.web import commands as cm
from airdefsim.web.live import LiveSink, message_for


def test_interceptors_vanish_when_no_longer_recorded() -> None:
    sink = LiveSink(LocalFrame.from_degrees(39.9, 32.8))
    icpt = {
        "t": np.array([5.0]),
        "id": np.array([3]),
        "lat_deg": np.array([40.0]),
        "lon_deg": np.array([33.0]),
        "alt_m": np.array([1000.0]),
        "track_id": np.array([41]),
        "phase": np.array(["boost"], dtype=object),
    }
    sink.rows("truth", {"t": np.array([5.0]), "lat_deg": np.array([40.0])})
    sink.rows("interceptors", icpt)
    assert sink.interceptors(5.0) == [[3, 40.0, 33.0, 1000, 41]]
    sink.rows("truth", {"t": np.array([6.0]), "lat_deg": np.array([40.0])})  # no rows at 6 s
    assert sink.interceptors(6.0) == []


def test_plots_are_kept_30_s_and_converted_to_latlon() -> None:
    sink = LiveSink(LocalFrame.from_degrees(39.9, 32.8))
    for t in (0.0, 20.0, 40.0):
        sink.rows(
            "detections",
            {"t": np.array([t]), "e": np.array([0.0]), "n": np.array([0.0]), "u": np.array([0.0])},
        )
    assert sink.plots[:, 0].tolist() == [20.0, 40.0]
    assert sink.plots[0, 1] == pytest.approx(39.9) and sink.plots[0, 2] == pytest.approx(32.8)


def test_messages_hide_truth_and_name_tracks() -> None:
    assert message_for({"t": 0.0, "kind": "detected", "truth_id": 3}) is None
    assert message_for({"t": 0.0, "kind": "friendly_engaged", "truth_id": 1}) is None
    text = message_for(
        {
            "t": 0.0,
            "kind": "command_refused",
            "track_id": 7,
            "truth_id": 2,
            "reason": "weapons tight: track not hostile",
        }
    )
    assert text == "Order refused (T7): weapons tight: track not hostile"


def test_declare_then_engage_in_the_same_tick_is_no_roe_violation(tmp_path) -> None:
    from airdefsim.web.live import ExerciseManager
    from airdefsim.web.scoring import roe_violations

    sc = catalog.parse_scenario(catalog.builtin_exercises()["single_fighter"], "x.yaml")
    mgr = ExerciseManager(None, tmp_path, FakeBackend(duration=20.0))  # type: ignore[arg-type]
    ex = mgr.create(1, 1, sc, "t", 0, True, False, "k")
    for _ in range(3):
        ex._step_blocking()
    track = ex._base["id"][0]  # type: ignore[index]
    assert (
        ex.handle(cm.parse(f'{{"type": "declare", "track": {track}, "identity": "hostile"}}'))
        is None
    )
    assert ex.handle(cm.parse(f'{{"type": "engage", "track": {track}}}')) is None
    other = ex._base["id"][1]  # type: ignore[index]
    assert ex.handle(cm.parse(f'{{"type": "engage", "track": {other}}}')) is None  # not declared
    assert [d["identity"] for d in ex.decisions] == ["unknown", "hostile", "unknown"]
    assert roe_violations(ex.decisions) == 1
    mgr.executor.shutdown()
