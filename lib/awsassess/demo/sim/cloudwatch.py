"""CloudWatch fills: metric series written in bulk; an indexed GetMetricData (percentiles
included) and ListMetrics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("cloudwatch", "GetMetricData"),  # put_metric_series, drop_metric_series, patch_cloudwatch_get_metric_data
    ("cloudwatch", "ListMetrics"),  # put_metric_series, drop_metric_series, patch_cloudwatch_list_metrics
    ("cloudwatch", "GetMetricStatistics"),  # put_metric_series, drop_metric_series
)


def put_metric_series(account_id: str, region: str, namespace: str, metric: str, dimensions: dict[str, str],
                      points: list[tuple[datetime, float, float, float, float]], unit: str | None = None) -> None:
    """Gap: seeding 14 days of hourly series for ~100 metrics through put_metric_data takes
    thousands of calls.

    Fill (A): append aggregated datapoints (timestamp, sum, minimum, maximum, sample count) straight
    to moto's CloudWatch backend (what put_metric_data with StatisticValues stores).
    """
    from moto.cloudwatch.models import MetricAggregatedDatum, cloudwatch_backends

    backend = cloudwatch_backends[account_id][region]
    if not points:
        return
    dims = [{"Name": k, "Value": v} for k, v in dimensions.items()]
    ts0, s0, lo0, hi0, n0 = points[0]
    template = MetricAggregatedDatum(namespace=namespace, name=metric, sum_stat=s0, min_stat=lo0, max_stat=hi0,
                                     sample_count=n0, dimensions=dims, timestamp=ts0.replace(tzinfo=None), unit=unit)
    backend.metric_data.append(template)
    shared = template.__dict__
    for ts, s, lo, hi, n in points[1:]:  # same objects, built without re-parsing the shared dimensions
        datum = object.__new__(MetricAggregatedDatum)
        datum.__dict__.update(shared)
        datum.timestamp, datum.sum, datum.min, datum.max, datum.sample_count = ts.replace(tzinfo=None), s, lo, hi, n
        backend.metric_data.append(datum)


def drop_metric_series(account_id: str, region: str,
                       series: list[tuple[str, str, dict[str, str]]]) -> int:
    """Gap: CloudWatch has no API to remove datapoints (they age out after 15 months), so a series an
    after-migration estate replaces (a service resized under the same dimensions, a store of another
    class) would hold both histories.

    Fill (A): remove every datapoint of each (namespace, metric, dimensions) series from moto's
    CloudWatch backend, before :func:`put_metric_series` writes what the lookback shows instead.
    Returns how many datapoints were removed.
    """
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[account_id][region]
    wanted = {(ns, name, tuple(sorted(dims.items()))) for ns, name, dims in series}
    kept = [md for md in backend.metric_data if (md.namespace, md.name, _dim_key(md.dimensions)) not in wanted]
    removed = len(backend.metric_data) - len(kept)
    if removed:
        backend.metric_data[:] = kept
        _METRIC_INDEX.pop(id(backend), None)
    return removed


def _dim_key(dims: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for d in dims or []:
        if isinstance(d, dict):
            out.append((d["Name"], d["Value"]))
        else:
            out.append((d.name, d.value))
    return tuple(sorted(out))


_METRIC_INDEX: dict[int, tuple[int, dict[tuple[Any, ...], list[Any]]]] = {}


def _metric_index(backend: Any) -> dict[tuple[Any, ...], list[Any]]:
    data = backend.get_all_metrics()
    cached = _METRIC_INDEX.get(id(backend))
    if cached and cached[0] == len(data):
        return cached[1]
    index: dict[tuple[Any, ...], list[Any]] = {}
    for md in data:
        index.setdefault((md.namespace, md.name, _dim_key(md.dimensions)), []).append(md)
    for series in index.values():
        series.sort(key=lambda m: m.timestamp)
    _METRIC_INDEX[id(backend)] = (len(data), index)
    return index


def _naive_utc(dt: Any) -> datetime:
    from datetime import UTC

    if isinstance(dt, str):
        from dateutil import parser

        dt = parser.parse(dt)
    if isinstance(dt, int | float):
        dt = datetime.fromtimestamp(dt, UTC)
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def _stat(stat: str, samples: list[Any]) -> float | None:
    """Statistic over moto datums (single values or aggregated StatisticValues)."""
    count = sum(getattr(m, "sample_count", 1) for m in samples)
    total = sum(getattr(m, "sum", getattr(m, "value", 0.0)) for m in samples)
    if not samples or count <= 0:
        return None
    if stat == "Sum":
        return total
    if stat == "SampleCount":
        return count
    if stat == "Average":
        return total / count
    if stat == "Maximum":
        return max(getattr(m, "max", getattr(m, "value", 0.0)) for m in samples)
    if stat == "Minimum":
        return min(getattr(m, "min", getattr(m, "value", 0.0)) for m in samples)
    if stat.startswith("p") and stat[1:].replace(".", "", 1).isdigit():
        # percentile over the stored samples; an aggregated datapoint contributes its average
        values = sorted(m.value if hasattr(m, "value") else m.sum / max(m.sample_count, 1) for m in samples)
        q = float(stat[1:]) / 100.0
        pos = q * (len(values) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(values) - 1)
        return values[lo] + (values[hi] - values[lo]) * (pos - lo)
    return None


def patch_cloudwatch_get_metric_data() -> None:
    """Gaps: percentile statistics (p90, p99...) fail the whole request with a 500 TypeError;
    dimension matching is unreliable; and every query scans every datapoint once per period
    (minutes for 14 days of hourly data across ~100 series).

    Fill (B): replace ``CloudWatchBackend.get_metric_data`` with an indexed implementation:
    exact namespace/metric/dimension match, period buckets aligned to the period, statistics
    Average/Sum/Minimum/Maximum/SampleCount and pNN (computed over the stored samples). Metric math
    expressions still return no values (compute them client-side).
    """
    from datetime import timedelta

    from moto.cloudwatch import models as cw_models

    if getattr(cw_models.CloudWatchBackend.get_metric_data, "_awsassess", False):
        return

    def get_metric_data(self: Any, queries: list[dict[str, Any]], start_time: Any, end_time: Any,
                        scan_by: str = "TimestampDescending") -> list[dict[str, Any]]:
        start, end = _naive_utc(start_time), _naive_utc(end_time)
        if start >= end:
            raise cw_models.ValidationError("The parameter EndTime must be greater than StartTime.")
        index = _metric_index(self)
        results = []
        for q in queries:
            if "MetricStat" not in q:
                results.append({"id": q["Id"], "label": q.get("Label") or q["Id"], "values": [],
                                "timestamps": [], "status_code": "Complete"})
                continue
            ms = q["MetricStat"]
            metric = ms["Metric"]
            period = int(ms["Period"])
            key = (metric["Namespace"], metric["MetricName"], _dim_key(metric.get("Dimensions")))
            buckets: dict[datetime, list[Any]] = {}
            epoch = datetime(1970, 1, 1)
            for md in index.get(key, []):
                ts = _naive_utc(md.timestamp)
                if start <= ts < end and (not ms.get("Unit") or md.unit == ms.get("Unit")):
                    slot = epoch + timedelta(seconds=((ts - epoch).total_seconds() // period) * period)
                    buckets.setdefault(slot, []).append(md)
            stamps = sorted(buckets, reverse=scan_by != "TimestampAscending")
            values = [_stat(ms["Stat"], buckets[t]) for t in stamps]
            keep = [(t, v) for t, v in zip(stamps, values, strict=True) if v is not None]
            if q.get("ReturnData", True):
                results.append({"id": q["Id"], "label": q.get("Label") or metric["MetricName"],
                                "values": [v for _, v in keep], "timestamps": [t for t, _ in keep],
                                "status_code": "Complete"})
        return results

    set_attrs(get_metric_data, _awsassess=True)
    set_attrs(cw_models.CloudWatchBackend, get_metric_data=get_metric_data)


def patch_cloudwatch_list_metrics() -> None:
    """Gap: list_metrics de-duplicates by comparing every datapoint with every metric found so far
    (seconds per call with 14 days of hourly data).

    Fill (B): answer from the series index (one entry per namespace/metric/dimension set), with the
    same filters (namespace, metric name, dimension names and optional values).
    """
    from moto.cloudwatch import models as cw_models

    if getattr(cw_models.CloudWatchBackend.get_filtered_metrics, "_awsassess", False):
        return

    def get_filtered_metrics(self: Any, metric_name: str, namespace: str,
                             dimensions: list[dict[str, str]]) -> list[Any]:
        out = []
        for (ns, name, dims), series in _metric_index(self).items():
            if (namespace and ns != namespace) or (metric_name and name != metric_name):
                continue
            have = dict(dims)
            if any(d["Name"] not in have or (d.get("Value") not in (None, "") and have[d["Name"]] != d["Value"])
                   for d in dimensions or []):
                continue
            out.append(series[0])
        return out

    set_attrs(get_filtered_metrics, _awsassess=True)
    set_attrs(cw_models.CloudWatchBackend, get_filtered_metrics=get_filtered_metrics)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_cloudwatch_get_metric_data,
    patch_cloudwatch_list_metrics,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
