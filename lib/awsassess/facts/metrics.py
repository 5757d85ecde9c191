"""Metric facts several rooms share: per-service ECS utilisation statistics, NAT bytes, ELB dimensions.

Every percentile comes from :mod:`awsassess.metrics_stats` (one engine: the quantile over the datapoints
of one statistic inside the lookback window).
"""

from __future__ import annotations

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.snapshot import Snapshot
from awsassess.values import text


def elb_dimension(arn: str) -> str:
    """CloudWatch dimension value of an ELBv2 ARN: ``app/name/id`` or ``targetgroup/name/id``."""
    arn = text(arn)
    if ":loadbalancer/" in arn:
        return arn.split(":loadbalancer/", 1)[1]
    if ":targetgroup/" in arn:
        return "targetgroup/" + arn.split(":targetgroup/", 1)[1]
    return arn


def nat_bytes(snapshot: Snapshot, lookback_days: float) -> pd.DataFrame:
    """Bytes through each NAT gateway over the window: columns bytes, days (data coverage), datapoints.

    Everything a NAT gateway processes arrives on one side and leaves on the other, so both
    BytesInFromSource + BytesInFromDestination and BytesOutToDestination + BytesOutToSource measure
    it; the larger of the two pairs is used, which stays right when one metric was not collected.
    """
    pairs = []
    for pair in (("BytesOutToDestination", "BytesOutToSource"), ("BytesInFromSource", "BytesInFromDestination")):
        frames = [ms.series(snapshot, "AWS/NATGateway", m, "Sum", lookback_days=lookback_days) for m in pair]
        frames = [f for f in frames if len(f)]
        if not frames:
            continue
        df = pd.concat(frames)
        if "NatGatewayId" in df.columns:
            df["resource_id"] = df["NatGatewayId"].fillna(df["resource_id"])
        period = pd.to_numeric(df["period_s"], errors="coerce").fillna(3600)
        g = df.assign(period=period).groupby("resource_id")
        span = (g["timestamp"].max() - g["timestamp"].min()).dt.total_seconds() + g["period"].max()
        pairs.append(pd.DataFrame({"bytes": g["value"].sum(), "days": span / 86_400,
                                   "datapoints": g["timestamp"].nunique()}))
    if not pairs:
        return pd.DataFrame(columns=["bytes", "days", "datapoints"])
    if len(pairs) == 1:
        return pairs[0]
    both = pairs[0].add_suffix("_out").join(pairs[1].add_suffix("_in"), how="outer")
    use_in = both["bytes_in"].fillna(-1) > both["bytes_out"].fillna(-1)
    return pd.DataFrame({c: both[f"{c}_in"].where(use_in, both[f"{c}_out"]) for c in ("bytes", "days", "datapoints")})


def per_month(total: float, days: float) -> float:
    return total / days * 30.4 if days > 0 else 0.0


def ecs_metric_stats(snapshot: Snapshot, metric: str, stat: str, lookback_days: float) -> dict[tuple[str, str], dict]:
    """Per (cluster, service) statistics of an AWS/ECS metric (ECS or ECS/ContainerInsights)."""
    out: dict[tuple[str, str], dict] = {}
    for ns in ("ECS/ContainerInsights", "AWS/ECS"):
        st = ms.stats(snapshot, ns, metric, stat, lookback_days=lookback_days, by=("ClusterName", "ServiceName"))
        for key, row in st.to_dict("index").items():
            out[(text(key[0]), text(key[1]))] = row
        if out:
            break
    if not out:  # series collected without dimensions: resource_id is the service name
        st = ms.stats(snapshot, "AWS/ECS", metric, stat, lookback_days=lookback_days)
        for key, row in st.to_dict("index").items():
            out[("", text(key))] = row
    return out


def lookup_service(stats: dict[tuple[str, str], dict], cluster: str, service: str) -> dict | None:
    return stats.get((cluster, service)) or stats.get(("", service))
