"""Data-store collector: RDS (incl. Aurora), DocumentDB, ElastiCache, DynamoDB.

Tables: ``db_instances``, ``db_clusters``, ``cache_clusters``, ``replication_groups``,
``serverless_caches``, ``dynamodb_tables``.

Notes on the APIs:
- ``docdb:DescribeDBClusters``/``DescribeDBInstances`` answer with *every* RDS cluster/instance (the
  DocumentDB API is the RDS API), so DocumentDB is read with the filter ``engine=docdb`` and RDS rows
  are de-duplicated by identifier.
- ``elasticache:DescribeCacheClusters`` with ``ShowCacheNodeInfo`` lists standalone clusters and
  replication-group members.
- ``elasticache:DescribeServerlessCaches`` does not exist in every partition/simulation: recorded as
  unsupported, not fatal.
- ``dynamodb_tables.autoscaling`` is derived from the ``autoscaling_targets`` table
  (``service_namespace == "dynamodb"``, ``resource_id == "table/<name>"``) by :func:`mark_autoscaling`;
  ``point_in_time_recovery`` from ``dynamodb:DescribeContinuousBackups`` (one call per table; None when
  it failed).
- Encryption, backup retention and deletion protection come with the describe calls above (no extra call);
  the subnets of a DB/cache subnet group come from the instance's own ``DBSubnetGroup`` or from the subnet
  groups already read for their VPC.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awsassess.collect.db_snapshots import bool_or_none, collect_snapshots
from awsassess.collect.pipelines import to_utc
from awsassess.tables import dumps

__all__ = [
    "mark_autoscaling",
    "parse_cache_cluster",
    "parse_db_cluster",
    "parse_db_instance",
    "parse_dynamodb_table",
    "parse_replication_group",
    "parse_serverless_cache",
    "point_in_time_recovery",
    "tags_object",
]


def tags_object(tag_list: Iterable[dict[str, Any]] | None) -> str:
    """``[{"Key": k, "Value": v}, ...]`` -> JSON object string."""
    return dumps({t.get("Key", ""): t.get("Value", "") for t in tag_list or []})


# ------------------------------------------------------------------------------ RDS / DocDB
def _subnet_ids(group: Any) -> list[str]:
    """Subnet ids of a DB or cache subnet group (``Subnets[].SubnetIdentifier``)."""
    subnets = group.get("Subnets") if isinstance(group, dict) else None
    return sorted({str(s.get("SubnetIdentifier") or "") for s in subnets or [] if isinstance(s, dict)} - {""})


def parse_db_instance(db: dict[str, Any]) -> dict[str, Any]:
    """A ``db_instances`` row from one ``describe_db_instances`` item (RDS or DocumentDB)."""
    subnet_group = db.get("DBSubnetGroup") or {}
    return {
        "db_instance_id": db.get("DBInstanceIdentifier", ""),
        "engine": db.get("Engine", ""),
        "engine_version": db.get("EngineVersion", ""),
        "instance_class": db.get("DBInstanceClass", ""),
        "multi_az": bool(db.get("MultiAZ", False)),
        "storage_type": db.get("StorageType", ""),
        "allocated_gb": db.get("AllocatedStorage"),
        "iops": db.get("Iops"),
        "publicly_accessible": bool(db.get("PubliclyAccessible", False)),
        "cluster_id": db.get("DBClusterIdentifier", ""),
        "status": db.get("DBInstanceStatus", ""),
        "created": to_utc(db.get("InstanceCreateTime")),
        "tags": tags_object(db.get("TagList")),
        "vpc_id": subnet_group.get("VpcId", "") if isinstance(subnet_group, dict) else "",
        "security_groups": dumps(_vpc_groups(db.get("VpcSecurityGroups"))),
        "storage_encrypted": bool_or_none(db.get("StorageEncrypted")),
        "backup_retention_days": db.get("BackupRetentionPeriod"),
        "deletion_protection": bool_or_none(db.get("DeletionProtection")),
        "az": db.get("AvailabilityZone") or "",
        "subnet_ids": dumps(_subnet_ids(subnet_group)),
        "read_replica_source": db.get("ReadReplicaSourceDBInstanceIdentifier") or "",
    }


def _vpc_groups(groups: Any) -> list[str]:
    """Security group ids of ``VpcSecurityGroups`` (RDS, DocumentDB) or ``SecurityGroups`` (ElastiCache)."""
    return sorted({str(g.get("VpcSecurityGroupId") or g.get("SecurityGroupId") or "") for g in groups or []
                   if isinstance(g, dict)} - {""})


def _cluster_storage_type(cluster: dict[str, Any]) -> str:
    storage = cluster.get("StorageType")
    if storage:
        return str(storage)
    engine = str(cluster.get("Engine", ""))
    if engine.startswith("aurora"):
        return "aurora"  # Aurora standard storage, reported without StorageType
    if engine == "docdb":
        return "standard"
    return ""


def parse_db_cluster(cluster: dict[str, Any], subnet_group_vpcs: dict[str, str] | None = None,
                     subnet_group_subnets: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A ``db_clusters`` row from one ``describe_db_clusters`` item.

    ``subnet_group_vpcs`` maps DB subnet group names to VPC ids and ``subnet_group_subnets`` to their subnet
    ids (``describe_db_subnet_groups``); clusters name their subnet group but not its VPC or subnets. Aurora
    and DocumentDB report a placeholder ``AllocatedStorage`` (1); ``allocated_gb`` is 0 for them (storage is
    billed by use).
    """
    ids: list[str] = []
    for member in cluster.get("DBClusterMembers") or []:
        ident = member.get("DBInstanceIdentifier")
        if ident and ident not in ids:
            ids.append(ident)
    engine = str(cluster.get("Engine", ""))
    shared_storage = engine.startswith("aurora") or engine in ("docdb", "neptune")
    group = cluster.get("DBSubnetGroup", "")
    return {
        "cluster_id": cluster.get("DBClusterIdentifier", ""),
        "engine": engine,
        "engine_version": cluster.get("EngineVersion", ""),
        "storage_type": _cluster_storage_type(cluster),
        "members": len(ids),
        "instance_ids": dumps(ids),
        "multi_az": bool(cluster.get("MultiAZ", False)),
        "status": cluster.get("Status", ""),
        "allocated_gb": 0 if shared_storage else (cluster.get("AllocatedStorage") or 0),
        "tags": tags_object(cluster.get("TagList")),
        "vpc_id": (subnet_group_vpcs or {}).get(group, "") if isinstance(group, str) else "",
        "security_groups": dumps(_vpc_groups(cluster.get("VpcSecurityGroups"))),
        "storage_encrypted": bool_or_none(cluster.get("StorageEncrypted")),
        "backup_retention_days": cluster.get("BackupRetentionPeriod"),
        "deletion_protection": bool_or_none(cluster.get("DeletionProtection")),
        "subnet_ids": dumps((subnet_group_subnets or {}).get(group, []) if isinstance(group, str) else []),
    }


