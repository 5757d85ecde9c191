"""Metrics collector: CloudWatch series for the resources found by the inventory collectors.

Runs in phase 1 (after the inventory): it reads ``ecs_services``, ``ecs_clusters`` (those with
registered container instances: AWS/ECS ``CPUReservation`` / ``MemoryReservation`` per ``ClusterName``,
what the tasks reserve of the EC2 capacity), ``db_instances``,
``cache_clusters``, ``dynamodb_tables``, ``nat_gateways``, ``load_balancers``/``target_groups`` and
(globally, us-east-1, ``Region=Global``) ``distributions``, and asks ``GetMetricData`` for
:data:`SERIES` over ``params.collect.metrics_days`` (default 14) at ``metrics_period_s`` (default
3600), at most 500 queries per request.

Only the ``Average``, ``Maximum`` and ``Sum`` statistics are requested: percentile statistics fail
on the simulated estate (and cost the same); compute percentiles client-side from the hourly
series with :func:`series_percentile`.

Table ``metrics``: one row per (series, timestamp).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from awsassess.collect.context import Context
from awsassess.collect.rows import chunks
from awsassess.tables import dumps, loads

OPERATIONS: list[tuple[str, str]] = [("cloudwatch", "GetMetricData")]
TABLES = ["metrics"]
PHASE = 1
MAX_QUERIES = 500  # GetMetricData limit per request
MAX_DATAPOINTS = 100_800  # GetMetricData returns at most this many points per page


def queries_per_request(days: int, period_s: int) -> int:
    """Queries per GetMetricData request such that every series fits on one page: the requests then
    run side by side instead of as pages read one after another."""
    points = max(1, days * 86_400 // period_s)
    return max(1, min(MAX_QUERIES, MAX_DATAPOINTS // points))


@dataclass(frozen=True)
class Series:
    """Metrics of one namespace for one kind of resource."""

    source_table: str
    namespace: str
    metrics: tuple[tuple[str, tuple[str, ...]], ...]  # (metric name, statistics)


AVG_MAX = ("Average", "Maximum")
SUM = ("Sum",)
NAT_BYTES = ("BytesOutToDestination", "BytesOutToSource", "BytesInFromSource", "BytesInFromDestination")

SERIES: tuple[Series, ...] = (
    Series("ecs_services", "AWS/ECS", (("CPUUtilization", AVG_MAX), ("MemoryUtilization", AVG_MAX))),
    # what the tasks reserve of a cluster's EC2 container instances (published only for clusters that have some)
    Series("ecs_clusters", "AWS/ECS", (("CPUReservation", AVG_MAX), ("MemoryReservation", AVG_MAX))),
    Series("db_instances", "AWS/RDS", (("CPUUtilization", AVG_MAX), ("DatabaseConnections", AVG_MAX))),
    Series("db_instances", "AWS/DocDB", (("CPUUtilization", AVG_MAX), ("DatabaseConnections", AVG_MAX))),
    # cluster storage and I/O: what DocumentDB (and Aurora Standard) bill besides instances
    Series("db_clusters", "AWS/DocDB", (("VolumeBytesUsed", ("Average",)), ("VolumeReadIOPs", SUM),
                                        ("VolumeWriteIOPs", SUM))),
    Series("db_clusters", "AWS/RDS", (("VolumeBytesUsed", ("Average",)), ("VolumeReadIOPs", SUM),
                                      ("VolumeWriteIOPs", SUM))),
    Series("cache_clusters", "AWS/ElastiCache", (("CPUUtilization", AVG_MAX), ("EngineCPUUtilization", AVG_MAX),
                                                 ("CurrConnections", AVG_MAX))),
    Series("dynamodb_tables", "AWS/DynamoDB", (("ConsumedReadCapacityUnits", SUM),
                                               ("ConsumedWriteCapacityUnits", SUM))),
    Series("nat_gateways", "AWS/NATGateway", tuple((m, SUM) for m in NAT_BYTES)),
    Series("load_balancers", "AWS/ApplicationELB", (("RequestCount", SUM), ("ConsumedLCUs", AVG_MAX))),
    Series("target_groups", "AWS/ApplicationELB", (("HealthyHostCount", AVG_MAX), ("UnHealthyHostCount", AVG_MAX))),
    Series("distributions", "AWS/CloudFront", (("Requests", SUM), ("BytesDownloaded", SUM),
                                               ("CacheHitRate", ("Average",)))),
)
NEEDS = sorted({s.source_table for s in SERIES})  # a region's metrics start once these are collected there


def arn_suffix(arn: str, marker: str) -> str:
    """``app/name/id`` from a load balancer ARN (marker ``loadbalancer/``), ``targetgroup/name/id`` from a TG ARN."""
    if marker == "loadbalancer/":
        return arn.split(":loadbalancer/", 1)[-1]
    return arn[arn.index(marker):] if marker in arn else arn


def _count(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def resources(series: Series, rows: list[dict[str, Any]]) -> list[tuple[dict[str, str], str]]:
    """(dimensions, resource id) of every resource of ``rows`` this series applies to."""
    out: list[tuple[dict[str, str], str]] = []
    t = series.source_table
    for r in rows:
        if t == "ecs_services":
            out.append(({"ClusterName": r["cluster"], "ServiceName": r["service_name"]}, r["service_name"]))
        elif t == "ecs_clusters":
            if (_count(r.get("container_instances")) or 0) > 0 and r.get("cluster_name"):
                out.append(({"ClusterName": r["cluster_name"]}, r["cluster_name"]))
        elif t == "db_instances":
            is_docdb = str(r.get("engine", "")).lower() == "docdb"
            if is_docdb == (series.namespace == "AWS/DocDB"):
                out.append(({"DBInstanceIdentifier": r["db_instance_id"]}, r["db_instance_id"]))
        elif t == "db_clusters":
            engine = str(r.get("engine", "")).lower()
            is_docdb = engine == "docdb"
            if (is_docdb and series.namespace == "AWS/DocDB") or (
                    engine.startswith("aurora") and series.namespace == "AWS/RDS"):
                out.append(({"DBClusterIdentifier": r["cluster_id"]}, r["cluster_id"]))
        elif t == "cache_clusters":
            out.append(({"CacheClusterId": r["id"]}, r["id"]))
        elif t == "dynamodb_tables":
            out.append(({"TableName": r["table_name"]}, r["table_name"]))
        elif t == "nat_gateways":
            out.append(({"NatGatewayId": r["nat_gateway_id"]}, r["nat_gateway_id"]))
        elif t == "load_balancers":
            if r.get("type") == "application":
                out.append(({"LoadBalancer": arn_suffix(r["arn"], "loadbalancer/")}, r["name"]))
        elif t == "target_groups":
            for lb in loads(r.get("load_balancer_arns")) or []:
                if ":loadbalancer/app/" in lb:
                    out.append(({"LoadBalancer": arn_suffix(lb, "loadbalancer/"),
                                 "TargetGroup": arn_suffix(r["arn"], "targetgroup/")}, r["name"]))
        elif t == "distributions":
            out.append(({"DistributionId": r["distribution_id"], "Region": "Global"}, r["distribution_id"]))
    return out


@dataclass(frozen=True)
class Query:
    id: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    resource_id: str
    stat: str
    period_s: int

    def api(self) -> dict[str, Any]:
        return {"Id": self.id, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": self.namespace, "MetricName": self.metric,
                       "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(self.dimensions.items())]},
            "Period": self.period_s, "Stat": self.stat}}


def build_queries(table_rows: dict[str, list[dict[str, Any]]], period_s: int,
                  series: tuple[Series, ...] = SERIES) -> list[Query]:
    """Every (series, resource, statistic) query for the given source rows."""
    queries: list[Query] = []
    for s in series:
        for dims, rid in resources(s, table_rows.get(s.source_table, [])):
            for metric, stats in s.metrics:
                for stat in stats:
                    queries.append(Query(f"q{len(queries)}", s.namespace, metric, dims, rid, stat, period_s))
    return queries


def window(now: datetime, days: int, period_s: int) -> tuple[datetime, datetime]:
    """[start, end) aligned to the period, ending at the last full period before ``now``."""
    epoch = int(now.timestamp())
    end = datetime.fromtimestamp(epoch - epoch % period_s, tz=now.tzinfo)
    return end - timedelta(days=days), end


def rows_from_results(queries: list[Query], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {q.id: q for q in queries}
    rows = []
    for res in results:
        q = by_id.get(res.get("Id", ""))
        if q is None:
            continue
        dims = dumps(q.dimensions)
        for ts, value in zip(res.get("Timestamps", []) or [], res.get("Values", []) or [], strict=False):
            rows.append({"namespace": q.namespace, "metric": q.metric, "dimensions": dims,
                         "resource_id": q.resource_id, "stat": q.stat, "period_s": q.period_s,
                         "timestamp": ts, "value": float(value)})
    return rows


def _fetch(ctx: Context, region: str, queries: list[Query]) -> list[dict[str, Any]]:
    if not queries:
        return []
    period = int(ctx.option("metrics_period_s", 3600))
    days = int(ctx.option("metrics_days", 14))
    start, end = window(ctx.now, days, period)

    def batch(qs: list[Query]) -> list[dict[str, Any]]:
        results = ctx.paginate("cloudwatch", "GetMetricData", region, "MetricDataResults",
                               MetricDataQueries=[q.api() for q in qs], StartTime=start, EndTime=end,
                               ScanBy="TimestampAscending")
        return rows_from_results(qs, list(results))

    return [row for rows in ctx.map(batch, chunks(queries, queries_per_request(days, period))) for row in rows]


def collect(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
    period = int(ctx.option("metrics_period_s", 3600))
    tables = {s.source_table: ctx.rows(s.source_table, region) for s in SERIES if s.source_table != "distributions"}
    queries = build_queries(tables, period, tuple(s for s in SERIES if s.source_table != "distributions"))
    return {"metrics": _fetch(ctx, region, queries)}


def collect_global(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    period = int(ctx.option("metrics_period_s", 3600))
    cdn = tuple(s for s in SERIES if s.source_table == "distributions")
    queries = build_queries({"distributions": ctx.rows("distributions")}, period, cdn)
    return {"metrics": _fetch(ctx, "global", queries)}


# ------------------------------------------------------------------------------- analysis helper
def series_percentile(metrics: pd.DataFrame, namespace: str, metric: str, q: float = 95.0, *,
                      stat: str = "Maximum", resource_id: str | None = None) -> pd.Series:
    """The ``q``-th percentile of each resource's series (index: resource_id), computed client-side.

    Percentile statistics are not requested from CloudWatch; the percentile over the hourly
    ``Maximum`` (default) or ``Average`` points is a conservative stand-in.
    """
    df = metrics[(metrics["namespace"] == namespace) & (metrics["metric"] == metric) & (metrics["stat"] == stat)]
    if resource_id is not None:
        df = df[df["resource_id"] == resource_id]
    if df.empty:
        return pd.Series(dtype="float64", name=f"p{q:g}")
    return df.groupby("resource_id")["value"].quantile(q / 100.0).rename(f"p{q:g}")
