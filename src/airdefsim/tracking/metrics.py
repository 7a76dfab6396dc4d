"""Multi-target tracking metrics: GOSPA, OSPA, track breaks, id switches, time to confirm.

GOSPA
    Rahmathullah, García-Fernández & Svensson, "Generalized optimal sub-pattern
    assignment metric", FUSION 2017 (arXiv:1601.05585), with α = 2::

        d = [ min_γ Σ_(i,j)∈γ d(x_i, y_j)^p + c^p/2 (|X| + |Y| - 2|γ|) ]^(1/p)

    over partial assignments γ whose pairs are closer than ``c``. Its parts (in units of
    distance^p, as in Stone Soup's ``GOSPAMetric``): localisation ``Σ d^p`` over γ,
    missed ``c^p/2 · (#truths unassigned)``, false ``c^p/2 · (#estimates unassigned)``.
OSPA
    Schuhmacher, Vo & Vo, IEEE TSP 56(8) 2008::

        d = [ (1/n) ( min_π Σ min(d, c)^p + c^p (n - m) ) ]^(1/p),   n ≥ m

    The assignment minimises Σ min(d, c)^p (not Σ d, which Stone Soup 1.9.1's
    ``OSPAMetric`` does, giving a different value for p ≠ 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from airdefsim.types import F64, I64


@dataclass(frozen=True)
class GospaResult:
    """GOSPA distance and its parts.

    Attributes
    ----------
    distance : float — the metric (same unit as the positions)
    localisation : float — Σ d^p over assigned pairs
    missed : float — c^p/2 × unassigned truths
    false : float — c^p/2 × unassigned estimates
    assignment : (N,) int — index of the estimate assigned to each truth, -1 if missed
    """

    distance: float
    localisation: float
    missed: float
    false: float
    assignment: I64


def gospa(truth: F64, est: F64, c: float, p: float, alpha: float = 2.0) -> GospaResult:
    """GOSPA between a truth set and an estimate set (α = 2).

    Parameters
    ----------
    truth : (N, d) float; est : (M, d) float — points (any unit, e.g. m, scenario ENU)
    c : float — cut-off distance (same unit); p : float >= 1 — order
    alpha : float — only 2 is defined for the decomposition into parts

    Returns
    -------
    GospaResult
    """
    if alpha != 2:
        raise ValueError("gospa: only alpha = 2 is supported (localisation/missed/false)")
    truth = np.asarray(truth, float).reshape(len(truth), -1) if len(truth) else np.zeros((0, 1))
    est = np.asarray(est, float).reshape(len(est), -1) if len(est) else np.zeros((0, 1))
    n, m = truth.shape[0], est.shape[0]
    half = c**p / 2.0
    assignment = np.full(n, -1, np.int64)
    loc = 0.0
    if n and m:
        d = cdist(truth, est)
        cost = np.minimum(d, c) ** p
        rows, cols = linear_sum_assignment(cost)
        good = d[rows, cols] < c
        rows, cols = rows[good], cols[good]
        assignment[rows] = cols
        loc = float(np.sum(d[rows, cols] ** p))
    n_pairs = int((assignment >= 0).sum())
    missed = half * (n - n_pairs)
    false = half * (m - n_pairs)
    return GospaResult(
        distance=float((loc + missed + false) ** (1.0 / p)),
        localisation=loc,
        missed=missed,
        false=false,
        assignment=assignment,
    )


def ospa(truth: F64, est: F64, c: float, p: float) -> float:
    """OSPA distance (Schuhmacher, Vo & Vo 2008); 0 when both sets are empty.

    ``truth (N, d)``, ``est (M, d)``; ``c`` cut-off, ``p >= 1`` order.
    """
    n, m = len(truth), len(est)
    if n == 0 and m == 0:
        return 0.0
    if n == 0 or m == 0:
        return float(c)
    d = np.minimum(cdist(np.asarray(truth, float), np.asarray(est, float)), c) ** p
    rows, cols = linear_sum_assignment(d)
    big = max(n, m)
    return float(((d[rows, cols].sum() + c**p * abs(n - m)) / big) ** (1.0 / p))


def match_tracks(truth_pos: F64, truth_id: I64, track_pos: F64, c: float) -> I64:
    """The truth object each track stands for at one time (GOSPA assignment).

    Parameters
    ----------
    truth_pos : (N, 3) float, m; truth_id : (N,) int
    track_pos : (M, 3) float, m (same frame); c : float, m — no pairing at or beyond c

    Returns
    -------
    truth_id_per_track : (M,) int — -1 for a track matched to nothing
    """
    out = np.full(len(track_pos), -1, np.int64)
    if len(truth_pos) == 0 or len(track_pos) == 0:
        return out
    res = gospa(truth_pos, track_pos, c, 2.0)
    hit = res.assignment >= 0
    out[res.assignment[hit]] = np.asarray(truth_id)[hit]
    return out


def _columns(df: Any, names: tuple[str, ...], what: str) -> dict[str, np.ndarray]:
    """Columns of a pandas DataFrame, pyarrow Table or dict of arrays."""
    out = {}
    for n in names:
        try:
            col = df[n]
        except (KeyError, IndexError):
            col = None
        if col is None:
            raise ValueError(f"{what} table has no column {n!r} (needs {', '.join(names)})")
        out[n] = np.asarray(col.to_numpy() if hasattr(col, "to_numpy") else col)
    return out


def score_tracks(
    truth_df: Any,
    tracks_df: Any,
    c: float = 1000.0,
    p: float = 2.0,
    alpha: float = 2.0,
    confirmed_only: bool = True,
) -> dict[str, Any]:
    """Score a track table against truth, time step by time step.

    Parameters
    ----------
    truth_df : table with columns ``t, id, x, y, z`` (s, int, m)
    tracks_df : table with columns ``t, track_id, x, y, z`` (and optionally ``status``:
        with ``confirmed_only`` tentative rows — status 0 or "tentative" — are ignored)
    c, p, alpha : GOSPA parameters (m, order, 2)

    Truth and tracks are compared at the times of the track table that also appear in
    the truth table (to 1 ms).

    Returns
    -------
    dict with ``gospa_mean, gospa_localisation, gospa_missed, gospa_false`` (means over
    time steps; the parts in distance^p as in ``gospa``), ``times`` (K,), ``gospa`` (K,),
    ``tracks_confirmed`` (distinct track ids scored), ``track_breaks`` (a truth's match
    lost and found again, or taken over by another track), ``id_switches`` (the track id
    matched to a truth changes), ``time_to_confirm_mean`` (s from a truth's first time to
    its first match), ``truth_id_per_row`` (per track row, -1 unmatched).
    """
    tr = _columns(truth_df, ("t", "id", "x", "y", "z"), "truth")
    tk = _columns(tracks_df, ("t", "track_id", "x", "y", "z"), "tracks")
    keep = np.ones(tk["t"].shape[0], bool)
    if confirmed_only:
        try:
            st = np.asarray(tracks_df["status"])
        except (KeyError, IndexError):
            st = None
        if st is not None:
            keep = ~((st == 0) | (st == "tentative"))
    t_tr = np.round(tr["t"].astype(float) * 1000.0).astype(np.int64)
    t_tk = np.round(tk["t"].astype(float) * 1000.0).astype(np.int64)
    tr_pos = np.column_stack([tr["x"], tr["y"], tr["z"]]).astype(float)
    tk_pos = np.column_stack([tk["x"], tk["y"], tk["z"]]).astype(float)
    tr_id = tr["id"].astype(np.int64)
    tk_id = tk["track_id"].astype(np.int64)
    times = np.unique(t_tk)
    times = times[np.isin(times, t_tr)]
    per_row = np.full(t_tk.shape[0], -1, np.int64)
    g, loc, mis, fal = [], [], [], []
    last_track: dict[int, int] = {}
    lost: dict[int, bool] = {}
    first_seen: dict[int, float] = {}
    first_match: dict[int, float] = {}
    breaks = switches = 0
    scored_ids: set[int] = set()
    for tm in times.tolist():
        ti = np.flatnonzero(t_tr == tm)
        ki = np.flatnonzero((t_tk == tm) & keep)
        for i in tr_id[ti].tolist():
            first_seen.setdefault(i, tm / 1000.0)
        res = gospa(tr_pos[ti], tk_pos[ki], c, p, alpha)
        g.append(res.distance)
        loc.append(res.localisation)
        mis.append(res.missed)
        fal.append(res.false)
        scored_ids.update(tk_id[ki].tolist())
        matched = res.assignment >= 0
        per_row[ki[res.assignment[matched]]] = tr_id[ti[matched]]
        for j, truth in enumerate(tr_id[ti].tolist()):
            a = int(res.assignment[j])
            if a < 0:
                if truth in last_track:
                    lost[truth] = True
                continue
            trk = int(tk_id[ki[a]])
            first_match.setdefault(truth, tm / 1000.0)
            prev = last_track.get(truth)
            if prev is not None and prev != trk:
                switches += 1
                breaks += 1
            elif prev is not None and lost.get(truth):
                breaks += 1
            lost[truth] = False
            last_track[truth] = trk
    ttc = [first_match[i] - first_seen[i] for i in first_match]
    return {
        "gospa_mean": float(np.mean(g)) if g else float("nan"),
        "gospa_localisation": float(np.mean(loc)) if loc else float("nan"),
        "gospa_missed": float(np.mean(mis)) if mis else float("nan"),
        "gospa_false": float(np.mean(fal)) if fal else float("nan"),
        "times": times / 1000.0,
        "gospa": np.asarray(g),
        "tracks_confirmed": len(scored_ids),
        "track_breaks": int(breaks),
        "id_switches": int(switches),
        "time_to_confirm_mean": float(np.mean(ttc)) if ttc else float("nan"),
        "truth_id_per_row": per_row,
    }
