"""Data-store collector: parse functions on AWS's published responses (validated by botocore's
Stubber), then RDS/Aurora/DocumentDB/ElastiCache/DynamoDB over HTTP against moto."""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path
from typing import Any

import botocore
import pytest
from awsassess.collect import datastores
from awsassess.tables import loads
from botocore_stub import stubbed
from paths import FIXTURES

EXAMPLES = FIXTURES / "shared-testdata" / "aws-examples" / "responses"
BOTOCORE_DATA = Path(os.path.dirname(botocore.__file__)) / "data"
ACCT = "333300000001"  # shared by the collector test modules (disjoint services)
REGION = "us-east-1"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def botocore_example(service: str, operation: str) -> dict[str, Any]:
    path = glob.glob(str(BOTOCORE_DATA / service / "2*" / "examples-1.json"))
    path = [p for p in path if operation in json.loads(Path(p).read_text())["examples"]][-1]
    return json.loads(Path(path).read_text())["examples"][operation][0]["output"]


# ------------------------------------------------------------------ parse functions
def test_parse_db_instance_from_the_cli_example() -> None:
    # the CLI's create-db-instance output is a complete DBInstance (README: wrap it as a describe page)
    body = {"DBInstances": [example("rds.CreateDBInstance.awscli.json")["DBInstance"]]}
    row = datastores.parse_db_instance(stubbed("rds", "DescribeDBInstances", body)["DBInstances"][0])
    assert row["db_instance_id"] == "test-mysql-instance" and row["engine"] == "mysql"
    assert (row["instance_class"], row["allocated_gb"], row["storage_type"]) == ("db.t3.micro", 20, "gp2")
    assert row["multi_az"] is False and row["publicly_accessible"] is True
    assert row["vpc_id"] == "vpc-2ff2ff2f" and row["cluster_id"] == "" and row["status"] == "creating"
    assert loads(row["tags"]) == {} and row["created"] is None


def test_parse_db_cluster_from_the_cli_example() -> None:
    resp = stubbed("rds", "DescribeDBClusters", example("rds.DescribeDBClusters.awscli.json"))
    row = datastores.parse_db_cluster(resp["DBClusters"][0], {"default": "vpc-1"})
    assert row["engine"] == "aurora-mysql" and row["storage_type"] == "aurora"  # Aurora standard storage
    # 6 member entries, one of them listed twice in AWS's example: 5 distinct instances
    assert row["members"] == 5 and loads(row["instance_ids"])[0] == "dbinstance3"
    assert row["allocated_gb"] == 0  # Aurora's AllocatedStorage 1 is a placeholder
    assert row["multi_az"] is True and row["vpc_id"] == "vpc-1" and row["status"] == "available"


def test_parse_cache_clusters_from_both_examples() -> None:
    resp = stubbed("elasticache", "DescribeCacheClusters", example("elasticache.DescribeCacheClusters.awscli.json"))
    row = datastores.parse_cache_cluster(resp["CacheClusters"][0], {"kxkxk": "vpc-9"})
    assert (row["id"], row["engine"], row["node_type"], row["nodes"]) == ("my-cluster-003", "redis", "cache.r5.large", 1)
    assert (row["replication_group_id"], row["az"], row["vpc_id"]) == ("my-cluster", "us-west-2a", "vpc-9")
    resp = stubbed("elasticache", "DescribeCacheClusters", example("elasticache.DescribeCacheClusters.botocore.json"))
    rows = [datastores.parse_cache_cluster(c) for c in resp["CacheClusters"]]
    mem = next(r for r in rows if r["engine"] == "memcached")
    assert mem["nodes"] == 2 and mem["replication_group_id"] == "" and mem["vpc_id"] == ""


def test_parse_replication_groups_from_both_examples() -> None:
    resp = stubbed("elasticache", "DescribeReplicationGroups",
                   example("elasticache.DescribeReplicationGroups.awscli.json"))
    row = datastores.parse_replication_group(resp["ReplicationGroups"][0])
    assert (row["node_type"], row["nodes"], row["cluster_mode"]) == ("cache.r5.xlarge", 4, False)
    assert row["automatic_failover"] is False and row["engine"] == "redis"
    # the botocore example is cluster-mode (2 shards x 2) and names no node type: members supply it
    resp = stubbed("elasticache", "DescribeReplicationGroups",
                   example("elasticache.DescribeReplicationGroups.botocore.json"))
    group = resp["ReplicationGroups"][0]
    members = {m: {"CacheNodeType": "cache.r4.large", "Engine": "redis", "CacheSubnetGroupName": "g"}
               for m in group["MemberClusters"]}
    row = datastores.parse_replication_group(group, members, {"g": "vpc-7"})
    assert (row["nodes"], row["node_type"], row["automatic_failover"]) == (4, "cache.r4.large", True)
    assert row["vpc_id"] == "vpc-7" and row["status"] == "available"


