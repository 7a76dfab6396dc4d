"""Association: GNN is the optimal assignment, JPDA marginals match enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from airdefsim.tracking.association import gnn, jpda
from airdefsim.tracking.gating import candidate_pairs, clusters


def _random_pairs(rng: np.random.Generator, nt: int, npl: int, density: float):
    mask = rng.random((nt, npl)) < density
    ti, pk = np.nonzero(mask)
    return ti.astype(np.int64), pk.astype(np.int64)


def _brute_gnn(ti, pk, cost, nt, miss):
    """Least total cost over all one-to-one partial assignments (tiny problems)."""
    options = [[(-1, miss)] for _ in range(nt)]
    for p, (i, k) in enumerate(zip(ti.tolist(), pk.tolist(), strict=True)):
        options[i].append((k, cost[p]))
    best = np.inf
    for combo in itertools.product(*options):
        used = [k for k, _ in combo if k >= 0]
        if len(used) != len(set(used)):
            continue
        best = min(best, sum(c for _, c in combo))
    return best


def test_gnn_is_optimal() -> None:
    rng = np.random.default_rng(0)
    for _ in range(150):
        nt, npl = rng.integers(1, 6), rng.integers(1, 6)
        ti, pk = _random_pairs(rng, nt, npl, 0.6)
        if ti.size == 0:
            continue
        cost = rng.uniform(0, 10, ti.size)
        chosen = gnn(ti, pk, cost, nt, npl, 10.0) > 0.5
        # one-to-one
        assert len(set(ti[chosen])) == chosen.sum() == len(set(pk[chosen]))
        total = cost[chosen].sum() + 10.0 * (nt - chosen.sum())
        assert total == pytest.approx(_brute_gnn(ti, pk, cost, nt, 10.0))


def _brute_jpda(ti, pk, lr, nt, miss):
    """Marginals by enumerating every feasible joint event."""
    options = [[(-1, -1, miss)] for _ in range(nt)]
    for p, (i, k) in enumerate(zip(ti.tolist(), pk.tolist(), strict=True)):
        options[i].append((p, k, lr[p]))
    marg = np.zeros(ti.size)
    total = 0.0
    for combo in itertools.product(*options):
        used = [k for _, k, _ in combo if k >= 0]
        if len(used) != len(set(used)):
            continue
        w = float(np.prod([r for _, _, r in combo]))
        total += w
        for p, _, _ in combo:
            if p >= 0:
                marg[p] += w
    return marg / total


def test_jpda_matches_enumeration() -> None:
    rng = np.random.default_rng(1)
    pd, pg, lam = 0.9, 0.999, 1e-3
    for _ in range(100):
        nt, npl = rng.integers(1, 5), rng.integers(1, 5)
        ti, pk = _random_pairs(rng, nt, npl, 0.7)
        if ti.size == 0:
            continue
        ll = rng.normal(-6.0, 2.0, ti.size)
        beta = jpda(ti, pk, ll, nt, npl, pd, pg, lam)
        lr = pd * np.exp(ll) / lam
        expect = _brute_jpda(ti, pk, lr, nt, 1.0 - pd * pg)
        assert beta == pytest.approx(expect, rel=1e-9, abs=1e-12)
        # per track, the plot probabilities sum to at most one
        assert np.all(np.bincount(ti, weights=beta, minlength=nt) <= 1.0 + 1e-12)


def test_candidate_pairs_and_clusters() -> None:
    tracks = np.array([[0.0, 0, 0], [100.0, 0, 0], [5000.0, 0, 0]])
    plots = np.array([[50.0, 0, 0], [5010.0, 0, 0], [9000.0, 0, 0]])
    ti, pk = candidate_pairs(tracks, np.array([60.0, 60.0, 60.0]), plots)
    assert sorted(zip(ti.tolist(), pk.tolist(), strict=True)) == [(0, 0), (1, 0), (2, 1)]
    tl, pl, n = clusters(ti, pk, 3, 3)
    assert tl[0] == tl[1] == pl[0] and tl[2] == pl[1] and tl[0] != tl[2]
    assert n == 3  # {t0, t1, p0}, {t2, p1}, {p2}
    e_ti, e_pk = candidate_pairs(np.zeros((0, 3)), np.zeros(0), plots)
    assert e_ti.size == e_pk.size == 0


def test_cheap_jpda_on_a_large_cluster_is_a_probability() -> None:
    """Clusters above the exact-enumeration size use the cheap JPDA approximation."""
    nt = npl = 10
    ti, pk = np.nonzero(np.ones((nt, npl), bool))
    ll = np.where(ti == pk, -2.0, -12.0)  # each track has one clearly likely plot
    beta = jpda(ti.astype(np.int64), pk.astype(np.int64), ll, nt, npl, 0.9, 0.999, 1e-3)
    assert np.all(beta >= 0.0)
    assert np.all(np.bincount(ti, weights=beta, minlength=nt) <= 1.0 + 1e-12)
    assert np.all(beta[ti == pk] > 0.9)
    assert np.all(beta[ti != pk] < 0.01)
