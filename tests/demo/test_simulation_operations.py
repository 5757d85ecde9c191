"""Every operation the simulation fills or replaces, called through boto3 and checked against its model.

Why: the estate's answers are moto's plus the fills of :mod:`awsassess.demo.sim` (attributes set
on moto's objects, replaced moto methods, front-door answers; one module per AWS service). Those lean on moto internals that move
between releases: a moto upgrade once made ListPipelineExecutions return strings botocore could not
parse, and no test named the operation. So each operation of
:data:`~awsassess.demo.sim.FILLED_OPERATIONS` has one test here, named ``<service>.<Operation>``,
that

1. calls it through boto3 against the estate, so botocore parses the wire answer with the service
   model (an answer it cannot parse fails the test);
2. validates the parsed answer against the operation's output shape with botocore's own validator
   (botocore's parsers pass wrong JSON types straight through; the validator rejects them, see
   :func:`test_the_output_check_rejects_wrong_types`);
3. asserts what the fill adds is there, so a fill that silently stops applying fails too.

The meta-tests keep the table honest: every declared operation has a case and every case is declared,
every front-door handler is declared (by its own module), every declared name exists in botocore, and
every ``Gap:`` function of a service module is named by that module's declaration.
"""

from __future__ import annotations

import inspect
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import boto3
import botocore.session
import pytest
from awsassess.aws import client_config
from awsassess.demo import Estate, sim
from awsassess.demo.estate import ORGANIZATION_MANAGEMENT_ACCOUNT, PRODUCTION, expected_counts
from awsassess.demo.seed_data import DOCDB_VERSION, REDIS_VERSION
from awsassess.demo.seed_data import names as data_names
from awsassess.demo.seed_pipelines import _uuid as seeded_uuid
from awsassess.demo.seedkit import AccountState
from botocore import xform_name
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import validate_parameters

REGION = "us-east-1"
ACCOUNT = PRODUCTION.account_id
CLUSTER = f"fintech-{PRODUCTION.environment}"
SERVICES = {s.name: s for s in PRODUCTION.services}
PIPELINE = f"fintech-{PRODUCTION.environment}-web"  # pipeline, build project and CodeDeploy app/group name
KYC_STACK = f"fintech-{PRODUCTION.environment}-kyc"  # its failed update exists only as filled history
ENV_STACK = f"fintech-{PRODUCTION.environment}"  # the environment stack, with resources behind a false Condition
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
BULK_ACCOUNT = "444444444444"  # the in-process moto is shared by the test session: an account of its own
BULK_AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]


# Where moto's own answer (not a fill) breaks a constraint of the output shape, or a fill sends a value
# the model forbids but every client parses: (service, operation) -> patterns of the validator's report
# lines that are tolerated. Anything else the validator reports fails the test.
KNOWN_DEVIATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # moto: DistributionSummary has no Staging (required; AWS sends false for a primary distribution)
    ("cloudfront", "ListDistributions"): (r'Missing required parameter in DistributionList\.Items\[\d+\]: "Staging"',),
    # moto: StackResourceDetail has no LastUpdatedTimestamp (required)
    ("cloudformation", "DescribeStackResource"): (
        r'Missing required parameter in StackResourceDetail: "LastUpdatedTimestamp"',),
}


def checked_output(operation: Any, response: dict[str, Any],
                   tolerated: tuple[str, ...] = ()) -> dict[str, Any]:
    """``response`` without ResponseMetadata, after validating it against ``operation``'s output shape.

    botocore's validator is written for requests, but a parsed response is the same Python structure
    the output shape describes: wrong types, unknown members, missing required members and values out
    of the model's length/range limits are errors (except report lines matching ``tolerated``).
    """
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if operation.output_shape is None:
        return body
    try:
        validate_parameters(body, operation.output_shape)
    except ParamValidationError as exc:
        lines = [line for line in str(exc.kwargs["report"]).splitlines() if line.strip()]
        left = [line for line in lines if not any(re.fullmatch(p, line.strip()) for p in tolerated)]
        if left:
            raise ParamValidationError(report="\n".join(left)) from exc
    return body


@dataclass
class Api:
    """Calls operations as the collectors do (boto3, assumed role, one attempt) and checks every answer."""

    client_for: Callable[[str, str, str], Any]
    called: set[tuple[str, str]] = field(default_factory=set)
    seeded: Any = None  # what the fixture seeded itself, where a case needs it

    def call(self, service: str, operation: str, account: str = ACCOUNT, region: str = REGION,
             **params: Any) -> dict[str, Any]:
        client = self.client_for(service, account, region)
        response = getattr(client, xform_name(operation))(**params)
        self.called.add((service, operation))
        return checked_output(client.meta.service_model.operation_model(operation), response,
                              KNOWN_DEVIATIONS.get((service, operation), ()))

    def pages(self, service: str, operation: str, key: str, token: str, account: str = ACCOUNT,
              **params: Any) -> list[Any]:
        """Every item of ``key`` over all pages, following ``token`` (the same name in request and answer)
        by hand so that each page is one checked call."""
        items: list[Any] = []
        while True:
            page = self.call(service, operation, account, **params)
            items += page.get(key, [])
            if not page.get(token):
                return items
            params[token] = page[token]


Case = Callable[[Api], None]


@dataclass(frozen=True)
class CaseSpec:
    check: Case
    estate: str  # "demo": the session's fintech estate; "bulk": an in-process moto seeded by the bulk fills


CASES: dict[tuple[str, str], CaseSpec] = {}


def case(service: str, operation: str, estate: str = "demo") -> Callable[[Case], Case]:
    """Register the check of one declared operation (one test per operation)."""
    def register(fn: Case) -> Case:
        assert (service, operation) not in CASES, f"two cases for {service}.{operation}"
        CASES[(service, operation)] = CaseSpec(fn, estate)
        return fn

    return register


