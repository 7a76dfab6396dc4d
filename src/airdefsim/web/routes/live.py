"""The console's WebSocket: the live stream out, the trainee's orders in.

Checks before accepting: the ``Origin`` names this host (or an allowed one; 4403), the
login session is valid (4401), the exercise is live and the user's own (4404). Then
wire messages (:mod:`airdefsim.web.wire`) go out from the exercise's queue, and orders
(:mod:`airdefsim.web.commands`) come in, throttled by a token bucket; a malformed or
refused order gets an :class:`~airdefsim.web.wire.Error` line and the exercise goes on.
Logout or expiry ends the stream too (re-checked every few seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from airdefsim.web import accounts
from airdefsim.web import commands as cm
from airdefsim.web.deps import ManagerDep, SettingsDep
from airdefsim.web.ratelimit import TokenBucket
from airdefsim.web.wire import Error

router = APIRouter(tags=["live"])

SESSION_RECHECK_S = 3.0  # s, how often a live WebSocket re-checks its login session


def origin_ok(origin: str | None, host: str, allowed: list[str]) -> bool:
    """A WebSocket ``Origin`` is accepted when it names this host (any scheme of
    http/https) or is listed in the settings. A missing Origin (not a browser) is
    refused."""
    if not origin:
        return False
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host and bool(host)


@router.websocket("/ws/console/{session_id}")
async def console_ws(
    ws: WebSocket, session_id: int, settings: SettingsDep, manager: ManagerDep
) -> None:
    if not origin_ok(
        ws.headers.get("origin"), ws.headers.get("host", ""), settings.allowed_origins
    ):
        await ws.close(code=4403)
        return
    sessions = ws.app.state.sessions
    token = ws.cookies.get(settings.cookie_name)

    def who() -> int | None:
        with sessions() as db:
            found = accounts.session_user(db, token)
            return found[0].id if found else None

    user_id = await asyncio.to_thread(who)
    if user_id is None:
        await ws.close(code=4401)
        return
    ex = manager.live.get(session_id)
    if ex is None or ex.trainee_id != user_id:
        await ws.close(code=4404)
        return
    await ws.accept()
    q = ex.subscribe(user_id)
    ex.start()
    checked = time.monotonic()

    async def still_logged_in() -> bool:
        nonlocal checked
        if time.monotonic() - checked < SESSION_RECHECK_S:
            return True
        checked = time.monotonic()
        return await asyncio.to_thread(who) == user_id

    async def sender() -> None:
        while True:
            text = await q.get()
            if not await still_logged_in():
                await ws.close(code=4401)
                return
            await ws.send_text(text)

    send_task = asyncio.create_task(sender())
    bucket = TokenBucket()
    try:
        while True:
            text = await ws.receive_text()
            if not await still_logged_in():
                await ws.close(code=4401)
                break
            if not bucket.take():  # a flood of orders is refused, the exercise goes on
                ex.send_to(q, Error(message="too many orders at once; slow down"))
                continue
            try:
                err = ex.handle(cm.parse(text))
            except cm.BadCommand as exc:
                err = str(exc)
            if err:
                ex.send_to(q, Error(message=err))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        ex.unsubscribe(q)
        send_task.cancel()
        with contextlib.suppress(BaseException):
            await send_task
