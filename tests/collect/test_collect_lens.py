"""The columns the reliability and security lens reads (schema 4): parse functions on responses validated by
botocore's Stubber, then the data-store, network, compute and CloudFront collectors over HTTP against moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from awsassess.collect import cdn, compute, datastores, network, pipelines
from awsassess.tables import loads
from botocore_stub import stubbed

ACCT = "333300000018"
REGION = "us-east-1"
SUBNETS = [{"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "us-east-1a"}, "SubnetStatus": "Active"},
           {"SubnetIdentifier": "subnet-b", "SubnetAvailabilityZone": {"Name": "us-east-1b"}, "SubnetStatus": "Active"}]


# ------------------------------------------------------------------------------------------ data stores
def test_db_instance_encryption_backups_deletion_protection_az_subnets() -> None:
    body = {"DBInstances": [{
        "DBInstanceIdentifier": "ledger", "Engine": "postgres", "DBInstanceClass": "db.m6g.large",
        "StorageEncrypted": True, "BackupRetentionPeriod": 0, "DeletionProtection": False,
        "AvailabilityZone": "us-east-1b", "MultiAZ": False,
        "DBSubnetGroup": {"DBSubnetGroupName": "data", "VpcId": "vpc-1", "Subnets": SUBNETS}}]}
    row = datastores.parse_db_instance(stubbed("rds", "DescribeDBInstances", body)["DBInstances"][0])
    assert (row["storage_encrypted"], row["backup_retention_days"], row["deletion_protection"]) == (True, 0, False)
    assert row["az"] == "us-east-1b" and loads(row["subnet_ids"]) == ["subnet-a", "subnet-b"]
    assert row["read_replica_source"] == ""
    replica = stubbed("rds", "DescribeDBInstances", {"DBInstances": [{
        "DBInstanceIdentifier": "ledger-ro", "ReadReplicaSourceDBInstanceIdentifier": "ledger"}]})["DBInstances"][0]
    assert datastores.parse_db_instance(replica)["read_replica_source"] == "ledger"
    bare = datastores.parse_db_instance({"DBInstanceIdentifier": "x"})
    assert (bare["storage_encrypted"], bare["backup_retention_days"], bare["deletion_protection"]) == (None, None, None)
    assert bare["subnet_ids"] == "[]" and bare["az"] == ""


def test_db_cluster_subnets_come_from_its_subnet_group() -> None:
    body = {"DBClusters": [{"DBClusterIdentifier": "reports", "Engine": "aurora-postgresql", "DBSubnetGroup": "data",
                            "StorageEncrypted": False, "BackupRetentionPeriod": 3, "DeletionProtection": True}]}
    cluster = stubbed("rds", "DescribeDBClusters", body)["DBClusters"][0]
    row = datastores.parse_db_cluster(cluster, {"data": "vpc-1"}, {"data": ["subnet-a", "subnet-b"]})
    assert (row["storage_encrypted"], row["backup_retention_days"], row["deletion_protection"]) == (False, 3, True)
    assert loads(row["subnet_ids"]) == ["subnet-a", "subnet-b"] and row["vpc_id"] == "vpc-1"
    assert datastores.parse_db_cluster(cluster)["subnet_ids"] == "[]"


def test_elasticache_encryption_and_snapshot_retention() -> None:
    body = {"ReplicationGroups": [{"ReplicationGroupId": "sessions", "AtRestEncryptionEnabled": False,
                                   "TransitEncryptionEnabled": True, "SnapshotRetentionLimit": 0,
                                   "AutomaticFailover": "enabled", "MultiAZ": "enabled", "MemberClusters": ["s-1"]}]}
    group = stubbed("elasticache", "DescribeReplicationGroups", body)["ReplicationGroups"][0]
    row = datastores.parse_replication_group(group)
    assert (row["at_rest_encryption"], row["transit_encryption"], row["snapshot_retention_days"]) == (False, True, 0)
    body = {"CacheClusters": [{"CacheClusterId": "solo", "Engine": "redis", "CacheSubnetGroupName": "cache",
                               "TransitEncryptionEnabled": False, "AtRestEncryptionEnabled": True,
                               "SnapshotRetentionLimit": 5}]}
    cluster = stubbed("elasticache", "DescribeCacheClusters", body)["CacheClusters"][0]
    row = datastores.parse_cache_cluster(cluster, {"cache": "vpc-1"}, {"cache": ["subnet-a"]})
    assert (row["at_rest_encryption"], row["transit_encryption"], row["snapshot_retention_days"]) == (True, False, 5)
    assert loads(row["subnet_ids"]) == ["subnet-a"]


@pytest.mark.parametrize(("status", "expected"), [("ENABLED", True), ("DISABLED", False), (None, None)])
def test_dynamodb_point_in_time_recovery(status: str | None, expected: bool | None) -> None:
    table = stubbed("dynamodb", "DescribeTable", {"Table": {"TableName": "events", "DeletionProtectionEnabled": True}},
                    TableName="events")["Table"]
    backups = None
    if status:
        backups = stubbed("dynamodb", "DescribeContinuousBackups", {"ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": status}}},
            TableName="events")["ContinuousBackupsDescription"]
    row = datastores.parse_dynamodb_table(table, backups)
    assert row["point_in_time_recovery"] is expected and row["deletion_protection"] is True


# ----------------------------------------------------------------------------------------------- network
def test_listener_ssl_policy_and_default_action() -> None:
    listeners = stubbed("elbv2", "DescribeListeners", {"Listeners": [
        {"ListenerArn": "l-http", "LoadBalancerArn": "lb", "Protocol": "HTTP", "Port": 80,
         "SslPolicy": "ELBSecurityPolicy-2016-08",  # moto echoes one on HTTP listeners: meaningless there
         "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                                    "StatusCode": "HTTP_301"}}]},
        {"ListenerArn": "l-https", "LoadBalancerArn": "lb", "Protocol": "HTTPS", "Port": 443,
         "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "DefaultActions": [{"Type": "forward", "TargetGroupArn": "tg", "Order": 2},
                            {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {
                                "Issuer": "i", "AuthorizationEndpoint": "a", "TokenEndpoint": "t",
                                "UserInfoEndpoint": "u", "ClientId": "c"}}]},
        {"ListenerArn": "l-8080", "LoadBalancerArn": "lb", "Protocol": "HTTP", "Port": 8080,
         "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]},
        {"ListenerArn": "l-other", "LoadBalancerArn": "lb", "Protocol": "HTTP", "Port": 81,
         "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Host": "example.com", "StatusCode": "HTTP_302"}}]},
    ]}, LoadBalancerArn="lb")["Listeners"]
    rows = {r["listener_arn"]: r for r in (network.parse_listener(x, []) for x in listeners)}
    assert (rows["l-http"]["default_action"], rows["l-http"]["ssl_policy"]) == ("redirect-https", "")
    assert (rows["l-https"]["default_action"], rows["l-https"]["ssl_policy"]) == (
        "forward", "ELBSecurityPolicy-TLS13-1-2-2021-06")  # after the authentication
    assert rows["l-8080"]["default_action"] == "fixed-response" and rows["l-other"]["default_action"] == "redirect"
    assert network.default_action([]) == ""


def test_instance_lifecycle() -> None:
    resp = stubbed("ec2", "DescribeInstances", {"Reservations": [{"Instances": [
        {"InstanceId": "i-spot", "InstanceLifecycle": "spot"}, {"InstanceId": "i-od"}]}]})
    rows = [network.parse_instance(i) for i in resp["Reservations"][0]["Instances"]]
    assert [r["lifecycle"] for r in rows] == ["spot", "on-demand"]


# ----------------------------------------------------------------------------------------------- compute
def test_container_hardening_fields() -> None:
    td = stubbed("ecs", "DescribeTaskDefinition", {"taskDefinition": {
        "taskDefinitionArn": "arn:td:1", "family": "api", "containerDefinitions": [
            {"name": "app", "image": "app:1", "privileged": False, "user": "10001", "readonlyRootFilesystem": True,
             "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api"}}},
            {"name": "sidecar", "image": "envoy:1"}]}}, taskDefinition="arn:td:1")["taskDefinition"]
    containers = json.loads(compute.parse_task_definition(td)["containers"])
    app, sidecar = containers
    assert (app["privileged"], app["user"], app["readonly_root_filesystem"], app["log_driver"]) == (
        False, "10001", True, "awslogs")
    # not set: the keys are still written, so a reader tells "not set" from "not collected"
    assert (sidecar["privileged"], sidecar["user"], sidecar["readonly_root_filesystem"], sidecar["log_driver"]) == (
        None, "", None, "")
    assert {"name", "image", "essential", "health_check"} <= set(app)  # the keys before schema 4 are kept


def test_service_deployment_alarms() -> None:
    services = stubbed("ecs", "DescribeServices", {"services": [
        {"serviceName": "a", "deploymentConfiguration": {"alarms": {"alarmNames": ["5xx"], "enable": True,
                                                                    "rollback": True}}},
        {"serviceName": "b", "deploymentConfiguration": {"maximumPercent": 200}},
        {"serviceName": "c"}]}, cluster="c", services=["a", "b", "c"])["services"]
    assert [compute.parse_service(s)["deployment_alarms"] for s in services] == [True, False, None]


def test_asg_on_demand_share() -> None:
    groups = stubbed("autoscaling", "DescribeAutoScalingGroups", {"AutoScalingGroups": [
        {"AutoScalingGroupName": "mixed", "MinSize": 0, "MaxSize": 4, "DesiredCapacity": 2, "DefaultCooldown": 300,
         "AvailabilityZones": ["us-east-1a"], "HealthCheckType": "EC2", "CreatedTime": "2026-01-01T00:00:00Z",
         "MixedInstancesPolicy": {"LaunchTemplate": {"Overrides": [{"InstanceType": "m6g.large"}]},
                                  "InstancesDistribution": {"OnDemandBaseCapacity": 1,
                                                            "OnDemandPercentageAboveBaseCapacity": 0}}},
        {"AutoScalingGroupName": "plain", "MinSize": 0, "MaxSize": 4, "DesiredCapacity": 2, "DefaultCooldown": 300,
         "AvailabilityZones": ["us-east-1a"], "HealthCheckType": "EC2", "CreatedTime": "2026-01-01T00:00:00Z"},
    ]})["AutoScalingGroups"]
    mixed, plain = (compute.parse_asg(g) for g in groups)
    assert (mixed["on_demand_base"], mixed["on_demand_percentage"]) == (1, 0)
    assert (plain["on_demand_base"], plain["on_demand_percentage"]) == (None, None)


def test_codedeploy_group_alarms() -> None:
    info = stubbed("codedeploy", "GetDeploymentGroup", {"deploymentGroupInfo": {
        "applicationName": "api", "deploymentGroupName": "api",
        "alarmConfiguration": {"enabled": True, "alarms": [{"name": "5xx"}]},
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}}},
        applicationName="api", deploymentGroupName="api")["deploymentGroupInfo"]
    row = pipelines.parse_deployment_group(info)
    assert (row["alarms_enabled"], row["rollback_on_alarm"]) == (True, True)
    row = pipelines.parse_deployment_group({**info, "alarmConfiguration": {"enabled": False, "alarms": []},
                                            "autoRollbackConfiguration": {"enabled": True,
                                                                          "events": ["DEPLOYMENT_FAILURE"]}})
    assert (row["alarms_enabled"], row["rollback_on_alarm"]) == (False, False)
    assert pipelines.parse_deployment_group({"applicationName": "x"})["alarms_enabled"] is None


# ----------------------------------------------------------------------------------------------- CloudFront
def test_viewer_certificate() -> None:
    assert cdn.viewer_certificate({"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}) == \
        {"minimum_protocol_version": "TLSv1", "default_certificate": True}
    assert cdn.viewer_certificate({"ACMCertificateArn": "arn:acm", "MinimumProtocolVersion": "TLSv1.2_2021",
                                   "SSLSupportMethod": "sni-only"}) == \
        {"minimum_protocol_version": "TLSv1.2_2021", "default_certificate": False}
    assert cdn.viewer_certificate(None) == {"minimum_protocol_version": None, "default_certificate": None}


# ------------------------------------------------------------------ over HTTP (moto)
@pytest.fixture(scope="module")
def estate(moto_url: str, moto_session: Any, moto_collect: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    s = moto_session(ACCT)

    def client(name: str) -> Any:
        return s.client(name, endpoint_url=moto_url)

    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.18.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.18.{i}.0/24", AvailabilityZone=f"{REGION}{az}")
               ["Subnet"]["SubnetId"] for i, az in enumerate("ab")]
    rds = client("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="data", SubnetIds=subnets)
    common = {"MasterUsername": "app", "MasterUserPassword": "not-a-real-password-1", "DBSubnetGroupName": "data"}
    rds.create_db_instance(DBInstanceIdentifier="ledger", Engine="postgres", DBInstanceClass="db.m5.large",
                           AllocatedStorage=100, StorageEncrypted=True, BackupRetentionPeriod=14,
                           DeletionProtection=True, **common)
    rds.create_db_instance(DBInstanceIdentifier="scratch", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, BackupRetentionPeriod=0, **common)
    rds.create_db_cluster(DBClusterIdentifier="reports", Engine="aurora-postgresql", StorageEncrypted=True,
                          BackupRetentionPeriod=7, DeletionProtection=True, **common)
    rds.create_db_instance(DBInstanceIdentifier="reports-1", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large", DBClusterIdentifier="reports")
    # manual snapshots: one public and unencrypted, one shared with an account, a cluster snapshot kept private
    rds.create_db_snapshot(DBSnapshotIdentifier="scratch-public", DBInstanceIdentifier="scratch")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="scratch-public", AttributeName="restore",
                                     ValuesToAdd=["all"])
    rds.create_db_snapshot(DBSnapshotIdentifier="ledger-shared", DBInstanceIdentifier="ledger")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="ledger-shared", AttributeName="restore",
                                     ValuesToAdd=["444455556666"])
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="reports-manual", DBClusterIdentifier="reports")
    ec = client("elasticache")
    ec.create_cache_subnet_group(CacheSubnetGroupName="cache", CacheSubnetGroupDescription="c", SubnetIds=subnets)
    ec.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="s", Engine="redis",
                                CacheNodeType="cache.m6g.large", NumCacheClusters=2, CacheSubnetGroupName="cache",
                                AtRestEncryptionEnabled=True, TransitEncryptionEnabled=False, SnapshotRetentionLimit=3,
                                AutomaticFailoverEnabled=True, MultiAZEnabled=True)
    ddb = client("dynamodb")
    key = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
    ddb.create_table(TableName="events", DeletionProtectionEnabled=True, **key)
    ddb.create_table(TableName="scratch", **key)
    ddb.update_continuous_backups(TableName="events",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

    elb = client("elbv2")
    lb = elb.create_load_balancer(Name="edge", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name="api", Protocol="HTTP", Port=8080, VpcId=vpc,
                                 TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    cert = client("acm").request_certificate(DomainName="example.com")["CertificateArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-2016-08",
                        Certificates=[{"CertificateArn": cert}], DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m6g.large", SubnetId=subnets[0],
                      InstanceMarketOptions={"MarketType": "spot"})
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m6g.large", SubnetId=subnets[1])

    ecs = client("ecs")
    ecs.create_cluster(clusterName="apps")
    ecs.register_task_definition(family="api", containerDefinitions=[
        {"name": "api", "image": "app:1", "memory": 512, "user": "10001", "readonlyRootFilesystem": True,
         "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api"}}},
        {"name": "debug", "image": "busybox", "memory": 64, "privileged": True, "essential": False}])
    ecs.create_service(cluster="apps", serviceName="api", taskDefinition="api", desiredCount=1)

    client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": "lens", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "alb", "DomainName": "edge.example.com", "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "alb", "ViewerProtocolPolicy": "allow-all",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})
    out = tmp_path_factory.mktemp("lens")
    return {m.__name__.rsplit(".", 1)[-1]: moto_collect(ACCT, m, out / m.__name__) for m in
            (datastores, network, compute, cdn)}


def test_moto_data_stores(estate: dict[str, Any]) -> None:
    snap = estate["datastores"]
    inst = snap.table("db_instances").set_index("db_instance_id")
    assert bool(inst.loc["ledger", "storage_encrypted"]) and inst.loc["ledger", "backup_retention_days"] == 14
    assert bool(inst.loc["ledger", "deletion_protection"]) and inst.loc["ledger", "az"].startswith(REGION)
    assert not bool(inst.loc["scratch", "storage_encrypted"]) and inst.loc["scratch", "backup_retention_days"] == 0
    assert len(loads(inst.loc["ledger", "subnet_ids"])) == 2
    assert loads(inst.loc["reports-1", "subnet_ids"]) == loads(inst.loc["ledger", "subnet_ids"])  # its cluster's group
    cl = snap.table("db_clusters").set_index("cluster_id").loc["reports"]
    assert bool(cl["storage_encrypted"]) and cl["backup_retention_days"] == 7 and bool(cl["deletion_protection"])
    assert len(loads(cl["subnet_ids"])) == 2
    rg = snap.table("replication_groups").set_index("id").loc["sessions"]
    assert bool(rg["at_rest_encryption"]) and not bool(rg["transit_encryption"]) and rg["snapshot_retention_days"] == 3
    nodes = snap.table("cache_clusters")
    assert all(len(loads(s)) == 2 for s in nodes["subnet_ids"])
    ddb = snap.table("dynamodb_tables").set_index("table_name")
    assert bool(ddb.loc["events", "point_in_time_recovery"]) and not bool(ddb.loc["scratch", "point_in_time_recovery"])
    assert bool(ddb.loc["events", "deletion_protection"])
    cov = snap.table("coverage").set_index("operation")
    assert cov.loc["DescribeContinuousBackups", "status"] == "ok" and cov.loc["DescribeContinuousBackups", "calls"] == 2
    snaps = snap.table("db_snapshots").set_index("snapshot_id")
    assert bool(snaps.loc["scratch-public", "public"]) and not bool(snaps.loc["scratch-public", "encrypted"])
    assert not bool(snaps.loc["ledger-shared", "public"]) and bool(snaps.loc["ledger-shared", "encrypted"])
    assert loads(snaps.loc["ledger-shared", "shared_with"]) == ["444455556666"]
    assert snaps.loc["reports-manual", "kind"] == "cluster" and snaps.loc["reports-manual", "source_id"] == "reports"
    assert not bool(snaps.loc["reports-manual", "public"]) and bool(snaps.loc["reports-manual", "encrypted"])


def test_moto_listeners_and_instances(estate: dict[str, Any]) -> None:
    snap = estate["network"]
    listeners = snap.table("listeners").set_index("port")
    assert (listeners.loc[80, "default_action"], listeners.loc[80, "ssl_policy"]) == ("redirect-https", "")
    assert (listeners.loc[443, "default_action"], listeners.loc[443, "ssl_policy"]) == (
        "forward", "ELBSecurityPolicy-2016-08")
    assert sorted(snap.table("ec2_instances")["lifecycle"]) == ["on-demand", "spot"]


def test_moto_task_definition_and_service(estate: dict[str, Any]) -> None:
    snap = estate["compute"]
    (td,) = snap.table("task_definitions").itertuples()
    containers = {c["name"]: c for c in loads(td.containers)}
    assert containers["api"]["user"] == "10001" and containers["api"]["readonly_root_filesystem"] is True
    assert containers["api"]["log_driver"] == "awslogs" and containers["debug"]["privileged"] is True
    assert containers["debug"]["log_driver"] == "" and containers["debug"]["user"] == ""
    # moto drops deploymentConfiguration on create_service: unknown, not "no alarms"
    assert snap.table("ecs_services")["deployment_alarms"].isna().all()


def test_moto_viewer_certificate(estate: dict[str, Any]) -> None:
    (d,) = estate["cdn"].table("distributions").itertuples()
    assert (d.minimum_protocol_version, bool(d.default_certificate)) == ("TLSv1", True)
    assert set(estate["cdn"].table("cache_behaviors")["viewer_protocol_policy"]) == {"allow-all"}


def test_moto_every_lens_call_succeeded(estate: dict[str, Any]) -> None:
    # raw moto lacks serverless caches and cache policies (the simulated estate fills them): not the lens' calls
    lacking = ["DescribeServerlessCaches", "ListCachePolicies", "GetCachePolicy"]
    for name, snap in estate.items():
        cov = snap.table("coverage")
        bad = cov[(cov["status"] != "ok") & ~cov["operation"].isin(lacking)]
        assert bad.empty, (name, bad.to_dict("records"))