# ============================================================================================ fixtures
@pytest.fixture(scope="module")
def demo_api(demo_estate: Estate) -> Api:
    """Clients on the session's estate, assumed into each account's audit role (cached per service)."""
    clients: dict[tuple[str, str, str], Any] = {}

    def client_for(service: str, account: str, region: str) -> Any:
        key = (service, account, region)
        if key not in clients:
            if account == ORGANIZATION_MANAGEMENT_ACCOUNT:  # no audit role there: moto's account header
                base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                             region_name=region)
                client = base.client(service, endpoint_url=demo_estate.endpoint_url,
                                     config=client_config(max_attempts=1))
                client.meta.events.register("before-send.*.*", lambda request, **_: request.headers.__setitem__(
                    "x-moto-account-id", ORGANIZATION_MANAGEMENT_ACCOUNT))
            else:
                client = demo_estate.session(account, region).client(
                    service, endpoint_url=demo_estate.endpoint_url, config=client_config(max_attempts=1))
            clients[key] = client
        return clients[key]

    return Api(client_for)


@pytest.fixture(scope="module")
def bulk_api(moto_url: str, moto_session: Callable[[str], boto3.Session]) -> Api:
    """The scale estate's bulk fills run in this process against the in-process moto server (they write
    moto's backends directly; the estate server would need a second server process just for them)."""
    network = sim.ec2.bulk_create_network(BULK_ACCOUNT, REGION, vpcs=2, subnets=5, azs=BULK_AZS,
                                          name_prefix="bulk")
    session = moto_session(BULK_ACCOUNT)

    def client_for(service: str, account: str, region: str) -> Any:
        assert account == BULK_ACCOUNT, "bulk cases read the bulk account"
        return session.client(service, endpoint_url=moto_url, region_name=region,
                              config=client_config(max_attempts=1))

    return Api(client_for, seeded=network)


@pytest.fixture
def api(request: pytest.FixtureRequest, key: tuple[str, str]) -> Api:
    """The case's API (only the estate it needs is started) with a fresh record of the operations called."""
    shared: Api = request.getfixturevalue(f"{CASES[key].estate}_api")
    return Api(shared.client_for, seeded=shared.seeded)


# ============================================================================================ EC2 / VPC
@case("ec2", "DescribeNatGateways")
def _nat_gateways(api: Api) -> None:
    nats = api.pages("ec2", "DescribeNatGateways", "NatGateways", "NextToken")
    assert len(nats) == expected_counts(PRODUCTION)["nat_gateways"]
    assert {n.get("ConnectivityType") for n in nats} == {"public"}


def _bulk_vpc_ids(api: Api) -> list[str]:
    return [vpc_id for vpc_id, _ in api.seeded]


@case("ec2", "DescribeVpcs", estate="bulk")
def _bulk_vpcs(api: Api) -> None:
    vpcs = api.call("ec2", "DescribeVpcs", BULK_ACCOUNT, VpcIds=_bulk_vpc_ids(api))["Vpcs"]
    names = sorted(next(t["Value"] for t in v["Tags"] if t["Key"] == "Name") for v in vpcs)
    assert names == ["bulk-vpc-000", "bulk-vpc-001"]
    assert {v["CidrBlock"] for v in vpcs} == {"10.0.0.0/16", "10.1.0.0/16"}


@case("ec2", "DescribeSubnets", estate="bulk")
def _bulk_subnets(api: Api) -> None:
    subnets = api.call("ec2", "DescribeSubnets", BULK_ACCOUNT,
                       Filters=[{"Name": "vpc-id", "Values": _bulk_vpc_ids(api)}])["Subnets"]
    assert len(subnets) == 5
    assert {s["AvailabilityZone"] for s in subnets} == set(BULK_AZS)
    names = {next(t["Value"] for t in s.get("Tags", []) if t["Key"] == "Name") for s in subnets}
    assert "bulk-vpc-000-subnet-000" in names and "bulk-vpc-001-subnet-001" in names


@case("ec2", "DescribeVpcAttribute", estate="bulk")
def _bulk_vpc_dns(api: Api) -> None:
    for vpc_id in _bulk_vpc_ids(api):
        out = api.call("ec2", "DescribeVpcAttribute", BULK_ACCOUNT, VpcId=vpc_id, Attribute="enableDnsHostnames")
        assert out["EnableDnsHostnames"]["Value"] is True


