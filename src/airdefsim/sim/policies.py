"""C2 seats: the policies the simulation asks each decision tick.

A policy is a function of the air picture plus its own memory; it returns commands, and
the simulation judges every command the same way whoever issued it
(:mod:`airdefsim.engagement.adjudicate`). Three seats:

- :class:`airdefsim.engagement.doctrine.DoctrinePolicy` — the automatic doctrine;
- :class:`QueuedPolicy` — a person: commands queued from another thread (the console's
  WebSocket) and handed over at the next tick;
- :class:`ScriptedPolicy` — commands at given times (tests, replays of a person's
  orders).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

from airdefsim.types import AirPicture, Command


class Policy(Protocol):
    """The C2 seat: given the air picture, return commands."""

    def decide(self, picture: AirPicture) -> list[Command]: ...


class QueuedPolicy:
    """A person's seat: :meth:`submit` from any thread, :meth:`decide` from the
    simulation's. Commands keep their order; each is handed over once."""

    def __init__(self) -> None:
        self._queue: list[Command] = []
        self._lock = threading.Lock()

    def submit(self, cmd: Command) -> None:
        with self._lock:
            self._queue.append(cmd)

    def decide(self, picture: AirPicture) -> list[Command]:
        with self._lock:
            out, self._queue = self._queue, []
        return out


class ScriptedPolicy:
    """Commands given in advance: each ``(t, command)`` is handed over at the first
    tick at or after ``t`` (s), in the given order."""

    def __init__(self, script: Iterable[tuple[float, Command]]) -> None:
        self._script = sorted(enumerate(script), key=lambda e: (e[1][0], e[0]))
        self._next = 0

    def decide(self, picture: AirPicture) -> list[Command]:
        out: list[Command] = []
        while self._next < len(self._script) and self._script[self._next][1][0] <= picture.t:
            out.append(self._script[self._next][1][1])
            self._next += 1
        return out
