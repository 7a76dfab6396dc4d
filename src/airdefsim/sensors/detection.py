"""Probability of detection for a square-law detector with non-coherent integration.

Conventions
-----------
* ``snr`` is the **per-pulse** signal-to-noise ratio (linear, or ``*_db`` in dB), the
  average over the target's fluctuation.
* ``n`` pulses are integrated non-coherently; the test statistic (noise power
  normalised to 1 per pulse) is ``Z = sum_k |s_k + w_k|²``, so that with noise only
  ``Z ~ Gamma(n, 1)`` and the threshold is ``T = Q⁻¹(n, Pfa)`` (regularised upper
  incomplete gamma).
* Swerling cases: 0 (steady), 1 and 3 (scan-to-scan fluctuation, χ² with 2 and 4 degrees
  of freedom), 2 and 4 (pulse-to-pulse, 2 and 4 degrees of freedom).

Exact forms (Richards, *Fundamentals of Radar Signal Processing* (2005) §6.3 and
Table 6.1; Mahafza & Elsherbeni, *MATLAB Simulations for Radar Systems Design* §2):

* SW0: ``Pd = Q_n(sqrt(2 n S), sqrt(2 T))`` (generalised Marcum Q = the survival function
  of a non-central χ² with 2n degrees of freedom and non-centrality 2 n S).
* SW1: Meyer & Mayer ``Pd = 1 - P(n-1, T) + (1 + 1/(nS))^(n-1) P(n-1, T/(1 + 1/(nS)))
  exp(-T/(1 + nS))``.
* SW2: ``Pd = Q(n, T/(1 + S))``.
* SW3, SW4: the conditional SW0 result averaged over the total fluctuation, which only
  enters through the sum of the per-pulse RCS factors (``Gamma(2, 1/2)·n`` for SW3,
  ``Gamma(2n, 1/2)`` for SW4). SW3 uses the closed forms (Richards Table 6.1 for
  n <= 2, Mahafza & Elsherbeni eq. 2.83 for n > 2); SW4 evaluates the average by
  Gauss–Legendre quadrature in log RCS (agrees with adaptive quadrature to 1e-6).

Approximations: Albersheim (linear detector, non-fluctuating) and Shnidman (all cases),
both as in MATLAB ``albersheim``/``shnidman`` and the ``sdr`` package.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats
from scipy.optimize import brentq

F64 = NDArray[np.float64]


def db(x: ArrayLike) -> F64:
    """Power ratio -> dB."""
    return 10.0 * np.log10(np.asarray(x, dtype=float))


def undb(x_db: ArrayLike) -> F64:
    """dB -> power ratio."""
    return np.power(10.0, np.asarray(x_db, dtype=float) / 10.0)


def threshold(pfa: float, n: int) -> float:
    """Detection threshold ``T`` (noise power units) giving ``pfa`` for ``n`` pulses:
    the solution of ``Q(n, T) = pfa``."""
    return float(special.gammainccinv(n, pfa))


@lru_cache(maxsize=64)
def _gamma_nodes(shape: float, order: int = 256) -> tuple[F64, F64]:
    """Quadrature nodes ``x`` and weights ``w`` with ``sum w·g(x) ≈ E[g(X)]``,
    ``X ~ Gamma(shape, 1)``: Gauss–Legendre in ``log x`` over the central 1 - 2e-15 of
    the distribution (smooth in log x even when ``g`` is a sharp step at small x)."""
    lo = np.log(stats.gamma.ppf(1e-15, shape))
    hi = np.log(stats.gamma.isf(1e-15, shape))
    u, w = special.roots_legendre(order)
    y = 0.5 * (hi - lo) * u + 0.5 * (hi + lo)
    x = np.exp(y)
    return x, w * 0.5 * (hi - lo) * stats.gamma.pdf(x, shape) * x


def _pd_sw0_total(total_snr: F64, t: float, n: int) -> F64:
    """Pd of a steady target whose *total* (integrated) SNR is ``total_snr``."""
    return stats.ncx2.sf(2.0 * t, 2 * n, 2.0 * np.maximum(total_snr, 0.0))


def _pd_mixture(snr: F64, t: float, n: int, shape: float, n_eff: float) -> F64:
    """Average of the SW0 Pd over a total fluctuation ``n_eff/shape · Gamma(shape, 1)``
    (mean ``n_eff``) of the summed per-pulse RCS factor."""
    x, w = _gamma_nodes(shape)
    total = snr[..., None] * (n_eff / shape) * x
    return np.sum(_pd_sw0_total(total, t, n) * w, axis=-1)


def pd_swerling(snr: ArrayLike, pfa: float, n: int = 1, swerling: int = 0) -> F64:
    """Probability of detection.

    Parameters
    ----------
    snr : (...) float — per-pulse SNR, linear (mean over the fluctuation)
    pfa : float — probability of false alarm per resolution cell
    n : int — pulses integrated non-coherently (square-law detector)
    swerling : int — 0, 1, 2, 3 or 4

    Returns
    -------
    pd : (...) float in [0, 1]
    """
    s = np.asarray(snr, dtype=float)
    if n < 1:
        raise ValueError("n must be >= 1")
    t = threshold(pfa, n)
    if swerling == 0:
        out = _pd_sw0_total(n * s, t, n)
    elif swerling == 1:
        ns = np.maximum(n * s, 1e-300)
        if n == 1:
            out = np.exp(-t / (1.0 + ns))
        else:
            k = 1.0 + 1.0 / ns
            term = np.exp((n - 1) * np.log(k) - t / (1.0 + ns)) * special.gammainc(n - 1, t / k)
            out = 1.0 - special.gammainc(n - 1, t) + term
    elif swerling == 2:
        out = special.gammaincc(n, t / (1.0 + s))
    elif swerling == 3:
        if n <= 2:
            ns = np.maximum(n * s, 1e-300)
            a = 1.0 + ns / 2.0
            out = (1.0 + 2.0 / ns) ** (n - 2) * (1.0 + t / a - 2.0 * (n - 2) / ns) * np.exp(-t / a)
        else:  # Mahafza & Elsherbeni eq. 2.83 (checked against the mixture integral)
            ns = np.maximum(n * s, 1e-300)
            a = 1.0 + ns / 2.0
            k0 = (1.0 + 2.0 / ns) ** (n - 2) * (1.0 + t / a - 2.0 * (n - 2) / ns) * np.exp(-t / a)
            out = (
                np.exp((n - 1) * np.log(t) - t - special.gammaln(n - 1)) / a
                + 1.0
                - special.gammainc(n - 1, t)
                + k0 * special.gammainc(n - 1, t / (1.0 + 2.0 / ns))
            )
    elif swerling == 4:
        out = _pd_mixture(s, t, n, 2.0 * n, float(n))
    else:
        raise ValueError(f"swerling must be 0..4, got {swerling}")
    return np.clip(out, 0.0, 1.0)


def pd_swerling_db(snr_db: ArrayLike, pfa: float, n: int = 1, swerling: int = 0) -> F64:
    """:func:`pd_swerling` with the per-pulse SNR in dB."""
    return pd_swerling(undb(snr_db), pfa, n, swerling)


def required_snr_db(pd: float, pfa: float, n: int = 1, swerling: int = 0) -> float:
    """Per-pulse SNR (dB) at which :func:`pd_swerling` equals ``pd`` (the inverse,
    solved by Brent's method on [-40, 60] dB)."""
    if not 0.0 < pd < 1.0:
        raise ValueError("pd must be in (0, 1)")
    if pd <= pfa:
        raise ValueError("pd must exceed pfa")

    def f(x: float) -> float:
        return float(pd_swerling_db(x, pfa, n, swerling)) - pd

    return float(brentq(f, -40.0, 80.0, xtol=1e-7))


def albersheim(pd: float, pfa: float, n: int = 1) -> float:
    """Albersheim's required per-pulse SNR (dB), non-fluctuating target, linear detector
    (Albersheim 1981; valid for 1e-7 < Pfa < 1e-3, 0.1 < Pd < 0.9, 1 <= n <= 8096)."""
    a = np.log(0.62 / pfa)
    b = np.log(pd / (1.0 - pd))
    return float(
        -5.0 * np.log10(n) + (6.2 + 4.54 / np.sqrt(n + 0.44)) * np.log10(a + 0.12 * a * b + 1.7 * b)
    )


def shnidman(pd: float, pfa: float, n: int = 1, swerling: int = 0) -> float:
    """Shnidman's required per-pulse SNR (dB) for Swerling 0–4 (Shnidman, IEEE AES
    Magazine 2002; Richards FRSP eq. 6.101), square-law detector."""
    k = {0: np.inf, 1: 1.0, 2: float(n), 3: 2.0, 4: 2.0 * n}[swerling]
    alpha = 0.0 if n < 40 else 0.25
    eta = np.sqrt(-0.8 * np.log(4.0 * pfa * (1.0 - pfa))) + np.sign(pd - 0.5) * np.sqrt(
        -0.8 * np.log(4.0 * pd * (1.0 - pd))
    )
    x_inf = eta * (eta + 2.0 * np.sqrt(n / 2.0 + (alpha - 0.25)))
    if np.isinf(k):
        c = 1.0
    else:
        c1 = (((17.7006 * pd - 18.4496) * pd + 14.5339) * pd - 3.525) / k
        c2 = (
            np.exp(27.31 * pd - 25.14)
            + (pd - 0.8) * (0.7 * np.log(1e-5 / pfa) + (2 * n - 20) / 80.0)
        ) / k
        c_db = c1 if pd <= 0.872 else c1 + c2
        c = 10.0 ** (c_db / 10.0)
    return float(10.0 * np.log10(c * x_inf / n))


def detect(
    snr: F64, pfa: float, n: int, swerling: ArrayLike, rng: np.random.Generator
) -> tuple[NDArray[np.bool_], F64]:
    """Monte-Carlo detection of one look per target: draw the RCS fluctuation and the
    receiver noise and compare the integrated statistic with the threshold.

    Parameters
    ----------
    snr : (K,) float — mean per-pulse SNR, linear
    pfa, n : false-alarm probability per cell, pulses integrated
    swerling : (K,) int or int — fluctuation case per look
    rng : numpy Generator

    Returns
    -------
    detected : (K,) bool
    signal_snr : (K,) float — integrated SNR actually received (``sum_k S_k``, linear,
        after the fluctuation draw); drives the measurement errors

    Notes
    -----
    The frequency of ``detected`` equals :func:`pd_swerling` (tested); drawing it this
    way gives the matching received signal energy for the measurement model.
    """
    s = np.asarray(snr, dtype=float)
    k = s.shape[0]
    sw = np.broadcast_to(np.asarray(swerling, dtype=np.int64), (k,))
    factor = np.full(k, float(n))  # sum over pulses of the normalised RCS
    for case, shape_per, scan in ((1, 1.0, True), (2, 1.0, False), (3, 2.0, True), (4, 2.0, False)):
        m = sw == case
        if not m.any():
            continue
        if scan:
            factor[m] = n * rng.gamma(shape_per, 1.0 / shape_per, size=int(m.sum()))
        else:
            factor[m] = rng.gamma(shape_per * n, 1.0 / shape_per, size=int(m.sum()))
    total = s * factor
    z = 0.5 * rng.noncentral_chisquare(2.0 * n, 2.0 * total) if k else np.zeros(0)
    return z > threshold(pfa, n), total
