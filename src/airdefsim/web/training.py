"""Assignments and exercise sessions — plain functions over a DB session.

The queries of the trainee's, the instructor's and the review's pages, and the writes
of a session's life (opened, finished, doctrine compared, interrupted). Authorisation
is decided here too: a row another user may not see comes back as None, exactly as a
missing one does, and the routes answer 404 for both.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from airdefsim.web.accounts import trainees_of
from airdefsim.web.models import (
    SESSION_STATES,
    Assignment,
    ExerciseSession,
    ScenarioRow,
    User,
    utcnow,
)
from airdefsim.web.wire import DoctrineResult, Score


def visible_session(db: Session, user: User, session_id: int) -> ExerciseSession | None:
    """The session if ``user`` may see it: their own, their trainee's (instructor),
    any (admin)."""
    row = db.get(ExerciseSession, session_id)
    if row is None:
        return None
    if user.role == "admin" or row.trainee_id == user.id:
        return row
    if user.role == "instructor":
        trainee = db.get(User, row.trainee_id)
        if trainee is not None and trainee.instructor_id == user.id:
            return row
    return None


def own_session(db: Session, user: User, session_id: int) -> ExerciseSession | None:
    """The session if it is ``user``'s own (only its trainee sits at its console)."""
    row = db.get(ExerciseSession, session_id)
    return row if row is not None and row.trainee_id == user.id else None


@dataclass(frozen=True)
class Activities:
    """A trainee's page: assignments, past sessions (newest first), practice exercises."""

    assignments: Sequence[Row[Assignment, ScenarioRow]]
    past: Sequence[Row[ExerciseSession, ScenarioRow]]
    practice: Sequence[ScenarioRow]


def activities(db: Session, trainee: User) -> Activities:
    assignments = db.execute(
        select(Assignment, ScenarioRow)
        .join(ScenarioRow, ScenarioRow.id == Assignment.scenario_id)
        .where(Assignment.trainee_id == trainee.id)
        .order_by(Assignment.created_at.desc())
    ).all()
    past = db.execute(
        select(ExerciseSession, ScenarioRow)
        .join(ScenarioRow, ScenarioRow.id == ExerciseSession.scenario_id)
        .where(ExerciseSession.trainee_id == trainee.id)
        .order_by(ExerciseSession.started_at.desc())
    ).all()
    practice = db.scalars(
        select(ScenarioRow).where(ScenarioRow.builtin).order_by(ScenarioRow.slug)
    ).all()
    return Activities(assignments, past, practice)


@dataclass(frozen=True)
class Overview:
    """An instructor's page: their trainees, every scenario, their trainees' results
    and assignments (newest first). An admin sees every trainee."""

    trainees: Sequence[User]
    scenarios: Sequence[ScenarioRow]
    results: Sequence[Row[ExerciseSession, ScenarioRow, User]]
    assigned: Sequence[Row[Assignment, ScenarioRow, User]]


def instructor_overview(db: Session, instructor: User) -> Overview:
    trainees = trainees_of(db, instructor)
    ids = [t.id for t in trainees] or [-1]
    scenarios = db.scalars(
        select(ScenarioRow).order_by(ScenarioRow.builtin.desc(), ScenarioRow.title)
    ).all()
    results = db.execute(
        select(ExerciseSession, ScenarioRow, User)
        .join(ScenarioRow, ScenarioRow.id == ExerciseSession.scenario_id)
        .join(User, User.id == ExerciseSession.trainee_id)
        .where(ExerciseSession.trainee_id.in_(ids))
        .order_by(ExerciseSession.started_at.desc())
    ).all()
    assigned = db.execute(
        select(Assignment, ScenarioRow, User)
        .join(ScenarioRow, ScenarioRow.id == Assignment.scenario_id)
        .join(User, User.id == Assignment.trainee_id)
        .where(Assignment.trainee_id.in_(ids))
        .order_by(Assignment.created_at.desc())
    ).all()
    return Overview(trainees, scenarios, results, assigned)


@dataclass(frozen=True)
class Start:
    """What a trainee may start: a scenario, under an assignment or as practice, with
    its clock permissions (practice: pause allowed, no fast-forward)."""

    scenario: ScenarioRow
    assignment_id: int | None
    allow_pause: bool
    allow_fast_forward: bool


