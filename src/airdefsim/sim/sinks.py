"""The sink protocol: where the loop's rows and events go (recorder, live stream,
metrics). The loop does not know which sinks are attached."""

from __future__ import annotations

from typing import Any, Protocol


class Sink(Protocol):
    def open(self, meta: dict[str, Any]) -> None: ...

    def rows(self, table: str, cols: dict[str, Any]) -> None: ...

    def event(self, ev: dict[str, Any]) -> None: ...

    def close(self, summary: dict[str, Any]) -> None: ...
