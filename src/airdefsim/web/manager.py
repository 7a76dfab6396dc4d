"""All live exercises of one server process, their end, and the doctrine comparisons.

:class:`ExerciseManager` builds each exercise on the real engine (a
:class:`~airdefsim.sim.Simulation` with a queued policy, a memory sink for the console
and the Parquet recorder), and when it ends scores it, saves the orders and commits the
session — only then is the console told. After a finished exercise, the automatic
doctrine runs on the same scenario and seed in a worker thread (cached per scenario and
seed) and is scored by the same function.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from airdefsim.jsonsafe import to_jsonable
from airdefsim.record import Recorder
from airdefsim.scenario.schema import Scenario
from airdefsim.sim import MemorySink, QueuedPolicy, Simulation, run_scenario
from airdefsim.summary import RunSummary
from airdefsim.web import scoring, store, training
from airdefsim.web.layout import layout_from_meta
from airdefsim.web.live import LiveExercise
from airdefsim.web.wire import DecisionLog, DoctrineResult, ExerciseStatus, Finished, Score

log = logging.getLogger("airdefsim.web")

PLOT_MEMORY_S = 30.0  # s of simulated time plots stay on the scope (fading)


def doctrine_scenario(scenario: Scenario) -> Scenario:
    """A copy of ``scenario`` with every blue unit under the automatic doctrine."""
    sc = scenario.model_copy(deep=True)
    for unit in sc.blue:
        unit.doctrine.mode = "auto"
    return sc


def run_doctrine(scenario: Scenario, seed: int) -> RunSummary:
    """The summary of the automatic doctrine's run of ``scenario`` at ``seed``."""
    return run_scenario(doctrine_scenario(scenario), seed=seed).summary


class ExerciseManager:
    """The live exercises of this server process.

    Parameters
    ----------
    sessions : the database's session factory
    runs_dir : where each session's directory goes (:mod:`airdefsim.web.store`)
    frame_hz : float, Hz — frames per second sent to each console
    step_workers : threads stepping the simulations. Few: every extra runnable thread
        makes the event loop wait longer for the GIL, which shows as jitter between
        frames.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        runs_dir: Path,
        frame_hz: float = 12.0,
        step_workers: int = 2,
    ) -> None:
        self.sessions = sessions
        self.runs_dir = runs_dir
        self.frame_hz = frame_hz
        self.live: dict[int, LiveExercise] = {}
        self.executor = ThreadPoolExecutor(max_workers=step_workers, thread_name_prefix="sim-step")
        self._doctrine: dict[tuple[str, int], asyncio.Future[RunSummary]] = {}
        self._bg: set[asyncio.Task[None]] = set()

    def create(
        self,
        session_id: int,
        trainee_id: int,
        scenario: Scenario,
        title: str,
        seed: int,
        allow_pause: bool,
        allow_fast_forward: bool,
    ) -> LiveExercise:
        """Build the simulation of a new exercise session (it starts when a console
        connects). An earlier exercise of the same trainee that never started is
        dropped and marked aborted."""
        for sid, other in list(self.live.items()):
            if other.trainee_id == trainee_id and other.status == "ready":
                self.live.pop(sid, None)
                self._commit(sid, "aborted", 0.0, None, None)
        folder = store.session_dir(self.runs_dir, session_id)
        folder.mkdir(parents=True, exist_ok=True)
        sink = MemorySink(plot_memory=PLOT_MEMORY_S)
        policy = QueuedPolicy()
        recorder = Recorder(store.recording_dir(folder))
        sim = Simulation(scenario, seed=seed, policy=policy, sinks=[sink, recorder])
        ex = LiveExercise(
            session_id=session_id,
            trainee_id=trainee_id,
            sim=sim,
            policy=policy,
            sink=sink,
            layout=layout_from_meta(sink.meta, title),
            allow_pause=allow_pause,
            allow_fast_forward=allow_fast_forward,
            frame_hz=self.frame_hz,
            executor=self.executor,
            on_finish=self._finish,
        )
        self.live[session_id] = ex
        return ex

    # ------------------------------------------------------------ the end of an exercise

    async def _finish(self, ex: LiveExercise) -> None:
        """Score, save the orders and commit — then tell the console."""
        status: ExerciseStatus = (
            "interrupted" if ex.status == "interrupted" else "aborted" if ex.aborted else "finished"
        )
        summary: RunSummary | None = None
        score: Score | None = None
        try:
            summary = await asyncio.to_thread(ex.sim.summary)
        except Exception:
            log.exception("summary failed for exercise %s", ex.session_id)
            status = "interrupted"
        folder = store.session_dir(self.runs_dir, ex.session_id)
        if status == "finished" and summary is not None:
            try:
                score = scoring.score(summary, len(ex.layout.assets))
                orders = DecisionLog(session_id=ex.session_id, decisions=ex.decisions)
                await asyncio.to_thread(store.write_decisions, folder, orders)
            except Exception:
                log.exception("could not score or save exercise %s", ex.session_id)
                status, score = "interrupted", None
        row = to_jsonable(summary.to_dict()) if summary is not None else None
        await asyncio.to_thread(self._commit, ex.session_id, status, float(ex.sim.t), score, row)
        ex.status = status
        ex.result = score
        ex.send_all(Finished(session_id=ex.session_id, status=status, result=score))
        self.live.pop(ex.session_id, None)
        if status == "finished":
            task = asyncio.create_task(
                self._compare(ex.session_id, ex.sim.scenario, ex.sim.seed, len(ex.layout.assets))
            )
            self._bg.add(task)
            task.add_done_callback(self._bg.discard)

    def _commit(
        self,
        session_id: int,
        status: str,
        sim_t: float,
        score: Score | None,
        summary: dict[str, Any] | None,
    ) -> None:
        folder = store.session_dir(self.runs_dir, session_id)
        with self.sessions() as db:
            training.finish_session(db, session_id, status, sim_t, score, summary, str(folder))

    async def _compare(self, session_id: int, scenario: Scenario, seed: int, n_assets: int) -> None:
        """What the automatic doctrine scores on the same scenario and seed (cached)."""
        key = (hashlib.sha256(scenario.model_dump_json().encode()).hexdigest(), seed)
        fut = self._doctrine.get(key)
        if fut is None or (fut.done() and fut.exception() is not None):
            fut = asyncio.ensure_future(asyncio.to_thread(run_doctrine, scenario, seed))
            self._doctrine[key] = fut
        try:
            summary = await fut
            result = DoctrineResult(
                score=scoring.score(summary, n_assets), summary=to_jsonable(summary.to_dict())
            )
        except Exception as exc:
            log.exception("doctrine comparison failed")
            result = DoctrineResult(error=f"the doctrine run failed: {exc}")
        await asyncio.to_thread(self._commit_doctrine, session_id, result)

    def _commit_doctrine(self, session_id: int, result: DoctrineResult) -> None:
        with self.sessions() as db:
            training.set_doctrine(db, session_id, result)

    # ------------------------------------------------------------ server start and stop

    def mark_interrupted_on_startup(self) -> int:
        """Sessions left ``running`` by a previous server process become ``interrupted``."""
        with self.sessions() as db:
            return training.interrupt_running(db)

    async def shutdown(self) -> None:
        """Stop every live exercise and mark it interrupted (finished ones stay intact)."""
        for task in list(self._bg):
            task.cancel()
        ids = list(self.live)
        for sid in ids:
            await self.live[sid].stop()
        if ids:

            def mark() -> None:
                with self.sessions() as db:
                    training.interrupt_running(db, ids)

            await asyncio.to_thread(mark)
        self.live.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)
