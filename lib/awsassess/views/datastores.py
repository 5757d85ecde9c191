"""Data-store views: databases, caches, DynamoDB tables, utilisation chart."""

from __future__ import annotations

from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.datastores import cache_groups, db_metric, ddb_consumed
from awsassess.findings import engine_support
from awsassess.findings.base import num, text, truthy
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, absent, figure, table


def databases_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    a = assumptions or FindingsAssumptions()
    cpu = db_metric(snapshot, "CPUUtilization", "Average", a.metrics_lookback_days)
    conns = db_metric(snapshot, "DatabaseConnections", "Maximum", a.metrics_lookback_days)
    rows = []
    for r in snapshot.table("db_instances").itertuples():
        end = engine_support.end_of_standard_support(text(r.engine), text(r.engine_version))
        c, k = cpu.get(text(r.db_instance_id), {}), conns.get(text(r.db_instance_id), {})
        rows.append({"Instance": text(r.db_instance_id), "Engine": f"{text(r.engine)} {text(r.engine_version)}",
                     "Class": text(r.instance_class), "Multi-AZ": truthy(r.multi_az),
                     "Storage": f"{text(r.storage_type)} {num(r.allocated_gb, 0) or 0:.0f} GB".strip(),
                     "Cluster": text(r.cluster_id), "p95 CPU %": c.get("p95"), "Max connections": k.get("max"),
                     "Standard support ends": end.isoformat() if end else "–",
                     "Public": truthy(r.publicly_accessible)})
    return pd.DataFrame(rows)


def inventory(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """RDS and DocumentDB instances: engine, class, Multi-AZ, storage, p95 CPU, connections, support date."""
    return table(databases_frame(snapshot, assumptions), "No RDS or DocumentDB instances.")


def caches_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    a = assumptions or FindingsAssumptions()
    cpu = ms.stats(snapshot, "AWS/ElastiCache", "EngineCPUUtilization", "Average", lookback_days=a.metrics_lookback_days)
    if not len(cpu):
        cpu = ms.stats(snapshot, "AWS/ElastiCache", "CPUUtilization", "Average", lookback_days=a.metrics_lookback_days)
    conns = ms.stats(snapshot, "AWS/ElastiCache", "CurrConnections", "Maximum", lookback_days=a.metrics_lookback_days)
    rows = []
    for g in cache_groups(snapshot):
        members = [m for m in g["members"] if m in cpu.index]
        rows.append({"Cache": g["id"], "Kind": g["kind"], "Engine": g["engine"], "Node type": g["node_type"],
                     "Nodes": g["nodes"], "p95 CPU %": float(cpu.loc[members, "p95"].max()) if members else None,
                     "Max connections": float(conns.loc[[m for m in g["members"] if m in conns.index], "max"].max())
                     if any(m in conns.index for m in g["members"]) else None})
    return pd.DataFrame(rows)


def caches(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """ElastiCache replication groups and standalone clusters."""
    return table(caches_frame(snapshot, assumptions), "No ElastiCache clusters.")


def dynamodb_frame(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> pd.DataFrame:
    a = assumptions or FindingsAssumptions()
    reads = ddb_consumed(snapshot, "ConsumedReadCapacityUnits", a.metrics_lookback_days)
    writes = ddb_consumed(snapshot, "ConsumedWriteCapacityUnits", a.metrics_lookback_days)
    rows = []
    for r in snapshot.table("dynamodb_tables").itertuples():
        name = text(r.table_name)
        rows.append({"Table": name, "Billing": text(r.billing_mode), "RCU": num(r.rcu), "WCU": num(r.wcu),
                     "p95 reads/s": reads.get(name, {}).get("p95"), "p95 writes/s": writes.get(name, {}).get("p95"),
                     "Items": num(r.item_count), "Auto scaling": truthy(r.autoscaling)})
    return pd.DataFrame(rows)


def dynamodb(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """DynamoDB tables: billing mode, provisioned vs consumed capacity."""
    return table(dynamodb_frame(snapshot, assumptions), "No DynamoDB tables.")


def utilisation_chart(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """p95 CPU of every database and cache, and DynamoDB provisioned vs consumed capacity."""
    a = assumptions or FindingsAssumptions()
    dbs = databases_frame(snapshot, a)
    cs = caches_frame(snapshot, a)
    ddb = dynamodb_frame(snapshot, a)
    parts = [df[[col, "p95 CPU %"]].rename(columns={col: "name"}) for df, col in ((dbs, "Instance"), (cs, "Cache"))
             if len(df)]
    cpu = pd.concat(parts).dropna() if parts else pd.DataFrame()
    prov = ddb[ddb["Billing"] == "PROVISIONED"] if len(ddb) else ddb
    if not len(cpu) and not len(prov):
        return Note(absent(snapshot, "metrics", "No data-store metrics in this snapshot."))
    panels = int(bool(len(cpu))) + int(bool(len(prov)))
    fig = figure(9, max(2.5, 0.4 * max(len(cpu), 2 * len(prov)) + 1.6))
    i = 1
    if len(cpu):
        ax = fig.add_subplot(1, panels, i)
        i += 1
        ax.barh(cpu["name"], cpu["p95 CPU %"], color=PALETTE[0])
        ax.axvline(a.db_downsize_cpu_p95_pct, color="#c0392b", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.invert_yaxis()
        ax.set_title("p95 CPU % (dashed: low-utilisation threshold)", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    if len(prov):
        ax = fig.add_subplot(1, panels, i)
        labels, provisioned, consumed = [], [], []
        for r in prov.to_dict("records"):
            for kind, cap, used in (("reads", r["RCU"], r["p95 reads/s"]), ("writes", r["WCU"], r["p95 writes/s"])):
                labels.append(f"{r['Table']} {kind}")
                provisioned.append(0 if pd.isna(cap) else cap)
                consumed.append(0 if used is None or pd.isna(used) else used)
        ax.barh(labels, provisioned, color=PALETTE[2], label="provisioned")
        ax.barh(labels, consumed, color=PALETTE[4], label="p95 consumed")
        ax.invert_yaxis()
        ax.set_title("DynamoDB capacity units/s (provisioned tables)", fontsize=9)
        ax.legend(fontsize=8, frameon=True, loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "Data-store utilisation")
