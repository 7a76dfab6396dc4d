"""Building the world from a validated scenario: placed units and radars, air objects
with their routes, the random streams.

Every component draws from its own stream spawned from the run's seed
(``numpy.random.SeedSequence(seed).spawn``) in a fixed order, so the same scenario and
seed give the same run whatever else runs beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from airdefsim.engagement.identification import Area, Corridor
from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic, geodetic_to_ecef
from airdefsim.physics.ballistic import ballistic_arc
from airdefsim.physics.manoeuvre import (
    TerrainFn,
    VerticalProfile,
    dive_profile,
    ground_distance,
    ground_track,
    line_profile,
    popup_profile,
    route_profile,
    sample_profile,
    weave_arc,
)
from airdefsim.physics.routes import Leg, RouteSet, gc_point, leg_duration
from airdefsim.scenario.presets import Presets, get_presets
from airdefsim.scenario.schema import (
    DiveTerminal,
    FriendlyGroup,
    LatLon,
    PopupTerminal,
    RadarSpec,
    RcsSpec,
    RedGroup,
    Scenario,
    ThreatSpec,
    WeaveTerminal,
)
from airdefsim.sensors.terrain import Dem
from airdefsim.types import Asset, Jammer, LauncherState, RadarCoverage, UnitState
from airdefsim.units import G0

F64 = NDArray[np.float64]
IFF_MODES = {"none": 0, "mode3c": 1, "mode5": 5}
#: the random streams, one per component, spawned from the seed in this order (the
#: order is part of the determinism contract): radars (one child per radar: noise,
#: detection draws, false alarms), IFF replies, interceptors (seeker noise, fuze), the
#: kill assessment (the radar's call on an intercept). The raid's lateral spread is
#: deterministic (evenly spaced), so it has no stream.
STREAMS = ("radars", "iff", "interceptors", "kill_assessment")


@dataclass
class RadarSite:
    """A placed radar: which unit, its spec and site frame."""

    unit: str
    name: str
    spec: RadarSpec
    site: LocalFrame
    heading: float


@dataclass
class AirObjects:
    """Every air object (threats and friendly aircraft), structure of arrays."""

    name: list[str]
    preset: NDArray[np.object_]
    kind: NDArray[np.object_]
    hostile: NDArray[np.bool_]
    iff_mode: NDArray[np.int64]
    rcs_index: NDArray[np.int64]
    rcs_specs: list[RcsSpec]
    target_asset: NDArray[np.int64]  # index of the asset the route ends on, -1 none
    warhead_radius: F64
    routes: RouteSet

    def __len__(self) -> int:
        return len(self.name)


@dataclass
class World:
    scenario: Scenario
    seed: int
    frame: LocalFrame
    presets: Presets
    assets: list[Asset]
    units: list[UnitState]
    radars: list[RadarSite]
    objects: AirObjects
    jammers: list[Jammer]
    corridors: list[Corridor] = field(default_factory=list)
    hostile_areas: list[Area] = field(default_factory=list)
    #: objects whose route is a filed flight plan known to the air defence, and their
    #: callsigns (the object's name)
    plan_objects: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    rngs: dict[str, np.random.Generator] = field(default_factory=dict)
    radar_rngs: list[np.random.Generator] = field(default_factory=list)


def _offset(
    lat: float, lon: float, east: float, north: float, h: float = 0.0
) -> tuple[float, float]:
    """(lat, lon) rad of a point ``east``/``north`` m from (lat, lon) on the ellipsoid."""
    frame = LocalFrame(lat, lon, h)
    la, lo, _ = ecef_to_geodetic(frame.to_ecef(np.array([east, north, 0.0])))
    return float(la), float(lo)


def unit_names(scenario: Scenario) -> list[str]:
    return [u.name or f"{u.preset}-{i + 1}" for i, u in enumerate(scenario.blue)]


def build_units(scenario: Scenario, presets: Presets) -> tuple[list[UnitState], list[RadarSite]]:
    units: list[UnitState] = []
    radars: list[RadarSite] = []
    for blue, name in zip(scenario.blue, unit_names(scenario), strict=True):
        spec = presets.units[blue.preset]
        lat, lon = np.radians(blue.at.lat), np.radians(blue.at.lon)
        launchers: list[LauncherState] = []
        n_total = sum(g.count for g in spec.launchers)
        k = 0
        for group in spec.launchers:
            for j in range(group.count):
                ang = 2 * np.pi * k / max(n_total, 1)
                r = group.spread / 2
                la, lo = _offset(lat, lon, r * np.sin(ang), r * np.cos(ang))
                load = dict(group.load)
                if blue.missiles:
                    load = {m: blue.missiles.get(m, n) for m, n in load.items()}
                launchers.append(
                    LauncherState(
                        name=f"{name}/{group.type}-{k + 1}",
                        unit=name,
                        pos=geodetic_to_ecef(la, lo, 0.0),
                        lat=la,
                        lon=lo,
                        missiles=load,
                        capacity=dict(load),
                        reload_time=group.reload_time,
                    )
                )
                k += 1
                del j
        units.append(
            UnitState(
                name=name,
                preset=blue.preset,
                pos=geodetic_to_ecef(lat, lon, 0.0),
                lat=lat,
                lon=lon,
                launchers=launchers,
                target_channels=spec.target_channels,
                missile_channels=spec.missile_channels,
                weapons=blue.doctrine.weapons,
                doctrine=blue.doctrine.model_copy(),
                reloads=dict(blue.reloads),
            )
        )
        for site in spec.radars:
            rspec = presets.radars[site.radar]
            la, lo = _offset(lat, lon, site.offset[0], site.offset[1])
            placed = RadarSite(
                unit=name,
                name=site.radar,
                spec=rspec,
                site=LocalFrame(la, lo, rspec.mast_height),
                heading=blue.heading,
            )
            radars.append(placed)
            if rspec.role == "engagement":
                units[-1].fc_radars.append(
                    RadarCoverage(
                        name=site.radar,
                        site=placed.site,
                        heading=blue.heading,
                        sector_width=rspec.scan.sector_width,
                        max_range=rspec.instrumented_range,
                        min_elevation=rspec.min_elevation,
                        max_elevation=rspec.max_elevation,
                    )
                )
    return units, radars


def _route_legs(
    obj: int,
    spec: ThreatSpec,
    group: RedGroup | FriendlyGroup,
    start: float,
    offset_m: float,
    assets: list[Asset],
    terrain: TerrainFn | None = None,
) -> tuple[list[Leg], int]:
    """Legs of one object and the index of the asset its route ends on (-1 none).

    Great-circle legs between the waypoints; a ballistic arc (with its terminal weave, if
    the preset has one) for a ballistic missile. A route that ends on a defended asset
    with a preset ``terminal`` dive or pop-up holds the previous waypoint's altitude on
    its last leg until the terminal phase (a table leg of the closed-form profile). With
    a DEM (``terrain``) and a terrain-following preset, the whole route is one table leg
    whose altitudes are heights above the terrain.
    """
    pts: list[tuple[float, float, float]] = []
    speeds: list[float | None] = []
    target_asset = -1
    asset_index = {a.name: i for i, a in enumerate(assets)}
    for wp in group.route:
        if wp.at is not None:
            a = assets[asset_index[wp.at]]
            pts.append((a.lat, a.lon, wp.alt if wp.alt is not None else a.alt))
            target_asset = asset_index[wp.at]
        else:
            assert wp.lat is not None and wp.lon is not None
            alt = wp.alt if wp.alt is not None else spec.cruise_altitude
            pts.append((float(np.radians(wp.lat)), float(np.radians(wp.lon)), alt))
        sp = wp.speed or group.speed
        speeds.append(None if sp is None else sp.at(pts[-1][2]))
    if group.route[-1].at is None:
        target_asset = -1
    if offset_m and len(pts) >= 2:
        (la0, lo0, _), (la1, lo1, _) = pts[0], pts[1]
        brg = np.arctan2(
            np.sin(lo1 - lo0) * np.cos(la1),
            np.cos(la0) * np.sin(la1) - np.sin(la0) * np.cos(la1) * np.cos(lo1 - lo0),
        )
        east, north = offset_m * np.cos(brg), -offset_m * np.sin(brg)
        moved = []
        for (la, lo, h), wp in zip(pts, group.route, strict=True):
            moved.append((la, lo, h) if wp.at is not None else (*_offset(la, lo, east, north), h))
        pts = moved
    if spec.kind == "ballistic_missile":
        (la0, lo0, _), (la1, lo1, _) = pts[0], pts[-1]
        t_s, pos, _vel = ballistic_arc(la0, lo0, la1, lo1, apogee=spec.apogee)
        t_s = np.asarray(t_s, dtype=float)
        if isinstance(spec.terminal, WeaveTerminal):
            w = spec.terminal
            pos = weave_arc(t_s, pos, la0, lo0, la1, lo1, w.start, w.g, w.period)
        return [
            Leg(
                obj,
                start + float(t_s[0]),
                start + float(t_s[-1]),
                table_t=t_s + start,
                table_pos=np.asarray(pos, dtype=float),
            )
        ], target_asset
    v_legs: list[float] = []
    for i in range(len(pts) - 1):
        sp_i = speeds[i]
        if sp_i is None:
            sp_i = spec.cruise_speed.at(0.5 * (pts[i][2] + pts[i + 1][2]))
        v_legs.append(float(sp_i or 0.0))
    terminal = spec.terminal if target_asset >= 0 else None
    assert not isinstance(terminal, WeaveTerminal)
    if terrain is not None and spec.terrain_following is not None:
        tf = spec.terrain_following
        lat = np.array([p[0] for p in pts])
        lon = np.array([p[1] for p in pts])
        clearance = np.array([p[2] for p in pts])
        h_aim = max(pts[-1][2], float(terrain(lat[-1:], lon[-1:])[0]))
        make = None
        if terminal is not None:
            clearance[-1] = clearance[-2]  # hold the cruise height until the terminal phase
            term = terminal

            def make(h0: float) -> VerticalProfile:
                return _terminal_profile(spec, term, h0, h_aim, term.start, v_legs[-1])

        t_s, pos = route_profile(
            lat,
            lon,
            clearance,
            np.array(v_legs),
            terrain,
            float(np.tan(tf.max_climb_angle)),
            _manoeuvre_accel(spec, tf.g),
            terminal=make,
            terminal_start=terminal.start if terminal is not None else 0.0,
        )
        return [Leg(obj, start, start + float(t_s[-1]), table_t=t_s + start, table_pos=pos)], (
            target_asset
        )
    legs = []
    t = start
    for i in range(len(pts) - 1):
        (la0, lo0, h0), (la1, lo1, h1) = pts[i], pts[i + 1]
        v = v_legs[i]
        if terminal is not None and i == len(pts) - 2:
            # last leg: cruise at the previous waypoint's altitude, then the terminal profile
            ground = ground_distance(la0, lo0, la1, lo1)
            dist = min(terminal.start, ground)
            prof = _terminal_profile(spec, terminal, h0, h1, dist, v)
            la_s, lo_s = gc_point(la0, lo0, la1, lo1, 1.0 - dist / ground)
            lat_s, lon_s = float(la_s), float(lo_s)
            if dist < ground:
                dur = leg_duration(la0, lo0, h0, lat_s, lon_s, h0, v)
                legs.append(Leg(obj, t, t + dur, la0, lo0, h0, lat_s, lon_s, h0))
                t += dur
            tau, xs, hs = sample_profile(prof, v)
            pos = ground_track(lat_s, lon_s, la1, lo1, xs, hs)
            legs.append(Leg(obj, t, t + float(tau[-1]), table_t=tau + t, table_pos=pos))
            t += float(tau[-1])
            continue
        dur = leg_duration(la0, lo0, h0, la1, lo1, h1, v)
        legs.append(Leg(obj, t, t + dur, la0, lo0, h0, la1, lo1, h1))
        t += dur
    return legs, target_asset


def _manoeuvre_accel(spec: ThreatSpec, g: float | None) -> float:
    """Normal acceleration (m/s²) of a vertical manoeuvre: ``g`` if given, else the
    preset's ``max_g`` less 1 g (a pull-up from level flight at load factor n)."""
    a = g if g is not None else spec.max_g - G0
    if a <= 0.0:
        raise ValueError(f"preset {spec.name}: no manoeuvre acceleration (max_g <= 1 g)")
    return float(a)