def test_parse_dynamodb_table_from_the_botocore_example() -> None:
    resp = stubbed("dynamodb", "DescribeTable", botocore_example("dynamodb", "DescribeTable"), TableName="Music")
    row = datastores.parse_dynamodb_table(resp["Table"])
    # an old-style table without BillingModeSummary is PROVISIONED
    assert (row["table_name"], row["billing_mode"], row["rcu"], row["wcu"]) == ("Music", "PROVISIONED", 5, 5)
    assert (row["table_class"], row["gsi_count"], row["autoscaling"]) == ("STANDARD", 0, None)
    assert row["key_schema"] == {"hash_key": "Artist", "range_key": "SongTitle",
                                 "attributes": {"Artist": "S", "SongTitle": "S"}}
    assert datastores.key_schema({"TableName": "x"}) is None
    marked = datastores.mark_autoscaling([row], [
        {"service_namespace": "dynamodb", "resource_id": "table/Music"},
        {"service_namespace": "ecs", "resource_id": "table/Other"}])
    assert marked[0]["autoscaling"] is True
    assert datastores.mark_autoscaling([row], [])[0]["autoscaling"] is False


def test_parse_serverless_cache_validated_against_the_model() -> None:
    resp = stubbed("elasticache", "DescribeServerlessCaches", {"ServerlessCaches": [{
        "ServerlessCacheName": "quotes", "Engine": "valkey", "Status": "available",
        "CacheUsageLimits": {"DataStorage": {"Maximum": 10, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 5000}}}]})
    row = datastores.parse_serverless_cache(resp["ServerlessCaches"][0])
    assert row == {"name": "quotes", "engine": "valkey", "status": "available", "max_data_gb": 10, "max_ecpu": 5000}


