"""Command adjudication: the one place every C2 seat's commands are judged.

The doctrine engine and a person at the console return the same commands
(:data:`airdefsim.types.Command`); the simulation hands each to
:meth:`Adjudicator.rule`, which answers with a :class:`Ruling`: accepted or refused
(with the one-line reason), whether the command broke the rules of engagement, and what
the simulation must now do (launch interceptors, destroy interceptors, interrogate a
track). The adjudicator holds the C2 state every seat shares: declared identities, IFF
answers, weapons states (on the units) and the fire control
(:class:`airdefsim.engagement.fire_control.FireControl`).

Rules of engagement (standard weapons-control states)
-----------------------------------------------------
hold
    no engagement at all
tight
    engage only tracks declared hostile
free
    engage any track not identified friendly

Independently of the weapons state, engaging a track identified friendly or one that
answered IFF is always a violation, and so is declaring hostile a track that answered
IFF or that the identification evidence presumes friend (a filed flight plan, civil
traffic on a corridor). An ``Engage`` without a unit is judged against the
least restrictive state of the units (the fire control then picks a unit whose state
allows it). A violation is counted — and an ``roe_violation`` event emitted by the
simulation — whoever issued the command, the doctrine or a person, and whether the fire
control then refused it or not (an order to fire at a friendly is an error even when
the interlock stops it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airdefsim.engagement.fire_control import FireControl, LaunchOrder
from airdefsim.engagement.kill import ASSESS_DELAY
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import (
    AirPicture,
    CeaseFire,
    Command,
    Declare,
    Identity,
    Interrogate,
    SetWeapons,
    UnitState,
    WeaponsState,
)

#: weapons states from the least to the most restrictive
_PERMISSIVENESS: dict[WeaponsState, int] = {"free": 0, "tight": 1, "hold": 2}


def roe_breach(identity: str, iff_reply: bool, weapons: WeaponsState | list[WeaponsState]) -> str:
    """The rule of engagement an engagement order at a track would break, ``""`` if none.

    Parameters
    ----------
    identity : ``"unknown"``, ``"hostile"`` or ``"friendly"`` — the track's identity
        when the order is given
    iff_reply : bool — the track has answered IFF
    weapons : the ordering unit's weapons state, or the states of every unit that could
        fire (the least restrictive is used)
    """
    states = [weapons] if isinstance(weapons, str) else list(weapons)
    if identity == "friendly":
        return "the track is identified friendly"
    if iff_reply:
        return "the track answered IFF"
    if not states:
        return ""
    state = min(states, key=lambda s: _PERMISSIVENESS[s])
    if state == "hold":
        return "weapons hold"
    if state == "tight" and identity != "hostile":
        return f"weapons tight and the track is not declared hostile ({identity})"
    return ""


@dataclass(frozen=True)
class TrackC2:
    """The C2 state of M tracks at one time (the fields of the air picture that come
    from the command post rather than the tracker); arrays share the track axis.

    identity : (M,) object; iff_reply : (M,) bool; n_interrogations : (M,) int;
    salvos : (M,) int — live salvos; salvos_since_look : (M,) int;
    kill_status : (M,) object — ``KillStatus``; kill_ended_at : (M,) float, s (NaN: never)
    cancelled_at : (M,) float, s — when an engagement of the track was last cancelled
        before launch (NaN: never)
    """

    identity: np.ndarray
    iff_reply: np.ndarray
    n_interrogations: np.ndarray
    salvos: np.ndarray
    salvos_since_look: np.ndarray
    kill_status: np.ndarray
    kill_ended_at: np.ndarray
    cancelled_at: np.ndarray


@dataclass(frozen=True)
class Ruling:
    """The adjudicator's answer to one command.

    Attributes
    ----------
    command : Command — what was asked
    accepted : bool
    reason : str — why it was refused (``""`` when accepted)
    roe_violation : str — the rule of engagement it broke (``""`` if none)
    launches : tuple of LaunchOrder — interceptors the simulation must launch now
    destroy : tuple of int — interceptor ids the simulation must destroy (cease fire)
    interrogate : int — track id the simulation must interrogate (its IFF draw), -1 none
    text : str — what was done, for a person (``"weapons tight"``, ``"cease fire on T4"``)
    """

    command: Command
    accepted: bool
    reason: str = ""
    roe_violation: str = ""
    launches: tuple[LaunchOrder, ...] = ()
    destroy: tuple[int, ...] = ()
    interrogate: int = -1
    text: str = ""


class Adjudicator:
    """The C2 state shared by every seat, and the judge of every command.

    Parameters
    ----------
    units : list of UnitState — the live units (weapons state, inventory, channels are
        changed in place)
    specs : dict missile name -> MissileSpec
    rng : numpy Generator — the kill assessment's stream (the radar's call on an
        intercept), spawned from the run's seed
    assess_delay : float, s — see :mod:`airdefsim.engagement.kill`
    """

    def __init__(
        self,
        units: list[UnitState],
        specs: dict[str, MissileSpec],
        rng: np.random.Generator,
        assess_delay: float = ASSESS_DELAY,
    ):
        self.units = list(units)
        self.fire_control = FireControl(self.units, specs, rng=rng, assess_delay=assess_delay)
        self.identity: dict[int, Identity] = {}
        self.iff_reply: dict[int, bool] = {}
        self.n_interrogations: dict[int, int] = {}
        self.roe_violations = 0
        self.rulings: list[Ruling] = []

    # ------------------------------------------------------------ state a picture shows

    def track_state(self, track_ids: np.ndarray, t: float) -> TrackC2:
        """The C2 state of the tracks ``track_ids`` (M,) at time ``t`` (s)."""
        fc = self.fire_control
        ids = [int(i) for i in track_ids]
        ended = [fc.kill.ended_at(i) for i in ids]
        return TrackC2(
            identity=self.identities(track_ids),
            iff_reply=self.replies(track_ids),
            n_interrogations=self.interrogations(track_ids),
            salvos=np.array([fc.salvos_on(i) for i in ids], dtype=np.int64),
            salvos_since_look=np.array([fc.salvos_since_look(i) for i in ids], dtype=np.int64),
            kill_status=np.array([fc.kill.status(i, t) for i in ids], dtype=object),
            kill_ended_at=np.array([np.nan if e is None else e for e in ended], dtype=float),
            cancelled_at=np.array([fc.cancelled_at.get(i, np.nan) for i in ids], dtype=float),
        )

    def identities(self, track_ids: np.ndarray) -> np.ndarray:
        """(M,) object: the declared identity of each track (``"unknown"`` if none)."""
        return np.array([self.identity.get(int(i), "unknown") for i in track_ids], dtype=object)

    def replies(self, track_ids: np.ndarray) -> np.ndarray:
        """(M,) bool: the track has answered IFF."""
        return np.array([self.iff_reply.get(int(i), False) for i in track_ids], dtype=bool)

    def interrogations(self, track_ids: np.ndarray) -> np.ndarray:
        """(M,) int: interrogations sent to each track."""
        return np.array([self.n_interrogations.get(int(i), 0) for i in track_ids], dtype=np.int64)

    def note_iff(self, track_id: int, reply: bool) -> None:
        """Record the answer to an interrogation the simulation carried out."""
        tid = int(track_id)
        self.iff_reply[tid] = bool(reply) or self.iff_reply.get(tid, False)

    # ------------------------------------------------------------ judging

    def rule(self, cmd: Command, picture: AirPicture) -> Ruling:
        """Judge one command against the picture and the C2 state; apply what it
        changes here (identities, weapons, fire-control state) and return what the
        simulation must carry out."""
        ruling = self._rule(cmd, picture)
        if ruling.roe_violation:
            self.roe_violations += 1
        self.rulings.append(ruling)
        return ruling

    def _rule(self, cmd: Command, picture: AirPicture) -> Ruling:
        if isinstance(cmd, SetWeapons):
            units = [u for u in self.units if cmd.unit is None or u.name == cmd.unit]
            if not units:
                return Ruling(cmd, False, f"unknown unit {cmd.unit!r}")
            for u in units:
                u.weapons = cmd.state
            return Ruling(cmd, True, text=f"weapons {cmd.state}")
        idx = picture.index_of(int(cmd.track_id))
        if idx is None:
            return Ruling(cmd, False, f"track {cmd.track_id} is not in the picture")
        tid = int(cmd.track_id)
        if isinstance(cmd, Interrogate):
            self.n_interrogations[tid] = self.n_interrogations.get(tid, 0) + 1
            return Ruling(cmd, True, interrogate=tid, text=f"interrogate T{tid}")
        if isinstance(cmd, Declare):
            breach = ""
            if cmd.identity == "hostile":
                if self.iff_reply.get(tid, False):
                    breach = "declared hostile a track that answered IFF"
                elif picture.evidence.friendly[idx]:
                    breach = f"declared hostile a track presumed friend ({picture.evidence.friendly[idx]})"
            self.identity[tid] = cmd.identity
            picture.identity[idx] = cmd.identity  # later orders of this tick see it
            return Ruling(cmd, True, roe_violation=breach, text=f"T{tid} declared {cmd.identity}")
        if isinstance(cmd, CeaseFire):
            ids = self.fire_control.cease_fire(tid, picture.t)
            return Ruling(cmd, True, destroy=ids, text=f"cease fire on T{tid}")
        # Engage
        if cmd.unit is not None and all(u.name != cmd.unit for u in self.units):
            return Ruling(cmd, False, f"unknown unit {cmd.unit!r}")
        states = [u.weapons for u in self.units if cmd.unit is None or u.name == cmd.unit]
        breach = roe_breach(
            self.identity.get(tid, "unknown"), self.iff_reply.get(tid, False), states
        )
        result = self.fire_control.execute(cmd, picture)
        if isinstance(result, str):
            return Ruling(cmd, False, result, roe_violation=breach)
        return Ruling(
            cmd,
            True,
            roe_violation=breach,
            launches=tuple(result),
            text=f"engage T{tid}: {len(result)} × {result[0].missile}" if result else "",
        )