# ============================================================================================ ECS
@case("ecs", "DescribeServices")
def _ecs_services(api: Api) -> None:
    services = api.call("ecs", "DescribeServices", cluster=CLUSTER, services=sorted(SERVICES))["services"]
    assert sorted(s["serviceName"] for s in services) == sorted(SERVICES)
    for svc in services:
        spec = SERVICES[svc["serviceName"]]
        assert svc["createdAt"] < datetime.now(UTC) - timedelta(days=100)
        assert (svc["runningCount"], svc["pendingCount"]) == (spec.desired, 0)
        assert (svc["launchType"], svc["platformVersion"], svc["platformFamily"]) == ("FARGATE", "LATEST", "Linux")
        assert svc["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert svc["healthCheckGracePeriodSeconds"] == 60
        assert svc["deployments"] and svc["deployments"][0]["rolloutState"] == "COMPLETED"
    wallet = next(s for s in services if s["serviceName"] == "wallet")
    assert [d["rolloutState"] for d in wallet["deployments"]] == ["COMPLETED", "FAILED"]


@case("ecs", "DescribeClusters")
def _ecs_clusters(api: Api) -> None:
    (cluster,) = api.call("ecs", "DescribeClusters", clusters=[CLUSTER])["clusters"]
    assert cluster["activeServicesCount"] == len(SERVICES)
    assert cluster["runningTasksCount"] == sum(s.desired for s in SERVICES.values())
    assert cluster["pendingTasksCount"] == 0


@case("ecs", "DescribeTasks")
def _ecs_tasks(api: Api) -> None:
    web = SERVICES["web"]
    running = api.call("ecs", "ListTasks", cluster=CLUSTER, serviceName="web")["taskArns"]
    tasks = api.call("ecs", "DescribeTasks", cluster=CLUSTER, tasks=running)["tasks"]
    assert len(tasks) == web.desired
    for t in tasks:
        assert (t["cpu"], t["memory"]) == (str(web.cpu), str(web.memory))
        assert t["createdAt"] <= t["startedAt"] and t["availabilityZone"] in PRODUCTION.azs
        assert "stoppedAt" not in t
    stopped_arns = api.call("ecs", "ListTasks", cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]
    stopped = api.call("ecs", "DescribeTasks", cluster=CLUSTER, tasks=stopped_arns)["tasks"]
    assert stopped, "the bootstrap-starved wallet service has stopped tasks"
    for t in stopped:
        assert t["stopCode"] == "ServiceSchedulerInitiated" and t["stoppedAt"] > t["startedAt"]
        assert t["stoppedReason"].startswith("Task failed ELB health checks")
        assert t["containers"][0]["exitCode"] == 137 and t["healthStatus"] == "UNHEALTHY"


@case("ecs", "DescribeTaskDefinition")
def _ecs_task_definition(api: Api) -> None:
    td = api.call("ecs", "DescribeTaskDefinition", taskDefinition=f"{CLUSTER}-web")["taskDefinition"]
    assert datetime.now(UTC) - timedelta(days=8) < td["registeredAt"] < datetime.now(UTC)
    assert td["runtimePlatform"] == {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}


@case("ecs", "DescribeCapacityProviders")
def _ecs_capacity_providers(api: Api) -> None:
    out = api.call("ecs", "DescribeCapacityProviders")  # no names: moto itself answers 500
    assert {"FARGATE", "FARGATE_SPOT"} <= {p["name"] for p in out["capacityProviders"]}
    assert all(p["status"] == "ACTIVE" for p in out["capacityProviders"]) and not out.get("failures")
    named = api.call("ecs", "DescribeCapacityProviders", capacityProviders=["FARGATE_SPOT"])
    assert [p["name"] for p in named["capacityProviders"]] == ["FARGATE_SPOT"] and not named.get("failures")


@case("ecs", "ListTasks")
def _ecs_list_tasks(api: Api) -> None:
    default = api.call("ecs", "ListTasks", cluster=CLUSTER)["taskArns"]  # AWS defaults to RUNNING
    assert len(default) == sum(s.desired for s in SERVICES.values())
    stopped = api.call("ecs", "ListTasks", cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]
    assert stopped and not set(stopped) & set(default)
    wallet = api.call("ecs", "ListTasks", cluster=CLUSTER, serviceName="wallet")["taskArns"]
    assert len(wallet) == SERVICES["wallet"].desired and set(wallet) <= set(default)


# ============================================================================================ RDS / DocumentDB
def data_names_production() -> dict[str, str]:
    """The production data stores' names, as the seeder derives them (it reads only ``state.env``)."""
    return data_names(cast(AccountState, SimpleNamespace(env=PRODUCTION.environment)))


def _docdb_ids() -> tuple[str, list[str]]:
    cluster = data_names_production()["docdb"]
    return cluster, [f"{cluster}-{i + 1}" for i in range(PRODUCTION.docdb_instances)]


@case("docdb", "DescribeDBClusters")
def _docdb_clusters(api: Api) -> None:
    cluster_id, instance_ids = _docdb_ids()
    (cluster,) = api.call("docdb", "DescribeDBClusters", DBClusterIdentifier=cluster_id)["DBClusters"]
    assert (cluster["Engine"], cluster["EngineVersion"]) == ("docdb", DOCDB_VERSION)
    assert sorted(m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]) == instance_ids


@case("docdb", "DescribeDBInstances")
def _docdb_instances(api: Api) -> None:
    cluster_id, instance_ids = _docdb_ids()
    instances = api.call("docdb", "DescribeDBInstances",
                         Filters=[{"Name": "db-cluster-id", "Values": [cluster_id]}])["DBInstances"]
    assert sorted(i["DBInstanceIdentifier"] for i in instances) == instance_ids
    assert {(i["Engine"], i["DBInstanceClass"]) for i in instances} == {("docdb", PRODUCTION.docdb_class)}


@case("rds", "DescribeDBClusters")
def _rds_clusters(api: Api) -> None:
    clusters = api.pages("rds", "DescribeDBClusters", "DBClusters", "Marker")
    assert {c["DBClusterIdentifier"]: c["Engine"] for c in clusters} == {_docdb_ids()[0]: "docdb"}


@case("rds", "DescribeDBInstances")
def _rds_instances(api: Api) -> None:
    engines = {i["DBInstanceIdentifier"]: i["Engine"]
               for i in api.pages("rds", "DescribeDBInstances", "DBInstances", "Marker")}
    assert engines == {data_names_production()["postgres"]: "postgres", **dict.fromkeys(_docdb_ids()[1], "docdb")}


# ============================================================================================ ElastiCache
@case("elasticache", "DescribeReplicationGroups")
def _replication_groups(api: Api) -> None:
    rg_id = data_names_production()["redis"]
    (rg,) = api.call("elasticache", "DescribeReplicationGroups", ReplicationGroupId=rg_id)["ReplicationGroups"]
    members = [f"{rg_id}-{i + 1:03d}" for i in range(PRODUCTION.redis_nodes)]
    assert rg["MemberClusters"] == members
    assert len(rg["NodeGroups"][0]["NodeGroupMembers"]) == PRODUCTION.redis_nodes


@case("elasticache", "DescribeCacheClusters")
def _cache_clusters(api: Api) -> None:
    rg_id = data_names_production()["redis"]
    clusters = api.call("elasticache", "DescribeCacheClusters", ShowCacheNodeInfo=True)["CacheClusters"]
    members = [c for c in clusters if c.get("ReplicationGroupId") == rg_id]
    assert sorted(c["CacheClusterId"] for c in members) == [f"{rg_id}-{i + 1:03d}" for i in range(PRODUCTION.redis_nodes)]
    assert {(c["CacheNodeType"], c["EngineVersion"]) for c in members} == {(PRODUCTION.redis_node_type, REDIS_VERSION)}
    assert {c["PreferredAvailabilityZone"] for c in members} == set(PRODUCTION.azs)


@case("elasticache", "DescribeServerlessCaches")
def _serverless_caches(api: Api) -> None:
    assert api.call("elasticache", "DescribeServerlessCaches")["ServerlessCaches"] == []


# ============================================================================================ CloudFront
def _recent(t: datetime, days: float = 30) -> bool:
    """Within the last ``days`` (moto's own answer is hard-coded to 2021-11-27)."""
    return datetime.now(UTC) - timedelta(days=days) < t <= datetime.now(UTC)


@case("cloudfront", "ListDistributions")
def _list_distributions(api: Api) -> None:
    items = api.call("cloudfront", "ListDistributions")["DistributionList"]["Items"]
    assert len(items) == 1 and _recent(items[0]["LastModifiedTime"])


