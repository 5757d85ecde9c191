"""The simulated estate over real HTTP: counts, determinism, faults, latency, the story's details."""

from __future__ import annotations

import time
from typing import Any

import pytest
from awsassess.demo import Estate
from awsassess.demo.estate import ACCOUNTS, PRODUCTION, STAGING, expected_counts
from botocore.config import Config
from botocore.exceptions import ClientError

NO_RETRY = Config(retries={"total_max_attempts": 1})


def _client(estate: Estate, account_id: str, service: str, config: Config | None = None) -> Any:
    return estate.session(account_id).client(service, endpoint_url=estate.endpoint_url, config=config)


@pytest.mark.parametrize("acct", ACCOUNTS, ids=lambda a: a.name)
def test_network_and_ecs_counts(demo_estate: Estate, acct: Any) -> None:
    want = expected_counts(acct)
    ec2 = _client(demo_estate, acct.account_id, "ec2")
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
    vpc_ids = {v["VpcId"] for v in vpcs}
    subnets = [s for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] in vpc_ids]
    nats = ec2.describe_nat_gateways()["NatGateways"]
    igws = [i for i in ec2.describe_internet_gateways()["InternetGateways"]
            if any(a["VpcId"] in vpc_ids for a in i.get("Attachments", []))]
    peerings = [p for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
                if p["Status"]["Code"] == "active"]
    assert len(vpcs) == want["vpcs"]
    assert len(subnets) == want["subnets"]
    assert len(nats) == want["nat_gateways"]
    assert {n.get("ConnectivityType") for n in nats} == {"public"}
    assert len(igws) == want["internet_gateways"]
    assert len(peerings) == want["vpc_peerings"]
    elb = _client(demo_estate, acct.account_id, "elbv2")
    lbs = elb.describe_load_balancers()["LoadBalancers"]
    assert len(lbs) == want["load_balancers"]
    assert sum(lb["Scheme"] == "internet-facing" for lb in lbs) == want["internet_facing_load_balancers"]
    tgs = elb.describe_target_groups()["TargetGroups"]
    assert len(tgs) == want["target_groups"]
    attrs = {a["Key"]: a["Value"] for a in
             elb.describe_target_group_attributes(TargetGroupArn=tgs[0]["TargetGroupArn"])["Attributes"]}
    assert attrs["deregistration_delay.timeout_seconds"] == "300"
    assert tgs[0]["HealthCheckIntervalSeconds"] == 30 and tgs[0]["HealthyThresholdCount"] == 5
    ecs = _client(demo_estate, acct.account_id, "ecs")
    clusters = ecs.list_clusters()["clusterArns"]
    assert len(clusters) == want["ecs_clusters"]
    arns = ecs.list_services(cluster=clusters[0])["serviceArns"]
    assert len(arns) == want["ecs_services"]
    services = [s for i in range(0, len(arns), 10)
                for s in ecs.describe_services(cluster=clusters[0], services=arns[i:i + 10])["services"]]
    for svc in services:
        assert svc["launchType"] == "FARGATE"
        assert svc["deploymentController"]["type"] == "CODE_DEPLOY"
        assert svc["runningCount"] == svc["desiredCount"] and svc["createdAt"]
        assert svc["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"] is True


