"""The one JSON encoder of the project: NumPy values, NaN and infinities made safe.

Every file and wire message airdefsim writes as JSON goes through :func:`to_jsonable`
or :func:`dumps`: NumPy scalars and arrays become Python numbers and lists, a
non-finite float becomes ``null`` (JSON has no NaN; an undefined metric is ``null``),
dataclasses and Pydantic models become mappings, paths become strings. The output is
strict JSON (``allow_nan=False``), so a value that slips through fails loudly.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import PurePath
from typing import Any

import numpy as np


def to_jsonable(v: Any) -> Any:
    """``v`` as plain JSON values (dict, list, str, int, float, bool, None)."""
    if v is None or isinstance(v, bool | str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, np.generic):
        return to_jsonable(v.item())
    if isinstance(v, np.ndarray):
        return [to_jsonable(x) for x in v.tolist()]
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [to_jsonable(x) for x in v]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: to_jsonable(getattr(v, f.name)) for f in dataclasses.fields(v)}
    dump = getattr(v, "model_dump", None)
    if callable(dump):
        return to_jsonable(dump(mode="json"))
    if isinstance(v, PurePath):
        return str(v)
    return str(v)


def dumps(obj: Any, indent: int | None = 1, sort_keys: bool = True) -> str:
    """Deterministic strict JSON of ``obj`` (sorted keys, NaN as null). ``indent=None``
    gives the compact form (wire messages, JSON lines)."""
    sep = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        to_jsonable(obj), indent=indent, sort_keys=sort_keys, separators=sep, allow_nan=False
    )
