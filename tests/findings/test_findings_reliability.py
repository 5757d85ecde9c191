"""The reliability and security lens (issue 18): a positive and a negative case per rule on generated snapshots,
and a healthy estate that raises none of them.

``healthy()`` builds a production estate in which every resource the new rules judge is present and set up as
they want it (two AZs, NAT gateway per AZ, HTTPS with a redirect, encrypted Multi-AZ data stores with backups and
deletion protection, hardened containers with health checks, logs and deployment alarms). Each test breaks one
setting of it, or builds the smallest estate that shows the case.
"""

from __future__ import annotations

from typing import Any

import pytest
from awsassess.findings import REGISTRY, evaluate
from awsassess.findings.security import _tls_version
from snapshots_factory import SnapshotBuilder

ACCT = "123456789012"
REGION = "us-east-1"
TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:targetgroup/api/1"
LB = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/app/edge/1"
TD = f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/api:3"

#: every rule of the lens: the Security and Reliability pillars, and the Spot rule
NEW_RULES = sorted([*(f"SEC-{n:03d}" for n in range(4, 18)), *(f"DAT-{n:03d}" for n in range(15, 19)),
                    *(f"CMP-{n:03d}" for n in range(14, 19)), "NET-010", "NET-011"])

GOOD_CONTAINER = {"name": "api", "image": "app:1", "essential": True, "privileged": None, "user": "10001",
                  "readonly_root_filesystem": True, "log_driver": "awslogs",
                  "health_check": {"command": ["CMD-SHELL", "curl -f localhost/health"], "interval": 10,
                                   "timeout": 5, "retries": 3, "startPeriod": 30}}


