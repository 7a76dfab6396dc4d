"""ASGI middleware of the console: the security headers on every HTTP answer."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airdefsim.web.security import SECURITY_HEADERS


class SecurityHeaders:
    """Adds :data:`airdefsim.web.security.SECURITY_HEADERS` (CSP without inline
    script, no framing, no sniffing …) to every HTTP response that does not set them,
    and ``Cache-Control: no-store`` to everything but the static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k for k, _ in headers}
                headers.extend((k, v) for k, v in self.headers if k not in present)
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
