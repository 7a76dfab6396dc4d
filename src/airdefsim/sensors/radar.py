"""The radar model the simulation calls: scan timing, detection, measurement, false
alarms and jamming for all targets of an interval at once.

Model (per look)
----------------
1. **Scan.** A search radar sweeps a scan coordinate ``u ∈ [0, 1)`` at ``(1 - f)/period``
   frames per second (``f``: share of time spent on track dwells, engagement radars
   only). Rotating radars: ``u = azimuth / 2π``; sector radars: ``u`` runs across the
   sector from its left edge. A target is looked at when the beam's ``u`` crosses the
   target's ``u`` — once per frame, at that instant (not every step).
2. **Visibility.** Instrumented range, elevation limits, the sector, the smooth
   4/3-earth horizon and (with a DEM) terrain masking.
3. **SNR.** ``SNR = k σ / R⁴ / L / (1 + J/N)`` per pulse, ``k`` from the calibration
   (:func:`airdefsim.sensors.jamming.radar_constant`), ``σ`` by aspect and band
   (:mod:`airdefsim.sensors.rcs`), ``L`` atmospheric + low-elevation (+ scan loss
   ``cos²`` off broadside for sector radars), ``J/N`` from every in-band jammer in
   line of sight.
4. **Detection.** The fluctuation and the noise are drawn
   (:func:`airdefsim.sensors.detection.detect`); the detection rate equals the
   Swerling Pd of the target's case.
5. **Measurement.** One-sigma errors ``σ_R = sqrt(floor² + (ΔR/√(2·SNR))²)`` with
   ``ΔR = c/2B``, ``σ_θ = sqrt(floor² + (θ_3dB/√(2·SNR))²)`` (Barton, *Radar System
   Analysis and Modeling* §§ 18–19: monopulse/centroid accuracy ∝ beamwidth/√(2 SNR)),
   SNR the integrated received SNR; ``pos`` and its covariance ``R`` converted to the
   scenario ENU frame by the Jacobian of the spherical-to-Cartesian map.
6. **False alarms.** Poisson with mean ``Pfa ×`` (resolution cells swept in the
   interval), spread uniformly over the swept cells; ``truth_id = -1``.

Engagement radars also give track dwells on ``cues`` (ECEF positions from the fire
control): every ``track_interval`` a beam toward each cue; targets inside the beam and
within a range window of the cue are looked at (with the Gaussian beam-shape loss).
Cues beyond ``max_track_fraction`` of the radar's time are not served.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from airdefsim.geo.wgs84 import LocalFrame, aer_to_enu, ecef_to_geodetic, enu_to_aer
from airdefsim.scenario.schema import RadarSpec
from airdefsim.sensors import detection, jamming, propagation, rcs, terrain
from airdefsim.types import Jammer, Plots, TargetsView

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

TWO_PI = 2.0 * np.pi
C = 299792458.0  # m/s


def wrap_pi(a: F64) -> F64:
    """Angles folded into [-π, π)."""
    return np.mod(a + np.pi, TWO_PI) - np.pi


def cartesian_covariance(rae: F64, sigma_rae: F64) -> F64:
    """Covariance (K, 3, 3) in the radar's ENU of a measurement with independent
    range/azimuth/elevation errors ``sigma_rae`` (K, 3) at ``rae`` (K, 3):
    ``J diag(σ²) Jᵀ`` with ``J = ∂(e, n, u)/∂(r, az, el)`` (az clockwise from north)."""
    r, az, el = rae[:, 0], rae[:, 1], rae[:, 2]
    sa, ca, se, ce = np.sin(az), np.cos(az), np.sin(el), np.cos(el)
    jac = np.empty((rae.shape[0], 3, 3))
    jac[:, 0, 0] = ce * sa
    jac[:, 0, 1] = r * ce * ca
    jac[:, 0, 2] = -r * se * sa
    jac[:, 1, 0] = ce * ca
    jac[:, 1, 1] = -r * ce * sa
    jac[:, 1, 2] = -r * se * ca
    jac[:, 2, 0] = se
    jac[:, 2, 1] = 0.0
    jac[:, 2, 2] = r * ce
    d = sigma_rae**2
    return np.einsum("kij,kj,klj->kil", jac, d, jac)


def measurement_sigmas(spec: RadarSpec, snr_int: F64) -> F64:
    """One-sigma (K, 3) errors of range (m), azimuth and elevation (rad) at integrated
    SNR ``snr_int`` (K,) linear (see the module docstring)."""
    s = np.sqrt(2.0 * np.maximum(snr_int, 1e-3))
    dr = C / (2.0 * spec.bandwidth)
    acc = spec.accuracy
    return np.stack(
        [
            np.hypot(acc.range, dr / s),
            np.hypot(acc.azimuth, spec.beamwidth_az / s),
            np.hypot(acc.elevation, spec.beamwidth_el / s),
        ],
        axis=1,
    )


def loss_db(
    spec: RadarSpec, slant: F64, el: F64, h_site: float, h_target: F64, off_boresight: F64
) -> F64:
    """Total two-way loss (dB) beyond free space: atmosphere, low elevation and, for
    sector (phased-array) radars, the scan loss ``-20 log10(cos θ)`` off broadside
    (θ capped at 70°)."""
    total = propagation.atmospheric_loss_db(spec.band, slant, h_site, h_target)
    total = total + propagation.low_elevation_loss_db(el, spec.beamwidth_el, spec.clutter_loss)
    if spec.scan.type == "sector":
        theta = np.minimum(np.abs(off_boresight), np.radians(70.0))
        total = total - 20.0 * np.log10(np.cos(theta))
    return total


class Radar:
    """One radar at a site (see the module docstring for the model).

    Parameters
    ----------
    spec : RadarSpec — the preset (SI units)
    site : LocalFrame — antenna position (``site.h`` = ground + mast, m above ellipsoid)
    heading : float, rad — boresight azimuth of a sector radar (clockwise from north)
    index : int — this radar's index in the world's radar list (``Plots.sensor``)
    rng : numpy Generator — this radar's own random stream
    scenario_frame : LocalFrame — the scenario ENU frame for ``Plots.pos``/``R``
    dem : terrain.Dem, optional — terrain for masking
    """

    def __init__(
        self,
        spec: RadarSpec,
        site: LocalFrame,
        heading: float,
        index: int,
        rng: np.random.Generator,
        scenario_frame: LocalFrame,
        dem: terrain.Dem | None = None,
    ) -> None:
        self.spec = spec
        self.site = site
        self.heading = float(heading)
        self.index = int(index)
        self.rng = rng
        self.scenario_frame = scenario_frame
        self.dem = dem
        self.k = jamming.radar_constant(spec)
        self.site_ecef = site.origin
        self.site_rot = site.rotation  # ECEF -> radar ENU
        scen_rot = scenario_frame.rotation
        self._to_scen = scen_rot @ self.site_rot.T  # radar ENU -> scenario ENU
        self.sensor_pos = scenario_frame.to_enu(self.site_ecef)
        self._phase = float(rng.random())  # search scan coordinate at self._t
        self._t: float | None = None
        self._site_lat_deg = float(np.degrees(site.lat))
        self._site_lon_deg = float(np.degrees(site.lon))
        self.range_resolution = C / (2.0 * spec.bandwidth)

    # ------------------------------------------------------------------ geometry

    @property
    def is_sector(self) -> bool:
        return self.spec.scan.type == "sector"

    def scan_coordinate(self, az: F64) -> tuple[F64, B]:
        """Scan coordinate ``u`` in [0, 1) of azimuths ``az`` (rad) and whether they are
        inside the scanned sector."""
        if not self.is_sector:
            return np.mod(az / TWO_PI, 1.0), np.ones(az.shape, dtype=bool)
        w = self.spec.scan.sector_width
        off = wrap_pi(az - self.heading)
        inside = np.abs(off) <= 0.5 * w
        return np.clip((off + 0.5 * w) / w, 0.0, np.nextafter(1.0, 0.0)), inside

    def cells_per_frame(self) -> float:
        """Resolution cells in one search frame (range × azimuth × elevation beams)."""
        s = self.spec
        width = s.scan.sector_width if self.is_sector else TWO_PI
        n_az = max(width / s.beamwidth_az, 1.0)
        n_el = max(np.ceil((s.max_elevation - s.min_elevation) / s.beamwidth_el), 1.0)
        n_r = max(s.instrumented_range / self.range_resolution, 1.0)
        return float(n_az * n_el * n_r)

    def _served_cues(self, cues: F64 | None) -> F64:
        s = self.spec
        if cues is None or s.role != "engagement":
            return np.zeros((0, 3))
        c = np.asarray(cues, dtype=float).reshape(-1, 3)
        cap = int(np.floor(s.max_track_fraction * s.track_interval / max(s.track_dwell, 1e-9)))
        return c[: max(cap, 0)]

    # ------------------------------------------------------------------ physics

    def snr(
        self,
        pos: F64,
        vel: F64,
        rcs_index: I64,
        rcs_specs: list,
        jammers: list[Jammer],
        beam_loss_db: F64 | None = None,
    ) -> tuple[F64, B, F64, F64]:
        """Mean per-pulse SNR (linear) of targets at ECEF ``pos`` (K, 3).

        Returns ``(snr, visible, rae (K, 3) in the radar frame, h_target (K,))``; ``snr``
        is 0 where not visible.
        """
        s = self.spec
        k = pos.shape[0]
        enu = (pos - self.site_ecef) @ self.site_rot.T
        az, el, slant = enu_to_aer(enu)
        lat, lon, h = ecef_to_geodetic(pos)
        lat = np.atleast_1d(lat)
        lon = np.atleast_1d(lon)
        h = np.atleast_1d(h)
        gr = propagation.ground_range(self.site_ecef, pos)
        _, in_sector = self.scan_coordinate(az)
        visible = (
            (slant <= s.instrumented_range)
            & (slant > 0)
            & (el >= s.min_elevation)
            & (el <= s.max_elevation)
            & in_sector
            & propagation.is_above_horizon(gr, self.site.h, h)
        )
        if self.dem is not None and visible.any():
            vi = np.flatnonzero(visible)
            masked = terrain.is_masked(
                self.dem,
                self._site_lat_deg,
                self._site_lon_deg,
                self.site.h,
                np.degrees(lat[vi]),
                np.degrees(lon[vi]),
                h[vi],
                gr[vi],
            )
            visible[vi[masked]] = False
        sigma_dbsm = np.full(k, -np.inf)
        aspect = rcs.aspect_angle(pos, vel, self.site_ecef)
        for j in np.unique(rcs_index) if k else []:
            m = rcs_index == j
            sigma_dbsm[m] = rcs.rcs_dbsm(rcs_specs[int(j)], s.band, aspect[m])
        off = wrap_pi(az - self.heading)
        total_loss = loss_db(s, slant, el, self.site.h, h, off)
        if beam_loss_db is not None:
            total_loss = total_loss + beam_loss_db
        snr = self.k * detection.undb(sigma_dbsm - total_loss) / np.maximum(slant, 1.0) ** 4
        jn = self.jammer_to_noise(az, el, jammers)
        snr = np.where(visible, snr / (1.0 + jn), 0.0)
        return snr, visible, np.stack([slant, az, el], axis=1), h

    def jammer_to_noise(self, az: F64, el: F64, jammers: list[Jammer]) -> F64:
        """Total J/N (linear) when the beam points at (az, el) (K,), from every in-band
        jammer in line of sight."""
        jn = np.zeros(az.shape)
        for jam in jammers:
            if not jamming.jammer_in_band(self.spec, jam):
                continue
            jpos = np.asarray(jam.pos, dtype=float).reshape(1, 3)
            _, _, hj = ecef_to_geodetic(jpos)
            grj = propagation.ground_range(self.site_ecef, jpos)
            if not bool(propagation.is_above_horizon(grj, self.site.h, np.atleast_1d(hj))[0]):
                continue
            jaz, jel, jr = enu_to_aer((jpos - self.site_ecef) @ self.site_rot.T)
            sep = np.hypot(wrap_pi(az - jaz[0]) * np.cos(el), el - jel[0])
            main = sep <= 0.5 * self.spec.beamwidth_az
            jn = jn + jamming.jammer_to_noise(
                self.spec, jam.erp_w, jam.bandwidth_hz, np.full(az.shape, jr[0]), main
            )
        return jn

    # ------------------------------------------------------------------ the seam

    def observe(
        self,
        t0: float,
        t1: float,
        targets: TargetsView,
        jammers: list[Jammer],
        cues: F64 | None = None,
    ) -> Plots:
        """Every look whose time falls in ``[t0, t1)``: detections and false alarms.

        Parameters
        ----------
        t0, t1 : float, s — the interval; ``targets`` holds truth at ``t0``
        targets : TargetsView — ECEF truth (positions at a look time extrapolated with
            ``vel`` and ``acc``)
        jammers : list of Jammer
        cues : (P, 3) float, m, ECEF, optional — track dwells requested by the fire
            control (engagement radars only)

        Returns
        -------
        Plots sorted by time; ``pos``/``R`` in the scenario ENU frame, ``rae``/
        ``sigma_rae`` in this radar's frame, ``truth_id`` -1 for false alarms.
        """
        s = self.spec
        if self._t is not None and t0 > self._t:  # gap since the last call: keep turning
            self._phase = float(np.mod(self._phase + (t0 - self._t) / s.scan.period, 1.0))
        self._t = t1
        dt = t1 - t0
        if dt <= 0:
            return Plots.empty()
        served = self._served_cues(cues)
        frac = len(served) * s.track_dwell / s.track_interval
        rate = (1.0 - frac) / s.scan.period  # frames per second
        phase0 = self._phase
        sweep = rate * dt
        self._phase = float(np.mod(phase0 + sweep, 1.0))

        parts = [self._search(t0, t1, targets, jammers, phase0, rate, sweep)]
        parts.append(self._false_alarms(t0, phase0, rate, sweep))
        if len(served):
            parts.append(self._track_dwells(t0, t1, targets, jammers, served))
        return Plots.concat(parts).sorted_by_time()

    # ------------------------------------------------------------------ pieces

    def _positions(self, targets: TargetsView, idx: I64, t: F64) -> tuple[F64, F64]:
        dt = (t - targets.t)[:, None]
        p = targets.pos[idx] + targets.vel[idx] * dt + 0.5 * targets.acc[idx] * dt * dt
        v = targets.vel[idx] + targets.acc[idx] * dt
        return p, v

    def _search(self, t0, t1, targets, jammers, phase0, rate, sweep) -> Plots:
        alive = np.flatnonzero(np.asarray(targets.alive, dtype=bool))
        if alive.size == 0 or rate <= 0:
            return Plots.empty()
        # first crossing, refined once at the predicted look time
        t_look = np.full(alive.size, t0)
        for _ in range(2):
            p, _ = self._positions(targets, alive, t_look)
            az, _, _ = enu_to_aer((p - self.site_ecef) @ self.site_rot.T)
            u, inside = self.scan_coordinate(az)
            dphi = np.mod(u - phase0, 1.0)
            t_look = t0 + dphi / rate
        ok = inside & (dphi < sweep)
        n_looks = np.where(ok, np.floor((sweep - dphi) / 1.0).astype(np.int64) + 1, 0)
        idx = np.repeat(alive, n_looks)
        if idx.size == 0:
            return Plots.empty()
        first = np.repeat(t_look, n_looks)
        start = np.cumsum(n_looks) - n_looks
        k_th = np.arange(idx.size) - np.repeat(start, n_looks)
        t = first + k_th / rate
        keep = t < t1
        return self._looks(targets, idx[keep], t[keep], jammers, None)

    def _looks(self, targets, idx, t, jammers, beam_loss) -> Plots:
        """Detection and measurement of looks at targets ``idx`` at times ``t``."""
        if idx.size == 0:
            return Plots.empty()
        s = self.spec
        pos, vel = self._positions(targets, idx, t)
        snr, visible, rae_true, _ = self.snr(
            pos,
            vel,
            np.asarray(targets.rcs_index)[idx],
            targets.rcs_specs,
            jammers,
            None if beam_loss is None else beam_loss,
        )
        sw_table = np.array([sp.swerling for sp in targets.rcs_specs], dtype=np.int64)
        sw = sw_table[np.asarray(targets.rcs_index)[idx]]
        v = np.flatnonzero(visible)
        det, total = detection.detect(snr[v], s.pfa, s.pulses, sw[v], self.rng)
        sel = v[det]
        return self._measure(
            t[sel], rae_true[sel], total[det], np.asarray(targets.truth_id)[idx[sel]]
        )

    def _measure(self, t: F64, rae_true: F64, snr_int: F64, truth_id: I64) -> Plots:
        k = t.shape[0]
        if k == 0:
            return Plots.empty()
        sig = measurement_sigmas(self.spec, snr_int)
        rae = rae_true + sig * self.rng.standard_normal((k, 3))
        rae[:, 0] = np.maximum(rae[:, 0], 1.0)
        rae[:, 1] = np.mod(rae[:, 1], TWO_PI)
        enu_radar = aer_to_enu(rae[:, 1], rae[:, 2], rae[:, 0])
        pos = enu_radar @ self._to_scen.T + self.sensor_pos
        cov = cartesian_covariance(rae, sig)
        rot = self._to_scen
        cov = np.einsum("ij,kjl,ml->kim", rot, cov, rot)
        return Plots(
            t=np.asarray(t, dtype=float),
            sensor=np.full(k, self.index, dtype=np.int64),
            pos=pos,
            R=cov,
            rae=rae,
            sigma_rae=sig,
            sensor_pos=np.broadcast_to(self.sensor_pos, (k, 3)).copy(),
            snr_db=detection.db(np.maximum(snr_int, 1e-12)),
            truth_id=np.asarray(truth_id, dtype=np.int64),
        )

    def _false_alarms(self, t0, phase0, rate, sweep) -> Plots:
        s = self.spec
        if rate <= 0:
            return Plots.empty()
        mean = s.pfa * self.cells_per_frame() * sweep
        n = int(self.rng.poisson(mean))
        if n == 0:
            return Plots.empty()
        du = self.rng.random(n) * sweep
        t = t0 + du / rate
        u = np.mod(phase0 + du, 1.0)
        if self.is_sector:
            w = s.scan.sector_width
            az = np.mod(self.heading - 0.5 * w + u * w, TWO_PI)
        else:
            az = u * TWO_PI
        el = s.min_elevation + self.rng.random(n) * (s.max_elevation - s.min_elevation)
        r = self.range_resolution + self.rng.random(n) * (
            s.instrumented_range - self.range_resolution
        )
        # noise-only statistic conditioned on crossing the threshold: Q(n, z) ~ U(0, Pfa)
        z = np.asarray(special.gammainccinv(s.pulses, self.rng.random(n) * s.pfa), dtype=float)
        snr_int = np.maximum(z - s.pulses, 1e-3)
        return self._measure(t, np.stack([r, az, el], axis=1), snr_int, np.full(n, -1, np.int64))

    def _track_dwells(self, t0, t1, targets, jammers, served: F64) -> Plots:
        s = self.spec
        alive = np.flatnonzero(np.asarray(targets.alive, dtype=bool))
        p_n = served.shape[0]
        if alive.size == 0 or p_n == 0:
            return Plots.empty()
        offsets = np.arange(p_n) * s.track_dwell
        first = t0 + np.mod(offsets - t0, s.track_interval)
        n_dw = np.maximum(np.ceil((t1 - first) / s.track_interval), 0).astype(np.int64)
        cue_of = np.repeat(np.arange(p_n), n_dw)
        if cue_of.size == 0:
            return Plots.empty()
        start = np.cumsum(n_dw) - n_dw
        k_th = np.arange(cue_of.size) - np.repeat(start, n_dw)
        t_dw = first[cue_of] + k_th * s.track_interval
        cue_enu = (served - self.site_ecef) @ self.site_rot.T
        caz, cel, cr = enu_to_aer(cue_enu)
        # coarse gate at t0 on (cue, target) pairs: direction within a few beamwidths and
        # range within the window widened by the distance flown, so only the few
        # candidates are evaluated at the dwell times
        tgt_enu = (targets.pos[alive] - self.site_ecef) @ self.site_rot.T
        tr = np.linalg.norm(tgt_enu, axis=1)
        cos = (cue_enu / cr[:, None]) @ (tgt_enu / np.maximum(tr, 1.0)[:, None]).T  # (P, N)
        flown = np.linalg.norm(targets.vel[alive], axis=1) * (t1 - t0 + s.track_interval)
        gate_ang = 2.0 * max(s.beamwidth_az, s.beamwidth_el) + flown / np.maximum(tr, 1.0)
        gate_rng = np.maximum(2000.0, 0.05 * cr)[:, None] + flown[None, :]
        pc, pt = np.nonzero(
            (cos >= np.cos(np.minimum(gate_ang, np.pi))[None, :])
            & (np.abs(tr[None, :] - cr[:, None]) <= gate_rng)
        )
        if pc.size == 0:
            return Plots.empty()
        # expand each candidate pair over its cue's dwells
        n_per = n_dw[pc]
        d_i = start[np.repeat(pc, n_per)] + (
            np.arange(int(n_per.sum())) - np.repeat(np.cumsum(n_per) - n_per, n_per)
        )
        t_i = alive[np.repeat(pt, n_per)]
        pos, _ = self._positions(targets, t_i, t_dw[d_i])
        az, el, rr = enu_to_aer((pos - self.site_ecef) @ self.site_rot.T)
        c = cue_of[d_i]
        daz = wrap_pi(az - caz[c]) * np.cos(el)
        del_ = el - cel[c]
        window = np.maximum(2000.0, 0.05 * cr[c])
        inb = (
            (np.abs(daz) <= 0.5 * s.beamwidth_az)
            & (np.abs(del_) <= 0.5 * s.beamwidth_el)
            & (np.abs(rr - cr[c]) <= window)
        )
        if not inb.any():
            return Plots.empty()
        beam_loss = 24.0 * ((daz[inb] / s.beamwidth_az) ** 2 + (del_[inb] / s.beamwidth_el) ** 2)
        return self._looks(targets, t_i[inb], t_dw[d_i][inb], jammers, beam_loss)