def healthy(environment: str = "production", *, skip: tuple[str, ...] = (), **changes: dict[str, Any]) -> SnapshotBuilder:
    """A production estate that raises none of the lens' rules. ``changes[table] = {column: value}`` changes the
    first row of that table (its healthy defaults); ``skip`` leaves tables out."""
    b = SnapshotBuilder(environment=environment)
    changed: set[str] = set()

    def add(table: str, **row: Any) -> None:
        if table in skip:
            return
        if table in changes and table not in changed:
            row.update(changes[table])
            changed.add(table)
        b.add(table, **row)

    b.vpc("vpc-1", "main")
    for sid, az, public in (("pub-a", "a", True), ("pub-b", "b", True), ("priv-a", "a", False),
                            ("priv-b", "b", False)):
        b.subnet(sid, "vpc-1", f"{REGION}{az}", public=public)
    add("route_tables", route_table_id="rtb-a", vpc_id="vpc-1", subnet_ids=["priv-a"], main=False,
        routes=[{"destination": "10.0.0.0/16", "target": "local"}, {"destination": "0.0.0.0/0", "target": "nat-a"}])
    add("route_tables", route_table_id="rtb-b", vpc_id="vpc-1", subnet_ids=["priv-b"], main=False,
        routes=[{"destination": "0.0.0.0/0", "target": "nat-b"}])
    add("route_tables", route_table_id="rtb-pub", vpc_id="vpc-1", subnet_ids=["pub-a", "pub-b"], main=False,
        routes=[{"destination": "0.0.0.0/0", "target": "igw-1"}], has_igw_route=True)
    add("route_tables", route_table_id="rtb-main", vpc_id="vpc-1", subnet_ids=[], main=True,
        routes=[{"destination": "10.0.0.0/16", "target": "local"}])
    for nid, subnet, az in (("nat-a", "pub-a", "a"), ("nat-b", "pub-b", "b")):
        add("nat_gateways", nat_gateway_id=nid, vpc_id="vpc-1", subnet_id=subnet, az=f"{REGION}{az}",
            state="available", connectivity_type="public")
    add("load_balancers", arn=LB, name="edge", type="application", scheme="internet-facing", vpc_id="vpc-1",
        state="active", azs=[f"{REGION}a", f"{REGION}b"])
    add("listeners", listener_arn=f"{LB}/http", load_balancer_arn=LB, protocol="HTTP", port=80, rule_count=0,
        ssl_policy="", default_action="redirect-https")
    b.add("listeners", listener_arn=f"{LB}/https", load_balancer_arn=LB, protocol="HTTPS", port=443, rule_count=2,
          ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", default_action="forward")
    add("target_groups", arn=TG, name="api", vpc_id="vpc-1", protocol="HTTP", port=8080, target_type="ip",
        load_balancer_arns=[LB], health_check_interval_s=10, healthy_threshold=3)
    add("security_groups", group_id="sg-alb", vpc_id="vpc-1", name="alb", ingress_rules=2, egress_rules=1,
        rules=[{"direction": "ingress", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidrs": ["0.0.0.0/0"],
                "ipv6": ["::/0"], "groups": [], "prefix_lists": []},
               {"direction": "ingress", "protocol": "tcp", "from_port": 80, "to_port": 80, "cidrs": ["0.0.0.0/0"],
                "ipv6": [], "groups": [], "prefix_lists": []},
               {"direction": "ingress", "protocol": "icmp", "from_port": -1, "to_port": -1, "cidrs": ["0.0.0.0/0"],
                "ipv6": [], "groups": [], "prefix_lists": []},
               {"direction": "egress", "protocol": "-1", "from_port": None, "to_port": None,
                "cidrs": ["0.0.0.0/0"], "ipv6": [], "groups": [], "prefix_lists": []}])
    b.add("security_groups", group_id="sg-app", vpc_id="vpc-1", name="app", ingress_rules=1, egress_rules=0,
          rules=[{"direction": "ingress", "protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidrs": [],
                  "ipv6": [], "groups": ["sg-alb"], "prefix_lists": []}])
    service = dict(desired=2, subnets=["priv-a", "priv-b"], target_group_arns=[TG], health_check_grace_s=60,
                   deployment_alarms=True, task_definition=TD, security_groups=["sg-app"])
    service.update(changes.pop("ecs_services", {}))
    if "ecs_services" not in skip:
        b.fargate_service("api", **service)
    container = {**GOOD_CONTAINER, **changes.pop("container", {})}
    add("task_definitions", task_definition_arn=TD, family="api", revision=3, cpu=512, memory=1024,
        network_mode="awsvpc", containers=[container], env_var_count=0, secret_ref_count=1, plaintext_secret_names=[])
    db = dict(engine="postgres", instance_class="db.m6g.large", multi_az=True, storage_type="gp3", allocated_gb=100,
              publicly_accessible=False, cluster_id="", status="available", vpc_id="vpc-1", storage_encrypted=True,
              backup_retention_days=14, deletion_protection=True, az=f"{REGION}a", subnet_ids=["priv-a", "priv-b"])
    add("db_instances", db_instance_id="ledger", **db)
    for i, az in ((1, "a"), (2, "b")):
        b.add("db_instances", db_instance_id=f"reports-{i}",
              **{**db, "engine": "aurora-postgresql", "multi_az": False, "cluster_id": "reports", "az": f"{REGION}{az}",
                 "deletion_protection": False, "backup_retention_days": 7})
    add("db_clusters", cluster_id="reports", engine="aurora-postgresql", members=2,
        instance_ids=["reports-1", "reports-2"], multi_az=True, status="available", vpc_id="vpc-1",
        storage_encrypted=True, backup_retention_days=7, deletion_protection=True, subnet_ids=["priv-a", "priv-b"])
    add("replication_groups", id="sessions", engine="valkey", node_type="cache.m7g.large", nodes=2,
        cluster_mode=False, multi_az=True, automatic_failover=True, status="available", vpc_id="vpc-1",
        at_rest_encryption=True, transit_encryption=True, snapshot_retention_days=1)
    for n in (1, 2):
        b.add("cache_clusters", id=f"sessions-00{n}", engine="valkey", node_type="cache.m7g.large", nodes=1,
              replication_group_id="sessions", status="available", vpc_id="vpc-1", at_rest_encryption=True,
              transit_encryption=True, subnet_ids=["priv-a", "priv-b"])
    add("dynamodb_tables", table_name="events", billing_mode="PAY_PER_REQUEST", size_bytes=5 * 1024**3,
        item_count=1000, point_in_time_recovery=True, deletion_protection=True)
    add("distributions", distribution_id="E1", domain="e1.cloudfront.net", aliases=["www.example.com"],
        enabled=True, minimum_protocol_version="TLSv1.2_2021", default_certificate=False)
    add("cache_behaviors", distribution_id="E1", path_pattern="*", target_origin_id="alb",
        viewer_protocol_policy="redirect-to-https")
    return b


def run(b: SnapshotBuilder, *rules: str, **overrides: Any) -> list:
    return evaluate(b.build(), overrides or None, rules=list(rules))


def ids(findings: list) -> list[list[str]]:
    return [f.resource_ids for f in findings]


# ------------------------------------------------------------------------------------------ the whole lens
def test_the_lens_rules_are_registered_with_pillar_and_best_practice() -> None:
    assert set(NEW_RULES) <= set(REGISTRY)
    for rid in NEW_RULES:
        s = REGISTRY[rid]
        assert s.pillar in ("security", "reliability", "cost optimization"), rid
        assert s.saving.method in ("not_cost", "not_modelled"), rid
    assert REGISTRY["CMP-014"].pillar == "cost optimization"
    assert {REGISTRY[r].best_practice for r in ("SEC-004", "SEC-005")} == {"SEC08-BP02"}
    assert REGISTRY["SEC-008"].best_practice == "SEC09-BP02" and REGISTRY["DAT-017"].best_practice == "REL10-BP01"


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_a_healthy_estate_raises_none_of_the_lens_rules(environment: str) -> None:
    found = evaluate(healthy(environment).build())
    assert [f.rule_id for f in found if f.rule_id in NEW_RULES] == []


def test_an_older_snapshot_without_the_new_columns_raises_none_of_them() -> None:
    """Schema-3 cells (the new columns null, containers without the new keys) are unknown, never "off"."""
    b = healthy(container={})
    for table in ("db_instances", "db_clusters", "replication_groups", "cache_clusters", "dynamodb_tables",
                  "listeners", "distributions", "ecs_services"):
        for row in b.rows[table]:
            for column in ("storage_encrypted", "backup_retention_days", "deletion_protection", "az", "subnet_ids",
                           "at_rest_encryption", "transit_encryption", "snapshot_retention_days",
                           "point_in_time_recovery", "ssl_policy", "default_action", "minimum_protocol_version",
                           "default_certificate", "deployment_alarms"):
                row.pop(column, None)
    b.rows["task_definitions"][0]["containers"] = '[{"essential": true, "health_check": {"command": ["x"]}, ' \
                                                  '"name": "api"}]'
    snap = b.build()
    snap.manifest["schema_version"] = 3
    assert [f.rule_id for f in evaluate(snap) if f.rule_id in NEW_RULES] == []


# ----------------------------------------------------------------------------------- data protection
def test_sec_004_unencrypted_database_and_cluster() -> None:
    b = healthy(db_instances={"storage_encrypted": False}, db_clusters={"storage_encrypted": False})
    found = run(b, "SEC-004")
    assert sorted(ids(found)) == [["ledger"], ["reports"]]  # cluster members are judged with their cluster
    assert {f.severity for f in found} == {"high"} and found[0].effort == "high"
    assert run(healthy(), "SEC-004") == []
    staging = run(healthy("staging", db_instances={"storage_encrypted": False}), "SEC-004")
    assert [f.severity for f in staging] == ["medium"]


def test_sec_005_and_006_cache_encryption() -> None:
    b = healthy(replication_groups={"at_rest_encryption": False, "transit_encryption": False})
    b.add("cache_clusters", id="rates", engine="memcached", node_type="cache.t4g.small", nodes=2,
          replication_group_id="", status="available", at_rest_encryption=None, transit_encryption=False)
    b.add("cache_clusters", id="solo", engine="redis", node_type="cache.t4g.small", nodes=1, replication_group_id="",
          status="available", at_rest_encryption=False, transit_encryption=True)
    assert sorted(ids(run(b, "SEC-005"))) == [["sessions"], ["solo"]]  # memcached has no at-rest encryption
    in_transit = run(b, "SEC-006")
    assert sorted(ids(in_transit)) == [["rates"], ["sessions"]]
    assert "1.6.12" in next(f for f in in_transit if f.resource_ids == ["rates"]).recommendation
    assert run(healthy(), "SEC-005", "SEC-006") == []


def test_sec_007_deletion_protection_only_in_production() -> None:
    b = healthy(db_instances={"deletion_protection": False}, dynamodb_tables={"deletion_protection": False})
    found = run(b, "SEC-007")
    assert sorted(ids(found)) == [["events"], ["ledger"]]  # aurora members' own flag is not read: the cluster's is
    assert "UpdateTable" in next(f for f in found if f.resource_ids == ["events"]).recommendation
    assert run(healthy(), "SEC-007") == []
    assert run(healthy("staging", db_instances={"deletion_protection": False}), "SEC-007") == []


def test_dat_015_backups_off_or_short() -> None:
    b = healthy(db_instances={"backup_retention_days": 0}, db_clusters={"backup_retention_days": 3})
    found = {f.resource_ids[0]: f for f in run(b, "DAT-015")}
    assert set(found) == {"ledger", "reports"}
    assert found["ledger"].severity == "high" and "off" in found["ledger"].title
    assert found["reports"].severity == "medium" and found["reports"].evidence["backup_retention_days"] == 3
    assert "billed per GB-month" in found["ledger"].evidence["fix_adds_cost"]
    assert run(healthy(), "DAT-015") == []
    # outside production only backups turned off are reported
    assert run(healthy("staging", db_clusters={"backup_retention_days": 3}), "DAT-015") == []
    assert [f.severity for f in run(healthy("staging", db_instances={"backup_retention_days": 0}), "DAT-015")] == \
        ["medium"]
    assert ids(run(b, "DAT-015", backup_retention_min_days=3)) == [["ledger"]]


def test_read_replicas_are_judged_through_their_source() -> None:
    b = healthy()
    b.add("db_instances", db_instance_id="ledger-ro", engine="postgres", instance_class="db.m6g.large", multi_az=False,
          cluster_id="", status="available", storage_encrypted=False, backup_retention_days=0,
          deletion_protection=False, read_replica_source="ledger")
    assert run(b, "DAT-015", "DAT-017", "SEC-007") == []  # no backups, standby or protection of their own needed
    assert ids(run(b, "SEC-004")) == [["ledger-ro"]]  # but its copy of the data is unencrypted


def test_dat_016_dynamodb_without_pitr() -> None:
    (f,) = run(healthy(dynamodb_tables={"point_in_time_recovery": False}), "DAT-016")
    assert f.resource_ids == ["events"] and f.evidence["size_gb"] == 5.0 and f.severity == "medium"
    assert run(healthy(), "DAT-016") == []
    assert run(healthy(dynamodb_tables={"point_in_time_recovery": None}), "DAT-016") == []  # not read: unknown


# ----------------------------------------------------------------------------------------- resilience
def test_dat_017_single_az_databases_in_production() -> None:
    b = healthy(db_instances={"multi_az": False})
    b.add("db_clusters", cluster_id="kyc", engine="docdb", members=1, instance_ids=["kyc-1"], status="available",
          storage_encrypted=True, backup_retention_days=7, deletion_protection=True)
    b.add("db_clusters", cluster_id="crowded", engine="aurora-mysql", members=2, instance_ids=["c-1", "c-2"],
          status="available", storage_encrypted=True, backup_retention_days=7, deletion_protection=True)
    for i in (1, 2):
        b.add("db_instances", db_instance_id=f"c-{i}", engine="aurora-mysql", cluster_id="crowded",
              az=f"{REGION}a", status="available")
    found = {f.resource_ids[0]: f for f in run(b, "DAT-017")}
    assert set(found) == {"ledger", "kyc", "crowded"}
    assert "single instance" in found["kyc"].title and "us-east-1a" in found["crowded"].title
    assert "standby" in found["ledger"].evidence["fix_adds_cost"]
    assert run(healthy(), "DAT-017") == []
    assert run(healthy("staging", db_instances={"multi_az": False}), "DAT-017") == []  # DAT-004's side


def test_dat_018_cache_without_failover() -> None:
    b = healthy(replication_groups={"automatic_failover": False, "multi_az": False, "nodes": 1})
    b.add("cache_clusters", id="solo", engine="redis", node_type="cache.t4g.small", nodes=1, replication_group_id="",
          status="available")
    b.add("cache_clusters", id="rates", engine="memcached", node_type="cache.t4g.small", nodes=2,
          replication_group_id="", status="available")
    found = {f.resource_ids[0]: f for f in run(b, "DAT-018")}
    assert set(found) == {"sessions", "solo"}  # memcached cannot replicate
    assert "no replica" in found["sessions"].title and "automatic failover off" in found["sessions"].title
    assert run(healthy(), "DAT-018") == []
    assert run(healthy(replication_groups={"automatic_failover": None}), "DAT-018") == []  # unknown is not off
    assert run(healthy("staging", replication_groups={"automatic_failover": False}), "DAT-018") == []


def test_cmp_015_one_task_or_one_az() -> None:
    (one_task,) = run(healthy(ecs_services={"desired": 1, "running_count": 1}), "CMP-015")
    assert one_task.severity == "high" and one_task.evidence["desired_count"] == 1
    (one_az,) = run(healthy(ecs_services={"subnets": ["priv-a"]}), "CMP-015")
    assert one_az.severity == "medium" and one_az.evidence["subnet_azs"] == ["us-east-1a"]
    assert run(healthy(), "CMP-015") == []
    assert run(healthy("staging", ecs_services={"desired": 1, "running_count": 1}), "CMP-015") == []
    # subnets unknown to the snapshot: the AZ spread is not judged
    assert run(healthy(ecs_services={"subnets": ["subnet-elsewhere"]}), "CMP-015") == []


def test_net_010_load_balancer_in_one_az() -> None:
    (f,) = run(healthy(load_balancers={"azs": [f"{REGION}a"], "type": "network"}), "NET-010")
    assert f.resource_ids == [LB] and f.evidence["azs"] == ["us-east-1a"] and f.severity == "medium"
    assert run(healthy(), "NET-010") == []


def test_net_011_one_nat_gateway_for_two_azs_in_production_only() -> None:
    def one_nat(environment: str) -> SnapshotBuilder:
        b = healthy(environment, skip=("nat_gateways",),
                    route_tables={"routes": [{"destination": "0.0.0.0/0", "target": "nat-b"}]})
        b.add("nat_gateways", nat_gateway_id="nat-b", vpc_id="vpc-1", subnet_id="pub-b", az=f"{REGION}b",
              state="available")
        return b

    (f,) = run(one_nat("production"), "NET-011")
    assert f.resource_ids == ["nat-b"] and f.evidence["azs_without_own_nat"] == ["us-east-1a"]
    assert f.evidence["nat_gateways"]["nat-b"]["subnets_in_other_azs"] == ["priv-a"]
    assert "1 more NAT gateway" in f.evidence["fix_adds_cost"]
    assert run(healthy(), "NET-011") == []
    # outside production one NAT gateway is what NET-003 asks for: no reliability finding
    assert run(one_nat("staging"), "NET-011") == []


def test_net_011_subnets_on_the_main_route_table() -> None:
    b = healthy(skip=("route_tables",))
    b.add("route_tables", route_table_id="rtb-main", vpc_id="vpc-1", subnet_ids=[], main=True,
          routes=[{"destination": "0.0.0.0/0", "target": "nat-a"}])
    (f,) = run(b, "NET-011")
    assert f.resource_ids == ["nat-a"] and f.evidence["azs_without_own_nat"] == []  # nat-b exists: route to it
    assert "own AZ" in f.recommendation


def test_cmp_016_no_grace_period_behind_a_load_balancer() -> None:
    (f,) = run(healthy(ecs_services={"health_check_grace_s": 0}), "CMP-016")
    assert f.evidence["target_group_seconds_to_healthy"] == 30 and "60 s" in f.recommendation
    assert run(healthy(), "CMP-016") == []
    assert run(healthy(ecs_services={"health_check_grace_s": 0, "target_group_arns": []}), "CMP-016") == []


def test_cmp_017_no_container_health_check() -> None:
    (f,) = run(healthy(container={"health_check": None}), "CMP-017")
    assert f.severity == "low" and f.evidence["behind_load_balancer"]
    (g,) = run(healthy(container={"health_check": None}, ecs_services={"target_group_arns": []}), "CMP-017")
    assert g.severity == "medium" and "no load balancer check" in g.title
    assert run(healthy(), "CMP-017") == []


def test_cmp_018_no_deployment_alarms() -> None:
    (f,) = run(healthy(ecs_services={"deployment_alarms": False}), "CMP-018")
    assert f.severity == "medium" and f.evidence["circuit_breaker"] is True and "rolling" in f.title
    assert run(healthy(), "CMP-018") == []
    assert run(healthy("staging", ecs_services={"deployment_alarms": False}), "CMP-018")[0].severity == "low"


def test_cmp_018_blue_green_deployments_read_the_deployment_group() -> None:
    def blue_green(alarms: bool | None) -> SnapshotBuilder:
        b = healthy(ecs_services={"deployment_alarms": None, "deployment_controller": "CODE_DEPLOY"})
        b.add("deployment_groups", application="api", group="api", compute_platform="ECS",
              deployment_type="BLUE_GREEN", ecs_services=["main/api"], alarms_enabled=alarms, rollback_on_alarm=False)
        return b

    (f,) = run(blue_green(False), "CMP-018")
    assert f.evidence["deployment_group"] == "api/api" and "blue/green" in f.title
    assert "DEPLOYMENT_STOP_ON_ALARM" in f.recommendation
    assert run(blue_green(True), "CMP-018") == []
    assert run(blue_green(None), "CMP-018") == []  # not collected: unknown


# ------------------------------------------------------------------------------------------- exposure
def test_sec_008_http_listener_that_forwards() -> None:
    (f,) = run(healthy(listeners={"default_action": "forward"}), "SEC-008")
    assert f.resource_ids == [f"{LB}/http"] and f.severity == "high" and f.evidence["has_https_listener"]
    assert run(healthy(), "SEC-008") == []
    # a fixed response without rules serves nothing
    assert run(healthy(listeners={"default_action": "fixed-response", "rule_count": 0}), "SEC-008") == []
    internal = run(healthy(listeners={"default_action": "forward"}, load_balancers={"scheme": "internal"}), "SEC-008")
    assert [x.severity for x in internal] == ["low"]


@pytest.mark.parametrize(("policy", "version"), [
    ("ELBSecurityPolicy-2016-08", "1.0"), ("ELBSecurityPolicy-FS-2018-06", "1.0"),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", "1.1"), ("ELBSecurityPolicy-TLS13-1-1-2021-06", "1.1"),
    ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "1.2"), ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "1.2"),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", "1.2"), ("ELBSecurityPolicy-TLS13-1-3-2021-06", "1.3"),
    ("SomethingElse", None)])