def _terminal_profile(
    spec: ThreatSpec,
    terminal: DiveTerminal | PopupTerminal,
    h_cruise: float,
    h_aim: float,
    distance: float,
    speed: float,
) -> VerticalProfile:
    """The terminal dive or pop-up of ``spec`` over ``distance`` m of ground. Where it
    does not fit (a last leg too short, an aim point above the cruise height), a dive,
    else a straight line to the aim point (the former glide)."""
    a = _manoeuvre_accel(spec, terminal.g)
    if isinstance(terminal, PopupTerminal):
        try:
            return popup_profile(
                h_cruise, h_aim, distance, terminal.pop_height, terminal.climb_angle, a, speed
            )
        except ValueError:
            pass
    try:
        return dive_profile(h_cruise, h_aim, distance, a, speed)
    except ValueError:
        return line_profile(h_cruise, h_aim, distance)


def _terrain(scenario: Scenario) -> TerrainFn | None:
    """Terrain heights of the scenario's DEM as a function of (lat, lon) rad, or None."""
    if not scenario.dem:
        return None
    dem = Dem.from_geotiff(scenario.dem)

    def heights(lat: F64, lon: F64) -> F64:
        return dem.height(np.degrees(lat), np.degrees(lon))

    return heights


def build_objects(
    scenario: Scenario,
    presets: Presets,
    assets: list[Asset],
    terrain: TerrainFn | None = None,
) -> AirObjects:
    """Every air object with its route. ``terrain`` (heights at (lat, lon) rad) defaults
    to the scenario's DEM, if it has one (terrain-following presets follow it)."""
    if terrain is None:
        terrain = _terrain(scenario)
    names: list[str] = []
    preset: list[str] = []
    kind: list[str] = []
    hostile: list[bool] = []
    iff: list[int] = []
    rcs_idx: list[int] = []
    target_asset: list[int] = []
    warhead: list[float] = []
    rcs_specs: list[RcsSpec] = []
    rcs_of: dict[str, int] = {}
    legs: list[Leg] = []
    groups = [("red", g, True) for g in scenario.red] + [
        ("friendly", g, False) for g in scenario.friendly_air
    ]
    for gi, (side, group, is_hostile) in enumerate(groups):
        spec = presets.threats[group.preset]
        if group.preset not in rcs_of:
            rcs_of[group.preset] = len(rcs_specs)
            rcs_specs.append(spec.rcs)
        label = group.name or f"{side}-{gi + 1}-{group.preset}"
        mode = getattr(group, "iff", None) or spec.iff
        for k in range(group.count):
            obj = len(names)
            off = 0.0
            if group.count > 1 and group.lateral_spread > 0:
                off = (k / (group.count - 1) - 0.5) * group.lateral_spread
            obj_legs, tgt = _route_legs(
                obj, spec, group, group.start + k * group.spacing, off, assets, terrain
            )
            legs += obj_legs
            names.append(f"{label}-{k + 1}" if group.count > 1 else label)
            preset.append(group.preset)
            kind.append(spec.kind)
            hostile.append(is_hostile)
            iff.append(0 if is_hostile else IFF_MODES[mode])
            rcs_idx.append(rcs_of[group.preset])
            target_asset.append(tgt)
            warhead.append(spec.warhead_radius)
    n = len(names)
    return AirObjects(
        name=names,
        preset=np.array(preset, dtype=object),
        kind=np.array(kind, dtype=object),
        hostile=np.array(hostile, dtype=bool),
        iff_mode=np.array(iff, dtype=np.int64),
        rcs_index=np.array(rcs_idx, dtype=np.int64),
        rcs_specs=rcs_specs,
        target_asset=np.array(target_asset, dtype=np.int64),
        warhead_radius=np.array(warhead, dtype=float),
        routes=RouteSet(legs, n),
    )


