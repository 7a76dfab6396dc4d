"""Data association over gated (track, plot) pairs: GNN and JPDA.

Both work on the sparse list of gated pairs (``ti``, ``pk``), cluster by cluster.
Clusters with one track or one plot (nearly all of them in a sparse air picture) are
solved in vectorised form; only the clusters with several tracks *and* several plots go
through a per-cluster solver (``scipy.optimize.linear_sum_assignment`` for GNN, exact
enumeration of the joint events for JPDA), so the cost grows with the cluster sizes.

References: Blackman & Popoli, *Design and Analysis of Modern Tracking Systems*, 1999,
§6.5 (GNN) and §6.6 (JPDA); Fortmann, Bar-Shalom & Scheffe, IEEE J. Oceanic Eng. 8(3)
1983 (JPDA); Fitzgerald 1990 ("cheap JPDA") for clusters too large to enumerate.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment

from airdefsim.tracking.gating import clusters
from airdefsim.types import F64, I64

#: clusters with more tracks than this use the "cheap JPDA" approximation
JPDA_MAX_EXACT_TRACKS = 7


class Associator(Protocol):
    """Weights of gated pairs: ``(ti, pk, d2, loglik, n_tracks, n_plots) -> weight (P,)``.

    A weight is the probability (JPDA) or the 0/1 decision (GNN) that plot ``pk`` belongs
    to track ``ti``; per track the weights sum to at most 1.
    """

    def __call__(
        self, ti: I64, pk: I64, d2: F64, loglik: F64, n_tracks: int, n_plots: int
    ) -> F64: ...


def _pair_clusters(ti: I64, pk: I64, n_tracks: int, n_plots: int) -> tuple[I64, I64, I64]:
    """Cluster label of each pair, and the numbers of tracks and plots per cluster.

    Hot path: pairs whose track and plot have no other pair are their own clusters;
    the graph search only runs over the rest.
    """
    deg_t = np.bincount(ti, minlength=n_tracks)
    deg_p = np.bincount(pk, minlength=n_plots)
    iso = (deg_t[ti] == 1) & (deg_p[pk] == 1)
    lab = np.empty(ti.shape[0], np.int64)
    n_iso = int(iso.sum())
    lab[iso] = np.arange(n_iso)
    rest = ~iso
    nt_rest = npl_rest = np.zeros(0, np.int64)
    if rest.any():
        tr, pr = ti[rest], pk[rest]
        ut, tr_i = np.unique(tr, return_inverse=True)
        up, pr_i = np.unique(pr, return_inverse=True)
        tl, pl, nc = clusters(tr_i, pr_i, ut.size, up.size)
        lab[rest] = n_iso + tl[tr_i]
        nt_rest = np.bincount(tl, minlength=nc)
        npl_rest = np.bincount(pl, minlength=nc)
    ones = np.ones(n_iso, np.int64)
    return lab, np.concatenate([ones, nt_rest]), np.concatenate([ones, npl_rest])


def gnn(ti: I64, pk: I64, cost: F64, n_tracks: int, n_plots: int, miss_cost: float) -> F64:
    """Global nearest neighbour: the one-to-one assignment of least total cost.

    Parameters
    ----------
    ti, pk : (P,) int — gated pairs (track index, plot index)
    cost : (P,) float — cost of each pair (e.g. squared Mahalanobis distance), all below
        ``miss_cost``
    n_tracks, n_plots : int
    miss_cost : float — cost of leaving a track unassigned (the gate)

    Returns
    -------
    chosen : (P,) float — 1.0 for the pairs in the assignment, else 0.0
    """
    chosen = np.zeros(ti.shape[0])
    if ti.size == 0:
        return chosen
    lab, nt, npl = _pair_clusters(ti, pk, n_tracks, n_plots)
    simple = (nt[lab] == 1) | (npl[lab] == 1)
    # simple clusters: one track or one plot, the cheapest pair wins
    idx = np.flatnonzero(simple)
    if idx.size:
        order = idx[np.lexsort((cost[idx], lab[idx]))]
        first = np.ones(order.size, bool)
        first[1:] = lab[order[1:]] != lab[order[:-1]]
        chosen[order[first]] = 1.0
    # the rest: one linear assignment per cluster, with a "miss" column per track
    idx = np.flatnonzero(~simple)
    if idx.size:
        order = idx[np.argsort(lab[idx], kind="stable")]
        bounds = np.flatnonzero(np.diff(lab[order])) + 1
        for grp in np.split(order, bounds):
            rows, r_inv = np.unique(ti[grp], return_inverse=True)
            cols, c_inv = np.unique(pk[grp], return_inverse=True)
            nr, ncol = rows.size, cols.size
            big = 1e12
            mat = np.full((nr, ncol + nr), big)
            mat[r_inv, c_inv] = cost[grp]
            mat[np.arange(nr), ncol + np.arange(nr)] = miss_cost
            rr, cc = linear_sum_assignment(mat)
            pair_of = np.full((nr, ncol), -1, np.int64)
            pair_of[r_inv, c_inv] = grp
            ok = cc < ncol
            sel = pair_of[rr[ok], cc[ok]]
            chosen[sel[sel >= 0]] = 1.0
    return chosen


def _exact_jpda(li: I64, lk: I64, lr: F64, miss: float, nt: int) -> F64:
    """Exact JPDA marginals for one cluster by enumerating the feasible joint events.

    ``li, lk`` local track / plot indices of the pairs, ``lr`` their likelihood ratios,
    ``miss`` the weight of a missed detection. Returns the marginal of each pair.
    """
    by_track: list[list[tuple[int, int, float]]] = [[] for _ in range(nt)]
    for p, (i, k, r) in enumerate(zip(li.tolist(), lk.tolist(), lr.tolist(), strict=True)):
        by_track[i].append((p, k, r))
    marg = np.zeros(li.shape[0])
    total = 0.0

    def walk(i: int, used: int, w: float, chosen: list[int]) -> None:
        nonlocal total
        if i == nt:
            total += w
            for p in chosen:
                marg[p] += w
            return
        walk(i + 1, used, w * miss, chosen)
        for p, k, r in by_track[i]:
            if not used >> k & 1:
                chosen.append(p)
                walk(i + 1, used | (1 << k), w * r, chosen)
                chosen.pop()

    walk(0, 0, 1.0, [])
    return marg / total


def jpda(
    ti: I64,
    pk: I64,
    loglik: F64,
    n_tracks: int,
    n_plots: int,
    pd: float,
    pg: float,
    clutter_density: float,
) -> F64:
    """Joint probabilistic data association: marginal probability of each gated pair.

    The likelihood ratio of pair (i, k) is ``L = Pd N(ν; 0, S) / λ`` with λ the false
    alarm density (per m³); a missed track weighs ``1 - Pd Pg``. A joint event is a
    one-to-one assignment of some plots to some tracks; its weight is the product of the
    ratios of its pairs and the miss weights of its unassigned tracks. The probability of
    "no plot" for track i is ``1 - Σ_k β_ik``.

    Parameters
    ----------
    ti, pk : (P,) int — gated pairs; loglik : (P,) float — ``log N(ν; 0, S)`` per pair
    n_tracks, n_plots : int
    pd : float — detection probability; pg : float — gate probability
    clutter_density : float, 1/m³ — false alarms per unit volume

    Returns
    -------
    beta : (P,) float
    """
    beta = np.zeros(ti.shape[0])
    if ti.size == 0:
        return beta
    miss = 1.0 - pd * pg
    lr = np.exp(np.clip(loglik + np.log(pd / clutter_density), -700.0, 700.0))
    lab, nt, _ = _pair_clusters(ti, pk, n_tracks, n_plots)
    single = nt[lab] == 1
    # one track: the PDA closed form β_k = L_k / (1 - Pd Pg + Σ L)
    idx = np.flatnonzero(single)
    if idx.size:
        denom = miss + np.bincount(lab[idx], weights=lr[idx], minlength=nt.size)
        beta[idx] = lr[idx] / denom[lab[idx]]
    idx = np.flatnonzero(~single)
    if idx.size:
        order = idx[np.argsort(lab[idx], kind="stable")]
        bounds = np.flatnonzero(np.diff(lab[order])) + 1
        for grp in np.split(order, bounds):
            rows, r_inv = np.unique(ti[grp], return_inverse=True)
            cols, c_inv = np.unique(pk[grp], return_inverse=True)
            if rows.size <= JPDA_MAX_EXACT_TRACKS and cols.size <= 24:
                beta[grp] = _exact_jpda(r_inv, c_inv, lr[grp], miss, rows.size)
            else:
                # cheap JPDA (Fitzgerald 1990)
                g = lr[grp]
                st = np.bincount(r_inv, weights=g, minlength=rows.size)
                sr = np.bincount(c_inv, weights=g, minlength=cols.size)
                b = g / (st[r_inv] + sr[c_inv] - g + miss)
                # keep Σ_k β_ik ≤ 1 per track
                tot = np.bincount(r_inv, weights=b, minlength=rows.size)
                beta[grp] = b / np.maximum(tot[r_inv], 1.0)
    return beta
