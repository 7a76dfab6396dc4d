"""Live exercises: the simulation on the server, paced to the wall clock, streamed out.

One ``LiveExercise`` per running exercise: an asyncio task steps the simulation (in a
worker thread, one decision interval per step) when the exercise clock says so, and
sends a frame to every connected console ``frame_hz`` times a second, moving tracks by
dead reckoning between steps. The trainee's commands reach the simulation through a
``QueuedPolicy`` — the C2 seat — and go through the same fire control as the doctrine.

The clock is SimPy's ``rt`` idea: simulated time = anchor + factor × wall time elapsed,
re-anchored when the factor changes or the exercise pauses; when the simulation cannot
keep up, the clock is pulled back rather than letting it run away.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gzip
import json
import logging
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from airdefsim import types as t
from airdefsim.events import Event, EventKind
from airdefsim.events import describe as describe_event
from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.sim.policies import QueuedPolicy
from airdefsim.summary import RunSummary
from airdefsim.types import AirPicture
from airdefsim.web import commands as cm
from airdefsim.web import frames, scoring
from airdefsim.web.models import ExerciseSession, utcnow

log = logging.getLogger("airdefsim.web")

#: event kinds shown live in the message log (truth-only kinds wait for the review)
LIVE_EVENT_KINDS: set[EventKind] = {
    "track_confirmed",
    "iff_reply",
    "declared",
    "launch",
    "miss",
    "kill",
    "self_destruct",
    "leak",
    "asset_hit",
    "command",
    "command_refused",
    "roe_violation",
    "end",
}
PLOT_MEMORY_S = 30.0  # s of sim time plots stay on the scope (fading)


class SimLike(Protocol):
    t: float
    done: bool

    def step(self) -> None: ...
    def picture(self) -> AirPicture: ...
    def summary(self) -> RunSummary: ...


class Backend(Protocol):
    """How the console builds simulations (the real engine, or a test double)."""

    def simulation(self, scenario: Any, seed: int, policy: Any, sinks: tuple) -> SimLike: ...
    def recorder(self, out_dir: Path) -> Any | None: ...
    def run_doctrine(self, scenario: Any, seed: int) -> dict: ...


class EngineBackend:
    """The real simulation engine (``airdefsim.sim``) and recorder (``airdefsim.record``)."""

    def simulation(self, scenario: Any, seed: int, policy: Any, sinks: tuple) -> SimLike:
        from airdefsim.sim import Simulation

        return Simulation(scenario, seed=seed, policy=policy, sinks=sinks)

    def recorder(self, out_dir: Path) -> Any | None:
        try:
            from airdefsim.record import Recorder
        except ImportError:
            return None
        return Recorder(out_dir)

    def run_doctrine(self, scenario: Any, seed: int) -> dict:
        from airdefsim.sim import run_scenario

        res = run_scenario(doctrine_scenario(scenario), seed=seed)
        return res.summary.to_dict()


def doctrine_scenario(scenario: Any) -> Any:
    """A copy of ``scenario`` with every blue unit under the automatic doctrine."""
    sc = scenario.model_copy(deep=True)
    for unit in sc.blue:
        unit.doctrine.mode = "auto"
    return sc


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)


class LiveSink:
    """A simulation sink keeping what the console needs: recent plots, interceptors,
    truth (for the review only) and events. Written from the simulation thread."""

    def __init__(self, frame: LocalFrame) -> None:
        self.frame = frame
        self.events: list[dict] = []
        self.tables: dict[str, dict[str, np.ndarray]] = {}
        self.plots = np.zeros((0, 3))  # rows: t, lat_deg, lon_deg
        self._lock = threading.Lock()

    def open(self, meta: dict) -> None:
        pass

    def rows(self, table: str, cols: dict[str, np.ndarray]) -> None:
        if table == "detections":
            if "e" not in cols or len(cols["e"]) == 0:
                return
            enu = np.stack([cols["e"], cols["n"], cols["u"]], axis=-1)
            lat, lon, _ = frames.enu_to_latlon(self.frame, enu)
            new = np.stack([np.asarray(cols["t"], float), lat, lon], axis=-1)
            with self._lock:
                allp = np.concatenate([self.plots, new])
                tmax = float(allp[:, 0].max())
                self.plots = allp[allp[:, 0] >= tmax - PLOT_MEMORY_S]
            return
        self.tables[table] = cols

    def event(self, ev: Event) -> None:
        with self._lock:
            self.events.append(_jsonable(ev.to_row()))

    def close(self, summary: RunSummary) -> None:
        pass

    def interceptors(self, t_now: float) -> list[list]:
        """[id, lat, lon, alt, track_id] of interceptors in flight at the last record."""
        c = self.tables.get("interceptors")
        if not c or "lat_deg" not in c or len(c["lat_deg"]) == 0:
            return []
        tt = np.asarray(c["t"], float)
        truth = self.tables.get("truth")
        if truth is not None and len(truth.get("t", [])) and tt.max() < np.max(truth["t"]) - 1e-6:
            return []  # no interceptor rows at the latest record: none in flight
        sel = tt >= tt.max() - 1e-6
        if "phase" in c:
            phase = np.asarray(c["phase"]).astype(str)
            sel &= ~np.isin(phase, ["dead", "destroyed", "done", "expired"])
        ids = np.asarray(c["id"])[sel]
        out = []
        lat = np.asarray(c["lat_deg"], float)[sel]
        lon = np.asarray(c["lon_deg"], float)[sel]
        alt = np.asarray(c["alt_m"], float)[sel]
        trk = np.asarray(c.get("track_id", np.full(len(c["lat_deg"]), -1)))[sel]
        for i in range(len(ids)):
            out.append(
                [int(ids[i]), round(lat[i], 5), round(lon[i], 5), round(alt[i]), int(trk[i])]
            )
        return out

    def truth(self) -> list[list]:
        """[id, kind, hostile, lat, lon, alt, alive] of every object (review only)."""
        c = self.tables.get("truth")
        if not c or "lat_deg" not in c:
            return []
        n = len(c["lat_deg"])
        kind = c.get("preset", c.get("kind", np.full(n, "")))
        return [
            [
                int(c["id"][i]),
                str(kind[i]),
                bool(c["hostile"][i]) if "hostile" in c else True,
                round(float(c["lat_deg"][i]), 5),
                round(float(c["lon_deg"][i]), 5),
                round(float(c["alt_m"][i])),
                bool(c["alive"][i]) if "alive" in c else True,
            ]
            for i in range(n)
        ]


@dataclass
class Clock:
    """Exercise clock: sim time = ``anchor_sim`` + ``rate`` × (wall − ``anchor_wall``)."""

    anchor_wall: float
    anchor_sim: float
    rate: float = 1.0
    paused: bool = False

    def now(self, wall: float) -> float:
        if self.paused:
            return self.anchor_sim
        return self.anchor_sim + self.rate * (wall - self.anchor_wall)

    def rebase(self, wall: float, sim_t: float | None = None) -> None:
        self.anchor_sim = self.now(wall) if sim_t is None else sim_t
        self.anchor_wall = wall


def message_for(ev: dict) -> str | None:
    """One log line for a recorded event row, or None if it is not shown live.

    Truth never appears; tracks are named ``T<id>``."""
    if ev.get("kind") not in LIVE_EVENT_KINDS:
        return None
    return describe_event(Event.from_row(ev), "operator")


@dataclass
class ExerciseInfo:
    """Static facts about an exercise the console draws: units and their zones, assets."""

    title: str
    origin: tuple[float, float]
    site: tuple[float, float]
    duration: float
    units: list[dict]
    assets: list[dict]
    missiles: list[str]


def exercise_info(scenario: Any, title: str) -> ExerciseInfo:
    """Coverage (radar) and engagement (missile) rings of each blue unit, from presets."""
    try:
        from airdefsim.scenario.presets import get_presets

        presets: Any = get_presets()
    except Exception:  # presets unavailable: draw the units without zones
        presets = None
    units = []
    all_missiles: list[str] = []
    for i, bu in enumerate(scenario.blue):
        entry: dict[str, Any] = {
            "name": bu.name or f"{bu.preset}-{i + 1}",
            "preset": bu.preset,
            "lat": bu.at.lat,
            "lon": bu.at.lon,
            "heading_deg": math.degrees(bu.heading),
            "coverage_m": None,
            "sector_deg": 360.0,
            "zones": [],
        }
        spec = presets.units.get(bu.preset) if presets is not None else None
        if spec is not None:
            cov = 0.0
            for site in spec.radars:
                r = presets.radars.get(site.radar)
                if r is None:
                    continue
                reach = min(float(r.instrumented_range), float(r.calibration.range) * 1.5)
                if reach > cov:
                    cov = reach
                    entry["sector_deg"] = math.degrees(r.scan.sector_width)
            entry["coverage_m"] = cov or None
            names = list(bu.missiles or {})
            if not names:
                for lg in spec.launchers:
                    names.extend(k for k in lg.load if k not in names)
            for name in names:
                m = presets.missiles.get(name)
                if m is not None:
                    entry["zones"].append(
                        {"missile": name, "max_m": float(m.max_range), "min_m": float(m.min_range)}
                    )
                if name not in all_missiles:
                    all_missiles.append(name)
        elif bu.missiles:
            all_missiles.extend(k for k in bu.missiles if k not in all_missiles)
        units.append(entry)
    assets = [
        {"name": a.name, "lat": a.lat, "lon": a.lon, "radius_m": float(a.radius)}
        for a in scenario.defended_assets
    ]
    b0 = scenario.blue[0].at
    return ExerciseInfo(
        title=title,
        origin=(scenario.origin.lat, scenario.origin.lon),
        site=(b0.lat, b0.lon),
        duration=float(scenario.duration),
        units=units,
        assets=assets,
        missiles=all_missiles,
    )


@dataclass
class _Subscriber:
    queue: asyncio.Queue[str]
    user_id: int


@dataclass
class LiveExercise:
    """A running exercise. Created by the ``ExerciseManager``; see the module docstring."""

    session_id: int
    trainee_id: int
    scenario: Any
    info: ExerciseInfo
    seed: int
    allow_pause: bool
    allow_fast_forward: bool
    sim: SimLike
    policy: QueuedPolicy
    sink: LiveSink
    record_dir: Path
    frame_hz: float = 12.0
    status: str = "ready"  # ready, running, finishing, finished, interrupted, aborted
    decisions: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    result: dict | None = None
    on_finish: Callable[[LiveExercise], Any] | None = None
    executor: ThreadPoolExecutor | None = None
    _subs: list[_Subscriber] = field(default_factory=list)
    _clock: Clock | None = None
    _base: dict | None = None
    _units: list[dict] = field(default_factory=list)
    _interceptors: list[list] = field(default_factory=list)
    _icpt_t: float = 0.0
    _plots: list[list] = field(default_factory=list)
    _units_dirty: bool = True
    _task: asyncio.Task | None = None
    _n_events_seen: int = 0
    _msg_sent: int = 0
    _steps: list[dict] = field(default_factory=list)
    _first_track_t: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _abort: bool = False
    _icpt_track: dict[int, int] = field(default_factory=dict)
    _declared: dict[int, str] = field(default_factory=dict)

    # ------------------------------------------------------------ lifecycle

    @property
    def dt(self) -> float:
        return float(getattr(self.scenario, "decision_interval", 1.0))

    def start(self) -> None:
        """Start the clock and the pacing task (first console connection)."""
        if self._task is not None:
            return
        loop = asyncio.get_running_loop()
        self._clock = Clock(anchor_wall=loop.time(), anchor_sim=float(self.sim.t))
        self.status = "running"
        self._refresh_picture()
        self._task = asyncio.create_task(self._run(), name=f"exercise-{self.session_id}")

    async def stop(self) -> None:
        """Cancel the pacing task (server shutdown)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # ------------------------------------------------------------ subscribers

    def subscribe(self, user_id: int) -> asyncio.Queue[str]:
        q: asyncio.Queue[str] = asyncio.Queue(maxsize=64)
        self._subs.append(_Subscriber(q, user_id))
        self._units_dirty = True  # a (re)connecting console needs the unit panel now
        q.put_nowait(json.dumps(self.hello()))
        return q

    def unsubscribe(self, q: asyncio.Queue[str]) -> None:
        self._subs = [s for s in self._subs if s.queue is not q]

    def _send_all(self, text: str) -> None:
        for s in self._subs:
            if s.queue.full():  # a slow console drops its oldest frame, never blocks us
                with contextlib.suppress(asyncio.QueueEmpty):
                    s.queue.get_nowait()
            s.queue.put_nowait(text)

    def send_to(self, q: asyncio.Queue[str], obj: dict) -> None:
        if q.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                q.get_nowait()
        q.put_nowait(json.dumps(obj))

    def rates(self) -> list[int]:
        return list(cm.RATES_BASIC) + (list(cm.RATES_FAST) if self.allow_fast_forward else [])

    def hello(self) -> dict:
        """First message to a console: static layout plus the log so far."""
        with self._lock:
            msgs = list(self.messages)
        return {
            "type": "hello",
            "session_id": self.session_id,
            "title": self.info.title,
            "origin": self.info.origin,
            "site": self.info.site,
            "duration": self.info.duration,
            "units_static": self.info.units,
            "assets": self.info.assets,
            "missiles": self.info.missiles,
            "allow_pause": self.allow_pause,
            "rates": self.rates(),
            "status": self.status,
            "messages": msgs,
            "result": self.result,
        }

    # ------------------------------------------------------------ commands

    def log(self, text: str, t_sim: float | None = None, level: str = "info") -> None:
        with self._lock:
            self.messages.append(
                {
                    "t": round(float(self.sim.t if t_sim is None else t_sim), 1),
                    "text": text,
                    "level": level,
                }
            )
            del self.messages[:-500]

    def _track_state(self, track: int) -> tuple[str | None, bool | None]:
        base = self._base
        if base is None or track not in base["id"]:
            return None, None
        i = base["id"].index(track)
        return base["identity"][i], base["iff"][i]

    def handle(self, msg: cm.ClientMsg) -> str | None:
        """Apply one validated browser message. Returns an error text for that console
        (not allowed now), or None."""
        if self.status not in ("running", "ready"):
            return "the exercise is over"
        if isinstance(msg, cm.PauseMsg | cm.ResumeMsg | cm.RateMsg):
            return self._clock_control(msg)
        if isinstance(msg, cm.AbortMsg):
            self._abort = True
            self.log("Exercise abandoned by the trainee", level="warn")
            return None
        cmd = cm.to_command(msg)
        if cmd is None:
            return "command not understood"
        track = getattr(cmd, "track_id", None)
        if track is not None and self._track_state(track)[0] is None:
            return f"no track T{track} on the picture"
        unit = getattr(cmd, "unit", None)
        if unit is not None and unit not in {u["name"] for u in self.info.units}:
            return f"no unit named {unit!r}"
        if isinstance(cmd, t.Engage) and cmd.missile and self.info.missiles:
            if cmd.missile not in self.info.missiles:
                return f"unknown missile type {cmd.missile!r}"
        ident, iff = self._track_state(track) if track is not None else (None, None)
        if track is not None and track in self._declared:
            # the trainee's own declaration, applied before any later order of the same tick
            ident = self._declared[track]
        if isinstance(cmd, t.Declare):
            self._declared[cmd.track_id] = cmd.identity
        self.decisions.append(
            {
                "t": round(float(self.sim.t), 1),
                "kind": msg.type,
                "track": track,
                "identity": ident,
                "iff": iff,
                "detail": msg.model_dump(exclude={"type"}, exclude_none=True),
                "text": describe(msg),
            }
        )
        self.policy.submit(cmd)
        self.log(f"Order queued: {describe(msg)}")
        return None

    def _clock_control(self, msg: cm.ClientMsg) -> str | None:
        clock = self._clock
        if clock is None:
            return "the exercise has not started"
        wall = asyncio.get_running_loop().time()
        if isinstance(msg, cm.PauseMsg):
            if not self.allow_pause:
                return "pause is not allowed in this exercise"
            clock.rebase(wall)
            clock.paused = True
            self.log("Exercise paused")
        elif isinstance(msg, cm.ResumeMsg):
            clock.rebase(wall)
            clock.paused = False
            self.log("Exercise resumed")
        elif isinstance(msg, cm.RateMsg):
            if msg.factor not in self.rates():
                return f"time compression {msg.factor}× is not allowed here"
            clock.rebase(wall)
            clock.rate = float(msg.factor)
            self.log(f"Time compression {msg.factor}×")
        return None

    # ------------------------------------------------------------ the loop

    def _refresh_picture(self) -> None:
        """Read the simulation's picture, units, interceptors and new events (sim thread)."""
        pic = self.sim.picture()
        base = frames.picture_tracks(pic, *self.info.site)
        if self._first_track_t is None and base["id"]:
            self._first_track_t = float(pic.t)
        units = frames.unit_states(pic)
        icpt = self.sink.interceptors(float(pic.t))
        with self.sink._lock:
            plots = self.sink.plots.copy()
            new_events = self.sink.events[self._n_events_seen :]
            self._n_events_seen = len(self.sink.events)
        tnow = float(pic.t)
        self._plots = [
            [round(float(p[1]), 5), round(float(p[2]), 5), round(tnow - float(p[0]), 1)]
            for p in plots
        ]
        for ev in new_events:
            iid = ev.get("interceptor_id")
            if ev.get("kind") == "launch" and iid is not None:
                self._icpt_track[int(iid)] = int(ev.get("track_id", -1))
            elif ev.get("track_id") is None and iid is not None and int(iid) in self._icpt_track:
                ev = {**ev, "track_id": self._icpt_track[int(iid)]}  # kill/miss name the track
            text = message_for(ev)
            if text:
                lvl = (
                    "warn" if ev.get("kind") in ("command_refused", "leak", "asset_hit") else "info"
                )
                self.log(text, t_sim=ev.get("t", tnow), level=lvl)
        self._base = base
        self._units = units
        self._units_dirty = True
        self._interceptors = icpt
        self._icpt_t = tnow
        self._steps.append(
            {
                "t": round(tnow, 2),
                "tracks": [
                    [
                        base["id"][i],
                        base["identity"][i],
                        round(base["lat"][i], 5),
                        round(base["lon"][i], 5),
                        round(base["alt"][i]),
                        round(base["heading"][i]),
                        round(base["speed"][i]),
                    ]
                    for i in range(len(base["id"]))
                ],
                "icpt": icpt,
                "truth": self.sink.truth(),
            }
        )

    def _step_blocking(self) -> None:
        self.sim.step()
        self._refresh_picture()

    def frame(self, wall: float) -> dict:
        """The frame to send now (tracks dead-reckoned to the display time)."""
        assert self._clock is not None and self._base is not None
        base = self._base
        t_disp = min(max(self._clock.now(wall), base["t"]), base["t"] + self.dt)
        tracks = frames.extrapolate_tracks(base, t_disp, *self.info.site)
        out: dict[str, Any] = {
            "type": "frame",
            "t": round(t_disp, 2),
            "rate": self._clock.rate,
            "paused": self._clock.paused,
            "status": self.status,
            "tracks": tracks,
            "plots": self._plots,
            "interceptors": self._interceptors,
        }
        if self._units_dirty:
            out["units"] = self._units
            self._units_dirty = False
        with self._lock:
            if self._msg_sent < len(self.messages):
                out["messages"] = self.messages[self._msg_sent :]
                self._msg_sent = len(self.messages)
            elif self._msg_sent > len(self.messages):
                self._msg_sent = len(self.messages)
        return out

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.frame_hz
        next_frame = loop.time()
        step: asyncio.Future | None = None
        clock = self._clock
        assert clock is not None
        try:
            while True:
                now = loop.time()
                if step is not None and step.done():
                    step.result()
                    step = None
                    continue
                if step is None and (self.sim.done or self._abort):
                    break
                sim_t = float(self.sim.t)
                if clock.now(now) > sim_t + 3 * self.dt:  # cannot keep up: hold the clock back
                    clock.rebase(now, sim_t + self.dt)
                if step is None and clock.now(now) >= sim_t + self.dt - 1e-9:
                    step = loop.run_in_executor(self.executor, self._step_blocking)
                if now >= next_frame:
                    self._send_all(json.dumps(self.frame(now), separators=(",", ":")))
                    next_frame += period  # a late frame shortens the next wait: the rate holds
                    if next_frame < now - 2 * period:
                        next_frame = now + period  # long stall: start afresh, no burst
                wait = next_frame - loop.time()
                if step is None and not clock.paused:
                    t_due = clock.anchor_wall + (sim_t + self.dt - clock.anchor_sim) / clock.rate
                    wait = min(wait, t_due - loop.time())
                wait = max(wait, 0.0)
                if step is not None:
                    await asyncio.wait({step}, timeout=wait)
                else:
                    await asyncio.sleep(wait)
        except asyncio.CancelledError:
            if step is not None:
                with contextlib.suppress(BaseException):
                    await step
            raise
        except Exception as exc:
            log.exception("exercise %s failed", self.session_id)
            self.status = "interrupted"
            self.log(f"Simulation error: {exc}", level="error")
            self._send_all(
                json.dumps(
                    {
                        "type": "status",
                        "status": "interrupted",
                        "messages": self.messages[self._msg_sent :],
                    }
                )
            )
            if self.on_finish:
                await self.on_finish(self)
            return
        self.status = "finishing"
        self._send_all(json.dumps(self.frame(loop.time())))
        if self.on_finish:
            await self.on_finish(self)

    # ------------------------------------------------------------ end of exercise

    def review_data(self, summary: dict, score: dict) -> dict:
        with self._lock:
            msgs = list(self.messages)
        return {
            "session_id": self.session_id,
            "title": self.info.title,
            "origin": self.info.origin,
            "site": self.info.site,
            "duration": self.info.duration,
            "units_static": self.info.units,
            "assets": self.info.assets,
            "steps": self._steps,
            "events": [
                {
                    k: v
                    for k, v in ev.items()
                    if k
                    in (
                        "t",
                        "kind",
                        "unit",
                        "track_id",
                        "truth_id",
                        "interceptor_id",
                        "missile",
                        "detail",
                        "lat_deg",
                        "lon_deg",
                    )
                }
                for ev in self.sink.events
            ],
            "decisions": self.decisions,
            "messages": msgs,
            "summary": summary,
            "score": score,
        }


