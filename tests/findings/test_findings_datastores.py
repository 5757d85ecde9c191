"""Data-store rules: storage, classes, Multi-AZ, idle/low CPU, Extended Support, DocumentDB, caches, DynamoDB."""

from __future__ import annotations

from datetime import date

import pytest
from awsassess.findings import engine_support, evaluate
from snapshots_factory import SnapshotBuilder


def run(b: SnapshotBuilder, rule: str, **overrides):
    return evaluate(b.build(), overrides or None, rules=[rule])


def db(b: SnapshotBuilder, name: str, **kw):
    row = dict(db_instance_id=name, engine="postgres", engine_version="16.4", instance_class="db.m7g.large",
               multi_az=False, storage_type="gp3", allocated_gb=100, publicly_accessible=False, status="available",
               cluster_id="")
    row.update(kw)
    b.add("db_instances", **row)


def db_metrics(b: SnapshotBuilder, name: str, cpu: float, conns: float, ns: str = "AWS/RDS"):
    dims = {"DBInstanceIdentifier": name}
    b.metric(ns, "CPUUtilization", name, [cpu] * 336, dims=dims)
    b.metric(ns, "DatabaseConnections", name, [conns] * 336, stat="Maximum", dims=dims)


def test_gp2_to_gp3():
    b = SnapshotBuilder()
    db(b, "orders", storage_type="gp2", allocated_gb=500, multi_az=True)
    db(b, "new", storage_type="gp3")
    (f,) = run(b, "DAT-001")
    assert f.resource_ids == ["orders"]
    assert f.evidence["gp2_baseline_iops"] == 1500 and f.evidence["gp3_baseline_iops"] == 12000


def test_previous_generation_and_graviton():
    b = SnapshotBuilder()
    db(b, "old", instance_class="db.m4.large")
    db(b, "intel", instance_class="db.m5.large")
    db(b, "arm", instance_class="db.m7g.large")
    db(b, "mssql", engine="sqlserver-se", instance_class="db.m5.large")
    b.add("cache_clusters", id="c-old", engine="redis", node_type="cache.t2.small")
    prev = {f.resource_ids[0] for f in run(b, "DAT-002")}
    assert prev == {"old", "c-old"}
    grav = run(b, "DAT-003")
    assert [f.resource_ids[0] for f in grav] == ["intel"]
    assert grav[0].evidence["suggested_class"] == "db.m6g.large"


def test_multi_az_outside_production():
    b = SnapshotBuilder(environment="staging")
    db(b, "stg", multi_az=True)
    db(b, "single", multi_az=False)
    b.add("db_clusters", cluster_id="docdb-stg", engine="docdb", members=2, instance_ids=["a", "b"])
    b.add("replication_groups", id="redis-stg", engine="redis", node_type="cache.t4g.small", nodes=2, multi_az=True)
    ids = sorted(f.resource_ids[0] for f in run(b, "DAT-004"))
    assert ids == ["docdb-stg", "redis-stg", "stg"]
    prod = SnapshotBuilder(environment="Production")
    db(prod, "prod", multi_az=True)
    assert run(prod, "DAT-004") == []


def test_idle_and_low_cpu_db():
    b = SnapshotBuilder()
    db(b, "idle", instance_class="db.m5.xlarge")
    db_metrics(b, "idle", 2.0, 0)
    db(b, "quiet", instance_class="db.m5.xlarge")
    db_metrics(b, "quiet", 6.0, 12)
    db(b, "busy", instance_class="db.m5.xlarge")
    db_metrics(b, "busy", 34.0, 80)
    db(b, "nodata")
    assert [f.resource_ids[0] for f in run(b, "DAT-005")] == ["idle"]
    (low,) = run(b, "DAT-006")
    assert low.resource_ids == ["quiet"]
    assert low.evidence["suggested_class"] == "db.m6g.large" and low.evidence["projected_cpu_p95_pct"] == 12


@pytest.mark.parametrize(("engine", "version", "expected"), [
    ("postgres", "13.12", date(2026, 2, 28)), ("postgres", "16.4", date(2029, 2, 28)),
    ("mysql", "8.0.35", date(2026, 7, 31)), ("mysql", "5.7.44-RDS.20240208", date(2024, 2, 29)),
    ("aurora-mysql", "5.7.mysql_aurora.2.11.2", date(2024, 10, 31)), ("redis", "5.0.6", date(2026, 1, 31)),
    ("redis", "7.1", None), ("oracle-ee", "19", None)])
def test_engine_support_table(engine, version, expected):
    assert engine_support.end_of_standard_support(engine, version) == expected


def test_extended_support_relative_to_the_snapshot_date():
    b = SnapshotBuilder()  # collected 2026-11-20
    db(b, "pg13", engine_version="13.12")
    db(b, "pg14", engine_version="14.10")
    db(b, "pg16", engine_version="16.4")
    found = {f.resource_ids[0]: f for f in run(b, "DAT-007")}
    assert set(found) == {"pg13", "pg14"}
    assert found["pg13"].evidence["in_extended_support"] and found["pg13"].severity == "high"
    assert not found["pg14"].evidence["in_extended_support"] and found["pg14"].evidence["days_left"] == 100
    assert run(b, "DAT-007", extended_support_warn_days=30).__len__() == 1


