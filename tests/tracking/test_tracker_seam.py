"""The tracker seam: from_config, step, tracks (shapes, ids, fusion of two radars)."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.testing.synthetic_tracks import plots_from_truth, straight_truth
from airdefsim.tracking import Tracker
from airdefsim.types import Plots, TrackTable


def test_empty_tracker_gives_empty_table() -> None:
    trk = Tracker.from_config({})
    trk.step(0.0, Plots.empty())
    tt = trk.tracks()
    assert len(tt) == 0
    assert tt.x.shape == (0, 6) and tt.P.shape == (0, 6, 6)


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"tracker\.gate: unknown key"):
        Tracker.from_config({"gate": 3})
    with pytest.raises(ValueError, match=r"tracker\.association: Input should be 'gnn' or 'jpda'"):
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


def _crossing(association: str, angle_deg: float, seed: int) -> tuple[list[int], list[int]]:
    """Two targets at 250 m/s crossing at ``angle_deg`` at t = 40 s, same altitude;
    returns the track id matched to each target before and after the crossing."""
    from airdefsim.tracking.metrics import match_tracks

    rng = np.random.default_rng(seed)
    h = np.radians(angle_deg / 2)
    v = 250.0 * np.array([[np.sin(h), np.cos(h), 0.0], [-np.sin(h), np.cos(h), 0.0]])
    trk = Tracker.from_config({"association": association})
    before: list[int] = []
    after: list[int] = []
    for t in np.arange(0.0, 80.0, 1.0):
        pos = np.array([0.0, 0.0, 8e3]) + v * (t - 40.0)
        trk.step(float(t), plots_from_truth(t, pos, 30.0, 0.95, 2, rng, half_width=20e3))
        tt = trk.tracks()
        conf = tt.status != TrackTable.TENTATIVE
        got = match_tracks(pos, np.array([0, 1]), tt.x[conf, :3], 1000.0)
        ids = tt.track_id[conf]
        per_truth = [int(ids[got == k][0]) if np.any(got == k) else -1 for k in (0, 1)]
        if t == 30.0:
            before = per_truth
        if t == 79.0:
            after = per_truth
    return before, after


@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_crossing_targets_keep_their_ids(association: str) -> None:
    for seed in range(3):
        before, after = _crossing(association, 20.0, seed)
        assert -1 not in before
        assert before == after


@pytest.mark.parametrize("n", [0, 1, 25])
def test_shapes(n: int) -> None:
    rng = np.random.default_rng(n)
    times = np.arange(0.0, 10.0, 1.0)
    pos, _ = straight_truth(n, times, rng)
    trk = Tracker.from_config({})
    for k, t in enumerate(times):
        trk.step(float(t), plots_from_truth(t, pos[k], 50.0, 1.0, 0, rng))
    tt = trk.tracks()
    assert len(tt) == n
    assert tt.x.shape == (n, 6) and tt.P.shape == (n, 6, 6)
    assert tt.status.shape == tt.t_update.shape == tt.n_updates.shape == (n,)
    assert np.all(tt.status == TrackTable.CONFIRMED)
    assert np.all(tt.n_updates == 10)


def test_truth_id_is_never_read() -> None:
    """Scrambling truth_id changes nothing."""
    rng = np.random.default_rng(5)
    times = np.arange(0.0, 15.0, 1.0)
    pos, _ = straight_truth(8, times, rng)
    batches = [plots_from_truth(t, pos[k], 50.0, 0.9, 3, rng) for k, t in enumerate(times)]
    a, b = Tracker.from_config({}), Tracker.from_config({})
    for t, pl in zip(times, batches, strict=True):
        a.step(float(t), pl)
        fake = Plots(**{**pl.__dict__, "truth_id": rng.integers(-5, 5, len(pl))})
        b.step(float(t), fake)
    ta, tb = a.tracks(), b.tracks()
    assert np.array_equal(ta.track_id, tb.track_id) and np.array_equal(ta.x, tb.x)


def test_ids_are_never_reused_and_lost_tracks_are_deleted() -> None:
    rng = np.random.default_rng(9)
    times = np.arange(0.0, 20.0, 1.0)
    pos, _ = straight_truth(5, times, rng)
    trk = Tracker.from_config({"delete_min": 5.0, "coast_min": 2.0})
    seen: set[int] = set()
    for k, t in enumerate(times):
        trk.step(float(t), plots_from_truth(t, pos[k], 50.0, 1.0, 0, rng))
        seen.update(trk.tracks().track_id.tolist())
    # the targets vanish: tracks coast, then die
    trk.step(22.0, Plots.empty())
    assert np.all(trk.tracks().status == TrackTable.COASTING)
    trk.step(40.0, Plots.empty())
    assert len(trk.tracks()) == 0
    pos2, _ = straight_truth(5, np.arange(0.0, 4.0), rng)
    for k in range(4):
        trk.step(41.0 + k, plots_from_truth(41.0 + k, pos2[k], 50.0, 1.0, 0, rng))
    new = set(trk.tracks().track_id.tolist())
    assert len(new) == 5 and not (new & seen)


def test_out_of_order_plots_in_one_step() -> None:
    """The same plots given shuffled in one call give the same tracks as in time order."""
    rng = np.random.default_rng(2)
    times = np.arange(0.0, 12.0, 0.25)
    pos, _ = straight_truth(6, times, rng)
    pl = Plots.concat(
        [plots_from_truth(t, pos[k], 40.0, 1.0, 0, rng, sensor=k % 3) for k, t in enumerate(times)]
    )
    perm = rng.permutation(len(pl))
    shuffled = Plots(**{k: v[perm] for k, v in pl.__dict__.items()})
    a, b = Tracker.from_config({}), Tracker.from_config({})
    a.step(12.0, pl)
    b.step(12.0, shuffled)
    ta, tb = a.tracks(), b.tracks()
    assert np.sum(ta.status == TrackTable.CONFIRMED) == 6
    assert np.allclose(np.sort(ta.x[:, 0]), np.sort(tb.x[:, 0]))