def exercise_to_start(
    db: Session, trainee: User, assignment_id: int | None, scenario_id: int | None
) -> Start | None:
    """The trainee's assignment ``assignment_id``, or the shipped exercise
    ``scenario_id`` as practice; None if there is no such thing for this trainee."""
    if assignment_id is not None:
        a = db.get(Assignment, assignment_id)
        if a is None or a.trainee_id != trainee.id:
            return None
        row = db.get(ScenarioRow, a.scenario_id)
        if row is None:
            return None
        return Start(row, a.id, a.allow_pause, a.allow_fast_forward)
    if scenario_id is not None:
        row = db.get(ScenarioRow, scenario_id)
        if row is None or not row.builtin:
            return None
        return Start(row, None, True, False)
    return None


def open_session(db: Session, trainee: User, start: Start, seed: int) -> ExerciseSession:
    """A new ``running`` session row (committed)."""
    row = ExerciseSession(
        trainee_id=trainee.id,
        scenario_id=start.scenario.id,
        assignment_id=start.assignment_id,
        status="running",
        seed=seed,
        allow_pause=start.allow_pause,
        allow_fast_forward=start.allow_fast_forward,
    )
    db.add(row)
    db.commit()
    return row


def review_header(db: Session, row: ExerciseSession) -> tuple[str, str]:
    """(scenario title, trainee name) of a session, for the review page."""
    sc = db.get(ScenarioRow, row.scenario_id)
    trainee = db.get(User, row.trainee_id)
    return (sc.title if sc else "", trainee.name if trainee else "")


def assign(
    db: Session,
    instructor: User,
    trainee_id: int,
    scenario_id: int,
    allow_pause: bool,
    allow_fast_forward: bool,
) -> Assignment | None:
    """Assign a scenario to one of the instructor's trainees (committed); None when the
    trainee is not theirs or the scenario does not exist."""
    if trainee_id not in {t.id for t in trainees_of(db, instructor)}:
        return None
    if db.get(ScenarioRow, scenario_id) is None:
        return None
    a = Assignment(
        scenario_id=scenario_id,
        trainee_id=trainee_id,
        instructor_id=instructor.id,
        allow_pause=allow_pause,
        allow_fast_forward=allow_fast_forward,
    )
    db.add(a)
    db.commit()
    return a


def update_assignment(
    db: Session,
    instructor: User,
    assignment_id: int,
    allow_pause: bool,
    allow_fast_forward: bool,
) -> Assignment | None:
    """Change an assignment's clock permissions (committed); None when it is not one of
    the instructor's trainees'."""
    a = db.get(Assignment, assignment_id)
    if a is None or a.trainee_id not in {t.id for t in trainees_of(db, instructor)}:
        return None
    a.allow_pause, a.allow_fast_forward = allow_pause, allow_fast_forward
    db.commit()
    return a


def finish_session(
    db: Session,
    session_id: int,
    status: str,
    sim_seconds: float,
    score: Score | None,
    summary: dict[str, Any] | None,
    record_dir: str,
) -> None:
    """Record the end of a session: its state, score and summary (committed)."""
    if status not in SESSION_STATES:
        raise ValueError(f"unknown session state {status!r}")
    row = db.get(ExerciseSession, session_id)
    if row is None:
        return
    row.status = status
    row.finished_at = utcnow()
    row.sim_seconds = sim_seconds
    row.summary = summary
    row.record_dir = record_dir
    if score is not None:
        row.score = score.total
        row.score_parts = score.model_dump(mode="json")
    db.commit()


def set_doctrine(db: Session, session_id: int, result: DoctrineResult) -> None:
    """Store what the automatic doctrine scored on the session's scenario and seed."""
    row = db.get(ExerciseSession, session_id)
    if row is not None:
        row.doctrine = result.model_dump(mode="json")
        db.commit()


def interrupt_running(db: Session, ids: Collection[int] | None = None) -> int:
    """Mark ``running`` sessions (all, or those of ``ids``) ``interrupted``; return how
    many (a server stopping, or one starting after a crash)."""
    q = update(ExerciseSession).where(ExerciseSession.status == "running")
    if ids is not None:
        q = q.where(ExerciseSession.id.in_(list(ids)))
    res = db.execute(q.values(status="interrupted", finished_at=utcnow()))
    db.commit()
    return int(getattr(res, "rowcount", 0) or 0)