def build_world(scenario: Scenario, seed: int | None = None) -> World:
    """Place everything the scenario describes; spawn the random streams."""
    seed = scenario.seed if seed is None else int(seed)
    presets = get_presets()
    ss = np.random.SeedSequence(seed)
    children = ss.spawn(len(STREAMS))
    # "radars" is the parent of one stream per radar (radar_rngs), not a generator itself
    rngs = {
        name: np.random.default_rng(c)
        for name, c in zip(STREAMS, children, strict=True)
        if name != "radars"
    }
    frame = LocalFrame.from_degrees(scenario.origin.lat, scenario.origin.lon, 0.0)
    assets = []
    for a in scenario.defended_assets:
        lat, lon = float(np.radians(a.lat)), float(np.radians(a.lon))
        assets.append(
            Asset(a.name, lat, lon, a.alt, geodetic_to_ecef(lat, lon, a.alt), a.value, a.radius)
        )
    units, radars = build_units(scenario, presets)
    objects = build_objects(scenario, presets, assets)
    jammers = [
        Jammer(
            name=j.name,
            pos=geodetic_to_ecef(np.radians(j.at.lat), np.radians(j.at.lon), j.alt),
            erp_w=10.0 ** (j.erp / 10.0),
            bandwidth_hz=j.bandwidth,
            bands=tuple(j.bands),
        )
        for j in scenario.jammers
    ]
    radar_rngs = [np.random.default_rng(c) for c in children[0].spawn(len(radars))]

    def enu2(points: list[LatLon]) -> NDArray[np.float64]:
        ecef = np.array(
            [geodetic_to_ecef(np.radians(p.lat), np.radians(p.lon), 0.0) for p in points]
        )
        return frame.to_enu(ecef)[:, :2]

    corridors = [
        Corridor(c.name, enu2(c.route), 0.5 * c.width, c.min_alt, c.max_alt)
        for c in scenario.air_corridors
    ]
    areas = [Area(a.name, enu2(a.polygon)) for a in scenario.hostile_areas]
    filed: list[int] = []
    k = sum(g.count for g in scenario.red)
    for g in scenario.friendly_air:
        if g.flight_plan == "filed":
            filed.extend(range(k, k + g.count))
        k += g.count
    return World(
        scenario=scenario,
        seed=seed,
        frame=frame,
        presets=presets,
        assets=assets,
        units=units,
        radars=radars,
        objects=objects,
        jammers=jammers,
        corridors=corridors,
        hostile_areas=areas,
        plan_objects=np.array(filed, dtype=np.int64),
        rngs=rngs,
        radar_rngs=radar_rngs,
    )