def test_elb_policy_tls_floor(policy: str, version: str | None) -> None:
    assert _tls_version(policy) == version


def test_sec_009_old_tls_policy() -> None:
    b = healthy()
    b.rows["listeners"][1]["ssl_policy"] = "ELBSecurityPolicy-2016-08"
    (f,) = run(b, "SEC-009")
    assert f.resource_ids == [f"{LB}/https"] and f.evidence["oldest_tls_accepted"] == "1.0"
    assert run(healthy(), "SEC-009") == []
    assert len(run(healthy(), "SEC-009", elb_min_tls_version="1.3")) == 1  # the TLS13-1-2 policy accepts 1.2


def test_sec_010_cloudfront_allow_all() -> None:
    b = healthy(cache_behaviors={"viewer_protocol_policy": "allow-all"})
    b.add("cache_behaviors", distribution_id="E1", path_pattern="/static/*", target_origin_id="s3",
          viewer_protocol_policy="allow-all")
    (f,) = run(b, "SEC-010")
    assert f.resource_ids == ["E1"] and f.evidence["behaviours"] == ["*", "/static/*"]
    assert run(healthy(), "SEC-010") == []


def test_sec_011_cloudfront_minimum_protocol() -> None:
    (f,) = run(healthy(distributions={"minimum_protocol_version": "TLSv1.2_2019"}), "SEC-011")
    assert f.severity == "medium" and f.evidence["minimum_protocol_version"] == "TLSv1.2_2019"
    (d,) = run(healthy(distributions={"minimum_protocol_version": "TLSv1", "default_certificate": True}), "SEC-011")
    assert d.severity == "low" and "own domain" in d.recommendation
    assert run(healthy(), "SEC-011") == []
    assert run(healthy(distributions={"minimum_protocol_version": "TLSv1.2_2019"}), "SEC-011",
               cloudfront_min_protocol_version="TLSv1.2_2018") == []


