"""The simulation loop: one engine for the CLI, Monte Carlo and the live console.

Each step of ``decision_interval`` seconds (default 1 s), for [t0, t1):

1. threats move — closed-form routes evaluated at t0 for all objects at once;
2. every radar reports the looks that fall in [t0, t1) (plots: detections and false
   alarms, each with its own time);
3. the tracker associates, updates, initiates and deletes (all radars fused);
4. the C2 seat (a policy: the doctrine engine or a person) sees the air picture — the
   tracker's tracks with identities and its own units' state, never truth — and
   returns commands, which the adjudicator judges the same way for every seat
   (:mod:`airdefsim.engagement.adjudicate`); the loop carries out what it rules;
5. interceptors fly [t0, t1] (coarse steps far out, fine in the endgame), fuze and kill
   (each fuze event keeps its own time);
6. threats that reached the end of their route leak (and hit an asset they aimed at);
7. rows and events go to the sinks (recorder, live view).

Truth goes to the sinks and the scoring only. Determinism: each component draws from
its own random stream (:mod:`airdefsim.sim.world`). Pacing is the caller's: the
:mod:`airdefsim.sim.clock` seam (as fast as possible, or the wall clock).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from airdefsim.engagement import envelope, identification
from airdefsim.engagement.adjudicate import Adjudicator, Ruling
from airdefsim.engagement.doctrine import DoctrinePolicy
from airdefsim.engagement.fire_control import (
    FC_TRACK_HOLD,
    LaunchOrder,
    launch_readiness,
    needs_fire_control_track,
)
from airdefsim.engagement.identification import FlightPlans
from airdefsim.engagement.quality import TrackQuality
from airdefsim.engagement.threat import classify, rank, score
from airdefsim.events import Event, EventKind
from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic
from airdefsim.jsonsafe import dumps
from airdefsim.physics.flyout import FuzeEvent, Interceptors
from airdefsim.physics.manoeuvre import plan_evasion
from airdefsim.record import Recorder
from airdefsim.scenario.schema import Scenario
from airdefsim.sensors.iff import interrogate
from airdefsim.sensors.radar import Radar
from airdefsim.sensors.terrain import Dem
from airdefsim.sim.clock import AsFastAsPossible, Clock
from airdefsim.sim.meta import run_meta
from airdefsim.sim.policies import Policy
from airdefsim.sim.rows import (
    detection_rows,
    interceptor_rows,
    position_sigma,
    track_rows,
    truth_rows,
)
from airdefsim.sim.sinks import Columns, Sink, TableName
from airdefsim.sim.world import World, build_world
from airdefsim.summary import RunSummary
from airdefsim.tracking import Tracker
from airdefsim.tracking.metrics import match_tracks
from airdefsim.types import (
    F64,
    AirPicture,
    Command,
    Declare,
    Engage,
    Interrogate,
    Plots,
    SetWeapons,
    TargetsView,
    TrackTable,
)

MATCH_DISTANCE = 5000.0  # m; a track farther than this from every truth is a false track
THREAT_TOLERANCE = 0.05  # fraction of a track's range added to each asset's radius


@dataclass
class RunResult:
    summary: RunSummary
    out_dir: Path | None


class Simulation:
    """A running scenario.

    Parameters
    ----------
    scenario : Scenario — validated, SI units
    seed : int, optional — overrides ``scenario.seed``
    policy : Policy, optional — the C2 seat; default the doctrine engine
    sinks : sequence of Sink — recorder, live view …
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        policy: Policy | None = None,
        sinks: Sequence[Sink] = (),
    ):
        self.world: World = build_world(scenario, seed)
        w = self.world
        self.scenario = scenario
        self.seed = w.seed
        self.t = 0.0
        self.dt = scenario.decision_interval
        self.duration = scenario.duration
        self.sinks = list(sinks)
        dem = Dem.from_geotiff(scenario.dem) if scenario.dem else None
        if dem is not None:
            for r in w.radars:  # antenna on the terrain, mast above it
                ground = float(dem.height(np.degrees(r.site.lat), np.degrees(r.site.lon)))
                r.site = LocalFrame(r.site.lat, r.site.lon, ground + r.spec.mast_height)
        self.radars = [
            Radar(r.spec, r.site, r.heading, i, w.radar_rngs[i], w.frame, dem=dem)
            for i, r in enumerate(w.radars)
        ]
        self.tracker = Tracker.from_config(scenario.tracker)
        self.interceptors = Interceptors()
        self.missile_specs = dict(w.presets.missiles)
        self.adjudicator = Adjudicator(w.units, self.missile_specs, rng=w.rngs["kill_assessment"])
        self.fire_control = self.adjudicator.fire_control
        self.quality = TrackQuality()
        self._first_seen: dict[int, F64] = {}  # track id -> ENU position when first seen
        self._warned: set[int] = set()  # interceptors a threat was warned of
        self._evading_until: dict[int, float] = {}  # object -> end of its break
        #: unit name -> indices of its engagement (fire-control) radars
        self._fc_radars: dict[str, list[int]] = {}
        for i, r in enumerate(w.radars):
            if r.spec.role == "engagement":
                self._fc_radars.setdefault(r.unit, []).append(i)
        self.policy: Policy = policy if policy is not None else DoctrinePolicy(self.missile_specs)
        n = len(w.objects)
        self.killed = np.zeros(n, dtype=bool)
        self.ended = np.zeros(n, dtype=bool)
        self.t_first_plot = np.full(n, np.nan)
        self.engaged_truth = np.zeros(n, dtype=bool)
        self.confirmed_seen: set[int] = set()
        self.track_truth: dict[int, int] = {}
        self.n_fired = 0
        self.n_assets_hit = 0
        self.n_leakers = 0
        self.n_friendlies_killed = 0
        self.first_launch_t = math.nan
        self.first_launch_range = math.nan
        self.last_plots = Plots.empty()
        self._tracks = TrackTable.empty()
        self._track_row: dict[int, int] = {}  # track id -> row of self._tracks
        self._picture: AirPicture | None = None
        self._kinematics: tuple[float, F64, F64, F64] | None = None
        self._next_record = 0.0
        self._wall0 = time.perf_counter()
        self.done = False
        self._closed = False
        meta = run_meta(w)
        for s in self.sinks:
            s.open(meta)
        self._record(force=True)

    # ------------------------------------------------------------ truth

    def targets(self, t: float) -> TargetsView:
        o = self.world.objects
        if self._kinematics is None or self._kinematics[0] != t:
            # the step evaluates t0 and t1; t1 is the next step's t0: keep the last one
            self._kinematics = (t, *o.routes.evaluate(t))
        _, pos, vel, acc = self._kinematics
        alive = o.routes.flying(t) & ~self.killed & ~self.ended
        return TargetsView(
            t=t,
            pos=pos,
            vel=vel,
            acc=acc,
            truth_id=np.arange(len(o), dtype=np.int64),
            alive=alive,
            rcs_index=o.rcs_index,
            rcs_specs=o.rcs_specs,
            is_friendly=~o.hostile,
            iff_mode=o.iff_mode,
            kind=o.preset,
        )

    # ------------------------------------------------------------ events

    def emit(
        self, kind: EventKind, t: float | None = None, pos: F64 | None = None, **kw: object
    ) -> None:
        """Send an event to every sink (at ``t``, default now; located at ``pos`` ECEF)."""
        if pos is not None:
            lat, lon, h = ecef_to_geodetic(np.asarray(pos, float))
            kw.update(
                lat_deg=float(np.degrees(lat)), lon_deg=float(np.degrees(lon)), alt_m=float(h)
            )
        ev = Event(t=self.t if t is None else float(t), kind=kind, **kw)  # type: ignore[arg-type]
        for s in self.sinks:
            s.event(ev)

    # ------------------------------------------------------------ picture

    def picture(self) -> AirPicture:
        """The air picture at the current time (tracker output and own units, never
        truth)."""
        if self._picture is not None and self._picture.t == self.t:
            return self._picture
        tt = self._tracks
        keep = tt.status != TrackTable.TENTATIVE
        ids = tt.track_id[keep]
        x = tt.x[keep]
        frame = self.world.frame
        m = len(ids)
        pos = frame.to_ecef(x[:, :3]) if m else np.zeros((0, 3))
        vel = frame.vec_to_ecef(x[:, 3:]) if m else np.zeros((0, 3))
        c2 = self.adjudicator.track_state(ids, self.t)
        kinds = classify(pos, vel)
        sigma = position_sigma(tt.P[keep]) if m else np.zeros(0)
        alt = ecef_to_geodetic(pos)[2] if m else np.zeros(0)
        q_ok, q_why = self.quality.assess(
            self.t, ids, np.atleast_1d(alt), vel, sigma, tt.n_updates[keep], tt.t_update[keep]
        )
        # asset spheres grow by 5 % of the range: a ~3° heading uncertainty on a
        # manoeuvring or noisy track still counts as inbound
        value, tta = score(pos, vel, c2.identity, self.world.assets, kinds, THREAT_TOLERANCE)
        for k, tid in enumerate(ids):
            self._first_seen.setdefault(int(tid), x[k, :3].copy())
        first = np.array([self._first_seen[int(t)] for t in ids]).reshape(m, 3)
        evidence = identification.gather(
            x[:, :3],
            x[:, 3:],
            np.atleast_1d(alt),
            kinds,
            np.asarray(tta, dtype=float),
            first,
            self.world.corridors,
            self.world.hostile_areas,
            self._flight_plans(),
        )
        pic = AirPicture(
            t=self.t,
            track_id=ids,
            pos=pos,
            vel=vel,
            pos_enu=x[:, :3],
            vel_enu=x[:, 3:],
            pos_sigma=sigma,
            status=tt.status[keep],
            t_update=tt.t_update[keep],
            n_updates=tt.n_updates[keep],
            kind=kinds,
            quality_ok=q_ok,
            quality=q_why,
            identity=c2.identity,
            evidence=evidence,
            iff_reply=c2.iff_reply,
            iff_interrogated=c2.n_interrogations > 0,
            n_interrogations=c2.n_interrogations,
            threat_score=np.asarray(value, dtype=float),
            threat_rank=rank(value),
            time_to_asset=np.asarray(tta, dtype=float),
            salvos=c2.salvos,
            salvos_since_look=c2.salvos_since_look,
            kill_status=c2.kill_status,
            kill_ended_at=c2.kill_ended_at,
            cancelled_at=c2.cancelled_at,
            units=[u.snapshot() for u in self.world.units],
            engagements=list(self.fire_control.engagements()),
            assets=self.world.assets,
        )
        self._picture = pic
        return pic

    def _flight_plans(self) -> FlightPlans:
        """Filed flight plans under way now, in the scenario ENU frame."""
        w = self.world
        idx = w.plan_objects
        if idx.size == 0:
            return FlightPlans.none()
        tv = self.targets(self.t)
        idx = idx[w.objects.routes.flying(self.t)[idx]]
        f = w.frame
        return FlightPlans(
            np.array([w.objects.name[i] for i in idx], dtype=object),
            f.to_enu(tv.pos[idx]).reshape(-1, 3),
            f.vec_to_enu(tv.vel[idx]).reshape(-1, 3),
        )

    # ------------------------------------------------------------ commands

    def apply(self, cmd: Command, picture: AirPicture) -> Ruling:
        """Have one command judged by the adjudicator and carry out its ruling."""
        ruling = self.adjudicator.rule(cmd, picture)
        tid = -1 if isinstance(cmd, SetWeapons) else int(cmd.track_id)
        unit = (cmd.unit or "") if isinstance(cmd, Engage | SetWeapons) else ""
        if ruling.roe_violation:
            self.emit("roe_violation", track_id=tid, unit=unit, reason=ruling.roe_violation)
        if not ruling.accepted:
            self.emit("command_refused", track_id=tid, unit=unit, reason=ruling.reason)
            return ruling
        if isinstance(cmd, Interrogate):
            self._interrogate(ruling.interrogate, picture)
        elif isinstance(cmd, Engage):
            o = ruling.launches[0]
            self.emit(
                "command",
                track_id=tid,
                unit=o.unit,
                missile=o.missile,
                t_flight_s=float(o.t_flight),
                detail=f"{ruling.text}, due at T+{o.t_launch:.0f} s",
            )
        elif isinstance(cmd, Declare):
            self.emit("declared", track_id=tid, identity=cmd.identity, reason=cmd.reason)
        else:
            if ruling.destroy:
                self.interceptors.destroy(list(ruling.destroy))
            self.emit("command", track_id=tid, unit=unit, detail=ruling.text)
        self._picture = None
        return ruling

    def _interrogate(self, track_id: int, picture: AirPicture) -> None:
        truth = self.track_truth.get(track_id, -1)
        o = self.world.objects
        reply = False
        if truth >= 0:
            reply = bool(
                interrogate(o.iff_mode[[truth]], ~o.hostile[[truth]], self.world.rngs["iff"])[0]
            )
        self.adjudicator.note_iff(track_id, reply)
        k = picture.index_of(track_id)
        if k is not None and reply:
            picture.iff_reply[k] = True
        self.emit(
            "iff_reply", track_id=track_id, truth_id=truth, identity="friendly" if reply else ""
        )

    def _track_ages(self, track_ids: np.ndarray, unit: str) -> tuple[F64, F64]:
        """(K,) s since the unit's engagement radars, and since any sensor, last updated
        each track (inf when never, or when the track is gone)."""
        tt = self._tracks
        rows = np.array([self._track_row.get(int(t), -1) for t in track_ids], dtype=np.int64)
        fc_age = np.full(rows.size, np.inf)
        any_age = np.full(rows.size, np.inf)
        ok = rows >= 0
        if ok.any():
            last_fc = tt.last_update_by(self._fc_radars.get(unit, []))[rows[ok]]
            fc_age[ok] = np.where(np.isnan(last_fc), np.inf, self.t - last_fc)
            any_age[ok] = self.t - tt.t_update[rows[ok]]
        return fc_age, any_age

    def _launch_due(self, picture: AirPicture) -> None:
        """Launch every round that is due and has the track its guidance needs; cancel
        an engagement whose target the engagement radar never acquired."""
        fc = self.fire_control
        for order in fc.due(self.t):
            if not fc.is_pending(order):
                continue  # cancelled with an earlier round of its salvo
            spec = self.missile_specs[order.missile]
            fc_age, any_age = self._track_ages(np.array([order.track_id]), order.unit)
            state, why = launch_readiness(
                spec, float(fc_age[0]), float(any_age[0]), self.t - order.t_launch
            )
            idx = picture.index_of(int(order.track_id))
            if state == "launch" and idx is None:
                state, why = "cancel", "the track left the picture"
            if state == "launch":
                assert idx is not None
                unit = next(u for u in self.world.units if u.name == order.unit)
                lp = unit.launchers[order.launcher_index].pos
                ok, tf, pip = envelope.predicted_intercept(
                    spec,
                    lp,
                    picture.pos[idx][None],
                    picture.vel[idx][None],
                    np.array([picture.kind[idx] == "ballistic_missile"]),
                )
                if bool(ok[0]) and 0.0 < float(tf[0]) < np.inf:
                    self._launch(order, pip[0], picture.vel[idx], float(tf[0]), picture)
                    continue
                state, why = "cancel", "the target left the envelope before launch"
            if state == "cancel":
                n = fc.cancel(order)
                self.emit(
                    "engagement_cancelled",
                    track_id=int(order.track_id),
                    unit=order.unit,
                    missile=order.missile,
                    reason=why,
                    detail=f"{n} round(s) back on the launchers",
                )

    def _launch(
        self, order: LaunchOrder, aim_pos: F64, aim_vel: F64, t_flight: float, picture: AirPicture
    ) -> None:
        o = self.world.objects
        spec = self.missile_specs[order.missile]
        unit = next(u for u in self.world.units if u.name == order.unit)
        launcher = unit.launchers[order.launcher_index]
        truth = self.track_truth.get(int(order.track_id), -1)
        iid = self.interceptors.launch(
            self.t,
            spec,
            launcher.pos,
            np.asarray(aim_pos, float),
            np.asarray(aim_vel, float),
            int(order.track_id),
            int(truth),
            order.unit,
        )
        self.fire_control.register_launch(order, iid)
        self.n_fired += 1
        idx = picture.index_of(int(order.track_id))
        rng = (
            float(np.linalg.norm(picture.pos[idx] - launcher.pos)) if idx is not None else math.nan
        )
        if math.isnan(self.first_launch_t):
            self.first_launch_t, self.first_launch_range = self.t, rng
        if truth >= 0 and not o.hostile[truth] and not self.engaged_truth[truth]:
            self.emit(
                "friendly_engaged",
                track_id=int(order.track_id),
                truth_id=truth,
                unit=order.unit,
                interceptor_id=iid,
            )
        if truth >= 0:
            self.engaged_truth[truth] = True
        self.emit(
            "launch",
            pos=launcher.pos,
            unit=order.unit,
            track_id=int(order.track_id),
            truth_id=truth,
            interceptor_id=iid,
            missile=order.missile,
            range_m=rng,
            t_flight_s=t_flight,
        )

    def _guidance_support(self, snap: dict[str, np.ndarray]) -> np.ndarray:
        """(K,) bool per interceptor in flight: its guidance has the track it needs now
        (its unit's engagement-radar track of the target, or any track for an
        active-seeker round that may fly on remote data)."""
        k = len(snap["id"])
        out = np.zeros(k, bool)
        for unit in set(snap["unit"].tolist()):
            sel = np.flatnonzero(snap["unit"] == unit)
            fc_age, any_age = self._track_ages(snap["track_id"][sel], str(unit))
            for j, i in enumerate(sel):
                spec = self.missile_specs[str(snap["missile"][i])]
                age = fc_age[j] if needs_fire_control_track(spec) else any_age[j]
                out[i] = age <= FC_TRACK_HOLD
        return out

    # ------------------------------------------------------------ the step

    def step(self) -> None:
        """Advance one decision interval."""
        if self.done:
            return
        t0 = self.t
        t1 = min(t0 + self.dt, self.duration)
        truth = self.targets(t0)
        # 2. sensors
        cues = self._cues()
        plots = Plots.concat(
            [r.observe(t0, t1, truth, self.world.jammers, cues) for r in self.radars]
        )
        plots = plots.sorted_by_time() if len(plots) else plots
        self.last_plots = plots
        self._note_detections(plots)
        # 3. tracker
        self.tracker.step(t1, plots)
        self._tracks = self.tracker.tracks()
        self._track_row = {int(t): i for i, t in enumerate(self._tracks.track_id)}
        self.t = t1
        self._picture = None
        truth1 = self.targets(t1)
        self._match_tracks(truth1)
        self._note_confirmations()
        # 4. C2 seat
        for unit, i in self.fire_control.advance(t1):
            ln = next(u for u in self.world.units if u.name == unit).launchers[i]
            load = ", ".join(f"{n} {m}" for m, n in ln.missiles.items() if n)
            self.emit("reloaded", unit=unit, detail=f"{ln.name}: {load}")
        picture = self.picture()
        for cmd in self.policy.decide(picture):
            self.apply(cmd, picture)
        self._launch_due(picture)
        # 5. interceptors (threats warned of one evade first; each round told whether its
        # guidance still has the track it needs)
        snap = self.interceptors.snapshot()
        self._warn_threats(snap)
        self._uplink(snap)
        if len(snap["id"]):
            self.interceptors.set_support(snap["id"], self._guidance_support(snap), t0)
        target_of = {int(i): int(g) for i, g in zip(snap["id"], snap["target_id"], strict=True)}
        events = self.interceptors.advance(t0, t1, truth, self.world.rngs["interceptors"])
        for ev in events:
            self._fuze(ev)
        ended = sorted(set(target_of) - {int(i) for i in self.interceptors.alive_ids()})
        if ended:
            # the engagement radar sees whether each interceptor's target is gone
            seen_killed = [target_of[i] >= 0 and bool(self.killed[target_of[i]]) for i in ended]
            self.fire_control.release(ended, killed=seen_killed, t=t1)
        self._picture = None
        # 6. leakers
        self._leaks(t1)
        # 7. record
        self._record()
        if t1 >= self.duration - 1e-9 or self._all_over(t1):
            self.done = True
            self._close()

    def _warn_threats(self, snap: dict[str, np.ndarray]) -> None:
        """A threat with an evasion preset that an interceptor homing on it approaches
        within its warning range breaks away (:mod:`airdefsim.physics.manoeuvre`); once
        per interceptor, never while a break is under way."""
        if not len(snap["id"]):
            return
        o = self.world.objects
        tv = self.targets(self.t)
        for iid, tgt, mpos in zip(snap["id"], snap["target_id"], snap["pos"], strict=True):
            obj = int(tgt)
            if obj < 0 or not tv.alive[obj] or int(iid) in self._warned:
                continue
            spec = self.world.presets.threats[str(o.preset[obj])]
            if spec.evasion is None or self.t < self._evading_until.get(obj, -math.inf):
                continue
            if float(np.linalg.norm(tv.pos[obj] - mpos)) > spec.evasion.warning_range:
                continue
            self._warned.add(int(iid))
            turn = plan_evasion(self.t, tv.pos[obj], tv.vel[obj], mpos, spec.evasion, spec.max_g)
            try:
                o.routes.break_turn(obj, turn)
            except ValueError:
                continue  # on a leg that cannot turn (a terminal profile): no evasion
            self._evading_until[obj] = turn.t + turn.hold
            self._kinematics = None  # the route changed from turn.t on

    def _all_over(self, t: float) -> bool:
        o = self.world.objects
        if len(o) == 0:
            return False
        over = self.killed | self.ended | (t >= o.routes.end)
        return bool(over.all()) and len(self.interceptors.alive_ids()) == 0

    def _cues(self) -> F64 | None:
        engaged = {e.track_id for e in self.fire_control.engagements()}
        if not engaged or not len(self._tracks):
            return None
        mask = np.isin(self._tracks.track_id, list(engaged))
        if not mask.any():
            return None
        return self.world.frame.to_ecef(self._tracks.x[mask, :3])

    def _note_detections(self, plots: Plots) -> None:
        if not len(plots):
            return
        ids = plots.truth_id[plots.truth_id >= 0]
        new = np.unique(ids[np.isnan(self.t_first_plot[ids])])
        for i in new:
            first = float(plots.t[plots.truth_id == i].min())
            self.t_first_plot[i] = first
            self.emit("detected", t=first, truth_id=int(i), detail=self.world.objects.name[int(i)])

    def _match_tracks(self, truth: TargetsView) -> None:
        tt = self._tracks
        if not len(tt):
            self.track_truth = {}
            return
        alive = np.flatnonzero(truth.alive)
        pos_enu = self.world.frame.to_enu(truth.pos[alive])
        matched = match_tracks(pos_enu, alive.astype(np.int64), tt.x[:, :3], MATCH_DISTANCE)
        self.track_truth = {int(k): int(v) for k, v in zip(tt.track_id, matched, strict=True)}

    def _note_confirmations(self) -> None:
        tt = self._tracks
        for tid, st in zip(tt.track_id, tt.status, strict=True):
            if st != TrackTable.TENTATIVE and int(tid) not in self.confirmed_seen:
                self.confirmed_seen.add(int(tid))
                self.emit(
                    "track_confirmed",
                    track_id=int(tid),
                    truth_id=self.track_truth.get(int(tid), -1),
                )

    def _uplink(self, snap: dict[str, np.ndarray]) -> None:
        """Mid-course uplink: each interceptor gets its track's current estimate."""
        if not len(snap["id"]) or not len(self._tracks):
            return
        ids, pos, vel = [], [], []
        for iid, tid in zip(snap["id"], snap["track_id"], strict=True):
            j = self._track_row.get(int(tid))
            if j is not None:
                ids.append(int(iid))
                pos.append(self._tracks.x[j, :3])
                vel.append(self._tracks.x[j, 3:])
        if ids:
            f = self.world.frame
            self.interceptors.update_estimates(
                np.array(ids), f.to_ecef(np.array(pos)), f.vec_to_ecef(np.array(vel))
            )

    def _fuze(self, ev: FuzeEvent) -> None:
        o = self.world.objects
        truth = int(ev.target_truth_id)
        icpt = self.interceptors
        iid = int(ev.interceptor_id)
        common = {
            "t": float(ev.t),
            "pos": np.asarray(ev.pos, float),
            "truth_id": truth,
            "interceptor_id": iid,
            "track_id": int(icpt.track_id[iid]),
            "unit": str(icpt.unit[iid]),
            "missile": str(icpt.missile[iid]),
            "miss_m": float(ev.miss_distance),
        }
        if ev.killed and truth >= 0 and not self.killed[truth] and not self.ended[truth]:
            self.killed[truth] = True
            if not o.hostile[truth]:
                self.n_friendlies_killed += 1
            self.emit("kill", **common)  # type: ignore[arg-type]
            return
        reason = str(ev.reason)
        gone = truth >= 0 and (bool(self.killed[truth]) or bool(self.ended[truth]))
        if reason in ("fuze", "miss") and not gone:
            self.emit("miss", reason=reason, **common)  # type: ignore[arg-type]
        else:
            # no target left to miss: already destroyed, a false track, out of energy,
            # time of flight or altitude — the interceptor destroys itself
            if gone:
                why = "target already destroyed" if self.killed[truth] else "target gone"
            else:
                why = reason.replace("_", " ")
            self.emit("self_destruct", reason=why, **common)  # type: ignore[arg-type]

    def _leaks(self, t: float) -> None:
        o = self.world.objects
        arrived = (~self.killed) & (~self.ended) & (o.routes.end <= t)
        for i in np.flatnonzero(arrived):
            self.ended[i] = True
            if not o.hostile[i]:
                continue
            self.n_leakers += 1
            t_end = float(o.routes.end[i])
            pos = o.routes.position(t_end)[i]
            self.emit("leak", t=t_end, pos=pos, truth_id=int(i))
            a = int(o.target_asset[i])
            if a >= 0:
                asset = self.world.assets[a]
                if np.linalg.norm(pos - asset.pos) <= asset.radius + o.warhead_radius[i]:
                    self.n_assets_hit += 1
                    self.emit("asset_hit", t=t_end, pos=pos, truth_id=int(i), detail=asset.name)

    # ------------------------------------------------------------ recording

    def _rows(self, table: TableName, cols: Columns) -> None:
        for s in self.sinks:
            s.rows(table, cols)

    def _record(self, force: bool = False) -> None:
        if not self.sinks:
            return
        w = self.world
        if len(self.last_plots):
            self._rows("detections", detection_rows(w, self.last_plots))
        if not force and self.t + 1e-9 < self._next_record and not self.done:
            return
        self._next_record = self.t + self.scenario.record_interval
        o = w.objects
        tv = self.targets(self.t)
        started = o.routes.start <= self.t
        show = started & ~(self.ended & (o.routes.end < self.t - self.scenario.record_interval))
        self._rows("truth", truth_rows(w, tv, np.flatnonzero(show)))
        tt = self._tracks
        keep = tt.status != TrackTable.TENTATIVE  # the picture; tentative ones stay inside
        if keep.any():
            tt = tt.select(keep)
            ident = self.adjudicator.identities(tt.track_id)
            self._rows("tracks", track_rows(w.frame, self.t, tt, ident, self.track_truth))
        snap = self.interceptors.snapshot()
        if len(snap["id"]):
            support = self._guidance_support(snap)
            self._rows("interceptors", interceptor_rows(self.t, snap, support))

    # ------------------------------------------------------------ end

    def summary(self) -> RunSummary:
        o = self.world.objects
        hostile = o.hostile
        kills = int((self.killed & hostile).sum())
        det = self.t_first_plot[hostile]
        first_det = float(np.nanmin(det)) if np.isfinite(det).any() else math.nan
        fired = self.n_fired
        return RunSummary(
            scenario=self.scenario.name,
            seed=self.seed,
            threats=int(hostile.sum()),
            threats_killed=kills,
            leakers=self.n_leakers,
            threats_remaining=int((hostile & ~self.killed & ~self.ended).sum()),
            assets_hit=self.n_assets_hit,
            interceptors_fired=fired,
            interceptors_per_kill=(fired / kills) if kills else math.nan,
            friendlies=int((~hostile).sum()),
            friendlies_engaged=int((self.engaged_truth & ~hostile).sum()),
            friendlies_killed=self.n_friendlies_killed,
            roe_violations=self.adjudicator.roe_violations,
            first_detection_s=first_det,
            first_launch_s=self.first_launch_t,
            first_engagement_range_m=self.first_launch_range,
            detection_to_launch_s=self.first_launch_t - first_det,
            tracks_confirmed=len(self.confirmed_seen),
            sim_seconds=self.t,
            wall_seconds=time.perf_counter() - self._wall0,
        )

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        summary = self.summary()
        self.emit("end")
        for s in self.sinks:
            s.close(summary)

    def run(
        self,
        progress: Callable[[float], None] | None = None,
        clock: Clock | None = None,
    ) -> RunSummary:
        """Run to the end (or until every object is done); return the summary.

        ``clock``: when each step is due (default as fast as possible; a
        :class:`~airdefsim.sim.clock.WallClock` paces the run to the wall clock).
        """
        clock = clock or AsFastAsPossible()
        while not self.done:
            wait = clock.wait(self.t + self.dt)
            if wait > 0:
                time.sleep(min(wait, 0.25))
                continue
            self.step()
            if progress is not None:
                progress(self.t)
        return self.summary()


def run_scenario(
    scenario: Scenario,
    seed: int | None = None,
    out_dir: str | Path | None = None,
    progress: Callable[[float], None] | None = None,
    sinks: Sequence[Sink] = (),
    policy: Policy | None = None,
) -> RunResult:
    """Run a scenario to the end. With ``out_dir``, record it (Parquet + run.json)."""
    all_sinks = list(sinks)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        all_sinks.insert(0, Recorder(out))
    sim = Simulation(scenario, seed=seed, policy=policy, sinks=all_sinks)
    summary = sim.run(progress)
    if out is not None:
        (out / "summary.json").write_text(dumps(summary.to_dict()) + "\n", encoding="utf-8")
    return RunResult(summary=summary, out_dir=out)
