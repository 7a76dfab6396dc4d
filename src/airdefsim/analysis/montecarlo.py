"""Monte Carlo batches of a scenario on a local process pool or a Dask cluster.

The unit of work is a *replication function* ``fn(scenario_raw: dict, seed: int) ->
dict``: it receives the raw (YAML-loaded) scenario mapping, validates it itself and
returns the run's summary (metric name -> number). It must be picklable (a module-level
function) and its result must depend only on its arguments, so a batch gives the same
rows alone, in a process pool or on a Dask cluster. :func:`run_replication` runs the real
simulation (:func:`airdefsim.testing.synthetic_batch.synthetic_replication` is a cheap
stand-in for testing and benchmarking the machinery itself).

``mc`` (:func:`run_montecarlo`), ``sweep`` (:func:`airdefsim.analysis.sweep.run_sweep`)
and ``compare`` (:func:`airdefsim.analysis.compare.compare`) are all batches of
:func:`run_batch`: a list of *points* (raw scenarios), ``n`` replications of each.

Replication ``i`` of a scenario whose seed is ``s`` always runs with
``replication_seed(s, i)`` (``numpy.random.SeedSequence([s, i])``), whatever the order,
the worker or the number of workers.

The run directory holds

- ``manifest.json`` — what the batch is (scenario hash, n, base seed, replication
  function, swept parameters); ``--resume`` refuses a directory made for another batch;
- ``results.jsonl`` — one JSON line per finished replication, written with a single
  ``write`` on an ``O_APPEND`` descriptor and ``fsync``-ed before the next, so a run
  killed at any moment (even SIGKILL) loses at most the replications in flight; a torn
  last line is dropped on reading;
- ``summary.json`` and the plots, written at the end.

Rows are ``{"replication": i, "seed": seed, <metric>: value, ...}`` (plus ``"point"``
and ``"param:<path>"`` entries for a sweep, ``"point"`` and ``"system"`` for a
comparison); an undefined metric (NaN) is JSON ``null``. Every JSON file is written by
:mod:`airdefsim.jsonsafe`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from airdefsim.analysis import stats
from airdefsim.jsonsafe import dumps, to_jsonable
from airdefsim.scenario import validate_dict
from airdefsim.sim import run_scenario

ReplicationFn = Callable[[dict[str, Any], int], dict[str, Any]]
RowCallback = Callable[[dict[str, Any]], None]

MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
SUMMARY = "summary.json"
MANIFEST_VERSION = 1


class McError(Exception):
    """A batch that cannot run as asked (bad directory, manifest mismatch, bad option).
    ``str(err)`` is one line meant for the user."""


class ReplicationFailed(McError):
    """A replication raised; the rows finished before it are kept (``--resume`` retries)."""


# ------------------------------------------------------------------ seeds


def replication_seed(base_seed: int, index: int) -> int:
    """The seed of replication ``index`` of a batch whose scenario seed is ``base_seed``.

    ``SeedSequence([base_seed, index])`` -> one 63-bit non-negative int. Independent of
    the batch size, order and worker; distinct replications get statistically
    independent streams (NumPy's SeedSequence hashing).
    """
    if base_seed < 0 or index < 0:
        raise ValueError("seed and replication index must be non-negative")
    state = np.random.SeedSequence([int(base_seed), int(index)]).generate_state(2, np.uint32)
    return (int(state[0]) << 31) ^ int(state[1])


# ------------------------------------------------------------------ replication functions


_MALLOC_TUNED = False


def _tune_malloc() -> None:
    """Undo a fixed glibc trim threshold in this worker process (once).

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_`` set, which freezes
    glibc's dynamic mmap threshold at 128 KiB: every NumPy temporary above that is
    mmapped and unmapped again, which cost ~20 % CPU per replication here. Setting the
    thresholds explicitly (mmap 32 MiB, trim 64 MiB) gives back the pool's speed; memory
    stays well under the 1 GiB worker target. No effect outside glibc.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc mallopt parameters
    libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
    libc.mallopt(m_trim_threshold, 64 * 1024 * 1024)


def run_replication(scenario_raw: dict[str, Any], seed: int) -> dict[str, Any]:
    """Run the real simulation once: validate ``scenario_raw``, run it with ``seed``.

    Returns
    -------
    dict
        ``run_scenario(...).summary`` (metric name -> number; NaN where undefined).
        Raises ``ScenarioError`` if the scenario does not validate.
    """
    _tune_malloc()
    scenario = validate_dict(scenario_raw, file=str(scenario_raw.get("name", "<scenario>")))
    result = run_scenario(scenario, seed=seed, out_dir=None)
    return result.summary.to_dict()


def function_name(fn: Callable[..., Any]) -> str:
    """``module:qualname`` of a module-level function (what the manifest records)."""
    return f"{fn.__module__}:{fn.__qualname__}"


def resolve_function(spec: str) -> ReplicationFn:
    """Import ``module:attr`` (e.g. ``airdefsim.testing.synthetic_batch:synthetic_replication``)."""
    mod_name, sep, attr = spec.partition(":")
    if not sep or not mod_name or not attr:
        raise McError(f"replication function {spec!r}: expected 'module:function'")
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as exc:
        raise McError(f"replication function {spec!r}: cannot import {mod_name}: {exc}") from None
    fn = getattr(mod, attr, None)
    if not callable(fn):
        raise McError(f"replication function {spec!r}: {mod_name} has no function {attr!r}")
    return fn  # type: ignore[no-any-return]


# ------------------------------------------------------------------ rows and the results file


def make_row(
    index: int, seed: int, summary: Mapping[str, Any], extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A results row: ``replication``, ``seed``, ``extra`` (point/params), then every
    summary entry except text (the scenario name is in the manifest)."""
    row: dict[str, Any] = {"replication": int(index), "seed": int(seed)}
    if extra:
        row.update({k: to_jsonable(v) for k, v in extra.items()})
    for k, v in summary.items():
        if k in ("replication", "seed", "point") or k.startswith("param:") or isinstance(v, str):
            continue
        row[str(k)] = to_jsonable(v)
    return row


class ResultsFile:
    """Append-only, crash-safe ``results.jsonl``.

    Each row is one ``os.write`` of one line to an ``O_APPEND`` descriptor, followed by
    ``os.fsync``: after :meth:`append` returns, the row survives a SIGKILL or power loss.
    Opening drops a torn last line (a write cut short) by truncating the file to its last
    newline.
    """

    def __init__(self, path: Path):
        self.path = path
        self.rows = read_rows(path, repair=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, row: Mapping[str, Any]) -> None:
        line = dumps(row, indent=None, sort_keys=False) + "\n"
        data = line.encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):  # regular files write fully; be safe anyway
            written += os.write(self._fd, data[written:])
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_rows(path: Path, repair: bool = False) -> list[dict[str, Any]]:
    """Rows of a ``results.jsonl`` in file order, without a torn last line.

    Parameters
    ----------
    path : Path
        The file (missing: no rows).
    repair : bool
        Truncate the file after its last complete line (before appending to it).

    Raises
    ------
    McError
        A complete line in the middle that is not JSON (the file was edited or
        corrupted; a crash can only tear the last line).
    """
    if not path.exists():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1  # bytes after the last newline: a torn write
    rows: list[dict[str, Any]] = []
    for lineno, line in enumerate(data[:end].splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise McError(f"{path}:{lineno}: not a JSON row; the results file is damaged") from None
        if not isinstance(row, dict) or "replication" not in row:
            raise McError(f"{path}:{lineno}: not a results row")
        rows.append(row)
    if repair and end < len(data):
        with open(path, "r+b") as fh:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    return rows


def row_key(row: Mapping[str, Any]) -> tuple[int, int]:
    """``(point, replication)`` — the identity of a row (point 0 outside sweeps)."""
    return (int(row.get("point", 0)), int(row["replication"]))


def unique_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """First row of each ``(point, replication)``, in file order."""
    seen: set[tuple[int, int]] = set()
    out = []
    for r in rows:
        k = row_key(r)
        if k not in seen:
            seen.add(k)
            out.append(dict(r))
    return out


# ------------------------------------------------------------------ manifest


def scenario_hash(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a raw scenario mapping."""
    text = dumps(raw, indent=None, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Manifest keys that must match for ``--resume``.
IDENTITY_KEYS = ("kind", "scenario_sha256", "n", "base_seed", "replication", "params")


def prepare_dir(out_dir: Path, manifest: dict[str, Any], resume: bool) -> None:
    """Create ``out_dir`` with ``manifest``, or check it for ``resume``.

    Raises
    ------
    McError
        ``out_dir`` already holds a batch and ``resume`` is false; or ``resume`` is true
        and its manifest describes a different batch (the first differing key is named).
    """
    out_dir = Path(out_dir)
    mpath = out_dir / MANIFEST
    if out_dir.exists() and not out_dir.is_dir():
        raise McError(f"--out {out_dir}: exists and is not a directory")
    if mpath.exists():
        if not resume:
            raise McError(
                f"--out {out_dir}: already holds a batch; add --resume to finish it, "
                "or choose another directory"
            )
        try:
            old = json.loads(mpath.read_text())
        except (OSError, ValueError) as exc:
            raise McError(f"{mpath}: cannot read the manifest: {exc}") from None
        for key in IDENTITY_KEYS:
            if _canon(old.get(key)) != _canon(manifest.get(key)):
                raise McError(
                    f"--resume {out_dir}: made for a different batch ({key}: "
                    f"{_short(old.get(key))} there, {_short(manifest.get(key))} now)"
                )
        return
    if (out_dir / RESULTS).exists():
        raise McError(f"--out {out_dir}: holds {RESULTS} but no {MANIFEST}; refusing to mix")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = mpath.with_suffix(".json.tmp")
    tmp.write_text(dumps(manifest, indent=2, sort_keys=False) + "\n")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, mpath)


def _canon(v: Any) -> str:
    return dumps(v, indent=None, sort_keys=True)


def _short(v: Any) -> str:
    s = dumps(v, indent=None, sort_keys=False)
    return s if len(s) <= 40 else s[:37] + "..."


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically (temp file + rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dumps(obj, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)


# ------------------------------------------------------------------ executors


@dataclass(frozen=True)
class Job:
    """One replication to run: grid point, replication index, seed, raw scenario."""

    point: int
    replication: int
    seed: int
    raw: dict[str, Any] = field(compare=False, repr=False)


def default_workers() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _die_with_parent() -> None:
    """Pool worker initializer: ignore Ctrl-C (the coordinating process handles it and
    stops the batch) and, on Linux, get SIGKILL when the parent process dies, so a killed
    batch leaves no orphan workers burning CPU."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


def _mp_context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def execute(
    fn: ReplicationFn,
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    scheduler: Any = None,
) -> Iterator[tuple[Job, dict[str, Any]]]:
    """Run ``fn(job.raw, job.seed)`` for every job; yield ``(job, result)`` as they finish.

    Parameters
    ----------
    fn : ReplicationFn
        Picklable replication function.
    jobs : sequence of Job
    workers : int, optional
        Local pool size (default :func:`default_workers`); ``0`` runs in this process
        (debugging). Ignored when ``scheduler`` is given.
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:port``) or an existing client.

    Notes
    -----
    At most ``2 × workers`` jobs are queued at a time, so stopping the generator (or a
    kill) abandons only those. A job that raises stops the batch with
    :class:`ReplicationFailed`.
    """
    if scheduler is not None:
        yield from _execute_dask(fn, jobs, scheduler)
    elif workers == 0:
        for job in jobs:
            yield job, _call(fn, job)
    else:
        yield from _execute_pool(fn, jobs, workers or default_workers())


def _call(fn: ReplicationFn, job: Job) -> dict[str, Any]:
    try:
        return fn(job.raw, job.seed)
    except Exception as exc:
        raise ReplicationFailed(_failure(job, exc)) from exc


def _failure(job: Job, exc: BaseException) -> str:
    where = f"point {job.point}, " if job.point else ""
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"replication {job.replication} ({where}seed {job.seed}) failed: {type(exc).__name__}: {msg}"


def _execute_pool(
    fn: ReplicationFn, jobs: Sequence[Job], workers: int
) -> Iterator[tuple[Job, dict[str, Any]]]:
    ex = ProcessPoolExecutor(
        max_workers=workers, mp_context=_mp_context(), initializer=_die_with_parent
    )
    pending: dict[Future[dict[str, Any]], Job] = {}
    it = iter(jobs)
    try:
        for job in it:
            pending[ex.submit(fn, job.raw, job.seed)] = job
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: (pending[f].replication, pending[f].point)):
                job = pending.pop(fut)
                exc = fut.exception()
                if exc is not None:
                    raise ReplicationFailed(_failure(job, exc)) from exc
                nxt = next(it, None)
                if nxt is not None:
                    pending[ex.submit(fn, nxt.raw, nxt.seed)] = nxt
                yield job, fut.result()
    finally:
        if pending:
            # stopped early (error, Ctrl-C, consumer gone): the rows in flight are lost
            # anyway, so end the workers now instead of waiting for their replications
            procs = list(getattr(ex, "_processes", {}).values())
            ex.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                with contextlib.suppress(Exception):
                    proc.terminate()
        else:
            ex.shutdown(wait=True)


def connect(address: str, timeout: str = "10s") -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address``.

    Raises
    ------
    McError
        No scheduler answers within ``timeout`` (one line for the user).
    """
    from distributed import Client

    try:
        return Client(str(address), timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise McError(f"--scheduler {address}: cannot connect: {exc}") from None


def _execute_dask(
    fn: ReplicationFn, jobs: Sequence[Job], scheduler: Any
) -> Iterator[tuple[Job, dict[str, Any]]]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise McError(f"--scheduler needs dask.distributed: {exc}") from None
    own = not isinstance(scheduler, Client)
    client = connect(scheduler) if own else scheduler
    scattered: dict[str, Any] = {}
    pending: dict[Any, Job] = {}
    ac = as_completed()
    try:
        n_threads = max(1, sum(client.nthreads().values()))

        def submit(job: Job) -> None:
            h = scenario_hash(job.raw)
            if h not in scattered:
                # a list of one: scattering a dict itself would scatter its values under
                # its keys ("name", "red", ...), shared by every point -- each point's
                # replications would then read whichever scenario was scattered first
                (scattered[h],) = client.scatter([job.raw], broadcast=True, hash=False)
            fut = client.submit(fn, scattered[h], job.seed, pure=False)
            pending[fut] = job
            ac.add(fut)

        it = iter(jobs)
        for job in it:
            submit(job)
            if len(pending) >= 2 * n_threads + 2:  # +2: hide scheduler round trips
                break
        for fut in ac:
            job = pending.pop(fut)
            if fut.status != "finished":
                err = fut.exception()
                raise ReplicationFailed(_failure(job, err)) from err
            result = fut.result()
            nxt = next(it, None)
            if nxt is not None:
                submit(nxt)
            yield job, result
    finally:
        if pending:
            client.cancel(list(pending))
        if own:
            client.close()


# ------------------------------------------------------------------ batches


@dataclass
class BatchResult:
    """What a finished batch left in ``out_dir``."""

    out_dir: Path
    rows: list[dict[str, Any]]
    resumed: int
    ran: int
    manifest: dict[str, Any]


def run_batch(
    points: Sequence[tuple[dict[str, Any], dict[str, Any]]],
    n: int,
    out_dir: Path,
    manifest: dict[str, Any],
    *,
    base_seed: int,
    replication: ReplicationFn = run_replication,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    on_row: RowCallback | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run ``n`` replications of every point, durably, resuming what is missing.

    Parameters
    ----------
    points : sequence of (raw scenario, extra row fields)
        One entry for a plain Monte Carlo (extra ``{}``); one per grid point for a sweep
        (extra ``{"point": p, "param:<path>": value, ...}``).
    n : int
        Replications per point. Replication ``i`` of every point runs with
        ``replication_seed(base_seed, i)`` (common random numbers across points).
    out_dir, manifest, resume
        See :func:`prepare_dir`.
    on_start : callable(done, total), optional
        Called once before running with the rows already present and the total.
    on_row : callable(row), optional
        Called after each new row is durably written.

    Returns
    -------
    BatchResult
        ``rows`` sorted by (point, replication), one per replication.
    """
    if n < 1:
        raise McError(f"-n {n}: need at least one replication")
    if workers is not None and workers < 0:
        raise McError(f"--workers {workers}: must be >= 0")
    out_dir = Path(out_dir)
    # connect before touching out_dir: an unreachable scheduler leaves nothing behind
    own_client = connect(scheduler) if isinstance(scheduler, str) else None
    try:
        prepare_dir(out_dir, manifest, resume)
        done_rows, new_rows = _run_missing(
            points,
            n,
            out_dir,
            base_seed,
            replication,
            workers,
            own_client if own_client is not None else scheduler,
            on_row,
            on_start,
        )
    finally:
        if own_client is not None:
            own_client.close()
    rows = sorted(done_rows + new_rows, key=row_key)
    return BatchResult(out_dir, rows, len(done_rows), len(new_rows), manifest)


def _run_missing(
    points: Sequence[tuple[dict[str, Any], dict[str, Any]]],
    n: int,
    out_dir: Path,
    base_seed: int,
    replication: ReplicationFn,
    workers: int | None,
    scheduler: Any,
    on_row: RowCallback | None,
    on_start: Callable[[int, int], None] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the replications without a row in ``out_dir``; (rows found, rows added)."""
    with ResultsFile(out_dir / RESULTS) as results:
        done_rows = unique_rows(results.rows)
        done = {row_key(r) for r in done_rows}
        jobs = [
            Job(int(extra.get("point", 0)), i, replication_seed(base_seed, i), raw)
            for i in range(n)
            for raw, extra in points
            if (int(extra.get("point", 0)), i) not in done
        ]
        extras = {int(extra.get("point", 0)): extra for _, extra in points}
        if on_start is not None:
            on_start(len(done), len(done) + len(jobs))
        new_rows: list[dict[str, Any]] = []
        for job, summary in execute(replication, jobs, workers=workers, scheduler=scheduler):
            row = make_row(job.replication, job.seed, summary, extras[job.point])
            results.append(row)
            new_rows.append(row)
            if on_row is not None:
                on_row(row)
    return done_rows, new_rows


def run_montecarlo(
    scenario_raw: dict[str, Any],
    n: int,
    out_dir: str | Path,
    *,
    replication: ReplicationFn = run_replication,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    scenario_file: str | None = None,
    plots: bool = True,
    on_row: RowCallback | None = None,
    on_start: Callable[[int, int], None] | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Run ``n`` replications of a scenario; write rows, ``summary.json`` and plots.

    Parameters
    ----------
    scenario_raw : dict
        The YAML-loaded scenario (workers validate it). Its ``seed`` (default 0) is the
        batch's base seed.
    n : int
        Replications.
    out_dir : path
        Run directory (see the module docstring).
    replication : ReplicationFn
        Default :func:`run_replication` (the simulator).
    workers, scheduler
        See :func:`execute`.
    resume : bool
        Finish the batch in ``out_dir`` instead of refusing an existing directory.
    plots : bool
        Write ``histograms.png`` and ``running_mean.png``.

    Returns
    -------
    dict
        The summary written to ``summary.json``: batch identity, ``ran``/``resumed``
        counts and :func:`airdefsim.analysis.stats.summarize` of all rows.
    """
    out = Path(out_dir)
    base_seed = int(scenario_raw.get("seed", 0) or 0)
    manifest = {
        "version": MANIFEST_VERSION,
        "kind": "mc",
        "scenario": str(scenario_raw.get("name", "")),
        "scenario_file": scenario_file,
        "scenario_sha256": scenario_hash(scenario_raw),
        "n": int(n),
        "base_seed": base_seed,
        "replication": function_name(replication),
        "params": [],
    }
    batch = run_batch(
        [(scenario_raw, {})],
        n,
        out,
        manifest,
        base_seed=base_seed,
        replication=replication,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        on_row=on_row,
        on_start=on_start,
    )
    # statistics over every row; plots follow the order rows were written
    file_rows = unique_rows(read_rows(out / RESULTS))
    summary: dict[str, Any] = {
        "scenario": manifest["scenario"],
        "scenario_file": scenario_file,
        "base_seed": base_seed,
        "replication": manifest["replication"],
        "ran": batch.ran,
        "resumed": batch.resumed,
        **stats.summarize(batch.rows, confidence=confidence),
    }
    write_json(out / SUMMARY, summary)
    if plots:
        # matplotlib (imported by mcplots) is heavy: only when plotting
        from airdefsim.analysis import mcplots

        mcplots.plot_batch(file_rows, out, confidence=confidence)
    return summary
