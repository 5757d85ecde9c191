"""Snapshot cell values as plain Python: a cell may be missing (None or NaN), a string, a number or a bool.

One implementation for the findings rules (:mod:`awsassess.findings.base`) and the cost model
(:mod:`awsassess.model.costing`), which re-export these names.
"""

from __future__ import annotations

import math
from typing import Any, overload

TRUE_WORDS = frozenset({"true", "1", "yes", "enabled", "y"})


def missing(value: Any) -> bool:
    """None or a float NaN (how a missing cell arrives from pandas)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


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
    """A text cell as str ("" when missing)."""
    if missing(value):
        return ""
    return str(value)


def documented(default: Any, description: str, unit: str, **kw: Any) -> Any:
    """A pydantic field for a user-facing assumption: default, description and unit (shown by
    ``awsassess assumptions`` and in the report's assumptions section)."""
    from pydantic import Field

    return Field(default, description=description, json_schema_extra={"unit": unit}, **kw)

