"""Results and reviews of exercise sessions: for the trainee, their instructor and
admins; anyone else gets 404, as for a missing session."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from airdefsim.web import review, store, training
from airdefsim.web.deps import CurrentUser, DbSession, Viewer, not_found
from airdefsim.web.models import ExerciseSession
from airdefsim.web.pages import render
from airdefsim.web.wire import DoctrineResult, Score, SessionResult, stored

router = APIRouter(tags=["sessions"])


def _visible(db: Session, me: Viewer, session_id: int) -> ExerciseSession:
    row = training.visible_session(db, me.user, session_id)
    if row is None:
        raise not_found()
    return row


@router.get("/sessions/{session_id}/review", response_class=HTMLResponse)
def review_page(request: Request, session_id: int, db: DbSession, me: CurrentUser) -> Response:
    row = _visible(db, me, session_id)
    title, trainee = training.review_header(db, row)
    return render(request, "review.html", me, s=row, title=title, trainee=trainee)


@router.get("/api/sessions/{session_id}")
def session_result(session_id: int, db: DbSession, me: CurrentUser) -> SessionResult:
    row = _visible(db, me, session_id)
    return SessionResult(
        id=row.id,
        status=row.status,
        score=row.score,
        score_parts=stored(Score, row.score_parts),
        doctrine=stored(DoctrineResult, row.doctrine),
        summary=row.summary,
        sim_seconds=row.sim_seconds,
    )


@router.get("/api/sessions/{session_id}/review")
def review_data(request: Request, session_id: int, db: DbSession, me: CurrentUser) -> Response:
    """The review (:class:`airdefsim.web.wire.Review`) read from the session's Parquet
    recording, gzip-compressed when the browser accepts it."""
    row = _visible(db, me, session_id)
    title, _ = training.review_header(db, row)
    data = review.build(row, title)
    if data is None:
        raise HTTPException(404, "no recording for this session")
    body = data.model_dump_json().encode()
    headers = {"vary": "accept-encoding"}
    packed = None
    if store.accepts_gzip(request.headers.get("accept-encoding")):
        packed = store.compress(body)
    if packed is not None:
        body, headers["content-encoding"] = packed, "gzip"
    return Response(body, media_type="application/json", headers=headers)
