"""Fire control: checks an engagement order and turns it into launches.

Every engagement order, whether from the doctrine engine or from a trainee at the
console, goes through :meth:`FireControl.execute`, which either returns the launch
orders or the one-line reason it refused. The checks, in order:

1. the track is in the picture;
2. it is not identified friendly (under any weapons state), and it passes the
   track-quality gate (:mod:`airdefsim.engagement.quality`: enough plots, fresh,
   accurate, above the ground, a possible speed and manoeuvre);
3. the unit's weapons state: ``hold`` fires nothing, ``tight`` only at tracks
   identified hostile, ``free`` at anything not friendly;
4. a free target channel (unless the unit already engages that track) and enough free
   missile channels for the salvo (the engagement radar's limits: ``UnitState.
   target_channels`` / ``missile_channels``);
5. rounds of the missile type left above the unit's reserve (``doctrine["reserve"]``,
   per missile type);
6. a launcher holding that type that is not busy (a launcher that fired ``k`` rounds is
   busy for ``k * salvo_interval``); a salvo leaves one launcher when one holds enough
   rounds, else it is spread over several;
7. the target, extrapolated over the missile's ``reaction_time``, inside the missile's
   envelope seen from that launcher
   (:func:`airdefsim.engagement.envelope.predicted_intercept`) and within the unit's
   ``doctrine.max_engage_range`` (distance to the predicted intercept point).

An accepted order does not fly at once: each round is due ``reaction_time`` after the
order (plus ``salvo_interval`` per earlier round from the same launcher), and leaves the
launcher only when its guidance has what it needs (:func:`launch_readiness`): a
fire-control track of the target held by the unit's engagement radar (every guidance
type), or — for an active-seeker missile whose preset says it can engage on remote data —
any track of the picture. The simulation asks :meth:`FireControl.due` each tick, then
launches (:meth:`FireControl.register_launch`) or, when the engagement radar has not
acquired the target within :data:`ACQUIRE_TIMEOUT`, cancels (:meth:`FireControl.cancel`).

Without a missile type the cheapest adequate type is taken (cost proxy: launch mass, the
presets carry no prices), without a unit the unit that can fire the cheapest adequate
type, then the earliest intercept.

State kept here: each unit's inventory (``LauncherState.missiles``, decremented at
launch), launcher ``busy_until``, channel usage (``UnitState.targets_engaged`` and
``missiles_guided``, updated in place on the shared ``UnitState`` objects), the live
engagements (one :class:`airdefsim.types.Engagement` per salvo) and the kill assessment
(:class:`airdefsim.engagement.kill.KillAssessor`) started when an engagement's last
interceptor ends. An empty launcher is reloaded ``reload_time`` later from its unit's
transloader stock (``UnitState.reloads``), when the scenario gives one.

Rules of engagement (weapons state, identity) are checked again here as a hard
interlock, but they are judged — and violations counted — by
:mod:`airdefsim.engagement.adjudicate`, which every command passes first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from airdefsim.engagement import envelope
from airdefsim.engagement.kill import ASSESS_DELAY, KillAssessor
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import F64, AirPicture, Engage, Engagement, UnitState


@dataclass(frozen=True)
class LaunchOrder:
    """One interceptor to launch at ``t_launch``.

    Attributes
    ----------
    unit : str — fire unit name
    launcher_index : int — index in ``UnitState.launchers``
    missile : str — missile preset name
    track_id : int
    aim_pos : (3,) float, m, ECEF — predicted intercept point
    aim_vel : (3,) float, m/s, ECEF — target velocity estimate
    t_flight : float, s — predicted time of flight to the intercept point
    t_order : float, s — when the engagement was ordered
    t_launch : float, s — when it is due to leave the launcher: the order time plus
        the missile's ``reaction_time``, plus ``salvo_interval`` for each earlier round
        of the salvo from the same launcher
    """

    unit: str
    launcher_index: int
    missile: str
    track_id: int
    aim_pos: F64
    aim_vel: F64
    t_flight: float
    t_order: float = 0.0
    t_launch: float = 0.0


#: s an order may wait past its due time for the engagement radar to acquire the target
#: (assumed: a few track-dwell revisits)
ACQUIRE_TIMEOUT = 10.0
#: s, a fire-control track older than this is lost (assumed: three 1 s revisits)
FC_TRACK_HOLD = 3.0

Readiness = Literal["launch", "wait", "cancel"]


def needs_fire_control_track(spec: MissileSpec) -> bool:
    """Whether the missile needs its unit's engagement radar to track the target.

    Track-via-missile, semi-active and command guidance need the engagement radar on the
    target from launch to intercept; an active-seeker missile (``active_radar``,
    ``hit_to_kill``) needs it for the mid-course uplink unless its preset says it can
    engage on remote data (``engage_on_remote``), then any track of the picture will do.
    """
    return not (spec.guidance in ("active_radar", "hit_to_kill") and spec.engage_on_remote)


def needs_track_to_intercept(spec: MissileSpec) -> bool:
    """Whether the missile needs its unit's engagement radar on the target until the
    intercept (track-via-missile and semi-active: the radar guides or illuminates to
    the end); an active seeker flies on alone once it has locked on."""
    return spec.guidance in ("track_via_missile", "semi_active")


def launch_readiness(
    spec: MissileSpec, fc_track_age: float, track_age: float, overdue: float
) -> tuple[Readiness, str]:
    """Whether a due round may leave its launcher now.

    Parameters
    ----------
    spec : the round's missile
    fc_track_age : s since the unit's engagement radar last updated the target's track
        (inf: it never has)
    track_age : s since any sensor last updated it (inf: not in the picture)
    overdue : s since the round was due

    Returns
    -------
    ("launch" | "wait" | "cancel", reason) — the reason says what is missing
    """
    if needs_fire_control_track(spec):
        if fc_track_age <= FC_TRACK_HOLD:
            return "launch", ""
        why = "no fire-control track: the engagement radar has not acquired the target"
    else:
        if track_age <= FC_TRACK_HOLD:
            return "launch", ""
        why = "no track of the target for the mid-course uplink"
    if overdue > ACQUIRE_TIMEOUT:
        return "cancel", why
    return "wait", why


@dataclass
class _Salvo:
    engagement: Engagement
    pending: int  # orders issued, launches not yet registered
    t_order: float
    orders: list[LaunchOrder] = field(default_factory=list)
    launched: set[int] = field(default_factory=set)  # indices of the orders that flew


@dataclass
class _Plan:
    unit: UnitState
    missile: str
    cost: float
    orders: list[LaunchOrder]
    busy: dict[int, float] = field(default_factory=dict)  # launcher index -> busy until


def missile_cost(spec: MissileSpec) -> float:
    """Relative cost of a round (proxy: launch mass, kg; the presets carry no prices)."""
    return float(spec.launch_mass)


def missile_types(unit: UnitState, specs: dict[str, MissileSpec]) -> list[str]:
    """Missile types the unit carries (known to ``specs``), cheapest first."""
    names = {m for launcher in unit.launchers for m in launcher.missiles if m in specs}
    return sorted(names, key=lambda m: (missile_cost(specs[m]), m))


class FireControl:
    """The fire-control state of every blue unit.

    Parameters
    ----------
    units : list of UnitState — mutated in place (inventory, launcher ``busy_until``,
        ``targets_engaged``, ``missiles_guided``)
    specs : dict missile name -> MissileSpec
    rng : numpy Generator — the kill assessment's draws (the radar's call on each
        intercept); the simulation passes its own stream, spawned from the seed
    assess_delay : float, s — kill assessment delay (see :mod:`airdefsim.engagement.kill`)
    """

    def __init__(
        self,
        units: list[UnitState],
        specs: dict[str, MissileSpec],
        rng: np.random.Generator,
        assess_delay: float = ASSESS_DELAY,
    ):
        self.units = list(units)
        self.specs = dict(specs)
        self._by_name = {u.name: u for u in self.units}
        self._salvos: list[_Salvo] = []
        self._of_interceptor: dict[int, _Salvo] = {}
        self._since_look: dict[int, int] = {}
        #: track id -> time its last engagement was cancelled before launch
        self.cancelled_at: dict[int, float] = {}
        self.kill = KillAssessor(delay=assess_delay, rng=rng)
        self.t = 0.0
        self._recount()

    # ------------------------------------------------------------ queries

    def engagements(self) -> list[Engagement]:
        """Live engagements (one per salvo), interceptors in flight or about to launch."""
        return [s.engagement for s in self._salvos]

    def salvos_on(self, track_id: int) -> int:
        """Live salvos against ``track_id`` (all units)."""
        return sum(1 for s in self._salvos if s.engagement.track_id == int(track_id))

    def salvos_since_look(self, track_id: int) -> int:
        """Salvos fired at ``track_id`` since its last kill assessment started."""
        return self._since_look.get(int(track_id), 0)

    # ------------------------------------------------------------ commands

    def advance(self, t: float) -> list[tuple[str, int]]:
        """The fire control's clock moves to ``t`` (s); reloads progress.

        An empty launcher with nothing due on it starts a reload when its unit's
        transloaders hold rounds of a type it carries; ``reload_time`` later it holds up
        to its full load from that stock. Returns the (unit, launcher index) reloaded now.
        """
        self.t = float(t)
        done: list[tuple[str, int]] = []
        pending = {
            (s.engagement.unit, o.launcher_index)
            for s in self._salvos
            for k, o in enumerate(s.orders)
            if k not in s.launched
        }
        for u in self.units:
            for i, ln in enumerate(u.launchers):
                if ln.reloading and ln.reload_until <= self.t:
                    for m, cap in ln.capacity.items():
                        n = min(cap - ln.missiles.get(m, 0), u.reloads.get(m, 0))
                        if n > 0:
                            ln.missiles[m] = ln.missiles.get(m, 0) + n
                            u.reloads[m] -= n
                    ln.reloading = False
                    done.append((u.name, i))
                elif (
                    not ln.reloading
                    and sum(ln.missiles.values()) == 0
                    and (u.name, i) not in pending
                    and any(u.reloads.get(m, 0) > 0 for m in ln.capacity)
                ):
                    ln.reloading = True
                    ln.reload_until = self.t + ln.reload_time
        return done

    def execute(self, cmd: Engage, picture: AirPicture) -> list[LaunchOrder] | str:
        """Check an order against the picture and the unit state; launch or refuse.

        Parameters
        ----------
        cmd : Engage
        picture : AirPicture — at the current time

        Returns
        -------
        list of LaunchOrder, or a one-line reason (str)
        """
        self.t = float(picture.t)  # the clock and reloads move in advance(), not here
        idx = picture.index_of(int(cmd.track_id))
        if idx is None:
            return f"track {cmd.track_id} is not in the picture"
        identity = str(picture.identity[idx])
        if identity == "friendly":
            return f"track {cmd.track_id} is identified friendly"
        if not picture.quality_ok[idx]:
            return f"track {cmd.track_id} fails the track-quality gate: {picture.quality[idx]}"
        if cmd.salvo < 1:
            return f"salvo must be at least 1, got {cmd.salvo}"
        if cmd.missile is not None and cmd.missile not in self.specs:
            return f"unknown missile type {cmd.missile!r}"
        if cmd.unit is not None:
            if cmd.unit not in self._by_name:
                return f"unknown unit {cmd.unit!r}"
            units = [self._by_name[cmd.unit]]
        else:
            units = self.units
        if not units:
            return "no fire unit"
        pos = np.asarray(picture.pos[idx], dtype=float)
        vel = np.asarray(picture.vel[idx], dtype=float)
        ballistic = bool(picture.kind[idx] == "ballistic_missile")
        plans: list[_Plan] = []
        reasons: list[str] = []
        for u in units:
            plan = self._plan(u, cmd, identity, pos, vel, ballistic)
            if isinstance(plan, str):
                reasons.append(plan if len(units) == 1 else f"{u.name}: {plan}")
            else:
                plans.append(plan)
        if not plans:
            if len(reasons) == 1:
                return reasons[0]
            return "no unit can engage: " + "; ".join(reasons)
        best = min(plans, key=lambda p: (p.cost, min(o.t_flight for o in p.orders)))
        self._commit(best)
        return list(best.orders)

    def _plan(
        self,
        u: UnitState,
        cmd: Engage,
        identity: str,
        pos: F64,
        vel: F64,
        ballistic: bool,
    ) -> _Plan | str:
        tid = int(cmd.track_id)
        if u.weapons == "hold":
            return "weapons hold"
        if u.weapons == "tight" and identity != "hostile":
            return f"weapons tight and track {tid} is not identified hostile ({identity})"
        already = any(
            s.engagement.track_id == tid and s.engagement.unit == u.name for s in self._salvos
        )
        if not already and u.targets_engaged >= u.target_channels:
            return f"no free target channel ({u.targets_engaged}/{u.target_channels} engaged)"
        if u.missiles_guided + cmd.salvo > u.missile_channels:
            return (
                f"no free missile channel for a salvo of {cmd.salvo} "
                f"({u.missiles_guided}/{u.missile_channels} guided)"
            )
        carried = missile_types(u, self.specs)
        types = carried if cmd.missile is None else [cmd.missile]
        if cmd.missile is not None and cmd.missile not in carried:
            return f"unit carries no {cmd.missile}"
        if not types:
            return "no missile of any type"
        reserve = u.doctrine.reserve
        max_rng = u.doctrine.max_engage_range
        why: list[str] = []
        for m in types:
            plan = self._plan_type(u, m, tid, cmd.salvo, reserve, max_rng, pos, vel, ballistic)
            if isinstance(plan, str):
                why.append(plan)
            else:
                return plan
        return why[0] if len(why) == 1 else "no adequate missile: " + "; ".join(why)

    def _plan_type(
        self,
        u: UnitState,
        missile: str,
        tid: int,
        salvo: int,
        reserve: int,
        max_rng: float | None,
        pos: F64,
        vel: F64,
        ballistic: bool,
    ) -> _Plan | str:
        spec = self.specs[missile]
        total = u.rounds(missile)
        if total - reserve < salvo:
            return f"no {missile} left for a salvo of {salvo} ({total} left, reserve {reserve})"
        ready = [
            i
            for i, launcher in enumerate(u.launchers)
            if launcher.missiles.get(missile, 0) > 0 and launcher.ready(self.t)
        ]
        if not ready:
            soonest = min(
                max(launcher.busy_until, launcher.reload_until)
                for launcher in u.launchers
                if launcher.missiles.get(missile, 0) > 0
            )
            return f"launchers with {missile} busy (salvo interval) until t={soonest:.1f} s"
        if needs_fire_control_track(spec) and not u.fc_covers(pos[None])[0]:
            where = ", ".join(r.name for r in u.fc_radars) or "no engagement radar"
            return f"track {tid} is outside the coverage of the engagement radar ({where})"
        feasible: list[tuple[float, int, F64]] = []
        # the target flies on during the reaction time (straight line)
        pos_r = pos + vel * float(spec.reaction_time)
        for i in ready:
            lp = u.launchers[i].pos
            ok, tfs, pips = envelope.predicted_intercept(
                spec, lp, pos_r[None], vel[None], np.array([ballistic])
            )
            if not bool(ok[0]) or not 0.0 < float(tfs[0]) < np.inf:
                continue  # (a non-positive time of flight is no intercept)
            if max_rng is not None and float(np.linalg.norm(pips[0] - lp)) > float(max_rng):
                continue
            if needs_fire_control_track(spec) and not u.fc_covers(pips[0][None])[0]:
                continue  # the engagement radar could not follow the target to the intercept
            feasible.append((float(tfs[0]), i, np.asarray(pips[0], dtype=float)))
        if not feasible:
            return f"track {tid} is outside the {missile} envelope"
        feasible.sort(key=lambda f: (f[0], f[1]))
        left = {i: u.launchers[i].missiles.get(missile, 0) for _, i, _ in feasible}
        # the whole salvo from one launcher when one holds enough rounds (rippled at the
        # salvo interval), else spread over the launchers in order of time of flight
        whole = [f for f in feasible if left[f[1]] >= salvo]
        shooters = whole[:1] if whole else feasible
        orders: list[LaunchOrder] = []
        fired: dict[int, int] = {}
        t_ready = self.t + float(spec.reaction_time)
        ripple = float(spec.salvo_interval)
        while len(orders) < salvo:
            progressed = False
            for tf, i, pip in shooters:
                if len(orders) >= salvo:
                    break
                if left[i] - fired.get(i, 0) <= 0:
                    continue
                k = fired.get(i, 0)
                fired[i] = k + 1
                orders.append(
                    LaunchOrder(
                        u.name,
                        i,
                        missile,
                        tid,
                        pip.copy(),
                        vel.copy(),
                        tf,
                        t_order=self.t,
                        t_launch=t_ready + k * ripple,
                    )
                )
                progressed = True
            if not progressed:
                break
        if len(orders) < salvo:
            return f"only {len(orders)} {missile} ready in range for a salvo of {salvo}"
        busy = {i: t_ready + k * ripple for i, k in fired.items()}
        return _Plan(u, missile, missile_cost(spec), orders, busy)

    def _commit(self, plan: _Plan) -> None:
        u = plan.unit
        for o in plan.orders:
            launcher = u.launchers[o.launcher_index]
            launcher.missiles[o.missile] = launcher.missiles.get(o.missile, 0) - 1
        for i, until in plan.busy.items():
            u.launchers[i].busy_until = max(u.launchers[i].busy_until, until)
        tid = plan.orders[0].track_id
        eng = Engagement(tid, u.name, plan.missile, [], self.t)
        self._salvos.append(_Salvo(eng, len(plan.orders), self.t, list(plan.orders)))
        self.kill.cancel(tid)
        self._since_look[tid] = self._since_look.get(tid, 0) + 1
        self._recount()

    def due(self, t: float) -> list[LaunchOrder]:
        """Orders due to launch at or before ``t`` (s) and not launched yet, in order."""
        out = [
            o
            for s in self._salvos
            for k, o in enumerate(s.orders)
            if k not in s.launched and s.pending > 0 and o.t_launch <= t + 1e-9
        ]
        return sorted(out, key=lambda o: o.t_launch)

    def is_pending(self, order: LaunchOrder) -> bool:
        """The order has neither launched nor been cancelled."""
        found = self._find(order)
        return found is not None and found[1] not in found[0].launched and found[0].pending > 0

    def _find(self, order: LaunchOrder) -> tuple[_Salvo, int] | None:
        for s in self._salvos:
            for k, o in enumerate(s.orders):
                if o is order:
                    return s, k
        return None

    def register_launch(self, order: LaunchOrder, interceptor_id: int) -> None:
        """Bind a launched interceptor to the salvo its order belongs to."""
        found = self._find(order)
        if found is None or found[1] in found[0].launched or found[0].pending <= 0:
            raise ValueError(f"no pending order of {order.unit} on track {order.track_id}")
        s, k = found
        s.launched.add(k)
        s.pending -= 1
        s.engagement.interceptor_ids.append(int(interceptor_id))
        self._of_interceptor[int(interceptor_id)] = s
        self._recount()

    def cease_fire(self, track_id: int, t: float) -> tuple[int, ...]:
        """Cease fire on ``track_id``: rounds not launched yet are cancelled (back on
        their launchers), interceptors in flight are released; returns their ids (the
        simulation destroys them)."""
        tid = int(track_id)
        for s in [s for s in self._salvos if s.engagement.track_id == tid and s.pending > 0]:
            self.cancel(s.orders[0], note=False)
        ids = tuple(i for e in self.engagements() if e.track_id == tid for i in e.interceptor_ids)
        if ids:
            self.release(ids, t=t)
        return ids

    def cancel(self, order: LaunchOrder, note: bool = True) -> int:
        """Cancel the rounds of ``order``'s salvo that have not launched (the engagement
        cannot go on: no fire-control track, a cease fire): their rounds go back on the
        launchers and their channels are freed. Returns how many were cancelled. With
        ``note``, the track is marked as having had an engagement cancelled now
        (``cancelled_at``: the doctrine waits before ordering it again)."""
        found = self._find(order)
        if found is None:
            return 0
        s, _ = found
        unit = self._by_name[s.engagement.unit]
        n = 0
        for k, o in enumerate(s.orders):
            if k in s.launched:
                continue
            launcher = unit.launchers[o.launcher_index]
            launcher.missiles[o.missile] = launcher.missiles.get(o.missile, 0) + 1
            n += 1
        s.launched.update(range(len(s.orders)))
        s.pending = 0
        if note:
            self.cancelled_at[s.engagement.track_id] = self.t
        if not s.engagement.interceptor_ids:
            self._salvos.remove(s)
            tid = s.engagement.track_id
            self._since_look[tid] = max(self._since_look.get(tid, 0) - 1, 0)
        self._recount()
        return n

    def release(
        self,
        interceptor_ids: Iterable[int],
        killed: Sequence[bool] | None = None,
        t: float | None = None,
    ) -> None:
        """Interceptors ended (fuzed, missed, destroyed): free their channels.

        When a track's last salvo ends, its kill assessment starts (``killed``, one per
        id, is the truth the radar observes; None: not reported).
        """
        t_end = self.t if t is None else float(t)
        ids = [int(i) for i in interceptor_ids]
        kills = [None] * len(ids) if killed is None else [bool(k) for k in killed]
        for iid, k in zip(ids, kills, strict=True):
            s = self._of_interceptor.pop(iid, None)
            if s is None:
                continue
            e = s.engagement
            if iid in e.interceptor_ids:
                e.interceptor_ids.remove(iid)
            if not e.interceptor_ids and s.pending == 0 and s in self._salvos:
                self._salvos.remove(s)
                if not any(x.engagement.track_id == e.track_id for x in self._salvos):
                    self.kill.start(e.track_id, t_end, k)
                    self._since_look[e.track_id] = 0
        self._recount()

    # ------------------------------------------------------------ internals

    def _recount(self) -> None:
        for u in self.units:
            mine = [s for s in self._salvos if s.engagement.unit == u.name]
            u.missiles_guided = sum(len(s.engagement.interceptor_ids) + s.pending for s in mine)
            u.targets_engaged = len({s.engagement.track_id for s in mine})
