"""Typed dependencies of the routes: the database session, the logged-in user (plain
and CSRF-checked), roles, and the app's settings and exercise manager.

As in the FastAPI full-stack template's ``api/deps.py``: a route states what it needs
in its signature (``db: DbSession, me: CurrentUser``) and FastAPI provides it, once per
request. Everything here reads the application's state (``app.state``), set by
:func:`airdefsim.web.app.create_app`, so several apps can live in one process (tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from airdefsim.web import accounts, security
from airdefsim.web.manager import ExerciseManager
from airdefsim.web.models import AuthSession, User
from airdefsim.web.settings import Settings

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NotLoggedIn(Exception):
    """No valid login session: pages redirect to the login form, the API answers 401."""


def not_found() -> HTTPException:
    """The answer for anything this user may not see — the same as for a missing one."""
    return HTTPException(404, "not found")


def get_settings(conn: HTTPConnection) -> Settings:
    return conn.app.state.settings  # type: ignore[no-any-return]


def get_manager(conn: HTTPConnection) -> ExerciseManager:
    return conn.app.state.manager  # type: ignore[no-any-return]


def get_db(conn: HTTPConnection) -> Iterator[Session]:
    with conn.app.state.sessions() as db:
        yield db


SettingsDep = Annotated[Settings, Depends(get_settings)]
ManagerDep = Annotated[ExerciseManager, Depends(get_manager)]
DbSession = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of a request, their login session and its cookie token."""

    user: User
    auth: AuthSession
    token: str

    @property
    def csrf(self) -> str:
        """The session's synchronizer token (every state-changing request carries it)."""
        return self.auth.csrf_token


def current_user(request: Request, db: DbSession, settings: SettingsDep) -> Viewer:
    token = request.cookies.get(settings.cookie_name)
    found = accounts.session_user(db, token)
    if found is None:
        raise NotLoggedIn()
    return Viewer(found[0], found[1], token or "")


CurrentUser = Annotated[Viewer, Depends(current_user)]


async def csrf_checked(request: Request, me: CurrentUser) -> Viewer:
    """The logged-in user, once the request's CSRF token (header ``X-CSRF-Token`` or
    form field ``csrf_token``) matches their session's; 403 otherwise."""
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not security.tokens_equal(sent, me.csrf):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page")
    return me


CsrfUser = Annotated[Viewer, Depends(csrf_checked)]


def require_role(*roles: str) -> Callable[[Viewer], Viewer]:
    """A dependency letting only ``roles`` through; anyone else gets 404."""

    def check(me: CurrentUser) -> Viewer:
        if me.user.role not in roles:
            raise not_found()
        return me

    return check


instructor_only = require_role("instructor", "admin")
admin_only = require_role("admin")


def client_addr(request: Request) -> str:
    """The peer's address (login throttling per address)."""
    return request.client.host if request.client else "unknown"