def test_story_details(demo_estate: Estate) -> None:
    ec2 = _client(demo_estate, STAGING.account_id, "ec2")
    names = [t["Value"] for v in ec2.describe_vpcs()["Vpcs"] for t in v.get("Tags", []) if t["Key"] == "Name"]
    assert any("<script>alert(1)</script>" in n for n in names)
    eips = ec2.describe_addresses()["Addresses"]
    assert sum("AssociationId" not in e for e in eips) == 1
    ecs = _client(demo_estate, PRODUCTION.account_id, "ecs")
    stopped = ecs.list_tasks(cluster="fintech-production", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster="fintech-production", tasks=stopped)["tasks"]
    assert tasks and all(t["stoppedReason"].startswith("Task failed ELB health checks in (target-group ")
                         and t["stopCode"] == "ServiceSchedulerInitiated" for t in tasks)
    running = ecs.list_tasks(cluster="fintech-production")["taskArns"]
    assert len(running) == sum(s.desired for s in PRODUCTION.services)
    wallet = ecs.describe_services(cluster="fintech-production", services=["wallet"])["services"][0]
    assert "FAILED" in {d["rolloutState"] for d in wallet["deployments"]}
    kyc = ecs.describe_task_definition(taskDefinition="fintech-production-kyc")["taskDefinition"]
    env = {e["name"]: e["value"] for e in kyc["containerDefinitions"][0]["environment"]}
    assert env["KYC_PROVIDER_API_KEY"].startswith("sk_live_")
    aas = _client(demo_estate, PRODUCTION.account_id, "application-autoscaling")
    targets = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert sorted(t["ResourceId"].rsplit("/", 1)[1] for t in targets) == ["api", "web"]


def test_throttling_then_success_with_retries(fresh_faults: Estate) -> None:
    fresh_faults.set_faults([{"service": "ecs", "operation": "DescribeClusters",
                              "code": "ThrottlingException", "count": 2}])
    ecs = _client(fresh_faults, PRODUCTION.account_id, "ecs",
                  Config(retries={"mode": "standard", "max_attempts": 5}))
    resp = ecs.describe_clusters(clusters=["fintech-production"])
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert fresh_faults.operations().count(("ecs", "DescribeClusters")) == 3
    assert fresh_faults.faults()[0]["count"] == 0


def test_access_denied_for_one_operation(fresh_faults: Estate) -> None:
    fresh_faults.set_faults([{"service": "rds", "operation": "DescribeDBInstances", "code": "AccessDenied"},
                             {"service": "ecs", "operation": "ListClusters", "code": "AccessDeniedException"},
                             {"service": "ec2", "operation": "DescribeVpcs", "code": "UnauthorizedOperation"}])
    rds = _client(fresh_faults, PRODUCTION.account_id, "rds", NO_RETRY)
    with pytest.raises(ClientError) as err:
        rds.describe_db_instances()
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    ecs = _client(fresh_faults, PRODUCTION.account_id, "ecs", NO_RETRY)
    with pytest.raises(ClientError) as err:
        ecs.list_clusters()
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    ecs.describe_clusters(clusters=["fintech-production"])  # other operations still work
    ec2 = _client(fresh_faults, PRODUCTION.account_id, "ec2", NO_RETRY)
    with pytest.raises(ClientError) as err:
        ec2.describe_vpcs()
    assert err.value.response["Error"]["Code"] == "UnauthorizedOperation"


def test_probabilistic_faults_are_deterministic(fresh_faults: Estate) -> None:
    sts = fresh_faults.session(PRODUCTION.account_id).client(
        "sts", endpoint_url=fresh_faults.endpoint_url, config=NO_RETRY)

    def run() -> list[bool]:
        fresh_faults.set_faults([{"service": "sts", "code": "Throttling", "probability": 0.3, "seed": 7}])
        outcome = []
        for _ in range(60):
            try:
                sts.get_caller_identity()
                outcome.append(True)
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "Throttling"
                outcome.append(False)
        return outcome

    first = run()
    failures = first.count(False)
    assert 8 <= failures <= 30, failures  # ~30 % of 60
    assert run() == first


def test_latency_injection(fresh_faults: Estate) -> None:
    sts = _client(fresh_faults, STAGING.account_id, "sts")
    t0 = time.perf_counter()
    sts.get_caller_identity()
    base = time.perf_counter() - t0
    fresh_faults.set_latency(300)
    t0 = time.perf_counter()
    sts.get_caller_identity()
    slow = time.perf_counter() - t0
    assert slow >= 0.3 and slow > base
