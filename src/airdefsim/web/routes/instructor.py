"""The instructor's page: scenarios (shipped and uploaded), assignments to their
trainees, their trainees' results. Admins see every trainee; anyone else gets 404."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from airdefsim.web import catalog, training
from airdefsim.web.deps import CsrfUser, CurrentUser, DbSession, Viewer, instructor_only, not_found
from airdefsim.web.pages import notice, render

router = APIRouter(tags=["instructor"], dependencies=[Depends(instructor_only)])


def instructor_page(
    request: Request,
    db: Session,
    me: Viewer,
    error: str | None = None,
    problems: list[str] | None = None,
    note: str | None = None,
) -> Response:
    """The instructor's page, with an error (status 400) or a notice."""
    o = training.instructor_overview(db, me.user)
    return render(
        request,
        "instructor.html",
        me,
        status=400 if error else 200,
        trainees=o.trainees,
        scenarios=o.scenarios,
        results=o.results,
        assigned=o.assigned,
        error=error,
        problems=problems,
        notice=note,
    )


@router.get("/instructor", response_class=HTMLResponse)
def instructor(
    request: Request,
    db: DbSession,
    me: CurrentUser,
    notice_key: Annotated[str | None, Query(alias="notice")] = None,
) -> Response:
    return instructor_page(request, db, me, note=notice(notice_key))


@router.post("/instructor/scenarios", response_class=HTMLResponse)
async def upload_scenario(
    request: Request, db: DbSession, me: CsrfUser, file: UploadFile
) -> Response:
    """Validate an uploaded scenario exactly as ``airdefsim validate`` does; show its
    problems as ``FILE:LINE: field: message``."""
    raw = await file.read(catalog.MAX_UPLOAD_BYTES + 1)
    name = Path(file.filename or "upload.yaml").name
    try:
        text = raw.decode("utf-8")
        await asyncio.to_thread(catalog.add_upload, db, text, name, me.user.id)
    except UnicodeDecodeError:
        db.rollback()
        return instructor_page(request, db, me, error="the file is not UTF-8 text")
    except catalog.ScenarioError as exc:
        db.rollback()
        problems = [str(p) for p in exc.problems]
        return instructor_page(
            request, db, me, error=f"{name} is not a valid scenario:", problems=problems
        )
    except ValueError as exc:
        db.rollback()
        return instructor_page(request, db, me, error=str(exc))
    return RedirectResponse("/instructor?notice=scenario_added", status_code=303)


@router.post("/instructor/assignments")
def assign(
    db: DbSession,
    me: CsrfUser,
    trainee_id: Annotated[int, Form()],
    scenario_id: Annotated[int, Form()],
    allow_pause: Annotated[bool, Form()] = False,
    allow_fast_forward: Annotated[bool, Form()] = False,
) -> Response:
    if (
        training.assign(db, me.user, trainee_id, scenario_id, allow_pause, allow_fast_forward)
        is None
    ):
        raise not_found()
    return RedirectResponse("/instructor?notice=assigned", status_code=303)


@router.post("/instructor/assignments/{assignment_id}")
def update_assignment(
    assignment_id: int,
    db: DbSession,
    me: CsrfUser,
    allow_pause: Annotated[bool, Form()] = False,
    allow_fast_forward: Annotated[bool, Form()] = False,
) -> Response:
    a = training.update_assignment(db, me.user, assignment_id, allow_pause, allow_fast_forward)
    if a is None:
        raise not_found()
    return RedirectResponse("/instructor?notice=assignment_updated", status_code=303)
