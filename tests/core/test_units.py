"""Quantities with units become SI once, at the edge."""

from __future__ import annotations

import math

import pytest

from airdefsim import units


@pytest.mark.parametrize(
    ("text", "fn", "expected"),
    [
        ("30 m", units.length, 30.0),
        ("10 km", units.length, 10000.0),
        ("10km", units.length, 10000.0),
        ("1000 ft", units.length, 304.8),
        ("20 min", units.duration, 1200.0),
        ("2 h", units.duration, 7200.0),
        (90, units.duration, 90.0),
        ("250 kt", lambda v: units.speed(v).mps, 250 * 1852 / 3600),
        ("900 km/h", lambda v: units.speed(v).mps, 250.0),
        ("-30 dBsm", units.area, 1e-3),
        ("4 m2", units.dbsm, 10 * math.log10(4)),
        ("-30 dBsm", units.dbsm, -30.0),
        ("9 g", units.acceleration, 9 * 9.80665),
        ("90 deg", units.angle, math.pi / 2),
        (45, units.angle, math.pi / 4),
        ("3 GHz", units.frequency, 3e9),
        ("2 g/s", units.jerk, 2 * 9.80665),
        ("10 m/s³", units.jerk, 10.0),
        ("5 km/s", units.speed_mps, 5000.0),
        ("250 kt", units.speed_mps, 250 * 1852 / 3600),
    ],
)
def test_parse(text, fn, expected):
    assert fn(text) == pytest.approx(expected, rel=1e-12)


def test_mach_uses_isa_speed_of_sound():
    s = units.speed("Mach 0.8")
    assert s.mach == 0.8
    assert s.at(0.0) == pytest.approx(0.8 * 340.294, rel=1e-4)  # US76 sea level a0
    assert s.at(11000.0) == pytest.approx(0.8 * 295.07, rel=1e-3)


@pytest.mark.parametrize("bad", ["ten km", "10 parsecs", "", "Mach -1", True, [1, 2]])
def test_bad_quantities_raise_unit_error(bad):
    with pytest.raises(units.UnitError):
        units.speed(bad) if isinstance(bad, str) and bad.startswith("Mach") else units.length(bad)


def test_a_speed_that_holds_at_every_altitude_is_not_a_mach_number():
    with pytest.raises(units.UnitError, match="not a Mach number"):
        units.speed_mps("Mach 2")
