"""Parameter sweeps: a Monte Carlo batch at every point of a grid of scenario edits.

A sweep parameter is ``PATH=V1,V2,...`` where ``PATH`` addresses a value in the raw
scenario mapping with dots and ``[i]`` list indices (``red[0].count``,
``blue[0].doctrine.policy``) and each value is parsed as a YAML scalar (``10`` is an
int, ``20 s`` stays a string for the scenario's unit parser). The grid is the Cartesian
product of the parameters. Every grid point is validated before anything runs. Every
point runs the same replication seeds (common random numbers), so differences between
points are not blurred by independent noise.

Outputs in the run directory: ``results.jsonl`` (one row per replication with ``point``
and ``param:<path>``), ``sweep.csv`` and ``sweep.parquet`` (one row per point: the
parameter values, then for each metric ``<m>_mean``, ``<m>_std``, ``<m>_lo``, ``<m>_hi``,
``<m>_n``, and for each probability ``<p>``, ``<p>_lo``, ``<p>_hi``, ``<p>_n``),
``summary.json`` and ``sweep_<param>.png``.
"""

from __future__ import annotations

import copy
import csv
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from airdefsim.analysis import montecarlo, stats
from airdefsim.analysis.montecarlo import McError, ReplicationFn, RowCallback
from airdefsim.scenario import validate_dict

PathToken = str | int

_TOKEN = re.compile(r"\s*(?:(?P<key>[A-Za-z_][A-Za-z0-9_\-]*)|\[(?P<idx>-?\d+)\])")


class SweepError(McError):
    """A sweep parameter that cannot be used; ``str(err)`` is one line for the user."""


@dataclass(frozen=True)
class SweepParam:
    """One ``--set PATH=V1,V2,...``: the path text, its tokens and the values."""

    path: str
    tokens: tuple[PathToken, ...]
    values: tuple[Any, ...]


def parse_path(path: str) -> tuple[PathToken, ...]:
    """``"red[0].route[1].alt"`` -> ``("red", 0, "route", 1, "alt")``.

    Raises
    ------
    SweepError
        Empty path, a stray character, an index without a key before it, or a path
        not starting with a key.
    """
    text = path.strip()
    if not text:
        raise SweepError("empty path")
    tokens: list[PathToken] = []
    pos = 0
    while pos < len(text):
        if tokens and text[pos] == ".":
            pos += 1
            m = _TOKEN.match(text, pos)
            if m is None or m.group("key") is None:
                raise SweepError(f"{path!r}: expected a key after '.' at column {pos + 1}")
        else:
            m = _TOKEN.match(text, pos)
            if m is None or (not tokens and m.group("key") is None):
                raise SweepError(f"{path!r}: unexpected {text[pos]!r} at column {pos + 1}")
            if tokens and m.group("key") is not None:
                raise SweepError(f"{path!r}: expected '.' or '[' at column {pos + 1}")
        if m.group("key") is not None:
            tokens.append(m.group("key"))
        else:
            tokens.append(int(m.group("idx")))
        pos = m.end()
    return tuple(tokens)


