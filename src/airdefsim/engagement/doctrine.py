"""The doctrine engine: an automatic C2 seat.

Each decision tick :meth:`DoctrinePolicy.decide` looks at the air picture — tracks,
identities, its units' inventory and channels, live salvos and kill assessments — and
returns commands; it keeps only its own memory (interrogations sent). The simulation
judges those commands exactly as a trainee's (:mod:`airdefsim.engagement.adjudicate`):

1. **Identification** (units with ``auto_identify``): interrogate each unknown track
   every ``interrogation_interval`` s; declare it on the evidence of
   :mod:`airdefsim.engagement.identification` — friendly on an IFF reply, a filed flight
   plan, or civil traffic on a corridor; hostile only after ``n_interrogations``
   unanswered interrogations together with a hostile indicator (hostile profile, point
   of origin, a path into a defended asset); otherwise it stays unknown. A track that
   replies after being declared hostile is declared friendly and fire on it ceases.
2. **Eligibility** per unit: weapons ``hold`` fires nothing; ``tight`` engages tracks
   identified hostile; ``free`` engages hostile tracks and unknown ones that were
   interrogated at least once and show a hostile indicator and no friendly evidence. Never a friendly track or one that answered IFF. Shoot-look-shoot:
   no new salvo at a track with a salvo in flight or whose kill assessment is pending
   (:mod:`airdefsim.engagement.kill`), nor at one that has not been *updated* since its
   last salvo ended (``AirPicture.t_update``): the look needs a fresh measurement of the
   survivor (a killed target's track only coasts until the tracker deletes it).
   Shoot-shoot-look: two salvos, then the look once both have ended.
3. **Missile choice** per (unit, track): the cheapest adequate type — inside its envelope
   from the unit's launchers (:func:`airdefsim.engagement.envelope.predicted_intercept`)
   and within ``max_engage_range`` — with rounds above the reserve (e.g. 9M96E2 close,
   48N6E3 medium, 40N6E long).
4. **Assignment**: a static WTA (:mod:`airdefsim.engagement.wta`): weapons are (unit,
   missile type) pairs with their ready rounds above reserve, grouped by unit with the
   unit's free missile and target channels; targets are the eligible tracks, valued by
   the threat score (:func:`airdefsim.engagement.threat.score`); a weapon engages at
   most as many targets as it has ready launchers (a salvo leaves one launcher); at most
   ``salvo`` rounds per target (``doctrine["salvo"]``, an int or a dict threat kind -> n, ``"default"``
   for the others). Each non-zero ``x_ij`` becomes ``Engage(track, missile, x_ij, unit)``.

The inventory the doctrine reads is the picture's copy of each unit, and a salvo it
orders is seen in the next tick's picture (``AirPicture.salvos``).
"""

from __future__ import annotations

import numpy as np

from airdefsim.engagement import envelope, identification, wta
from airdefsim.engagement.fire_control import (
    missile_cost,
    missile_types,
    needs_fire_control_track,
)
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import (
    F64,
    AirPicture,
    CeaseFire,
    Command,
    Declare,
    Engage,
    Interrogate,
    UnitState,
)

#: interrogations without a reply before a track is declared hostile (assumed)
N_INTERROGATIONS = 3
#: s between two interrogations of the same track (assumed)
INTERROGATION_INTERVAL = 2.0
#: an unknown track that stays unknown after the first interrogations is interrogated
#: again this many times less often (assumed)
REINTERROGATE_FACTOR = 5.0
#: the exact WTA is used up to this many binaries, the heuristic above
WTA_MAX_BINARIES = 3000
#: m, two tracks closer than max(this, 3 combined sigmas) ... (see ``same_object``)
SAME_OBJECT_DISTANCE = 300.0
#: m/s, ... and with velocities closer than this are taken as one object
SAME_OBJECT_SPEED = 100.0
#: s, time to asset below which a busy cheaper launcher is not waited for
URGENT_TIME = 60.0
#: s, wait before ordering again an engagement that was cancelled before launch (e.g.
#: the engagement radar could not acquire the target; assumed)
RETRY_AFTER_CANCEL = 30.0


