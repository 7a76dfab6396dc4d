"""The training console: FastAPI application assembly and routes.

``create_app(settings, backend)`` builds the app; ``airdefsim serve`` runs it with
Uvicorn. Routes are thin: the work lives in ``accounts``, ``catalog``, ``live``,
``scoring`` and ``review``. Authorisation is checked on every object: a session another
user may not see answers 404, exactly as a missing one does.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Form, HTTPException, Request, UploadFile, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from airdefsim.web import accounts, catalog, review, security
from airdefsim.web import commands as cm
from airdefsim.web.db import make_engine, migrate, session_factory
from airdefsim.web.live import Backend, EngineBackend, ExerciseManager
from airdefsim.web.models import Assignment, AuthSession, ExerciseSession, ScenarioRow, User
from airdefsim.web.settings import Settings

log = logging.getLogger("airdefsim.web")
HERE = Path(__file__).parent
PRELOGIN_COOKIE = "airdefsim_login_csrf"
SESSION_RECHECK_S = 3.0  # s, how often a live WebSocket re-checks its login session
COMMAND_RATE = 10.0  # orders per second a console may send, sustained
COMMAND_BURST = 30  # orders in a burst (e.g. interrogating every track at once)
#: fixed notices shown after a redirect (never text taken from the URL)
NOTICES = {
    "scenario_added": "Scenario added.",
    "assigned": "Exercise assigned.",
    "assignment_updated": "Assignment updated.",
    "user_created": "User created.",
    "user_updated": "User updated.",
}


class SecurityHeaders:
    """ASGI middleware adding the security headers (CSP without inline script …)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [
            (k.lower().encode(), v.encode()) for k, v in security.SECURITY_HEADERS.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k for k, _ in headers}
                headers.extend((k, v) for k, v in self.headers if k not in present)
                if scope.get("path", "").startswith("/static/") is False:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Ctx:
    """The logged-in user of a request, its session row and the DB session."""

    def __init__(self, user: User, auth: AuthSession, db: Session, token: str) -> None:
        self.user = user
        self.auth = auth
        self.db = db
        self.token = token

    @property
    def csrf(self) -> str:
        return self.auth.csrf_token


