"""A live exercise without a server: the real engine stepped by hand, the frames it
gives, the orders it takes, the message log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from airdefsim.sim import WallClock
from airdefsim.web import catalog
from airdefsim.web import commands as cm
from airdefsim.web.db import make_engine, migrate, session_factory
from airdefsim.web.live import LiveExercise, MessageLog
from airdefsim.web.manager import ExerciseManager
from airdefsim.web.wire import LogLine

SHIPPED = catalog.builtin_exercises()


class FakeWall:
    """A wall clock the test moves by hand (s)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[ExerciseManager]:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    mgr = ExerciseManager(session_factory(engine), tmp_path / "runs")
    yield mgr
    mgr.executor.shutdown()
    engine.dispose()


def exercise(manager: ExerciseManager, slug: str = "single_fighter") -> LiveExercise:
    sc = catalog.parse_scenario(SHIPPED[slug], f"{slug}.yaml")
    return manager.create(1, 1, sc, "t", sc.seed, True, False)


def step_until(ex: LiveExercise, cond, limit: int = 600) -> None:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        if cond():
            return
        ex._step()
    raise AssertionError("condition not reached")


def order(ex: LiveExercise, text: str) -> None:
    assert ex.handle(cm.parse(text)) is None


def tracks_by_truth(ex: LiveExercise) -> tuple[int, int]:
    """(hostile fighter's track, airliner's track), from the simulation's truth match."""
    hostile = ex.sim.world.objects.hostile
    by = {bool(hostile[truth]): tid for tid, truth in ex.sim.track_truth.items() if truth >= 0}
    return by[True], by[False]


def test_frames_come_from_the_picture_and_carry_no_truth(manager: ExerciseManager) -> None:
    ex = exercise(manager)
    step_until(ex, lambda: len(ex.sim.picture()) == 2)
    wall = FakeWall()
    ex.clock = WallClock(wall=wall, start=ex.sim.t)
    wall.now += 0.5
    frame = ex.frame()
    pic = ex.sim.picture()
    assert frame.t == pytest.approx(ex.sim.t + 0.5)
    assert frame.tracks.id == [int(i) for i in pic.track_id]
    assert frame.tracks.kind == [str(k) for k in pic.kind], "the one classifier's answer"
    assert frame.plots.lat and max(frame.plots.age) <= 30.0
    text = frame.model_dump_json()
    assert "truth" not in text and "Bandit" not in text and "Airliner" not in text
    wall.now += 5.0  # the display never runs past the next step
    assert ex.frame().t == pytest.approx(ex.sim.t + ex.dt)
    assert (manager.runs_dir / "session-1" / "recording").is_dir()


def test_declare_then_engage_in_the_same_tick_is_no_roe_violation(
    manager: ExerciseManager,
) -> None:
    """The adjudicator counts the rules of engagement: a declaration queued before an
    order of the same tick counts; an engagement of an undeclared track under weapons
    tight is one violation."""
    ex = exercise(manager)
    step_until(ex, lambda: len(ex.sim.picture()) == 2)
    fighter, airliner = tracks_by_truth(ex)
    order(ex, f'{{"type": "declare", "track": {fighter}, "identity": "hostile"}}')
    order(ex, f'{{"type": "engage", "track": {fighter}}}')
    ex._step()
    assert ex.sim.summary().roe_violations == 0
    order(ex, f'{{"type": "engage", "track": {airliner}}}')
    ex._step()
    assert ex.sim.summary().roe_violations == 1
    assert [d.identity for d in ex.decisions] == ["unknown", "hostile", "unknown"]
    assert [e.track_id for e in ex.sink.events if e.kind == "roe_violation"] == [airliner]
    assert any("Rules of engagement broken on T" in line.text for line in ex.log.before(10**6))


def test_interceptors_show_while_in_flight_only(manager: ExerciseManager) -> None:
    """The table of interceptors is not written when none fly, so its last rows outlive
    the interceptors: the frame keeps only those the seat still has in flight."""
    ex = exercise(manager)
    step_until(ex, lambda: len(ex.sim.picture()) == 2)
    fighter, _ = tracks_by_truth(ex)
    order(ex, f'{{"type": "declare", "track": {fighter}, "identity": "hostile"}}')

    def launched() -> bool:
        kinds = [e.kind for e in ex.sink.events]
        if "launch" in kinds:
            return True
        answered = kinds.count("command_refused") + kinds.count("engagement_cancelled")
        if answered == len([d for d in ex.decisions if d.kind == "engage"]):
            order(ex, f'{{"type": "engage", "track": {fighter}, "salvo": 2}}')  # (again)
        return False

    step_until(ex, launched)
    ex.clock = WallClock(wall=FakeWall(), start=ex.sim.t)
    flying = ex.frame().interceptors
    assert len(flying.id) >= 1 and set(flying.track_id) == {fighter}
    step_until(ex, lambda: not ex.sim.picture().engagements)
    assert len(ex.sink.latest["interceptors"]["id"]) >= 1, "stale rows remain in the sink"
    assert ex.frame().interceptors.id == []
    ended = {e.kind for e in ex.sink.events if e.interceptor_id >= 0} - {"launch"}
    assert ended <= {"kill", "miss", "self_destruct"} and ended


def test_message_log_keeps_flowing_past_its_memory(manager: ExerciseManager) -> None:
    """The log keeps its last 500 lines; frames still bring every new line after that
    (they once stopped at the 500th)."""
    ex = exercise(manager)
    ex.clock = WallClock(wall=FakeWall(), start=ex.sim.t)
    ex.frame()
    for i in range(600):
        ex.note(f"line {i}")
    got = ex.frame().messages or []
    assert [m.text for m in got] == [f"line {i}" for i in range(100, 600)]
    for i in range(600, 603):
        ex.note(f"line {i}")
        assert [m.text for m in ex.frame().messages or []] == [f"line {i}"]
    assert ex.frame().messages is None
    hello = ex.hello()
    assert len(hello.messages) == 500 and hello.messages[-1].text == "line 602"


def test_message_log_numbers_lines_from_the_start() -> None:
    log = MessageLog(keep=3)
    for i in range(5):
        log.add(LogLine(t=float(i), text=str(i)))
    lines, seen = log.since(0)  # lines 0 and 1 are gone
    assert [x.text for x in lines] == ["2", "3", "4"] and seen == 5
    assert [x.text for x in log.since(4)[0]] == ["4"]
    assert log.since(5)[0] == []
    assert [x.text for x in log.before(4)] == ["2", "3"]
    assert log.before(2) == []
