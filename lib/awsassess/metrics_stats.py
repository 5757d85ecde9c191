"""Statistics per resource from the snapshot's ``metrics`` table (shared by the rules and the cost model).

The ``metrics`` table holds one row per CloudWatch datapoint: ``namespace``, ``metric``,
``dimensions`` (JSON object), ``resource_id`` (the main dimension value), ``stat``, ``period_s``,
``timestamp``, ``value``. Percentiles are computed here, client side, over the datapoints of one
statistic (hourly ``Average`` by default), because CloudWatch percentile statistics are not
collected. "p95 CPU" therefore means: the 95th percentile of the hourly average CPU over the window.

The window ends at :func:`as_of` (the snapshot's collection time, else the newest datapoint) and
starts ``lookback_days`` before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd

from awsassess.snapshot import Snapshot
from awsassess.values import is_bool, json_value, missing

STAT_COLUMNS = ["count", "mean", "p50", "p95", "max", "min", "sum", "first", "last"]


def as_of(snapshot: Snapshot) -> pd.Timestamp:
    """The reference time of a snapshot: ``collected_at`` from the manifest, else the newest datapoint."""
    raw = snapshot.manifest.get("collected_at")
    if raw:
        ts = pd.Timestamp(raw)
        return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)
    metrics = snapshot.table("metrics")
    if len(metrics):
        ts = to_utc(metrics["timestamp"]).max()
        if pd.notna(ts):
            return ts
    return pd.Timestamp(datetime.now(UTC))


def to_utc(values: Any) -> pd.Series:
    """Timestamps (strings, naive or aware datetimes) as a timezone-aware UTC Series.

    A bool is no time (a flag written into a time column): it becomes NaT like any other unparseable cell.
    Left to pandas, a column of only bools converts to *naive* NaT, which callers then compare with aware
    times and crash; the result is therefore always made UTC-aware."""
    s = pd.Series(values)
    kind = pd.api.types.infer_dtype(s, skipna=True) if s.dtype == object else ""
    if pd.api.types.is_bool_dtype(s.dtype) or kind == "boolean":
        s = pd.Series(pd.NaT, index=s.index)
    elif kind.startswith("mixed"):  # only a mixed column is scanned cell by cell (metrics are large)
        flags = s.map(is_bool).astype(bool)
        if flags.any():
            s = s.where(~flags, None)
    out = pd.to_datetime(s, utc=True, errors="coerce", format="mixed")
    return out.dt.tz_localize(UTC) if out.dt.tz is None else out


@lru_cache(maxsize=4096)
def _parse_dims(raw: str) -> tuple[tuple[str, str], ...]:
    """Dimension pairs of a JSON cell: an object, or CloudWatch's list of ``{"Name", "Value"}``. Any other
    JSON (a number, ``null``, a string) or text that is not JSON names no dimension."""
    obj = json_value(raw)
    if isinstance(obj, list):  # [{"Name":..., "Value":...}] as CloudWatch returns them
        obj = {d.get("Name"): d.get("Value") for d in obj if isinstance(d, dict)}
    if not isinstance(obj, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in obj.items()))


def dimensions(raw: Any) -> dict[str, str]:
    """A ``dimensions`` cell decoded into a dict (``{}`` when empty or not a JSON object/list of pairs)."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if missing(raw):
        return {}
    return dict(_parse_dims(str(raw)))