def parse_value(text: str) -> Any:
    """One value as a YAML scalar: ``10`` -> 10, ``0.5`` -> 0.5, ``true`` -> True,
    ``shoot-look-shoot`` and ``20 s`` -> str."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_set(text: str) -> SweepParam:
    """Parse ``PATH=V1,V2,...`` (a ``--set`` option).

    Raises
    ------
    SweepError
        No ``=``, a bad path, no value, or a repeated value.
    """
    path, sep, vals = text.partition("=")
    if not sep:
        raise SweepError(f"--set {text}: expected PATH=VALUE[,VALUE...]")
    try:
        tokens = parse_path(path)
    except SweepError as exc:
        raise SweepError(f"--set {text}: bad path {exc}") from None
    parts = [v.strip() for v in vals.split(",")]
    if not vals.strip() or any(p == "" for p in parts):
        raise SweepError(f"--set {text}: empty value")
    values = tuple(parse_value(p) for p in parts)
    if len(set(map(repr, values))) != len(values):
        raise SweepError(f"--set {text}: a value is repeated")
    return SweepParam(path.strip(), tokens, values)


def set_path(raw: dict[str, Any], tokens: Sequence[PathToken], value: Any) -> dict[str, Any]:
    """A deep copy of ``raw`` with the value at ``tokens`` replaced (never mutates ``raw``).

    Missing mapping keys along the path are created (``blue[0].doctrine.policy`` works
    when the unit states no doctrine; the schema then rejects unknown keys). List
    indices must exist.

    Raises
    ------
    SweepError
        An index into something that is not a list, out of range, or a key into
        something that is not a mapping.
    """
    out = copy.deepcopy(raw)
    node: Any = out
    for depth, tok in enumerate(tokens):
        last = depth == len(tokens) - 1
        where = _format(tokens[:depth]) or "the scenario"
        if isinstance(tok, int):
            if not isinstance(node, list):
                raise SweepError(f"{_format(tokens)}: {where} is not a list")
            if not -len(node) <= tok < len(node):
                raise SweepError(f"{_format(tokens)}: {where} has {len(node)} entries, no [{tok}]")
            if last:
                node[tok] = value
            else:
                node = node[tok]
        else:
            if not isinstance(node, dict):
                raise SweepError(f"{_format(tokens)}: {where} is not a mapping")
            if last:
                node[tok] = value
            else:
                if node.get(tok) is None:
                    node[tok] = [] if isinstance(tokens[depth + 1], int) else {}
                node = node[tok]
    return out


def _format(tokens: Sequence[PathToken]) -> str:
    out = ""
    for t in tokens:
        out += f"[{t}]" if isinstance(t, int) else ("." if out else "") + t
    return out


@dataclass(frozen=True)
class GridPoint:
    """One point of the grid: its index, the values set and the edited raw scenario."""

    index: int
    values: dict[str, Any]
    raw: dict[str, Any]


def build_grid(base: dict[str, Any], params: Sequence[SweepParam]) -> list[GridPoint]:
    """Every combination of the parameters' values applied to ``base`` (first
    parameter varies slowest).

    Raises
    ------
    SweepError
        Repeated paths, or a path that does not fit the scenario's structure.
    """
    paths = [p.path for p in params]
    if len(set(paths)) != len(paths):
        raise SweepError("the same path is given to --set twice")
    grid = []
    for index, combo in enumerate(itertools.product(*(p.values for p in params))):
        raw = base
        for p, v in zip(params, combo, strict=True):
            try:
                raw = set_path(raw, p.tokens, v)
            except SweepError as exc:
                raise SweepError(f"--set {p.path}={_show(v)}: {exc}") from None
        grid.append(GridPoint(index, {p.path: v for p, v in zip(params, combo, strict=True)}, raw))
    return grid


def validate_grid(
    grid: Sequence[GridPoint],
    params: Sequence[SweepParam],
    validate: Callable[[dict[str, Any]], Any] | None = None,
) -> None:
    """Validate every grid point's scenario before anything runs.

    Parameters
    ----------
    validate : callable(raw), optional
        Raises on an invalid scenario; default
        :func:`airdefsim.scenario.validate_dict`.

    Raises
    ------
    SweepError
        One line: the offending ``--set`` value(s) and the first problem, e.g.
        ``--set red[0].count=abc: red[0].count: Input should be a valid integer``.
    """
    if validate is None:

        def validate(raw: dict[str, Any]) -> Any:
            return validate_dict(raw, file="<sweep>")

    for point in grid:
        try:
            validate(point.raw)
        except Exception as exc:
            problems = getattr(exc, "problems", None)
            if problems:
                first = problems[0]
                ppath = str(getattr(first, "path", ""))
                msg = f"{ppath}: {getattr(first, 'message', str(first))}"
            else:
                ppath = ""
                msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            culprit = [p for p in params if _path_related(p.path, ppath)]
            sets = culprit or params
            shown = " ".join(f"--set {p.path}={_show(point.values[p.path])}" for p in sets)
            raise SweepError(f"{shown}: {msg}") from None


def _norm_path(text: str) -> str:
    return re.sub(r"\[(\d+)\]", r".\1", text).strip(".")


def _path_related(a: str, b: str) -> bool:
    na, nb = _norm_path(a), _norm_path(b)
    if not na or not nb:
        return False
    return na == nb or na.startswith(nb + ".") or nb.startswith(na + ".")


def _show(v: Any) -> str:
    return (
        v
        if isinstance(v, str)
        else yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("...").strip()
    )


def sweep_table(
    rows: Sequence[dict[str, Any]], grid: Sequence[GridPoint], confidence: float = 0.95
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Per-point statistics of a sweep's rows.

    Returns
    -------
    table : list of dict
        One row per grid point (see the module docstring for the columns).
    metrics : list of str
        Metric names (``<m>_mean`` … columns).
    probabilities : list of str
        Probability names (``<p>`` … columns).
    """
    by_point: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_point.setdefault(int(r.get("point", 0)), []).append(r)
    metrics = stats.metric_names(rows)
    probs: list[str] = []
    table = []
    for point in grid:
        s = stats.summarize(by_point.get(point.index, []), metrics=metrics, confidence=confidence)
        out: dict[str, Any] = {"point": point.index, **point.values, "n": s["n"]}
        for m in metrics:
            st = s["metrics"][m]
            for key in ("mean", "std", "lo", "hi", "n"):
                out[f"{m}_{key}"] = st[key]
        for pname, pst in s["probabilities"].items():
            if pname not in probs:
                probs.append(pname)
            out[pname] = pst["p"]
            out[f"{pname}_lo"] = pst["lo"]
            out[f"{pname}_hi"] = pst["hi"]
            out[f"{pname}_n"] = pst["n"]
        table.append(out)
    return table, metrics, probs


