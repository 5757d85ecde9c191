"""Fast per-resource lookups over the snapshot's ``metrics`` table (built once per model run).

Same rows as :mod:`awsassess.metrics_stats` (one row per datapoint) but indexed by (namespace, metric, stat, resource id), because the
model asks for hundreds of series and filtering the whole table each time is slow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from awsassess.metrics_stats import dimensions
from awsassess.snapshot import Snapshot


@dataclass(frozen=True)
class Series:
    times: np.ndarray  # seconds since the epoch (float), sorted
    values: np.ndarray  # float
    period_s: float
    dims: dict[str, str]

    @property
    def covered_s(self) -> float:
        if not len(self.times):
            return 0.0
        return float(self.times[-1] - self.times[0]) + self.period_s


class MetricIndex:
    def __init__(self, snapshot: Snapshot):
        self._series: dict[tuple[str, str, str, str], list[Series]] = {}
        df = snapshot.table("metrics")
        if not len(df):
            return
        df = df[["namespace", "metric", "stat", "resource_id", "dimensions", "period_s", "timestamp", "value"]].copy()
        df["value"] = pd.to_numeric(df["value"], errors="coerce")
        df["period_s"] = pd.to_numeric(df["period_s"], errors="coerce").fillna(3600.0)
        ts = pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
        df["t"] = (ts - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        df = df[df["value"].notna() & ts.notna()]
        df["dimensions"] = df["dimensions"].astype(str)
        for key, g in df.groupby(["namespace", "metric", "stat", "resource_id", "dimensions"], sort=False):
            g = g.sort_values("t")
            ns, metric, stat, rid, dims = (str(k) for k in key)
            self._series.setdefault((ns, metric, stat, rid), []).append(
                Series(g["t"].to_numpy(), g["value"].to_numpy(dtype=float), float(g["period_s"].max()),
                       dimensions(dims)))

    def get(self, namespace: str, metric: str, stat: str, resource_id: str,
            dims: dict[str, str] | None = None) -> Series | None:
        found = self._series.get((namespace, metric, stat, str(resource_id)), [])
        if dims:
            found = [s for s in found if all(s.dims.get(k) == v for k, v in dims.items())]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        times = np.concatenate([s.times for s in found])
        order = np.argsort(times, kind="stable")
        return Series(times[order], np.concatenate([s.values for s in found])[order],
                      max(s.period_s for s in found), found[0].dims)

    def monthly_sum(self, namespace: str, metric: str, resource_id: str, hours: float,
                    dims: dict[str, str] | None = None) -> float | None:
        """A Sum metric's total scaled from the covered window to ``hours``."""
        s = self.get(namespace, metric, "Sum", resource_id, dims)
        if s is None or s.covered_s <= 0:
            return None
        return float(s.values.sum()) / s.covered_s * hours * 3600.0

    def mean(self, namespace: str, metric: str, resource_id: str, stat: str = "Average",
             dims: dict[str, str] | None = None) -> float | None:
        s = self.get(namespace, metric, stat, resource_id, dims)
        return float(s.values.mean()) if s is not None and len(s.values) else None

    def max_rate(self, namespace: str, metric: str, resource_id: str) -> float | None:
        """The highest per-second rate of a Sum metric (Sum / period) over its datapoints."""
        s = self.get(namespace, metric, "Sum", resource_id)
        return float((s.values / s.period_s).max()) if s is not None and len(s.values) else None
