"""Rows and tables: helpers collectors build rows with (:func:`tag_map`, :func:`name_tag`,
:func:`chunks`) and :func:`build_frame`, which turns a table's rows into its documented DataFrame."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd

from awsassess.tables import columns

T = TypeVar("T")


def tag_map(tags: Any) -> dict[str, str]:
    """AWS tags in any of their shapes (``[{Key, Value}]``, ``[{key, value}]``, a dict) as a dict."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out: dict[str, str] = {}
    for t in tags:
        if isinstance(t, dict):
            k = t.get("Key", t.get("key"))
            if k is not None:
                out[str(k)] = str(t.get("Value", t.get("value", "")))
    return out


def name_tag(tags: Any) -> str:
    """The ``Name`` tag or ``''``."""
    return tag_map(tags).get("Name", "")


def chunks(seq: Sequence[T], size: int) -> list[list[T]]:
    """``seq`` in lists of at most ``size`` (API batch limits: ECS DescribeServices 10, ...)."""
    return [list(seq[i:i + size]) for i in range(0, len(seq), size)]


def _json_cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, list | dict | tuple) else value


def _date_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value


def build_frame(name: str, rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows -> DataFrame with exactly the documented columns (validated), Parquet-safe types.

    Datetimes become tz-aware UTC (naive ones are taken as UTC), lists/dicts JSON strings, and a
    column mixing incompatible types (e.g. int and str) becomes strings.
    """
    cols = columns(name)
    extra = sorted({k for r in rows for k in r} - set(cols))
    if extra:
        raise ValueError(f"table {name}: undocumented columns {extra}; add them to awsassess.tables first")
    df = pd.DataFrame(list(rows), columns=cols)
    for col in df.columns:
        if isinstance(df[col].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(df[col].dtype):
            df[col] = pd.to_datetime(df[col], utc=True)
            continue
        if df[col].dtype != object:
            continue
        kinds = {type(v) for v in df[col].array if v is not None and not (isinstance(v, float) and v != v)}
        if not kinds:
            continue
        if any(issubclass(k, list | dict | tuple) for k in kinds):
            df[col] = df[col].map(_json_cell)
            kinds = {type(v) for v in df[col].array if v is not None}
        if any(issubclass(k, datetime) for k in kinds) and all(issubclass(k, datetime) for k in kinds):
            df[col] = pd.to_datetime(df[col], utc=True)
            continue
        if any(issubclass(k, date) for k in kinds):
            df[col] = df[col].map(_date_cell)
            kinds = {type(v) for v in df[col].array if v is not None}
        if len(kinds) > 1 and not kinds <= {int, float} and not kinds <= {bool}:
            df[col] = df[col].map(lambda v: None if v is None else str(v))
    return df
