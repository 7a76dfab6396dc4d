"""Engagement benchmarks: WTA assignment time, doctrine tick, flyout of 72 interceptors.

Run: ``.venv/bin/python bench/engagement.py``. Prints rates and the peak resident
memory (``resource.getrusage``). Not a test: numbers depend on the machine and its load.

1. static WTA, 100 threats x 50 launchers (4 rounds each, at most 2 per threat, 30 %
   of the pairs out of the envelope): heuristic (maximum marginal return + local search)
   and the greedy pass alone; the exact MILP on a 6 x 12 instance for scale;
2. one doctrine decision tick over 100 hostile tracks and two S-400 battalions with the
   real flyout-based envelopes (after their one-off table build);
3. the flyout: 72 interceptors (an S-400 battalion's 72 guided missiles) in flight
   against 36 crossing targets, advanced in 0.1 s intervals; integration steps per
   second (one step = one missile advanced by one integration step).
"""

from __future__ import annotations

import resource
import time

import numpy as np

from airdefsim.engagement import wta


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_wta(repeat: int = 5) -> None:
    rng = np.random.default_rng(0)
    J, W = 100, 50
    times_ls, times_g = [], []
    gaps = []
    for _ in range(repeat):
        p = rng.uniform(0.3, 0.9, (W, J)) * (rng.random((W, J)) > 0.3)
        V = rng.uniform(1.0, 10.0, J)
        w = np.full(W, 4)
        t0 = time.perf_counter()
        r = wta.solve_greedy(p, V, w, max_per_target=2)
        times_ls.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        g = wta.solve_greedy(p, V, w, max_per_target=2, local_search=False)
        times_g.append(time.perf_counter() - t0)
        gaps.append(g.objective / r.objective - 1.0)
    print(
        f"WTA 100 threats x 50 launchers: heuristic {1e3 * np.median(times_ls):.1f} ms "
        f"(greedy pass alone {1e3 * np.median(times_g):.1f} ms; local search improves F by "
        f"{100 * np.mean(gaps):.2f} %)"
    )
    p = rng.uniform(0.3, 0.9, (6, 12))
    t0 = time.perf_counter()
    e = wta.solve_exact(p, rng.uniform(1, 10, 12), np.full(6, 3), max_per_target=2)
    print(
        f"WTA exact MILP 12 threats x 6 weapon types ({wta.n_binaries(p, np.full(6, 3), 2)} "
        f"binaries): {1e3 * (time.perf_counter() - t0):.0f} ms, optimal={e.optimal}"
    )