# ------------------------------------------------------------------------------ ElastiCache
def parse_cache_cluster(cluster: dict[str, Any], subnet_group_vpcs: dict[str, str] | None = None,
                        subnet_group_subnets: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A ``cache_clusters`` row from one ``describe_cache_clusters`` item (``subnet_group_subnets``: cache
    subnet group name -> its subnet ids)."""
    nodes = cluster.get("NumCacheNodes")
    if nodes is None:
        nodes = len(cluster.get("CacheNodes") or [])
    return {
        "id": cluster.get("CacheClusterId", ""),
        "engine": cluster.get("Engine", ""),
        "engine_version": cluster.get("EngineVersion") or "",
        "node_type": cluster.get("CacheNodeType", ""),
        "nodes": nodes,
        "replication_group_id": cluster.get("ReplicationGroupId", ""),
        "status": cluster.get("CacheClusterStatus", ""),
        "az": cluster.get("PreferredAvailabilityZone", ""),
        "vpc_id": (subnet_group_vpcs or {}).get(cluster.get("CacheSubnetGroupName", ""), ""),
        "security_groups": dumps(_vpc_groups(cluster.get("SecurityGroups"))),
        "at_rest_encryption": bool_or_none(cluster.get("AtRestEncryptionEnabled")),
        "transit_encryption": bool_or_none(cluster.get("TransitEncryptionEnabled")),
        "snapshot_retention_days": cluster.get("SnapshotRetentionLimit"),
        "subnet_ids": dumps((subnet_group_subnets or {}).get(cluster.get("CacheSubnetGroupName", ""), [])),
    }


def _enabled(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("enabled", "enabling", "true")


def parse_replication_group(group: dict[str, Any], member_clusters: dict[str, dict[str, Any]] | None = None,
                            subnet_group_vpcs: dict[str, str] | None = None) -> dict[str, Any]:
    """A ``replication_groups`` row from one ``describe_replication_groups`` item.

    ``member_clusters`` (cache cluster id -> ``describe_cache_clusters`` item) supplies the node
    type, engine and subnet group when the group itself does not report them (older responses).
    Nodes = the larger of the member-cluster count and the node-group member count.
    """
    members = list(group.get("MemberClusters") or [])
    group_members = sum(len(ng.get("NodeGroupMembers") or []) for ng in group.get("NodeGroups") or [])
    clusters = member_clusters or {}
    known = [clusters[m] for m in members if clusters.get(m)]
    node_type = group.get("CacheNodeType") or next((k.get("CacheNodeType") for k in known if k.get("CacheNodeType")), "")
    engine = group.get("Engine") or next((k.get("Engine") for k in known if k.get("Engine")), "") or "redis"
    subnet_group = next((k.get("CacheSubnetGroupName") for k in known if k.get("CacheSubnetGroupName")), "")
    cluster_mode = _enabled(group.get("ClusterEnabled", False)) or str(group.get("ClusterMode", "")).lower() == "enabled"
    return {
        "id": group.get("ReplicationGroupId", ""),
        "engine": engine,
        "node_type": node_type,
        "nodes": max(len(members), group_members),
        "cluster_mode": cluster_mode,
        "multi_az": _enabled(group.get("MultiAZ", False)),
        "automatic_failover": _enabled(group.get("AutomaticFailover", False)),
        "status": group.get("Status", ""),
        "description": group.get("Description", ""),
        "vpc_id": (subnet_group_vpcs or {}).get(subnet_group, "") if subnet_group else "",
        "at_rest_encryption": bool_or_none(group.get("AtRestEncryptionEnabled")),
        "transit_encryption": bool_or_none(group.get("TransitEncryptionEnabled")),
        "snapshot_retention_days": group.get("SnapshotRetentionLimit"),
    }


def parse_serverless_cache(cache: dict[str, Any]) -> dict[str, Any]:
    """A ``serverless_caches`` row from one ``describe_serverless_caches`` item."""
    limits = cache.get("CacheUsageLimits") or {}
    return {
        "name": cache.get("ServerlessCacheName", ""),
        "engine": cache.get("Engine", ""),
        "status": cache.get("Status", ""),
        "max_data_gb": (limits.get("DataStorage") or {}).get("Maximum"),
        "max_ecpu": (limits.get("ECPUPerSecond") or {}).get("Maximum"),
    }


# --------------------------------------------------------------------------------- DynamoDB
def parse_dynamodb_table(table: dict[str, Any], continuous_backups: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``dynamodb_tables`` row from ``describe_table``'s ``Table`` (``autoscaling`` left None) and
    ``describe_continuous_backups``' ``ContinuousBackupsDescription`` (None: not read, PITR unknown).

    Tables created before on-demand existed have no ``BillingModeSummary``: they are PROVISIONED.
    """
    throughput = table.get("ProvisionedThroughput") or {}
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
    return {
        "table_name": table.get("TableName", ""),
        "billing_mode": billing,
        "rcu": throughput.get("ReadCapacityUnits", 0),
        "wcu": throughput.get("WriteCapacityUnits", 0),
        "size_bytes": table.get("TableSizeBytes", 0),
        "item_count": table.get("ItemCount", 0),
        "table_class": (table.get("TableClassSummary") or {}).get("TableClass") or "STANDARD",
        "gsi_count": len(table.get("GlobalSecondaryIndexes") or []),
        "autoscaling": None,
        "key_schema": key_schema(table),
        "point_in_time_recovery": point_in_time_recovery(continuous_backups),
        "deletion_protection": bool_or_none(table.get("DeletionProtectionEnabled")),
    }


def point_in_time_recovery(description: dict[str, Any] | None) -> bool | None:
    """PITR status of a ``ContinuousBackupsDescription``: True when ENABLED (or ENABLING), None when unknown."""
    if not isinstance(description, dict):
        return None
    status = (description.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    return None if not status else str(status).upper() in ("ENABLED", "ENABLING")


def key_schema(table: dict[str, Any]) -> dict[str, Any] | None:
    """The table's own keys (not its indexes'): ``{"hash_key", "range_key", "attributes": {name: S|N|B}}``,
    or None when ``describe_table`` gave no ``KeySchema``."""
    keys = {k.get("KeyType"): k.get("AttributeName") for k in table.get("KeySchema") or [] if isinstance(k, dict)}
    if not keys.get("HASH"):
        return None
    types = {a.get("AttributeName"): a.get("AttributeType") for a in table.get("AttributeDefinitions") or []
             if isinstance(a, dict)}
    names = [n for n in (keys.get("HASH"), keys.get("RANGE")) if n]
    return {"hash_key": keys["HASH"], "range_key": keys.get("RANGE") or "",
            "attributes": {n: types.get(n) or "" for n in names}}


def mark_autoscaling(table_rows: list[dict[str, Any]], targets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set ``autoscaling`` on ``dynamodb_tables`` rows from ``autoscaling_targets`` rows.

    A table has auto scaling when a target in namespace ``dynamodb`` has ``resource_id``
    ``table/<name>`` or ``table/<name>/index/<gsi>`` in the same account and region.
    """
    scaled: set[tuple[str, str, str]] = set()
    for t in targets:
        if str(t.get("service_namespace", "")) != "dynamodb":
            continue
        parts = str(t.get("resource_id", "")).split("/")
        if len(parts) >= 2 and parts[0] == "table":
            scaled.add((str(t.get("account_id", "")), str(t.get("region", "")), parts[1]))
    out = []
    for row in table_rows:
        key = (str(row.get("account_id", "")), str(row.get("region", "")), str(row.get("table_name", "")))
        out.append({**row, "autoscaling": key in scaled})
    return out


# ------------------------------------------------------------------------------ collection
OPERATIONS: list[tuple[str, str]] = [
    ("rds", "DescribeDBInstances"),
    ("rds", "DescribeDBClusters"),
    ("rds", "DescribeDBSubnetGroups"),
    ("docdb", "DescribeDBInstances"),
    ("docdb", "DescribeDBClusters"),
    ("elasticache", "DescribeCacheClusters"),
    ("elasticache", "DescribeReplicationGroups"),
    ("elasticache", "DescribeCacheSubnetGroups"),
    ("elasticache", "DescribeServerlessCaches"),
    ("dynamodb", "ListTables"),
    ("dynamodb", "DescribeTable"),
    ("dynamodb", "DescribeContinuousBackups"),
    ("application-autoscaling", "DescribeScalableTargets"),
    ("rds", "DescribeDBSnapshots"),
    ("rds", "DescribeDBClusterSnapshots"),
    ("rds", "DescribeDBSnapshotAttributes"),
    ("rds", "DescribeDBClusterSnapshotAttributes"),
]
TABLES: list[str] = [
    "db_instances", "db_clusters", "cache_clusters", "replication_groups", "serverless_caches", "dynamodb_tables",
    "db_snapshots",
]

_DOCDB = [{"Name": "engine", "Values": ["docdb"]}]


def _merge_by(key: str, *lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items of all lists de-duplicated by ``key``; a later list's item wins, first position kept."""
    merged: dict[str, dict[str, Any]] = {}
    for items in lists:
        for item in items:
            merged[str(item.get(key, ""))] = item
    return list(merged.values())


def _collect_rds(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    instances = ctx.paginate("rds", "DescribeDBInstances", region, "DBInstances")
    clusters = ctx.paginate("rds", "DescribeDBClusters", region, "DBClusters")
    subnet_groups = ctx.paginate("rds", "DescribeDBSubnetGroups", region, "DBSubnetGroups")
    # DocumentDB: same backend; the filter is required (without it every RDS cluster comes back).
    doc_instances = ctx.paginate("docdb", "DescribeDBInstances", region, "DBInstances", Filters=_DOCDB)
    doc_clusters = ctx.paginate("docdb", "DescribeDBClusters", region, "DBClusters", Filters=_DOCDB)
    doc_instances = [d for d in doc_instances if d.get("Engine") == "docdb"]
    doc_clusters = [c for c in doc_clusters if c.get("Engine") == "docdb"]
    vpcs = {g.get("DBSubnetGroupName", ""): g.get("VpcId", "") for g in subnet_groups}
    group_subnets = {g.get("DBSubnetGroupName", ""): _subnet_ids(g) for g in subnet_groups}
    cluster_rows = [parse_db_cluster(c, vpcs, group_subnets)
                    for c in _merge_by("DBClusterIdentifier", clusters, doc_clusters)]
    by_cluster = {c["cluster_id"]: c for c in cluster_rows}
    instance_rows = [parse_db_instance(d) for d in _merge_by("DBInstanceIdentifier", instances, doc_instances)]
    for row in instance_rows:  # cluster members may not report their subnet group's VPC and subnets
        cluster = by_cluster.get(row["cluster_id"]) if row["cluster_id"] else None
        if cluster is None:
            continue
        if not row["vpc_id"]:
            row["vpc_id"] = cluster["vpc_id"]
        if row["subnet_ids"] == "[]":
            row["subnet_ids"] = cluster["subnet_ids"]
    return {"db_instances": instance_rows, "db_clusters": cluster_rows}


def _collect_elasticache(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    clusters = ctx.paginate("elasticache", "DescribeCacheClusters", region, "CacheClusters", ShowCacheNodeInfo=True)
    groups = ctx.paginate("elasticache", "DescribeReplicationGroups", region, "ReplicationGroups")
    subnet_groups = ctx.paginate("elasticache", "DescribeCacheSubnetGroups", region, "CacheSubnetGroups") \
        if clusters or groups else []
    serverless = ctx.paginate("elasticache", "DescribeServerlessCaches", region, "ServerlessCaches")
    vpcs = {g.get("CacheSubnetGroupName", ""): g.get("VpcId", "") for g in subnet_groups}
    group_subnets = {g.get("CacheSubnetGroupName", ""): _subnet_ids(g) for g in subnet_groups}
    by_id = {c.get("CacheClusterId", ""): c for c in clusters}
    return {
        "cache_clusters": [parse_cache_cluster(c, vpcs, group_subnets) for c in clusters],
        "replication_groups": [parse_replication_group(g, by_id, vpcs) for g in groups],
        "serverless_caches": [parse_serverless_cache(s) for s in serverless],
    }


def _collect_dynamodb(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    names = ctx.paginate("dynamodb", "ListTables", region, "TableNames")

    def describe(name: str) -> dict[str, Any] | None:
        table = ctx.call("dynamodb", "DescribeTable", region, TableName=name).get("Table")
        if not table:
            return None
        backups = ctx.call("dynamodb", "DescribeContinuousBackups", region, TableName=name)
        return parse_dynamodb_table(table, backups.get("ContinuousBackupsDescription") if backups.ok else None)

    rows = [row for row in ctx.map(describe, names) if row]
    if not rows:
        return {"dynamodb_tables": []}
    # Auto scaling of DynamoDB tables is read here (one call per region), not from the compute
    # collector's autoscaling_targets: both run in phase 0, and metrics (phase 1) needs these tables.
    targets = ctx.paginate("application-autoscaling", "DescribeScalableTargets", region, "ScalableTargets",
                           ServiceNamespace="dynamodb")
    if not targets.ok:
        return {"dynamodb_tables": rows}  # unknown: autoscaling stays None
    target_rows = [{"service_namespace": t.get("ServiceNamespace", ""), "resource_id": t.get("ResourceId", "")}
                   for t in targets]
    return {"dynamodb_tables": mark_autoscaling(rows, target_rows)}


def collect(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    """RDS, DocumentDB, ElastiCache and DynamoDB in ``region``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for part in (_collect_rds, _collect_elasticache, _collect_dynamodb, collect_snapshots):
        out.update(part(ctx, region))
    return out