def same_object(pos: F64, vel: F64, sigma: F64) -> np.ndarray:
    """Pairs of tracks that are probably the same object (duplicate tracks).

    Parameters
    ----------
    pos : (M, 3) float, m, ECEF; vel : (M, 3) float, m/s; sigma : (M,) float, m

    Returns
    -------
    (M, M) bool, symmetric, False on the diagonal: closer than ``max(SAME_OBJECT_DISTANCE,
    3 sqrt(sigma_a² + sigma_b²))`` and velocities within ``SAME_OBJECT_SPEED``.
    """
    d = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=2)
    dv = np.linalg.norm(vel[:, None, :] - vel[None, :, :], axis=2)
    gate = np.maximum(
        SAME_OBJECT_DISTANCE, 3.0 * np.sqrt(sigma[:, None] ** 2 + sigma[None, :] ** 2)
    )
    out = (d < gate) & (dv < SAME_OBJECT_SPEED)
    np.fill_diagonal(out, False)
    return out


def salvo_size(salvo: int | dict[str, int] | None, kind: str) -> int:
    """Rounds per salvo for a threat ``kind`` from a doctrine's ``salvo`` setting.

    ``salvo`` an int: that; a dict: ``salvo[kind]``, else ``salvo["default"]``, else 2.
    """
    if salvo is None:
        return 2
    if isinstance(salvo, dict):
        return int(salvo.get(kind, salvo.get("default", 2)))
    return int(salvo)