@case("cloudfront", "GetDistribution")
def _get_distribution(api: Api) -> None:
    dist_id = api.call("cloudfront", "ListDistributions")["DistributionList"]["Items"][0]["Id"]
    out = api.call("cloudfront", "GetDistribution", Id=dist_id)
    assert out["Distribution"]["Id"] == dist_id and _recent(out["Distribution"]["LastModifiedTime"])


@case("cloudfront", "ListCachePolicies")
def _list_cache_policies(api: Api) -> None:
    out = api.call("cloudfront", "ListCachePolicies", Type="managed")["CachePolicyList"]
    policies = {i["CachePolicy"]["Id"]: i for i in out["Items"]}
    assert out["Quantity"] == len(policies) and CACHING_OPTIMIZED in policies
    optimized = policies[CACHING_OPTIMIZED]
    assert optimized["Type"] == "managed"
    assert optimized["CachePolicy"]["CachePolicyConfig"]["Name"] == "Managed-CachingOptimized"
    assert api.call("cloudfront", "ListCachePolicies", Type="custom")["CachePolicyList"]["Quantity"] == 0


@case("cloudfront", "GetCachePolicy")
def _get_cache_policy(api: Api) -> None:
    out = api.call("cloudfront", "GetCachePolicy", Id=CACHING_OPTIMIZED)
    config = out["CachePolicy"]["CachePolicyConfig"]
    assert out["ETag"] and (config["MinTTL"], config["DefaultTTL"], config["MaxTTL"]) == (1, 86400, 31536000)
    assert config["ParametersInCacheKeyAndForwardedToOrigin"]["EnableAcceptEncodingGzip"] is True
    with pytest.raises(ClientError) as err:
        api.call("cloudfront", "GetCachePolicy", Id="00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "NoSuchCachePolicy"


@case("cloudfront", "GetCachePolicyConfig")
def _get_cache_policy_config(api: Api) -> None:
    out = api.call("cloudfront", "GetCachePolicyConfig", Id=CACHING_OPTIMIZED)
    assert out["ETag"] and out["CachePolicyConfig"]["Name"] == "Managed-CachingOptimized"


@case("cloudfront", "ListOriginRequestPolicies")
def _list_origin_request_policies(api: Api) -> None:
    out = api.call("cloudfront", "ListOriginRequestPolicies", Type="managed")["OriginRequestPolicyList"]
    ids = [i["OriginRequestPolicy"]["Id"] for i in out["Items"]]
    assert out["Quantity"] == len(ids) and ALL_VIEWER_EXCEPT_HOST in ids


@case("cloudfront", "GetOriginRequestPolicy")
def _get_origin_request_policy(api: Api) -> None:
    out = api.call("cloudfront", "GetOriginRequestPolicy", Id=ALL_VIEWER_EXCEPT_HOST)
    config = out["OriginRequestPolicy"]["OriginRequestPolicyConfig"]
    assert out["ETag"] and config["Name"] == "Managed-AllViewerExceptHostHeader"
    assert config["HeadersConfig"]["Headers"] == {"Quantity": 1, "Items": ["host"]}


@case("cloudfront", "ListResponseHeadersPolicies")
def _list_response_headers_policies(api: Api) -> None:
    out = api.call("cloudfront", "ListResponseHeadersPolicies")["ResponseHeadersPolicyList"]
    assert (out["Quantity"], out["MaxItems"], out.get("Items", [])) == (0, 100, [])


# ============================================================================================ Pricing
_M5_LARGE = [{"Type": "TERM_MATCH", "Field": "instanceType", "Value": "m5.large"},
             {"Type": "TERM_MATCH", "Field": "regionCode", "Value": REGION}]


@case("pricing", "GetProducts")
def _get_products(api: Api) -> None:
    out = api.call("pricing", "GetProducts", ServiceCode="AmazonEC2", Filters=_M5_LARGE)
    (product,) = [json.loads(p) for p in out["PriceList"]]
    assert product["product"]["attributes"]["instanceType"] == "m5.large"
    (term,) = product["terms"]["OnDemand"].values()
    (dims,) = term["priceDimensions"].values()
    assert float(dims["pricePerUnit"]["USD"]) > 0 and dims["unit"] == "Hrs"
    page = api.call("pricing", "GetProducts", ServiceCode="AmazonEC2", MaxResults=2)
    assert len(page["PriceList"]) == 2 and page["NextToken"]


@case("pricing", "DescribeServices")
def _pricing_services(api: Api) -> None:
    services = {s["ServiceCode"]: s for s in api.call("pricing", "DescribeServices")["Services"]}
    assert "AmazonEC2" in services and "instanceType" in services["AmazonEC2"]["AttributeNames"]


@case("pricing", "GetAttributeValues")
def _pricing_attribute_values(api: Api) -> None:
    values = api.call("pricing", "GetAttributeValues", ServiceCode="AmazonEC2",
                      AttributeName="instanceType")["AttributeValues"]
    assert "m5.large" in {v["Value"] for v in values}


# ============================================================================================ Cost Explorer
@case("ce", "GetCostAndUsage")
def _cost_and_usage(api: Api) -> None:
    this_month = date.today().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    period = {"Start": last_month.isoformat(), "End": this_month.isoformat()}
    out = api.call("ce", "GetCostAndUsage", TimePeriod=period, Granularity="MONTHLY", Metrics=["UnblendedCost"],
                   GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])
    (month,) = out["ResultsByTime"]
    assert month["TimePeriod"] == period and month["Groups"]
    amounts = {g["Keys"][0]: float(g["Metrics"]["UnblendedCost"]["Amount"]) for g in month["Groups"]}
    assert all(v > 0 for v in amounts.values()) and {g["Metrics"]["UnblendedCost"]["Unit"] for g in month["Groups"]} == {"USD"}
    daily = api.call("ce", "GetCostAndUsage", TimePeriod=period, Granularity="DAILY", Metrics=["BlendedCost"])
    assert len(daily["ResultsByTime"]) == (this_month - last_month).days
    assert all(float(d["Total"]["BlendedCost"]["Amount"]) > 0 for d in daily["ResultsByTime"])


