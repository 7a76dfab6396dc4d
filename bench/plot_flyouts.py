"""Speed vs time and altitude vs ground range of every interceptor preset, flown to its
published maximum range against a stationary point at 10 km (the calibration's reference
shot), to ``docs/flyout_speed.png``; prints the table of ``docs/physics.md``.

Run: ``.venv/bin/python bench/plot_flyouts.py [--out docs/flyout_speed.png]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from airdefsim.engagement.envelope import flight_history
from airdefsim.physics.atmosphere import speed_of_sound
from airdefsim.scenario.presets import get_presets

REF_ALTITUDE = 10e3  # m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("docs/flyout_speed.png"))
    args = ap.parse_args()
    specs = get_presets().missiles
    fig, (ax_v, ax_h) = plt.subplots(1, 2, figsize=(12, 4.6))
    print(
        "| missile | max speed (preset) | peak speed (flyout) | peak Mach | time to max range"
        " at 10 km | mean speed |"
    )
    print("|---|---|---|---|---|---|")
    for name, spec in specs.items():
        h = flight_history(spec, spec.max_range, REF_ALTITUDE, dt=0.5)
        k = int(h.speed.argmax())
        mach = h.max_speed / float(speed_of_sound(h.altitude[k]))
        ax_v.plot(h.t, h.speed, label=f"{name} ({spec.max_range / 1e3:.0f} km)")
        ax_h.plot(h.ground_range / 1e3, h.altitude / 1e3, label=name)
        print(
            f"| {name} | {spec.max_speed.at(REF_ALTITUDE):.0f} m/s | {h.max_speed:.0f} m/s |"
            f" {mach:.1f} | {h.t_end:.0f} s ({h.end}) | {spec.max_range / h.t_end:.0f} m/s |"
        )
    ax_v.set_xlabel("time of flight (s)")
    ax_v.set_ylabel("speed (m/s)")
    ax_v.set_title("flyout to the published max range, target at 10 km")
    ax_v.grid(alpha=0.3)
    ax_v.legend(fontsize=8)
    ax_h.set_xlabel("ground range (km)")
    ax_h.set_ylabel("altitude (km)")
    ax_h.set_title("trajectory")
    ax_h.grid(alpha=0.3)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