def bench_doctrine() -> None:
    from airdefsim.engagement import identification
    from airdefsim.engagement.adjudicate import Adjudicator
    from airdefsim.engagement.doctrine import DoctrinePolicy
    from airdefsim.engagement.envelope import predicted_intercept
    from airdefsim.engagement.threat import classify, rank, score
    from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic
    from airdefsim.scenario.presets import get_presets
    from airdefsim.scenario.schema import Doctrine
    from airdefsim.types import AirPicture, Asset, LauncherState, RadarCoverage, UnitState

    presets = get_presets()
    specs = {m: presets.missiles[m] for m in ("40N6E", "48N6E3", "9M96E2")}
    frame = LocalFrame.from_degrees(40.0, 33.0, 0.0)
    t0 = time.perf_counter()
    for s in specs.values():  # one-off flyout table per missile type
        predicted_intercept(s, frame.origin, frame.origin[None] + 1e4, np.zeros((1, 3)))
    t_tables = time.perf_counter() - t0
    units = []
    for k, east in enumerate((-10e3, 10e3)):
        pos = frame.to_ecef(np.array([east, 0.0, 0.0]))
        loads = [{"40N6E": 4}] * 2 + [{"48N6E3": 4}] * 4 + [{"9M96E2": 16}] * 2
        launchers = [
            LauncherState(f"B{k}/L{i}", f"B{k}", pos, frame.lat, frame.lon, dict(ld))
            for i, ld in enumerate(loads)
        ]
        mfr = RadarCoverage(
            "92N6E", LocalFrame(frame.lat, frame.lon, 10.0), 0.0, np.radians(90.0), 4e5, -0.02, 1.3
        )
        units.append(
            UnitState(
                f"B{k}",
                "s400_battalion",
                pos,
                frame.lat,
                frame.lon,
                launchers,
                18,
                36,
                weapons="tight",
                doctrine=Doctrine(weapons="tight"),
                fc_radars=[mfr],
            )
        )
    rng = np.random.default_rng(1)
    m = 100
    pe = np.column_stack(
        [rng.uniform(-80e3, 80e3, m), rng.uniform(20e3, 200e3, m), rng.uniform(50.0, 10e3, m)]
    )
    ve = np.column_stack([np.zeros(m), -rng.uniform(200, 300, m), np.zeros(m)])
    pos, vel = frame.to_ecef(pe), frame.vec_to_ecef(ve)
    assets = [Asset("base", frame.lat, frame.lon, 0.0, frame.origin, 10.0, 2000.0)]
    ident = np.full(m, "hostile", dtype=object)
    kinds = classify(pos, vel)
    value, tta = score(pos, vel, ident, assets, kinds)
    adj = Adjudicator(units, specs, rng=np.random.default_rng(2))
    for i in range(1, m + 1):
        adj.identity[i] = "hostile"
    ids = np.arange(1, m + 1)
    c2 = adj.track_state(ids, 0.0)
    pic = AirPicture(
        t=0.0,
        track_id=ids,
        pos=pos,
        vel=vel,
        pos_enu=pe,
        vel_enu=ve,
        pos_sigma=np.full(m, 100.0),
        status=np.ones(m, np.int64),
        t_update=np.zeros(m),
        n_updates=np.full(m, 10, np.int64),
        kind=kinds,
        quality_ok=np.ones(m, bool),
        quality=np.full(m, "", dtype=object),
        identity=ident,
        evidence=identification.gather(
            pe, ve, ecef_to_geodetic(pos)[2], kinds, tta, pe, [], [],
            identification.FlightPlans.none(),
        ),
        iff_reply=np.zeros(m, bool),
        iff_interrogated=np.ones(m, bool),
        n_interrogations=np.full(m, 3, np.int64),
        threat_score=value,
        threat_rank=rank(value),
        time_to_asset=tta,
        salvos=c2.salvos,
        salvos_since_look=c2.salvos_since_look,
        kill_status=c2.kill_status,
        kill_ended_at=c2.kill_ended_at,
        cancelled_at=c2.cancelled_at,
        units=[u.snapshot() for u in units],
        engagements=[],
        assets=assets,
    )  # fmt: skip
    pol = DoctrinePolicy(specs)
    t0 = time.perf_counter()
    cmds = pol.decide(pic)
    t_decide = time.perf_counter() - t0
    t0 = time.perf_counter()
    rulings = [adj.rule(c, pic) for c in cmds]
    n_orders = sum(len(r.launches) for r in rulings)
    n_refused = sum(not r.accepted for r in rulings)
    t_exec = time.perf_counter() - t0
    print(
        f"doctrine tick, 100 hostile tracks x 2 S-400 battalions: decide {1e3 * t_decide:.0f} "
        f"ms ({len(cmds)} commands, WTA {pol.last_assignment.method if pol.last_assignment else '-'}), "
        f"adjudication {1e3 * t_exec:.0f} ms for {n_orders} launch orders, {n_refused} refused "
        f"(flyout tables ready in {t_tables:.1f} s, cached)"
    )


def bench_flyout(n: int = 72, sim_seconds: float = 20.0, dt: float = 0.1) -> None:
    from airdefsim.geo.wgs84 import LocalFrame
    from airdefsim.physics.flyout import Interceptors
    from airdefsim.scenario.presets import get_presets
    from airdefsim.types import TargetsView

    spec = get_presets().missiles["48N6E3"]
    frame = LocalFrame.from_degrees(40.0, 33.0, 0.0)
    k = 36
    pe = np.column_stack([np.linspace(-40e3, 40e3, k), np.full(k, 60e3), np.full(k, 6000.0)])
    ve = np.tile([250.0, -150.0, 0.0], (k, 1))
    pos0, vel = frame.to_ecef(pe), frame.vec_to_ecef(ve)
    ic = Interceptors()
    launcher = frame.origin
    for i in range(n):
        j = i % k
        ic.launch(0.0, spec, launcher, pos0[j] + vel[j] * 40.0, vel[j], j, j, "B0")
    rng = np.random.default_rng(2)
    t = 0.0
    n0 = ic.n_steps
    t_wall = time.perf_counter()
    while t < sim_seconds - 1e-9:
        view = TargetsView(
            t=t,
            pos=pos0 + vel * t,
            vel=vel,
            acc=np.zeros((k, 3)),
            truth_id=np.arange(k),
            alive=np.ones(k, bool),
            rcs_index=np.zeros(k, np.int64),
            rcs_specs=[],
            is_friendly=np.zeros(k, bool),
            iff_mode=np.zeros(k, np.int64),
            kind=np.full(k, "fighter", dtype=object),
        )
        ic.advance(t, t + dt, view, rng)
        t += dt
    wall = time.perf_counter() - t_wall
    steps = ic.n_steps - n0
    print(
        f"flyout, {n} interceptors in flight: {steps / wall:,.0f} missile-steps/s, "
        f"{sim_seconds / wall:.1f}x real time ({steps} steps in {wall:.2f} s; "
        f"{len(ic.alive_ids())} still flying after {sim_seconds:.0f} s)"
    )


def main() -> None:
    bench_wta()
    bench_doctrine()
    bench_flyout()
    print(f"peak memory (max RSS): {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