# ------------------------------------------------------------------ over HTTP (moto)
@pytest.fixture(scope="module")
def snapshot(moto_url: str, moto_session: Any, moto_collect: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from moto.rds.models import rds_backends

    s = moto_session(ACCT)
    ec2 = s.client("ec2", endpoint_url=moto_url)
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.77.{i}.0/24", AvailabilityZone=f"{REGION}{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    rds = s.client("rds", endpoint_url=moto_url)
    rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="data", SubnetIds=subnets)
    rds.create_db_instance(DBInstanceIdentifier="ledger", Engine="postgres", DBInstanceClass="db.m5.large",
                           AllocatedStorage=500, MultiAZ=True, StorageType="gp3", DBSubnetGroupName="data",
                           MasterUsername="app", MasterUserPassword="not-a-real-password-1",
                           Tags=[{"Key": "copilot-application", "Value": "fintech"}])
    rds.create_db_cluster(DBClusterIdentifier="reports", Engine="aurora-postgresql", DBSubnetGroupName="data",
                          MasterUsername="app", MasterUserPassword="not-a-real-password-1")
    for i in (1, 2):
        rds.create_db_instance(DBInstanceIdentifier=f"reports-{i}", Engine="aurora-postgresql",
                               DBInstanceClass="db.r6g.large", DBClusterIdentifier="reports")
    # manual snapshots, so their attribute calls are made too
    rds.create_db_snapshot(DBSnapshotIdentifier="ledger-before-upgrade", DBInstanceIdentifier="ledger")
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="reports-monthly", DBClusterIdentifier="reports")
    # DocumentDB: moto refuses engine docdb; create through the docdb client, then relabel (as the estate does)
    docdb = s.client("docdb", endpoint_url=moto_url)
    docdb.create_db_cluster(DBClusterIdentifier="kyc-docs", Engine="aurora-postgresql", EngineVersion="5.0.0",
                            Port=27017, DBSubnetGroupName="data", MasterUsername="app",
                            MasterUserPassword="not-a-real-password-1")
    docdb.create_db_instance(DBInstanceIdentifier="kyc-docs-1", DBInstanceClass="db.r5.large",
                             Engine="aurora-postgresql", DBClusterIdentifier="kyc-docs")
    backend = rds_backends[ACCT][REGION]
    backend.clusters["kyc-docs"].engine = "docdb"
    backend.databases["kyc-docs-1"].engine = "docdb"

    ec = s.client("elasticache", endpoint_url=moto_url)
    ec.create_cache_subnet_group(CacheSubnetGroupName="cache", CacheSubnetGroupDescription="cache", SubnetIds=subnets)
    ec.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="sessions", Engine="redis",
                                CacheNodeType="cache.m6g.large", NumCacheClusters=2, CacheSubnetGroupName="cache",
                                AutomaticFailoverEnabled=True, MultiAZEnabled=True)
    ec.create_cache_cluster(CacheClusterId="rates", Engine="memcached", CacheNodeType="cache.t3.small",
                            NumCacheNodes=3, CacheSubnetGroupName="cache")

    ddb = s.client("dynamodb", endpoint_url=moto_url)
    key = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                    {"AttributeName": "gk", "AttributeType": "S"}]}
    ddb.create_table(TableName="events", BillingMode="PAY_PER_REQUEST",
                     **{**key, "AttributeDefinitions": key["AttributeDefinitions"][:1]})
    ddb.create_table(TableName="quotes", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 400, "WriteCapacityUnits": 200},
                     GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "gk",
                                              "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
                                              "ProvisionedThroughput": {"ReadCapacityUnits": 10,
                                                                        "WriteCapacityUnits": 10}}], **key)
    ddb.create_table(TableName="ledger-archive", BillingMode="PROVISIONED", TableClass="STANDARD_INFREQUENT_ACCESS",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     **{**key, "AttributeDefinitions": key["AttributeDefinitions"][:1]})
    aas = s.client("application-autoscaling", endpoint_url=moto_url)
    aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/quotes", MinCapacity=50,
                                 MaxCapacity=400, ScalableDimension="dynamodb:table:ReadCapacityUnits")
    return moto_collect(ACCT, datastores, tmp_path_factory.mktemp("out"))


def test_db_instances_and_clusters(snapshot: Any) -> None:
    inst = snapshot.table("db_instances").set_index("db_instance_id")
    assert sorted(inst.index) == ["kyc-docs-1", "ledger", "reports-1", "reports-2"]  # docdb not duplicated
    ledger = inst.loc["ledger"]
    assert (ledger["engine"], ledger["instance_class"], ledger["allocated_gb"]) == ("postgres", "db.m5.large", 500)
    assert ledger["multi_az"] and ledger["storage_type"] == "gp3" and ledger["cluster_id"] == ""
    assert loads(ledger["tags"]) == {"copilot-application": "fintech"}
    vpcs = set(inst["vpc_id"])
    assert len(vpcs) == 1 and vpcs.pop().startswith("vpc-")  # cluster members inherit their cluster's VPC
    assert inst.loc["kyc-docs-1", "engine"] == "docdb" and inst.loc["reports-1", "cluster_id"] == "reports"
    cl = snapshot.table("db_clusters").set_index("cluster_id")
    assert sorted(cl.index) == ["kyc-docs", "reports"]
    assert cl.loc["kyc-docs", "engine"] == "docdb" and cl.loc["kyc-docs", "members"] == 1
    assert cl.loc["reports", "members"] == 2
    assert sorted(loads(cl.loc["reports", "instance_ids"])) == ["reports-1", "reports-2"]
    assert (cl["allocated_gb"] == 0).all() and cl["vpc_id"].str.startswith("vpc-").all()


def test_elasticache(snapshot: Any) -> None:
    rg = snapshot.table("replication_groups").set_index("id")
    s = rg.loc["sessions"]
    assert (s["engine"], s["node_type"]) == ("redis", "cache.m6g.large")
    assert s["multi_az"] and s["automatic_failover"] and not s["cluster_mode"]
    assert s["nodes"] >= 1  # moto lists 1 member for NumCacheClusters=2 (a known moto gap)
    cc = snapshot.table("cache_clusters").set_index("id")
    rates = cc.loc["rates"]
    assert (rates["engine"], rates["nodes"], rates["node_type"]) == ("memcached", 3, "cache.t3.small")
    assert rates["vpc_id"].startswith("vpc-") and rates["replication_group_id"] == ""
    assert snapshot.table("serverless_caches").empty  # moto lacks the API: recorded, not fatal
    cov = snapshot.table("coverage").set_index("operation")
    assert cov.loc["DescribeServerlessCaches", "status"] == "not_implemented"


