"""Quantities with units, parsed once at the edge (YAML, CLI) into SI floats.

Accepted forms: a bare number (taken in the field's SI unit) or text such as
``"30 m"``, ``"10 km"``, ``"20 min"``, ``"250 kt"``, ``"Mach 0.8"``, ``"-30 dBsm"``,
``"4 m2"``, ``"35 dBW"``, ``"2 GHz"``, ``"5 g"``, ``"12 deg"``.

Mach numbers are kept as Mach (``Speed.mach``) and turned into m/s where the altitude is
known, with the speed of sound of the ISA atmosphere.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RE = re.compile(rf"^\s*({_NUM})\s*([A-Za-z°²³/%0-9]*)\s*$")
_MACH = re.compile(rf"^\s*(?:[Mm]ach|M)\s*({_NUM})\s*$")

G0 = 9.80665  # m/s², standard gravity

LENGTH = {
    "": 1.0,
    "m": 1.0,
    "km": 1e3,
    "ft": 0.3048,
    "nmi": 1852.0,
    "NM": 1852.0,
    "mi": 1609.344,
    "kft": 304.8,
}
DURATION = {"": 1.0, "s": 1.0, "sec": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0, "hr": 3600.0}
SPEED = {
    "": 1.0,
    "m/s": 1.0,
    "km/h": 1 / 3.6,
    "kmh": 1 / 3.6,
    "kt": 1852.0 / 3600.0,
    "kts": 1852.0 / 3600.0,
    "km/s": 1e3,
    "ft/s": 0.3048,
    "mph": 0.44704,
}
ANGLE = {
    "": math.pi / 180.0,
    "deg": math.pi / 180.0,
    "°": math.pi / 180.0,
    "rad": 1.0,
    "mrad": 1e-3,
}
AREA = {"": 1.0, "m2": 1.0, "m²": 1.0, "m^2": 1.0}
MASS = {"": 1.0, "kg": 1.0, "t": 1000.0, "lb": 0.45359237}
FORCE = {"": 1.0, "N": 1.0, "kN": 1e3}
POWER = {"": 1.0, "W": 1.0, "kW": 1e3, "MW": 1e6}
FREQ = {"": 1.0, "Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9}
ACCEL = {"": 1.0, "m/s2": 1.0, "m/s²": 1.0, "g": G0}
JERK = {"": 1.0, "m/s3": 1.0, "m/s³": 1.0, "g/s": G0}


class UnitError(ValueError):
    """A quantity that cannot be read; the message says what was expected."""


def _split(text: str) -> tuple[float, str]:
    m = _RE.match(text)
    if not m:
        raise UnitError(f"cannot read {text!r} as a number with a unit")
    return float(m.group(1)), m.group(2)


def parse(value: object, table: dict[str, float], what: str) -> float:
    """Return ``value`` in SI using ``table`` (unit text -> factor to SI)."""
    if isinstance(value, bool):
        raise UnitError(f"expected a {what}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a {what} such as '10 km', got {type(value).__name__}")
    number, unit = _split(value)
    if unit not in table:
        units = ", ".join(repr(u) for u in table if u)
        raise UnitError(f"unknown unit {unit!r} for a {what} (use one of {units})")
    return number * table[unit]


def length(value: object) -> float:
    """Length in m."""
    return parse(value, LENGTH, "length")


def duration(value: object) -> float:
    """Duration in s."""
    return parse(value, DURATION, "duration")


def angle(value: object) -> float:
    """Angle in rad; a bare number is degrees (the edge's friendly unit)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) * ANGLE["deg"]
    return parse(value, ANGLE, "angle")


def area(value: object) -> float:
    """Area in m² (RCS); ``"-30 dBsm"`` is accepted and converted."""
    if isinstance(value, str) and value.strip().lower().endswith("dbsm"):
        number, _ = _split(value.strip()[:-4])
        return 10.0 ** (number / 10.0)
    return parse(value, AREA, "area")


def dbsm(value: object) -> float:
    """RCS in dBsm; accepts ``"-30 dBsm"``, a bare number (dBsm) or ``"4 m2"``."""
    if isinstance(value, str) and re.search(r"m2|m²|m\^2", value):
        a = area(value)
        if a <= 0:
            raise UnitError(f"RCS must be positive, got {value!r}")
        return 10.0 * math.log10(a)
    if isinstance(value, str):
        v = value.strip()
        if v.lower().endswith("dbsm"):
            v = v[:-4]
        return _split(v)[0]
    return parse(value, {"": 1.0}, "RCS in dBsm")


def decibels(value: object, suffixes: tuple[str, ...] = ("dB",)) -> float:
    """A value in dB (``"35 dBW"`` -> 35.0)."""
    if isinstance(value, str):
        v = value.strip()
        for s in sorted(suffixes, key=len, reverse=True):
            if v.endswith(s):
                v = v[: -len(s)]
                break
        return _split(v)[0]
    return parse(value, {"": 1.0}, "value in dB")


def mass(value: object) -> float:
    return parse(value, MASS, "mass")


def force(value: object) -> float:
    return parse(value, FORCE, "force")


def power(value: object) -> float:
    return parse(value, POWER, "power")


def frequency(value: object) -> float:
    return parse(value, FREQ, "frequency")


def acceleration(value: object) -> float:
    """Acceleration in m/s²; ``"30 g"`` is 30 standard gravities."""
    return parse(value, ACCEL, "acceleration")


def jerk(value: object) -> float:
    """Jerk (rate of change of acceleration) in m/s³; ``"2 g/s"`` is 2 G0 per second."""
    return parse(value, JERK, "jerk")


def speed_mps(value: object) -> float:
    """Speed in m/s, for settings that hold at every altitude (no Mach number):
    ``"5 km/s"``, ``"250 kt"`` or a number (m/s)."""
    if isinstance(value, str) and _MACH.match(value):
        raise UnitError(
            f"expected a speed in m/s, km/h or kt, not a Mach number ({value!r}): "
            "this setting holds at every altitude"
        )
    return parse(value, SPEED, "speed")


@dataclass(frozen=True)
class Speed:
    """A speed given either in m/s or as a Mach number.

    ``at(altitude_m)`` gives m/s, using the ISA speed of sound at that geometric
    altitude for a Mach number.
    """

    mps: float | None = None
    mach: float | None = None

    def at(self, altitude_m: float) -> float:
        if self.mps is not None:
            return self.mps
        from airdefsim.physics.atmosphere import speed_of_sound  # edge use only

        return float(self.mach) * float(speed_of_sound(altitude_m))  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"Mach {self.mach:g}" if self.mach is not None else f"{self.mps:g} m/s"


def speed(value: object) -> Speed:
    """Parse ``"Mach 0.8"``, ``"250 kt"``, ``"900 km/h"`` or a number (m/s)."""
    if isinstance(value, Speed):
        return value
    if isinstance(value, str):
        m = _MACH.match(value)
        if m:
            mach = float(m.group(1))
            if mach <= 0:
                raise UnitError(f"Mach number must be positive, got {value!r}")
            return Speed(mach=mach)
    v = parse(value, SPEED, "speed")
    return Speed(mps=v)