def test_sec_012_security_groups_open_on_non_web_ports() -> None:
    b = healthy()
    open_rule = {"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["0.0.0.0/0"],
                 "ipv6": [], "groups": [], "prefix_lists": []}
    b.add("security_groups", group_id="sg-ssh", vpc_id="vpc-1", name="bastion", rules=[open_rule])
    b.add("security_groups", group_id="sg-range", vpc_id="vpc-1", name="range",
          rules=[{**open_rule, "from_port": 8000, "to_port": 8100, "cidrs": [], "ipv6": ["::/0"]}])
    b.add("security_groups", group_id="sg-all", vpc_id="vpc-1", name="all",
          rules=[{**open_rule, "protocol": "-1", "from_port": None, "to_port": None}])
    b.add("security_groups", group_id="sg-office", vpc_id="vpc-1", name="office",
          rules=[{**open_rule, "cidrs": ["203.0.113.0/24"]}])
    b.rows["ecs_services"][0]["security_groups"] = '["sg-app", "sg-ssh"]'
    found = {f.resource_ids[0]: f for f in run(b, "SEC-012")}
    assert set(found) == {"sg-ssh", "sg-range", "sg-all"}
    assert found["sg-ssh"].severity == "high" and found["sg-ssh"].evidence["sensitive_ports"] == ["22 (SSH)"]
    assert found["sg-ssh"].evidence["used_by"] == ["service api"]
    assert found["sg-range"].severity == "medium" and found["sg-all"].severity == "high"
    assert run(healthy(), "SEC-012") == []
    assert run(b, "SEC-012", internet_open_ports_allowed=[80, 443, 22]) != [] and \
        "sg-ssh" not in {f.resource_ids[0] for f in run(b, "SEC-012", internet_open_ports_allowed=[80, 443, 22])}