def series(
    snapshot: Snapshot,
    namespace: str,
    metric: str,
    stat: str | None = None,
    *,
    lookback_days: float | None = None,
    resource_ids: Iterable[str] | None = None,
    dims: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Datapoints of one metric (optionally one statistic), newest window only.

    Returns the metrics rows (``timestamp`` as UTC datetimes, ``value`` as float) plus one column
    per dimension name found, sorted by resource and time. ``dims`` keeps rows whose dimensions
    include all the given name/value pairs. When ``snapshot`` has a ``series_cache`` dict (as during
    :func:`awsassess.findings.evaluate`) results are memoised there: treat them as read-only.
    """
    cache = getattr(snapshot, "series_cache", None)
    key = (namespace, metric, stat, lookback_days, None if resource_ids is None else tuple(sorted(map(str, resource_ids))),
           None if dims is None else tuple(sorted(dims.items())))
    if cache is not None and key in cache:
        return cache[key]
    out = _series(snapshot, namespace, metric, stat, lookback_days, resource_ids, dims)
    if cache is not None:
        cache[key] = out
    return out


def _metric_rows(snapshot: Snapshot, namespace: str, metric: str) -> pd.DataFrame:
    """Rows of one (namespace, metric); with a memoising snapshot the table is grouped only once."""
    df = snapshot.table("metrics")
    cache = getattr(snapshot, "series_cache", None)
    if cache is None or not len(df):
        return df[(df["namespace"] == namespace) & (df["metric"] == metric)] if len(df) else df
    if "__groups__" not in cache:
        cache["__groups__"] = df.groupby(["namespace", "metric"], sort=False).indices
    idx = cache["__groups__"].get((namespace, metric))
    return df.iloc[idx] if idx is not None else df.iloc[0:0]


def _series(snapshot: Snapshot, namespace: str, metric: str, stat: str | None, lookback_days: float | None,
            resource_ids: Iterable[str] | None, dims: dict[str, str] | None) -> pd.DataFrame:
    df = _metric_rows(snapshot, namespace, metric)
    if not len(df):
        return df.assign(value=pd.Series(dtype=float))
    if stat is not None:
        df = df[df["stat"] == stat]
    if resource_ids is not None:
        df = df[df["resource_id"].astype(str).isin({str(r) for r in resource_ids})]
    if not len(df):
        return df.assign(value=pd.Series(dtype=float))
    df = df.copy()
    df["timestamp"] = to_utc(df["timestamp"])
    values = df["value"]
    if values.dtype == bool or values.dtype == object:  # a bool is a wrong-typed cell, not 0 or 1 (missing)
        values = values.map(lambda v: None if is_bool(v) else v)
    df["value"] = pd.to_numeric(values, errors="coerce").astype(float)
    df = df[df["value"].notna()]
    if lookback_days is not None:
        end = as_of(snapshot)
        df = df[(df["timestamp"] > end - timedelta(days=lookback_days)) & (df["timestamp"] <= end)]
    parsed = {raw: dimensions(raw) for raw in df["dimensions"].dropna().unique()}
    names = sorted({k for d in parsed.values() for k in d})
    for name in names:
        df[name] = df["dimensions"].map({raw: d.get(name) for raw, d in parsed.items()})
    if dims:
        for k, v in dims.items():
            if k not in df.columns:
                return df.iloc[0:0]
            df = df[df[k] == v]
    return df.sort_values(["resource_id", "timestamp"]).reset_index(drop=True)


def stats(
    snapshot: Snapshot,
    namespace: str,
    metric: str,
    stat: str = "Average",
    *,
    lookback_days: float | None = None,
    by: str | Sequence[str] = "resource_id",
    dims: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Per-resource statistics of one metric/statistic over the window.

    Index: ``by`` (``resource_id`` by default, or dimension names such as
    ``("ClusterName", "ServiceName")``); columns: count, mean, p50, p95, max, min, sum, first, last
    (first/last are the times of the first and last datapoints).
    """
    df = series(snapshot, namespace, metric, stat, lookback_days=lookback_days, dims=dims)
    keys = [by] if isinstance(by, str) else list(by)
    if not len(df) or any(k not in df.columns for k in keys):
        index = pd.MultiIndex.from_tuples([], names=keys) if len(keys) > 1 else pd.Index([], name=keys[0])
        return pd.DataFrame({c: pd.Series(dtype=float) for c in STAT_COLUMNS}, index=index)
    g = df.groupby(keys if len(keys) > 1 else keys[0], dropna=True)
    out = pd.DataFrame({
        "count": g["value"].count(),
        "mean": g["value"].mean(),
        "p50": g["value"].quantile(0.50),
        "p95": g["value"].quantile(0.95),
        "max": g["value"].max(),
        "min": g["value"].min(),
        "sum": g["value"].sum(),
        "first": g["timestamp"].min(),
        "last": g["timestamp"].max(),
    })
    return out


def percentile(
    snapshot: Snapshot, namespace: str, metric: str, q: float, stat: str = "Average", **kw: Any
) -> pd.Series:
    """The ``q`` quantile (0..1) of each resource's datapoints (a Series indexed like :func:`stats`)."""
    df = series(snapshot, namespace, metric, stat, lookback_days=kw.pop("lookback_days", None),
                dims=kw.pop("dims", None))
    by = kw.pop("by", "resource_id")
    if kw:
        raise TypeError(f"unexpected arguments: {sorted(kw)}")
    keys = [by] if isinstance(by, str) else list(by)
    if not len(df) or any(k not in df.columns for k in keys):
        return pd.Series(dtype=float)
    return df.groupby(keys if len(keys) > 1 else keys[0])["value"].quantile(q)


def p95(snapshot: Snapshot, namespace: str, metric: str, stat: str = "Average", **kw: Any) -> pd.Series:
    """95th percentile per resource (see :func:`percentile`)."""
    return percentile(snapshot, namespace, metric, 0.95, stat, **kw)


def p50(snapshot: Snapshot, namespace: str, metric: str, stat: str = "Average", **kw: Any) -> pd.Series:
    """Median per resource (see :func:`percentile`)."""
    return percentile(snapshot, namespace, metric, 0.50, stat, **kw)


def rate_per_second(
    snapshot: Snapshot, namespace: str, metric: str, *, lookback_days: float | None = None,
    by: str | Sequence[str] = "resource_id",
) -> pd.DataFrame:
    """Per-resource statistics of a ``Sum`` metric turned into a per-second rate (value / period_s).

    Used for DynamoDB consumed capacity, where CloudWatch's Sum over a period divided by the period
    is the average consumed units per second.
    """
    df = series(snapshot, namespace, metric, "Sum", lookback_days=lookback_days)
    keys = [by] if isinstance(by, str) else list(by)
    if not len(df) or any(k not in df.columns for k in keys):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in STAT_COLUMNS})
    period = pd.to_numeric(df["period_s"], errors="coerce").fillna(60).clip(lower=1)
    df = df.assign(value=df["value"] / period)
    g = df.groupby(keys if len(keys) > 1 else keys[0])
    return pd.DataFrame({
        "count": g["value"].count(), "mean": g["value"].mean(), "p50": g["value"].quantile(0.5),
        "p95": g["value"].quantile(0.95), "max": g["value"].max(), "min": g["value"].min(),
        "sum": g["value"].sum(), "first": g["timestamp"].min(), "last": g["timestamp"].max(),
    })


def window_days(snapshot: Snapshot, namespace: str, metric: str, stat: str, resource_id: str,
                lookback_days: float | None = None) -> float:
    """Days actually covered by a resource's datapoints (first to last plus one period)."""
    df = series(snapshot, namespace, metric, stat, lookback_days=lookback_days, resource_ids=[resource_id])
    if not len(df):
        return 0.0
    period = float(pd.to_numeric(df["period_s"], errors="coerce").fillna(0).max() or 0)
    span = (df["timestamp"].max() - df["timestamp"].min()).total_seconds() + period
    return span / 86_400