def describe(msg: cm.ClientMsg) -> str:
    """Short human text of a browser order."""
    if isinstance(msg, cm.EngageMsg):
        what = msg.missile or "best missile"
        return f"engage T{msg.track} with {msg.salvo} × {what}"
    if isinstance(msg, cm.CeaseFireMsg):
        return f"cease fire on T{msg.track}"
    if isinstance(msg, cm.InterrogateMsg):
        return f"interrogate T{msg.track}"
    if isinstance(msg, cm.DeclareMsg):
        return f"declare T{msg.track} {msg.identity}"
    if isinstance(msg, cm.WeaponsMsg):
        return f"weapons {msg.state}"
    return msg.type


def write_json_gz(path: Path, obj: Any) -> None:
    """Write ``obj`` as gzip JSON, durably (temp file, fsync, atomic rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    data = gzip.compress(json.dumps(_jsonable(obj), separators=(",", ":")).encode())
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json_gz(path: Path) -> Any:
    with gzip.open(path, "rt") as f:
        return json.load(f)


class ExerciseManager:
    """All live exercises of this server process, plus the doctrine comparison runs."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        runs_dir: Path,
        backend: Backend,
        frame_hz: float = 12.0,
        step_workers: int = 2,
    ) -> None:
        self.sessions = sessions
        self.runs_dir = runs_dir
        self.backend = backend
        self.frame_hz = frame_hz
        self.live: dict[int, LiveExercise] = {}
        # Few threads for the simulation steps: every extra runnable thread makes the
        # event loop wait longer for the GIL, which shows as jitter between frames.
        self.executor = ThreadPoolExecutor(max_workers=step_workers, thread_name_prefix="sim-step")
        self._doctrine: dict[tuple[str, int], asyncio.Future] = {}
        self._bg: set[asyncio.Task] = set()

    def create(
        self,
        session_id: int,
        trainee_id: int,
        scenario: Any,
        title: str,
        seed: int,
        allow_pause: bool,
        allow_fast_forward: bool,
        scenario_key: str,
    ) -> LiveExercise:
        """Build the simulation for a new exercise session (not started until a console
        connects). An earlier exercise of the same trainee that never started is dropped
        and marked aborted."""
        for sid, other in list(self.live.items()):
            if other.trainee_id == trainee_id and other.status == "ready":
                self.live.pop(sid, None)
                self._commit(sid, "aborted", 0.0, None, None, str(other.record_dir))
        record_dir = self.runs_dir / f"session-{session_id}"
        record_dir.mkdir(parents=True, exist_ok=True)
        info = exercise_info(scenario, title)
        sink = LiveSink(LocalFrame.from_degrees(scenario.origin.lat, scenario.origin.lon))
        sinks: list[Any] = [sink]
        rec = self.backend.recorder(record_dir / "recording")
        if rec is not None:
            sinks.append(rec)
        policy = QueuedPolicy()
        sim = self.backend.simulation(scenario, seed, policy, tuple(sinks))
        ex = LiveExercise(
            session_id=session_id,
            trainee_id=trainee_id,
            scenario=scenario,
            info=info,
            seed=seed,
            allow_pause=allow_pause,
            allow_fast_forward=allow_fast_forward,
            sim=sim,
            policy=policy,
            sink=sink,
            record_dir=record_dir,
            frame_hz=self.frame_hz,
            executor=self.executor,
        )
        ex.on_finish = self._finish
        ex._scenario_key = scenario_key  # type: ignore[attr-defined]
        self.live[session_id] = ex
        return ex

    async def _finish(self, ex: LiveExercise) -> None:
        """Score, write the review and commit — then tell the console."""
        status = (
            "interrupted"
            if ex.status == "interrupted"
            else ("aborted" if ex._abort else "finished")
        )
        summary: dict = {}
        result: dict | None = None
        try:
            summary = _jsonable((await asyncio.to_thread(ex.sim.summary)).to_dict())
        except Exception:
            log.exception("summary failed for exercise %s", ex.session_id)
            status = "interrupted"
        if status == "finished":
            try:
                summary.setdefault("first_detection_t", ex._first_track_t)
                sc = scoring.score(summary, len(ex.info.assets), ex.decisions)
                review = ex.review_data(summary, sc)
                await asyncio.to_thread(write_json_gz, ex.record_dir / "review.json.gz", review)
            except Exception:
                log.exception("could not score or save exercise %s", ex.session_id)
                status = "interrupted"
        if status == "finished":
            result = {"score": sc["total"], "parts": sc["parts"]}
            await asyncio.to_thread(
                self._commit,
                ex.session_id,
                status,
                float(ex.sim.t),
                sc,
                summary,
                str(ex.record_dir),
            )
        else:
            await asyncio.to_thread(
                self._commit,
                ex.session_id,
                status,
                float(ex.sim.t),
                None,
                summary or None,
                str(ex.record_dir),
            )
        ex.status = status
        ex.result = result
        ex._send_all(
            json.dumps(
                {
                    "type": "finished",
                    "status": status,
                    "result": result,
                    "session_id": ex.session_id,
                }
            )
        )
        self.live.pop(ex.session_id, None)
        if status == "finished":
            task = asyncio.create_task(self._compare(ex))
            self._bg.add(task)
            task.add_done_callback(self._bg.discard)

    def _commit(
        self,
        session_id: int,
        status: str,
        sim_t: float,
        sc: dict | None,
        summary: dict | None,
        record_dir: str,
    ) -> None:
        with self.sessions() as db:
            row = db.get(ExerciseSession, session_id)
            if row is None:
                return
            row.status = status
            row.finished_at = utcnow()
            row.sim_seconds = sim_t
            row.summary = summary
            row.record_dir = record_dir
            if sc is not None:
                row.score = sc["total"]
                row.score_parts = sc
            db.commit()

    async def _compare(self, ex: LiveExercise) -> None:
        """What the automatic doctrine scores on the same scenario and seed (cached)."""
        key = (getattr(ex, "_scenario_key", ""), ex.seed)
        fut = self._doctrine.get(key)
        if fut is None or (fut.done() and fut.exception() is not None):
            fut = asyncio.ensure_future(
                asyncio.to_thread(self.backend.run_doctrine, ex.scenario, ex.seed)
            )
            self._doctrine[key] = fut
        try:
            summary = _jsonable(await fut)
            sc = scoring.score(summary, len(ex.info.assets), None)
            doc = {"score": sc["total"], "parts": sc["parts"], "summary": summary}
        except Exception as exc:
            log.exception("doctrine comparison failed")
            doc = {"error": f"the doctrine run failed: {exc}"}
        await asyncio.to_thread(self._commit_doctrine, ex.session_id, doc)

    def _commit_doctrine(self, session_id: int, doc: dict) -> None:
        with self.sessions() as db:
            row = db.get(ExerciseSession, session_id)
            if row is not None:
                row.doctrine = doc
                db.commit()

    def mark_interrupted_on_startup(self) -> int:
        """Sessions left ``running`` by a previous server process become ``interrupted``."""
        with self.sessions() as db:
            res = db.execute(
                update(ExerciseSession)
                .where(ExerciseSession.status == "running")
                .values(status="interrupted", finished_at=utcnow())
            )
            db.commit()
            return int(getattr(res, "rowcount", 0) or 0)

    async def shutdown(self) -> None:
        """Stop every live exercise and mark it interrupted (finished ones stay intact)."""
        for task in list(self._bg):
            task.cancel()
        ids = list(self.live)
        for sid in ids:
            await self.live[sid].stop()
        if ids:

            def _mark() -> None:
                with self.sessions() as db:
                    rows = db.scalars(
                        select(ExerciseSession).where(
                            ExerciseSession.id.in_(ids), ExerciseSession.status == "running"
                        )
                    )
                    for row in rows:
                        row.status = "interrupted"
                        row.finished_at = dt.datetime.now(dt.UTC)
                    db.commit()

            await asyncio.to_thread(_mark)
        self.live.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)
