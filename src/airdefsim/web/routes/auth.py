"""Login (double-submit CSRF cookie, throttled), logout, the home redirect, the
cookie notice."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from airdefsim.web import accounts, security
from airdefsim.web.deps import CsrfUser, CurrentUser, DbSession, SettingsDep, client_addr
from airdefsim.web.pages import render
from airdefsim.web.settings import Settings

log = logging.getLogger("airdefsim.web")
router = APIRouter(tags=["auth"])

PRELOGIN_COOKIE = "airdefsim_login_csrf"
HOME = {"trainee": "/activities", "instructor": "/instructor", "admin": "/admin"}


def login_page(
    request: Request, settings: Settings, status: int = 200, error: str | None = None
) -> Response:
    """The login form with a fresh double-submit token (form field and cookie)."""
    token = security.new_token()
    resp = render(request, "login.html", None, status=status, login_csrf=token, error=error)
    resp.set_cookie(
        PRELOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/login",
        max_age=3600,
    )
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep) -> Response:
    return login_page(request, settings)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not security.tokens_equal(csrf_token, request.cookies.get(PRELOGIN_COOKIE)):
        raise HTTPException(403, "missing or wrong CSRF token; reload the login page")
    try:
        user = accounts.authenticate(
            db,
            name,
            password,
            client_addr(request),
            settings.login_max_failures,
            settings.login_window_s,
        )
    except accounts.AccountError as exc:
        status = 429 if isinstance(exc, accounts.LoginThrottled) else 400
        return login_page(request, settings, status=status, error=str(exc))
    accounts.close_session(db, request.cookies.get(settings.cookie_name))
    token, _row = accounts.open_session(db, user, settings.session_ttl_s)
    done = RedirectResponse("/", status_code=303)
    done.set_cookie(
        settings.cookie_name,
        token,
        max_age=int(settings.session_ttl_s),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    done.delete_cookie(PRELOGIN_COOKIE, path="/login")
    log.info("login: %s", user.name)
    return done


@router.post("/logout")
def logout(me: CsrfUser, db: DbSession, settings: SettingsDep) -> Response:
    accounts.close_session(db, me.token)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(settings.cookie_name, path="/")
    return resp


@router.get("/")
def home(me: CurrentUser) -> Response:
    return RedirectResponse(HOME.get(me.user.role, "/activities"), status_code=303)


@router.get("/about/cookies", response_class=HTMLResponse)
def cookies_notice(request: Request) -> Response:
    return render(request, "cookies.html", None)