# ============================================================================================ Organizations
@case("organizations", "ListAccounts")
def _org_accounts(api: Api) -> None:
    accounts = api.pages("organizations", "ListAccounts", "Accounts", "NextToken", ORGANIZATION_MANAGEMENT_ACCOUNT)
    by_name = {a["Name"]: a for a in accounts}
    prod = by_name[PRODUCTION.name]
    assert prod["Id"] == ACCOUNT and prod["Arn"].endswith(f"/{ACCOUNT}") and prod["Status"] == "ACTIVE"


@case("organizations", "ListAccountsForParent")
def _org_accounts_for_parent(api: Api) -> None:
    mgmt = ORGANIZATION_MANAGEMENT_ACCOUNT
    root = api.call("organizations", "ListRoots", mgmt)["Roots"][0]["Id"]
    ous = api.call("organizations", "ListOrganizationalUnitsForParent", mgmt, ParentId=root)["OrganizationalUnits"]
    workloads = next(ou["Id"] for ou in ous if ou["Name"] == "Workloads")
    accounts = api.call("organizations", "ListAccountsForParent", mgmt, ParentId=workloads)["Accounts"]
    assert ACCOUNT in {a["Id"] for a in accounts}


@case("organizations", "DescribeAccount")
def _org_describe_account(api: Api) -> None:
    account = api.call("organizations", "DescribeAccount", ORGANIZATION_MANAGEMENT_ACCOUNT, AccountId=ACCOUNT)["Account"]
    assert (account["Id"], account["Name"]) == (ACCOUNT, PRODUCTION.name) and account["Arn"].endswith(f"/{ACCOUNT}")


@case("organizations", "DescribeOrganization")
def _org_describe_organization(api: Api) -> None:
    org = api.call("organizations", "DescribeOrganization")["Organization"]  # from the member account
    assert org["MasterAccountId"] == ORGANIZATION_MANAGEMENT_ACCOUNT


# ============================================================================================ CodePipeline
@case("codepipeline", "ListPipelines")
def _list_pipelines(api: Api) -> None:
    pipelines = {p["name"]: p for p in api.pages("codepipeline", "ListPipelines", "pipelines", "nextToken")}
    web = pipelines[PIPELINE]
    assert web["updated"] - web["created"] == timedelta(days=3)
    assert web["created"] < datetime.now(UTC) - timedelta(days=100)


@case("codepipeline", "GetPipeline")
def _get_pipeline(api: Api) -> None:
    meta = api.call("codepipeline", "GetPipeline", name=PIPELINE)["metadata"]
    assert meta["updated"] - meta["created"] == timedelta(days=3)
    assert meta["created"] < datetime.now(UTC) - timedelta(days=100)


@case("codepipeline", "ListPipelineExecutions")
def _list_pipeline_executions(api: Api) -> None:
    first = api.call("codepipeline", "ListPipelineExecutions", pipelineName=PIPELINE, maxResults=10)
    assert len(first["pipelineExecutionSummaries"]) == 10 and first["nextToken"]  # moto truncates silently
    executions = api.pages("codepipeline", "ListPipelineExecutions", "pipelineExecutionSummaries", "nextToken",
                           pipelineName=PIPELINE, maxResults=10)
    assert len(executions) == PRODUCTION.pipeline_executions
    assert len({e["pipelineExecutionId"] for e in executions}) == len(executions)
    for e in executions:
        assert e["startTime"] < e["lastUpdateTime"] and e["status"] == "Succeeded"
        assert e["trigger"]["triggerType"] == "Webhook"
        assert re.fullmatch(r"[0-9a-f]{40}", e["sourceRevisions"][0]["revisionId"])


def _newest_execution(api: Api) -> str:
    summaries = api.call("codepipeline", "ListPipelineExecutions", pipelineName=PIPELINE,
                         maxResults=100)["pipelineExecutionSummaries"]
    return str(max(summaries, key=lambda e: e["startTime"])["pipelineExecutionId"])


@case("codepipeline", "GetPipelineExecution")
def _get_pipeline_execution(api: Api) -> None:
    historical = seeded_uuid(PIPELINE, "execution", 0)  # created by the fill, not by StartPipelineExecution
    out = api.call("codepipeline", "GetPipelineExecution", pipelineName=PIPELINE,
                   pipelineExecutionId=historical)["pipelineExecution"]
    assert (out["pipelineExecutionId"], out["status"], out["pipelineName"]) == (historical, "Succeeded", PIPELINE)


@case("codepipeline", "ListActionExecutions")
def _list_action_executions(api: Api) -> None:
    ex_id = _newest_execution(api)
    details = api.call("codepipeline", "ListActionExecutions", pipelineName=PIPELINE,
                       filter={"pipelineExecutionId": ex_id})["actionExecutionDetails"]
    assert [d["stageName"] for d in details] == ["Deploy", "Build", "Source"]  # newest first
    for d in details:
        assert d["pipelineExecutionId"] == ex_id and d["startTime"] < d["lastUpdateTime"]
        assert d["output"]["executionResult"]["externalExecutionId"]
    deploy = details[0]
    assert deploy["lastUpdateTime"] - deploy["startTime"] >= timedelta(minutes=PRODUCTION.timing.termination_wait_min)
    page = api.call("codepipeline", "ListActionExecutions", pipelineName=PIPELINE, maxResults=2)
    assert len(page["actionExecutionDetails"]) == 2 and page["nextToken"]


@case("codepipeline", "GetPipelineState")
def _get_pipeline_state(api: Api) -> None:
    ex_id = _newest_execution(api)
    state = api.call("codepipeline", "GetPipelineState", name=PIPELINE)
    assert state["updated"] - state["created"] == timedelta(days=3)
    assert [s["stageName"] for s in state["stageStates"]] == ["Source", "Build", "Deploy"]
    for stage in state["stageStates"]:
        assert stage["latestExecution"] == {"pipelineExecutionId": ex_id, "status": "Succeeded"}
        (action,) = stage["actionStates"]
        assert action["latestExecution"]["status"] == "Succeeded" and action["latestExecution"]["externalExecutionId"]


# ============================================================================================ CodeBuild
@case("codebuild", "ListBuildsForProject")
def _builds_for_project(api: Api) -> None:
    ids = api.pages("codebuild", "ListBuildsForProject", "ids", "nextToken", projectName=PIPELINE)
    assert len(ids) == PRODUCTION.pipeline_executions and all(i.startswith(f"{PIPELINE}:") for i in ids)


