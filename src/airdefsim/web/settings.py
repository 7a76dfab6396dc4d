"""Console settings (pydantic-settings): environment variables ``AIRDEFSIM_*``.

``AIRDEFSIM_DATABASE_URL`` selects the database (default: an SQLite file under the data
directory); ``AIRDEFSIM_DATA_DIR`` where recordings and the SQLite file live;
``AIRDEFSIM_SECURE_COOKIES=1`` marks the session cookie ``Secure`` (behind HTTPS).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/airdefsim`` or ``~/.local/share/airdefsim``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "airdefsim"


class Settings(BaseSettings):
    """Everything the console reads from its environment.

    Attributes
    ----------
    database_url : SQLAlchemy URL; ``None`` gives ``sqlite:///<data_dir>/console.db``.
        PostgreSQL: ``postgresql+psycopg://user@host:5432/db``.
    data_dir : directory for the SQLite file and the exercise recordings.
    secure_cookies : set the ``Secure`` flag on the session cookie (serve over HTTPS).
    session_ttl_s : s, a session expires this long after login.
    login_max_failures : failed logins allowed per account and per address within
        ``login_window_s`` before further attempts are refused for that window.
    frame_hz : Hz, live frames sent per second to each console.
    allowed_origins : extra ``Origin`` values accepted on the WebSocket (the page's own
        host is always accepted).
    """

    model_config = SettingsConfigDict(env_prefix="AIRDEFSIM_", extra="ignore")

    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    secure_cookies: bool = False
    session_ttl_s: float = 8 * 3600.0
    login_max_failures: int = 5
    login_window_s: float = 900.0
    frame_hz: float = 12.0
    allowed_origins: list[str] = []
    cookie_name: str = "airdefsim_session"

    def resolved_database_url(self) -> str:
        """The database URL, creating the data directory for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'console.db'}"

    @property
    def runs_dir(self) -> Path:
        """Where each exercise's recording is written (one sub-directory per session)."""
        return self.data_dir / "runs"
