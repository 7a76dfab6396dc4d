"""Fit each interceptor's motor to its published maximum speed, then check its reach.

The documented calibration procedure of ``docs/physics.md`` ("Kinematics calibration"):

1. *Assumed* per missile (class values, each tagged in ``presets/missiles.yaml``): launch
   mass, body diameter, zero-lift drag coefficient ``cd0``, the motor's burn times and
   its sustain/boost thrust ratio; and here for all, the specific impulse
   :data:`ISP` (250 s, a composite solid propellant at altitude).
2. *Fitted*: the propellant mass fraction ``φ`` — so ``motor_burnout_mass = (1 - φ)
   launch_mass`` and the total impulse ``φ launch_mass ISP g0``, split between the boost
   and sustain phases by the assumed burn times and thrust ratio — is solved by
   ``scipy.optimize.brentq`` so that the **peak speed** of a flight to a stationary point
   at the preset's ``max_range`` and :data:`REF_ALTITUDE` equals the preset's
   ``max_speed`` (to :data:`SPEED_TOL`).
3. *Checked* (not fitted): the solved reach at every table altitude
   (:func:`airdefsim.engagement.envelope.solve_reach`, up to 1.1 x ``max_range``) must
   cover the published ``max_range`` and the highest reached table altitude the
   published ``max_altitude``; the time of flight to ``max_range`` is printed (it feeds
   the preset's ``max_flight_time`` bound).

Run: ``.venv/bin/python bench/calibrate_missiles.py [--write] [NAME ...]``. Prints one
row per missile and the fitted YAML lines; ``--write`` rewrites the ``motor_burnout_mass``
and ``motor`` lines of ``presets/missiles.yaml`` in place (then regenerate the shipped
tables: ``python -m airdefsim.engagement.envelope``).
"""

from __future__ import annotations

import argparse
import re
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from airdefsim.engagement.envelope import ALTITUDES, RANGE_CAP, flight_history, solve_reach
from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import MissileSpec
from airdefsim.units import G0

ISP = 250.0  # s, specific impulse of every motor (assumed: composite solid propellant)
REF_ALTITUDE = 10000.0  # m, altitude of the reference shot at max_range
SPEED_TOL = 1.0  # m/s
PHI_BOUNDS = (0.2, 0.85)  # propellant mass fraction search interval


def with_fraction(spec: MissileSpec, phi: float) -> MissileSpec:
    """``spec`` with propellant mass fraction ``phi``: burnout mass and thrusts (burn
    times, thrust ratio, launch mass kept)."""
    m = spec.motor
    ratio = m.sustain_thrust / m.boost_thrust if m.boost_thrust > 0 else 0.0
    impulse = phi * spec.launch_mass * ISP * G0
    boost = impulse / (m.boost_time + ratio * m.sustain_time)
    motor = m.model_copy(update={"boost_thrust": boost, "sustain_thrust": ratio * boost})
    return spec.model_copy(
        update={"motor_burnout_mass": (1.0 - phi) * spec.launch_mass, "motor": motor}
    )


def peak_speed(spec: MissileSpec) -> float:
    """Peak speed (m/s) of the reference shot (max_range, REF_ALTITUDE): reached at the
    end of the burn, so only the burn and a few seconds after it are flown."""
    m = spec.motor
    t_burn = m.boost_time + m.sustain_delay + m.sustain_time
    return flight_history(spec, spec.max_range, REF_ALTITUDE, dt=0.25, t_max=t_burn + 5.0).max_speed


def fit(spec: MissileSpec) -> tuple[MissileSpec, float]:
    """``spec`` with the propellant fraction that gives ``max_speed``; (spec, phi)."""
    target = spec.max_speed.at(REF_ALTITUDE)
    phi = brentq(
        lambda x: peak_speed(with_fraction(spec, x)) - target,
        *PHI_BOUNDS,
        xtol=1e-4,
    )
    return with_fraction(spec, float(phi)), float(phi)


def yaml_lines(spec: MissileSpec) -> tuple[str, str]:
    """The preset's ``motor_burnout_mass`` and ``motor`` lines of a fitted spec."""
    m = spec.motor
    mass = f"  motor_burnout_mass: {spec.motor_burnout_mass:.0f} kg"
    motor = (
        f"  motor: {{boost_thrust: {m.boost_thrust / 1e3:.1f} kN, boost_time: {m.boost_time:g} s,"
        f" sustain_thrust: {m.sustain_thrust / 1e3:.1f} kN, sustain_time: {m.sustain_time:g} s"
        + (f", sustain_delay: {m.sustain_delay:g} s}}" if m.sustain_delay else "}")
    )
    return mass, motor


def write(fitted: dict[str, MissileSpec], path: Path) -> None:
    """Rewrite the fitted lines of each missile's block in ``path``."""
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=\S[^\n]*:\s*$)", text)
    out = []
    for block in blocks:
        name = block.split(":", 1)[0].strip()
        if name in fitted:
            mass, motor = yaml_lines(fitted[name])
            block = re.sub(r"(?m)^  motor_burnout_mass: .*$", mass, block, count=1)
            block = re.sub(r"(?m)^  motor: \{.*\}$", motor, block, count=1)
        out.append(block)
    path.write_text("".join(out), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("names", nargs="*", help="missile presets (default: all)")
    ap.add_argument("--write", action="store_true", help="update presets/missiles.yaml")
    args = ap.parse_args()
    specs = get_presets().missiles
    names = args.names or list(specs)
    fitted: dict[str, MissileSpec] = {}
    print(
        f"{'missile':12} {'phi':>5} {'v_peak':>7} {'target':>7} {'reach km':>9} {'pub':>5}"
        f" {'ceiling km':>10} {'pub':>4} {'t(maxR) s':>9} {'v_mean':>7}"
    )
    for name in names:
        spec, phi = fit(specs[name])
        fitted[name] = spec
        reach, _, _ = solve_reach(spec, ALTITUDES, RANGE_CAP * spec.max_range)
        ceiling = float(ALTITUDES[reach > 0].max()) if (reach > 0).any() else 0.0
        # time of flight to the published range at the reference altitude (or, if the
        # reach there falls short, at the altitude of the longest reach)
        ref = int(np.argmin(np.abs(ALTITUDES - REF_ALTITUDE)))
        row = ref if reach[ref] >= spec.max_range else int(np.argmax(reach))
        hist = flight_history(spec, min(spec.max_range, reach[row]), float(ALTITUDES[row]))
        print(
            f"{name:12} {phi:5.3f} {peak_speed(spec):7.0f} {spec.max_speed.at(REF_ALTITUDE):7.0f}"
            f" {reach.max() / 1e3:9.0f} {spec.max_range / 1e3:5.0f} {ceiling / 1e3:10.0f}"
            f" {spec.max_altitude / 1e3:4.0f} {hist.t_end:9.0f}"
            f" {min(spec.max_range, reach[row]) / hist.t_end:7.0f} ({hist.end} at"
            f" {ALTITUDES[row] / 1e3:g} km)"
        )
    print()
    for name, spec in fitted.items():
        print(f"{name}:")
        print("\n".join(yaml_lines(spec)))
    if args.write:
        path = Path(str(resources.files("airdefsim.scenario"))) / "presets" / "missiles.yaml"
        write(fitted, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