@case("codebuild", "ListBuilds")
def _list_builds(api: Api) -> None:
    ids = api.pages("codebuild", "ListBuilds", "ids", "nextToken")
    assert sum(i.startswith(f"{PIPELINE}:") for i in ids) == PRODUCTION.pipeline_executions


@case("codebuild", "BatchGetBuilds")
def _batch_get_builds(api: Api) -> None:
    ids = api.call("codebuild", "ListBuildsForProject", projectName=PIPELINE)["ids"][:5]
    assert len(ids) == 5
    builds = api.call("codebuild", "BatchGetBuilds", ids=ids)["builds"]
    assert [b["id"] for b in builds] == ids
    for b in builds:
        assert b["buildComplete"] is True and b["buildStatus"] == "SUCCEEDED"
        phase_seconds = sum(p.get("durationInSeconds", 0) for p in b["phases"])
        assert phase_seconds == (b["endTime"] - b["startTime"]).total_seconds()  # moto randomises them
    again = api.call("codebuild", "BatchGetBuilds", ids=ids)["builds"]
    assert again == builds  # moto appends phases and moves endTime on every call


# ============================================================================================ CodeDeploy
@case("codedeploy", "GetApplication")
def _get_application(api: Api) -> None:
    app = api.call("codedeploy", "GetApplication", applicationName=PIPELINE)["application"]
    assert app["applicationId"] == seeded_uuid(PIPELINE, "app") and app["computePlatform"] == "ECS"


@case("codedeploy", "BatchGetApplications")
def _batch_get_applications(api: Api) -> None:
    apps = api.call("codedeploy", "BatchGetApplications", applicationNames=[PIPELINE])["applicationsInfo"]
    assert [a["applicationId"] for a in apps] == [seeded_uuid(PIPELINE, "app")]


@case("codedeploy", "GetDeploymentGroup")
def _get_deployment_group(api: Api) -> None:
    group = api.call("codedeploy", "GetDeploymentGroup", applicationName=PIPELINE,
                     deploymentGroupName=PIPELINE)["deploymentGroupInfo"]
    assert group["deploymentGroupId"] == seeded_uuid(PIPELINE, "dg")


def _deployment_ids(api: Api) -> list[str]:
    return [str(i) for i in api.pages("codedeploy", "ListDeployments", "deployments", "nextToken",
                                      applicationName=PIPELINE, deploymentGroupName=PIPELINE)]


def _check_deployment(d: dict[str, Any]) -> None:
    assert d["status"] == "Succeeded" and d["createTime"] <= d["startTime"] < d["completeTime"]
    assert d["completeTime"] - d["startTime"] >= timedelta(minutes=PRODUCTION.timing.termination_wait_min)
    assert d["instanceTerminationWaitTimeStarted"] is True


@case("codedeploy", "ListDeployments")
def _list_deployments(api: Api) -> None:
    ids = _deployment_ids(api)
    assert len(ids) == PRODUCTION.pipeline_executions and all(re.fullmatch(r"d-[A-Z0-9]{9}", i) for i in ids)


@case("codedeploy", "GetDeployment")
def _get_deployment(api: Api) -> None:
    dep_id = _deployment_ids(api)[0]
    info = api.call("codedeploy", "GetDeployment", deploymentId=dep_id)["deploymentInfo"]
    assert info["deploymentId"] == dep_id
    _check_deployment(info)


@case("codedeploy", "BatchGetDeployments")
def _batch_get_deployments(api: Api) -> None:
    ids = _deployment_ids(api)[:5]
    assert len(ids) == 5
    infos = api.call("codedeploy", "BatchGetDeployments", deploymentIds=ids)["deploymentsInfo"]
    assert sorted(d["deploymentId"] for d in infos) == sorted(ids)
    for info in infos:
        _check_deployment(info)


@case("codedeploy", "ListDeploymentConfigs")
def _list_deployment_configs(api: Api) -> None:
    names = api.call("codedeploy", "ListDeploymentConfigs")["deploymentConfigsList"]
    assert {"CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.AllAtOnce"} <= set(names)


# ============================================================================================ CloudFormation
def _old(t: datetime) -> bool:
    """Created long before the estate was seeded (moto stamps the seeding time)."""
    return t < datetime.now(UTC) - timedelta(days=100)


@case("cloudformation", "DescribeStacks")
def _describe_stacks(api: Api) -> None:
    (stack,) = api.call("cloudformation", "DescribeStacks", StackName=KYC_STACK)["Stacks"]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE" and _old(stack["CreationTime"])
    assert _recent(stack["LastUpdatedTime"], days=10)


