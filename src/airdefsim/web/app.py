"""The training console's application: ``create_app`` assembles it and does nothing else.

It opens the database, builds the exercise manager, adds the security headers and the
static files, includes one router per audience (:mod:`airdefsim.web.routes`) and
registers the "not logged in" answer. The routes take what they need as typed
dependencies (:mod:`airdefsim.web.deps`); queries live in the data modules
(``accounts``, ``catalog``, ``training``); the live exercises in ``live`` and
``manager``. ``airdefsim serve`` runs the app with Uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from airdefsim.web import accounts, catalog
from airdefsim.web.db import make_engine, migrate, session_factory
from airdefsim.web.deps import NotLoggedIn
from airdefsim.web.manager import ExerciseManager
from airdefsim.web.middleware import SecurityHeaders
from airdefsim.web.routes import admin, auth, common, instructor, live, sessions, trainee
from airdefsim.web.settings import Settings

log = logging.getLogger("airdefsim.web")
STATIC = Path(__file__).parent / "static"
#: one router per audience, in the order they are included
ROUTERS = (
    auth.router,
    trainee.router,
    sessions.router,
    instructor.router,
    admin.router,
    live.router,
    common.router,
)


async def not_logged_in(request: Request, exc: Exception) -> Response:
    """Pages send a visitor without a valid session to the login form; the API says 401."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "not logged in"}, status_code=401)
    return RedirectResponse("/login", status_code=303)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The console application (default settings: from the environment).

    On start the database is migrated, the shipped exercises are loaded, stale login
    sessions purged, and sessions left running by an earlier process are marked
    interrupted; on shutdown every live exercise is stopped and marked interrupted.
    """
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url())
    sessions_ = session_factory(engine)
    manager = ExerciseManager(sessions_, settings.runs_dir, frame_hz=settings.frame_hz)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate, engine)
        with sessions_() as db:
            catalog.sync_builtins(db)
            accounts.purge_stale(db, settings.login_window_s)
        n = manager.mark_interrupted_on_startup()
        if n:
            log.warning("%d exercise(s) left running by a previous server marked interrupted", n)
        yield
        await manager.shutdown()
        engine.dispose()

    app = FastAPI(
        title="airdefsim training console",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions_
    app.state.manager = manager
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(NotLoggedIn, not_logged_in)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


__all__ = ["ROUTERS", "create_app"]
