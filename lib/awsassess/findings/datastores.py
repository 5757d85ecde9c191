"""Data-store rules: RDS, DocumentDB, ElastiCache and DynamoDB sizing, generations and engines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypedDict

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.datastore_class import (
    ClassTarget,
    is_graviton,
    is_previous_generation,
    parse_class,
    target_class,
)
from awsassess.facts.datastores import (
    cache_groups,
    db_cpu_p95,
    db_metric,
    ddb_consumed,
    docdb_instances_to_keep,
)
from awsassess.facts.metrics import per_month
from awsassess.findings import engine_support
from awsassess.findings.base import (
    Finding,
    is_production,
    json_list,
    num,
    rule,
    spec,
    text,
    truthy,
)
from awsassess.findings.saving import CLASS_OVERLAP, Basis, not_cost, not_modelled
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot


def _target(snapshot: Snapshot, a: FindingsAssumptions, cls: str, engine: str,
            cpu_p95: float | None = None) -> ClassTarget:
    """The class the plan moves this store to (the one the model prices): :func:`target_class`."""
    return target_class(cls, engine, cpu_p95=cpu_p95, production=is_production(snapshot, a), shared=a)


def _instances(snapshot: Snapshot) -> pd.DataFrame:
    d = snapshot.table("db_instances")
    return d[~d["status"].map(text).isin(["deleting", "deleted", "stopped"])]


def _cluster_of_instance(snapshot: Snapshot) -> dict[str, str]:
    out = {}
    for r in snapshot.table("db_clusters").itertuples():
        for i in json_list(r.instance_ids):
            out[text(i)] = text(r.cluster_id)
    return out


@rule("DAT-001", title="RDS storage on gp2: move to gp3", domain="datastores", severity="medium", effort="low",
      rationale=("gp3 costs about 20% less per GB than gp2 and gives 3,000 IOPS / 125 MiB/s baseline regardless "
                 "of size (12,000 IOPS from 400 GB on most engines); the change is online."),
      tables=("db_instances",),
      saving=Basis("gp3", "The instance's gp2 storage GB-months re-priced at the gp3 row of the same deployment "
                   "(Single-/Multi-AZ), plus gp3 IOPS above the baseline needed to keep gp2's baseline IOPS.",
                   overlaps=CLASS_OVERLAP),
      pillar="cost optimization", best_practice="COST06-BP02")
def gp2_storage(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = _instances(snapshot)
    d = d[d["storage_type"].map(text).astype(str).str.lower() == "gp2"]
    out = []
    for r in d.itertuples():
        gb = num(r.allocated_gb, 0) or 0
        out.append(spec("DAT-001").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
            title=f"{text(r.db_instance_id)}: {gb:.0f} GB on gp2" + (" (Multi-AZ: billed twice)" if truthy(r.multi_az) else ""),
            evidence={"engine": text(r.engine), "storage_type": "gp2", "allocated_gb": gb,
                      "multi_az": truthy(r.multi_az), "gp2_baseline_iops": int(max(100, min(16000, 3 * gb))),
                      "gp3_baseline_iops": 12000 if gb >= 400 else 3000},
            recommendation="Modify the instance to storage type gp3 (online, no downtime); keep the baseline IOPS.",
        ))
    return out


@rule("DAT-002", title="Previous-generation instance class", domain="datastores", severity="medium",
      effort="medium",
      rationale=("Previous-generation classes (t2, m4, r4, m3, r3 ...) cost more for less and lose support "
                 "first; current Graviton classes are faster and cheaper."),
      tables=("db_instances", "cache_clusters"),
      saving=Basis("class_change", "Instance or node hours re-priced at the suggested current-generation class.",
                   overlaps=CLASS_OVERLAP),
      pillar="cost optimization", best_practice="COST06-BP02")
def previous_generation(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    cpu = db_cpu_p95(snapshot, a)
    for r in _instances(snapshot).itertuples():
        cls, rid = text(r.instance_class), text(r.db_instance_id)
        if is_previous_generation(cls):
            t = _target(snapshot, a, cls, text(r.engine), cpu.get(rid))
            out.append(spec("DAT-002").finding(
                snapshot, region=text(r.region), resource_ids=[rid],
                title=f"{rid}: previous-generation {cls}" + (f" -> {t.target}" if t.changed else ""),
                evidence={"engine": text(r.engine), "instance_class": cls,
                          "suggested_class": t.target if t.changed else None, "why": t.reason()},
                recommendation=(f"Move to {t.target} during a maintenance window." if t.changed else
                                "Move to a current-generation class during a maintenance window."),
            ))
    for r in snapshot.table("cache_clusters").itertuples():
        if is_previous_generation(text(r.node_type)):
            t = _target(snapshot, a, text(r.node_type), text(r.engine))
            out.append(spec("DAT-002").finding(
                snapshot, region=text(r.region), resource_ids=[text(r.id)],
                title=f"{text(r.id)}: previous-generation {text(r.node_type)}" + (
                    f" -> {t.target}" if t.changed else ""),
                evidence={"engine": text(r.engine), "node_type": text(r.node_type),
                          "suggested_node_type": t.target if t.changed else None},
                recommendation=(f"Move to {t.target}." if t.changed else "Move to a current-generation node type."),
            ))
    return out


@rule("DAT-003", title="RDS/DocumentDB instance not on Graviton", domain="datastores", severity="low",
      effort="medium",
      rationale=("Graviton DB classes (m6g, r6g, t4g; r6g/t4g for DocumentDB) cost about 10-20% less than the "
                 "Intel class of the same size and usually perform better; the move is a class change. The "
                 "suggested class is the plan's (one size down too when the CPU is low: DAT-006)."),
      thresholds=("graviton_databases", "db_downsize_cpu_p95_pct", "downsize_production_databases"),
      tables=("db_instances", "metrics"),
      saving=Basis("class_change", "Instance hours re-priced at the suggested Graviton class.",
                   overlaps=CLASS_OVERLAP),
      pillar="cost optimization", best_practice="COST06-BP02")
def db_not_graviton(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    cpu = db_cpu_p95(snapshot, a)
    for r in _instances(snapshot).itertuples():
        cls, engine, rid = text(r.instance_class), text(r.engine), text(r.db_instance_id)
        if not parse_class(cls) or is_graviton(cls) or is_previous_generation(cls):
            continue  # DAT-002 reports previous generations
        t = _target(snapshot, a, cls, engine, cpu.get(rid))
        if not t.graviton:
            continue
        target = t.target
        out.append(spec("DAT-003").finding(
            snapshot, region=text(r.region), resource_ids=[rid],
            title=f"{rid}: {t.reason()}",
            evidence={"engine": engine, "instance_class": cls, "suggested_class": target,
                      "one_size_down": t.downsized, "multi_az": truthy(r.multi_az)},
            recommendation=f"Modify the instance class to {target} (a Multi-AZ failover keeps the downtime short).",
        ))
    return out


@rule("DAT-004", title="Multi-AZ outside production", domain="datastores", severity="medium", effort="low",
      rationale=("Multi-AZ doubles instance and storage cost for a standby that only matters when an outage of "
                 "that environment is expensive; staging and test rarely justify it."),
      thresholds=("production_environments",),
      tables=("db_instances", "db_clusters", "replication_groups"),
      saving=Basis("standby", "The standby outside production: half of a Multi-AZ instance's hours and the "
                   "Multi-AZ storage premium, cluster instances beyond the first, replica cache nodes.",
                   overlaps=CLASS_OVERLAP),
      pillar="cost optimization", best_practice="COST05-BP01")
def multi_az_non_prod(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if is_production(snapshot, a):
        return []
    out = []
    env = snapshot.environment or "(no environment label)"
    for r in _instances(snapshot).itertuples():
        if truthy(r.multi_az) and not text(r.cluster_id):
            out.append(spec("DAT-004").finding(
                snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
                title=f"{text(r.db_instance_id)}: Multi-AZ in {env}",
                evidence={"environment": snapshot.environment, "engine": text(r.engine),
                          "instance_class": text(r.instance_class)},
                recommendation="Convert to Single-AZ (modify, no downtime); keep automated backups.",
            ))
    for r in snapshot.table("db_clusters").itertuples():
        members = int(num(r.members, 0) or 0)
        if members > 1 or truthy(r.multi_az):
            out.append(spec("DAT-004").finding(
                snapshot, region=text(r.region), resource_ids=[text(r.cluster_id)],
                title=f"{text(r.cluster_id)}: {members} instances ({text(r.engine)}) in {env}",
                evidence={"environment": snapshot.environment, "engine": text(r.engine), "members": members},
                recommendation="Keep one instance outside production; add replicas only for load tests.",
            ))
    for r in snapshot.table("replication_groups").itertuples():
        if truthy(r.multi_az):
            out.append(spec("DAT-004").finding(
                snapshot, region=text(r.region), resource_ids=[text(r.id)],
                title=f"{text(r.id)}: Multi-AZ cache in {env}",
                evidence={"environment": snapshot.environment, "engine": text(r.engine),
                          "node_type": text(r.node_type), "nodes": int(num(r.nodes, 0) or 0)},
                recommendation="Use a single node (no replica) outside production.",
            ))
    return out


@rule("DAT-005", title="Idle database instance (no connections)", domain="datastores", severity="high",
      effort="low",
      rationale="An RDS or DocumentDB instance nobody connected to over the lookback bills for nothing.",
      thresholds=("db_idle_max_connections", "metrics_lookback_days", "min_datapoints"),
      tables=("db_instances", "metrics"),
      saving=Basis("delete", "The idle instance's hours, storage and IOPS lines: deleted."),
      pillar="cost optimization", best_practice="COST04-BP03")
def idle_db(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    conns = db_metric(snapshot, "DatabaseConnections", "Maximum", a.metrics_lookback_days) or \
        db_metric(snapshot, "DatabaseConnections", "Average", a.metrics_lookback_days)
    out = []
    for r in _instances(snapshot).itertuples():
        c = conns.get(text(r.db_instance_id))
        if not c or c["count"] < a.min_datapoints or c["max"] > a.db_idle_max_connections:
            continue
        out.append(spec("DAT-005").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
            title=f"{text(r.db_instance_id)}: no connections in {a.metrics_lookback_days} days",
            evidence={"engine": text(r.engine), "instance_class": text(r.instance_class),
                      "max_connections": c["max"], "datapoints": int(c["count"])},
            recommendation="Snapshot and delete it (or stop it if it is needed again soon).",
        ))
    return out


@rule("DAT-006", title="Low-CPU RDS instance", domain="datastores", severity="medium", effort="low",
      rationale=("An instance whose p95 CPU stays low for weeks can drop a size within its family and halve its "
                 "cost; the suggested class is the plan's (Graviton too: DAT-003)."),
      thresholds=("db_downsize_cpu_p95_pct", "downsize_production_databases", "graviton_databases",
                  "db_idle_max_connections", "metrics_lookback_days", "min_datapoints", "utilisation_statistic"),
      tables=("db_instances", "metrics"),
      saving=Basis("class_change", "Instance hours re-priced at the suggested smaller class.",
                   overlaps=CLASS_OVERLAP),
      pillar="cost optimization", best_practice="COST06-BP03")
def low_cpu_db(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    cpu = db_metric(snapshot, "CPUUtilization", a.utilisation_statistic, a.metrics_lookback_days)
    conns = db_metric(snapshot, "DatabaseConnections", "Maximum", a.metrics_lookback_days)
    out = []
    for r in _instances(snapshot).itertuples():
        if text(r.engine) == "docdb":
            continue  # DAT-008
        c = cpu.get(text(r.db_instance_id))
        if not c or c["count"] < a.min_datapoints:
            continue
        k = conns.get(text(r.db_instance_id))
        if k and k["max"] <= a.db_idle_max_connections:
            continue  # DAT-005 reports idle ones
        t = _target(snapshot, a, text(r.instance_class), text(r.engine), float(c["p95"]))
        if not t.downsized:
            continue
        smaller = t.target
        out.append(spec("DAT-006").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
            title=f"{text(r.db_instance_id)}: p95 CPU {c['p95']:.0f}% on {text(r.instance_class)}",
            evidence={"engine": text(r.engine), "instance_class": text(r.instance_class),
                      "cpu_p95_pct": round(float(c["p95"]), 1), "cpu_max_pct": round(float(c["max"]), 1),
                      "datapoints": int(c["count"]), "suggested_class": smaller,
                      "projected_cpu_p95_pct": round(float(c["p95"]) * 2, 1) if smaller else None,
                      "note": "check FreeableMemory and IOPS before downsizing: CPU alone does not size a database"},
            recommendation=(f"Downsize to {smaller} (projected p95 CPU ~{float(c['p95']) * 2:.0f}%) after checking "
                            "memory and IOPS headroom." if smaller else "Review the instance size."),
        ))
    return out


@rule("DAT-007", title="Engine version in or near paid Extended Support", domain="datastores", severity="medium",
      effort="medium",
      rationale=("After the end of standard support, RDS, Aurora and ElastiCache enrol the database in paid "
                 "Extended Support (billed per vCPU-hour) until it is upgraded."),
      thresholds=("extended_support_warn_days",),
      tables=("db_instances", "db_clusters", "cache_clusters"),
      saving=not_modelled("Extended Support charges are not in the model's cost lines."),
      pillar="operational excellence", best_practice="OPS05-BP05")
def extended_support(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    today = ms.as_of(snapshot).date()
    out = []
    seen_clusters: set[str] = set()
    candidates: list[tuple[str, str, str, str, str]] = []
    for r in snapshot.table("db_clusters").itertuples():
        candidates.append((text(r.region), text(r.cluster_id), text(r.engine), text(r.engine_version), "cluster"))
        seen_clusters.add(text(r.cluster_id))
    for r in _instances(snapshot).itertuples():
        if text(r.cluster_id) in seen_clusters:
            continue
        candidates.append((text(r.region), text(r.db_instance_id), text(r.engine), text(r.engine_version), "instance"))
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in snapshot.table("cache_clusters").itertuples():
        key = text(r.replication_group_id) or text(r.id)
        if key not in groups[(text(r.region), text(r.engine), text(r.engine_version))]:
            groups[(text(r.region), text(r.engine), text(r.engine_version))].append(key)
    for (region, engine, version), ids in groups.items():
        for i in ids:
            candidates.append((region, i, engine, version, "cache"))
    for region, rid, engine, version, kind in candidates:
        end = engine_support.end_of_standard_support(engine, version)
        if end is None:
            continue
        days = (end - today).days
        if days > a.extended_support_warn_days:
            continue
        in_es = days < 0
        out.append(spec("DAT-007").finding(
            snapshot, region=region, resource_ids=[rid],
            severity="high" if in_es else "medium",
            title=(f"{rid}: {engine} {version} is in paid Extended Support since {end.isoformat()}" if in_es else
                   f"{rid}: {engine} {version} leaves standard support on {end.isoformat()} ({days} days)"),
            evidence={"engine": engine, "engine_version": version, "kind": kind,
                      "major_version": engine_support.major_version(engine, version),
                      "end_of_standard_support": end.isoformat(), "days_left": days,
                      "in_extended_support": in_es, "support_table_as_of": engine_support.TABLE_AS_OF.isoformat()},
            recommendation="Plan the major-version upgrade (test with a blue/green deployment or a restored snapshot).",
        ))
    return out


# One instance in DAT-008's evidence (the functional form: "class" is a keyword).
DocdbInstanceUse = TypedDict("DocdbInstanceUse", {
    "instance": str, "class": str, "cpu_p95_pct": float, "max_connections": float | None})


@rule("DAT-008", title="DocumentDB cluster oversized or idle", domain="datastores", severity="medium",
      effort="low",
      rationale=("DocumentDB bills every instance hour; a cluster whose instances sit at low CPU (or have no "
                 "connections) can use fewer or smaller (t4g/r6g) instances."),
      thresholds=("utilisation_statistic", "db_downsize_cpu_p95_pct", "downsize_production_databases",
                  "graviton_databases", "db_idle_max_connections", "metrics_lookback_days", "min_datapoints",
                  "production_environments"),
      tables=("db_instances", "db_clusters", "metrics"),
      saving=Basis("docdb_rightsize", "Idle: every line of the cluster (deleted). Low CPU: the instance hours of "
                   "instances beyond the suggested count, and the others re-priced at the suggested class.",
                   overlaps=CLASS_OVERLAP),
      pillar="cost optimization", best_practice="COST06-BP03")
def docdb_oversized(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = _instances(snapshot)
    d = d[d["engine"].map(text) == "docdb"]
    if not len(d):
        return []
    cpu = db_metric(snapshot, "CPUUtilization", a.utilisation_statistic, a.metrics_lookback_days)
    conns = db_metric(snapshot, "DatabaseConnections", "Maximum", a.metrics_lookback_days)
    cluster_of = _cluster_of_instance(snapshot)
    prod = is_production(snapshot, a)
    by_cluster: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in d.itertuples():
        by_cluster[(text(r.region), text(r.cluster_id) or cluster_of.get(text(r.db_instance_id), ""))].append(r)
    out = []
    for (region, cluster), members in sorted(by_cluster.items()):
        per: list[DocdbInstanceUse] = []
        for r in members:
            c = cpu.get(text(r.db_instance_id))
            k = conns.get(text(r.db_instance_id))
            if not c or c["count"] < a.min_datapoints:
                per = []
                break
            per.append({"instance": text(r.db_instance_id), "class": text(r.instance_class),
                        "cpu_p95_pct": round(float(c["p95"]), 1),
                        "max_connections": None if not k else float(k["max"])})
        if not per:
            continue
        idle = all(p["max_connections"] is not None and p["max_connections"] <= a.db_idle_max_connections for p in per)
        peak = max(p["cpu_p95_pct"] for p in per)
        low = peak <= a.db_downsize_cpu_p95_pct
        keep = docdb_instances_to_keep(len(per), production=prod, low_cpu=low, shared=a)
        t = _target(snapshot, a, per[0]["class"], "docdb", peak)
        if not (idle or (low and (keep < len(per) or t.downsized))):
            continue  # nothing to right-size (a Graviton move alone is DAT-003's)
        smaller = t.target if t.changed else None
        suggestions = []
        if keep < len(per):
            suggestions.append(f"run {keep} instance(s) instead of {len(per)}")
        if smaller:
            suggestions.append(f"use {smaller} ({t.reason().split(': ', 1)[-1]})")
        out.append(spec("DAT-008").finding(
            snapshot, region=region, resource_ids=[cluster or per[0]["instance"]],
            severity="high" if idle else "medium",
            title=(f"DocumentDB {cluster}: no connections in {a.metrics_lookback_days} days" if idle else
                   f"DocumentDB {cluster}: {len(per)} x {per[0]['class']} at p95 CPU {peak:.0f}%"),
            evidence={"instances": per, "idle": idle, "low_cpu": low, "environment": snapshot.environment,
                      "suggested_instances": keep, "suggested_class": smaller},
            recommendation=("Delete the cluster after a final snapshot." if idle else
                            "Right-size: " + "; ".join(suggestions) + "." if suggestions else "Review the cluster size."),
        ))
    return out


@rule("DAT-009", title="DocumentDB storage: standard vs I/O-Optimized", domain="datastores", severity="low",
      effort="low",
      rationale=("Standard storage bills every I/O; I/O-Optimized bills none but raises instance and storage "
                 "prices. When I/O is more than ~25% of the DocumentDB bill, I/O-Optimized is cheaper; when it "
                 "is small, standard is."),
      thresholds=("docdb_io_usd_per_million", "docdb_io_optimized_min_share_pct", "metrics_lookback_days"),
      tables=("db_clusters", "metrics", "spend"),
      saving=not_modelled("The catalog has no DocumentDB I/O-Optimized prices."),
      pillar="cost optimization", best_practice="COST07-BP01")
def docdb_storage_type(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    clusters = snapshot.table("db_clusters")
    clusters = clusters[clusters["engine"].map(text) == "docdb"]
    spend = snapshot.table("spend")
    docdb_spend = spend[spend["service"].map(text).astype(str).str.contains("DocumentDB", case=False)]
    if not len(clusters) or not len(docdb_spend):
        return []
    monthly_usd = float(pd.to_numeric(docdb_spend.groupby("month")["usd"].sum(), errors="coerce")
                        .sort_index().iloc[-1])
    if monthly_usd <= 0:
        return []
    io: defaultdict[str, float] = defaultdict(float)
    days: defaultdict[str, float] = defaultdict(float)
    for metric in ("VolumeReadIOPs", "VolumeWriteIOPs"):
        st = ms.stats(snapshot, "AWS/DocDB", metric, "Sum", lookback_days=a.metrics_lookback_days)
        for rid, row in st.to_dict("index").items():
            io[text(rid)] += float(row["sum"])
            days[text(rid)] = max(days[text(rid)], (row["last"] - row["first"]).total_seconds() / 86400 + 1 / 24)
    out = []
    for r in clusters.itertuples():
        cid = text(r.cluster_id)
        if cid not in io:
            continue
        ios_month = per_month(io[cid], days[cid])
        io_usd = ios_month / 1e6 * a.docdb_io_usd_per_million
        share = 100 * io_usd / monthly_usd
        optimized = "iopt" in text(r.storage_type).lower()
        if not optimized and share >= a.docdb_io_optimized_min_share_pct:
            verdict = "switch to I/O-Optimized"
        elif optimized and share < a.docdb_io_optimized_min_share_pct / 2:
            verdict = "switch back to standard storage"
        else:
            continue
        out.append(spec("DAT-009").finding(
            snapshot, region=text(r.region), resource_ids=[cid],
            title=f"DocumentDB {cid}: I/O is ~{share:.0f}% of the DocumentDB bill: {verdict}",
            evidence={"storage_type": text(r.storage_type) or "standard", "io_per_month": round(ios_month),
                      "estimated_io_usd_per_month": round(io_usd, 2), "docdb_spend_usd_last_month": monthly_usd,
                      "io_share_pct": round(share, 1), "estimate": True,
                      "io_price_usd_per_million": a.docdb_io_usd_per_million},
            recommendation=f"Modify the cluster storage type ({verdict}); the change can be made once every 30 days.",
        ))
    return out


@rule("DAT-010", title="ElastiCache Redis OSS: move to Valkey", domain="datastores", severity="medium",
      effort="low",
      rationale=("ElastiCache for Valkey is API-compatible with Redis OSS and its node prices are 20% lower "
                 "(serverless ~33% lower); the engine change is an in-place upgrade."),
      tables=("replication_groups", "cache_clusters"),
      saving=Basis("class_change", "Redis OSS node hours re-priced at the Valkey row for the same node type.",
                   overlaps="priced at today's node type: overlaps DAT-011"),
      pillar="cost optimization", best_practice="COST05-BP04")
def redis_to_valkey(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for g in cache_groups(snapshot):
        if g["engine"].lower() != "redis":
            continue
        out.append(spec("DAT-010").finding(
            snapshot, region=g["region"], resource_ids=[g["id"]],
            title=f"{g['id']}: Redis OSS on {g['nodes']} x {g['node_type']}: Valkey is 20% cheaper per node",
            evidence={"engine": "redis", "node_type": g["node_type"], "nodes": g["nodes"], "kind": g["kind"]},
            recommendation="Upgrade the engine to Valkey 7.2+ in place (modify-replication-group --engine valkey).",
        ))
    return out


@rule("DAT-011", title="ElastiCache nodes not on Graviton", domain="datastores", severity="low", effort="low",
      rationale="Graviton node types (m6g, r6g, t4g) cost less than the Intel types of the same size.",
      thresholds=("graviton_databases",),
      tables=("replication_groups", "cache_clusters"),
      saving=Basis("class_change", "Node hours re-priced at the suggested Graviton node type, same engine.",
                   overlaps="priced at today's engine: overlaps DAT-010"),
      pillar="cost optimization", best_practice="COST06-BP02")
def cache_not_graviton(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for g in cache_groups(snapshot):
        nt = g["node_type"]
        if not parse_class(nt) or is_graviton(nt) or is_previous_generation(nt):
            continue
        t = _target(snapshot, a, nt, g["engine"])
        if not t.graviton:
            continue
        target = t.target
        out.append(spec("DAT-011").finding(
            snapshot, region=g["region"], resource_ids=[g["id"]],
            title=f"{g['id']}: {g['nodes']} x {nt} -> {target}",
            evidence={"engine": g["engine"], "node_type": nt, "nodes": g["nodes"], "suggested_node_type": target},
            recommendation=f"Change the node type to {target} (online scaling for replication groups).",
        ))
    return out


@rule("DAT-012", title="Idle ElastiCache cluster", domain="datastores", severity="high", effort="low",
      rationale="Cache nodes with no client connections over the lookback bill for nothing.",
      thresholds=("cache_idle_max_connections", "metrics_lookback_days", "min_datapoints"),
      tables=("replication_groups", "cache_clusters", "metrics"),
      saving=Basis("delete", "The idle cache's node hours: deleted."),
      pillar="cost optimization", best_practice="COST04-BP03")
def idle_cache(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    st = ms.stats(snapshot, "AWS/ElastiCache", "CurrConnections", "Maximum", lookback_days=a.metrics_lookback_days)
    if not len(st):
        return []
    out = []
    for g in cache_groups(snapshot):
        ids = [m for m in g["members"] if m in st.index]
        if not ids or len(ids) < len(g["members"]) or min(st.loc[ids, "count"]) < a.min_datapoints:
            continue
        peak = float(st.loc[ids, "max"].max())
        if peak > a.cache_idle_max_connections:
            continue
        out.append(spec("DAT-012").finding(
            snapshot, region=g["region"], resource_ids=[g["id"]],
            title=f"{g['id']}: at most {peak:.0f} connection(s) in {a.metrics_lookback_days} days",
            evidence={"max_curr_connections": peak, "nodes": g["nodes"], "node_type": g["node_type"]},
            recommendation="Delete the cache (take a final backup if it holds state).",
        ))
    return out


@rule("DAT-013", title="Provisioned DynamoDB table with low consumed capacity", domain="datastores",
      severity="medium", effort="low",
      rationale=("A provisioned table bills its RCU/WCU every hour whether used or not; when p95 consumption is "
                 "a small share of it, on-demand (pay per request) is usually cheaper."),
      thresholds=("ddb_low_utilization_pct", "metrics_lookback_days", "min_datapoints"),
      tables=("dynamodb_tables", "metrics"),
      saving=Basis("ddb_on_demand", "Provisioned RCU/WCU lines vs on-demand request units at the finding's mean "
                   "consumed read/write rates x the on-demand price rows (storage unchanged).",
                   overlaps="the model proposes the cheapest of on-demand and right-sized provisioned; its "
                   "figure for the table may differ"),
      pillar="cost optimization", best_practice="COST07-BP01")
def ddb_low_utilisation(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    t = snapshot.table("dynamodb_tables")
    t = t[t["billing_mode"].map(text).astype(str).str.upper() == "PROVISIONED"]
    if not len(t):
        return []
    reads = ddb_consumed(snapshot, "ConsumedReadCapacityUnits", a.metrics_lookback_days)
    writes = ddb_consumed(snapshot, "ConsumedWriteCapacityUnits", a.metrics_lookback_days)
    out = []
    for r in t.itertuples():
        name = text(r.table_name)
        rcu, wcu = num(r.rcu, 0) or 0, num(r.wcu, 0) or 0
        rd, wr = reads.get(name), writes.get(name)
        if not rd and not wr:
            continue
        if max(x["count"] for x in (rd, wr) if x) < a.min_datapoints:
            continue
        util = {}
        if rd and rcu:
            util["read_p95_pct"] = 100 * rd["p95"] / rcu
        if wr and wcu:
            util["write_p95_pct"] = 100 * wr["p95"] / wcu
        if not util or max(util.values()) > a.ddb_low_utilization_pct:
            continue
        out.append(spec("DAT-013").finding(
            snapshot, region=text(r.region), resource_ids=[name],
            title=f"DynamoDB {name}: p95 consumption {max(util.values()):.0f}% of provisioned {rcu:.0f} RCU / {wcu:.0f} WCU",
            evidence={"billing_mode": "PROVISIONED", "rcu": rcu, "wcu": wcu,
                      "consumed_read_per_s": {k: round(v, 2) for k, v in (rd or {}).items() if k != "count"},
                      "consumed_write_per_s": {k: round(v, 2) for k, v in (wr or {}).items() if k != "count"},
                      **{k: round(v, 1) for k, v in util.items()}, "autoscaling": truthy(r.autoscaling)},
            recommendation=("Switch the table to on-demand (PAY_PER_REQUEST); switching is allowed once every 24 h, "
                            "so it can be reverted if traffic grows steady."),
        ))
    return out


@rule("DAT-014", title="Provisioned DynamoDB table without auto scaling", domain="datastores", severity="low",
      effort="low",
      rationale="Fixed provisioned capacity is paid at peak all day and throttles above it.",
      tables=("dynamodb_tables", "autoscaling_targets"),
      saving=not_cost("Auto scaling: the saving depends on the load curve; DAT-013 prices on-demand."),
      pillar="cost optimization", best_practice="COST09-BP03")
def ddb_no_autoscaling(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    t = snapshot.table("dynamodb_tables")
    t = t[t["billing_mode"].map(text).astype(str).str.upper() == "PROVISIONED"]
    targets = snapshot.table("autoscaling_targets")
    scaled = {text(x) for x in targets[targets["service_namespace"].map(text) == "dynamodb"]["resource_id"]}
    out = []
    for r in t.itertuples():
        if truthy(r.autoscaling) or f"table/{text(r.table_name)}" in scaled:
            continue
        out.append(spec("DAT-014").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.table_name)],
            title=f"DynamoDB {text(r.table_name)}: provisioned {num(r.rcu, 0):.0f} RCU / {num(r.wcu, 0):.0f} WCU, no auto scaling",
            evidence={"rcu": num(r.rcu), "wcu": num(r.wcu), "gsi_count": num(r.gsi_count)},
            recommendation="Use on-demand, or add target-tracking auto scaling (70% utilisation) on reads and writes.",
        ))
    return out