@case("cloudformation", "ListStacks")
def _list_stacks(api: Api) -> None:
    stacks = {s["StackName"]: s for s in api.pages("cloudformation", "ListStacks", "StackSummaries", "NextToken")}
    kyc = stacks[KYC_STACK]
    assert kyc["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE" and _old(kyc["CreationTime"])
    assert _recent(kyc["LastUpdatedTime"], days=10)
    assert all(_old(s["CreationTime"]) for s in stacks.values())


@case("cloudformation", "DescribeStackEvents")
def _describe_stack_events(api: Api) -> None:
    events = api.pages("cloudformation", "DescribeStackEvents", "StackEvents", "NextToken", StackName=KYC_STACK)
    resources = {e["LogicalResourceId"] for e in events} - {KYC_STACK}
    assert len(resources) > 3  # per-resource events; moto has only the stack's own
    (failed,) = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed["LogicalResourceId"] == "Service" and "Circuit Breaker" in failed["ResourceStatusReason"]
    assert max(e["Timestamp"] for e in events) - min(e["Timestamp"] for e in events) > timedelta(days=100)


def _check_created_only(resources: list[dict[str, Any]]) -> None:
    """Resources behind the environment stack's false ``CreateVPC`` condition are not listed at all."""
    assert resources
    for r in resources:
        assert r["LogicalResourceId"] and r["PhysicalResourceId"] and r["ResourceType"]
    assert "VPC" not in {r["LogicalResourceId"] for r in resources}


@case("cloudformation", "DescribeStackResources")
def _describe_stack_resources(api: Api) -> None:
    _check_created_only(api.call("cloudformation", "DescribeStackResources", StackName=ENV_STACK)["StackResources"])


@case("cloudformation", "ListStackResources")
def _list_stack_resources(api: Api) -> None:
    _check_created_only(api.pages("cloudformation", "ListStackResources", "StackResourceSummaries", "NextToken",
                                  StackName=ENV_STACK))


@case("cloudformation", "DescribeStackResource")
def _describe_stack_resource(api: Api) -> None:
    first = api.call("cloudformation", "ListStackResources", StackName=ENV_STACK)["StackResourceSummaries"][0]
    detail = api.call("cloudformation", "DescribeStackResource", StackName=ENV_STACK,
                      LogicalResourceId=first["LogicalResourceId"])["StackResourceDetail"]
    assert detail["PhysicalResourceId"] == first["PhysicalResourceId"]
    with pytest.raises(ClientError) as err:  # not created (false condition): AWS says it does not exist
        api.call("cloudformation", "DescribeStackResource", StackName=ENV_STACK, LogicalResourceId="VPC")
    assert err.value.response["Error"]["Code"] == "ValidationError"


# ============================================================================================ Application Auto Scaling
@case("application-autoscaling", "DescribeScalingActivities")
def _scaling_activities(api: Api) -> None:
    out = api.call("application-autoscaling", "DescribeScalingActivities", ServiceNamespace="ecs",
                   ResourceId=f"service/{CLUSTER}/web", ScalableDimension="ecs:service:DesiredCount")
    assert out["ScalingActivities"] == []


# ============================================================================================ CloudWatch
def _web_cpu() -> dict[str, Any]:
    return {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": "web"}]}


@case("cloudwatch", "GetMetricData")
def _get_metric_data(api: Api) -> None:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    queries = [{"Id": f"q{k}", "MetricStat": {"Metric": _web_cpu(), "Period": 3600, "Stat": stat}}
               for k, stat in enumerate(("Average", "p95", "Maximum"))]
    results = api.call("cloudwatch", "GetMetricData", MetricDataQueries=queries, StartTime=end - timedelta(days=2),
                       EndTime=end)["MetricDataResults"]
    by_id = {r["Id"]: r for r in results}
    assert {r["StatusCode"] for r in results} == {"Complete"}
    for r in results:
        assert 40 <= len(r["Values"]) <= 48 and len(r["Timestamps"]) == len(r["Values"])
        assert all(t.minute == 0 and t.second == 0 for t in r["Timestamps"])  # buckets aligned to the period
    avg, p95, peak = (by_id[q]["Values"] for q in ("q0", "q1", "q2"))
    assert all(0 < a <= m <= 100 for a, m in zip(avg, peak, strict=True)) and all(v > 0 for v in p95)


@case("cloudwatch", "ListMetrics")
def _list_metrics(api: Api) -> None:
    metrics = api.pages("cloudwatch", "ListMetrics", "Metrics", "NextToken", Namespace="AWS/ECS",
                        MetricName="CPUUtilization")
    services = sorted(next(d["Value"] for d in m["Dimensions"] if d["Name"] == "ServiceName") for m in metrics)
    assert services == sorted(SERVICES)  # one entry per series, not per datapoint
    web = api.call("cloudwatch", "ListMetrics", Namespace="AWS/ECS",
                   Dimensions=[{"Name": "ServiceName", "Value": "web"}])["Metrics"]
    assert sorted(m["MetricName"] for m in web) == ["CPUUtilization", "MemoryUtilization"]


@case("cloudwatch", "GetMetricStatistics")
def _get_metric_statistics(api: Api) -> None:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    points = api.call("cloudwatch", "GetMetricStatistics", **_web_cpu(), StartTime=end - timedelta(days=1),
                      EndTime=end, Period=3600, Statistics=["Average", "Maximum", "SampleCount"])["Datapoints"]
    assert len(points) >= 20
    assert all(0 < p["Average"] <= p["Maximum"] <= 100 and p["SampleCount"] > 0 for p in points)


# ============================================================================================ cases that write
# (proposed for tests/demo/test_simulation_operations.py; they create what they check in an account of their own,
# so the session's fintech accounts stay as seeded)
SCRATCH = "555555555555"


def _scratch(api: Api, service: str) -> Any:
    return api.client_for(service, SCRATCH, REGION)


def _container_instance(api: Api, cluster: str) -> tuple[str, dict[str, Any]]:
    """A cluster with one registered m6g.large (as the ECS agent registers it: its CPU and memory reported)."""
    _scratch(api, "ecs").create_cluster(clusterName=cluster)
    image = _scratch(api, "ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id")["Parameter"]["Value"]
    iid = _scratch(api, "ec2").run_instances(ImageId=image, InstanceType="m6g.large", MinCount=1,
                                             MaxCount=1)["Instances"][0]["InstanceId"]
    out = api.call("ecs", "RegisterContainerInstance", SCRATCH, cluster=cluster,
                   instanceIdentityDocument=json.dumps({"instanceId": iid, "instanceType": "m6g.large"}),
                   totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                                   {"name": "MEMORY", "type": "INTEGER", "integerValue": 7731}])
    return iid, out["containerInstance"]


@case("ecs", "RegisterContainerInstance")
def _register_container_instance(api: Api) -> None:
    _, ci = _container_instance(api, "registered")
    registered = {r["name"]: r.get("integerValue") for r in ci["registeredResources"]}
    assert (registered["CPU"], registered["MEMORY"]) == (2048, 7731)  # moto alone: 4096 / 7482 for any type
    assert {a["name"]: a.get("value") for a in ci["attributes"]}["ecs.cpu-architecture"] == "arm64"


@case("ecs", "DescribeContainerInstances")
def _describe_container_instances(api: Api) -> None:
    iid, ci = _container_instance(api, "described")
    (found,) = api.call("ecs", "DescribeContainerInstances", SCRATCH, cluster="described",
                        containerInstances=[ci["containerInstanceArn"]])["containerInstances"]
    assert found["ec2InstanceId"] == iid
    for key in ("registeredResources", "remainingResources"):
        got = {r["name"]: r.get("integerValue") for r in found[key]}
        assert (got["CPU"], got["MEMORY"]) == (2048, 7731), key


@case("ecs", "ListServices")
def _list_services(api: Api) -> None:
    ecs = _scratch(api, "ecs")
    ecs.create_cluster(clusterName="listed")
    for name in ("kept", "deleted"):
        ecs.create_service(cluster="listed", serviceName=name, desiredCount=0)
    ecs.delete_service(cluster="listed", service="deleted", force=True)
    arns = api.call("ecs", "ListServices", SCRATCH, cluster="listed")["serviceArns"]
    assert [a.rsplit("/", 1)[1] for a in arns] == ["kept"]  # moto alone also lists the INACTIVE one
    fintech = api.call("ecs", "ListServices", cluster=CLUSTER)["serviceArns"]
    assert sorted(a.rsplit("/", 1)[1] for a in fintech) == sorted(SERVICES)


def _codedeploy_app(api: Api, app: str) -> None:
    cd = _scratch(api, "codedeploy")
    cd.create_application(applicationName=app, computePlatform="ECS")
    cd.create_deployment_group(applicationName=app, deploymentGroupName=app,
                               serviceRoleArn=f"arn:aws:iam::{SCRATCH}:role/codedeploy")


@case("codedeploy", "DeleteDeploymentGroup")
def _delete_deployment_group(api: Api) -> None:
    _codedeploy_app(api, "grouped")
    out = api.call("codedeploy", "DeleteDeploymentGroup", SCRATCH, applicationName="grouped",
                   deploymentGroupName="grouped")
    assert out["hooksNotCleanedUp"] == []
    assert _scratch(api, "codedeploy").list_deployment_groups(applicationName="grouped")["deploymentGroups"] == []


@case("codedeploy", "DeleteApplication")
def _delete_application(api: Api) -> None:
    _codedeploy_app(api, "deleted")
    api.call("codedeploy", "DeleteApplication", SCRATCH, applicationName="deleted")
    assert "deleted" not in _scratch(api, "codedeploy").list_applications()["applications"]


# ============================================================================================ the test
@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]}.{k[1]}")
def test_filled_operation(key: tuple[str, str], api: Api) -> None:
    """One test per declared operation (defined after every case, so the table is complete here)."""
    CASES[key].check(api)
    assert key in api.called, f"the case of {key[0]}.{key[1]} never called it"


