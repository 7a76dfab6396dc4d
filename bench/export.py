"""Export benchmark: track updates per second for ASTERIX, CZML, KML and GeoJSON.

Usage::

    .venv/bin/python bench/export.py                 # flagship run if it can be made, else synthetic
    .venv/bin/python bench/export.py --run runs/demo # an existing run directory
    .venv/bin/python bench/export.py --synthetic --targets 60 --duration 1200 --dt 1

Without ``--run`` it first tries to record ``scenarios/s400_vs_mixed_raid.yaml`` with
``airdefsim.sim.run_scenario`` (seed 7); if that is not possible it writes a synthetic
flagship-sized run (60 targets × 1200 s, one sample per second). Prints rates and the
peak resident memory (``resource.getrusage``, KiB on Linux).
"""

from __future__ import annotations

import argparse
import itertools
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from airdefsim.export import asterix, czml, geojson, kml
from airdefsim.export.run import RunData, load_run
from airdefsim.testing.synthetic_run import write_synthetic_run

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "s400_vs_mixed_raid.yaml"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_run(args: argparse.Namespace, tmp: Path) -> tuple[Path, str]:
    if args.run:
        return Path(args.run), f"run directory {args.run}"
    if not args.synthetic and FLAGSHIP.exists():
        try:
            from airdefsim.scenario import load_scenario
            from airdefsim.sim import run_scenario

            t0 = time.perf_counter()
            run_scenario(load_scenario(FLAGSHIP), seed=7, out_dir=tmp / "flagship")
            return (
                tmp / "flagship",
                f"{FLAGSHIP.name}, seed 7 (simulated in {time.perf_counter() - t0:.1f} s)",
            )
        except Exception as exc:  # the benchmark falls back; it must not die here
            print(
                f"(flagship run not possible: {type(exc).__name__}: {exc}; using a synthetic run)"
            )
    path = write_synthetic_run(tmp / "synthetic", args.targets, args.duration, args.dt, seed=1)
    return path, f"synthetic: {args.targets} targets x {args.duration:g} s every {args.dt:g} s"


def timed(fn, repeat: int):  # type: ignore[no-untyped-def]
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_udp(run: RunData) -> tuple[float, int, int]:
    """Replay the tracks table through AsterixUdpSink, one rows() call per time step."""
    tr = run.table("tracks")
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    port = rx.getsockname()[1]
    o = run.meta.get("origin", {"lat_deg": 0.0, "lon_deg": 0.0})
    sink = asterix.AsterixUdpSink(
        "127.0.0.1", port, 0, 1, o["lat_deg"], o["lon_deg"], run.meta.get("epoch")
    )
    order = np.argsort(tr["t"], kind="stable")
    cols = {k: v[order] for k, v in tr.items()}
    cuts = np.flatnonzero(np.diff(cols["t"])) + 1
    bounds = np.r_[0, cuts, cols["t"].size]
    t0 = time.perf_counter()
    sink.open(run.meta)
    for a, b in itertools.pairwise(bounds):
        sink.rows("tracks", {k: v[a:b] for k, v in cols.items()})
    sink.close({})
    dt = time.perf_counter() - t0
    rx.close()
    return dt, sink.n_blocks, sink.n_datagrams


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", help="existing run directory")
    ap.add_argument("--synthetic", action="store_true", help="skip the flagship simulation")
    ap.add_argument("--targets", type=int, default=60)
    ap.add_argument("--duration", type=float, default=1200.0)
    ap.add_argument("--dt", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as td:
        path, what = make_run(args, Path(td))
        t0 = time.perf_counter()
        run = load_run(path)
        t_load = time.perf_counter() - t0
        tr = run.table("tracks")
        n_tr = int(tr["t"].size) if tr else 0
        n_truth = int(run.table("truth")["t"].size) if run.table("truth") else 0
        print(f"run: {what}")
        print(f"  {n_tr:,} track updates, {n_truth:,} truth rows; load {t_load:.2f} s")
        if n_tr == 0:
            print("no tracks in the run: nothing to benchmark")
            return 1
        epoch = run.epoch
        t_enc, data = timed(
            lambda: asterix.encode_tracks(tr, epoch, 0, 1, origin=run.origin), args.repeat
        )
        print(
            f"ASTERIX CAT062 encode : {t_enc:7.3f} s  {n_tr / t_enc:12,.0f} track updates/s  "
            f"({len(data):,} octets, {len(data) / n_tr:.1f} octets/update)"
        )
        t_dec, dec = timed(lambda: asterix.decode(data), 1)
        print(f"ASTERIX decode (own)  : {t_dec:7.3f} s  {dec['x'].size / t_dec:12,.0f} records/s")
        t_udp, n_blocks, n_dgrams = bench_udp(run)
        print(
            f"ASTERIX UDP sink      : {t_udp:7.3f} s  {n_blocks / t_udp:12,.0f} track updates/s  "
            f"({n_dgrams:,} datagrams)"
        )
        for name, fn in (
            ("CZML", lambda: czml.dumps(czml.run_to_czml(run))),
            ("KML", lambda: kml.run_to_kml(run)[0]),
            ("GeoJSON", lambda: geojson.dumps(geojson.run_to_geojson(run))),
        ):
            t, out = timed(fn, args.repeat)
            print(
                f"{name:<22}: {t:7.3f} s  {n_tr / t:12,.0f} track updates/s  "
                f"({(n_tr + n_truth) / t:,.0f} rows/s, {len(out) / 1e6:.1f} MB)"
            )
        print(f"peak memory (ru_maxrss) after our exporters: {peak_mib():.0f} MiB")
        try:  # the independent decoder, for comparison (holds a dict per record)
            from pyasteryx import Decoder

            t_pa, recs = timed(lambda: Decoder(editions={62: "1.18"}).decode(data), 1)
            print(
                f"ASTERIX decode (pyasteryx, for comparison): {t_pa:.3f} s  {len(recs) / t_pa:,.0f} records/s"
            )
        except ImportError:
            pass
    print(f"peak memory (ru_maxrss) at the end: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
