"""Messages the browser sends on the console WebSocket, validated with Pydantic.

Each message is a JSON object with a ``type``; anything else (unknown type, missing or
wrong fields, extra keys) is rejected with a one-line reason shown on the console, and
the exercise goes on.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from airdefsim import types as t

RATES_BASIC = (1, 2, 4)
RATES_FAST = (8, 16, 32, 64)


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EngageMsg(_Msg):
    type: Literal["engage"]
    track: int = Field(ge=0)
    missile: str | None = Field(None, max_length=40)
    salvo: int = Field(1, ge=1, le=4)
    unit: str | None = Field(None, max_length=80)


class CeaseFireMsg(_Msg):
    type: Literal["cease_fire"]
    track: int = Field(ge=0)


class InterrogateMsg(_Msg):
    type: Literal["interrogate"]
    track: int = Field(ge=0)


class DeclareMsg(_Msg):
    type: Literal["declare"]
    track: int = Field(ge=0)
    identity: Literal["hostile", "friendly", "unknown"]


class WeaponsMsg(_Msg):
    type: Literal["weapons"]
    state: Literal["free", "tight", "hold"]
    unit: str | None = Field(None, max_length=80)


class PauseMsg(_Msg):
    type: Literal["pause"]


class ResumeMsg(_Msg):
    type: Literal["resume"]


class RateMsg(_Msg):
    type: Literal["rate"]
    factor: int


class AbortMsg(_Msg):
    type: Literal["abort"]


ClientMsg = Annotated[
    EngageMsg
    | CeaseFireMsg
    | InterrogateMsg
    | DeclareMsg
    | WeaponsMsg
    | PauseMsg
    | ResumeMsg
    | RateMsg
    | AbortMsg,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[ClientMsg] = TypeAdapter(ClientMsg)


class BadCommand(ValueError):
    """A browser message that is malformed or not allowed (message is user-facing)."""


def parse(text: str | bytes) -> ClientMsg:
    """Validate one WebSocket text message. Raises ``BadCommand`` with a short reason."""
    if len(text) > 4096:
        raise BadCommand("command rejected: message too long")
    try:
        return _ADAPTER.validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "type") or "message"
        raise BadCommand(f"command rejected: {where}: {err.get('msg', 'invalid')}") from None


def to_command(msg: ClientMsg) -> t.Command | None:
    """The C2 command for a browser message (None for clock and session controls)."""
    if isinstance(msg, EngageMsg):
        return t.Engage(track_id=msg.track, missile=msg.missile, salvo=msg.salvo, unit=msg.unit)
    if isinstance(msg, CeaseFireMsg):
        return t.CeaseFire(track_id=msg.track)
    if isinstance(msg, InterrogateMsg):
        return t.Interrogate(track_id=msg.track)
    if isinstance(msg, DeclareMsg):
        return t.Declare(track_id=msg.track, identity=msg.identity)
    if isinstance(msg, WeaponsMsg):
        return t.SetWeapons(state=msg.state, unit=msg.unit)
    return None


def describe(msg: EngageMsg | CeaseFireMsg | InterrogateMsg | DeclareMsg | WeaponsMsg) -> str:
    """Short text of an order, for the message log and the review."""
    if isinstance(msg, EngageMsg):
        return f"engage T{msg.track} with {msg.salvo} × {msg.missile or 'best missile'}"
    if isinstance(msg, CeaseFireMsg):
        return f"cease fire on T{msg.track}"
    if isinstance(msg, InterrogateMsg):
        return f"interrogate T{msg.track}"
    if isinstance(msg, DeclareMsg):
        return f"declare T{msg.track} {msg.identity}"
    return f"weapons {msg.state}"