def docdb(b: SnapshotBuilder, cluster: str, n: int, cls: str, cpu: float, conns: float):
    ids = [f"{cluster}-{i}" for i in range(n)]
    b.add("db_clusters", cluster_id=cluster, engine="docdb", engine_version="5.0.0", members=n, instance_ids=ids,
          storage_type="")
    for i in ids:
        db(b, i, engine="docdb", engine_version="5.0.0", instance_class=cls, cluster_id=cluster, storage_type="")
        db_metrics(b, i, cpu, conns, ns="AWS/DocDB")


def test_docdb_oversized_and_idle():
    b = SnapshotBuilder(environment="staging")
    docdb(b, "docdb-low", 2, "db.r5.large", 11.0, 30)
    docdb(b, "docdb-idle", 1, "db.t3.medium", 4.0, 0)
    docdb(b, "docdb-busy", 2, "db.r6g.large", 60.0, 200)
    found = {f.resource_ids[0]: f for f in run(b, "DAT-008")}
    assert set(found) == {"docdb-low", "docdb-idle"}
    assert found["docdb-idle"].severity == "high" and found["docdb-idle"].evidence["idle"]
    assert found["docdb-low"].evidence["suggested_instances"] == 1
    assert "db.r6g.large" in found["docdb-low"].recommendation
    # docdb is not double-reported by the RDS low-CPU rule
    assert run(b, "DAT-006") == []


def test_docdb_io_optimized():
    b = SnapshotBuilder()
    docdb(b, "io-heavy", 1, "db.r6g.large", 40, 10)
    docdb(b, "io-light", 1, "db.r6g.large", 40, 10)
    b.add("spend", region="global", month="2026-10", service="Amazon DocumentDB (with MongoDB compatibility)", usd=400.0)
    # 1.5 M I/O per hour on io-heavy = ~1,095 M/month = ~$219 = 55% of $400
    for metric in ("VolumeReadIOPs", "VolumeWriteIOPs"):
        b.metric("AWS/DocDB", metric, "io-heavy", [750_000] * 336, stat="Sum", dims={"DBClusterIdentifier": "io-heavy"})
        b.metric("AWS/DocDB", metric, "io-light", [1_000] * 336, stat="Sum", dims={"DBClusterIdentifier": "io-light"})
    (f,) = run(b, "DAT-009")
    assert f.resource_ids == ["io-heavy"] and 50 < f.evidence["io_share_pct"] < 60
    assert f.evidence["estimate"] is True


def cache(b: SnapshotBuilder, rg: str, engine: str, node: str, nodes: int = 2):
    b.add("replication_groups", id=rg, engine=engine, node_type=node, nodes=nodes, multi_az=nodes > 1)
    for i in range(nodes):
        b.add("cache_clusters", id=f"{rg}-00{i + 1}", engine=engine, engine_version="7.1", node_type=node, nodes=1,
              replication_group_id=rg)


def test_redis_to_valkey_and_graviton_nodes():
    b = SnapshotBuilder()
    cache(b, "sessions", "redis", "cache.t3.medium")
    cache(b, "prices", "valkey", "cache.m7g.large")
    b.add("cache_clusters", id="memc", engine="memcached", node_type="cache.m5.large", nodes=2)
    (v,) = run(b, "DAT-010")
    assert v.resource_ids == ["sessions"] and v.evidence["nodes"] == 2
    grav = {f.resource_ids[0]: f.evidence["suggested_node_type"] for f in run(b, "DAT-011")}
    assert grav == {"sessions": "cache.t4g.medium", "memc": "cache.m6g.large"}


def test_idle_cache():
    b = SnapshotBuilder()
    cache(b, "idle", "redis", "cache.m6g.large")
    cache(b, "used", "redis", "cache.m6g.large")
    for node, v in (("idle-001", 1), ("idle-002", 1), ("used-001", 40), ("used-002", 2)):
        b.metric("AWS/ElastiCache", "CurrConnections", node, [v] * 48, stat="Maximum", dims={"CacheClusterId": node})
    (f,) = run(b, "DAT-012")
    assert f.resource_ids == ["idle"]


def ddb(b: SnapshotBuilder, name: str, mode: str, rcu: int = 0, wcu: int = 0, share: float | None = None, **kw):
    b.add("dynamodb_tables", table_name=name, billing_mode=mode, rcu=rcu, wcu=wcu, **kw)
    if share is not None:
        for metric, cap in (("ConsumedReadCapacityUnits", rcu), ("ConsumedWriteCapacityUnits", wcu)):
            b.metric("AWS/DynamoDB", metric, name, [cap * share * 3600] * 336, stat="Sum", dims={"TableName": name})


def test_dynamodb_low_utilisation_to_on_demand():
    b = SnapshotBuilder()
    ddb(b, "ledger", "PROVISIONED", 400, 200, share=0.08)
    ddb(b, "busy", "PROVISIONED", 100, 100, share=0.65)
    ddb(b, "sessions", "PAY_PER_REQUEST")
    (f,) = run(b, "DAT-013")
    assert f.resource_ids == ["ledger"]
    assert f.evidence["read_p95_pct"] == pytest.approx(8.0) and f.evidence["write_p95_pct"] == pytest.approx(8.0)


def test_dynamodb_without_autoscaling():
    b = SnapshotBuilder()
    ddb(b, "ledger", "PROVISIONED", 400, 200, autoscaling=False)
    ddb(b, "scaled", "PROVISIONED", 400, 200, autoscaling=False)
    b.add("autoscaling_targets", resource_id="table/scaled", service_namespace="dynamodb", policy_count=1)
    ddb(b, "sessions", "PAY_PER_REQUEST")
    assert [f.resource_ids[0] for f in run(b, "DAT-014")] == ["ledger"]
