"""Static weapon-target assignment (WTA).

The problem (Manne 1958; Hosein & Athans 1990; Ahuja, Kumar, Jha & Orlin, Oper. Res.
55(6), 2007): ``W`` weapon types, ``w_i`` rounds of type ``i``, ``J`` targets of value
``V_j``, single-shot kill probability ``p_ij``. Choose integer counts ``x_ij >= 0`` to

    minimise  F(x) = sum_j V_j prod_i (1 - p_ij) ** x_ij      (expected surviving value)
    subject to sum_j x_ij <= w_i.

Side constraints used by the fire control (all optional):

* ``max_per_target`` ``c_j``: ``sum_i x_ij <= c_j`` (the salvo size);
* weapon groups (a fire unit holds several weapon types): ``group_rounds`` ``R_g`` caps
  the rounds of a group (the unit's free missile channels) and ``group_targets`` ``T_g``
  the number of distinct targets a group engages (its free target channels).

Two solvers:

``solve_exact``
    An exact mixed-integer linear programme solved with SciPy's ``milp`` (HiGHS). The
    product over weapon types makes the objective non-linear in ``x``; it becomes linear
    with one binary ``z_{j,a}`` per target ``j`` and *allocation vector* ``a`` (how many
    rounds of each weapon type, i.e. the (weapon type, target, count) choices of that
    target together), with cost ``V_j prod_i (1 - p_ij) ** a_i``, one allocation per
    target (``sum_a z_{j,a} = 1``) and the capacity rows linear in ``z``. Exact for any
    instance; the number of binaries grows as C(W_j + c_j, c_j) per target, so it is for
    small instances.
``solve_greedy``
    Maximum marginal return (assign, one round at a time, the round with the largest
    decrease of F; Ahuja et al. 2007 §4) followed by a local search (single-round moves,
    two-round swaps) while F decreases, and on small instances a few kicks of iterated
    local search. O(rounds * W * J) per pass.

``solve`` picks the exact solver when the instance is small enough, else the heuristic.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import coo_matrix

from airdefsim.types import F64, I64

#: exact solver used by ``solve`` when the binaries stay below this count
MAX_BINARIES = 20_000


@dataclass(frozen=True)
class WtaResult:
    """A WTA solution.

    Attributes
    ----------
    x : (W, J) int — rounds of weapon type i on target j
    objective : float — expected surviving value F(x)
    method : str — ``"milp"``, ``"greedy"`` or ``"brute"``
    optimal : bool — proven optimal
    """

    x: I64
    objective: float
    method: str
    optimal: bool


@dataclass(frozen=True)
class _Problem:
    p: F64  # (W, J)
    V: F64  # (J,)
    w: I64  # (W,)
    cap: I64  # (J,)
    group: I64  # (W,)
    group_rounds: I64  # (G,)
    group_targets: I64  # (G,)
    weapon_targets: I64  # (W,)


def objective(x: ArrayLike, p: ArrayLike, V: ArrayLike) -> float:
    """Expected surviving value ``sum_j V_j prod_i (1 - p_ij) ** x_ij``.

    Parameters
    ----------
    x : (W, J) int — rounds
    p : (W, J) float in [0, 1] — single-shot kill probabilities
    V : (J,) float — target values
    """
    x = np.asarray(x)
    q = 1.0 - np.asarray(p, dtype=float)
    return float(np.sum(np.asarray(V, dtype=float) * np.prod(q**x, axis=0)))


def _problem(
    p: ArrayLike,
    V: ArrayLike,
    w: ArrayLike,
    max_per_target: ArrayLike | None,
    group: ArrayLike | None,
    group_rounds: ArrayLike | None,
    group_targets: ArrayLike | None,
    weapon_targets: ArrayLike | None = None,
) -> _Problem:
    p_ = np.clip(np.atleast_2d(np.asarray(p, dtype=float)), 0.0, 1.0)
    W, J = p_.shape
    V_ = np.asarray(V, dtype=float).reshape(J)
    w_ = np.asarray(w, dtype=np.int64).reshape(W).clip(min=0)
    big = int(w_.sum())
    cap = (
        np.full(J, big, np.int64)
        if max_per_target is None
        else np.broadcast_to(np.asarray(max_per_target, dtype=np.int64), (J,)).clip(min=0)
    )
    g = np.zeros(W, np.int64) if group is None else np.asarray(group, dtype=np.int64).reshape(W)
    if group_rounds is not None:
        G = int(np.size(group_rounds))
    elif group_targets is not None:
        G = int(np.size(group_targets))
    else:
        G = int(g.max()) + 1 if W else 0
    if W and (g.min() < 0 or g.max() >= G):
        raise ValueError(f"group indices must lie in 0..{G - 1}")
    gr = (
        np.full(G, big, np.int64)
        if group_rounds is None
        else np.asarray(group_rounds, dtype=np.int64).reshape(G)
    )
    gt = (
        np.full(G, J, np.int64)
        if group_targets is None
        else np.asarray(group_targets, dtype=np.int64).reshape(G)
    )
    wt = (
        np.full(W, J, np.int64)
        if weapon_targets is None
        else np.asarray(weapon_targets, dtype=np.int64).reshape(W)
    )
    return _Problem(p_, V_, w_, cap.copy(), g, gr, gt, wt)


def _allocations(pr: _Problem, j: int) -> list[tuple[int, ...]]:
    """Allocation vectors of target j, as multisets of weapon indices (useful weapons only)."""
    useful = [int(i) for i in np.flatnonzero(pr.p[:, j] > 0) if pr.w[i] > 0]
    cap = int(min(pr.cap[j], pr.w[useful].sum() if useful else 0))
    out: list[tuple[int, ...]] = []
    for k in range(cap + 1):
        for combo in itertools.combinations_with_replacement(useful, k):
            counts = np.bincount(np.asarray(combo, dtype=np.int64), minlength=pr.p.shape[0])
            if np.all(counts <= pr.w):
                out.append(combo)
    return out


def n_binaries(p: ArrayLike, w: ArrayLike, max_per_target: ArrayLike | None = None) -> int:
    """Number of binaries of the exact formulation (without building it)."""
    from math import comb

    p_ = np.atleast_2d(np.asarray(p, dtype=float))
    w_ = np.asarray(w, dtype=np.int64)
    J = p_.shape[1]
    caps = (
        np.full(J, int(w_.sum()))
        if max_per_target is None
        else np.broadcast_to(np.asarray(max_per_target), (J,))
    )
    total = 0
    for j in range(J):
        nw = int(np.count_nonzero((p_[:, j] > 0) & (w_ > 0)))
        c = int(min(caps[j], w_[(p_[:, j] > 0)].sum()))
        total += comb(nw + c, c)
    return total


def solve_exact(
    p: ArrayLike,
    V: ArrayLike,
    w: ArrayLike,
    max_per_target: ArrayLike | None = None,
    group: ArrayLike | None = None,
    group_rounds: ArrayLike | None = None,
    group_targets: ArrayLike | None = None,
    time_limit: float = 10.0,
    weapon_targets: ArrayLike | None = None,
) -> WtaResult:
    """Exact WTA by mixed-integer linear programming (SciPy ``milp``, HiGHS).

    Parameters are those of :func:`solve`. ``optimal`` is False when HiGHS stopped on
    ``time_limit`` (s) with a feasible but unproven solution.
    """
    pr = _problem(p, V, w, max_per_target, group, group_rounds, group_targets, weapon_targets)
    W, J = pr.p.shape
    if J == 0:
        return WtaResult(np.zeros((W, 0), np.int64), 0.0, "milp", True)
    q = 1.0 - pr.p
    cost: list[float] = []
    tgt: list[int] = []
    counts: list[np.ndarray] = []
    for j in range(J):
        for combo in _allocations(pr, j):
            a = np.bincount(np.asarray(combo, dtype=np.int64), minlength=W)
            cost.append(float(pr.V[j] * np.prod(q[:, j] ** a)))
            tgt.append(j)
            counts.append(a)
    n = len(cost)
    A = np.array(counts, dtype=float).reshape(n, W)  # (n, W)
    tgt_ = np.asarray(tgt, dtype=np.int64)
    rows: list[coo_matrix] = []
    lo: list[F64] = []
    hi: list[F64] = []
    # one allocation per target
    rows.append(coo_matrix((np.ones(n), (tgt_, np.arange(n))), shape=(J, n)))
    lo.append(np.ones(J))
    hi.append(np.ones(J))
    # rounds per weapon type
    rows.append(coo_matrix(A.T))
    lo.append(np.zeros(W))
    hi.append(pr.w.astype(float))
    G = pr.group_rounds.shape[0]
    if G:
        member = np.zeros((G, W))
        member[pr.group, np.arange(W)] = 1.0
        rows.append(coo_matrix(member @ A.T))  # rounds per group
        lo.append(np.zeros(G))
        hi.append(pr.group_rounds.astype(float))
        uses = (member @ A.T) > 0  # (G, n): allocation uses the group
        rows.append(coo_matrix(uses.astype(float)))
        lo.append(np.zeros(G))
        hi.append(pr.group_targets.astype(float))
    rows.append(coo_matrix((A.T > 0).astype(float)))  # distinct targets per weapon type
    lo.append(np.zeros(W))
    hi.append(pr.weapon_targets.astype(float))
    from scipy.sparse import vstack

    cons = LinearConstraint(vstack(rows).tocsr(), np.concatenate(lo), np.concatenate(hi))
    res = milp(
        c=np.asarray(cost),
        constraints=cons,
        integrality=np.ones(n),
        bounds=(0, 1),
        options={"time_limit": time_limit},
    )
    if res.x is None:
        raise ValueError(f"WTA milp found no solution: {res.message}")
    z = res.x > 0.5
    x = np.zeros((W, J), np.int64)
    for k in np.flatnonzero(z):
        x[:, tgt_[k]] += A[k].astype(np.int64)
    return WtaResult(x, objective(x, pr.p, pr.V), "milp", bool(res.status == 0))


def _feasible_add(
    pr: _Problem, x: I64, used_rounds: I64, n_targets: I64, uses: np.ndarray
) -> np.ndarray:
    """(W, J) mask: one more round of type i on target j keeps every constraint."""
    left_w = pr.w - x.sum(axis=1)
    left_cap = pr.cap - x.sum(axis=0)
    g = pr.group
    ok = (left_w > 0)[:, None] & (left_cap > 0)[None, :]
    ok &= (used_rounds[g] < pr.group_rounds[g])[:, None]
    ok &= uses[g, :] | (n_targets[g] < pr.group_targets[g])[:, None]
    ok &= (x > 0) | ((x > 0).sum(axis=1) < pr.weapon_targets)[:, None]
    return ok & (pr.p > 0)


def _greedy_fill(pr: _Problem, x: I64, forbid: I64 | None = None) -> I64:
    """Add rounds by maximum marginal return to ``x`` (in place) while F decreases;
    targets in ``forbid`` get none."""
    J = pr.p.shape[1]
    q = 1.0 - pr.p
    S = np.prod(q**x, axis=0)
    gx = _group_rounds_matrix(pr, x)
    used_rounds = gx.sum(axis=1)
    uses = gx > 0
    n_targets = uses.sum(axis=1)
    for _ in range(int(pr.w.sum() - x.sum())):
        ok = _feasible_add(pr, x, used_rounds, n_targets, uses)
        if forbid is not None:
            ok[:, forbid] = False
        gain = np.where(ok, pr.p * (pr.V * S)[None, :], -1.0)
        k = int(np.argmax(gain))
        i, j = divmod(k, J)
        if gain[i, j] <= 0.0:
            break
        x[i, j] += 1
        S[j] *= q[i, j]
        g = pr.group[i]
        used_rounds[g] += 1
        if not uses[g, j]:
            uses[g, j] = True
            n_targets[g] += 1
    return x


def solve_greedy(
    p: ArrayLike,
    V: ArrayLike,
    w: ArrayLike,
    max_per_target: ArrayLike | None = None,
    group: ArrayLike | None = None,
    group_rounds: ArrayLike | None = None,
    group_targets: ArrayLike | None = None,
    local_search: bool = True,
    max_passes: int = 20,
    weapon_targets: ArrayLike | None = None,
    kicks: int | None = None,
    rng: np.random.Generator | None = None,
) -> WtaResult:
    """Maximum marginal return, local search, then ``kicks`` rounds of iterated local
    search (empty two assigned targets, refill them last, search again; keep the best).

    Parameters are those of :func:`solve`, plus ``kicks`` (None: 30 when W × J <= 400,
    else 0) and ``rng`` for the choice of targets to empty (None: a fixed seed, so the
    result is deterministic).
    """
    pr = _problem(p, V, w, max_per_target, group, group_rounds, group_targets, weapon_targets)
    W, J = pr.p.shape
    x = np.zeros((W, J), np.int64)
    if W == 0 or J == 0:
        return WtaResult(x, objective(x, pr.p, pr.V), "greedy", False)
    x = _greedy_fill(pr, x)
    if local_search:
        x = _improve(pr, x, max_passes)
        n_kicks = (30 if W * J <= 400 else 0) if kicks is None else int(kicks)
        if n_kicks:
            x = _iterated(pr, x, n_kicks, max_passes, rng or np.random.default_rng(0))
    return WtaResult(x, objective(x, pr.p, pr.V), "greedy", False)


def _iterated(pr: _Problem, x: I64, kicks: int, max_passes: int, rng: np.random.Generator) -> I64:
    best, f_best = x, objective(x, pr.p, pr.V)
    for _ in range(kicks):
        assigned = np.flatnonzero(best.sum(axis=0) > 0)
        if assigned.size == 0:
            break
        drop = rng.choice(assigned, size=min(2, assigned.size), replace=False)
        y = best.copy()
        y[:, drop] = 0
        y = _greedy_fill(pr, y, forbid=drop)
        y = _greedy_fill(pr, y)
        y = _improve(pr, y, max_passes)
        f = objective(y, pr.p, pr.V)
        if f < f_best * (1.0 - 1e-12):
            best, f_best = y, f
    return best


def _improve(pr: _Problem, x: I64, max_passes: int) -> I64:
    """Local search from ``x``: move one round (to another target and/or weapon type) or
    swap the targets of two rounds of different types, while F decreases."""
    x = x.copy()
    for _ in range(max_passes):
        moved = _move_pass(pr, x)
        swapped = _swap_pass(pr, x)
        if not (moved or swapped):
            break
    return x


def _group_rounds_matrix(pr: _Problem, x: I64) -> I64:
    gx = np.zeros((pr.group_rounds.shape[0], x.shape[1]), np.int64)
    np.add.at(gx, pr.group, x)
    return gx


def _move_pass(pr: _Problem, x: I64) -> bool:
    """One pass of single-round moves, in place; True if x changed."""
    J = pr.p.shape[1]
    q = 1.0 - pr.p
    S = np.prod(q**x, axis=0)
    gx = _group_rounds_matrix(pr, x)
    changed = False
    for i, j in zip(*np.nonzero(x), strict=True):
        if x[i, j] == 0:
            continue
        g = pr.group[i]
        x[i, j] -= 1
        gx[g, j] -= 1
        s_without = float(np.prod(q[:, j] ** x[:, j]))
        loss = pr.V[j] * (s_without - S[j])
        s_old = S[j]
        S[j] = s_without
        uses = gx > 0
        ok = _feasible_add(pr, x, gx.sum(axis=1), uses.sum(axis=1), uses)
        ok[i, j] = False
        gain = np.where(ok, pr.p * (pr.V * S)[None, :], -1.0)
        k = int(np.argmax(gain))
        i2, j2 = divmod(k, J)
        if gain[i2, j2] > loss * (1.0 + 1e-12) + 1e-15:
            x[i2, j2] += 1
            gx[pr.group[i2], j2] += 1
            S[j2] *= q[i2, j2]
            changed = True
        else:
            x[i, j] += 1
            gx[g, j] += 1
            S[j] = s_old
    return changed


def _swap_pass(pr: _Problem, x: I64, tries: int = 20) -> bool:
    """Best improving swap of the targets of two rounds (i on j, k on l), in place."""
    q = 1.0 - pr.p
    ii, jj = np.nonzero(x)
    if ii.size < 2:
        return False
    S = np.prod(q**x, axis=0)
    # survival of j with one round of i fewer, for every occupied cell
    s_wo = np.empty(ii.size)
    for n, (i, j) in enumerate(zip(ii, jj, strict=True)):
        x[i, j] -= 1
        s_wo[n] = np.prod(q[:, j] ** x[:, j])
        x[i, j] += 1
    # delta[a, b]: round a=(i, j) goes to l, round b=(k, l) goes to j
    i_a, j_a, s_a = ii[:, None], jj[:, None], s_wo[:, None]
    k_b, l_b, s_b = ii[None, :], jj[None, :], s_wo[None, :]
    delta = pr.V[j_a] * (s_a * q[k_b, j_a] - S[j_a]) + pr.V[l_b] * (s_b * q[i_a, l_b] - S[l_b])
    valid = (i_a != k_b) & (j_a != l_b) & (pr.p[k_b, j_a] > 0) & (pr.p[i_a, l_b] > 0)
    delta = np.where(valid, delta, np.inf)
    flat = np.argsort(delta, axis=None)[:tries]
    for f in flat:
        a, b = divmod(int(f), ii.size)
        if not delta[a, b] < -1e-12 * max(float(S @ pr.V), 1e-300):
            return False
        i, j, k, l_ = ii[a], jj[a], ii[b], jj[b]
        x[i, j] -= 1
        x[k, l_] -= 1
        x[i, l_] += 1
        x[k, j] += 1
        gx = _group_rounds_matrix(pr, x)
        if np.all((gx > 0).sum(axis=1) <= pr.group_targets) and np.all(
            (x > 0).sum(axis=1) <= pr.weapon_targets
        ):
            return True
        x[i, j] += 1
        x[k, l_] += 1
        x[i, l_] -= 1
        x[k, j] -= 1
    return False


def brute_force(
    p: ArrayLike,
    V: ArrayLike,
    w: ArrayLike,
    max_per_target: ArrayLike | None = None,
    group: ArrayLike | None = None,
    group_rounds: ArrayLike | None = None,
    group_targets: ArrayLike | None = None,
    weapon_targets: ArrayLike | None = None,
) -> WtaResult:
    """Exhaustive search over every target's allocation vectors (tiny instances only)."""
    pr = _problem(p, V, w, max_per_target, group, group_rounds, group_targets, weapon_targets)
    W, J = pr.p.shape
    G = pr.group_rounds.shape[0]
    per_target = [
        [np.bincount(np.asarray(c, dtype=np.int64), minlength=W) for c in _allocations(pr, j)]
        for j in range(J)
    ]
    best_x = np.zeros((W, J), np.int64)
    best = objective(best_x, pr.p, pr.V)
    for choice in itertools.product(*per_target):
        x = np.stack(choice, axis=1) if J else np.zeros((W, 0), np.int64)
        if np.any(x.sum(axis=1) > pr.w) or np.any((x > 0).sum(axis=1) > pr.weapon_targets):
            continue
        if G:
            rounds = np.bincount(pr.group, weights=x.sum(axis=1), minlength=G)
            if np.any(rounds > pr.group_rounds):
                continue
            nt = np.array([(x[pr.group == g].sum(axis=0) > 0).sum() for g in range(G)])
            if np.any(nt > pr.group_targets):
                continue
        f = objective(x, pr.p, pr.V)
        if f < best - 1e-15:
            best, best_x = f, x
    return WtaResult(best_x, best, "brute", True)


