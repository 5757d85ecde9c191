"""Every fill of a moto gap, in one place. THIS MODULE IS THE SIMULATION LAYER.

moto 5 models most of what an assessment reads, but not all (see
``../shared/reference/moto-simulation.md``). Each function below names the gap it fills and how:

- mechanism A: set attributes on moto's in-memory model objects (the response serializer reads
  them by the botocore shape, so new attributes appear in API responses);
- mechanism B: replace a method on a moto Response or Backend class (whole operations);
- mechanism C: answer an operation in the front door (:mod:`awsassess.demo.frontdoor`) because moto
  has no route or no backend for it (registered in :data:`SIMULATED_OPERATIONS`).

:data:`FILLED_OPERATIONS` lists every AWS operation whose answer this module changes or replaces
(all three mechanisms); tests/test_simulation_operations.py calls each one and checks its answer.

The seeders (``seed*.py``) create resources through the real APIs and call these fills; they never
patch moto themselves. Everything here runs inside the estate server process.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends

from awsassess.demo.frontdoor import SimHandler


def utc_naive(dt: datetime | None) -> datetime | None:
    """moto keeps naive UTC datetimes (and compares them with request timestamps): store the same."""
    from datetime import UTC

    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone(UTC).replace(tzinfo=None)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}

# Every AWS operation whose answer a function of this module changes or replaces: the operations a
# mechanism-A fill's data shows up in, the operations a mechanism-B patch rewrites (including the
# ones that only share the patched moto method), and every front-door operation (mechanism C, the
# keys of SIMULATED_OPERATIONS). (boto3 client name, API operation name); the comment names the
# function(s) responsible. Each entry has a test named ``<service>.<Operation>`` in
# tests/test_simulation_operations.py that calls the operation through boto3, checks the parsed
# answer against the operation's output shape and asserts the filled data is there: a moto upgrade
# that breaks a fill fails the test named after the operation. A new fill adds its operations here
# (a test fails until it does, and until each has a case).
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    # EC2 / VPC
    ("ec2", "DescribeNatGateways"),  # fill_nat_connectivity_type
    ("ec2", "DescribeVpcs"),  # bulk_create_network (scale estate)
    ("ec2", "DescribeSubnets"),  # bulk_create_network (scale estate)
    ("ec2", "DescribeVpcAttribute"),  # bulk_create_network (enableDnsHostnames)
    # ECS
    ("ecs", "DescribeServices"),  # fill_ecs_service, bulk_create_ecs
    ("ecs", "DescribeClusters"),  # fill_ecs_cluster_counts, bulk_create_ecs
    ("ecs", "DescribeTasks"),  # fill_ecs_task
    ("ecs", "DescribeTaskDefinition"),  # fill_task_definition
    ("ecs", "DescribeCapacityProviders"),  # patch_ecs_describe_capacity_providers
    ("ecs", "ListTasks"),  # patch_ecs_list_tasks_default_running
    # RDS / DocumentDB (the docdb client is the RDS API: both clients see the relabelled objects)
    ("docdb", "DescribeDBClusters"),  # relabel_docdb
    ("docdb", "DescribeDBInstances"),  # relabel_docdb
    ("rds", "DescribeDBClusters"),  # relabel_docdb
    ("rds", "DescribeDBInstances"),  # relabel_docdb
    # ElastiCache
    ("elasticache", "DescribeReplicationGroups"),  # fill_replication_group_members
    ("elasticache", "DescribeCacheClusters"),  # fill_replication_group_members
    ("elasticache", "DescribeServerlessCaches"),  # patch_elasticache_serverless
    # CloudFront
    ("cloudfront", "ListDistributions"),  # fill_distribution_times
    ("cloudfront", "GetDistribution"),  # fill_distribution_times
    ("cloudfront", "ListCachePolicies"),  # cloudfront_list_cache_policies (front door)
    ("cloudfront", "GetCachePolicy"),  # cloudfront_get_cache_policy (front door)
    ("cloudfront", "GetCachePolicyConfig"),  # cloudfront_get_cache_policy (front door)
    ("cloudfront", "ListOriginRequestPolicies"),  # cloudfront_list_origin_request_policies (front door)
    ("cloudfront", "GetOriginRequestPolicy"),  # cloudfront_get_origin_request_policy (front door)
    ("cloudfront", "ListResponseHeadersPolicies"),  # cloudfront_list_response_headers_policies (front door)
    # Pricing (no moto backend at all)
    ("pricing", "GetProducts"),  # pricing_get_products (front door)
    ("pricing", "DescribeServices"),  # pricing_describe_services (front door)
    ("pricing", "GetAttributeValues"),  # pricing_get_attribute_values (front door)
    # Cost Explorer
    ("ce", "GetCostAndUsage"),  # patch_cost_explorer
    # Organizations (fixed account ids; the moved master-account index keeps members' lookups working)
    ("organizations", "ListAccounts"),  # fill_organization_account_ids
    ("organizations", "ListAccountsForParent"),  # fill_organization_account_ids
    ("organizations", "DescribeAccount"),  # fill_organization_account_ids
    ("organizations", "DescribeOrganization"),  # fill_organization_account_ids (called from a member account)
    # CodePipeline
    ("codepipeline", "ListPipelines"),  # fill_pipeline_times
    ("codepipeline", "GetPipeline"),  # fill_pipeline_times
    ("codepipeline", "ListPipelineExecutions"),  # fill_pipeline_history, patch_codepipeline
    ("codepipeline", "GetPipelineExecution"),  # fill_pipeline_history
    ("codepipeline", "ListActionExecutions"),  # fill_pipeline_history, patch_codepipeline
    ("codepipeline", "GetPipelineState"),  # fill_pipeline_history, fill_pipeline_times, patch_codepipeline
    # CodeBuild
    ("codebuild", "ListBuildsForProject"),  # fill_build_history
    ("codebuild", "ListBuilds"),  # fill_build_history
    ("codebuild", "BatchGetBuilds"),  # fill_build_history, patch_codebuild_batch_get_builds
    # CodeDeploy
    ("codedeploy", "GetApplication"),  # fill_codedeploy_ids
    ("codedeploy", "BatchGetApplications"),  # fill_codedeploy_ids
    ("codedeploy", "GetDeploymentGroup"),  # fill_codedeploy_ids
    ("codedeploy", "ListDeployments"),  # fill_deployment_history
    ("codedeploy", "GetDeployment"),  # fill_deployment_history
    ("codedeploy", "BatchGetDeployments"),  # fill_deployment_history
    ("codedeploy", "ListDeploymentConfigs"),  # patch_codedeploy_list_deployment_configs
    # CloudFormation
    ("cloudformation", "DescribeStacks"),  # fill_stack_history
    ("cloudformation", "ListStacks"),  # fill_stack_history
    ("cloudformation", "DescribeStackEvents"),  # fill_stack_history
    ("cloudformation", "DescribeStackResources"),  # patch_cloudformation_conditional_resources
    ("cloudformation", "ListStackResources"),  # patch_cloudformation_conditional_resources
    ("cloudformation", "DescribeStackResource"),  # patch_cloudformation_conditional_resources
    # Application Auto Scaling
    ("application-autoscaling", "DescribeScalingActivities"),  # patch_autoscaling_activities
    # CloudWatch
    ("cloudwatch", "GetMetricData"),  # put_metric_series, patch_cloudwatch_get_metric_data
    ("cloudwatch", "ListMetrics"),  # put_metric_series, patch_cloudwatch_list_metrics
    ("cloudwatch", "GetMetricStatistics"),  # put_metric_series
)


def apply_patches() -> None:
    """Install every mechanism-B patch. Call once, before the first request reaches moto."""
    patch_ecs_describe_capacity_providers()
    patch_ecs_list_tasks_default_running()
    patch_cost_explorer()
    patch_codepipeline()
    patch_codebuild_batch_get_builds()
    patch_codedeploy_list_deployment_configs()
    patch_autoscaling_activities()
    patch_cloudwatch_get_metric_data()
    patch_cloudwatch_list_metrics()
    patch_cloudformation_conditional_resources()
    patch_elasticache_serverless()


# =============================================================================== EC2 / VPC
def fill_nat_connectivity_type(account_id: str, region: str) -> None:
    """Gap: moto omits ``ConnectivityType`` of NAT gateways unless it was passed (AWS always returns it).

    Fill (A): set ``connectivity_type = "public"`` on every NAT gateway that has none.
    """
    for nat in ec2_backends[account_id][region].nat_gateways.values():
        if not getattr(nat, "connectivity_type", None):
            nat.connectivity_type = "public"


# =============================================================================== ECS
def fill_ecs_service(account_id: str, region: str, cluster: str, service: str, *,
                     created_at: datetime, running_count: int, pending_count: int = 0,
                     launch_type: str | None = "FARGATE", platform_version: str = "LATEST",
                     platform_family: str = "Linux",
                     capacity_provider_strategy: list[dict[str, Any]] | None = None,
                     deployment_configuration: dict[str, Any] | None = None,
                     health_check_grace_period_seconds: int | None = None,
                     deployments: list[dict[str, Any]] | None = None) -> None:
    """Gap: create_service drops capacityProviderStrategy, deploymentConfiguration and
    healthCheckGracePeriodSeconds; lacks createdAt/platformVersion/platformFamily; runningCount is 0
    and pendingCount = desired; CODE_DEPLOY services have no deployments.

    Fill (A): set those attributes on moto's ``Service`` object.
    """
    svc = ecs_backends[account_id][region].services[f"{cluster}:{service}"]
    svc.created_at = utc_naive(created_at)
    svc.launch_type = launch_type
    svc.platform_version = platform_version
    svc.platform_family = platform_family
    svc.running_count = running_count
    svc.pending_count = pending_count
    if capacity_provider_strategy is not None:
        svc.capacity_provider_strategy = capacity_provider_strategy
    if deployment_configuration is not None:
        svc.deployment_configuration = deployment_configuration
    if health_check_grace_period_seconds is not None:
        svc.health_check_grace_period_seconds = health_check_grace_period_seconds
    if deployments is not None:
        svc.deployments = [{k: utc_naive(v) if isinstance(v, datetime) else v for k, v in d.items()}
                           for d in deployments]
    svc.enable_ecs_managed_tags = True


def fill_ecs_cluster_counts(account_id: str, region: str, cluster: str) -> None:
    """Gap: ``activeServicesCount``/``runningTasksCount`` stay 0 whatever runs in the cluster.

    Fill (A): count the cluster's services and running tasks and set them on the ``Cluster``.
    """
    backend = ecs_backends[account_id][region]
    c = backend.clusters[cluster]
    services = [s for s in backend.services.values() if s.cluster_name == cluster and s.status == "ACTIVE"]
    c.active_services_count = len(services)
    c.running_tasks_count = sum(s.running_count for s in services)
    c.pending_tasks_count = sum(s.pending_count for s in services)


def fill_ecs_task(account_id: str, region: str, cluster: str, task_arn: str, *, cpu: int, memory: int,
                  started_at: datetime, availability_zone: str, created_at: datetime | None = None,
                  capacity_provider_name: str | None = None, launch_type: str | None = "FARGATE",
                  stopped_at: datetime | None = None, stop_code: str | None = None,
                  stopped_reason: str | None = None, health_status: str | None = None,
                  container_exit_code: int | None = None, container_reason: str | None = None) -> None:
    """Gap: tasks lack cpu, memory, createdAt, startedAt, availabilityZone, capacityProviderName;
    stopped tasks lack stopCode/stoppedAt and container exit codes.

    Fill (A): set them on moto's ``Task`` (and its ``Container``) objects.
    """
    task = ecs_backends[account_id][region].tasks[cluster][task_arn]
    task.cpu = str(cpu)
    task.memory = str(memory)
    task.created_at = utc_naive(created_at or started_at)
    task.pull_started_at = utc_naive(started_at)
    task.started_at = utc_naive(started_at)
    task.availability_zone = availability_zone
    task.capacity_provider_name = capacity_provider_name
    task.launch_type = launch_type
    task.platform_version = "1.4.0"
    task.platform_family = "Linux"
    task.connectivity = "CONNECTED"
    task.health_status = health_status or "HEALTHY"
    if stopped_at is not None:
        task.stopping_at = task.execution_stopped_at = task.stopped_at = utc_naive(stopped_at)
        task.stop_code = stop_code
        task.stopped_reason = stopped_reason or ""
    for container in task.containers:
        container.health_status = task.health_status
        container.last_status = task.last_status
        if container_exit_code is not None:
            container.exitCode = container_exit_code
            container.exit_code = container_exit_code
        if container_reason is not None:
            container.reason = container_reason


def fill_task_definition(account_id: str, region: str, arn: str, *, registered_at: datetime,
                         runtime_platform: dict[str, str] | None = None) -> None:
    """Gap: task definitions lack ``registeredAt`` (and ``runtimePlatform`` unless passed).

    Fill (A): set them on moto's ``TaskDefinition``.
    """
    backend = ecs_backends[account_id][region]
    family, revision = arn.rsplit("/", 1)[1].rsplit(":", 1)
    td = backend.task_definitions[family][int(revision)]
    td.registered_at = utc_naive(registered_at)
    if runtime_platform is not None and not getattr(td, "runtime_platform", None):
        td.runtime_platform = copy.deepcopy(runtime_platform)


def patch_ecs_describe_capacity_providers() -> None:
    """Gap: describe_capacity_providers without names fails (500 TypeError), and FARGATE /
    FARGATE_SPOT come back as failures MISSING.

    Fill (B): wrap ``EC2ContainerServiceBackend.describe_capacity_providers``: no names means all
    user providers plus the two AWS-managed Fargate providers, which are answered too.
    """
    from moto.ecs import models as ecs_models

    original = ecs_models.EC2ContainerServiceBackend.describe_capacity_providers
    if getattr(original, "_awsassess", False):
        return

    def describe_capacity_providers(self: Any, names: list[str] | None = None) -> Any:
        fargate = ["FARGATE", "FARGATE_SPOT"]
        wanted = list(names) if names else [*fargate, *self.capacity_providers.keys()]
        user = [n for n in wanted if n not in fargate]
        providers, failures = original(self, user) if user else ([], [])
        for n in wanted:
            if n in fargate:
                providers.insert(0, _FargateProvider(n, self.account_id, self.region_name))
        return providers, failures

    describe_capacity_providers._awsassess = True  # type: ignore[attr-defined]
    ecs_models.EC2ContainerServiceBackend.describe_capacity_providers = describe_capacity_providers


def patch_ecs_list_tasks_default_running() -> None:
    """Gap: list_tasks without ``desiredStatus`` returns stopped tasks too (AWS defaults to RUNNING), and
    the ``serviceName`` filter is ignored.

    Fill (B): wrap ``EC2ContainerServiceBackend.list_tasks``: a missing desiredStatus means RUNNING;
    serviceName keeps the tasks whose group is ``service:<name>``.
    """
    from moto.ecs import models as ecs_models

    original = ecs_models.EC2ContainerServiceBackend.list_tasks
    if getattr(original, "_awsassess", False):
        return

    def list_tasks(self: Any, cluster_str: str | None = None, container_instance: str | None = None,
                   family: str | None = None, started_by: str | None = None, service_name: str | None = None,
                   desiredStatus: str | None = None) -> Any:  # noqa: N803 - moto's parameter name
        tasks = original(self, cluster_str, container_instance, family, started_by, None, desiredStatus or "RUNNING")
        if service_name:
            tasks = [t for t in tasks if t.group == f"service:{service_name}"]
        return tasks

    list_tasks._awsassess = True  # type: ignore[attr-defined]
    ecs_models.EC2ContainerServiceBackend.list_tasks = list_tasks


class _FargateProvider:
    """An AWS-managed capacity provider as describe_capacity_providers returns it."""

    def __init__(self, name: str, account_id: str, region: str) -> None:
        self.name = name
        self.capacity_provider_arn = f"arn:aws:ecs:{region}:{account_id}:capacity-provider/{name}"
        self.status = "ACTIVE"
        self.tags: list[dict[str, str]] = []


# =============================================================================== data stores
def relabel_docdb(account_id: str, region: str, cluster_id: str, instance_ids: list[str], engine_version: str) -> None:
    """Gap: ``create_db_cluster(Engine="docdb")`` fails (400 engine not supported), so DocumentDB
    cannot be created.

    Fill (A): the cluster and instances are created as aurora-postgresql; set ``engine = "docdb"``
    (and the DocumentDB engine version / storage type) on moto's DBCluster and DBInstance objects.
    """
    from moto.rds.models import rds_backends

    backend = rds_backends[account_id][region]
    cluster = backend.clusters[cluster_id]
    cluster.engine = "docdb"
    cluster.engine_version = engine_version
    cluster.storage_type = "standard"
    for iid in instance_ids:
        db = backend.databases[iid]
        for attr, value in (("engine", "docdb"), ("engine_version", engine_version), ("storage_type", "aurora")):
            if not isinstance(getattr(type(db), attr, None), property):  # clustered instances read it from the cluster
                setattr(db, attr, value)


def fill_replication_group_members(account_id: str, region: str, rg_id: str, *, nodes: int, node_type: str,
                                   engine_version: str, azs: list[str], subnet_group: str) -> None:
    """Gap: ``NumCacheClusters=N`` gives one member cluster, and member clusters are missing from
    describe_cache_clusters (``CacheClusterNotFound``).

    Fill (A): rebuild the replication group's node group with N members (primary + replicas),
    and create the member ``CacheCluster`` objects in moto's backend.
    """
    from moto.elasticache.models import elasticache_backends

    backend = elasticache_backends[account_id][region]
    rg = backend.replication_groups[rg_id]
    node_group = rg.node_groups[0]
    domain = node_group["primary_endpoint_address"].split(".", 1)[1]
    rg.member_clusters = []
    node_group["node_group_members"] = []
    rg._set_node_members_clusters_disabled(
        member_clusters=rg.member_clusters, replication_group_id=rg_id, replication_group_domain=domain,
        node_group=node_group, preferred_cache_cluster_azs=azs, num_cache_clusters=nodes,
        replicas_per_node_group=nodes - 1)
    rg.engine_version = engine_version
    for k, member in enumerate(rg.member_clusters):
        if member in backend.cache_clusters:
            continue
        cluster = backend.create_cache_cluster(
            cache_cluster_id=member, replication_group_id=rg_id, az_mode="single-az",
            preferred_availability_zone=azs[k % len(azs)], num_cache_nodes=1, cache_node_type=node_type,
            engine="redis", engine_version=engine_version, cache_parameter_group_name="default.redis7",
            cache_subnet_group_name=subnet_group, transit_encryption_enabled=True, network_type="ipv4",
            ip_discovery="ipv4", snapshot_name=None, preferred_maintenance_window="sun:05:00-sun:06:00",
            port=6379, notification_topic_arn=None, auto_minor_version_upgrade=True, snapshot_retention_limit=1,
            snapshot_window="03:00-04:00", auth_token=None, outpost_mode=None, preferred_outpost_arn=None,
            preferred_availability_zones=[], cache_security_group_names=[], security_group_ids=[], tags=[],
            snapshot_arns=[], preferred_outpost_arns=[], log_delivery_configurations=[],
            cache_node_ids_to_remove=[], cache_node_ids_to_reboot=[])
        cluster.replication_group_id = rg_id


# =============================================================================== CloudFront
def fill_distribution_times(account_id: str, distribution_id: str, last_modified: datetime) -> None:
    """Gap: a distribution's ``LastModifiedTime`` is hard-coded to 2021-11-27.

    Fill (A): set ``last_modified_time`` on moto's Distribution.
    """
    from moto.cloudfront.models import cloudfront_backends

    dist = cloudfront_backends[account_id]["aws"].distributions[distribution_id]
    dist.last_modified_time = last_modified.strftime("%Y-%m-%dT%H:%M:%S.000Z")


_POLICY_DATE = "2020-10-22T00:00:00.000Z"  # managed policies were published in 2020


def _cache_policy(pid: str, name: str, comment: str, ttls: tuple[int, int, int], gzip: bool) -> dict[str, Any]:
    min_ttl, default_ttl, max_ttl = ttls
    return {"Id": pid, "LastModifiedTime": _POLICY_DATE, "CachePolicyConfig": {
        "Comment": comment, "Name": name, "MinTTL": min_ttl, "DefaultTTL": default_ttl, "MaxTTL": max_ttl,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": gzip,
            "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}


# AWS managed cache policies (real ids and settings)
MANAGED_CACHE_POLICIES = [
    _cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6", "Managed-CachingOptimized",
                  "Policy with caching enabled. Supports Gzip and Brotli compression.", (1, 86400, 31536000), True),
    _cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled",
                  "Policy with caching disabled", (0, 0, 0), False),
    _cache_policy("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", "Managed-CachingOptimizedForUncompressedObjects",
                  "Default policy when compression is disabled", (1, 86400, 31536000), False),
]
MANAGED_ORIGIN_REQUEST_POLICIES = [
    {"Id": "216adef6-5c7f-47e4-b989-5492eafa07d3", "LastModifiedTime": _POLICY_DATE, "OriginRequestPolicyConfig": {
        "Comment": "Policy to forward all parameters in viewer requests", "Name": "Managed-AllViewer",
        "HeadersConfig": {"HeaderBehavior": "allViewer"}, "CookiesConfig": {"CookieBehavior": "all"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"}}},
    {"Id": "b689b0a8-53d0-40ab-baf2-68738e2966ac", "LastModifiedTime": _POLICY_DATE, "OriginRequestPolicyConfig": {
        "Comment": "Policy to forward all parameters in viewer requests except for the Host header",
        "Name": "Managed-AllViewerExceptHostHeader",
        "HeadersConfig": {"HeaderBehavior": "allExcept", "Headers": {"Quantity": 1, "Items": ["host"]}},
        "CookiesConfig": {"CookieBehavior": "all"}, "QueryStringsConfig": {"QueryStringBehavior": "all"}}},
    {"Id": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "LastModifiedTime": _POLICY_DATE, "OriginRequestPolicyConfig": {
        "Comment": "Policy for origins that return CORS headers", "Name": "Managed-CORS-S3Origin",
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 3, "Items": [
            "origin", "access-control-request-headers", "access-control-request-method"]}},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
]


def _shape_xml(shape: Any, value: Any, name: str) -> str:
    """Serialize ``value`` as REST-XML following botocore ``shape`` (what the AWS service would send)."""
    from xml.sax.saxutils import escape

    kind = shape.type_name
    if kind == "structure":
        inner = "".join(_shape_xml(m, value[k], m.serialization.get("name", k))
                        for k, m in shape.members.items() if value.get(k) is not None)
        return f"<{name}>{inner}</{name}>"
    if kind == "list":
        member = shape.member
        mname = member.serialization.get("name", "member")
        return f"<{name}>" + "".join(_shape_xml(member, v, mname) for v in value) + f"</{name}>"
    if kind == "boolean":
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def _cloudfront_xml(operation: str, payload: dict[str, Any], etag: str | None = None,
                    status: int = 200) -> tuple[int, dict[str, str], bytes]:
    from awsassess.demo.frontdoor import _service_model

    out = _service_model("cloudfront").operation_model(operation).output_shape
    member = out.serialization["payload"]
    xml = _shape_xml(out.members[member], payload, member)
    xml = xml.replace(f"<{member}>", f'<{member} xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">', 1)
    headers = {"Content-Type": "text/xml"}
    if etag:
        headers["ETag"] = etag
    return status, headers, ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode()


def _path_id(environ: dict[str, Any], after: str) -> str:
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    return parts[parts.index(after) + 1] if after in parts and parts.index(after) + 1 < len(parts) else ""


def _query(environ: dict[str, Any]) -> dict[str, str]:
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _policy_list(kind: str, items: list[dict[str, Any]], environ: dict[str, Any]) -> dict[str, Any]:
    wanted = _query(environ).get("Type")
    summaries = [{"Type": "managed", kind: p} for p in items if wanted in (None, "managed")]
    return {"MaxItems": 100, "Quantity": len(summaries), "Items": summaries}


def _not_found(code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    from awsassess.demo.frontdoor import error_response

    return error_response("cloudfront", code, 404, message)


def cloudfront_list_cache_policies(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``ListCachePolicies`` has no route in moto (404). Fill (C): the AWS managed policies."""
    return _cloudfront_xml("ListCachePolicies", _policy_list("CachePolicy", MANAGED_CACHE_POLICIES, environ))


