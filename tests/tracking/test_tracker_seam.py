"""The tracker seam: from_config, step, tracks (shapes, ids, fusion of two radars)."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.tracking import Tracker
from airdefsim.tracking.synthetic import plots_from_truth, straight_truth
from airdefsim.types import Plots, TrackTable


def test_empty_tracker_gives_empty_table() -> None:
    trk = Tracker.from_config({})
    trk.step(0.0, Plots.empty())
    tt = trk.tracks()
    assert len(tt) == 0
    assert tt.x.shape == (0, 6) and tt.P.shape == (0, 6, 6)


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown tracker option 'gaet'"):
        Tracker.from_config({"gaet": 3})
    with pytest.raises(ValueError, match="gnn or jpda"):
        Tracker.from_config({"association": "mht"})


@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_two_radars_one_track_per_target(association: str) -> None:
    """Ten targets seen by a 6 s radar (σ 100 m) and a 1 s radar (σ 20 m): ten confirmed
    tracks, each within a few sigma of its target."""
    rng = np.random.default_rng(3)
    times = np.arange(0.0, 40.0, 1.0)
    pos, vel = straight_truth(10, times, rng, half_width=50e3)
    trk = Tracker.from_config({"association": association})
    for k, t in enumerate(times):
        parts = [plots_from_truth(t, pos[k], 20.0, 1.0, 0, rng, sensor=1)]
        if k % 6 == 0:
            parts.append(plots_from_truth(t - 0.3, pos[k] - 0.3 * vel[k], 100.0, 1.0, 0, rng))
        trk.step(float(t), Plots.concat(parts))
    tt = trk.tracks()
    conf = tt.status == TrackTable.CONFIRMED
    assert conf.sum() == 10
    err = np.linalg.norm(tt.x[conf, None, :3] - pos[-1][None], axis=2).min(axis=1)
    assert np.all(err < 100.0)
    verr = np.linalg.norm(tt.x[conf, None, 3:] - vel[-1][None], axis=2).min(axis=1)
    assert np.all(verr < 20.0)
    assert len(np.unique(tt.track_id)) == len(tt)
