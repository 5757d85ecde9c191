"""The simulated estate over real HTTP: counts, determinism, faults, latency and the story's details.

Every check goes through boto3 -> HTTP -> front door -> moto, with credentials from
sts:AssumeRole into each account's AssessmentReadOnly role (as the collectors do).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from awsassess.demo import Estate
from awsassess.demo.control import EstateError
from awsassess.demo.estate import (
    ACCOUNTS,
    ORGANIZATION_MANAGEMENT_ACCOUNT,
    PRODUCTION,
    STAGING,
    AccountSpec,
    expected_counts,
)
from awsassess.demo.sim.pricing import prices_csv_path
from botocore.config import Config
from botocore.exceptions import ClientError

NO_RETRY = Config(retries={"total_max_attempts": 1})


def _client(estate: Estate, account_id: str, service: str, config: Config | None = None) -> Any:
    return estate.session(account_id).client(service, endpoint_url=estate.endpoint_url, config=config)


def _ends(pid: int, within_s: float) -> bool:
    """True once ``pid`` is gone or a zombie (ended, its parent has not collected it yet)."""
    import psutil

    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _all(client: Any, op: str, key: str, **kw: Any) -> list[Any]:
    return [item for page in client.get_paginator(op).paginate(**kw) for item in page[key]]


@pytest.fixture(scope="module")
def second_estate() -> Iterator[Estate]:
    """A second fresh server: the staging account alone (determinism), then the scale estate."""
    scale = json.dumps({"subnets": 250, "ecs_services": 120, "stacks": 60})
    estate = Estate.start(f"fintech:staging+scale:{scale}", timeout=180)
    yield estate
    estate.stop()


# ---------------------------------------------------------------------------------------------- counts
def _counts(estate: Estate, acct: AccountSpec) -> dict[str, int]:
    c = {s: _client(estate, acct.account_id, s) for s in (
        "ec2", "elbv2", "ecs", "rds", "elasticache", "dynamodb", "cloudfront", "codepipeline", "codebuild",
        "codedeploy", "cloudformation")}
    ec2 = c["ec2"]
    vpc_ids = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]}
    lbs = _all(c["elbv2"], "describe_load_balancers", "LoadBalancers")
    clusters = c["ecs"].list_clusters()["clusterArns"]
    pipelines = [p["name"] for p in c["codepipeline"].list_pipelines()["pipelines"]]
    apps = c["codedeploy"].list_applications()["applications"]
    return {
        "vpcs": len(vpc_ids),
        "subnets": sum(s["VpcId"] in vpc_ids for s in ec2.describe_subnets()["Subnets"]),
        "nat_gateways": len(ec2.describe_nat_gateways()["NatGateways"]),
        "internet_gateways": sum(any(a["VpcId"] in vpc_ids for a in i.get("Attachments", []))
                                 for i in ec2.describe_internet_gateways()["InternetGateways"]),
        "vpc_peerings": sum(p["Status"]["Code"] == "active"
                            for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]),
        "load_balancers": len(lbs),
        "internet_facing_load_balancers": sum(lb["Scheme"] == "internet-facing" for lb in lbs),
        "target_groups": len(c["elbv2"].describe_target_groups()["TargetGroups"]),
        "ecs_clusters": len(clusters),
        "ecs_services": sum(len(_all(c["ecs"], "list_services", "serviceArns", cluster=x)) for x in clusters),
        "db_instances": len(_all(c["rds"], "describe_db_instances", "DBInstances")),
        "db_clusters": len(_all(c["rds"], "describe_db_clusters", "DBClusters")),
        "replication_groups": len(c["elasticache"].describe_replication_groups()["ReplicationGroups"]),
        "dynamodb_tables": len(_all(c["dynamodb"], "list_tables", "TableNames")),
        "distributions": c["cloudfront"].list_distributions()["DistributionList"]["Quantity"],
        "pipelines": len(pipelines),
        "build_projects": len(c["codebuild"].list_projects()["projects"]),
        "deployment_groups": sum(len(c["codedeploy"].list_deployment_groups(applicationName=a)["deploymentGroups"])
                                 for a in apps),
        "pipeline_executions": sum(len(c["codepipeline"].list_pipeline_executions(pipelineName=p)[
            "pipelineExecutionSummaries"]) for p in pipelines),
        "stacks": len(_all(c["cloudformation"], "describe_stacks", "Stacks")),
    }


@pytest.mark.parametrize("acct", ACCOUNTS, ids=lambda a: a.name)
def test_counts_match_the_estate_spec(demo_estate: Estate, acct: AccountSpec) -> None:
    assert _counts(demo_estate, acct) == expected_counts(acct)


def test_scale_estate_counts(second_estate: Estate) -> None:
    estate = second_estate
    acct = "333333333333"
    subnets = _client(estate, acct, "ec2").describe_subnets()["Subnets"]
    assert sum(not s["DefaultForAz"] for s in subnets) == 250
    ecs = _client(estate, acct, "ecs")
    assert sum(len(_all(ecs, "list_services", "serviceArns", cluster=c)) for c in ecs.list_clusters()["clusterArns"]) == 120
    cfn = _client(estate, acct, "cloudformation")
    assert len(_all(cfn, "list_stacks", "StackSummaries")) == 60
    rds = _client(estate, acct, "rds")
    pages = list(rds.get_paginator("describe_db_instances").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(p["DBInstances"]) for p in pages] == [20, 5]


def test_fresh_servers_give_the_same_ids(demo_estate: Estate, second_estate: Estate) -> None:
    def ids(estate: Estate) -> dict[str, list[str]]:
        ec2 = _client(estate, STAGING.account_id, "ec2")
        elb = _client(estate, STAGING.account_id, "elbv2")
        cp = _client(estate, STAGING.account_id, "codepipeline")
        return {
            "vpcs": sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]),
            "subnets": sorted(s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]),
            "nats": sorted(n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]),
            "target_groups": sorted(t["TargetGroupArn"] for t in elb.describe_target_groups()["TargetGroups"]),
            "tasks": sorted(_client(estate, STAGING.account_id, "ecs").list_tasks(cluster="fintech-staging")["taskArns"]),
            "distributions": sorted(d["Id"] for d in _client(estate, STAGING.account_id, "cloudfront")
                                    .list_distributions()["DistributionList"]["Items"]),
            "executions": sorted(e["pipelineExecutionId"] for e in cp.list_pipeline_executions(
                pipelineName="fintech-staging-api")["pipelineExecutionSummaries"]),
        }

    assert ids(second_estate) == ids(demo_estate)


# ---------------------------------------------------------------------------------------------- story
def test_story_details(demo_estate: Estate) -> None:
    ec2 = _client(demo_estate, STAGING.account_id, "ec2")
    names = [t["Value"] for v in ec2.describe_vpcs()["Vpcs"] for t in v.get("Tags", []) if t["Key"] == "Name"]
    assert any("<script>alert(1)</script>" in n for n in names)
    assert sum("AssociationId" not in e for e in ec2.describe_addresses()["Addresses"]) == 1
    ecs = _client(demo_estate, PRODUCTION.account_id, "ecs")
    stopped = ecs.list_tasks(cluster="fintech-production", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster="fintech-production", tasks=stopped)["tasks"]
    assert tasks and all(t["stoppedReason"].startswith("Task failed ELB health checks in (target-group arn:")
                         and t["stopCode"] == "ServiceSchedulerInitiated" for t in tasks)
    assert len(ecs.list_tasks(cluster="fintech-production")["taskArns"]) == sum(s.desired for s in PRODUCTION.services)
    services = ecs.describe_services(cluster="fintech-production", services=[s.name for s in PRODUCTION.services])
    for svc in services["services"]:
        assert svc["launchType"] == "FARGATE" and svc["deploymentController"]["type"] == "CODE_DEPLOY"
        assert svc["runningCount"] == svc["desiredCount"] and svc["createdAt"] and svc["platformVersion"]
        assert svc["healthCheckGracePeriodSeconds"] == 60
    wallet = next(s for s in services["services"] if s["serviceName"] == "wallet")
    assert "FAILED" in {d["rolloutState"] for d in wallet["deployments"]}
    kyc = ecs.describe_task_definition(taskDefinition="fintech-production-kyc")["taskDefinition"]
    env = {e["name"]: e["value"] for e in kyc["containerDefinitions"][0]["environment"]}
    assert env["KYC_PROVIDER_API_KEY"].startswith("sk_live_")
    assert all(c.get("memory") for c in kyc["containerDefinitions"])
    targets = _client(demo_estate, PRODUCTION.account_id, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs")["ScalableTargets"]
    assert sorted(t["ResourceId"].rsplit("/", 1)[1] for t in targets) == ["api", "web"]
    elb = _client(demo_estate, PRODUCTION.account_id, "elbv2")
    tg = elb.describe_target_groups()["TargetGroups"][0]
    attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}
    assert attrs["deregistration_delay.timeout_seconds"] == "300"
    assert (tg["HealthCheckIntervalSeconds"], tg["HealthyThresholdCount"]) == (30, 5)
    nats = ec2.describe_nat_gateways()["NatGateways"]
    assert {n.get("ConnectivityType") for n in nats} == {"public"}


def test_datastores_and_cdn(demo_estate: Estate) -> None:
    acct = PRODUCTION
    rds = _client(demo_estate, acct.account_id, "rds")
    pg = rds.describe_db_instances(DBInstanceIdentifier="fintech-production-postgres")["DBInstances"][0]
    assert (pg["Engine"], pg["DBInstanceClass"], pg["MultiAZ"], pg["StorageType"], pg["AllocatedStorage"]) == (
        "postgres", acct.rds_class, acct.rds_multi_az, "gp2", acct.rds_storage_gb)
    docdb = _client(demo_estate, acct.account_id, "docdb").describe_db_clusters(
        Filters=[{"Name": "engine", "Values": ["docdb"]}])["DBClusters"]
    assert len(docdb) == 1 and len(docdb[0]["DBClusterMembers"]) == acct.docdb_instances
    ec = _client(demo_estate, acct.account_id, "elasticache")
    rg = ec.describe_replication_groups()["ReplicationGroups"][0]
    assert len(rg["MemberClusters"]) == acct.redis_nodes and rg["CacheNodeType"] == acct.redis_node_type
    assert {c["CacheClusterId"] for c in ec.describe_cache_clusters()["CacheClusters"]} == set(rg["MemberClusters"])
    ddb = _client(demo_estate, acct.account_id, "dynamodb")
    ledger = ddb.describe_table(TableName="fintech-production-ledger")["Table"]
    assert ledger["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert (ledger["ProvisionedThroughput"]["ReadCapacityUnits"],
            ledger["ProvisionedThroughput"]["WriteCapacityUnits"]) == acct.ddb_provisioned
    sessions = ddb.describe_table(TableName="fintech-production-sessions")["Table"]
    assert sessions["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    cf = _client(demo_estate, acct.account_id, "cloudfront")
    dist = cf.list_distributions()["DistributionList"]["Items"][0]
    assert (dist["PriceClass"], dist["HttpVersion"]) == ("PriceClass_All", "http2")
    default = dist["DefaultCacheBehavior"]
    assert default["ForwardedValues"]["Cookies"]["Forward"] == "all" and default["ForwardedValues"]["QueryString"]
    assert (default["MinTTL"], default["DefaultTTL"], default["MaxTTL"], default["Compress"]) == (0, 0, 0, False)
    by_path = {b["PathPattern"]: b for b in dist["CacheBehaviors"]["Items"]}
    managed = {p["CachePolicy"]["Id"]: p["CachePolicy"]["CachePolicyConfig"]["Name"]
               for p in cf.list_cache_policies(Type="managed")["CachePolicyList"]["Items"]}
    assert managed[by_path["/static/*"]["CachePolicyId"]] == "Managed-CachingOptimized"
    assert managed[by_path["/api/*"]["CachePolicyId"]] == "Managed-CachingDisabled"
    assert "b2884449-e4de-46a7-ac36-70bc7f1ddd6d" in managed
    policy = cf.get_cache_policy(Id=by_path["/static/*"]["CachePolicyId"])["CachePolicy"]["CachePolicyConfig"]
    assert policy["DefaultTTL"] == 86400 and policy["ParametersInCacheKeyAndForwardedToOrigin"]["EnableAcceptEncodingGzip"]
    assert cf.list_response_headers_policies()["ResponseHeadersPolicyList"]["Quantity"] == 0
    with pytest.raises(ClientError) as err:
        cf.get_cache_policy(Id="00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "NoSuchCachePolicy"


def test_copilot_stacks(demo_estate: Estate) -> None:
    cfn = _client(demo_estate, PRODUCTION.account_id, "cloudformation")
    stacks = {s["StackName"]: s for s in cfn.describe_stacks()["Stacks"]}
    assert {"fintech-infrastructure-roles", "fintech-production"} <= set(stacks)
    tags = {t["Key"]: t["Value"] for t in stacks["fintech-production-api"]["Tags"]}
    assert tags == {"copilot-application": "fintech", "copilot-environment": "production", "copilot-service": "api"}
    env_body = cfn.get_template(StackName="fintech-production")["TemplateBody"]
    size = len(json.dumps(env_body, indent=2))
    assert 40_000 < size < 51_200
    kyc = stacks["fintech-production-kyc"]
    assert kyc["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="fintech-production-kyc")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert len(failed) == 1 and failed[0]["LogicalResourceId"] == "Service"
    assert "Circuit Breaker" in failed[0]["ResourceStatusReason"]
    assert events[0]["Timestamp"] > events[-1]["Timestamp"]  # newest first, real timestamps
    resources = cfn.describe_stack_resources(StackName="fintech-production-web")["StackResources"]
    assert resources and all(r.get("LogicalResourceId") for r in resources)


def test_pipeline_times_add_up(demo_estate: Estate) -> None:
    acct, timing = PRODUCTION, PRODUCTION.timing
    cp = _client(demo_estate, acct.account_id, "codepipeline")
    name = "fintech-production-wallet"
    stages = [s["name"] for s in cp.get_pipeline(name=name)["pipeline"]["stages"]]
    assert stages == ["Source", "Build", "Deploy"]
    executions = _all(cp, "list_pipeline_executions", "pipelineExecutionSummaries", pipelineName=name,
                      PaginationConfig={"PageSize": 7})  # paged: moto alone would truncate without a token
    assert len(executions) == acct.pipeline_executions
    now = datetime.now(UTC)
    assert all(now - timedelta(days=31) < e["startTime"] < now for e in executions)
    minutes = [(e["lastUpdateTime"] - e["startTime"]).total_seconds() / 60 for e in executions]
    assert all(80 <= m <= 100 for m in minutes) and len(set(minutes)) > 5
    state = cp.get_pipeline_state(name=name)
    assert [s["latestExecution"]["status"] for s in state["stageStates"]] == ["Succeeded"] * 3
    cb = _client(demo_estate, acct.account_id, "codebuild")
    cd = _client(demo_estate, acct.account_id, "codedeploy")
    for ex in executions[:5]:
        actions = cp.list_action_executions(pipelineName=name,
                                            filter={"pipelineExecutionId": ex["pipelineExecutionId"]})["actionExecutionDetails"]
        by_stage = {a["stageName"]: a for a in actions}
        spans = [(by_stage[s]["startTime"], by_stage[s]["lastUpdateTime"]) for s in stages]
        assert spans[0][0] == ex["startTime"] and spans[-1][1] == ex["lastUpdateTime"]
        assert all(a_end == b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False))
        build = cb.batch_get_builds(ids=[by_stage["Build"]["output"]["executionResult"]["externalExecutionId"]])["builds"][0]
        assert (build["startTime"], build["endTime"]) == spans[1]
        assert sum(p.get("durationInSeconds", 0) for p in build["phases"]) == (build["endTime"] - build["startTime"]).total_seconds()
        dep = cd.get_deployment(deploymentId=by_stage["Deploy"]["output"]["executionResult"]["externalExecutionId"])
        info = dep["deploymentInfo"]
        assert info["status"] == "Succeeded" and (info["startTime"], info["completeTime"]) == spans[2]
        assert (info["completeTime"] - info["startTime"]).total_seconds() >= timing.termination_wait_min * 60
    project = cb.batch_get_projects(names=[name])["projects"][0]
    assert project["environment"]["computeType"] == "BUILD_GENERAL1_LARGE" and project["environment"]["privilegedMode"]
    assert project["cache"]["type"] == "NO_CACHE"
    assert "docker build" in project["source"]["buildspec"] and "--cache-from" not in project["source"]["buildspec"]
    web = cb.batch_get_projects(names=["fintech-production-web"])["projects"][0]
    assert "DOCKERHUB_PASSWORD" in {v["name"] for v in web["environment"]["environmentVariables"]}
    group = cd.get_deployment_group(applicationName=name, deploymentGroupName=name)["deploymentGroupInfo"]
    assert group["deploymentStyle"]["deploymentType"] == "BLUE_GREEN"
    assert group["blueGreenDeploymentConfiguration"]["terminateBlueInstancesOnDeploymentSuccess"][
        "terminationWaitTimeInMinutes"] == timing.termination_wait_min


def test_cloudwatch_series(demo_estate: Estate) -> None:
    cw = _client(demo_estate, PRODUCTION.account_id, "cloudwatch")
    end = datetime.now(UTC)
    # the seeded 14 days of hourly points end when the estate was seeded (minutes ago): a window two
    # hours longer holds every one of them whenever the query runs, so the count is exact
    start = end - timedelta(days=14, hours=2)

    def query(qid: str, ns: str, metric: str, dims: dict[str, str], stat: str) -> dict[str, Any]:
        return {"Id": qid, "MetricStat": {"Metric": {"Namespace": ns, "MetricName": metric, "Dimensions": [
            {"Name": k, "Value": v} for k, v in dims.items()]}, "Period": 3600, "Stat": stat}}

    web = {"ClusterName": "fintech-production", "ServiceName": "web"}
    wallet = {"ClusterName": "fintech-production", "ServiceName": "wallet"}
    nat = _client(demo_estate, PRODUCTION.account_id, "ec2").describe_nat_gateways()["NatGateways"][0]["NatGatewayId"]
    result = cw.get_metric_data(StartTime=start, EndTime=end, MetricDataQueries=[
        query("cpu", "AWS/ECS", "CPUUtilization", web, "Average"),
        query("cpu_p95", "AWS/ECS", "CPUUtilization", web, "p95"),
        query("wallet_max", "AWS/ECS", "CPUUtilization", wallet, "Maximum"),
        query("nat", "AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": nat}, "Sum"),
        query("partial", "AWS/ECS", "CPUUtilization", {"ClusterName": "fintech-production"}, "Average"),
    ])["MetricDataResults"]
    by_id = {r["Id"]: r["Values"] for r in result}
    cpu = sorted(by_id["cpu"])
    assert len(cpu) == 14 * 24
    p95 = cpu[round(0.95 * (len(cpu) - 1))]
    assert abs(p95 - PRODUCTION.services[0].cpu_p95) < 1.0
    assert by_id["cpu_p95"] and max(by_id["wallet_max"]) == 100.0
    assert by_id["nat"] and min(by_id["nat"]) > 0
    assert by_id["partial"] == []  # dimensions must match exactly, as in AWS
    namespaces = {m["Namespace"] for m in _all(cw, "list_metrics", "Metrics")}
    assert {"AWS/ECS", "AWS/RDS", "AWS/DocDB", "AWS/ElastiCache", "AWS/DynamoDB", "AWS/NATGateway",
            "AWS/ApplicationELB", "AWS/CloudFront"} <= namespaces


def test_cost_explorer_three_months(demo_estate: Estate) -> None:
    today = date.today()
    first = today.replace(day=1)
    start = (first - timedelta(days=85)).replace(day=1)
    ce = _client(demo_estate, PRODUCTION.account_id, "ce")
    result = ce.get_cost_and_usage(TimePeriod={"Start": start.isoformat(), "End": first.isoformat()},
                                   Granularity="MONTHLY", Metrics=["UnblendedCost"],
                                   GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])["ResultsByTime"]
    assert len(result) == 3
    for month in result:
        spend = {g["Keys"][0]: float(g["Metrics"]["UnblendedCost"]["Amount"]) for g in month["Groups"]}
        assert {"Amazon Elastic Container Service", "EC2 - Other", "Amazon Relational Database Service",
                "Amazon DocumentDB (with MongoDB compatibility)", "Amazon ElastiCache", "Amazon DynamoDB",
                "Amazon CloudFront", "Amazon Elastic Load Balancing", "Amazon Virtual Private Cloud",
                "AWS CodePipeline", "AWS CodeBuild", "AmazonCloudWatch"} <= set(spend)
        days = (date.fromisoformat(month["TimePeriod"]["End"]) - date.fromisoformat(month["TimePeriod"]["Start"])).days
        fargate = sum(s.desired * (s.cpu / 1024 * 0.04048 + s.memory / 1024 * 0.004445) for s in PRODUCTION.services)
        assert spend["Amazon Elastic Container Service"] == pytest.approx(fargate * 24 * days, rel=1e-6)
        redis_hour = 0.149 * PRODUCTION.redis_nodes  # cache.m6g.large list price
        assert spend["Amazon ElastiCache"] == pytest.approx(redis_hour * 24 * days, rel=1e-6)
    staging = _client(demo_estate, STAGING.account_id, "ce").get_cost_and_usage(
        TimePeriod={"Start": start.isoformat(), "End": first.isoformat()}, Granularity="MONTHLY",
        Metrics=["UnblendedCost"])["ResultsByTime"]
    prod_total = sum(float(g["Metrics"]["UnblendedCost"]["Amount"]) for g in result[0]["Groups"])
    assert 0 < float(staging[0]["Total"]["UnblendedCost"]["Amount"]) < prod_total


def test_pricing_and_organizations(demo_estate: Estate) -> None:
    with open(prices_csv_path(), newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["item"] == "instance_hour:m5.large" and r["region"] == "us-east-1")
    session = demo_estate.session(PRODUCTION.account_id)
    pricing = session.client("pricing", endpoint_url=demo_estate.endpoint_url, region_name="us-east-1")
    products = pricing.get_products(ServiceCode=row["service"], Filters=[
        {"Type": "TERM_MATCH", "Field": "instanceType", "Value": "m5.large"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"}])["PriceList"]
    assert len(products) == 1
    product = json.loads(products[0])
    dims = next(iter(next(iter(product["terms"]["OnDemand"].values()))["priceDimensions"].values()))
    assert float(dims["pricePerUnit"]["USD"]) == float(row["usd"]) and dims["unit"] == "Hrs"
    paged = _all(pricing, "get_products", "PriceList", ServiceCode=row["service"], PaginationConfig={"PageSize": 10})
    assert len(paged) > 10
    assert row["service"] in {s["ServiceCode"] for s in pricing.describe_services()["Services"]}
    org = _client(demo_estate, PRODUCTION.account_id, "organizations")
    assert org.describe_organization()["Organization"]["MasterAccountId"] == ORGANIZATION_MANAGEMENT_ACCOUNT
    import boto3

    mgmt = boto3.client("organizations", endpoint_url=demo_estate.endpoint_url, region_name="us-east-1")
    mgmt.meta.events.register("before-send.*.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", ORGANIZATION_MANAGEMENT_ACCOUNT))
    members = {a["Id"]: (a["Name"], a["Status"]) for a in mgmt.list_accounts()["Accounts"]}
    assert members[STAGING.account_id] == ("fintech-staging", "ACTIVE")
    assert members[PRODUCTION.account_id] == ("fintech-production", "ACTIVE")


# ---------------------------------------------------------------------------------------------- faults
def test_throttling_then_success_with_retries(fresh_faults: Estate) -> None:
    fresh_faults.set_faults([{"service": "ecs", "operation": "DescribeClusters",
                              "code": "ThrottlingException", "count": 2}])
    ecs = _client(fresh_faults, PRODUCTION.account_id, "ecs", Config(retries={"mode": "standard", "max_attempts": 5}))
    resp = ecs.describe_clusters(clusters=["fintech-production"])
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert fresh_faults.operations().count(("ecs", "DescribeClusters")) == 3
    assert fresh_faults.faults()[0]["count"] == 0
    fresh_faults.set_faults([{"service": "ec2", "operation": "DescribeVpcs", "code": "RequestLimitExceeded", "count": 1}])
    ec2 = _client(fresh_faults, PRODUCTION.account_id, "ec2", Config(retries={"mode": "standard", "max_attempts": 3}))
    assert ec2.describe_vpcs()["ResponseMetadata"]["RetryAttempts"] == 1


@pytest.mark.parametrize(("service", "operation", "code", "call"), [
    ("rds", "DescribeDBInstances", "AccessDenied", lambda c: c.describe_db_instances()),
    ("ecs", "ListClusters", "AccessDeniedException", lambda c: c.list_clusters()),
    ("ec2", "DescribeVpcs", "UnauthorizedOperation", lambda c: c.describe_vpcs()),
    ("cloudfront", "ListDistributions", "AccessDenied", lambda c: c.list_distributions()),
    ("cloudwatch", "GetMetricData", "AccessDenied", lambda c: c.get_metric_data(
        StartTime=datetime(2026, 1, 1), EndTime=datetime(2026, 1, 2), MetricDataQueries=[])),
    ("ce", "GetCostAndUsage", "AccessDeniedException", lambda c: c.get_cost_and_usage(
        TimePeriod={"Start": "2026-01-01", "End": "2026-02-01"}, Granularity="MONTHLY", Metrics=["UnblendedCost"])),
])
def test_access_denied_for_one_operation(fresh_faults: Estate, service: str, operation: str, code: str,
                                         call: Any) -> None:
    client = _client(fresh_faults, PRODUCTION.account_id, service, NO_RETRY)
    fresh_faults.set_faults([{"service": service, "operation": operation, "code": code}])
    with pytest.raises(ClientError) as err:
        call(client)
    assert err.value.response["Error"]["Code"] == code
    assert (service, operation) in fresh_faults.operations()


def test_other_operations_unaffected_and_bad_rules_rejected(fresh_faults: Estate) -> None:
    ecs = _client(fresh_faults, PRODUCTION.account_id, "ecs", NO_RETRY)
    fresh_faults.set_faults([{"service": "ecs", "operation": "ListClusters", "code": "AccessDeniedException"}])
    assert ecs.describe_clusters(clusters=["fintech-production"])["clusters"]
    with pytest.raises(Exception, match="unknown field"):
        fresh_faults.set_faults([{"service": "ecs", "opration": "ListClusters"}])


def test_probabilistic_faults_are_deterministic(fresh_faults: Estate) -> None:
    sts = fresh_faults.session(PRODUCTION.account_id).client("sts", endpoint_url=fresh_faults.endpoint_url,
                                                             config=NO_RETRY)

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
    assert 8 <= first.count(False) <= 30  # ~30 % of 60
    assert run() == first


def test_replay_answers_repeated_reads_from_moto_s_kept_answers(fresh_faults: Estate) -> None:
    estate = fresh_faults
    assert estate.replay_stats() == {"enabled": False, "entries": 0, "hits": 0, "misses": 0}
    estate.set_replay(True)
    ecs = _client(estate, PRODUCTION.account_id, "ecs", NO_RETRY)
    first = ecs.describe_clusters(clusters=["fintech-production"])
    assert estate.replay_stats() == {"enabled": True, "entries": 1, "hits": 0, "misses": 1}
    second = ecs.describe_clusters(clusters=["fintech-production"])
    assert estate.replay_stats()["hits"] == 1
    assert second["clusters"] == first["clusters"] and first["clusters"][0]["clusterName"] == "fintech-production"
    # another request, or the same request in another account, is not answered from this one
    assert not ecs.describe_clusters(clusters=["no-such-cluster"])["clusters"]
    staging = _client(estate, STAGING.account_id, "ecs", NO_RETRY).describe_clusters(clusters=["fintech-production"])
    assert not staging["clusters"]
    assert estate.replay_stats()["hits"] == 1
    # STS is never replayed: credentials and identities stay live
    sts = _client(estate, PRODUCTION.account_id, "sts", NO_RETRY)
    sts.get_caller_identity()
    sts.get_caller_identity()
    assert estate.replay_stats()["entries"] == 3
    # faults and the operation record still apply to replayed requests
    estate.set_faults([{"service": "ecs", "operation": "DescribeClusters", "code": "AccessDeniedException"}])
    with pytest.raises(ClientError, match="AccessDenied"):
        ecs.describe_clusters(clusters=["fintech-production"])
    estate.clear_faults()
    assert ecs.describe_clusters(clusters=["fintech-production"])["clusters"] == first["clusters"]
    assert estate.operations().count(("ecs", "DescribeClusters")) == 6
    # operations the estate simulates in front of moto are replayed too
    cloudfront = _client(estate, PRODUCTION.account_id, "cloudfront", NO_RETRY)
    policies = cloudfront.list_cache_policies()["CachePolicyList"]
    hits = estate.replay_stats()["hits"]
    assert cloudfront.list_cache_policies()["CachePolicyList"] == policies
    assert estate.replay_stats()["hits"] == hits + 1
    estate.clear_replay()
    assert estate.replay_stats() == {"enabled": True, "entries": 0, "hits": 0, "misses": 0}
    with pytest.raises(EstateError, match="enabled"):
        estate._control("POST", "replay", {"enabled": "yes"})


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
    # the timeline has each finished request, arrival to answer, the latency included
    timeline = fresh_faults.timeline()
    assert [t[:2] for t in timeline] == [("sts", "GetCallerIdentity")] * 2
    (_, _, in1, out1), (_, _, in2, out2) = timeline
    assert 0 <= out1 - in1 < 0.3 <= out2 - in2 < slow and out1 <= in2
    fresh_faults.reset_operations()
    assert fresh_faults.timeline() == []


# ---------------------------------------------------------------------------------------------- units
def test_pricing_fill_reads_the_catalog_format(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from awsassess.demo.sim import pricing

    catalog = tmp_path / "prices.csv"
    catalog.write_text(
        "service,item,region,unit,usd,source,as_of,confidence\n"
        "AmazonEC2,instance_hour:m7g.large,us-east-1,per instance-hour,0.0816,S1,2026-07-20,A\n"
        "AmazonEC2,nat_gateway_gb,eu-west-1,per GB processed,0.048,S32,2026,C\n"
        "AWSELB,alb_hour,us-east-1,per ALB-hour,0.0225,S3,2024-07-01,A\n")
    monkeypatch.setenv("AWSASSESS_PRICES_CSV", str(catalog))
    body = json.dumps({"ServiceCode": "AmazonEC2", "Filters": [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"}]}).encode()
    status, _, raw = pricing.pricing_get_products({}, body)
    prices = [json.loads(p) for p in json.loads(raw)["PriceList"]]
    assert status == 200 and len(prices) == 1
    product = prices[0]
    assert product["product"]["attributes"]["instanceType"] == "m7g.large"
    term = next(iter(product["terms"]["OnDemand"].values()))
    assert float(next(iter(term["priceDimensions"].values()))["pricePerUnit"]["USD"]) == 0.0816
    _, _, raw = pricing.pricing_describe_services({}, b"{}")
    assert [s["ServiceCode"] for s in json.loads(raw)["Services"]] == ["AWSELB", "AmazonEC2"]


def test_front_door_identifies_every_protocol() -> None:
    from awsassess.demo.frontdoor import FaultRule, identify

    def env(service: str, **extra: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=testing/20261126/us-east-1/{service}/aws4_request, "
                                      "SignedHeaders=host, Signature=0", **extra}

    assert identify(env("ecs", HTTP_X_AMZ_TARGET="AmazonEC2ContainerServiceV20141113.ListClusters"), b"") == (
        "ecs", "ListClusters")
    form = {"CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8"}
    assert identify(env("elasticloadbalancing", **form), b"Action=DescribeLoadBalancers&Version=2015-12-01") == (
        "elbv2", "DescribeLoadBalancers")
    assert identify(env("monitoring", HTTP_X_AMZ_TARGET="GraniteServiceVersion20100801.GetMetricData"), b"") == (
        "cloudwatch", "GetMetricData")
    assert identify(env("cloudfront", REQUEST_METHOD="GET", PATH_INFO="/2020-05-31/cache-policy/abc"), b"") == (
        "cloudfront", "GetCachePolicy")
    assert identify(env("cloudfront", REQUEST_METHOD="GET", PATH_INFO="/2020-05-31/cache-policy/abc/config"),
                    b"") == ("cloudfront", "GetCachePolicyConfig")
    assert identify({"PATH_INFO": "/moto-api/reset"}, b"") == (None, None)
    rule = FaultRule(service="elasticloadbalancing", operation="describe_load_balancers")
    assert rule.matches("elbv2", "DescribeLoadBalancers") and not rule.matches("ec2", "DescribeLoadBalancers")
    with pytest.raises(ValueError, match="probability"):
        FaultRule(service="ecs", probability=1.5)


@pytest.mark.parametrize("value", [
    "2026-11-26T10:15:00Z", "2026-11-26T10:15:00.123Z", "2026-11-26T10:15:00+02:00", "2026-11-26T10:15:00",
    "1764152100", 1764152100, 1764152100.25, "Thu, 26 Nov 2026 10:15:00 GMT",
])
def test_estate_timestamp_fast_path_serialises_like_moto(value: object) -> None:
    """The estate's stdlib timestamp path writes exactly what moto's dateutil path writes."""
    from datetime import datetime

    from awsassess.aws import parse_timestamp_utc
    from botocore.utils import parse_to_aware_datetime
    from moto.core.serialize import TimestampSerializer

    ser = TimestampSerializer("iso8601")
    for fmt in ("iso8601", "unixtimestamp", "rfc822"):
        convert = getattr(ser, f"_timestamp_{fmt}")
        assert convert(parse_timestamp_utc(value)) == convert(parse_to_aware_datetime(value))
    naive = datetime(2026, 11, 26, 10, 15)
    assert ser._timestamp_iso8601(parse_timestamp_utc(naive)) == ser._timestamp_iso8601(parse_to_aware_datetime(naive))


def test_memoised_routing_answers_like_moto() -> None:
    from awsassess.demo.server import memoise_moto_routing
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    hosts = ["ec2.us-east-1.amazonaws.com", "ecs.eu-west-1.amazonaws.com", "monitoring.us-east-1.amazonaws.com",
             "moto_api", None, "s3", "nothing.example.com"]
    before = DomainDispatcherApplication(create_backend_app)
    expected = [before.get_backend_for_host(h) for h in hosts]
    memoise_moto_routing()
    memoise_moto_routing()  # idempotent
    after = DomainDispatcherApplication(create_backend_app)
    assert [after.get_backend_for_host(h) for h in hosts] == expected
    assert [after.get_backend_for_host(h) for h in hosts] == expected  # from the cache


def test_launch_many_serves_at_once_then_seeds_each_estate_in_its_own_process() -> None:
    """Two forked servers from one warm-up: each answers /_awsassess/status while it seeds, then holds
    its own estate; a seed that fails is reported by both the handle and the status endpoint."""
    import urllib.request

    from awsassess.demo.control import EstateError, wait_until_seeded

    estates = Estate.launch_many(["empty", "fintech:staging", "bogus"], timeout=240)
    try:
        urls = {name: e.endpoint_url for name, e in estates.items()}
        assert len(set(urls.values())) == 3
        pids = {e.info["pid"] for e in estates.values()}
        assert len(pids) == 3, "one server process per estate"
        wait_until_seeded(urls["fintech:staging"], timeout=240)
        staging = estates["fintech:staging"].wait_seeded(10)
        assert staging.timings["total"] > 0 and staging.timings["warm_up_failed_calls"] == 0
        ec2 = staging.session(STAGING.account_id).client("ec2", endpoint_url=staging.endpoint_url)
        assert len(ec2.describe_vpcs()["Vpcs"]) == expected_counts(STAGING)["vpcs"] + 1  # + the default VPC
        empty = estates["empty"].wait_seeded(10)
        assert len(empty.session(STAGING.account_id).client(
            "ec2", endpoint_url=empty.endpoint_url).describe_vpcs()["Vpcs"]) == 1, "estates do not share state"
        with pytest.raises(EstateError, match="unknown estate 'bogus'"):
            wait_until_seeded(urls["bogus"], timeout=60)
        with pytest.raises(EstateError, match="unknown estate 'bogus'"):
            estates["bogus"].wait_seeded(60)
        estates["empty"].stop()
        with urllib.request.urlopen(f"{urls['fintech:staging']}/_awsassess/status", timeout=10) as resp:
            assert b'"seeded": true' in resp.read(), "stopping one server leaves the others running"
    finally:
        for e in estates.values():
            e.stop()
    for pid in pids:  # each server process ends (no wall-clock bound: a loaded CI machine is slow)
        assert _ends(pid, within_s=60), f"estate server {pid} still running after stop()"