def cloudfront_get_cache_policy(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``GetCachePolicy``/``GetCachePolicyConfig`` 404 in moto. Fill (C): managed policies by id."""
    pid = _path_id(environ, "cache-policy")
    for policy in MANAGED_CACHE_POLICIES:
        if policy["Id"] == pid:
            if environ.get("PATH_INFO", "").rstrip("/").endswith("/config"):
                return _cloudfront_xml("GetCachePolicyConfig", policy["CachePolicyConfig"], etag="E1MANAGED")
            return _cloudfront_xml("GetCachePolicy", policy, etag="E1MANAGED")
    return _not_found("NoSuchCachePolicy", "The cache policy does not exist.")


def cloudfront_list_origin_request_policies(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``ListOriginRequestPolicies`` 404 in moto. Fill (C): the AWS managed policies."""
    return _cloudfront_xml("ListOriginRequestPolicies",
                           _policy_list("OriginRequestPolicy", MANAGED_ORIGIN_REQUEST_POLICIES, environ))


def cloudfront_get_origin_request_policy(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``GetOriginRequestPolicy`` 404 in moto. Fill (C): managed policies by id."""
    pid = _path_id(environ, "origin-request-policy")
    for policy in MANAGED_ORIGIN_REQUEST_POLICIES:
        if policy["Id"] == pid:
            return _cloudfront_xml("GetOriginRequestPolicy", policy, etag="E1MANAGED")
    return _not_found("NoSuchOriginRequestPolicy", "The origin request policy does not exist.")


def cloudfront_list_response_headers_policies(environ: dict[str, Any],
                                              body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``ListResponseHeadersPolicies`` 404 in moto. Fill (C): an empty list (none in use)."""
    return _cloudfront_xml("ListResponseHeadersPolicies", {"MaxItems": 100, "Quantity": 0})


SIMULATED_OPERATIONS.update({
    ("cloudfront", "ListCachePolicies"): cloudfront_list_cache_policies,
    ("cloudfront", "GetCachePolicy"): cloudfront_get_cache_policy,
    ("cloudfront", "GetCachePolicyConfig"): cloudfront_get_cache_policy,
    ("cloudfront", "ListOriginRequestPolicies"): cloudfront_list_origin_request_policies,
    ("cloudfront", "GetOriginRequestPolicy"): cloudfront_get_origin_request_policy,
    ("cloudfront", "ListResponseHeadersPolicies"): cloudfront_list_response_headers_policies,
})


# =============================================================================== Pricing (Price List API)


def prices_csv_path() -> Any:
    """The package price catalog (``AWSASSESS_PRICES_CSV`` overrides it, e.g. in tests)."""
    import os
    from pathlib import Path

    override = os.environ.get("AWSASSESS_PRICES_CSV")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "pricing" / "data" / "prices.csv"


_CATALOG_CACHE: dict[str, Any] = {}


def _catalog_products() -> list[dict[str, Any]]:
    """Price List product documents for the catalog CSV, built by awsassess.pricing itself
    (:func:`awsassess.pricing.refresh.price_list_documents`), so the attributes are the ones real
    AWS returns and a ``prices refresh`` against the estate round-trips."""
    import csv
    import os

    from awsassess.pricing.catalog import PriceCatalog, PriceRow
    from awsassess.pricing.refresh import price_list_documents

    override = os.environ.get("AWSASSESS_PRICES_CSV")
    path = prices_csv_path()
    try:
        stamp = (str(path), path.stat().st_mtime, bool(override))
    except OSError:
        return []
    if _CATALOG_CACHE.get("stamp") == stamp:
        return _CATALOG_CACHE["products"]
    if override:  # a test's own CSV, as it is
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [PriceRow(r["service"].strip(), r["item"].strip(), r["region"].strip(), r["unit"].strip(),
                             float(r["usd"]), r["source"].strip(), r["as_of"].strip(),
                             r["confidence"].strip().upper()) for r in csv.DictReader(fh)]
    else:  # the whole shipped catalog: prices.csv and the regional rows
        rows = list(PriceCatalog.package().rows.values())
    regions = sorted({r.region for r in rows if r.region.count("-") == 2} | {"us-east-1"})
    products = price_list_documents(rows, regions=regions)
    _CATALOG_CACHE.update(stamp=stamp, products=products)
    return products


def _json_reply(payload: dict[str, Any], status: int = 200) -> tuple[int, dict[str, str], bytes]:
    import json

    return status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(payload).encode()


def pricing_get_products(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: moto has no Pricing backend at all (500). Fill (C): ``GetProducts`` answered from the
    package price catalog CSV, in the Price List JSON shape, with TERM_MATCH filters and paging."""
    import json

    from awsassess.pricing.refresh import filter_documents

    req = json.loads(body or b"{}")
    matched = [json.dumps(p) for p in filter_documents(_catalog_products(), req.get("ServiceCode", ""),
                                                       req.get("Filters", []))]
    start = int(req.get("NextToken") or 0)
    size = int(req.get("MaxResults") or 100)
    page = matched[start:start + size]
    reply: dict[str, Any] = {"FormatVersion": req.get("FormatVersion", "aws_v1"), "PriceList": page}
    if start + size < len(matched):
        reply["NextToken"] = str(start + size)
    return _json_reply(reply)


def pricing_describe_services(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: no Pricing backend. Fill (C): ``DescribeServices`` lists the catalog's service codes."""
    import json

    req = json.loads(body or b"{}")
    names: dict[str, set[str]] = {}
    for p in _catalog_products():
        names.setdefault(p["serviceCode"], set()).update(p["product"]["attributes"])
    wanted = req.get("ServiceCode")
    services = [{"ServiceCode": code, "AttributeNames": sorted(attrs)} for code, attrs in sorted(names.items())
                if wanted in (None, code)]
    return _json_reply({"Services": services, "FormatVersion": "aws_v1"})


def pricing_get_attribute_values(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: no Pricing backend. Fill (C): ``GetAttributeValues`` from the catalog."""
    import json

    req = json.loads(body or b"{}")
    values = sorted({str(p["product"]["attributes"].get(req.get("AttributeName", ""), ""))
                     for p in _catalog_products() if p["serviceCode"] == req.get("ServiceCode")} - {""})
    return _json_reply({"AttributeValues": [{"Value": v} for v in values]})


SIMULATED_OPERATIONS.update({
    ("pricing", "GetProducts"): pricing_get_products,
    ("pricing", "DescribeServices"): pricing_describe_services,
    ("pricing", "GetAttributeValues"): pricing_get_attribute_values,
})


# =============================================================================== Cost Explorer
def patch_cost_explorer() -> None:
    """Gap: ``GetCostAndUsage`` is empty unless results are queued through a fragile FIFO keyed on
    the raw request body.

    Fill (B): replace ``CostExplorerBackend.get_cost_and_usage`` with a cost model of the seeded
    estate (:mod:`awsassess.demo.costs`): per-period amounts by SERVICE (or LINKED_ACCOUNT), any
    granularity, UnblendedCost/BlendedCost/AmortizedCost/NetUnblendedCost, days-in-month scaled.
    Accounts without a spec (e.g. the management account) have no spend.
    """
    import json
    from datetime import date, timedelta

    from moto.ce import models as ce_models

    from awsassess.demo import costs
    from awsassess.demo.estate import ACCOUNTS

    if getattr(ce_models.CostExplorerBackend.get_cost_and_usage, "_awsassess", False):
        return

    def periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
        out, cur = [], start
        while cur < end:
            if granularity == "MONTHLY":
                nxt = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
            else:
                nxt = cur + timedelta(days=1)
            out.append((cur, min(nxt, end)))
            cur = min(nxt, end)
        return out

    def get_cost_and_usage(self: Any, body: str) -> dict[str, Any]:
        req = json.loads(body or "{}")
        start = date.fromisoformat(req["TimePeriod"]["Start"])
        end = date.fromisoformat(req["TimePeriod"]["End"])
        granularity = req.get("Granularity", "MONTHLY")
        metrics = req.get("Metrics") or ["UnblendedCost"]
        group_by = [g.get("Key") for g in req.get("GroupBy", [])]
        spec = next((a for a in ACCOUNTS if a.account_id == self.account_id), None)
        today = date.today()
        results = []
        for p_start, p_end in periods(start, end, granularity):
            amounts = costs.cost_for_period(spec, p_start, min(p_end, today)) if spec and p_start < today else {}
            estimated = p_end > today
            total = sum(amounts.values())

            def metric_block(usd: float) -> dict[str, Any]:
                return {m: ({"Amount": f"{usd:.10f}", "Unit": "USD"} if m != "UsageQuantity"
                            else {"Amount": "0", "Unit": "N/A"}) for m in metrics}

            entry: dict[str, Any] = {"TimePeriod": {"Start": p_start.isoformat(), "End": p_end.isoformat()},
                                     "Estimated": estimated}
            if group_by:
                if group_by[0] == "LINKED_ACCOUNT":
                    groups = [{"Keys": [self.account_id], "Metrics": metric_block(total)}] if amounts else []
                else:
                    groups = [{"Keys": [svc], "Metrics": metric_block(usd)} for svc, usd in sorted(amounts.items())]
                entry.update(Total={}, Groups=groups)
            else:
                entry.update(Total=metric_block(total), Groups=[])
            results.append(entry)
        dims = [{"Value": self.account_id, "Attributes": {"description": spec.name}}] if spec else []
        return {"GroupDefinitions": req.get("GroupBy", []), "ResultsByTime": results,
                "DimensionValueAttributes": dims if "LINKED_ACCOUNT" in group_by else []}

    get_cost_and_usage._awsassess = True  # type: ignore[attr-defined]
    ce_models.CostExplorerBackend.get_cost_and_usage = get_cost_and_usage


# =============================================================================== Organizations
def fill_organization_account_ids(management_account: str, ids_by_name: dict[str, str]) -> None:
    """Gap: accounts created in an organization get random 12-digit ids.

    Fill (A): set each account's ``id`` (its ARN follows) to the estate's fixed ids, by account name.
    """
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[management_account]["aws"]
    for account in backend.accounts:
        if account.name in ids_by_name:
            old, account.id = account.id, ids_by_name[account.name]
            owner = organizations_backends.master_accounts.pop(old, (management_account, "aws"))
            organizations_backends.master_accounts[account.id] = owner


# =============================================================================== CodePipeline
def _epoch(dt: datetime) -> float:
    from datetime import UTC

    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def fill_pipeline_history(account_id: str, region: str, pipeline: str, executions: list[dict[str, Any]]) -> None:
    """Gap: executions are instantly Succeeded with zero duration; AWS runs them, so past
    executions cannot be created through any API.

    Fill (A): add execution objects (oldest first) with real start/end times, trigger, source
    revision and their per-action records (used by the get_pipeline_state/list_action_executions fills).
    Each execution dict: id, start, end, status, trigger, revision, actions (list of dicts: stage,
    action, category, owner, provider, version, start, end, status, external_id, external_url,
    summary, configuration).
    """
    from moto.codepipeline.models import PipelineExecution, codepipeline_backends

    class HistoricalExecution(PipelineExecution):
        """A past execution; its summary is built here from its own fields (moto 5.2.6's model has
        no to_dict/to_summary_dict any more, so nothing of moto's serialisation is relied on)."""

        def summary(self) -> dict[str, Any]:
            return {"pipelineExecutionId": self.pipeline_execution_id, "status": self.status,
                    "startTime": _epoch(self.start_time), "lastUpdateTime": _epoch(self.last_update_time),
                    "sourceRevisions": self.revisions, "trigger": self.trigger,
                    "executionMode": "SUPERSEDED", "executionType": "STANDARD"}

    backend = codepipeline_backends[account_id][region]
    pl = backend.pipelines[pipeline]
    for ex in executions:
        obj = HistoricalExecution(pipeline, pl.pipeline["version"], None)
        obj.pipeline_execution_id = ex["id"]
        obj.start_time = utc_naive(ex["start"])
        obj.last_update_time = utc_naive(ex["end"])
        obj.status = ex["status"]
        obj.trigger = ex["trigger"]
        obj.revisions = ex["revisions"]
        obj.actions = ex["actions"]
        pl.executions[ex["id"]] = obj


def _action_detail(pipeline: str, version: int, ex_id: str, a: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipelineExecutionId": ex_id, "actionExecutionId": a["action_execution_id"], "pipelineVersion": version,
        "stageName": a["stage"], "actionName": a["action"], "startTime": _epoch(a["start"]),
        "lastUpdateTime": _epoch(a["end"]), "status": a["status"],
        "input": {"actionTypeId": {"category": a["category"], "owner": a["owner"], "provider": a["provider"],
                                   "version": a.get("version", "1")},
                  "configuration": a.get("configuration", {}), "resolvedConfiguration": a.get("configuration", {}),
                  "region": a.get("region", "us-east-1"), "inputArtifacts": a.get("input_artifacts", [])},
        "output": {"outputArtifacts": a.get("output_artifacts", []),
                   "executionResult": {"externalExecutionId": a.get("external_id", ""),
                                       "externalExecutionSummary": a.get("summary", ""),
                                       "externalExecutionUrl": a.get("external_url", "")},
                   "outputVariables": {}},
    }


def _paginate(items: list[Any], token: str | None, size: int | None, default: int = 100) -> tuple[list[Any], str | None]:
    start = int(token or 0)
    size = int(size or default)
    page = items[start:start + size]
    return page, (str(start + size) if start + size < len(items) else None)


def _execution_summary(execution: Any) -> dict[str, Any]:
    """A ListPipelineExecutions summary of a historical execution or of one moto started itself."""
    if hasattr(execution, "summary"):
        return dict(execution.summary())
    return {"pipelineExecutionId": execution.pipeline_execution_id, "status": execution.status,
            "startTime": _epoch(execution.start_time), "lastUpdateTime": _epoch(execution.last_update_time),
            "sourceRevisions": [], "trigger": {"triggerType": "StartPipelineExecution", "triggerDetail": ""}}


def patch_codepipeline() -> None:
    """Gaps: get_pipeline_state and list_action_executions are not implemented (500);
    list_pipeline_executions with maxResults truncates and returns no nextToken.

    Fill (B): implement the two operations from the execution history (see
    :func:`fill_pipeline_history`) and page list_pipeline_executions with a nextToken.
    """
    import json

    from moto.codepipeline.responses import CodePipelineResponse

    if getattr(CodePipelineResponse, "_awsassess", False):
        return

    def list_pipeline_executions(self: Any) -> str:
        found = self.codepipeline_backend.list_pipeline_executions(self._get_param("pipelineName"), None)
        # moto 5.2.6 returns PipelineExecution objects (5.2.5 returned dicts; json's default=str then
        # turned objects into strings botocore could not parse): every summary is built field by field
        summaries = [_execution_summary(e) for e in found]
        page, token = _paginate(summaries, self._get_param("nextToken"), self._get_param("maxResults"))
        out: dict[str, Any] = {"pipelineExecutionSummaries": page}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    def list_action_executions(self: Any) -> str:
        name = self._get_param("pipelineName")
        backend = self.codepipeline_backend
        pl = backend.pipelines.get(name)
        if pl is None:
            from moto.codepipeline.exceptions import PipelineNotFoundException

            raise PipelineNotFoundException(f"Account '{backend.account_id}' does not have a pipeline with name '{name}'")
        wanted = (self._get_param("filter") or {}).get("pipelineExecutionId")
        details = []
        for ex in reversed(list(pl.executions.values())):  # newest first, as AWS does
            if wanted and ex.pipeline_execution_id != wanted:
                continue
            for a in reversed(getattr(ex, "actions", [])):
                details.append(_action_detail(name, pl.pipeline["version"], ex.pipeline_execution_id, a))
        page, token = _paginate(details, self._get_param("nextToken"), self._get_param("maxResults"))
        out: dict[str, Any] = {"actionExecutionDetails": page}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    def get_pipeline_state(self: Any) -> str:
        name = self._get_param("name")
        backend = self.codepipeline_backend
        pl = backend.pipelines.get(name)
        if pl is None:
            from moto.codepipeline.exceptions import PipelineNotFoundException

            raise PipelineNotFoundException(f"Account '{backend.account_id}' does not have a pipeline with name '{name}'")
        latest = list(pl.executions.values())[-1] if pl.executions else None
        stages = []
        for stage in pl.pipeline["stages"]:
            actions = []
            for action in stage["actions"]:
                rec = next((a for a in reversed(getattr(latest, "actions", []))
                            if a["stage"] == stage["name"] and a["action"] == action["name"]), None)
                state: dict[str, Any] = {"actionName": action["name"]}
                if rec:
                    state["latestExecution"] = {
                        "actionExecutionId": rec["action_execution_id"], "status": rec["status"],
                        "summary": rec.get("summary", ""), "lastStatusChange": _epoch(rec["end"]),
                        "externalExecutionId": rec.get("external_id", ""),
                        "externalExecutionUrl": rec.get("external_url", "")}
                    # AWS leaves empty strings out (the model's minimum length is 1)
                    state["latestExecution"] = {k: v for k, v in state["latestExecution"].items() if v != ""}
                actions.append(state)
            entry: dict[str, Any] = {"stageName": stage["name"], "inboundTransitionState": {"enabled": True},
                                     "actionStates": actions}
            if latest is not None:
                entry["latestExecution"] = {"pipelineExecutionId": latest.pipeline_execution_id,
                                            "status": latest.status}
            stages.append(entry)
        return json.dumps({"pipelineName": name, "pipelineVersion": pl.pipeline["version"], "stageStates": stages,
                           "created": _epoch(pl.created), "updated": _epoch(pl.updated)})

    CodePipelineResponse.list_pipeline_executions = list_pipeline_executions
    CodePipelineResponse.list_action_executions = list_action_executions
    CodePipelineResponse.get_pipeline_state = get_pipeline_state
    CodePipelineResponse._awsassess = True


def fill_pipeline_times(account_id: str, region: str, pipeline: str, created: datetime, updated: datetime) -> None:
    """Gap: pipeline ``created``/``updated`` are the seeding time. Fill (A): set them."""
    from moto.codepipeline.models import codepipeline_backends

    pl = codepipeline_backends[account_id][region].pipelines[pipeline]
    pl.created, pl.updated = utc_naive(created), utc_naive(updated)


# =============================================================================== CodeBuild
def fill_build_history(account_id: str, region: str, project: str, builds: list[dict[str, Any]]) -> None:
    """Gap: builds get random phase durations (10-100 s) that do not match their timestamps, and
    every batch_get_builds call appends phases again and re-randomises endTime.

    Fill (A): add complete build records (oldest first; phases whose durations match their times).
    The :func:`patch_codebuild_batch_get_builds` fill returns them unchanged.
    """
    from moto.codebuild.models import codebuild_backends

    backend = codebuild_backends[account_id][region]
    for b in builds:
        backend.build_history.setdefault(project, []).append(b["id"])
        backend.build_metadata_history[project].append(b)


def patch_codebuild_batch_get_builds() -> None:
    """Gap: ``batch_get_builds`` mutates builds on every call (see above).

    Fill (B): builds already complete are returned as stored; others get moto's behaviour once.
    """
    from moto.codebuild import models as cb_models

    original = cb_models.CodeBuildBackend.batch_get_builds
    if getattr(original, "_awsassess", False):
        return

    def batch_get_builds(self: Any, ids: list[str]) -> list[dict[str, Any]]:
        done = {b["id"]: b for builds in self.build_metadata_history.values() for b in builds
                if b.get("buildComplete") and b["id"] in ids}
        rest = [i for i in ids if i not in done]
        others = {b["id"]: b for b in (original(self, rest) if rest else [])}
        return [done.get(i) or others[i] for i in ids if i in done or i in others]

    batch_get_builds._awsassess = True  # type: ignore[attr-defined]
    cb_models.CodeBuildBackend.batch_get_builds = batch_get_builds


# =============================================================================== CodeDeploy
def fill_codedeploy_ids(account_id: str, region: str, application: str, group: str, app_id: str,
                        group_id: str) -> None:
    """Gap: application and deployment-group ids come from ``uuid.uuid4`` (not reproducible).

    Fill (A): set deterministic ids.
    """
    from moto.codedeploy.models import codedeploy_backends

    backend = codedeploy_backends[account_id][region]
    backend.applications[application].id = app_id
    backend.deployment_groups[application][group].deployment_group_id = group_id


def fill_deployment_history(account_id: str, region: str, application: str, group: str,
                            deployments: list[dict[str, Any]]) -> None:
    """Gap: deployments stay ``Created`` with no startTime/completeTime, ids are random uuids, and
    past deployments cannot be created through the API.

    Fill (A): add DeploymentInfo objects with id (``d-XXXXXXXXX``), status, create/start/complete
    times and the blue/green termination-wait flag. Each dict: id, create, start, end, status,
    revision, description.
    """
    from moto.codedeploy.models import DeploymentInfo, codedeploy_backends

    backend = codedeploy_backends[account_id][region]
    app = backend.applications[application]
    dg = backend.deployment_groups[application][group]
    for d in deployments:
        info = DeploymentInfo(app, dg, d["revision"], dg.deployment_config_name, d.get("description"), None,
                              None, dg.auto_rollback_configuration, None, None, None, "user")
        info.deployment_id = d["id"]
        info.status = d["status"]
        info.create_time = utc_naive(d["create"])
        info.start_time = utc_naive(d["start"])
        info.complete_time = utc_naive(d["end"])
        info.instance_termination_wait_time_started = d["status"] == "Succeeded"
        info.deployment_overview = {"Pending": 0, "InProgress": 0, "Succeeded": 1 if d["status"] == "Succeeded" else 0,
                                    "Failed": 0 if d["status"] == "Succeeded" else 1, "Skipped": 0, "Ready": 0}
        backend.deployments[d["id"]] = info


def patch_codedeploy_list_deployment_configs() -> None:
    """Gap: ``list_deployment_configs`` is not implemented (500).

    Fill (B): the predefined CodeDeploy configurations every account has.
    """
    import json

    from moto.codedeploy.responses import CodeDeployResponse

    names = ["CodeDeployDefault.AllAtOnce", "CodeDeployDefault.HalfAtATime", "CodeDeployDefault.OneAtATime",
             "CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.ECSCanary10Percent5Minutes",
             "CodeDeployDefault.ECSCanary10Percent15Minutes", "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
             "CodeDeployDefault.ECSLinear10PercentEvery3Minutes", "CodeDeployDefault.LambdaAllAtOnce"]

    def list_deployment_configs(self: Any) -> str:
        return json.dumps({"deploymentConfigsList": names})

    CodeDeployResponse.list_deployment_configs = list_deployment_configs


# =============================================================================== CloudFormation
def fill_stack_history(account_id: str, region: str, stack_name: str, *, created: datetime,
                       events: list[dict[str, Any]], status: str | None = None, status_reason: str | None = None,
                       last_updated: datetime | None = None) -> None:
    """Gap: stacks have only stack-level events stamped at seeding time, no StackStatusReason or
    LastUpdatedTime, and stack-resource timestamps are hard-coded to 2010-07-27.

    Fill (A): set creation/update times, status and reason, and replace the events with per-resource
    ones (oldest first). Each event dict: timestamp, logical_id, physical_id, type, status, reason.
    """
    from moto.cloudformation.models import Event, cloudformation_backends

    backend = cloudformation_backends[account_id][region]
    stack = next(s for s in backend.stacks.values() if s.name == stack_name)
    stack.creation_time = utc_naive(created)
    if last_updated is not None:
        stack.last_updated_time = utc_naive(last_updated)
    if status is not None:
        stack.status = status
    if status_reason is not None:
        stack.stack_status_reason = status_reason
    new_events = []
    for k, e in enumerate(events):
        ev = Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=e["logical_id"],
                   physical_resource_id=e.get("physical_id") or "", resource_type=e["type"],
                   resource_status=e["status"], resource_status_reason=e.get("reason"), resource_properties=None)
        ev.timestamp = utc_naive(e["timestamp"])
        ev.event_id = f"{e['logical_id']}-{e['status']}-{int(e['timestamp'].timestamp())}-{k}"
        new_events.append(ev)
    stack.events = new_events


# =============================================================================== Application Auto Scaling
def patch_autoscaling_activities() -> None:
    """Gap: ``describe_scaling_activities`` is not implemented (500).

    Fill (B): an empty activity list (the estate's targets have not scaled in the lookback).
    """
    import json

    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def describe_scaling_activities(self: Any) -> str:
        return json.dumps({"ScalingActivities": []})

    ApplicationAutoScalingResponse.describe_scaling_activities = describe_scaling_activities


# =============================================================================== CloudWatch
def put_metric_series(account_id: str, region: str, namespace: str, metric: str, dimensions: dict[str, str],
                      points: list[tuple[datetime, float, float, float, float]], unit: str | None = None) -> None:
    """Gap: seeding 14 days of hourly series for ~100 metrics through put_metric_data takes
    thousands of calls.

    Fill (A): append aggregated datapoints (timestamp, sum, minimum, maximum, sample count) straight
    to moto's CloudWatch backend (what put_metric_data with StatisticValues stores).
    """
    from moto.cloudwatch.models import MetricAggregatedDatum, cloudwatch_backends

    backend = cloudwatch_backends[account_id][region]
    if not points:
        return
    dims = [{"Name": k, "Value": v} for k, v in dimensions.items()]
    ts0, s0, lo0, hi0, n0 = points[0]
    template = MetricAggregatedDatum(namespace=namespace, name=metric, sum_stat=s0, min_stat=lo0, max_stat=hi0,
                                     sample_count=n0, dimensions=dims, timestamp=ts0.replace(tzinfo=None), unit=unit)
    backend.metric_data.append(template)
    shared = template.__dict__
    for ts, s, lo, hi, n in points[1:]:  # same objects, built without re-parsing the shared dimensions
        datum = object.__new__(MetricAggregatedDatum)
        datum.__dict__.update(shared)
        datum.timestamp, datum.sum, datum.min, datum.max, datum.sample_count = ts.replace(tzinfo=None), s, lo, hi, n
        backend.metric_data.append(datum)


def _dim_key(dims: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for d in dims or []:
        if isinstance(d, dict):
            out.append((d["Name"], d["Value"]))
        else:
            out.append((d.name, d.value))
    return tuple(sorted(out))


_METRIC_INDEX: dict[int, tuple[int, dict[tuple[Any, ...], list[Any]]]] = {}


def _metric_index(backend: Any) -> dict[tuple[Any, ...], list[Any]]:
    data = backend.get_all_metrics()
    cached = _METRIC_INDEX.get(id(backend))
    if cached and cached[0] == len(data):
        return cached[1]
    index: dict[tuple[Any, ...], list[Any]] = {}
    for md in data:
        index.setdefault((md.namespace, md.name, _dim_key(md.dimensions)), []).append(md)
    for series in index.values():
        series.sort(key=lambda m: m.timestamp)
    _METRIC_INDEX[id(backend)] = (len(data), index)
    return index


def _naive_utc(dt: Any) -> datetime:
    from datetime import UTC

    if isinstance(dt, str):
        from dateutil import parser

        dt = parser.parse(dt)
    if isinstance(dt, int | float):
        dt = datetime.fromtimestamp(dt, UTC)
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def _stat(stat: str, samples: list[Any]) -> float | None:
    """Statistic over moto datums (single values or aggregated StatisticValues)."""
    count = sum(getattr(m, "sample_count", 1) for m in samples)
    total = sum(getattr(m, "sum", getattr(m, "value", 0.0)) for m in samples)
    if not samples or count <= 0:
        return None
    if stat == "Sum":
        return total
    if stat == "SampleCount":
        return count
    if stat == "Average":
        return total / count
    if stat == "Maximum":
        return max(getattr(m, "max", getattr(m, "value", 0.0)) for m in samples)
    if stat == "Minimum":
        return min(getattr(m, "min", getattr(m, "value", 0.0)) for m in samples)
    if stat.startswith("p") and stat[1:].replace(".", "", 1).isdigit():
        # percentile over the stored samples; an aggregated datapoint contributes its average
        values = sorted(getattr(m, "value", None) if hasattr(m, "value")
                        else m.sum / max(m.sample_count, 1) for m in samples)
        q = float(stat[1:]) / 100.0
        pos = q * (len(values) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(values) - 1)
        return values[lo] + (values[hi] - values[lo]) * (pos - lo)
    return None


def patch_cloudwatch_get_metric_data() -> None:
    """Gaps: percentile statistics (p90, p99...) fail the whole request with a 500 TypeError;
    dimension matching is unreliable; and every query scans every datapoint once per period
    (minutes for 14 days of hourly data across ~100 series).

    Fill (B): replace ``CloudWatchBackend.get_metric_data`` with an indexed implementation:
    exact namespace/metric/dimension match, period buckets aligned to the period, statistics
    Average/Sum/Minimum/Maximum/SampleCount and pNN (computed over the stored samples). Metric math
    expressions still return no values (compute them client-side).
    """
    from datetime import timedelta

    from moto.cloudwatch import models as cw_models

    if getattr(cw_models.CloudWatchBackend.get_metric_data, "_awsassess", False):
        return

    def get_metric_data(self: Any, queries: list[dict[str, Any]], start_time: Any, end_time: Any,
                        scan_by: str = "TimestampDescending") -> list[dict[str, Any]]:
        start, end = _naive_utc(start_time), _naive_utc(end_time)
        if start >= end:
            raise cw_models.ValidationError("The parameter EndTime must be greater than StartTime.")
        index = _metric_index(self)
        results = []
        for q in queries:
            if "MetricStat" not in q:
                results.append({"id": q["Id"], "label": q.get("Label") or q["Id"], "values": [],
                                "timestamps": [], "status_code": "Complete"})
                continue
            ms = q["MetricStat"]
            metric = ms["Metric"]
            period = int(ms["Period"])
            key = (metric["Namespace"], metric["MetricName"], _dim_key(metric.get("Dimensions")))
            buckets: dict[datetime, list[Any]] = {}
            epoch = datetime(1970, 1, 1)
            for md in index.get(key, []):
                ts = _naive_utc(md.timestamp)
                if start <= ts < end and (not ms.get("Unit") or md.unit == ms.get("Unit")):
                    slot = epoch + timedelta(seconds=((ts - epoch).total_seconds() // period) * period)
                    buckets.setdefault(slot, []).append(md)
            stamps = sorted(buckets, reverse=scan_by != "TimestampAscending")
            values = [_stat(ms["Stat"], buckets[t]) for t in stamps]
            keep = [(t, v) for t, v in zip(stamps, values, strict=True) if v is not None]
            if q.get("ReturnData", True):
                results.append({"id": q["Id"], "label": q.get("Label") or metric["MetricName"],
                                "values": [v for _, v in keep], "timestamps": [t for t, _ in keep],
                                "status_code": "Complete"})
        return results

    get_metric_data._awsassess = True  # type: ignore[attr-defined]
    cw_models.CloudWatchBackend.get_metric_data = get_metric_data


def patch_cloudwatch_list_metrics() -> None:
    """Gap: list_metrics de-duplicates by comparing every datapoint with every metric found so far
    (seconds per call with 14 days of hourly data).

    Fill (B): answer from the series index (one entry per namespace/metric/dimension set), with the
    same filters (namespace, metric name, dimension names and optional values).
    """
    from moto.cloudwatch import models as cw_models

    if getattr(cw_models.CloudWatchBackend.get_filtered_metrics, "_awsassess", False):
        return

    def get_filtered_metrics(self: Any, metric_name: str, namespace: str,
                             dimensions: list[dict[str, str]]) -> list[Any]:
        out = []
        for (ns, name, dims), series in _metric_index(self).items():
            if (namespace and ns != namespace) or (metric_name and name != metric_name):
                continue
            have = dict(dims)
            if any(d["Name"] not in have or (d.get("Value") not in (None, "") and have[d["Name"]] != d["Value"])
                   for d in dimensions or []):
                continue
            out.append(series[0])
        return out

    get_filtered_metrics._awsassess = True  # type: ignore[attr-defined]
    cw_models.CloudWatchBackend.get_filtered_metrics = get_filtered_metrics


def patch_cloudformation_conditional_resources() -> None:
    """Gap: resources whose ``Condition`` is false are listed by describe/list_stack_resources as
    entries without LogicalResourceId/PhysicalResourceId/ResourceType (AWS omits them).

    Fill (B): ``Stack.stack_resources`` leaves out the resources that were not created.
    """
    from moto.cloudformation.models import Stack

    if getattr(Stack, "_awsassess", False):
        return

    def stack_resources(self: Any) -> list[Any]:
        return [r for r in self.resource_map.values() if r is not None]

    Stack.stack_resources = property(stack_resources)  # type: ignore[assignment]
    Stack._awsassess = True


# =============================================================================== bulk seeding (scale estate)
def bulk_create_network(account_id: str, region: str, vpcs: int, subnets: int, azs: list[str],
                        name_prefix: str) -> list[tuple[str, list[str]]]:
    """Gap: moto serves ~100-200 API calls/s, so hundreds of subnets through the API take too long
    for a pagination fixture.

    Fill (A): create VPCs and subnets straight in moto's EC2 backend (same objects the API creates).
    Returns [(vpc_id, [subnet ids])].
    """
    backend = ec2_backends[account_id][region]
    out = []
    per_vpc = [subnets // vpcs + (1 if i < subnets % vpcs else 0) for i in range(vpcs)]
    for v in range(vpcs):
        cidr = f"10.{v % 250}.0.0/16"
        vpc = backend.create_vpc(cidr, tags=[{"Key": "Name", "Value": f"{name_prefix}-vpc-{v:03d}"}])
        vpc.enable_dns_hostnames = "true"
        ids = []
        for s in range(per_vpc[v]):
            subnet = backend.create_subnet(
                vpc.id, f"10.{v % 250}.{s}.0/24", availability_zone=azs[s % len(azs)],
                tags={"subnet": {"Name": f"{name_prefix}-vpc-{v:03d}-subnet-{s:03d}"}})
            ids.append(subnet.id)
        out.append((vpc.id, ids))
    return out


def bulk_create_ecs(account_id: str, region: str, services: int, per_cluster: int, name_prefix: str,
                    created_at: datetime) -> list[str]:
    """Gap: as above, for ECS clusters, task definitions and services.

    Fill (A): create them in moto's ECS backend and give them the fields the fintech estate's
    services get (Fargate, createdAt, counts; see :func:`fill_ecs_service`). Returns service ARNs.
    """
    backend = ecs_backends[account_id][region]
    arns = []
    clusters = max(1, -(-services // per_cluster))
    for c in range(clusters):
        cluster = f"{name_prefix}-cluster-{c:02d}"
        backend.create_cluster(cluster, capacity_providers=["FARGATE", "FARGATE_SPOT"])
        for s in range(c * per_cluster, min(services, (c + 1) * per_cluster)):
            family = f"{name_prefix}-svc-{s:04d}"
            td = backend.register_task_definition(
                family, [{"name": "app", "image": f"public.ecr.aws/nginx/nginx:{s % 5 + 1}", "memory": 512,
                          "cpu": 0, "essential": True}],
                network_mode="awsvpc", requires_compatibilities=["FARGATE"], cpu="256", memory="512")
            svc = backend.create_service(cluster, family, 1, task_definition_str=f"{family}:{td.revision}",
                                         launch_type="FARGATE")
            fill_ecs_service(account_id, region, cluster, family, created_at=created_at, running_count=1)
            arns.append(svc.arn)
        fill_ecs_cluster_counts(account_id, region, cluster)
    return arns


def patch_elasticache_serverless() -> None:
    """Gap: ``describe_serverless_caches`` is not implemented (500 HTML, a ResponseParserError).

    Fill (B): an empty list (the estate has no serverless caches).
    """
    from moto.core.responses import ActionResult
    from moto.elasticache.responses import ElastiCacheResponse

    def describe_serverless_caches(self: Any) -> Any:
        return ActionResult({"ServerlessCaches": []})

    ElastiCacheResponse.describe_serverless_caches = describe_serverless_caches
