"""The trainee's pages: my activities, starting an exercise, the console."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from airdefsim.web import catalog, training
from airdefsim.web.deps import CsrfUser, CurrentUser, DbSession, ManagerDep, not_found
from airdefsim.web.pages import render

log = logging.getLogger("airdefsim.web")
router = APIRouter(tags=["trainee"])


@router.get("/activities", response_class=HTMLResponse)
def activities(request: Request, db: DbSession, me: CurrentUser, manager: ManagerDep) -> Response:
    a = training.activities(db, me.user)
    return render(
        request,
        "activities.html",
        me,
        assignments=a.assignments,
        past=a.past,
        practice=a.practice,
        live=set(manager.live),
    )


@router.post("/exercises/start")
def start_exercise(
    db: DbSession,
    me: CsrfUser,
    manager: ManagerDep,
    assignment_id: Annotated[int | None, Form()] = None,
    scenario_id: Annotated[int | None, Form()] = None,
) -> Response:
    """Open a session of an assignment (or of a shipped exercise, as practice) and
    build its simulation; the console page connects to it."""
    if assignment_id is None and scenario_id is None:
        raise HTTPException(400, "choose an exercise")
    start = training.exercise_to_start(db, me.user, assignment_id, scenario_id)
    if start is None:
        raise not_found()
    row = start.scenario
    try:
        scenario = catalog.parse_scenario(row.yaml_text, f"{row.slug}.yaml")
    except catalog.ScenarioError as exc:
        raise HTTPException(400, "the scenario is no longer valid: " + str(exc)) from None
    seed = int(scenario.seed)
    session = training.open_session(db, me.user, start, seed)
    try:
        manager.create(
            session.id,
            me.user.id,
            scenario,
            row.title,
            seed,
            start.allow_pause,
            start.allow_fast_forward,
        )
    except Exception as exc:
        log.exception("could not build the simulation")
        training.finish_session(db, session.id, "interrupted", 0.0, None, None, "")
        raise HTTPException(500, f"the simulation could not start: {exc}") from None
    return RedirectResponse(f"/console/{session.id}", status_code=303)


@router.get("/console/{session_id}", response_class=HTMLResponse)
def console(
    request: Request, session_id: int, db: DbSession, me: CurrentUser, manager: ManagerDep
) -> Response:
    if training.own_session(db, me.user, session_id) is None:
        raise not_found()
    if session_id not in manager.live:
        return RedirectResponse(f"/sessions/{session_id}/review", status_code=303)
    return render(request, "console.html", me, session_id=session_id)
