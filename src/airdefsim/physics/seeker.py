"""Interceptor seeker acquisition as a radar detection (pure functions).

Model (all assumptions are stated; no public seeker figures exist for these missiles):

* **Calibration.** Like the project's radars (``RadarSpec.calibration``), a seeker is
  calibrated by one figure: ``seeker_range`` is the range at which a target of
  ``seeker_reference_rcs`` (m², in the seeker's band) is detected in a single look with
  probability :data:`PD_REF` = 0.5 at a false-alarm probability :data:`PFA` = 1e-6.
* **Radar equation.** The signal-to-noise ratio scales as ``SNR = SNR_REF (σ/σ_ref)
  (R_ref/R)^4`` (monostatic form, Skolnik, *Introduction to Radar Systems*, 3rd ed.,
  eq. 2.1). So the range at which any target reaches the reference Pd is
  ``R_acq(σ) = R_ref (σ/σ_ref)^(1/4)`` (:func:`acquisition_range`). Semi-active and
  track-via-missile receivers see the target lit by the ground radar; their SNR is taken
  with the same fourth-power law (the illuminator leg is folded into the reference),
  a simplification stated in ``docs/physics.md``.
* **Fluctuation.** Swerling 1 in each look (the return power, normalised to the noise, is
  exponential with mean ``1 + SNR``): single-look ``Pd = Pfa^(1 / (1 + SNR))`` (Skolnik
  eq. 2.47; Richards, *Fundamentals of Radar Signal Processing*, eq. 6.58), independent
  from look to look at :data:`LOOK_RATE` looks per second (assumed). Over ``k`` looks the
  seeker keeps the strongest return: the maximum of ``k`` independent draws.
* **Beam.** The seeker searches a cone of full width ``seeker_beamwidth`` around the
  *expected* target direction (the uplinked estimate, or its coasted extrapolation).
  Every object in that cone is a candidate; among the returns that cross the detection
  threshold the seeker locks on the strongest — in a dense group that may be another
  object than the intended one. No range or Doppler gate is modelled.
* **RCS.** By aspect (seen from the missile) and the seeker's band, from each object's
  :class:`~airdefsim.scenario.schema.RcsSpec` (:func:`airdefsim.signatures.rcs_dbsm`);
  an object without an RCS model is taken at the reference RCS.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.scenario.schema import RcsSpec
from airdefsim.signatures import aspect_angle, rcs_dbsm, rcs_m2

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

PFA = 1e-6  # single-look false-alarm probability of the seeker's detector (assumed)
PD_REF = 0.5  # single-look Pd at seeker_range against seeker_reference_rcs (definition)
THRESHOLD = -math.log(PFA)  # detection threshold on the noise-normalised return power
SNR_REF = THRESHOLD / -math.log(PD_REF) - 1.0  # SNR (linear) of a reference target at
# the reference range: Pfa^(1/(1+SNR)) = PD_REF -> SNR = ln Pfa / ln PD_REF - 1 ≈ 18.9
LOOK_RATE = 10.0  # seeker looks per second while searching (assumed)


def pd_single_look(snr: ArrayLike, pfa: float = PFA) -> F64:
    """Swerling-1 single-look detection probability ``Pfa^(1/(1+SNR))`` (...,).

    snr : (...) linear signal-to-noise ratio (not dB).
    """
    s = np.asarray(snr, dtype=float)
    return np.power(pfa, 1.0 / (1.0 + s))


def snr(range_m: ArrayLike, rcs: ArrayLike, ref_range: ArrayLike, ref_rcs: ArrayLike) -> F64:
    """Seeker SNR (linear) of a target of ``rcs`` (m²) at ``range_m`` (m), for a seeker whose
    reference target ``ref_rcs`` (m²) gives Pd = :data:`PD_REF` at ``ref_range`` (m)."""
    r = np.maximum(np.asarray(range_m, dtype=float), 1.0)
    ratio = np.asarray(rcs, dtype=float) / np.asarray(ref_rcs, dtype=float)
    return SNR_REF * ratio * (np.asarray(ref_range, dtype=float) / r) ** 4


def acquisition_range(ref_range: ArrayLike, rcs: ArrayLike, ref_rcs: ArrayLike) -> F64:
    """Range (m) at which a target of ``rcs`` (m²) reaches the reference single-look Pd:
    ``R_ref (σ / σ_ref)^(1/4)``."""
    ratio = np.asarray(rcs, dtype=float) / np.asarray(ref_rcs, dtype=float)
    return np.asarray(ref_range, dtype=float) * np.power(ratio, 0.25)


def target_rcs(
    obj_pos: F64,
    obj_vel: F64,
    rcs_index: I64,
    seeker_pos: F64,
    bands: NDArray[np.object_],
    ref_rcs: F64,
    rcs_specs: list[RcsSpec],
) -> F64:
    """RCS (m²) of ``P`` objects seen by ``P`` seekers (one pair per row).

    obj_pos, obj_vel (P, 3) m and m/s ECEF; rcs_index (P,) into ``rcs_specs``;
    seeker_pos (P, 3) m ECEF; bands (P,) seeker band letters; ref_rcs (P,) m², given to
    an object whose index has no spec (the seeker's reference target).
    """
    out = np.array(ref_rcs, dtype=float, copy=True)
    if out.size == 0 or not rcs_specs:
        return out
    aspect = aspect_angle(obj_pos, obj_vel, seeker_pos)
    valid = (rcs_index >= 0) & (rcs_index < len(rcs_specs))
    for band in np.unique(bands):
        in_band = bands == band
        for j in np.unique(rcs_index[in_band & valid]):
            m = in_band & valid & (rcs_index == j)
            out[m] = rcs_m2(rcs_dbsm(rcs_specs[int(j)], str(band), aspect[m]))
    return out


def acquire(
    seeker_pos: F64,
    boresight: F64,
    half_beam: F64,
    ref_range: F64,
    ref_rcs: F64,
    bands: NDArray[np.object_],
    n_looks: F64,
    obj_pos: F64,
    obj_vel: F64,
    rcs_index: I64,
    rcs_specs: list[RcsSpec],
    rng: np.random.Generator,
) -> I64:
    """One search interval of ``K`` seekers over ``N`` objects: the object each locks on.

    Parameters
    ----------
    seeker_pos : (K, 3) m ECEF
    boresight : (K, 3) — direction of the expected target (any length; zero: no search)
    half_beam : (K,) rad — half the search cone's full width
    ref_range, ref_rcs : (K,) m and m² — calibration (see the module docstring)
    bands : (K,) object — seeker band letter (``"X"``, ``"Ka"`` …)
    n_looks : (K,) — looks in the interval (``LOOK_RATE × dt``, at least 1)
    obj_pos, obj_vel : (N, 3) or (K, N, 3) m and m/s ECEF — the objects that can return
        an echo (alive), at each seeker's time
    rcs_index : (N,) or (K, N) int; rcs_specs : RCS models (``TargetsView`` convention)
    rng : generator for the fluctuation draws (one uniform per candidate pair)

    Returns
    -------
    (K,) int — row of the object locked on (the strongest return above threshold in the
    cone), ``-1`` where nothing was detected.
    """
    k = seeker_pos.shape[0]
    out = np.full(k, -1, np.int64)
    n_obj = obj_pos.shape[-2]
    if k == 0 or n_obj == 0:
        return out
    op = np.broadcast_to(obj_pos, (k, n_obj, 3))
    ov = np.broadcast_to(obj_vel, (k, n_obj, 3))
    rel = op - seeker_pos[:, None, :]  # (K, N, 3)
    dist = np.linalg.norm(rel, axis=2)
    bn = np.linalg.norm(boresight, axis=1)
    u = boresight / np.maximum(bn, 1e-12)[:, None]
    cos_off = np.einsum("kni,ki->kn", rel, u) / np.maximum(dist, 1e-9)
    inside = (cos_off >= np.cos(half_beam)[:, None]) & (bn > 0)[:, None]
    pk, pj = np.nonzero(inside)
    if pk.size == 0:
        return out
    ri = np.broadcast_to(np.asarray(rcs_index, dtype=np.int64), (k, n_obj))
    sigma = target_rcs(
        op[pk, pj], ov[pk, pj], ri[pk, pj], seeker_pos[pk], bands[pk], ref_rcs[pk], rcs_specs
    )
    s = snr(dist[pk, pj], sigma, ref_range[pk], ref_rcs[pk])
    # strongest of n Swerling-1 looks: (1 + SNR) x max of n Exp(1); inverse CDF
    # F(x) = (1 - e^-x)^n  ->  x = -ln(1 - U^(1/n))
    n = np.maximum(n_looks[pk], 1.0)
    draw = -np.log1p(-np.power(rng.random(pk.size), 1.0 / n))
    power = (1.0 + s) * draw
    detected = power > THRESHOLD
    if not detected.any():
        return out
    pk, pj, power = pk[detected], pj[detected], power[detected]
    order = np.lexsort((-power, pk))  # by seeker, strongest first
    first = np.ones(order.size, bool)
    first[1:] = pk[order][1:] != pk[order][:-1]
    best = order[first]
    out[pk[best]] = pj[best]
    return out
