"""Data-store facts: database metrics per instance, cache groups with their nodes, DynamoDB consumption."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.snapshot import Snapshot
from awsassess.values import num, text


def db_metric(snapshot: Snapshot, metric: str, stat: str, lookback: float) -> dict[str, dict]:
    """RDS and DocumentDB statistics of one metric per instance id over the lookback."""
    out: dict[str, dict] = {}
    for ns in ("AWS/RDS", "AWS/DocDB"):
        st = ms.stats(snapshot, ns, metric, stat, lookback_days=lookback)
        for rid, row in st.to_dict("index").items():
            out.setdefault(text(rid), row)
    return out


def cache_groups(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Replication groups plus standalone cache clusters, each with its member node ids."""
    nodes = snapshot.table("cache_clusters")
    members: dict[str, list[str]] = defaultdict(list)
    for r in nodes.itertuples():
        if text(r.replication_group_id):
            members[text(r.replication_group_id)].append(text(r.id))
    out = []
    for r in snapshot.table("replication_groups").itertuples():
        out.append({"region": text(r.region), "id": text(r.id), "engine": text(r.engine), "node_type": text(r.node_type),
                    "nodes": int(num(r.nodes, 0) or len(members.get(text(r.id), []))),
                    "members": members.get(text(r.id), []), "kind": "replication group"})
    known = {g["id"] for g in out}
    for r in nodes.itertuples():
        if text(r.replication_group_id) in known:
            continue  # reported with its replication group
        out.append({"region": text(r.region), "id": text(r.id), "engine": text(r.engine), "node_type": text(r.node_type),
                    "nodes": int(num(r.nodes, 1) or 1), "members": [text(r.id)], "kind": "cache cluster",
                    "engine_version": text(r.engine_version)})
    return out


def ddb_consumed(snapshot: Snapshot, metric: str, lookback: float) -> dict[str, dict]:
    """Consumed DynamoDB capacity per table (base table only) as units per second."""
    df = ms.series(snapshot, "AWS/DynamoDB", metric, "Sum", lookback_days=lookback)
    if not len(df):
        return {}
    if "GlobalSecondaryIndexName" in df.columns:
        df = df[df["GlobalSecondaryIndexName"].isna()]
    if "TableName" in df.columns:
        df = df.assign(resource_id=df["TableName"].fillna(df["resource_id"]))
    period = pd.to_numeric(df["period_s"], errors="coerce").fillna(60).clip(lower=1)
    df = df.assign(rate=df["value"] / period)
    out = {}
    for rid, g in df.groupby("resource_id"):
        out[text(rid)] = {"count": int(len(g)), "mean": float(g["rate"].mean()), "p95": float(g["rate"].quantile(0.95)),
                          "max": float(g["rate"].max())}
    return out


def db_cpu_p95(snapshot: Snapshot, a: SharedAssumptions) -> dict[str, float]:
    """p95 CPU per RDS/DocumentDB instance over the shared window and statistic; instances with fewer than
    ``min_datapoints`` are left out (not judged). The rules and the model's down-sizing both read it."""
    stats = db_metric(snapshot, "CPUUtilization", a.utilisation_statistic, a.metrics_lookback_days)
    return {rid: float(row["p95"]) for rid, row in stats.items()
            if (num(row.get("count"), 0) or 0) >= a.min_datapoints and num(row.get("p95")) is not None}


def docdb_instances_to_keep(instances: int, *, production: bool, low_cpu: bool,
                            shared: SharedAssumptions) -> int:
    """How many instances a DocumentDB cluster keeps: one outside production (a standby only matters in
    production); in production two (a primary and a failover replica) when every instance is at low CPU and
    production databases are right-sized, else all of them. Read by DAT-008 and the model."""
    if not production:
        return min(instances, 1)
    if low_cpu and shared.downsize_production_databases:
        return min(instances, 2)
    return instances
