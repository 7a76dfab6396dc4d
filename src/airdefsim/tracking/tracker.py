"""The multi-sensor multi-target tracker (``Tracker``): the seam the simulation calls.

One cycle per look (one sensor, one ``group_window``, no gap above ``look_gap``), oldest
first (Stone Soup's ``tracker/simple.py`` order, vectorised inside)::

    for each look:
        gate (k-d tree, chi-square), cluster, associate (GNN or JPDA) the plots with the
            confirmed / coasting tracks; update them (IMM: mix, predict to each plot's
            own time, update)
        the same (GNN) with the tentative tracks of two or more plots
        two-point initiation of the one-plot tracks under a speed limit
        a one-plot tentative track on every plot still left
    then: confirm (M plots and a log-likelihood score), coast, delete

Asynchronous radars of different accuracies are fused by these sequential updates: each
plot updates its track at the plot's own time with the plot's own covariance ``R``.
All track data is held in arrays (structure of arrays); ids are never reused.

Approximations (documented in ``docs/tracking.md``): converted position measurements
(``Plots.pos`` and ``Plots.R``, debiased from ``sigma_rae``), so no polar EKF; a plot
older than its track's estimate is applied by retrodicting the estimate (process noise
over ``|Δt|``), not by an exact out-of-sequence algorithm; JPDA updates a track at the
time of its most probable plot of the look.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from airdefsim.scenario.loader import tracker_settings
from airdefsim.scenario.schema import TrackerSettings
from airdefsim.tracking import filters
from airdefsim.tracking.association import gnn, jpda
from airdefsim.tracking.filters import NX, ModelParams
from airdefsim.tracking.gating import candidate_pairs, gate_threshold
from airdefsim.types import F64, I64, Plots, TrackTable

TENTATIVE, CONFIRMED, COASTING = TrackTable.TENTATIVE, TrackTable.CONFIRMED, TrackTable.COASTING


def model_params(s: TrackerSettings) -> ModelParams:
    """The motion models' parameters (SI) of tracker settings."""
    return ModelParams(
        sigma_cv=s.sigma_cv,
        sigma_ca=s.sigma_ca,
        sigma_ct=s.sigma_ct,
        turn_acc=s.turn_acc,
        sigma_ballistic=s.sigma_ballistic,
        continuous_noise=s.process_noise == "continuous",
    )


def _trace(P: F64, sl: slice) -> F64:
    return np.einsum("...ii->...", P[..., sl, sl])


