"""Account management (admins only; anyone else gets 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from airdefsim.web import accounts
from airdefsim.web.deps import CsrfUser, CurrentUser, DbSession, Viewer, admin_only
from airdefsim.web.pages import notice, render

router = APIRouter(tags=["admin"], dependencies=[Depends(admin_only)])


def admin_page(
    request: Request, db: Session, me: Viewer, error: str | None = None, note: str | None = None
) -> Response:
    """The admin page: every account, the instructors, an error (status 400) or a notice."""
    users = accounts.list_users(db)
    return render(
        request,
        "admin.html",
        me,
        status=400 if error else 200,
        users=users,
        instructors=[u for u in users if u.role in ("instructor", "admin")],
        error=error,
        notice=note,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(
    request: Request,
    db: DbSession,
    me: CurrentUser,
    notice_key: Annotated[str | None, Query(alias="notice")] = None,
) -> Response:
    return admin_page(request, db, me, note=notice(notice_key))


@router.post("/admin/users")
def create_user(
    request: Request,
    db: DbSession,
    me: CsrfUser,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
    instructor: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        accounts.create_user(db, name, role, password, instructor or None)
    except accounts.AccountError as exc:
        db.rollback()
        return admin_page(request, db, me, error=str(exc))
    return RedirectResponse("/admin?notice=user_created", status_code=303)


@router.post("/admin/users/{user_id}")
def update_user(
    request: Request,
    user_id: int,
    db: DbSession,
    me: CsrfUser,
    role: Annotated[str, Form(max_length=16)],
    instructor_id: Annotated[str, Form(max_length=20)] = "",
    active: Annotated[bool, Form()] = False,
) -> Response:
    try:
        if user_id == me.user.id and (role != "admin" or not active):
            raise accounts.AccountError("you cannot remove your own admin role or account")
        accounts.set_role(db, user_id, role)
        accounts.set_instructor(db, user_id, int(instructor_id) if instructor_id else None)
        accounts.set_active(db, user_id, active)
    except (accounts.AccountError, ValueError) as exc:
        db.rollback()
        return admin_page(request, db, me, error=str(exc))
    return RedirectResponse("/admin?notice=user_updated", status_code=303)
