"""The simulation loop: one engine for the CLI, Monte Carlo and the live console.

Each step of ``decision_interval`` seconds (default 1 s), for [t0, t1):

1. threats move — closed-form routes evaluated at t0 for all objects at once;
2. every radar reports the looks that fall in [t0, t1) (plots: detections and false
   alarms, each with its own time);
3. the tracker associates, updates, initiates and deletes (all radars fused);
4. the C2 seat (a policy: the doctrine engine or a trainee) sees the air picture —
   the tracker's tracks with identities, never truth — and returns commands, which go
   through the fire control's checks (the same for every policy);
5. interceptors fly [t0, t1] (coarse steps far out, fine in the endgame), fuze and kill;
6. threats that reached the end of their route leak (and hit an asset they aimed at);
7. rows and events go to the sinks (recorder, live stream).

Truth goes to the sinks and the scoring only. Determinism: each component draws from
its own random stream (:mod:`airdefsim.sim.world`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

import airdefsim
from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic
from airdefsim.scenario.schema import Scenario
from airdefsim.sim.sinks import Sink
from airdefsim.sim.world import World, build_world
from airdefsim.types import (
    AirPicture,
    CeaseFire,
    Command,
    Declare,
    Engage,
    Interrogate,
    Plots,
    SetWeapons,
    TargetsView,
    TrackTable,
)

F64 = NDArray[np.float64]
MATCH_DISTANCE = 5000.0  # m; a track farther than this from every truth is a false track
THREAT_TOLERANCE = 0.05  # fraction of a track's range added to each asset's radius


class Policy(Protocol):
    """The C2 seat: given the air picture, return commands."""

    def decide(self, picture: AirPicture) -> list[Command]: ...


@dataclass
class RunResult:
    summary: dict[str, Any]
    out_dir: Path | None


def _match(
    truth_pos: F64, truth_ids: NDArray[np.int64], track_pos: F64, c: float
) -> NDArray[np.int64]:
    from airdefsim.tracking.metrics import match_tracks

    return np.asarray(match_tracks(truth_pos, truth_ids, track_pos, c), dtype=np.int64)


class Simulation:
    """A running scenario.

    Parameters
    ----------
    scenario : Scenario — validated, SI units
    seed : int, optional — overrides ``scenario.seed``
    policy : Policy, optional — the C2 seat; default the doctrine engine
    sinks : sequence of Sink — recorder, live stream …
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        policy: Policy | None = None,
        sinks: Sequence[Sink] = (),
    ):
        from airdefsim.engagement.fire_control import FireControl
        from airdefsim.physics.flyout import Interceptors
        from airdefsim.sensors.radar import Radar
        from airdefsim.tracking import Tracker

        self.world: World = build_world(scenario, seed)
        w = self.world
        self.scenario = scenario
        self.seed = w.seed
        self.t = 0.0
        self.dt = scenario.decision_interval
        self.duration = scenario.duration
        self.sinks = list(sinks)
        dem = None
        if scenario.dem:
            from airdefsim.sensors.terrain import Dem

            dem = Dem.from_geotiff(scenario.dem)
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
        self.fire_control = FireControl(w.units, self.missile_specs)
        if policy is None:
            from airdefsim.engagement.doctrine import DoctrinePolicy

            policy = DoctrinePolicy(w.units, self.missile_specs, self.fire_control)
        self.policy = policy
        n = len(w.objects)
        self.killed = np.zeros(n, dtype=bool)
        self.ended = np.zeros(n, dtype=bool)
        self.t_first_plot = np.full(n, np.nan)
        self.engaged_truth = np.zeros(n, dtype=bool)
        self.identity: dict[int, str] = {}
        self.iff_reply: dict[int, bool] = {}
        self.iff_asked: dict[int, bool] = {}
        self.confirmed_seen: set[int] = set()
        self.track_truth: dict[int, int] = {}
        self.messages: list[dict[str, Any]] = []
        self.counters = {
            "interceptors_fired": 0,
            "assets_hit": 0,
            "leakers": 0,
            "friendlies_killed": 0,
            "kills": 0,
        }
        self.first_launch: dict[str, float] | None = None
        self.last_plots = Plots.empty()
        self._tracks = TrackTable.empty()
        self._picture: AirPicture | None = None
        self._kinematics: tuple[float, F64, F64, F64] | None = None
        self._next_record = 0.0
        self._wall0 = time.perf_counter()
        self.done = False
        self._closed = False
        meta = self.meta()
        for s in self.sinks:
            s.open(meta)
        self._record(force=True)

    # ------------------------------------------------------------ metadata

    def meta(self) -> dict[str, Any]:
        w = self.world
        units = []
        for u in w.units:
            radars = []
            for r in w.radars:
                if r.unit != u.name:
                    continue
                radars.append(
                    {
                        "name": r.name,
                        "role": r.spec.role,
                        "band": r.spec.band,
                        "lat_deg": math.degrees(r.site.lat),
                        "lon_deg": math.degrees(r.site.lon),
                        "alt_m": r.site.h,
                        "instrumented_range_m": r.spec.instrumented_range,
                        "detection_range_m": r.spec.calibration.range,
                        "calibration_rcs_m2": r.spec.calibration.rcs,
                        "heading_deg": math.degrees(r.heading),
                        "sector_width_deg": math.degrees(r.spec.scan.sector_width),
                    }
                )
            launchers = [
                {
                    "name": ln.name,
                    "lat_deg": math.degrees(ln.lat),
                    "lon_deg": math.degrees(ln.lon),
                    "missiles": dict(ln.missiles),
                }
                for ln in u.launchers
            ]
            ranges = {
                m: w.presets.missiles[m].max_range
                for ln in u.launchers
                for m in ln.missiles
                if m in w.presets.missiles
            }
            units.append(
                {
                    "name": u.name,
                    "preset": u.preset,
                    "lat_deg": math.degrees(u.lat),
                    "lon_deg": math.degrees(u.lon),
                    "radars": radars,
                    "launchers": launchers,
                    "missile_max_range_m": ranges,
                    "target_channels": u.target_channels,
                    "missile_channels": u.missile_channels,
                }
            )
        return {
            "scenario": self.scenario.model_dump(mode="json"),
            "scenario_name": self.scenario.name,
            "seed": self.seed,
            "versions": {"airdefsim": airdefsim.__version__, "numpy": np.__version__},
            "epoch": self.scenario.epoch,
            "duration_s": self.duration,
            "origin": {"lat_deg": self.scenario.origin.lat, "lon_deg": self.scenario.origin.lon},
            "units": units,
            "assets": [
                {
                    "name": a["name"],
                    "lat_deg": math.degrees(a["lat"]),
                    "lon_deg": math.degrees(a["lon"]),
                    "value": a["value"],
                    "radius_m": a["radius"],
                }
                for a in w.assets
            ],
            "objects": [
                {
                    "id": i,
                    "name": w.objects.name[i],
                    "preset": str(w.objects.preset[i]),
                    "kind": str(w.objects.kind[i]),
                    "hostile": bool(w.objects.hostile[i]),
                }
                for i in range(len(w.objects))
            ],
        }

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

    def emit(self, kind: str, message: str | None = None, **fields: Any) -> None:
        ev = {"t": self.t, "kind": kind, **fields}
        for s in self.sinks:
            s.event(ev)
        if message:
            self.messages.append({"t": round(self.t, 1), "kind": kind, "text": message})

    def _geo(self, pos: F64) -> dict[str, float]:
        lat, lon, h = ecef_to_geodetic(pos)
        return {
            "lat_deg": float(np.degrees(lat)),
            "lon_deg": float(np.degrees(lon)),
            "alt_m": float(h),
        }

    # ------------------------------------------------------------ picture

    def picture(self) -> AirPicture:
        """The air picture at the current time (tracker output, never truth)."""
        if self._picture is not None and self._picture.t == self.t:
            return self._picture
        from airdefsim.engagement.threat import evaluate

        tt = self._tracks
        keep = tt.status != TrackTable.TENTATIVE
        ids = tt.track_id[keep]
        x = tt.x[keep]
        P = tt.P[keep]
        frame = self.world.frame
        pos = frame.to_ecef(x[:, :3]) if len(ids) else np.zeros((0, 3))
        vel = frame.vec_to_ecef(x[:, 3:]) if len(ids) else np.zeros((0, 3))
        sigma = (
            np.sqrt(np.maximum(np.trace(P[:, :3, :3], axis1=1, axis2=2) / 3.0, 0.0))
            if len(ids)
            else np.zeros(0)
        )
        identity = np.array([self.identity.get(int(i), "unknown") for i in ids], dtype=object)
        reply = np.array([self.iff_reply.get(int(i), False) for i in ids], dtype=bool)
        asked = np.array([self.iff_asked.get(int(i), False) for i in ids], dtype=bool)
        # asset spheres grow by 5 % of the range: a ~3° heading uncertainty on a
        # manoeuvring or noisy track still counts as inbound
        rank, tta = evaluate(pos, vel, identity, self.world.assets, tolerance=THREAT_TOLERANCE)
        pic = AirPicture(
            t=self.t,
            track_id=ids,
            pos=pos,
            vel=vel,
            pos_enu=x[:, :3],
            vel_enu=x[:, 3:],
            pos_sigma=sigma,
            identity=identity,
            iff_reply=reply,
            iff_interrogated=asked,
            threat_rank=np.asarray(rank, dtype=np.int64),
            time_to_asset=np.asarray(tta, dtype=float),
            units=self.world.units,
            engagements=list(self.fire_control.engagements()),
            assets=self.world.assets,
        )
        self._picture = pic
        return pic

    # ------------------------------------------------------------ commands

    def apply(self, cmd: Command, picture: AirPicture) -> str | None:
        """Carry out one command; return the reason when it is refused."""
        track_id = getattr(cmd, "track_id", None)
        if track_id is not None and picture.index_of(int(track_id)) is None:
            reason = f"track {track_id} is not in the picture"
            self.emit("command_refused", reason, track_id=int(track_id), detail=reason)
            return reason
        if isinstance(cmd, Interrogate):
            return self._interrogate(int(cmd.track_id), picture)
        if isinstance(cmd, Declare):
            self.identity[int(cmd.track_id)] = cmd.identity
            self.emit(
                "declared",
                f"track {cmd.track_id} declared {cmd.identity}",
                track_id=int(cmd.track_id),
                detail=cmd.identity,
            )
            self._picture = None
            return None
        if isinstance(cmd, SetWeapons):
            for u in self.world.units:
                if cmd.unit is None or u.name == cmd.unit:
                    u.weapons = cmd.state
            self.emit(
                "command",
                f"weapons {cmd.state}",
                unit=cmd.unit or "",
                detail=f"weapons {cmd.state}",
            )
            return None
        if isinstance(cmd, CeaseFire):
            ids = [
                e.interceptor_ids
                for e in self.fire_control.engagements()
                if e.track_id == cmd.track_id
            ]
            flat = [i for group in ids for i in group]
            if flat:
                self.interceptors.destroy(flat)
                self.fire_control.release(flat, t=self.t)
            self.emit(
                "command",
                f"cease fire on track {cmd.track_id}",
                track_id=int(cmd.track_id),
                detail="cease fire",
            )
            return None
        if isinstance(cmd, Engage):
            return self._engage(cmd, picture)
        reason = f"unknown command {type(cmd).__name__}"
        self.emit("command_refused", reason, detail=reason)
        return reason

    def _interrogate(self, track_id: int, picture: AirPicture) -> str | None:
        from airdefsim.sensors.iff import interrogate

        truth = self.track_truth.get(track_id, -1)
        o = self.world.objects
        reply = False
        if truth >= 0:
            reply = bool(
                interrogate(o.iff_mode[[truth]], ~o.hostile[[truth]], self.world.rngs["iff"])[0]
            )
        self.iff_asked[track_id] = True
        self.iff_reply[track_id] = reply or self.iff_reply.get(track_id, False)
        text = f"IFF track {track_id}: {'reply — friend' if reply else 'no reply'}"
        self.emit(
            "iff_reply",
            text,
            track_id=track_id,
            truth_id=truth,
            detail="reply" if reply else "no reply",
        )
        self._picture = None
        return None

    def _engage(self, cmd: Engage, picture: AirPicture) -> str | None:
        result = self.fire_control.execute(cmd, picture)
        if isinstance(result, str):
            self.emit(
                "command_refused",
                f"engage track {cmd.track_id} refused: {result}",
                track_id=int(cmd.track_id),
                detail=result,
            )
            return result
        o = self.world.objects
        for order in result:
            spec = self.missile_specs[order.missile]
            unit = next(u for u in self.world.units if u.name == order.unit)
            launcher = unit.launchers[order.launcher_index]
            truth = self.track_truth.get(int(order.track_id), -1)
            iid = self.interceptors.launch(
                self.t,
                spec,
                launcher.pos,
                np.asarray(order.aim_pos, float),
                np.asarray(order.aim_vel, float),
                int(order.track_id),
                int(truth),
                order.unit,
            )
            self.fire_control.register_launch(order, iid)
            self.counters["interceptors_fired"] += 1
            idx = picture.index_of(int(order.track_id))
            rng = (
                float(np.linalg.norm(picture.pos[idx] - launcher.pos))
                if idx is not None
                else float("nan")
            )
            if self.first_launch is None:
                self.first_launch = {"t": self.t, "range": rng}
            if truth >= 0 and not o.hostile[truth] and not self.engaged_truth[truth]:
                self.emit(
                    "friendly_engaged",
                    f"FRIENDLY {o.name[truth]} ENGAGED (track {order.track_id})",
                    track_id=int(order.track_id),
                    truth_id=truth,
                    unit=order.unit,
                    interceptor_id=iid,
                )
            if truth >= 0:
                self.engaged_truth[truth] = True
            self.emit(
                "launch",
                f"{order.unit}: {order.missile} launched at track {order.track_id} ({rng / 1000:.0f} km)",
                unit=order.unit,
                track_id=int(order.track_id),
                truth_id=truth,
                interceptor_id=iid,
                missile=order.missile,
                detail={"range_m": rng, "t_flight_s": float(order.t_flight)},
                **self._geo(launcher.pos),
            )
        return None

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
        self.t = t1
        self._picture = None
        truth1 = self.targets(t1)
        self._match_tracks(truth1)
        self._note_confirmations()
        # 4. C2 seat
        picture = self.picture()
        for cmd in self.policy.decide(picture):
            self.apply(cmd, picture)
        # 5. interceptors
        self._uplink()
        snap = self.interceptors.snapshot()
        target_of = {
            int(i): int(g)
            for i, g in zip(snap.get("id", []), snap.get("target_id", []), strict=True)
        }
        self.t = t0
        events = self.interceptors.advance(t0, t1, truth, self.world.rngs["interceptors"])
        self.t = t1
        for ev in events:
            self._fuze(ev)
        ended = sorted(set(target_of) - {int(i) for i in self.interceptors.alive_ids()})
        if ended:
            # the engagement radar sees whether each interceptor's target is gone
            seen_killed = [target_of[i] >= 0 and bool(self.killed[target_of[i]]) for i in ended]
            self.fire_control.release(ended, killed=seen_killed, t=t1)
        # 6. leakers
        self._leaks(t1)
        # 7. record
        self._record()
        if t1 >= self.duration - 1e-9 or self._all_over(t1):
            self.done = True
            self._close()

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
            first = plots.t[plots.truth_id == i].min()
            self.t_first_plot[i] = first
            self.emit("detected", truth_id=int(i), detail=self.world.objects.name[int(i)])

    def _match_tracks(self, truth: TargetsView) -> None:
        tt = self._tracks
        if not len(tt):
            self.track_truth = {}
            return
        alive = np.flatnonzero(truth.alive)
        pos_enu = self.world.frame.to_enu(truth.pos[alive])
        matched = _match(pos_enu, alive.astype(np.int64), tt.x[:, :3], MATCH_DISTANCE)
        self.track_truth = {int(k): int(v) for k, v in zip(tt.track_id, matched, strict=True)}

    def _note_confirmations(self) -> None:
        tt = self._tracks
        for tid, st in zip(tt.track_id, tt.status, strict=True):
            if st != TrackTable.TENTATIVE and int(tid) not in self.confirmed_seen:
                self.confirmed_seen.add(int(tid))
                self.emit(
                    "track_confirmed",
                    f"new track {int(tid)}",
                    track_id=int(tid),
                    truth_id=self.track_truth.get(int(tid), -1),
                )

    def _uplink(self) -> None:
        snap = self.interceptors.snapshot()
        if not len(snap.get("id", [])) or not len(self._tracks):
            return
        index = {int(t): i for i, t in enumerate(self._tracks.track_id)}
        ids, pos, vel = [], [], []
        for iid, tid in zip(snap["id"], snap["track_id"], strict=True):
            j = index.get(int(tid))
            if j is not None:
                ids.append(int(iid))
                pos.append(self._tracks.x[j, :3])
                vel.append(self._tracks.x[j, 3:])
        if ids:
            f = self.world.frame
            self.interceptors.update_estimates(
                np.array(ids), f.to_ecef(np.array(pos)), f.vec_to_ecef(np.array(vel))
            )

    def _fuze(self, ev: Any) -> None:
        o = self.world.objects
        truth = int(ev.target_truth_id)
        geo = self._geo(np.asarray(ev.pos, float))
        if ev.killed and truth >= 0 and not self.killed[truth] and not self.ended[truth]:
            self.killed[truth] = True
            self.counters["kills"] += 1
            if not o.hostile[truth]:
                self.counters["friendlies_killed"] += 1
            self.emit(
                "kill",
                f"{o.name[truth]} destroyed (miss {ev.miss_distance:.1f} m)",
                truth_id=truth,
                interceptor_id=int(ev.interceptor_id),
                detail={"miss_m": float(ev.miss_distance)},
                **geo,
            )
        else:
            reason = str(getattr(ev, "reason", "fuze"))
            gone = truth >= 0 and (bool(self.killed[truth]) or bool(self.ended[truth]))
            if reason in ("fuze", "miss") and not gone:
                self.emit(
                    "miss",
                    f"interceptor {ev.interceptor_id} missed ({ev.miss_distance:.0f} m)",
                    truth_id=truth,
                    interceptor_id=int(ev.interceptor_id),
                    detail={"miss_m": float(ev.miss_distance), "reason": reason},
                    **geo,
                )
            else:
                # no target left to miss: already destroyed, a false track, out of energy,
                # time of flight or altitude — the interceptor destroys itself
                why = "target already destroyed" if gone else reason.replace("_", " ")
                self.emit(
                    "self_destruct",
                    f"interceptor {ev.interceptor_id} self-destructed ({why})",
                    truth_id=truth,
                    interceptor_id=int(ev.interceptor_id),
                    detail={"miss_m": float(ev.miss_distance), "reason": why},
                    **geo,
                )

    def _leaks(self, t: float) -> None:
        o = self.world.objects
        arrived = (~self.killed) & (~self.ended) & (o.routes.end <= t)
        for i in np.flatnonzero(arrived):
            self.ended[i] = True
            if not o.hostile[i]:
                continue
            self.counters["leakers"] += 1
            pos = o.routes.position(float(o.routes.end[i]))[i]
            self.emit(
                "leak", f"LEAKER: {o.name[i]} reached its target", truth_id=int(i), **self._geo(pos)
            )
            a = int(o.target_asset[i])
            if a >= 0:
                asset = self.world.assets[a]
                if np.linalg.norm(pos - asset["pos"]) <= asset["radius"] + o.warhead_radius[i]:
                    self.counters["assets_hit"] += 1
                    self.emit(
                        "asset_hit",
                        f"ASSET HIT: {asset['name']} by {o.name[i]}",
                        truth_id=int(i),
                        detail=asset["name"],
                        **self._geo(pos),
                    )

    # ------------------------------------------------------------ recording

    def _record(self, force: bool = False) -> None:
        if not self.sinks:
            return
        if len(self.last_plots):
            self._rows_detections(self.last_plots)
        if not force and self.t + 1e-9 < self._next_record and not self.done:
            return
        self._next_record = self.t + self.scenario.record_interval
        o = self.world.objects
        tv = self.targets(self.t)
        started = o.routes.start <= self.t
        show = started & ~(self.ended & (o.routes.end < self.t - self.scenario.record_interval))
        idx = np.flatnonzero(show)
        lat, lon, h = ecef_to_geodetic(tv.pos[idx])
        self._emit_rows(
            "truth",
            {
                "t": np.full(idx.size, self.t),
                "id": idx,
                "name": [o.name[i] for i in idx],
                "kind": o.kind[idx].astype(str),
                "preset": o.preset[idx].astype(str),
                "hostile": o.hostile[idx],
                "lat_deg": np.degrees(lat),
                "lon_deg": np.degrees(lon),
                "alt_m": h,
                "x": tv.pos[idx, 0],
                "y": tv.pos[idx, 1],
                "z": tv.pos[idx, 2],
                "vx": tv.vel[idx, 0],
                "vy": tv.vel[idx, 1],
                "vz": tv.vel[idx, 2],
                "alive": tv.alive[idx],
            },
        )
        tt = self._tracks
        keep = (
            tt.status != TrackTable.TENTATIVE
        )  # the picture; tentative tracks stay inside the tracker
        tt = TrackTable(
            tt.track_id[keep],
            tt.x[keep],
            tt.P[keep],
            tt.status[keep],
            tt.t_update[keep],
            tt.n_updates[keep],
        )
        if len(tt):
            f = self.world.frame
            lat, lon, h = ecef_to_geodetic(f.to_ecef(tt.x[:, :3]))
            status = np.array(["tentative", "confirmed", "coasting"], dtype=object)[
                tt.status
            ].astype(str)
            sig = np.sqrt(np.maximum(np.trace(tt.P[:, :3, :3], axis1=1, axis2=2) / 3.0, 0.0))
            self._emit_rows(
                "tracks",
                {
                    "t": np.full(len(tt), self.t),
                    "track_id": tt.track_id,
                    "status": status,
                    "identity": [self.identity.get(int(i), "unknown") for i in tt.track_id],
                    "e": tt.x[:, 0],
                    "n": tt.x[:, 1],
                    "u": tt.x[:, 2],
                    "ve": tt.x[:, 3],
                    "vn": tt.x[:, 4],
                    "vu": tt.x[:, 5],
                    "lat_deg": np.degrees(lat),
                    "lon_deg": np.degrees(lon),
                    "alt_m": h,
                    "pos_sigma_m": sig,
                    "truth_id": [self.track_truth.get(int(i), -1) for i in tt.track_id],
                },
            )
        snap = self.interceptors.snapshot()
        k = len(snap.get("id", []))
        if k:
            pos = np.asarray(snap["pos"], float)
            vel = np.asarray(snap["vel"], float)
            lat, lon, h = ecef_to_geodetic(pos)
            self._emit_rows(
                "interceptors",
                {
                    "t": np.full(k, self.t),
                    "id": snap["id"],
                    "missile": snap["missile"],
                    "unit": snap["unit"],
                    "track_id": snap["track_id"],
                    "target_id": snap["target_id"],
                    "lat_deg": np.degrees(lat),
                    "lon_deg": np.degrees(lon),
                    "alt_m": h,
                    "x": pos[:, 0],
                    "y": pos[:, 1],
                    "z": pos[:, 2],
                    "vx": vel[:, 0],
                    "vy": vel[:, 1],
                    "vz": vel[:, 2],
                    "phase": snap["phase"],
                },
            )

    def _rows_detections(self, p: Plots) -> None:
        names = [f"{r.unit}/{r.name}" for r in self.world.radars]
        units = [r.unit for r in self.world.radars]
        self._emit_rows(
            "detections",
            {
                "t": p.t,
                "sensor": [names[i] for i in p.sensor],
                "unit": [units[i] for i in p.sensor],
                "truth_id": p.truth_id,
                "range_m": p.rae[:, 0],
                "az_deg": np.degrees(p.rae[:, 1]),
                "el_deg": np.degrees(p.rae[:, 2]),
                "e": p.pos[:, 0],
                "n": p.pos[:, 1],
                "u": p.pos[:, 2],
                "snr_db": p.snr_db,
                "sigma_m": np.sqrt(np.trace(p.R, axis1=1, axis2=2) / 3.0),
            },
        )

    def _emit_rows(self, table: str, cols: dict[str, Any]) -> None:
        for s in self.sinks:
            s.rows(table, cols)

    # ------------------------------------------------------------ end

    def summary(self) -> dict[str, Any]:
        o = self.world.objects
        hostile = o.hostile
        kills = int((self.killed & hostile).sum())
        first_det = (
            np.nanmin(self.t_first_plot[hostile])
            if hostile.any() and np.isfinite(self.t_first_plot[hostile]).any()
            else math.nan
        )
        fired = self.counters["interceptors_fired"]
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "threats": int(hostile.sum()),
            "threats_killed": kills,
            "leakers": self.counters["leakers"],
            "threats_remaining": int((hostile & ~self.killed & ~self.ended).sum()),
            "interceptors_fired": fired,
            "interceptors_per_kill": (fired / kills) if kills else math.nan,
            "assets_hit": self.counters["assets_hit"],
            "friendlies": int((~hostile).sum()),
            "friendlies_engaged": int((self.engaged_truth & ~hostile).sum()),
            "friendlies_killed": self.counters["friendlies_killed"],
            "first_detection_s": float(first_det),
            "first_launch_s": self.first_launch["t"] if self.first_launch else math.nan,
            "first_engagement_range_m": self.first_launch["range"]
            if self.first_launch
            else math.nan,
            "detection_to_launch_s": (self.first_launch["t"] - first_det)
            if self.first_launch and np.isfinite(first_det)
            else math.nan,
            "tracks_confirmed": len(self.confirmed_seen),
            "sim_seconds": self.t,
            "wall_seconds": time.perf_counter() - self._wall0,
        }

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        summary = self.summary()
        self.emit(
            "end", "exercise over", detail={k: v for k, v in summary.items() if k != "wall_seconds"}
        )
        for s in self.sinks:
            s.close(summary)

    def run(self, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
        """Run to the end (or until every object is done); return the summary."""
        while not self.done:
            self.step()
            if progress is not None:
                progress(self.t)
        return self.summary()

    def frame(self, since_message: int = 0) -> dict[str, Any]:
        """A JSON-ready frame for the live console (tracker picture, not truth)."""
        from airdefsim.sim.frame import build_frame

        return build_frame(self, since_message)


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
        from airdefsim.record import Recorder

        all_sinks.insert(0, Recorder(out))
    sim = Simulation(scenario, seed=seed, policy=policy, sinks=all_sinks)
    summary = sim.run(progress)
    if out is not None:
        from airdefsim.record.recorder import dumps

        (out / "summary.json").write_text(dumps(summary) + "\n", encoding="utf-8")
    return RunResult(summary=summary, out_dir=out)
