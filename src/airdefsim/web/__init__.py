"""The training console: accounts, live exercises over WebSockets, scoring and review.

``create_app(settings=None)`` builds the FastAPI application
(``airdefsim serve`` runs it with Uvicorn); ``Settings`` reads ``AIRDEFSIM_*`` from the
environment. See ``docs/console.md``.
"""

from __future__ import annotations

from airdefsim.web.app import create_app
from airdefsim.web.settings import Settings

__all__ = ["Settings", "create_app"]