def write_table(table: Sequence[dict[str, Any]], out_dir: Path) -> list[Path]:
    """``sweep.csv`` and ``sweep.parquet`` (same columns; parameter values that mix
    types are written as text in Parquet)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols: list[str] = []
    for r in table:
        for k in r:
            if k not in cols:
                cols.append(k)
    csv_path = out_dir / "sweep.csv"
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in table:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in cols})
    arrays = {}
    for c in cols:
        vals = [r.get(c) for r in table]
        try:
            arrays[c] = pa.array(vals)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[c] = pa.array([None if v is None else str(v) for v in vals])
    pq_path = out_dir / "sweep.parquet"
    pq.write_table(pa.table(arrays), pq_path)
    return [csv_path, pq_path]


def run_sweep(
    scenario_raw: dict[str, Any],
    sets: Sequence[str | SweepParam],
    n: int,
    out_dir: str | Path,
    *,
    replication: ReplicationFn = montecarlo.run_replication,
    validate: Callable[[dict[str, Any]], Any] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    scenario_file: str | None = None,
    plots: bool = True,
    on_row: RowCallback | None = None,
    on_start: Callable[[int, int], None] | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Run a Monte Carlo batch of ``n`` replications at every grid point.

    Parameters
    ----------
    scenario_raw : dict
        The base scenario (YAML-loaded); its ``seed`` is the base seed of every point.
    sets : sequence of str or SweepParam
        ``PATH=V1,V2,...`` each.
    validate : callable(raw), optional
        Scenario validator run on every point first (default
        :func:`airdefsim.scenario.validate_dict`).
    Other parameters as :func:`airdefsim.analysis.montecarlo.run_montecarlo`.

    Returns
    -------
    dict
        ``summary.json``: the batch identity, the parameter values and the table rows.

    Raises
    ------
    SweepError
        A bad ``--set`` (before anything runs).
    """
    if not sets:
        raise SweepError("a sweep needs at least one --set PATH=V1,V2,...")
    params = [s if isinstance(s, SweepParam) else parse_set(s) for s in sets]
    grid = build_grid(scenario_raw, params)
    validate_grid(grid, params, validate)
    out = Path(out_dir)
    base_seed = int(scenario_raw.get("seed", 0) or 0)
    manifest = {
        "version": montecarlo.MANIFEST_VERSION,
        "kind": "sweep",
        "scenario": str(scenario_raw.get("name", "")),
        "scenario_file": scenario_file,
        "scenario_sha256": montecarlo.scenario_hash(scenario_raw),
        "n": int(n),
        "base_seed": base_seed,
        "replication": montecarlo.function_name(replication),
        "params": [[p.path, list(p.values)] for p in params],
    }
    points = [
        (g.raw, {"point": g.index, **{f"param:{k}": v for k, v in g.values.items()}}) for g in grid
    ]
    batch = montecarlo.run_batch(
        points,
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
    table, metrics, probs = sweep_table(batch.rows, grid, confidence)
    write_table(table, out)
    summary = {
        "scenario": manifest["scenario"],
        "scenario_file": scenario_file,
        "base_seed": base_seed,
        "replication": manifest["replication"],
        "n": int(n),
        "confidence": confidence,
        "params": {p.path: list(p.values) for p in params},
        "ran": batch.ran,
        "resumed": batch.resumed,
        "metrics": metrics,
        "probabilities": probs,
        "table": table,
    }
    montecarlo.write_json(out / montecarlo.SUMMARY, summary)
    if plots:
        # matplotlib (imported by mcplots) is heavy: only when plotting
        from airdefsim.analysis import mcplots

        mcplots.plot_sweep(table, [p.path for p in params], [*metrics, *probs], out)
    return summary