def test_sec_013_data_stores_in_public_subnets() -> None:
    b = healthy(db_instances={"subnet_ids": ["pub-a", "priv-b"], "publicly_accessible": True})
    b.rows["cache_clusters"][0]["subnet_ids"] = '["pub-a", "pub-b"]'
    b.rows["cache_clusters"][1]["subnet_ids"] = '["pub-a", "pub-b"]'
    found = {f.resource_ids[0]: f for f in run(b, "SEC-013")}
    assert set(found) == {"ledger", "sessions"}  # one finding per replication group, not per node
    assert found["ledger"].severity == "high" and found["ledger"].evidence["public_subnets"] == ["pub-a"]
    assert found["sessions"].severity == "medium"
    assert run(healthy(), "SEC-013") == []


# ----------------------------------------------------------------------------------- workload hardening
def test_sec_014_privileged_container() -> None:
    (f,) = run(healthy(container={"privileged": True}), "SEC-014")
    assert f.resource_ids == [TD] and f.evidence["task_definitions"] == {"api:3": {"api": "privileged: true"}}
    assert f.severity == "high" and "1 container(s) in 1 task definition(s) run privileged (api)" in f.title
    assert run(healthy(), "SEC-014") == [] and run(healthy(container={"privileged": False}), "SEC-014") == []