def test_dynamodb_with_autoscaling(snapshot: Any) -> None:
    t = snapshot.table("dynamodb_tables").set_index("table_name")
    assert sorted(t.index) == ["events", "ledger-archive", "quotes"]
    assert (t.loc["events", "billing_mode"], t.loc["events", "rcu"]) == ("PAY_PER_REQUEST", 0)
    q = t.loc["quotes"]
    assert (q["billing_mode"], q["rcu"], q["wcu"], q["gsi_count"]) == ("PROVISIONED", 400, 200, 1)
    assert json.loads(q["key_schema"])["hash_key"]  # read through a real moto server: what an import states
    assert q["autoscaling"] == True  # noqa: E712 - numpy bool
    assert t.loc["ledger-archive", "autoscaling"] == False  # noqa: E712
    assert t.loc["events", "autoscaling"] == False  # noqa: E712


def test_every_declared_operation_was_called(snapshot: Any) -> None:
    cov = snapshot.table("coverage")
    called = set(zip(cov["service"], cov["operation"], strict=True))
    assert set(datastores.OPERATIONS) <= called
    bad = cov[(cov["status"] != "ok") & (cov["operation"] != "DescribeServerlessCaches")]
    assert bad.empty, bad.to_dict("records")


# ------------------------------------------------------------------ the simulated estate
@pytest.mark.parametrize("acct_name", ["fintech-staging", "fintech-production"])
def test_estate_counts(collect_demo: Any, acct_name: str) -> None:
    from awsassess.demo.estate import ACCOUNTS, expected_counts

    acct = next(a for a in ACCOUNTS if a.name == acct_name)
    snap = collect_demo(acct, datastores)
    want = expected_counts(acct)
    inst = snap.table("db_instances")
    assert len(inst) == want["db_instances"]
    assert len(snap.table("db_clusters")) == want["db_clusters"]
    assert len(snap.table("replication_groups")) == want["replication_groups"]
    assert len(snap.table("dynamodb_tables")) == want["dynamodb_tables"]
    # the story's sizes
    pg = inst[inst["engine"] == "postgres"].iloc[0]
    assert (pg["instance_class"], bool(pg["multi_az"]), pg["allocated_gb"]) == (
        acct.rds_class, acct.rds_multi_az, acct.rds_storage_gb)
    docdb = inst[inst["engine"] == "docdb"]
    assert len(docdb) == acct.docdb_instances and set(docdb["instance_class"]) == {acct.docdb_class}
    rg = snap.table("replication_groups").iloc[0]
    assert (rg["node_type"], rg["nodes"]) == (acct.redis_node_type, acct.redis_nodes)
    ddb = snap.table("dynamodb_tables").set_index("billing_mode")
    assert (ddb.loc["PROVISIONED", "rcu"], ddb.loc["PROVISIONED", "wcu"]) == acct.ddb_provisioned
    assert set(snap.table("db_instances")["vpc_id"]) != {""}
    cov = snap.table("coverage")
    bad = cov[(cov["status"] != "ok") & (cov["operation"] != "DescribeServerlessCaches")]
    assert bad.empty, bad.to_dict("records")


def test_estate_denied_autoscaling_leaves_the_column_unknown(fresh_faults: Any, collect_demo: Any,
                                                             tmp_path: Path) -> None:
    from awsassess.demo.estate import PRODUCTION

    fresh_faults.set_faults([{"service": "application-autoscaling", "operation": "DescribeScalableTargets",
                              "code": "AccessDeniedException", "status": 400}])
    snap = collect_demo.fresh(PRODUCTION, datastores, out=tmp_path)
    t = snap.table("dynamodb_tables")
    assert len(t) == 2 and t["autoscaling"].isna().all()  # unknown, not False
    cov = snap.table("coverage").set_index("operation")
    assert cov.loc["DescribeScalableTargets", "status"] == "access_denied"
    assert cov.loc["DescribeTable", "status"] == "ok"