class DoctrinePolicy:
    """Automatic fire doctrine for the units whose ``doctrine.mode`` is ``"auto"``.

    A policy: :meth:`decide` is a function of the air picture and of this object's own
    memory (the interrogations it sent), nothing else.

    Parameters
    ----------
    specs : dict missile name -> MissileSpec
    n_interrogations, interrogation_interval : see module docstring
    wta_method : ``"auto"``, ``"milp"`` or ``"greedy"``
    """

    def __init__(
        self,
        specs: dict[str, MissileSpec],
        n_interrogations: int = N_INTERROGATIONS,
        interrogation_interval: float = INTERROGATION_INTERVAL,
        wta_method: str = "auto",
    ):
        self.specs = dict(specs)
        self.n_interrogations = int(n_interrogations)
        self.interrogation_interval = float(interrogation_interval)
        self.wta_method = wta_method
        self._asked: dict[int, int] = {}
        self._last_ask: dict[int, float] = {}
        self.last_assignment: wta.WtaResult | None = None

    # ------------------------------------------------------------ the seat

    def decide(self, picture: AirPicture) -> list[Command]:
        """Commands for this decision tick (see the module docstring for the rules)."""
        auto = [u for u in picture.units if u.doctrine.mode == "auto"]
        if not auto or len(picture) == 0:
            return []
        cmds: list[Command] = []
        if any(u.doctrine.auto_identify for u in auto):
            cmds += self._identify(picture)
        cmds += self._cease_friendly(picture)
        cmds += self._assign(picture, auto)
        return cmds

    def _identify(self, picture: AirPicture) -> list[Command]:
        """Interrogate unknown tracks, declare on the evidence
        (:func:`airdefsim.engagement.identification.assess`): friend on an IFF reply, a
        filed flight plan or civil traffic on a corridor; hostile only after
        ``n_interrogations`` unanswered interrogations *and* a hostile indicator. A track
        with neither stays unknown and is interrogated again, more slowly."""
        out: list[Command] = []
        t = float(picture.t)
        rec, why = identification.assess(
            picture.evidence, picture.iff_reply, picture.n_interrogations, self.n_interrogations
        )
        for k, tid_ in enumerate(picture.track_id):
            tid = int(tid_)
            ident = str(picture.identity[k])
            if rec[k] == "friendly" and ident != "friendly":
                out.append(Declare(tid, "friendly", str(why[k])))
                continue
            if ident != "unknown":
                continue
            if rec[k] == "hostile":
                out.append(Declare(tid, "hostile", str(why[k])))
                continue
            n = self._asked.get(tid, 0)
            interval = self.interrogation_interval * (
                1.0 if n < self.n_interrogations else REINTERROGATE_FACTOR
            )
            if t - self._last_ask.get(tid, -np.inf) >= interval - 1e-9:
                out.append(Interrogate(tid))
                self._asked[tid] = n + 1
                self._last_ask[tid] = t
        return out

    def _cease_friendly(self, picture: AirPicture) -> list[Command]:
        out: list[Command] = []
        for k, tid_ in enumerate(picture.track_id):
            if picture.salvos[k] > 0 and (
                picture.identity[k] == "friendly" or picture.iff_reply[k]
            ):
                out.append(CeaseFire(int(tid_)))
        return out

    # ------------------------------------------------------------ assignment

    def _eligible(self, u: UnitState, picture: AirPicture) -> np.ndarray:
        """(M,) bool: the unit may fire a new salvo at each track now."""
        m = len(picture)
        ident = picture.identity
        if u.weapons == "hold":
            return np.zeros(m, bool)
        ok = (ident != "friendly") & ~picture.iff_reply & picture.quality_ok
        if u.weapons == "tight":
            ok &= ident == "hostile"
        else:
            # weapons free permits any track not identified friend; the automatic doctrine
            # still fires only at one that shows a hostile indicator and no friendly
            # evidence (a silent light aircraft crossing is left to a person's judgement)
            ev = picture.evidence
            suspect = picture.iff_interrogated & (ev.hostile != "") & (ev.friendly == "")
            ok &= (ident == "hostile") | suspect
        max_salvos = 2 if u.doctrine.policy == "shoot-shoot-look" else 1
        status = picture.kill_status
        ok &= picture.salvos_since_look < max_salvos
        ok &= (status != "assessing") & (status != "killed")
        # a survivor is looked at again only once a plot has updated it since the intercept
        ok &= ~((status == "survived") & (picture.t_update <= picture.kill_ended_at))
        # an engagement cancelled (no fire-control track) is retried only after a while
        ok &= ~(picture.t - picture.cancelled_at < RETRY_AFTER_CANCEL)
        return ok

    def _duplicates(self, picture: AirPicture, cand: np.ndarray, value: F64) -> np.ndarray:
        """(M,) bool: candidates that duplicate a track already engaged or being
        assessed, or a more threatening candidate of this tick."""
        m = len(picture)
        dup = np.zeros(m, bool)
        if m < 2:
            return dup
        same = same_object(picture.pos, picture.vel, picture.pos_sigma)
        status = picture.kill_status
        busy = (picture.salvos > 0) | (status == "assessing") | (status == "killed")
        dup |= np.any(same & busy[None, :], axis=1) & ~busy
        for k in np.flatnonzero(cand & ~dup)[np.argsort(-value[cand & ~dup], kind="stable")]:
            if dup[k]:
                continue
            dup |= same[k] & cand
        return dup & cand

    def _assign(self, picture: AirPicture, auto: list[UnitState]) -> list[Command]:
        t = float(picture.t)
        kinds = picture.kind
        ballistic = kinds == "ballistic_missile"
        value, tta = picture.threat_score, picture.time_to_asset
        eligible = {u.name: self._eligible(u, picture) for u in auto}
        cand = np.any(np.stack(list(eligible.values())), axis=0) & (value > 0)
        cand &= ~self._duplicates(picture, cand, value)
        cols = np.flatnonzero(cand)
        if cols.size == 0:
            return []
        pos, vel = picture.pos[cols], picture.vel[cols]
        rows_p: list[np.ndarray] = []
        rows_w: list[int] = []
        rows_d: list[int] = []
        rows_g: list[int] = []
        labels: list[tuple[str, str]] = []
        g_rounds: list[int] = []
        g_targets: list[int] = []
        for g, u in enumerate(auto):
            free_m = max(u.missile_channels - u.missiles_guided, 0)
            free_t = max(u.target_channels - u.targets_engaged, 0)
            g_rounds.append(free_m)
            g_targets.append(free_t)
            el = eligible[u.name][cols]
            reserve = u.doctrine.reserve
            max_rng = u.doctrine.max_engage_range
            taken = np.zeros(cols.size, bool)  # a cheaper adequate type already covers it
            urgent = tta[cols] < URGENT_TIME
            for m in missile_types(u, self.specs):
                spec = self.specs[m]
                stock = u.rounds(m) - reserve
                avail = min(u.rounds(m, t), stock)
                holders = [lc.pos for lc in u.launchers if lc.missiles.get(m, 0) > 0]
                if stock <= 0 or not holders or free_m == 0 or not el.any():
                    continue
                lp = np.mean(holders, axis=0)
                # only the tracks it could take (eligible, not covered by a cheaper type,
                # and — when its guidance needs the engagement radar — inside the
                # radar's coverage now) are worth an intercept solution (hot path)
                try_ = el & ~taken
                if needs_fire_control_track(spec):
                    try_ &= u.fc_covers(pos)
                ok = np.zeros(cols.size, bool)
                tf = np.full(cols.size, np.inf)
                pip = pos.copy()
                if try_.any():
                    pos_r = pos[try_] + vel[try_] * float(spec.reaction_time)  # at launch
                    ok[try_], tf[try_], pip[try_] = envelope.predicted_intercept(
                        spec, lp, pos_r, vel[try_], ballistic[cols][try_]
                    )
                ok = ok & try_ & np.isfinite(tf) & (tf > 0.0)
                if max_rng is not None:
                    ok &= np.linalg.norm(pip - lp, axis=1) <= float(max_rng)
                if needs_fire_control_track(spec):
                    # the engagement radar must see the target at the intercept too
                    ok &= u.fc_covers(pip)
                if avail <= 0:
                    # adequate but its launchers are busy: wait for them unless urgent
                    taken |= ok & ~urgent
                    continue
                if not ok.any():
                    continue
                taken |= ok
                rows_p.append(np.where(ok, float(spec.pk), 0.0))
                rows_w.append(int(avail))
                rows_d.append(
                    sum(1 for lc in u.launchers if lc.missiles.get(m, 0) > 0 and lc.ready(t))
                )
                rows_g.append(g)
                labels.append((u.name, m))
        if not rows_p:
            return []
        p = np.array(rows_p)
        salvo = np.array(
            [
                max(
                    salvo_size(u.doctrine.salvo, str(kinds[c])) for u in auto if eligible[u.name][c]
                )
                for c in cols
            ],
            dtype=np.int64,
        )
        result = wta.solve(
            p,
            value[cols],
            np.array(rows_w),
            max_per_target=salvo,
            group=np.array(rows_g),
            group_rounds=np.array(g_rounds),
            group_targets=np.array(g_targets),
            method=self.wta_method,
            max_binaries=WTA_MAX_BINARIES,
            weapon_targets=np.array(rows_d),
        )
        self.last_assignment = result
        out: list[tuple[float, Engage]] = []
        for i, j in zip(*np.nonzero(result.x), strict=True):
            unit, m = labels[i]
            tid = int(picture.track_id[cols[j]])
            cmd = Engage(tid, missile=m, salvo=int(result.x[i, j]), unit=unit)
            out.append((-float(value[cols[j]]), cmd))
        out.sort(key=lambda e: (e[0], e[1].track_id, missile_cost(self.specs[e[1].missile or ""])))
        return [c for _, c in out]