class NotLoggedIn(Exception):
    pass


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    """Build the console application.

    Parameters
    ----------
    settings : console settings (default: from the environment)
    backend : how simulations are built (default: the real engine); tests pass a double

    On start the database is migrated, the shipped exercises are loaded, and sessions
    left running by an earlier process are marked interrupted; on shutdown every live
    exercise is stopped and marked interrupted.
    """
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url())
    sessions = session_factory(engine)
    manager = ExerciseManager(
        sessions, settings.runs_dir, backend or EngineBackend(), frame_hz=settings.frame_hz
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate, engine)
        with sessions() as db:
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
    app.state.sessions = sessions
    app.state.manager = manager
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # ------------------------------------------------------------ dependencies

    def get_db() -> Iterator[Session]:
        with sessions() as db:
            yield db

    DB = Annotated[Session, Depends(get_db)]

    def current(request: Request, db: DB) -> Ctx:
        token = request.cookies.get(settings.cookie_name)
        found = accounts.session_user(db, token)
        if found is None:
            raise NotLoggedIn()
        return Ctx(found[0], found[1], db, token or "")

    User_ = Annotated[Ctx, Depends(current)]

    async def csrf_checked(request: Request, ctx: User_) -> Ctx:
        sent = request.headers.get("x-csrf-token")
        if sent is None:
            ctype = request.headers.get("content-type", "")
            if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                form = await request.form()
                v = form.get("csrf_token")
                sent = v if isinstance(v, str) else None
        if not security.tokens_equal(sent, ctx.csrf):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        return ctx

    Post = Annotated[Ctx, Depends(csrf_checked)]

    def require(ctx: Ctx, *roles: str) -> None:
        if ctx.user.role not in roles:
            raise HTTPException(404, "not found")

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "not logged in"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    def page(
        request: Request, name: str, ctx: Ctx | None, status: int = 200, **kw: Any
    ) -> HTMLResponse:
        context = {"user": ctx.user if ctx else None, "csrf": ctx.csrf if ctx else "", **kw}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def set_session_cookie(resp: Response, token: str) -> None:
        resp.set_cookie(
            settings.cookie_name,
            token,
            max_age=int(settings.session_ttl_s),
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )

    def client_addr(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    # ------------------------------------------------------------ login

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        token = security.new_token()
        resp = page(request, "login.html", None, login_csrf=token, error=None)
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

    @app.post("/login", response_class=HTMLResponse, response_model=None)
    def login(
        request: Request,
        db: DB,
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
            token = security.new_token()
            resp = page(
                request, "login.html", None, status=status, login_csrf=token, error=str(exc)
            )
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
        accounts.close_session(db, request.cookies.get(settings.cookie_name))
        token, _row = accounts.open_session(db, user, settings.session_ttl_s)
        done = RedirectResponse("/", status_code=303)
        set_session_cookie(done, token)
        done.delete_cookie(PRELOGIN_COOKIE, path="/login")
        log.info("login: %s", user.name)
        return done

    @app.post("/logout")
    def logout(ctx: Post) -> Response:
        accounts.close_session(ctx.db, ctx.token)
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(settings.cookie_name, path="/")
        return resp

    @app.get("/")
    def home(ctx: User_) -> Response:
        target = {"trainee": "/activities", "instructor": "/instructor", "admin": "/admin"}
        return RedirectResponse(target.get(ctx.user.role, "/activities"), status_code=303)

    @app.get("/about/cookies", response_class=HTMLResponse)
    def cookies_notice(request: Request) -> Response:
        return page(request, "cookies.html", None)

    # ------------------------------------------------------------ trainee

    def visible_session(ctx: Ctx, session_id: int) -> ExerciseSession:
        """The session if this user may see it, else 404 (same answer as a missing one)."""
        row = ctx.db.get(ExerciseSession, session_id)
        if row is None:
            raise HTTPException(404, "not found")
        u = ctx.user
        if u.role == "admin" or row.trainee_id == u.id:
            return row
        if u.role == "instructor":
            trainee = ctx.db.get(User, row.trainee_id)
            if trainee is not None and trainee.instructor_id == u.id:
                return row
        raise HTTPException(404, "not found")

    @app.get("/activities", response_class=HTMLResponse)
    def activities(request: Request, ctx: User_) -> Response:
        db = ctx.db
        assignments = db.execute(
            select(Assignment, ScenarioRow)
            .join(ScenarioRow, ScenarioRow.id == Assignment.scenario_id)
            .where(Assignment.trainee_id == ctx.user.id)
            .order_by(Assignment.created_at.desc())
        ).all()
        past = db.execute(
            select(ExerciseSession, ScenarioRow)
            .join(ScenarioRow, ScenarioRow.id == ExerciseSession.scenario_id)
            .where(ExerciseSession.trainee_id == ctx.user.id)
            .order_by(ExerciseSession.started_at.desc())
        ).all()
        practice = db.scalars(
            select(ScenarioRow).where(ScenarioRow.builtin).order_by(ScenarioRow.slug)
        ).all()
        return page(
            request,
            "activities.html",
            ctx,
            assignments=assignments,
            past=past,
            practice=practice,
            live=set(manager.live),
        )

    @app.post("/exercises/start")
    def start_exercise(
        ctx: Post,
        assignment_id: Annotated[int | None, Form()] = None,
        scenario_id: Annotated[int | None, Form()] = None,
    ) -> Response:
        db = ctx.db
        allow_pause, allow_ff = True, False
        if assignment_id is not None:
            a = db.get(Assignment, assignment_id)
            if a is None or a.trainee_id != ctx.user.id:
                raise HTTPException(404, "not found")
            row = db.get(ScenarioRow, a.scenario_id)
            allow_pause, allow_ff = a.allow_pause, a.allow_fast_forward
        elif scenario_id is not None:
            row = db.get(ScenarioRow, scenario_id)
            if row is None or not row.builtin:
                raise HTTPException(404, "not found")
        else:
            raise HTTPException(400, "choose an exercise")
        if row is None:
            raise HTTPException(404, "not found")
        try:
            scenario = catalog.parse_scenario(row.yaml_text, f"{row.slug}.yaml")
        except catalog.ScenarioError as exc:
            raise HTTPException(400, "the scenario is no longer valid: " + str(exc)) from None
        sess = ExerciseSession(
            trainee_id=ctx.user.id,
            scenario_id=row.id,
            assignment_id=assignment_id,
            status="running",
            seed=int(scenario.seed),
            allow_pause=allow_pause,
            allow_fast_forward=allow_ff,
        )
        db.add(sess)
        db.commit()
        try:
            manager.create(
                sess.id,
                ctx.user.id,
                scenario,
                row.title,
                int(scenario.seed),
                allow_pause,
                allow_ff,
                scenario_key=f"{row.id}:{hash(row.yaml_text)}",
            )
        except Exception as exc:
            log.exception("could not build the simulation")
            sess.status = "interrupted"
            db.commit()
            raise HTTPException(500, f"the simulation could not start: {exc}") from None
        return RedirectResponse(f"/console/{sess.id}", status_code=303)

    @app.get("/console/{session_id}", response_class=HTMLResponse)
    def console(request: Request, session_id: int, ctx: User_) -> Response:
        row = ctx.db.get(ExerciseSession, session_id)
        if row is None or row.trainee_id != ctx.user.id:
            raise HTTPException(404, "not found")
        if session_id not in manager.live:
            return RedirectResponse(f"/sessions/{session_id}/review", status_code=303)
        return page(request, "console.html", ctx, session_id=session_id)

    @app.get("/sessions/{session_id}/review", response_class=HTMLResponse)
    def review_page(request: Request, session_id: int, ctx: User_) -> Response:
        row = visible_session(ctx, session_id)
        sc = ctx.db.get(ScenarioRow, row.scenario_id)
        trainee = ctx.db.get(User, row.trainee_id)
        return page(
            request,
            "review.html",
            ctx,
            s=row,
            title=sc.title if sc else "",
            trainee=trainee.name if trainee else "",
        )

    @app.get("/api/sessions/{session_id}")
    def session_result(session_id: int, ctx: User_) -> dict:
        row = visible_session(ctx, session_id)
        return {
            "id": row.id,
            "status": row.status,
            "score": row.score,
            "score_parts": row.score_parts,
            "doctrine": row.doctrine,
            "summary": row.summary,
            "sim_seconds": row.sim_seconds,
        }

    @app.get("/api/sessions/{session_id}/review")
    def review_data(session_id: int, ctx: User_) -> Response:
        row = visible_session(ctx, session_id)
        data = review.load(row)
        if data is None:
            raise HTTPException(404, "no recording for this session")
        return Response(json.dumps(data, separators=(",", ":")), media_type="application/json")

    @app.get("/api/basemap")
    def basemap(lat: float, lon: float, span: float = 8.0) -> Response:
        return Response(
            _basemap(round(lat), round(lon), min(max(round(span), 1), 30)),
            media_type="application/json",
            headers={"cache-control": "private, max-age=3600"},
        )

    # ------------------------------------------------------------ live console

    @app.websocket("/ws/console/{session_id}")
    async def console_ws(ws: WebSocket, session_id: int) -> None:
        origin = ws.headers.get("origin")
        host = ws.headers.get("host", "")
        if not origin_ok(origin, host, settings.allowed_origins):
            await ws.close(code=4403)
            return

        def who() -> int | None:
            with sessions() as db:
                found = accounts.session_user(db, ws.cookies.get(settings.cookie_name))
                return found[0].id if found else None

        user_id = await asyncio.to_thread(who)
        ex = manager.live.get(session_id)
        if user_id is None:
            await ws.close(code=4401)
            return
        if ex is None or ex.trainee_id != user_id:
            await ws.close(code=4404)
            return
        await ws.accept()
        q = ex.subscribe(user_id)
        ex.start()

        last_check = time.monotonic()

        async def still_logged_in() -> bool:
            """Logout or expiry ends the stream too (re-checked every few seconds)."""
            nonlocal last_check
            if time.monotonic() - last_check < SESSION_RECHECK_S:
                return True
            last_check = time.monotonic()
            return await asyncio.to_thread(who) == user_id

        async def sender() -> None:
            while True:
                text = await q.get()
                if not await still_logged_in():
                    await ws.close(code=4401)
                    return
                await ws.send_text(text)

        send_task = asyncio.create_task(sender())
        budget, refilled = float(COMMAND_BURST), time.monotonic()
        try:
            while True:
                text = await ws.receive_text()
                if not await still_logged_in():
                    await ws.close(code=4401)
                    break
                now = time.monotonic()  # token bucket: a flood of orders is refused
                budget = min(COMMAND_BURST, budget + (now - refilled) * COMMAND_RATE)
                refilled = now
                if budget < 1.0:
                    ex.send_to(
                        q, {"type": "error", "message": "too many orders at once; slow down"}
                    )
                    continue
                budget -= 1.0
                try:
                    msg = cm.parse(text)
                    err = ex.handle(msg)
                except cm.BadCommand as exc:
                    err = str(exc)
                if err:
                    ex.send_to(q, {"type": "error", "message": err})
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            ex.unsubscribe(q)
            send_task.cancel()
            with contextlib.suppress(BaseException):
                await send_task

    # ------------------------------------------------------------ instructor

    @app.get("/instructor", response_class=HTMLResponse)
    def instructor(request: Request, ctx: User_, notice: str | None = None) -> Response:
        require(ctx, "instructor", "admin")
        return page(
            request,
            "instructor.html",
            ctx,
            **instructor_context(ctx),
            error=None,
            problems=None,
            notice=NOTICES.get(notice or ""),
        )

    def instructor_context(ctx: Ctx) -> dict[str, Any]:
        db = ctx.db
        trainees = accounts.trainees_of(db, ctx.user)
        ids = [t.id for t in trainees]
        scenarios = db.scalars(
            select(ScenarioRow).order_by(ScenarioRow.builtin.desc(), ScenarioRow.title)
        ).all()
        results = db.execute(
            select(ExerciseSession, ScenarioRow, User)
            .join(ScenarioRow, ScenarioRow.id == ExerciseSession.scenario_id)
            .join(User, User.id == ExerciseSession.trainee_id)
            .where(ExerciseSession.trainee_id.in_(ids or [-1]))
            .order_by(ExerciseSession.started_at.desc())
        ).all()
        assigned = db.execute(
            select(Assignment, ScenarioRow, User)
            .join(ScenarioRow, ScenarioRow.id == Assignment.scenario_id)
            .join(User, User.id == Assignment.trainee_id)
            .where(Assignment.trainee_id.in_(ids or [-1]))
            .order_by(Assignment.created_at.desc())
        ).all()
        return {
            "trainees": trainees,
            "scenarios": scenarios,
            "results": results,
            "assigned": assigned,
        }

    @app.post("/instructor/scenarios", response_class=HTMLResponse)
    async def upload_scenario(request: Request, ctx: Post, file: UploadFile) -> Response:
        require(ctx, "instructor", "admin")
        raw = await file.read(catalog.MAX_UPLOAD_BYTES + 1)
        name = Path(file.filename or "upload.yaml").name
        try:
            text = raw.decode("utf-8")
            await asyncio.to_thread(catalog.add_upload, ctx.db, text, name, ctx.user.id)
        except UnicodeDecodeError:
            return _instructor_error(request, ctx, "the file is not UTF-8 text", None)
        except catalog.ScenarioError as exc:
            return _instructor_error(
                request, ctx, f"{name} is not a valid scenario:", [str(p) for p in exc.problems]
            )
        except ValueError as exc:
            return _instructor_error(request, ctx, str(exc), None)
        return RedirectResponse("/instructor?notice=scenario_added", status_code=303)

    def _instructor_error(
        request: Request, ctx: Ctx, error: str, problems: list[str] | None
    ) -> Response:
        ctx.db.rollback()
        return page(
            request,
            "instructor.html",
            ctx,
            status=400,
            **instructor_context(ctx),
            error=error,
            problems=problems,
            notice=None,
        )

    @app.post("/instructor/assignments")
    def assign(
        ctx: Post,
        trainee_id: Annotated[int, Form()],
        scenario_id: Annotated[int, Form()],
        allow_pause: Annotated[bool, Form()] = False,
        allow_fast_forward: Annotated[bool, Form()] = False,
    ) -> Response:
        require(ctx, "instructor", "admin")
        trainee = ctx.db.get(User, trainee_id)
        if trainee is None or trainee.id not in {
            t.id for t in accounts.trainees_of(ctx.db, ctx.user)
        }:
            raise HTTPException(404, "not found")
        if ctx.db.get(ScenarioRow, scenario_id) is None:
            raise HTTPException(404, "not found")
        ctx.db.add(
            Assignment(
                scenario_id=scenario_id,
                trainee_id=trainee_id,
                instructor_id=ctx.user.id,
                allow_pause=allow_pause,
                allow_fast_forward=allow_fast_forward,
            )
        )
        ctx.db.commit()
        return RedirectResponse("/instructor?notice=assigned", status_code=303)

    @app.post("/instructor/assignments/{assignment_id}")
    def update_assignment(
        assignment_id: int,
        ctx: Post,
        allow_pause: Annotated[bool, Form()] = False,
        allow_fast_forward: Annotated[bool, Form()] = False,
    ) -> Response:
        require(ctx, "instructor", "admin")
        a = ctx.db.get(Assignment, assignment_id)
        ids = {t.id for t in accounts.trainees_of(ctx.db, ctx.user)}
        if a is None or a.trainee_id not in ids:
            raise HTTPException(404, "not found")
        a.allow_pause, a.allow_fast_forward = allow_pause, allow_fast_forward
        ctx.db.commit()
        return RedirectResponse("/instructor?notice=assignment_updated", status_code=303)

    # ------------------------------------------------------------ admin

    @app.get("/admin", response_class=HTMLResponse)
    def admin(request: Request, ctx: User_, notice: str | None = None) -> Response:
        require(ctx, "admin")
        return admin_page(request, ctx, notice=NOTICES.get(notice or ""))

    def admin_page(
        request: Request, ctx: Ctx, error: str | None = None, notice: str | None = None
    ) -> Response:
        """The admin page: every account, the instructors, an error or a notice."""
        users = accounts.list_users(ctx.db)
        return page(
            request,
            "admin.html",
            ctx,
            status=400 if error else 200,
            users=users,
            instructors=[u for u in users if u.role in ("instructor", "admin")],
            error=error,
            notice=notice,
        )

    @app.post("/admin/users")
    def admin_create(
        request: Request,
        ctx: Post,
        name: Annotated[str, Form(max_length=64)],
        role: Annotated[str, Form(max_length=16)],
        password: Annotated[str, Form(max_length=1024)],
        instructor: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        require(ctx, "admin")
        try:
            accounts.create_user(ctx.db, name, role, password, instructor or None)
        except accounts.AccountError as exc:
            ctx.db.rollback()
            return admin_page(request, ctx, error=str(exc))
        return RedirectResponse("/admin?notice=user_created", status_code=303)

    @app.post("/admin/users/{user_id}")
    def admin_update(
        request: Request,
        user_id: int,
        ctx: Post,
        role: Annotated[str, Form(max_length=16)],
        instructor_id: Annotated[str, Form(max_length=20)] = "",
        active: Annotated[bool, Form()] = False,
    ) -> Response:
        require(ctx, "admin")
        try:
            if user_id == ctx.user.id and (role != "admin" or not active):
                raise accounts.AccountError("you cannot remove your own admin role or account")
            accounts.set_role(ctx.db, user_id, role)
            accounts.set_instructor(ctx.db, user_id, int(instructor_id) if instructor_id else None)
            accounts.set_active(ctx.db, user_id, active)
        except (accounts.AccountError, ValueError) as exc:
            ctx.db.rollback()
            return admin_page(request, ctx, error=str(exc))
        return RedirectResponse("/admin?notice=user_updated", status_code=303)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True, "live_exercises": len(manager.live)}

    return app


def origin_ok(origin: str | None, host: str, allowed: list[str]) -> bool:
    """A WebSocket ``Origin`` is accepted when it names this host (any scheme of http/https)
    or is listed in the settings. A missing Origin (not a browser) is refused."""
    if not origin:
        return False
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host and bool(host)


@lru_cache(maxsize=32)
def _basemap(lat: int, lon: int, span: int) -> bytes:
    """Natural Earth lines around (lat, lon) ± span degrees, GeoJSON bytes (cached)."""
    try:
        from airdefsim.geo.basemap import basemap_geojson
    except ImportError:
        return b'{"type":"FeatureCollection","features":[]}'
    bbox = (lon - span * 1.5, lat - span, lon + span * 1.5, lat + span)
    return json.dumps(basemap_geojson(bbox), separators=(",", ":")).encode()


__all__ = ["create_app", "origin_ok"]
