"""Schema 4 (the reliability and security lens' columns): a version-3 snapshot on disk is still read, each new
column added all missing in its declared dtype, and the lens' rules read those cells as unknown (no finding)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from awsassess.findings import REGISTRY, evaluate
from awsassess.snapshot import READABLE_VERSIONS, SCHEMA_VERSION, Snapshot, SnapshotError
from awsassess.tables import DTYPES, TABLES
from snapshots_factory import SnapshotBuilder

#: the columns schema 4 added, by table
V4_COLUMNS = {
    "db_instances": ["storage_encrypted", "backup_retention_days", "deletion_protection", "az", "subnet_ids",
                     "read_replica_source"],
    "db_clusters": ["storage_encrypted", "backup_retention_days", "deletion_protection", "subnet_ids"],
    "cache_clusters": ["at_rest_encryption", "transit_encryption", "snapshot_retention_days", "subnet_ids"],
    "replication_groups": ["at_rest_encryption", "transit_encryption", "snapshot_retention_days"],
    "dynamodb_tables": ["point_in_time_recovery", "deletion_protection"],
    "listeners": ["ssl_policy", "default_action"],
    "distributions": ["minimum_protocol_version", "default_certificate"],
    "ecs_services": ["deployment_alarms"],
    "ec2_instances": ["lifecycle"],
    "autoscaling_groups": ["on_demand_base", "on_demand_percentage"],
    "deployment_groups": ["alarms_enabled", "rollback_on_alarm"],
}


def test_schema_4_is_current_and_3_still_readable() -> None:
    assert SCHEMA_VERSION == 4 and READABLE_VERSIONS == (1, 2, 3, 4)
    for table, added in V4_COLUMNS.items():
        assert set(added) <= set(TABLES[table].columns), table


def _version_3(tmp_path: Path) -> Path:
    """A snapshot as awsassess wrote it at schema 3: the v4 columns absent from the files, the manifest saying 3."""
    b = SnapshotBuilder(environment="production", account_id="333333333333")
    b.add("db_instances", db_instance_id="ledger", engine="postgres", instance_class="db.m5.large", multi_az=False,
          cluster_id="", status="available", publicly_accessible=False)
    b.add("db_clusters", cluster_id="reports", engine="aurora-postgresql", members=2, status="available")
    b.add("replication_groups", id="sessions", engine="redis", nodes=1, multi_az=False, automatic_failover=False)
    b.add("cache_clusters", id="sessions-001", engine="redis", nodes=1, replication_group_id="sessions")
    b.add("dynamodb_tables", table_name="events", billing_mode="PAY_PER_REQUEST", key_schema={"hash_key": "pk"})
    b.add("load_balancers", arn="lb-1", name="edge", scheme="internet-facing", azs=["us-east-1a", "us-east-1b"])
    b.add("listeners", listener_arn="l-1", load_balancer_arn="lb-1", protocol="HTTP", port=80, rule_count=0)
    b.add("distributions", distribution_id="E1", enabled=True)
    b.fargate_service("api", desired=2, subnets=[], task_definition="td-1")
    b.add("task_definitions", task_definition_arn="td-1", family="api", revision=1,
          containers=[{"name": "api", "image": "app:1", "essential": True, "health_check": None}])
    b.add("ec2_instances", instance_id="i-1", instance_type="m6g.large", state="running")
    b.add("autoscaling_groups", asg_name="g", min_size=1, max_size=2)
    b.add("deployment_groups", application="api", group="api", ecs_services=["main/api"])
    root = b.build().save(tmp_path / "snapshot")
    for table, added in V4_COLUMNS.items():
        file = root / "tables" / f"{table}.parquet"
        df = pd.read_parquet(file)
        df.drop(columns=added).to_parquet(file, index=False)
    manifest = json.loads((root / "manifest.json").read_text())
    (root / "manifest.json").write_text(json.dumps({**manifest, "schema_version": 3}))
    return root


def test_a_version_3_snapshot_reads_with_the_new_columns_missing(tmp_path: Path) -> None:
    snap = Snapshot.load(_version_3(tmp_path))
    assert snap.schema_version == 3
    for table, added in V4_COLUMNS.items():
        df = snap.table(table)
        assert list(df.columns) == TABLES[table].all_columns, table
        for column in added:
            assert df[column].isna().all(), (table, column)
            assert str(df[column].dtype) == DTYPES[TABLES[table].dtypes[column]], (table, column)
    assert snap.table("db_instances")["engine"].tolist() == ["postgres"]  # the old columns as written
    assert json.loads(snap.table("dynamodb_tables")["key_schema"].iloc[0]) == {"hash_key": "pk"}
    # the lens' rules read the missing cells as unknown: nothing is "off" because it was not collected
    lens = [r for r, s in REGISTRY.items() if s.pillar in ("security", "reliability") and r not in
            ("SEC-001", "SEC-002", "SEC-003", "CMP-005", "NET-002", "STK-002")]
    fired = {f.rule_id for f in evaluate(snap, rules=lens)}
    # the older columns still tell these (Multi-AZ, failover and one-AZ checks existed in schema 3's data)
    assert fired <= {"DAT-017", "DAT-018", "CMP-017"}, fired
    # saved again, it is a version-4 snapshot with the same (missing) cells
    again = Snapshot.load(snap.save(tmp_path / "again"))
    assert again.manifest["schema_version"] == SCHEMA_VERSION
    pd.testing.assert_frame_equal(again.table("listeners"), snap.table("listeners"), check_exact=True)


def test_a_version_4_snapshot_missing_a_new_column_is_an_error(tmp_path: Path) -> None:
    root = _version_3(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text())
    (root / "manifest.json").write_text(json.dumps({**manifest, "schema_version": 4}))
    with pytest.raises(SnapshotError, match="snapshot table listeners column ssl_policy: missing"):
        Snapshot.load(root).table("listeners")
