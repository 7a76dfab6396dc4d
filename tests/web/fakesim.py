"""A small stand-in for ``airdefsim.sim.Simulation`` with the same interface (tests only).

Objects fly straight (in lat/lon) from the first to the last route point at 250 m/s,
all starting at t = 0 (group ``start`` ignored); every object in the air
is a confirmed track (id = 100 + object index) from t = 2 s; an ``Interrogate`` gets a
reply from friendly aircraft only; an ``Engage`` at a track declared hostile (weapons
tight) launches ``salvo`` interceptors and kills the object 3 s later; anything else is
refused, as the real fire control would. Rows and events go to the sinks like the real
loop's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from airdefsim import types as t
from airdefsim.events import Event
from airdefsim.geo.wgs84 import geodetic_to_ecef
from airdefsim.summary import RunSummary

SPEED = 250.0  # m/s


class FakeSim:
    def __init__(self, scenario: Any, seed: int | None = None, policy: Any = None, sinks=()):
        self.scenario = scenario
        self.seed = seed
        self.policy = policy
        self.sinks = list(sinks)
        self.t = 0.0
        self.dt = float(scenario.decision_interval)
        self.duration = float(scenario.duration)
        self.done = False
        assets = {a.name: (a.lat, a.lon) for a in scenario.defended_assets}
        self.objs: list[dict] = []
        for hostile, groups in ((True, scenario.red), (False, scenario.friendly_air)):
            for g in groups:
                for k in range(g.count):
                    pts = []
                    for wp in (g.route[0], g.route[-1]):
                        lat, lon = assets[wp.at] if wp.at else (wp.lat, wp.lon)
                        pts.append((lat, lon, wp.alt if wp.alt is not None else 9000.0))
                    self.objs.append(
                        {
                            "hostile": hostile,
                            "route": pts,
                            "start": k * g.spacing,
                            "preset": g.preset,
                            "alive": True,
                        }
                    )
        self.identity: dict[int, str] = {}
        self.iff: dict[int, bool] = {}
        self.asked: dict[int, bool] = {}
        self.pending: list[tuple[float, int, int]] = []  # (t_kill, obj, track)
        self.engaged: set[int] = set()
        self.n_fired = 0
        self.kills = 0
        self.friendly_engaged = 0
        self.first_launch: float | None = None
        u = scenario.blue[0]
        self.units = [
            t.UnitState(
                name=u.name or "unit",
                preset=u.preset,
                pos=geodetic_to_ecef(math.radians(u.at.lat), math.radians(u.at.lon), 0.0),
                lat=math.radians(u.at.lat),
                lon=math.radians(u.at.lon),
                launchers=[
                    t.LauncherState(
                        name=f"L{i}",
                        unit=u.name or "unit",
                        pos=np.zeros(3),
                        lat=0.0,
                        lon=0.0,
                        missiles={"48N6E3": 4},
                    )
                    for i in range(4)
                ],
                target_channels=36,
                missile_channels=72,
            )
        ]
        for s in self.sinks:
            s.open({"scenario": scenario.name})

    def _state(self, i: int, tt: float) -> tuple[np.ndarray, np.ndarray, bool]:
        o = self.objs[i]
        (la0, lo0, h0), (la1, lo1, h1) = o["route"]
        p0 = geodetic_to_ecef(math.radians(la0), math.radians(lo0), h0)
        p1 = geodetic_to_ecef(math.radians(la1), math.radians(lo1), h1)
        d = float(np.linalg.norm(p1 - p0))
        u = (p1 - p0) / d
        s = (tt - o["start"]) * SPEED
        flying = 0 <= s <= d and o["alive"]
        return p0 + u * min(max(s, 0.0), d), u * SPEED, flying

    def picture(self) -> t.AirPicture:
        ids, pos, vel = [], [], []
        for i in range(len(self.objs)):
            p, v, flying = self._state(i, self.t)
            if flying and self.t - self.objs[i]["start"] >= 2.0:
                ids.append(100 + i)
                pos.append(p)
                vel.append(v)
        m = len(ids)
        return t.AirPicture(
            t=self.t,
            track_id=np.array(ids, np.int64),
            pos=np.array(pos).reshape(m, 3),
            vel=np.array(vel).reshape(m, 3),
            pos_enu=np.zeros((m, 3)),
            vel_enu=np.zeros((m, 3)),
            pos_sigma=np.full(m, 50.0),
            status=np.ones(m, np.int64),
            t_update=np.full(m, self.t),
            n_updates=np.full(m, 5, np.int64),
            kind=np.full(m, "aircraft", dtype=object),
            quality_ok=np.ones(m, bool),
            quality=np.full(m, "", dtype=object),
            identity=np.array([self.identity.get(i, "unknown") for i in ids], dtype=object),
            evidence=t.IdEvidence.empty(m),
            iff_reply=np.array([self.iff.get(i, False) for i in ids], bool),
            iff_interrogated=np.array([self.asked.get(i, False) for i in ids], bool),
            n_interrogations=np.array([int(self.asked.get(i, False)) for i in ids], np.int64),
            threat_score=np.arange(m, 0, -1, dtype=float),
            threat_rank=np.arange(1, m + 1, dtype=np.int64),
            time_to_asset=np.full(m, 300.0),
            salvos=np.array([sum(p[2] == i for p in self.pending) for i in ids], np.int64),
            salvos_since_look=np.zeros(m, np.int64),
            kill_status=np.full(m, "none", dtype=object),
            kill_ended_at=np.full(m, np.nan),
            cancelled_at=np.full(m, np.nan),
            units=self.units,
            engagements=[
                t.Engagement(
                    track_id=tr, unit="u", missile="48N6E3", interceptor_ids=[0], t_launch=0.0
                )
                for _, _, tr in self.pending
            ],
            assets=[],
        )

    def emit(self, kind: Any, **kw: Any) -> None:
        ev = Event(t=self.t, kind=kind, **kw)
        for s in self.sinks:
            s.event(ev)

    def step(self) -> None:
        if self.done:
            return
        self.t = min(self.t + self.dt, self.duration)
        pic = self.picture()
        for cmd in self.policy.decide(pic) if self.policy else []:
            tid = getattr(cmd, "track_id", None)
            if tid is not None and pic.index_of(tid) is None:
                self.emit(
                    "command_refused", track_id=tid, reason=f"track {tid} is not in the picture"
                )
                continue
            if isinstance(cmd, t.Interrogate):
                rep = not self.objs[tid - 100]["hostile"]
                self.asked[tid] = True
                self.iff[tid] = rep
                self.emit(
                    "iff_reply",
                    track_id=tid,
                    truth_id=tid - 100,
                    identity="friendly" if rep else "",
                )
            elif isinstance(cmd, t.Declare):
                self.identity[tid] = cmd.identity
                self.emit("declared", track_id=tid, identity=cmd.identity)
            elif isinstance(cmd, t.Engage):
                if self.identity.get(tid) != "hostile":
                    self.emit(
                        "command_refused",
                        track_id=tid,
                        reason="weapons tight: track not declared hostile",
                    )
                    continue
                self.n_fired += cmd.salvo
                self.first_launch = self.first_launch or self.t
                if not self.objs[tid - 100]["hostile"]:
                    self.friendly_engaged += 1
                self.pending.append((self.t + 3.0, tid - 100, tid))
                self.emit(
                    "launch",
                    track_id=tid,
                    truth_id=tid - 100,
                    unit="u",
                    missile=cmd.missile or "48N6E3",
                )
            elif isinstance(cmd, t.CeaseFire):
                self.pending = [p for p in self.pending if p[2] != tid]
                self.emit("command", track_id=tid, detail="cease fire")
        for p in [p for p in self.pending if p[0] <= self.t]:
            self.pending.remove(p)
            self.objs[p[1]]["alive"] = False
            self.kills += self.objs[p[1]]["hostile"]
            self.emit("kill", truth_id=p[1], track_id=p[2])
        n = len(self.objs)
        states = [self._state(i, self.t) for i in range(n)]
        lat = np.array([38.0 + 0 * i for i in range(n)])
        for s in self.sinks:
            s.rows(
                "truth",
                {
                    "t": np.full(n, self.t),
                    "id": np.arange(n),
                    "preset": np.array([o["preset"] for o in self.objs]),
                    "hostile": np.array([o["hostile"] for o in self.objs]),
                    "lat_deg": lat,
                    "lon_deg": lat,
                    "alt_m": lat,
                    "alive": np.array([st[2] for st in states]),
                },
            )
            s.rows(
                "detections",
                {
                    "t": np.full(2, self.t),
                    "e": np.array([1000.0, 2000.0]),
                    "n": np.array([5000.0, 6000.0]),
                    "u": np.zeros(2),
                    "truth_id": np.array([0, -1]),
                },
            )
        if self.t >= self.duration:
            self.done = True
            self.emit("end")
            for s in self.sinks:
                s.close(self.summary())

    def summary(self) -> RunSummary:
        hostile = sum(o["hostile"] for o in self.objs)
        return RunSummary.from_dict(
            {
                "scenario": self.scenario.name,
                "threats": hostile,
                "threats_killed": self.kills,
                "leakers": hostile - self.kills,
                "interceptors_fired": self.n_fired,
                "assets_hit": 0,
                "friendlies_engaged": self.friendly_engaged,
                "friendlies_killed": 0,
                "detection_to_launch_s": (self.first_launch - 2.0)
                if self.first_launch
                else float("nan"),
                "interceptors_per_kill": self.n_fired / self.kills if self.kills else float("nan"),
                "sim_seconds": self.t,
            }
        )


class FakeBackend:
    """``airdefsim.web.live.Backend`` over ``FakeSim``; counts doctrine runs."""

    def __init__(self, duration: float | None = None) -> None:
        self.doctrine_runs = 0
        self.duration = duration

    def _sc(self, scenario: Any) -> Any:
        if self.duration is not None:
            scenario = scenario.model_copy(update={"duration": self.duration})
        return scenario

    def simulation(self, scenario, seed, policy, sinks):
        return FakeSim(self._sc(scenario), seed, policy, sinks)

    def recorder(self, out_dir):
        return None

    def run_doctrine(self, scenario, seed):
        self.doctrine_runs += 1
        return {
            "threats": 1,
            "threats_killed": 1,
            "leakers": 0,
            "interceptors_fired": 2,
            "assets_hit": 0,
            "friendlies_engaged": 0,
            "detection_to_launch_s": 5.0,
        }