def test_sec_015_container_running_as_root() -> None:
    (explicit,) = run(healthy(container={"user": "0:0"}), "SEC-015")
    assert explicit.severity == "medium" and explicit.evidence["task_definitions"]["api:3"] == {"api": "user 0:0 (root)"}
    (unset,) = run(healthy(container={"user": ""}), "SEC-015")
    assert unset.severity == "low" and unset.evidence["task_definitions"]["api:3"]["api"].startswith("user not set")
    assert run(healthy(), "SEC-015") == [] and run(healthy(container={"user": "app:app"}), "SEC-015") == []


def test_sec_016_writable_root_filesystem() -> None:
    (f,) = run(healthy(container={"readonly_root_filesystem": None}), "SEC-016")
    assert f.evidence["task_definitions"] == {"api:3": {"api": "readonlyRootFilesystem not set"}}
    assert run(healthy(container={"readonly_root_filesystem": False}), "SEC-016")[0] \
        .evidence["task_definitions"]["api:3"] == {"api": "readonlyRootFilesystem false"}
    assert run(healthy(), "SEC-016") == []


def test_sec_017_container_without_logs() -> None:
    (f,) = run(healthy(container={"log_driver": ""}), "SEC-017")
    assert f.severity == "medium" and f.evidence["task_definitions"] == {"api:3": {"api": "no logConfiguration"}}
    assert run(healthy(), "SEC-017") == []
    assert run(healthy("staging", container={"log_driver": ""}), "SEC-017")[0].severity == "low"