# ============================================================================================ meta-tests
def test_every_declared_operation_has_a_case_and_every_case_is_declared() -> None:
    declared = list(sim.FILLED_OPERATIONS)
    assert len(declared) == len(set(declared)), "FILLED_OPERATIONS lists an operation twice"
    assert sorted(set(declared) - set(CASES)) == [], "declared operations without a case in CASES"
    assert sorted(set(CASES) - set(declared)) == [], "cases of operations not in FILLED_OPERATIONS"
    assert sorted(set(KNOWN_DEVIATIONS) - set(declared)) == [], "tolerated deviations of undeclared operations"


def test_every_service_module_is_assembled() -> None:
    """A service module missing from sim.SERVICES would install no patch and declare nothing."""
    modules = {m.name for m in pkgutil.iter_modules(sim.__path__) if not m.name.startswith("_")}
    assert sorted(modules) == sorted(s.__name__.rsplit(".", 1)[1] for s in sim.SERVICES)


def test_every_front_door_operation_is_declared() -> None:
    for service in sim.SERVICES:
        undeclared = set(service.SIMULATED_OPERATIONS) - set(service.FILLED_OPERATIONS)
        assert sorted(undeclared) == [], f"{service.__name__} registers undeclared front-door operations"
    assert len(sim.SIMULATED_OPERATIONS) == sum(len(s.SIMULATED_OPERATIONS) for s in sim.SERVICES), \
        "two service modules register the same front-door operation"


def test_declared_operations_exist_in_botocore() -> None:
    session = botocore.session.get_session()
    for service, operation in sim.FILLED_OPERATIONS:
        assert operation in session.get_service_model(service).operation_names, f"{service}.{operation}"


def _declaration_source(module: ModuleType) -> str:
    """The source text of a service module's FILLED_OPERATIONS tuple (its comments name the responsible
    functions)."""
    text = Path(inspect.getfile(module)).read_text(encoding="utf-8")
    start = text.index("FILLED_OPERATIONS: tuple")
    return text[start:text.index("\n)\n", start)]


def test_every_fill_is_named_by_the_declaration() -> None:
    """A new ``Gap:`` function (the package's convention for a fill) must say which operations it changes,
    in its own module's declaration; every mechanism-B patch is installed by apply_patches."""
    unnamed, count = [], 0
    for service in sim.SERVICES:
        declaration = _declaration_source(service)
        own = [(name, fn) for name, fn in inspect.getmembers(service, inspect.isfunction)
               if fn.__module__ == service.__name__]
        fills = [name for name, fn in own if re.search(r"\bGaps?:", fn.__doc__ or "")]
        count += len(fills)
        unnamed += [f"{service.__name__}.{name}" for name in fills
                    if not re.search(rf"\b{name}\b", declaration)]
        patches = [name for name, _ in own if name.startswith("patch_")]
        assert sorted(p.__name__ for p in service.PATCHES) == patches, f"{service.__name__}: PATCHES"
    assert count > 30
    assert unnamed == []


def test_the_output_check_rejects_wrong_types() -> None:
    """The check catches what a broken fill sends: objects serialised as strings, numbers as strings."""
    operation = botocore.session.get_session().get_service_model("codepipeline").operation_model(
        "ListPipelineExecutions")
    good = {"pipelineExecutionSummaries": [{"pipelineExecutionId": "x", "startTime": datetime.now(UTC)}]}
    assert checked_output(operation, {**good, "ResponseMetadata": {}}) == good
    with pytest.raises(ParamValidationError):
        checked_output(operation, {"pipelineExecutionSummaries": ["<PipelineExecution object at 0x7f>"]})
    with pytest.raises(ParamValidationError):
        checked_output(operation, {"pipelineExecutionSummaries": [{"startTime": "<object at 0x7f>"}]})
    ecs = botocore.session.get_session().get_service_model("ecs").operation_model("DescribeClusters")
    with pytest.raises(ParamValidationError):
        checked_output(ecs, {"clusters": [{"runningTasksCount": "3"}]})
