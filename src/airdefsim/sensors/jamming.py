"""Stand-off noise jamming: jammer-to-noise ratio and burn-through range.

The radar's constants are not public, so the radar equation is carried by the
calibrated constant ``k`` (per-pulse SNR = k σ / R⁴, see :func:`radar_constant`); the
receiver noise is ``N = k_B T0 F B`` and the antenna gain an assumed preset figure.
A barrage jammer of effective radiated power ``ERP`` spread over ``B_j`` puts into the
radar receiver (Skolnik, *Introduction to Radar Systems*, 3rd ed., §10.7; Adamy, *EW
101*, ch. 9)::

    J = ERP · G_r λ² / ((4π)² R_j²) · min(1, B_r / B_j)

with ``G_r`` the main-lobe gain when the jammer is within half a beamwidth of the
target direction, else the side-lobe gain. Noise and jamming add; the SNR becomes
``S / (N + J) = SNR / (1 + J/N)``. The range at which a target is seen again at the
required SNR (the burn-through range) follows in closed form::

    R_bt = (k σ / ((1 + J/N) · SNR_req))^(1/4)

Line of sight to the jammer: the smooth 4/3-earth horizon; the jammer must cover the
radar's band.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.scenario.schema import RadarSpec
from airdefsim.sensors.detection import required_snr_db, undb
from airdefsim.types import Jammer

F64 = NDArray[np.float64]

BOLTZMANN = 1.380649e-23  # J/K
T0 = 290.0  # K, standard noise temperature
C = 299792458.0  # m/s


def noise_power(bandwidth: float, noise_figure_db: float) -> float:
    """Receiver noise power (W): k_B T0 F B."""
    return BOLTZMANN * T0 * float(undb(noise_figure_db)) * bandwidth


def radar_constant(spec: RadarSpec) -> float:
    """``k`` (m⁴/m²) such that the free-space per-pulse SNR is ``k σ / R⁴``.

    Calibrated so that a target of ``spec.calibration.rcs`` at ``calibration.range``
    is detected with probability ``calibration.pd`` in one look of ``spec.pulses``
    pulses at ``spec.pfa``, for Swerling case ``spec.swerling`` (free space: the
    published range is read as the range before horizon, atmosphere, clutter and
    jamming limits).
    """
    cal = spec.calibration
    snr_req = float(undb(required_snr_db(cal.pd, spec.pfa, spec.pulses, spec.swerling)))
    return snr_req * cal.range**4 / cal.rcs


def jammer_to_noise(
    spec: RadarSpec,
    erp_w: ArrayLike,
    jammer_bandwidth: ArrayLike,
    jammer_range: ArrayLike,
    in_main_lobe: ArrayLike,
) -> F64:
    """J/N (linear) for jammers at ``jammer_range`` (m).

    Parameters
    ----------
    spec : the radar (frequency, bandwidth, noise figure, antenna gain, side lobes)
    erp_w : (N,) W — jammer effective radiated power
    jammer_bandwidth : (N,) Hz
    jammer_range : (N,) m — radar to jammer
    in_main_lobe : (N,) bool — jammer within the beam pointed at the target
    """
    lam = C / spec.frequency
    g_main = float(undb(spec.antenna_gain))
    g = np.where(np.asarray(in_main_lobe, bool), g_main, g_main * float(undb(spec.sidelobe_level)))
    bw_ratio = np.minimum(1.0, spec.bandwidth / np.asarray(jammer_bandwidth, dtype=float))
    rj = np.maximum(np.asarray(jammer_range, dtype=float), 1.0)
    j = np.asarray(erp_w, dtype=float) * g * lam**2 / ((4.0 * np.pi) ** 2 * rj**2) * bw_ratio
    return j / noise_power(spec.bandwidth, spec.noise_figure)


def burn_through_range(k: float, rcs: float, jn: float, snr_req: float) -> float:
    """Range (m) at which a target of ``rcs`` (m²) reaches the per-pulse ``snr_req``
    (linear) against noise plus jamming ``jn`` (J/N, linear): ``(kσ/((1+J/N)·SNR))^¼``."""
    return float((k * rcs / ((1.0 + jn) * snr_req)) ** 0.25)


def jammer_in_band(spec: RadarSpec, jammer: Jammer) -> bool:
    """The jammer covers the radar's band."""
    return spec.band in jammer.bands
