"""Load test of the training console: N trainees run exercises at once over WebSockets.

Starts the console (real simulation engine, SQLite in a temporary directory) in a child
process on a free loopback port, logs in ``--clients`` trainees, starts one exercise for
each (the four shipped exercises in turn, at 1x), connects their consoles and records
when every frame arrives. Prints, per client, the frame rate and the 99th-percentile gap
between frames (targets: >= 10 Hz each, p99 gap <= 150 ms) and the server's peak
resident memory (target < 2 GiB, from ``resource.getrusage(RUSAGE_CHILDREN)``).

    .venv/bin/python bench/console_load.py [--clients 20] [--seconds 30] [--warmup 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

PASSWORD = "bench-password-1"
SLUGS = ("single_fighter", "saturation_raid", "low_observable_strike", "ballistic_salvo")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(data_dir: str, port: int, clients: int) -> None:
    """Child process: create the accounts, then run the console."""
    import uvicorn

    from airdefsim.web.accounts import create_user
    from airdefsim.web.app import create_app
    from airdefsim.web.db import make_engine, migrate, session_factory
    from airdefsim.web.settings import Settings

    settings = Settings(data_dir=Path(data_dir))
    engine = make_engine(settings.resolved_database_url())
    migrate(engine)
    with session_factory(engine)() as db:
        for i in range(clients):
            create_user(db, f"trainee{i:02d}", "trainee", PASSWORD)
    engine.dispose()
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_ping_interval=None,
    )


def login_and_start(base: str, i: int) -> tuple[str, int]:
    """Log trainee i in and start an exercise; return (cookie, session id)."""
    with httpx.Client(base_url=base, timeout=60) as c:
        r = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/login",
            data={"name": f"trainee{i:02d}", "password": PASSWORD, "csrf_token": token},
            follow_redirects=True,
        )
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
        ids = dict(
            re.findall(
                r'name="scenario_id" value="(\d+)">\s*<button type="submit" class="link">([^<]+)<',
                r.text,
            )
        )
        titles = {v: k for k, v in ids.items()}
        want = [
            "Single hostile fighter",
            "Saturation raid",
            "Low-observable strike",
            "Ballistic salvo",
        ][i % 4]
        sid = next(v for k, v in titles.items() if k.startswith(want))
        r = c.post(
            "/exercises/start",
            data={"scenario_id": sid, "csrf_token": csrf},
            follow_redirects=False,
        )
        session_id = int(r.headers["location"].rsplit("/", 1)[1])
        return c.cookies.get("airdefsim_session") or "", session_id


async def client(
    base: str, cookie: str, session_id: int, seconds: float, warmup: float
) -> list[float]:
    import websockets

    url = base.replace("http://", "ws://") + f"/ws/console/{session_id}"
    headers = {"Origin": base, "Cookie": f"airdefsim_session={cookie}"}
    arrivals: list[float] = []
    t_start = time.monotonic()
    async with websockets.connect(url, additional_headers=headers, max_size=2**24) as ws:
        next_cmd = t_start + 5.0
        while time.monotonic() - t_start < warmup + seconds:
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            now = time.monotonic()
            if msg.get("type") == "frame":
                if now - t_start >= warmup:
                    arrivals.append(now)
                if now >= next_cmd and msg["tracks"]["id"]:
                    await ws.send(
                        json.dumps({"type": "interrogate", "track": msg["tracks"]["id"][0]})
                    )
                    next_cmd = now + 5.0
    return arrivals


async def run_clients(base: str, logins: list[tuple[str, int]], seconds: float, warmup: float):
    return await asyncio.gather(*(client(base, c, s, seconds, warmup) for c, s in logins))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.data_dir, args.port, args.clients)
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                "--data-dir",
                tmp,
                "--port",
                str(port),
                "--clients",
                str(args.clients),
            ]
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the console did not start")
                time.sleep(0.2)
            t0 = time.monotonic()
            logins = [login_and_start(base, i) for i in range(args.clients)]
            print(
                f"{args.clients} trainees logged in and exercises started in {time.monotonic() - t0:.1f} s"
            )
            results = asyncio.run(run_clients(base, logins, args.seconds, args.warmup))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    rates, p99s = [], []
    print(
        f"\n{'client':>6} {'exercise':<24} {'frames':>6} {'rate Hz':>8} {'p99 gap ms':>10} {'max gap ms':>10}"
    )
    for i, arr in enumerate(results):
        a = np.asarray(arr)
        gaps = np.diff(a) * 1000.0 if len(a) > 1 else np.array([np.inf])
        rate = (len(a) - 1) / (a[-1] - a[0]) if len(a) > 1 else 0.0
        p99 = float(np.percentile(gaps, 99))
        rates.append(rate)
        p99s.append(p99)
        print(
            f"{i:>6} {SLUGS[i % 4]:<24} {len(a):>6} {rate:>8.2f} {p99:>10.1f} {gaps.max():>10.1f}"
        )
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    ok_rate = min(rates) >= 10.0 * 0.98
    ok_gap = max(p99s) <= 150.0
    ok_mem = peak_mib < 2048
    print(
        f"\nframe rate per client: min {min(rates):.2f} Hz, median {np.median(rates):.2f} Hz (target >= 10)"
        f" {'OK' if ok_rate else 'MISSED'}"
    )
    print(
        f"p99 gap between frames: worst client {max(p99s):.1f} ms, median {np.median(p99s):.1f} ms "
        f"(target <= 150) {'OK' if ok_gap else 'MISSED'}"
    )
    print(
        f"server peak memory (RSS): {peak_mib:.0f} MiB (target < 2048) {'OK' if ok_mem else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
