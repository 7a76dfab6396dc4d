"""A live exercise: the simulation on the server, paced to the wall clock, streamed out.

One :class:`LiveExercise` per running exercise. The web layer only attaches a sink and
a queued policy to the engine: the trainee's orders reach the simulation through a
:class:`~airdefsim.sim.policies.QueuedPolicy` (the C2 seat, judged by the same
adjudicator as the doctrine), and what the console shows comes out through a
:class:`~airdefsim.sim.sinks.MemorySink` and the air picture.

An asyncio task paces the run with a :class:`~airdefsim.sim.clock.WallClock` on the
event loop's clock: when the clock says the next decision time is due, it steps the
simulation (one decision interval, in a worker thread); ``frame_hz`` times a second it
sends a frame to every connected console, tracks dead-reckoned between steps. When the
simulation cannot keep up, the clock is held back rather than letting the debt grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from airdefsim.events import EventKind, describe
from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.sim import MemorySink, QueuedPolicy, Simulation, WallClock
from airdefsim.types import Declare, Engage
from airdefsim.web import commands as cm
from airdefsim.web import frames
from airdefsim.web.wire import (
    Decision,
    Error,
    ExerciseLayout,
    ExerciseStatus,
    Finished,
    Frame,
    Hello,
    InterceptorColumns,
    LogLevel,
    LogLine,
    PlotColumns,
    Score,
    Status,
    UnitPanel,
)

log = logging.getLogger("airdefsim.web")

LOG_KEEP = 500  # lines of the message log kept for a (re)connecting console
HOLD_INTERVALS = 3.0  # decision intervals the clock may run ahead of a slow simulation
QUEUE_FRAMES = 64  # messages queued per console; a slow one drops its oldest
#: log level of the events a trainee must not miss (the rest are "info")
EVENT_LEVELS: dict[EventKind, LogLevel] = {
    "command_refused": "warn",
    "engagement_cancelled": "warn",
    "roe_violation": "warn",
    "leak": "warn",
    "asset_hit": "warn",
}


class MessageLog:
    """The console's message log: the last ``keep`` lines, numbered from the first line
    ever written, so a reader asks for what is new since line ``n`` however many old
    lines were dropped. Thread-safe (written by the simulation's thread and the event
    loop's)."""

    def __init__(self, keep: int = LOG_KEEP) -> None:
        self._lines: deque[LogLine] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self.total = 0  # lines ever written

    def add(self, line: LogLine) -> None:
        with self._lock:
            self._lines.append(line)
            self.total += 1

    def since(self, seen: int) -> tuple[list[LogLine], int]:
        """The kept lines numbered ``seen`` and after, and the number to ask from next."""
        with self._lock:
            n = min(max(self.total - seen, 0), len(self._lines))
            return list(self._lines)[len(self._lines) - n :], self.total

    def before(self, n: int) -> list[LogLine]:
        """The kept lines numbered below ``n``."""
        with self._lock:
            first = self.total - len(self._lines)  # number of the oldest kept line
            return list(self._lines)[: max(n - first, 0)]


@dataclass
class _Subscriber:
    queue: asyncio.Queue[str]
    user_id: int


def _put(q: asyncio.Queue[str], text: str) -> None:
    if q.full():  # a slow console drops its oldest message, never blocks the exercise
        with contextlib.suppress(asyncio.QueueEmpty):
            q.get_nowait()
    q.put_nowait(text)


class LiveExercise:
    """A running exercise (built by :class:`airdefsim.web.manager.ExerciseManager`).

    Parameters
    ----------
    session_id, trainee_id : int — the exercise session and whose it is
    sim : Simulation — built with ``policy`` as its C2 seat and ``sink`` among its sinks
    policy : QueuedPolicy — where the trainee's orders go
    sink : MemorySink — events, latest rows and plots of the run
    layout : ExerciseLayout — units, zones and assets drawn on the scope
    allow_pause, allow_fast_forward : bool — clock permissions of the exercise
    frame_hz : float, Hz — frames sent per second
    executor : where the simulation steps run (a few threads shared by all exercises)
    on_finish : coroutine function called once when the run ends, fails or is abandoned
    """

    def __init__(
        self,
        session_id: int,
        trainee_id: int,
        sim: Simulation,
        policy: QueuedPolicy,
        sink: MemorySink,
        layout: ExerciseLayout,
        allow_pause: bool,
        allow_fast_forward: bool,
        frame_hz: float,
        executor: Executor | None,
        on_finish: Callable[[LiveExercise], Awaitable[None]] | None = None,
    ) -> None:
        self.session_id = session_id
        self.trainee_id = trainee_id
        self.sim = sim
        self.policy = policy
        self.sink = sink
        self.layout = layout
        self.allow_pause = allow_pause
        self.allow_fast_forward = allow_fast_forward
        self.frame_hz = frame_hz
        self.executor = executor
        self.on_finish = on_finish
        self.dt = float(sim.dt)
        self._site = LocalFrame.from_degrees(*layout.site)  # ranges and bearings from here
        self.status: ExerciseStatus = "ready"
        self.aborted = False
        self.result: Score | None = None
        self.decisions: list[Decision] = []
        self.log = MessageLog()
        self.clock: WallClock | None = None
        self._subs: list[_Subscriber] = []
        self._task: asyncio.Task[None] | None = None
        self._events_seen = 0  # events of the sink already turned into log lines
        self._log_sent = 0  # log lines already sent in frames
        self._declared: dict[int, str] = {}  # the trainee's declarations, by track
        self._units_dirty = True
        self._units: list[UnitPanel] = []
        self._interceptors = InterceptorColumns(id=[], lat=[], lon=[], alt=[], track_id=[])
        self._plots = PlotColumns(lat=[], lon=[], age=[])
        self._refresh()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start the clock and the pacing task (at the first console connection)."""
        if self._task is not None:
            return
        loop = asyncio.get_running_loop()
        self.clock = WallClock(wall=loop.time, start=float(self.sim.t))
        self.status = "running"
        self._task = asyncio.create_task(self._run(), name=f"exercise-{self.session_id}")

    async def stop(self) -> None:
        """Cancel the pacing task (server shutdown)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # ------------------------------------------------------------ consoles

    def subscribe(self, user_id: int) -> asyncio.Queue[str]:
        """A queue of wire messages for one console, starting with its :class:`Hello`."""
        q: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_FRAMES)
        self._subs.append(_Subscriber(q, user_id))
        self._units_dirty = True  # a (re)connecting console needs the unit panel now
        q.put_nowait(self.hello().model_dump_json())
        return q

    def unsubscribe(self, q: asyncio.Queue[str]) -> None:
        self._subs = [s for s in self._subs if s.queue is not q]

    def send_all(self, msg: Frame | Status | Finished) -> None:
        """Send a wire message to every connected console."""
        text = msg.model_dump_json()
        for s in self._subs:
            _put(s.queue, text)

    def send_to(self, q: asyncio.Queue[str], msg: Error) -> None:
        """Send a wire message to one console."""
        _put(q, msg.model_dump_json())

    def rates(self) -> list[int]:
        """Time compressions this exercise allows."""
        return list(cm.RATES_BASIC) + (list(cm.RATES_FAST) if self.allow_fast_forward else [])

    def hello(self) -> Hello:
        """The layout, the permissions and the log lines already sent in frames (the
        following frames bring the rest)."""
        return Hello(
            session_id=self.session_id,
            layout=self.layout,
            allow_pause=self.allow_pause,
            rates=self.rates(),
            status=self.status,
            messages=self.log.before(self._log_sent),
            result=self.result,
        )

    def note(self, text: str, level: LogLevel = "info", t: float | None = None) -> None:
        """Add a line to the message log (at simulated time ``t``, default now)."""
        when = float(self.sim.t if t is None else t)
        self.log.add(LogLine(t=round(when, 1), text=text, level=level))

    # ------------------------------------------------------------ orders

    def handle(self, msg: cm.ClientMsg) -> str | None:
        """Apply one validated browser message. Returns an error text for that console
        (not allowed now), or None."""
        if self.status not in ("running", "ready"):
            return "the exercise is over"
        if isinstance(msg, cm.PauseMsg | cm.ResumeMsg | cm.RateMsg):
            return self._clock_control(msg)
        if isinstance(msg, cm.AbortMsg):
            self.aborted = True
            self.note("Exercise abandoned by the trainee", level="warn")
            return None
        cmd = cm.to_command(msg)
        if cmd is None:
            return "command not understood"
        track = getattr(cmd, "track_id", None)
        state = self._snap.state_of(track) if track is not None else None
        if track is not None and state is None:
            return f"no track T{track} on the picture"
        unit = getattr(cmd, "unit", None)
        if unit is not None and unit not in {u.name for u in self.layout.units}:
            return f"no unit named {unit!r}"
        if isinstance(cmd, Engage) and cmd.missile and cmd.missile not in self.layout.missiles:
            return f"unknown missile type {cmd.missile!r}"
        identity, iff = state if state is not None else (None, None)
        if track is not None and track in self._declared:
            # the trainee's own declaration, carried out before any later order of the tick
            identity = self._declared[track]
        if isinstance(cmd, Declare):
            self._declared[cmd.track_id] = cmd.identity
        text = cm.describe(msg)
        self.decisions.append(
            Decision(
                t=round(float(self.sim.t), 1),
                kind=msg.type,
                track=track,
                identity=identity,
                iff=iff,
                text=text,
            )
        )
        self.policy.submit(cmd)
        self.note(f"Order queued: {text}")
        return None

    def _clock_control(self, msg: cm.PauseMsg | cm.ResumeMsg | cm.RateMsg) -> str | None:
        clock = self.clock
        if clock is None:
            return "the exercise has not started"
        if isinstance(msg, cm.PauseMsg):
            if not self.allow_pause:
                return "pause is not allowed in this exercise"
            clock.pause()
            self.note("Exercise paused")
        elif isinstance(msg, cm.ResumeMsg):
            clock.resume()
            self.note("Exercise resumed")
        else:
            if msg.factor not in self.rates():
                return f"time compression {msg.factor}× is not allowed here"
            clock.set_factor(msg.factor)
            self.note(f"Time compression {msg.factor}×")
        return None

    # ------------------------------------------------------------ the picture

    def _refresh(self) -> None:
        """Read the picture, the units, interceptors, plots and new events (after a
        step, in the simulation's thread)."""
        pic = self.sim.picture()
        snap = frames.snapshot(pic)
        with self.sink.lock:
            plots = self.sink.plots.copy()
            new_events = self.sink.events[self._events_seen :]
            self._events_seen += len(new_events)
            latest = self.sink.latest.get("interceptors")
        for ev in new_events:
            text = describe(ev, "operator")  # truth-only kinds give None
            if text:
                self.note(text, level=EVENT_LEVELS.get(ev.kind, "info"), t=ev.t)
        self._snap = snap
        self._units = frames.unit_panels(pic)
        self._units_dirty = True
        self._interceptors = frames.interceptor_columns(latest, frames.live_interceptor_ids(pic))
        self._plots = frames.plot_columns(plots, snap.t)

    def _step(self) -> None:
        self.sim.step()
        self._refresh()

    def frame(self) -> Frame:
        """The frame to send now: the picture dead-reckoned to the clock's time (never
        before the last step nor past the next)."""
        assert self.clock is not None
        snap = self._snap
        t = min(max(self.clock.now(), snap.t), snap.t + self.dt)
        units = None
        if self._units_dirty:
            units, self._units_dirty = self._units, False
        new, self._log_sent = self.log.since(self._log_sent)
        return Frame(
            t=round(t, 2),
            rate=self.clock.factor,
            paused=self.clock.paused,
            status=self.status,
            tracks=frames.tracks_at(snap, t, self._site),
            plots=self._plots,
            interceptors=self._interceptors,
            units=units,
            messages=new or None,
        )

    # ------------------------------------------------------------ the pacing loop

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        clock = self.clock
        assert clock is not None
        period = 1.0 / self.frame_hz
        next_frame = loop.time()
        step: asyncio.Future[None] | None = None
        try:
            while True:
                if step is not None and step.done():
                    step.result()
                    step = None
                    continue
                if step is None and (self.sim.done or self.aborted):
                    break
                due = float(self.sim.t) + self.dt
                if step is None:
                    clock.hold(float(self.sim.t), HOLD_INTERVALS * self.dt)
                    if clock.wait(due) <= 0.0:
                        step = loop.run_in_executor(self.executor, self._step)
                now = loop.time()
                if now >= next_frame:
                    self.send_all(self.frame())
                    next_frame += period  # a late frame shortens the next wait: the rate holds
                    if next_frame < now - 2 * period:
                        next_frame = now + period  # a long stall: start afresh, no burst
                wait = next_frame - loop.time()
                if step is None:
                    wait = min(wait, clock.wait(due))  # inf while paused
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
            self.note(f"Simulation error: {exc}", level="error")
            new, self._log_sent = self.log.since(self._log_sent)
            self.send_all(Status(status="interrupted", messages=new))
            if self.on_finish:
                await self.on_finish(self)
            return
        self.status = "finishing"
        self.send_all(self.frame())
        if self.on_finish:
            await self.on_finish(self)