def test_hardening_rules_read_the_services_task_definitions_only_and_group_them_by_region() -> None:
    b = healthy()
    b.add("task_definitions", task_definition_arn=TD.replace(":3", ":2"), family="api", revision=2,
          containers=[{**GOOD_CONTAINER, "privileged": True}])  # an older revision no service runs
    assert run(b, "SEC-014") == []
    worker = f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/worker:1"
    b = healthy(container={"user": ""})
    b.fargate_service("worker", task_definition=worker)
    b.add("task_definitions", task_definition_arn=worker, family="worker", revision=1,
          containers=[{**GOOD_CONTAINER, "name": "worker", "user": "root"}, {**GOOD_CONTAINER, "name": "sidecar"}])
    (f,) = run(b, "SEC-015")  # one line of the report for the region, the worst grade
    assert f.resource_ids == sorted([TD, worker]) and f.severity == "medium"
    assert f.evidence["task_definitions"] == {"api:3": {"api": "user not set (the image's USER: root unless the "
                                                               "image sets one)"},
                                              "worker:1": {"worker": "user root (root)"}}
    assert f.evidence["container_count"] == 2


# ----------------------------------------------------------------------------------------------- Spot
def ec2_cluster(environment: str, lifecycles: list[str], *, mixed: int | None = None) -> SnapshotBuilder:
    b = SnapshotBuilder(environment=environment)
    b.add("ecs_clusters", cluster_arn=f"arn:aws:ecs:{REGION}:{ACCT}:cluster/apps", cluster_name="apps",
          status="ACTIVE", capacity_providers=["apps-asg"])
    b.add("capacity_providers", name="apps-asg", cluster="apps", type="ASG", managed_scaling=True, target_capacity=90,
          asg_arn=f"arn:aws:autoscaling:{REGION}:{ACCT}:autoScalingGroup:x:autoScalingGroupName/apps-asg")
    b.add("autoscaling_groups", asg_name="apps-asg", min_size=1, max_size=4, desired=len(lifecycles),
          on_demand_base=None if mixed is None else 0, on_demand_percentage=mixed)
    for i, kind in enumerate(lifecycles):
        b.add("container_instances", container_instance_arn=f"ci-{i}", cluster="apps", ec2_instance_id=f"i-{i}",
              instance_type="m6g.large", status="ACTIVE", registered_cpu=2048, registered_memory=7680,
              remaining_cpu=1024, remaining_memory=3840, running_tasks=2)
        b.add("ec2_instances", instance_id=f"i-{i}", instance_type="m6g.large", state="running",
              architecture="arm64", lifecycle=kind)
    return b