class Tracker:
    """Multi-sensor multi-target tracker over the scenario ENU frame.

    Use ``Tracker.from_config(settings)``, then ``step(t, plots)`` once per decision
    interval and ``tracks()`` for the picture. See the module docstring for the cycle.
    ``config`` holds the settings (:class:`~airdefsim.scenario.schema.TrackerSettings`:
    every option with its unit and range).

    Track arrays (M live tracks, r motion models): ``_id (M,)``, ``_xm (M, r, 9)``,
    ``_Pm (M, r, 9, 9)``, ``_mu (M, r)``, ``_t_state (M,)`` (time of the estimate),
    ``_t_update (M,)``, ``_n_upd (M,)``, ``_status (M,)``, ``_revisit (M,)`` (typical
    interval between updates, s; NaN until two updates), ``_score (M,)`` (track score).
    """

    def __init__(self, config: TrackerSettings | None = None) -> None:
        self.config = config if config is not None else TrackerSettings()
        c = self.config
        self._models = c.motion_models
        self._params = model_params(c)
        self._trans = filters.markov_matrix(len(c.models), c.p_stay)
        self._gate = gate_threshold(c.gate_prob, 3)
        self._amax = max(
            c.turn_acc if any(m.startswith("ct") for m in c.models) else 0.0,
            filters.G0 if "ballistic" in c.models else 0.0,
            3.0 * c.sigma_cv,
        )
        self._qmax = max(c.sigma_cv, c.sigma_ct, c.sigma_ballistic)
        self.t = -math.inf
        self._next_id = 1
        r = len(c.models)
        self._id = np.zeros((0,), np.int64)
        self._xm = np.zeros((0, r, NX))
        self._Pm = np.zeros((0, r, NX, NX))
        self._mu = np.zeros((0, r))
        self._t_state = np.zeros((0,))
        self._t_update = np.zeros((0,))
        self._n_upd = np.zeros((0,), np.int64)
        self._status = np.zeros((0,), np.int64)
        self._revisit = np.zeros((0,))
        self._score = np.zeros((0,))
        self._parent = np.zeros((0,), np.int64)
        # last update of each track by each sensor (columns grow with the sensor index)
        self._t_sensor = np.zeros((0, 0))
        self._batch_sensor = -1
        #: ids of tracks confirmed during the last ``step`` (for "track_confirmed" events)
        self.newly_confirmed: I64 = np.zeros((0,), np.int64)
        self._paired: I64 = np.zeros((0,), np.int64)  # per plot of the batch: pair track id
        self._combined: tuple[F64, F64] = (np.zeros((0, NX)), np.zeros((0, NX, NX)))

    @classmethod
    def from_config(cls, cfg: TrackerSettings | Mapping[str, Any] | None = None) -> Tracker:
        """A tracker from the scenario's ``tracker`` settings, or from a raw mapping of
        them (validated: a bad one raises ``ScenarioError``, a ``ValueError``, naming
        each key); ``{}`` or None gives the defaults."""
        return cls(tracker_settings(cfg))

    def __len__(self) -> int:
        return int(self._id.shape[0])

    # ------------------------------------------------------------------ the cycle

    def step(self, t: float, plots: Plots) -> None:
        """Process every plot (times ``<= t``, any order, any sensors), then manage.

        Plots are cut into batches (one sensor, one ``group_window``, no time gap above
        ``look_gap``) processed oldest first. A plot older than its track's estimate is
        applied by retrodicting the estimate to the plot's time (an approximate
        out-of-sequence update, process noise taken over ``|Δt|``).

        Parameters
        ----------
        t : float, s — current time; tracks are reported predicted to it.
        plots : Plots — ``pos`` (K, 3) m ENU and ``R`` (K, 3, 3) m² are used;
            ``truth_id`` is never read.
        """
        n_conf_before = set(self._id[self._status != TENTATIVE].tolist())
        if len(plots):
            tp = np.asarray(plots.t, float)
            sensor = np.asarray(plots.sensor).astype(np.int64)
            order = np.lexsort((tp, sensor))
            tp, sensor = tp[order], sensor[order]
            z = np.asarray(plots.pos, float)
            if self.config.debias:
                z = filters.debias_converted(
                    z, np.asarray(plots.sensor_pos, float), np.asarray(plots.sigma_rae, float)
                )
            z = z[order]
            R = np.asarray(plots.R, float)[order]
            # batches ("looks"): one sensor, one group window, no gap above look_gap
            win = np.floor(tp / self.config.group_window).astype(np.int64)
            new = np.ones(tp.shape[0], bool)
            new[1:] = (
                (sensor[1:] != sensor[:-1])
                | (win[1:] != win[:-1])
                | (np.diff(tp) > self.config.look_gap)
            )
            starts = np.flatnonzero(new)
            ends = np.append(starts[1:], tp.shape[0])
            n_sensors = int(sensor.max()) + 1
            if self._t_sensor.shape[1] < n_sensors:
                grow = n_sensors - self._t_sensor.shape[1]
                self._t_sensor = np.concatenate(
                    [self._t_sensor, np.full((len(self), grow), np.nan)], axis=1
                )
            for b in np.argsort(tp[starts], kind="stable"):
                sl = slice(starts[b], ends[b])
                self._batch_sensor = int(sensor[starts[b]])
                self._process_batch(tp[sl], z[sl], R[sl])
        self.t = max(self.t, float(t))
        self._manage(self.t)
        conf = self._id[self._status != TENTATIVE]
        self.newly_confirmed = np.array(
            [i for i in conf.tolist() if i not in n_conf_before], dtype=np.int64
        )

    def _process_batch(self, tk: F64, z: F64, R: F64) -> None:
        """One sensor batch: plots at times ``tk (K,)``, ``z (K, 3)``, ``R (K, 3, 3)``.

        A sensor may look at a target more than once within a batch. Each pass gives a
        track at most the plots of one look (plots within ``look_gap`` of its earliest
        gated plot) and initiates only on plots with no earlier free plot within reach
        (``max_speed``); the next pass offers the later looks to the tracks so made.
        """
        free = np.ones(tk.shape[0], bool)
        self._paired = np.full(tk.shape[0], -1, np.int64)
        tmin = np.full(len(self), -np.inf)
        c = self.config
        # one look only (the usual case): a single pass
        n_passes = c.max_passes if tk[-1] - tk[0] > c.look_gap else 1
        for n_pass in range(n_passes):
            tent = self._status == TENTATIVE
            single = tent & (self._n_upd == 1)
            for sel, method in (
                (~tent, c.association),
                (tent & ~single, "gnn"),
                (single, "two_point"),
            ):
                if not free.any():
                    break
                idx = np.flatnonzero(sel)
                if not idx.size:
                    continue
                if tmin.size < len(self):
                    tmin = np.concatenate([tmin, np.full(len(self) - tmin.size, -np.inf)])
                if method == "two_point":
                    used, rows = self._two_point(idx, tk, z, R, free, tmin)
                else:
                    used, rows = self._associate_update(idx, tk, z, R, free, method, tmin)
                free &= ~used
                tmin[rows] = self._t_state[rows] + c.look_gap
            if not free.any():
                return
            start = free.copy()
            if n_pass < n_passes - 1:
                start &= ~self._later_looks(tk, z, R, free)
            self._initiate(tk[start], z[start], R[start], self._paired[start])
            free &= ~start
            if not free.any():
                return

    def _two_point(
        self, idx: I64, tk: F64, z: F64, R: F64, free: np.ndarray, tmin: F64
    ) -> tuple[np.ndarray, I64]:
        """Second plot of one-plot tracks: two-point initiation under a speed limit.

        A free plot pairs with a one-plot track when it lies within
        ``max_speed · |Δt| + 4 σ`` of it (σ from both plots' covariances); GNN on the
        plot density under the speed prior (cost ``-ln p``) picks the pairs. The state becomes the two-point difference
        (Bar-Shalom et al. 2001, §5.5.3): ``x = z₂``, ``v = (z₂ - z₁)/Δt``,
        ``P_pp = R₂``, ``P_pv = R₂/Δt``, ``P_vv = (R₁ + R₂)/Δt²``. The track score gains
        ``ln(Pd p(z₂) / λ)``, p from a uniform density over the speed-limit ball (the plot is uniform
        in it a priori; mixed with a Gaussian speed prior). Returns (plots taken, rows
        updated); the plots stay free to start one-plot tracks too.
        """
        c = self.config
        taken = np.zeros(tk.shape[0], bool)
        none = np.zeros((0,), np.int64)
        pidx = np.flatnonzero(free)
        t0 = self._t_state[idx]
        z1 = self._xm[idx, 0, :3]
        R1 = self._Pm[idx, 0, :3, :3]
        span = np.maximum(np.abs(tk[pidx].max() - t0), np.abs(tk[pidx].min() - t0))
        sig_max = math.sqrt(float(_trace(R[pidx], slice(0, 3)).max()))
        radius = c.max_speed * span + 4.0 * (np.sqrt(_trace(R1, slice(0, 3))) + sig_max)
        ti, pk = candidate_pairs(z1, radius, z[pidx])
        pk = pidx[pk]
        dt = tk[pk] - t0[ti]
        dist = np.linalg.norm(z[pk] - z1[ti], axis=1)
        sig = np.sqrt(_trace(R[pk], slice(0, 3)) + _trace(R1[ti], slice(0, 3)))
        reach = c.max_speed * np.abs(dt) + 4.0 * sig
        ok = (tk[pk] >= tmin[idx[ti]]) & (np.abs(dt) >= c.look_gap) & (dist <= reach)
        ti, pk, dt, reach = ti[ok], pk[ok], dt[ok], reach[ok]
        if ti.size == 0:
            return taken, none
        # plot density under the speed prior: the Gaussian of init_speed_sigma (most
        # targets) mixed 9:1 with the uniform speed-limit ball (fast ones)
        vol = 4.0 / 3.0 * math.pi * reach**3
        R_sum = R[pk] + R1[ti]
        S = R_sum + np.eye(3) * (c.init_speed_sigma * np.abs(dt))[:, None, None] ** 2
        dens = 0.9 * np.exp(filters.log_gauss(z[pk] - z1[ti], S)) + 0.1 / vol
        cost = -np.log(dens)
        chosen = gnn(ti, pk, cost, idx.size, tk.shape[0], float(cost.max()) + 1.0) > 0.5
        # the plots also start one-plot tracks of their own (not "taken"): a clutter
        # one-plot track must not swallow a new target's first plot; a duplicate dies
        # when the two-plot track takes the next plot first
        ti, pk, dt, dens, R_sum = ti[chosen], pk[chosen], dt[chosen], dens[chosen], R_sum[chosen]
        self._paired[pk] = self._id[idx[ti]]
        rows = idx[ti]
        later = dt > 0
        z_late = np.where(later[:, None], z[pk], z1[ti])
        R_late = np.where(later[:, None, None], R[pk], R1[ti])
        dtl = np.abs(dt)
        vel = (z[pk] - z1[ti]) / dt[:, None]
        n = rows.size
        x = np.zeros((n, NX))
        x[:, :3] = z_late
        x[:, 3:6] = vel
        P = np.zeros((n, NX, NX))
        P[:, :3, :3] = R_late
        P[:, :3, 3:6] = P[:, 3:6, :3] = R_late / dtl[:, None, None]
        P[:, 3:6, 3:6] = R_sum / (dtl * dtl)[:, None, None]
        P[:, 6:9, 6:9] = np.eye(3) * c.init_acc_sigma**2
        r = len(self._models)
        self._xm[rows] = x[:, None]
        self._Pm[rows] = P[:, None]
        self._mu[rows] = 1.0 / r
        self._t_state[rows] = np.maximum(t0[ti], tk[pk])
        self._t_update[rows] = self._t_state[rows]
        self._revisit[rows] = dtl
        self._n_upd[rows] = 2
        self._score[rows] += np.log(c.pd / c.clutter_density * dens)
        promote = rows[
            (self._n_upd[rows] >= c.confirm_hits) & (self._score[rows] >= c.confirm_score)
        ]
        self._status[promote] = CONFIRMED
        return taken, rows

    def _later_looks(self, tk: F64, z: F64, R: F64, free: np.ndarray) -> np.ndarray:
        """(K,) mask of free plots that an earlier free plot (``look_gap`` before or more)
        could be the same object as: closer than ``max_speed`` × Δt + 4 σ."""
        out = np.zeros(tk.shape[0], bool)
        f = np.flatnonzero(free)
        if f.size < 2 or tk[f].max() - tk[f].min() <= self.config.look_gap:
            return out
        sig = float(np.sqrt(_trace(R[f], slice(0, 3)).max()))
        span = float(tk[f].max() - tk[f].min())
        reach = self.config.max_speed * span + 4.0 * sig
        pairs = cKDTree(z[f]).query_pairs(reach, output_type="ndarray")
        if pairs.size == 0:
            return out
        i, j = f[pairs[:, 0]], f[pairs[:, 1]]
        early, late = np.where(tk[i] <= tk[j], i, j), np.where(tk[i] <= tk[j], j, i)
        dt = tk[late] - tk[early]
        d = np.linalg.norm(z[late] - z[early], axis=1)
        near = (dt > self.config.look_gap) & (d < self.config.max_speed * dt + 4.0 * sig)
        out[late[near]] = True
        return out

    def _associate_update(
        self,
        idx: I64,
        tk: F64,
        z: F64,
        R: F64,
        free: np.ndarray,
        method: str,
        tmin: F64,
    ) -> tuple[np.ndarray, I64]:
        """Gate, associate and update tracks ``idx`` with the ``free`` plots.

        Only plots at or after ``tmin`` (per track row) are offered to a track.

        Returns a (K,) bool mask of the plots that are taken (not to be initiated on) and
        the track rows updated.
        """
        taken = np.zeros(tk.shape[0], bool)
        none = np.zeros((0,), np.int64)
        pidx = np.flatnonzero(free)
        ti, pk = self._prefilter(idx, tk[pidx], z[pidx], R[pidx])
        pk = pidx[pk]
        late = tk[pk] >= tmin[idx[ti]]
        ti, pk = ti[late], pk[late]
        if ti.size == 0:
            return taken, none
        # mix only the tracks with candidate plots
        cand, ci = np.unique(ti, return_inverse=True)
        rows = idx[cand]
        x0, P0, cbar_c = filters.imm_mix(
            self._mu[rows], self._trans, self._xm[rows], self._Pm[rows]
        )
        cbar = np.zeros((idx.size, len(self._models)))
        cbar[cand] = cbar_c
        dt = tk[pk] - self._t_state[idx[ti]]
        xp, Pp = filters.imm_predict(self._models, self._params, dt, x0[ci], P0[ci])
        xc, Pc = filters.imm_combine(cbar[ti], xp, Pp)
        nu, S = filters.innovation(xc, Pc, z[pk], R[pk])
        d2 = filters.mahalanobis2(nu, S)
        ok = d2 < self._gate
        if ok.any():
            # one look per pass: plots within look_gap of the track's earliest gated plot
            first = np.full(idx.size, np.inf)
            np.minimum.at(first, ti[ok], tk[pk[ok]])
            ok &= tk[pk] <= first[ti] + self.config.look_gap
        ti, pk, d2, xp, Pp, nu, S = ti[ok], pk[ok], d2[ok], xp[ok], Pp[ok], nu[ok], S[ok]
        if ti.size == 0:
            return taken, none
        n_t, n_p = idx.size, tk.shape[0]
        if method == "jpda":
            ll = filters.log_gauss(nu, S)
            c = self.config
            beta = jpda(ti, pk, ll, n_t, n_p, c.pd, c.gate_prob, c.clutter_density)
            self._pda_update(idx, ti, pk, beta, xp, Pp, cbar, tk, z, R)
            # every gated plot is explained by the tracks (no initiation on it)
            taken[pk] = True
            return taken, idx[np.unique(ti)]
        # likelihood-ratio costs (Blackman & Popoli 1999, §6.5.1): a pair costs
        # -2 ln(Pd N(ν; 0, S) / λ), a missed track -2 ln(1 - Pd). A track with a large S
        # (coasting) pays for it, so it cannot take a plot from a well-held neighbour;
        # pairs dearer than a miss are dropped
        c = self.config
        cost = -2.0 * (filters.log_gauss(nu, S) + math.log(c.pd / c.clutter_density))
        miss = -2.0 * math.log(max(1.0 - c.pd, 1e-6))
        keep = cost < miss
        if not keep.all():
            ti, pk, cost, xp, Pp = ti[keep], pk[keep], cost[keep], xp[keep], Pp[keep]
            if ti.size == 0:
                return taken, none
        chosen = gnn(ti, pk, cost, n_t, n_p, miss) > 0.5
        # a gated plot of the same look as its track's assigned plot is a second detection
        # of that object (e.g. seen in two adjacent beams): used, not initiated on
        t_asg = np.full(n_t, np.nan)
        t_asg[ti[chosen]] = tk[pk[chosen]]
        same_look = np.abs(tk[pk] - t_asg[ti]) <= self.config.look_gap
        taken[pk[same_look]] = True
        ti, pk = ti[chosen], pk[chosen]
        xu, Pu, mu, ll = filters.imm_update(xp[chosen], Pp[chosen], cbar[ti], z[pk], R[pk])
        self._store(idx[ti], xu, Pu, mu, tk[pk], hit=np.ones(ti.size, bool), loglik=ll)
        taken[pk] = True
        return taken, idx[ti]

    def _prefilter(self, idx: I64, tk: F64, z: F64, R: F64) -> tuple[I64, I64]:
        """Coarse k-d tree search: (track, plot) pairs that may fall in the chi-square gate.

        The Euclidean radius bounds the gate: ``sqrt(G)`` times an upper bound of the
        predicted position spread (Minkowski: ``σ(p + T v + T²a/2) ≤ σp + T σv + T²σa/2``)
        plus the largest process and measurement noise, plus the mean drift a model
        with the largest acceleration could add over the batch.
        """
        x, P = filters.imm_combine(self._mu[idx], self._xm[idx], self._Pm[idx])
        t_mid = 0.5 * (tk.min() + tk.max())
        span = 0.5 * (tk.max() - tk.min())
        dt = t_mid - self._t_state[idx]
        T = np.abs(dt) + span
        pos = x[:, :3] + x[:, 3:6] * dt[:, None] + 0.5 * x[:, 6:9] * (dt * dt)[:, None]
        sig = (
            np.sqrt(_trace(P, slice(0, 3)))
            + T * np.sqrt(_trace(P, slice(3, 6)))
            + 0.5 * T * T * np.sqrt(_trace(P, slice(6, 9)))
            + math.sqrt(3.0) * self._qmax * T * T
            + math.sqrt(float(_trace(R, slice(0, 3)).max()))
        )
        speed = np.linalg.norm(x[:, 3:6], axis=1)
        acc = np.linalg.norm(x[:, 6:9], axis=1) + self._amax
        radius = math.sqrt(self._gate) * sig + speed * span + 0.5 * acc * T * T
        return candidate_pairs(pos, radius, z)

    def _pda_update(
        self,
        idx: I64,
        ti: I64,
        pk: I64,
        beta: F64,
        xp: F64,
        Pp: F64,
        cbar: F64,
        tk: F64,
        z: F64,
        R: F64,
    ) -> None:
        """IMM-PDA update of the tracks with JPDA weights ``beta`` (P,) over gated pairs.

        Per mode j and track: ``ν̄ = Σ β_k ν_k``, ``x = x⁻ + K ν̄``,
        ``P = P⁻ - (1 - β₀) K S Kᵀ + K (Σ β_k ν_k ν_kᵀ - ν̄ ν̄ᵀ) Kᵀ`` (Bar-Shalom & Li,
        1995, eq. 6.2.3-8), with x⁻, S at the track's most probable plot.
        """
        a = np.unique(ti)  # local tracks with pairs
        loc = np.full(idx.size, -1, np.int64)
        loc[a] = np.arange(a.size)
        li = loc[ti]
        # reference pair per track: the most probable one
        order = np.lexsort((-beta, li))
        first = np.ones(order.size, bool)
        first[1:] = li[order[1:]] != li[order[:-1]]
        ref = order[first]  # (A,) pair index, in track order a
        r = len(self._models)
        xr, Pr = xp[ref], Pp[ref]  # (A, r, 9), (A, r, 9, 9)
        Rr = R[pk[ref]]
        S = Pr[:, :, :3, :3] + Rr[:, None]
        K = np.swapaxes(np.linalg.solve(S, np.swapaxes(Pr[:, :, :, :3], 2, 3)), 2, 3)
        nu = z[pk][:, None, :] - xr[li, :, :3]  # (P, r, 3)
        nub = np.zeros((a.size, r, 3))
        np.add.at(nub, li, beta[:, None, None] * nu)
        spread = np.zeros((a.size, r, 3, 3))
        np.add.at(spread, li, beta[:, None, None, None] * nu[:, :, :, None] * nu[:, :, None, :])
        spread -= nub[:, :, :, None] * nub[:, :, None, :]
        b_sum = np.bincount(li, weights=beta, minlength=a.size)
        Kt = np.swapaxes(K, 2, 3)
        xu = xr + np.einsum("ajik,ajk->aji", K, nub)
        Pu = Pr - (b_sum[:, None, None, None]) * (K @ S @ Kt) + K @ spread @ Kt
        Pu = 0.5 * (Pu + np.swapaxes(Pu, 2, 3))
        # mode likelihoods: miss + Σ_k Pd N(ν_k; S_j) / λ
        c = self.config
        ll = filters.log_gauss(nu.reshape(-1, 3), S[li].reshape(-1, 3, 3)).reshape(-1, r)
        lr = np.exp(np.clip(ll + math.log(c.pd / c.clutter_density), -700.0, 700.0))
        lam = np.zeros((a.size, r))
        np.add.at(lam, li, lr)
        lam += 1.0 - c.pd * c.gate_prob
        w = lam * cbar[a]
        mu = w / w.sum(axis=1, keepdims=True)
        self._store(idx[a], xu, Pu, mu, tk[pk[ref]], hit=b_sum > 0.5)

    def _store(
        self,
        rows: I64,
        xm: F64,
        Pm: F64,
        mu: F64,
        t: F64,
        hit: np.ndarray,
        loglik: F64 | None = None,
    ) -> None:
        """Write updated estimates of ``rows``; bookkeeping of the hits and the score."""
        c = self.config
        if loglik is not None:
            self._score[rows] += math.log(c.pd / c.clutter_density) + loglik
        self._xm[rows] = xm
        self._Pm[rows] = Pm
        self._mu[rows] = np.maximum(mu, 1e-12) / np.maximum(mu, 1e-12).sum(1, keepdims=True)
        self._t_state[rows] = t
        h = rows[hit]
        th = t[hit]
        gap = np.abs(th - self._t_update[h])
        rv = self._revisit[h]
        self._revisit[h] = np.where(
            self._n_upd[h] >= 1, np.where(np.isnan(rv), gap, 0.7 * rv + 0.3 * gap), np.nan
        )
        self._t_update[h] = np.maximum(self._t_update[h], th)
        if self._batch_sensor >= 0:
            col = self._t_sensor[h, self._batch_sensor]
            self._t_sensor[h, self._batch_sensor] = np.fmax(col, th)
        self._n_upd[h] += 1
        promote = h[
            (self._status[h] == TENTATIVE)
            & (self._n_upd[h] >= c.confirm_hits)
            & (self._score[h] >= c.confirm_score)
        ]
        self._status[promote] = CONFIRMED
        back = h[self._status[h] == COASTING]
        self._status[back] = CONFIRMED

    def _initiate(self, tk: F64, z: F64, R: F64, parent: I64 | None = None) -> None:
        """A tentative track on each plot: position from the plot, velocity unknown."""
        n = tk.shape[0]
        c = self.config
        r = len(self._models)
        x = np.zeros((n, NX))
        x[:, :3] = z
        P = np.zeros((n, NX, NX))
        P[:, :3, :3] = R
        P[:, 3:6, 3:6] = np.eye(3) * c.init_speed_sigma**2
        P[:, 6:9, 6:9] = np.eye(3) * c.init_acc_sigma**2
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        self._id = np.concatenate([self._id, ids])
        self._xm = np.concatenate([self._xm, np.repeat(x[:, None], r, axis=1)])
        self._Pm = np.concatenate([self._Pm, np.repeat(P[:, None], r, axis=1)])
        self._mu = np.concatenate([self._mu, np.full((n, r), 1.0 / r)])
        self._t_state = np.concatenate([self._t_state, tk])
        self._t_update = np.concatenate([self._t_update, tk])
        self._n_upd = np.concatenate([self._n_upd, np.ones(n, np.int64)])
        conf = c.confirm_hits <= 1 and c.confirm_score <= 0
        self._status = np.concatenate([self._status, np.full(n, CONFIRMED if conf else TENTATIVE)])
        self._revisit = np.concatenate([self._revisit, np.full(n, np.nan)])
        self._score = np.concatenate([self._score, np.zeros(n)])
        par = np.full(n, -1, np.int64) if parent is None else parent
        self._parent = np.concatenate([self._parent, par])
        ts = np.full((n, self._t_sensor.shape[1]), np.nan)
        if self._batch_sensor >= 0 and ts.shape[1] > self._batch_sensor:
            ts[:, self._batch_sensor] = tk
        self._t_sensor = np.concatenate([self._t_sensor, ts])

    def _manage(self, t: float) -> None:
        """Coast, delete; compacts the track arrays (deleted ids are never reused)."""
        self._combined = (np.zeros((0, NX)), np.zeros((0, NX, NX)))
        if not len(self):
            return
        c = self.config
        gap = t - self._t_update
        rv = np.where(np.isnan(self._revisit), c.coast_min, self._revisit)
        conf = self._status != TENTATIVE
        coasting = conf & (gap > np.maximum(c.coast_factor * rv, c.coast_min))
        self._status[conf & coasting] = COASTING
        self._status[conf & ~coasting] = CONFIRMED
        x, P = filters.imm_combine(self._mu, self._xm, self._Pm)
        dts = np.maximum(t - self._t_state, 0.0)
        pos_sig = np.sqrt(
            (
                np.sqrt(_trace(P, slice(0, 3)))
                + dts * np.sqrt(_trace(P, slice(3, 6)))
                + 0.5 * dts * dts * self._qmax
            )
            ** 2
            / 3.0
        )
        drop = (pos_sig > c.max_pos_sigma) & (self._n_upd >= 2)  # one plot: no velocity yet
        drop |= conf & (gap > np.maximum(c.delete_factor * rv, c.delete_min))
        tent = ~conf
        drop |= tent & (gap > c.tentative_timeout)
        drop |= tent & (self._n_upd >= 2) & (np.linalg.norm(x[:, 3:6], axis=1) > c.max_speed)
        # a one-plot track started on a plot that a two-plot track also used is moot once
        # that track has taken a third plot
        has_parent = (self._parent >= 0) & (self._n_upd == 1)
        if has_parent.any():
            grown = self._id[self._n_upd >= 3]
            drop |= has_parent & np.isin(self._parent, grown)
        if drop.any():
            keep = ~drop
            for name in (
                "_id",
                "_xm",
                "_Pm",
                "_mu",
                "_t_state",
                "_t_update",
                "_n_upd",
                "_status",
                "_revisit",
                "_score",
                "_parent",
                "_t_sensor",
            ):
                setattr(self, name, getattr(self, name)[keep])
            x, P = x[keep], P[keep]
        self._combined = (x, P)

    # ------------------------------------------------------------------ the picture

    def tracks(self) -> TrackTable:
        """Every live track, its estimate predicted to the time of the last ``step``.

        Returns
        -------
        TrackTable — ``x (M, 6)`` [e, n, u, ve, vn, vu] scenario ENU (m, m/s),
        ``P (M, 6, 6)``, ``status`` 0 tentative / 1 confirmed / 2 coasting, stable ids.
        """
        m = len(self)
        if m == 0:
            return TrackTable.empty()
        x, P = self._combined
        if x.shape[0] != m:  # tracks() before any step
            x, P = filters.imm_combine(self._mu, self._xm, self._Pm)
        # hot path: extrapolate the combined estimate with its own acceleration (constant
        # acceleration kinematics, DWNA noise of the noisiest model) instead of a full
        # IMM prediction; the gap is at most one step for live tracks
        dt = self.t - self._t_state
        F, _, _ = filters.transition("ca", dt, x, self._params)
        _, _, Q = filters.transition("cv", dt, x, replace(self._params, sigma_cv=self._qmax))
        x, P = filters.predict(x, P, F, np.zeros_like(x), Q)
        return TrackTable(
            track_id=self._id.copy(),
            x=x[:, :6].copy(),
            P=P[:, :6, :6].copy(),
            status=self._status.copy(),
            t_update=self._t_update.copy(),
            n_updates=self._n_upd.copy(),
            t_update_sensor=self._t_sensor.copy(),
        )

    def predict_to(self, t: float) -> tuple[F64, F64]:
        """IMM prediction of every track to ``t`` (not stored): ``(M, 9)``, ``(M, 9, 9)``."""
        x0, P0, cbar = filters.imm_mix(self._mu, self._trans, self._xm, self._Pm)
        dt = t - self._t_state
        xp, Pp = filters.imm_predict(self._models, self._params, dt, x0, P0)
        return filters.imm_combine(cbar, xp, Pp)