def solve(
    p: ArrayLike,
    V: ArrayLike,
    w: ArrayLike,
    max_per_target: ArrayLike | None = None,
    group: ArrayLike | None = None,
    group_rounds: ArrayLike | None = None,
    group_targets: ArrayLike | None = None,
    method: str = "auto",
    max_binaries: int = MAX_BINARIES,
    weapon_targets: ArrayLike | None = None,
) -> WtaResult:
    """Solve a static WTA.

    Parameters
    ----------
    p : (W, J) float in [0, 1] — kill probability of one round of type i on target j
        (0 where the target is outside that weapon's envelope)
    V : (J,) float >= 0 — target values
    w : (W,) int — rounds of each type
    max_per_target : (J,) int or int or None — at most this many rounds per target
    group : (W,) int or None — group (fire unit) of each weapon type, 0..G-1
    group_rounds : (G,) int or None — rounds a group may commit (free missile channels)
    group_targets : (G,) int or None — distinct targets a group may engage (free target
        channels)
    weapon_targets : (W,) int or None — distinct targets each weapon type may engage
    method : ``"auto"`` (exact when at most ``max_binaries`` binaries, else greedy),
        ``"milp"``, ``"greedy"`` or ``"brute"``

    Returns
    -------
    WtaResult
    """
    args = (p, V, w, max_per_target, group, group_rounds, group_targets)
    if method not in ("auto", "greedy", "brute", "milp"):
        raise ValueError(f"unknown WTA method {method!r} (auto, milp, greedy, brute)")
    if method == "brute":
        return brute_force(*args, weapon_targets=weapon_targets)
    if method == "milp" or (method == "auto" and n_binaries(p, w, max_per_target) <= max_binaries):
        return solve_exact(*args, weapon_targets=weapon_targets)
    return solve_greedy(*args, weapon_targets=weapon_targets)