def test_cmp_014_non_production_ec2_cluster_without_spot() -> None:
    (f,) = run(ec2_cluster("staging", ["on-demand", "on-demand"], mixed=100), "CMP-014")
    assert f.evidence["spot_share_pct"] == 0 and f.evidence["container_instances"] == 2
    assert f.evidence["auto_scaling_groups"]["apps-asg"]["on_demand_percentage"] == 100
    assert REGISTRY["CMP-014"].saving.method == "not_modelled"
    assert run(ec2_cluster("staging", ["spot", "on-demand"]), "CMP-014") == []
    assert run(ec2_cluster("production", ["on-demand", "on-demand"]), "CMP-014") == []
    assert len(run(ec2_cluster("staging", ["spot", "on-demand", "on-demand"]), "CMP-014",
                   spot_max_share_pct=50)) == 1
    # lifecycle not collected (an older snapshot): not judged
    older = ec2_cluster("staging", ["on-demand"])
    older.rows["ec2_instances"][0].pop("lifecycle")
    assert run(older, "CMP-014") == []


# ------------------------------------------------------------------------------- every case in one estate
def test_an_estate_with_every_case_present_raises_each_rule_exactly_where_it_should() -> None:
    """One production estate with a case of (nearly) every lens rule planted at once: each rule fires, on the
    resource planted for it, and no other lens rule fires. Rules judging one setting of a shared resource
    (a database that is unencrypted, without backups, deletion protection or Multi-AZ, and in a public subnet)
    all fire on it."""
    b = healthy(
        "production",
        db_instances={"storage_encrypted": False, "backup_retention_days": 0, "deletion_protection": False,
                      "multi_az": False, "subnet_ids": ["pub-a", "priv-b"]},
        replication_groups={"at_rest_encryption": False, "transit_encryption": False, "automatic_failover": False,
                            "multi_az": False, "nodes": 1},
        dynamodb_tables={"point_in_time_recovery": False},
        listeners={"default_action": "forward"},
        load_balancers={"azs": [f"{REGION}a"]},
        container={"privileged": True, "user": "root", "readonly_root_filesystem": False, "log_driver": None,
                   "health_check": None},
        ecs_services={"desired": 1, "health_check_grace_s": 0, "deployment_alarms": False},
        distributions={"minimum_protocol_version": "TLSv1"},
        cache_behaviors={"viewer_protocol_policy": "allow-all"},
        security_groups={"rules": [{"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
                                    "cidrs": ["0.0.0.0/0"], "ipv6": [], "groups": [], "prefix_lists": []}]},
        route_tables={"routes": [{"destination": "0.0.0.0/0", "target": "nat-b"}]},
    )
    found = [f for f in evaluate(b.build()) if f.rule_id in NEW_RULES]
    fired: dict[str, list[str]] = {}
    for f in found:
        fired.setdefault(f.rule_id, []).extend(f.resource_ids)
    planted = {
        "SEC-004": "ledger", "DAT-015": "ledger", "SEC-007": "ledger", "DAT-017": "ledger", "SEC-013": "ledger",
        "SEC-005": "sessions", "SEC-006": "sessions", "DAT-018": "sessions", "DAT-016": "events",
        "SEC-008": "http", "NET-010": "edge", "SEC-014": "api", "SEC-015": "api", "SEC-016": "api",
        "SEC-017": "api", "CMP-017": "api", "CMP-015": "api", "CMP-016": "api", "CMP-018": "api",
        "SEC-010": "E1", "SEC-011": "E1", "SEC-012": "sg-alb", "NET-011": "",
    }
    assert set(fired) == set(planted), (sorted(set(fired) - set(planted)), sorted(set(planted) - set(fired)))
    for rule, where in planted.items():
        assert any(where in r for r in fired[rule]), (rule, fired[rule])
