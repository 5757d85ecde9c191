"""Snapshot cell values as plain Python: a cell may be missing (None, NaN, ``pd.NA`` or NaT), a string, a number
or a bool.

One implementation for the findings rules (:mod:`awsassess.findings.base`) and the cost model
(:mod:`awsassess.model.costing`), which re-export these names, and for :mod:`awsassess.metrics_stats`.

JSON cells (lists and objects are stored as JSON text, see :mod:`awsassess.tables`) may hold anything a
collector or an older snapshot wrote: a JSON number, ``null``, a bare name that is not JSON, NaN. The
``json_*`` helpers never raise; each says what it makes of the shapes it was not written for.
"""

from __future__ import annotations

import json
import math
from typing import Any, overload

import numpy as np
import pandas as pd

TRUE_WORDS = frozenset({"true", "1", "yes", "enabled", "y"})


def missing(value: Any) -> bool:
    """None, a float NaN, ``pd.NA`` or NaT: how a missing cell arrives from pandas (a typed snapshot's
    ``Int64`` and ``boolean`` columns hold ``pd.NA``, its times NaT; see :mod:`awsassess.tables`)."""
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, float | np.floating) and math.isnan(value))
            or (isinstance(value, np.datetime64 | np.timedelta64) and bool(np.isnat(value))))


def truthy(value: Any) -> bool:
    """A boolean cell that may be stored as bool, number, string or None (missing is False)."""
    if missing(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


@overload
def num(value: Any) -> float | None: ...
@overload
def num(value: Any, default: float) -> float: ...
@overload
def num(value: Any, default: float | None) -> float | None: ...
def num(value: Any, default: float | None = None) -> float | None:
    """A numeric cell as float (``default`` when missing, NaN or not a number)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(out) else out


def text(value: Any) -> str:
    """A text cell as str ("" when missing: never "nan", "<NA>" or "NaT")."""
    if missing(value):
        return ""
    return str(value)


def is_bool(value: Any) -> bool:
    """A bool cell (Python or NumPy bool). Where a number or a time is expected a bool is a wrong-typed cell,
    not 1 second, 1 task or the epoch: readers of quantities and times treat it as missing."""
    return isinstance(value, bool | np.bool_)


def json_value(value: Any) -> Any:
    """A JSON cell decoded: lists, dicts and numbers as they are; None when missing, empty or not valid JSON
    (the caller cannot tell what a junk cell meant, so it is missing). For a reader that must not guess,
    e.g. a count taken from a list's length."""
    if missing(value) or isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def json_list(value: Any) -> list[Any]:
    """A JSON-list cell as a list, leniently: a list as it is, ``[]`` when missing, empty or JSON ``null``, and
    any other single value (a JSON number or object, or text that is not JSON such as a bare ``FARGATE``) as a
    one-item list. Callers check each item's type (a number is no subnet id, a dict no provider name)."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if missing(value) or (isinstance(value, str) and not value.strip()):
        return []
    if not isinstance(value, str):
        return [value]
    try:
        out = json.loads(value)
    except ValueError:
        return [value]
    if out is None:
        return []
    return out if isinstance(out, list) else [out]


def json_obj(value: Any) -> dict[str, Any]:
    """A JSON-object cell as a dict; ``{}`` for anything else (missing, a number, a list, text that is not
    JSON): the keys of an object cannot be guessed from another shape."""
    if isinstance(value, dict):
        return value
    out = json_value(value)
    return out if isinstance(out, dict) else {}


def documented(default: Any, description: str, unit: str, **kw: Any) -> Any:
    """A pydantic field for a user-facing assumption: default, description and unit (shown by
    ``awsassess assumptions`` and in the report's assumptions section)."""
    from pydantic import Field

    return Field(default, description=description, json_schema_extra={"unit": unit}, **kw)

