"""Gating and clustering: which (track, plot) pairs are worth scoring.

A k-d tree over the plot positions (``scipy.spatial.cKDTree``) returns, for each track,
the plots inside a Euclidean ball that is sure to contain its chi-square gate; only those
pairs are scored exactly. The connected components of the gated pairs are the clusters;
association then costs what the clusters cost, not tracks × plots.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from scipy.stats import chi2

from airdefsim.types import F64, I64


def gate_threshold(prob: float, dim: int = 3) -> float:
    """Chi-square gate ``G`` with ``P(χ²_dim < G) = prob`` (e.g. 0.9997, 3 -> 18.8)."""
    return float(chi2.ppf(prob, dim))


def candidate_pairs(track_pos: F64, radius: F64, plot_pos: F64) -> tuple[I64, I64]:
    """Pairs (track, plot) whose distance is below the track's radius.

    Parameters
    ----------
    track_pos : (M, 3) float, m — predicted track positions
    radius : (M,) float, m — search radius per track
    plot_pos : (K, 3) float, m — plot positions

    Returns
    -------
    ti, pk : (P,) int — track and plot index of each pair, sorted by track.
    """
    m, k = track_pos.shape[0], plot_pos.shape[0]
    if m == 0 or k == 0:
        return np.zeros((0,), np.int64), np.zeros((0,), np.int64)
    tree = cKDTree(plot_pos)
    hits = tree.query_ball_point(track_pos, radius, return_sorted=False)
    lens = np.fromiter((len(h) for h in hits), dtype=np.int64, count=m)
    ti = np.repeat(np.arange(m, dtype=np.int64), lens)
    pk = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=int(lens.sum()))
    return ti, pk


def clusters(ti: I64, pk: I64, n_tracks: int, n_plots: int) -> tuple[I64, I64, int]:
    """Connected components of the bipartite gating graph.

    Returns
    -------
    track_label : (n_tracks,) int; plot_label : (n_plots,) int — cluster of each node
        (isolated nodes get their own cluster); n : int — number of clusters.
    """
    n = n_tracks + n_plots
    g = coo_matrix((np.ones(ti.shape[0]), (ti, n_tracks + pk)), shape=(n, n)).tocsr()
    nc, lab = connected_components(g, directed=False)
    return lab[:n_tracks].astype(np.int64), lab[n_tracks:].astype(np.int64), int(nc)
