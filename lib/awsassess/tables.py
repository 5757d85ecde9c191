"""The snapshot tables: names, columns and what each column means.

This module is the contract between the collectors (which fill the tables), the rules, the cost
model, the diagrams and the notebooks (which read them). ``../shared/INTERFACE.md`` lists the
minimum; everything here is a superset. Every table also has ``account_id`` and ``region``
(``"global"`` for global services such as CloudFront and Cost Explorer).

Conventions:
- lists and dicts are stored as JSON strings (Parquet-friendly); use :func:`awsassess.tables.loads`
  to read them back;
- timestamps are timezone-aware UTC ``datetime64`` (pandas) in memory, ISO 8601 in files;
- sizes: ECS ``cpu`` in CPU units (1024 = 1 vCPU) and ``memory`` in MiB, as the ECS API returns them;
- durations are seconds unless the column name says otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

COMMON = {"account_id": "12-digit AWS account id (string)", "region": "AWS region or 'global'"}


@dataclass(frozen=True)
class Table:
    name: str
    domain: str
    doc: str
    columns: dict[str, str]

    @property
    def all_columns(self) -> list[str]:
        return [*COMMON, *self.columns]


def _t(name: str, domain: str, doc: str, /, **columns: str) -> Table:
    return Table(name, domain, doc, dict(columns))


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        # ---------------------------------------------------------------- network
        _t("vpcs", "network", "VPCs (ec2:DescribeVpcs)",
           vpc_id="VPC id", cidr="primary IPv4 CIDR", name="Name tag or ''", is_default="default VPC (bool)",
           state="state", tags="tags (JSON object)"),
        _t("subnets", "network", "Subnets (ec2:DescribeSubnets) with public = routes 0.0.0.0/0 to an IGW",
           subnet_id="subnet id", vpc_id="VPC id", az="availability zone", cidr="IPv4 CIDR",
           public="has a default route to an internet gateway (bool)", available_ips="free IPv4 addresses",
           name="Name tag or ''"),
        _t("route_tables", "network", "Route tables (ec2:DescribeRouteTables)",
           route_table_id="id", vpc_id="VPC id", subnet_ids="associated subnets (JSON list)", main="main table (bool)",
           routes="routes (JSON list of {destination, target})", has_igw_route="0.0.0.0/0 -> igw (bool)",
           has_nat_route="0.0.0.0/0 -> nat (bool)"),
        _t("nat_gateways", "network", "NAT gateways (ec2:DescribeNatGateways)",
           nat_gateway_id="id", vpc_id="VPC id", subnet_id="subnet id", az="AZ of its subnet", state="state",
           connectivity_type="public | private", public_ip="public IPv4 or ''", created="create time"),
        _t("internet_gateways", "network", "Internet gateways", igw_id="id", vpc_id="attached VPC or ''"),
        _t("elastic_ips", "network", "Elastic IPs (ec2:DescribeAddresses)",
           allocation_id="allocation id", public_ip="address", association_id="association id or ''",
           instance_id="instance or ''", network_interface_id="ENI or ''"),
        _t("vpc_peerings", "network", "VPC peering connections",
           peering_id="pcx id", requester_vpc_id="requester VPC", accepter_vpc_id="accepter VPC",
           requester_account_id="requester owner", accepter_account_id="accepter owner", status="status code"),
        _t("transit_gateways", "network", "Transit gateways", transit_gateway_id="id", state="state",
           owner_id="owner account"),
        _t("transit_gateway_attachments", "network", "Transit gateway attachments",
           attachment_id="id", transit_gateway_id="TGW id", resource_type="vpc | vpn | peering | ...",
           resource_id="attached resource (VPC id for vpc)", state="state"),
        _t("vpc_endpoints", "network", "VPC endpoints", vpc_endpoint_id="id", vpc_id="VPC id",
           service_name="e.g. com.amazonaws.us-east-1.s3", endpoint_type="Gateway | Interface",
           subnet_count="subnets (interface endpoints bill per AZ)", state="state"),
        _t("network_interfaces", "network", "ENIs (used for public IPv4 counting)",
           eni_id="id", vpc_id="VPC id", subnet_id="subnet id", az="AZ", interface_type="type",
           public_ip="associated public IPv4 or ''", description="description", status="status"),
        _t("security_groups", "network", "Security groups (counts of rules)",
           group_id="id", vpc_id="VPC id", name="group name", ingress_rules="ingress permission count",
           egress_rules="egress permission count"),
        _t("ec2_instances", "network", "EC2 instances",
           instance_id="id", instance_type="type", state="state", vpc_id="VPC", subnet_id="subnet", az="AZ",
           launch_time="launch time", architecture="x86_64 | arm64", public_ip="public IPv4 or ''",
           name="Name tag", asg_name="aws:autoscaling:groupName tag or ''"),
        _t("load_balancers", "network", "ELBv2 load balancers",
           arn="ARN", name="name", type="application | network | gateway", scheme="internet-facing | internal",
           vpc_id="VPC id", state="state", dns_name="DNS name", azs="AZs (JSON list)", created="created time",
           tags="tags (JSON object)"),
        _t("target_groups", "network", "ELBv2 target groups with attributes and health checks",
           arn="ARN", name="name", vpc_id="VPC id", protocol="protocol", port="port", target_type="ip | instance",
           load_balancer_arns="LBs (JSON list)", deregistration_delay_s="deregistration_delay.timeout_seconds",
           health_check_path="path", health_check_interval_s="interval", health_check_timeout_s="timeout",
           healthy_threshold="healthy threshold count", unhealthy_threshold="unhealthy threshold count",
           slow_start_s="slow_start.duration_seconds"),
        _t("listeners", "network", "ELBv2 listeners and their rule counts",
           listener_arn="ARN", load_balancer_arn="LB ARN", protocol="protocol", port="port",
           rule_count="rules excluding the default rule"),
        _t("target_health", "network", "Registered targets and their health",
           target_group_arn="TG ARN", target_id="instance id or IP", port="port", state="healthy | unhealthy | ...",
           reason="reason code or ''"),
        # ---------------------------------------------------------------- compute
        _t("ecs_clusters", "compute", "ECS clusters",
           cluster_arn="ARN", cluster_name="name", status="status", capacity_providers="names (JSON list)",
           default_strategy="default capacity provider strategy (JSON list)", active_services="count",
           running_tasks="count", container_instances="registered container instances", tags="tags (JSON object)"),
        _t("ecs_services", "compute", "ECS services (described in batches of 10) joined with their task definition size",
           service_arn="ARN", service_name="name", cluster="cluster name",
           launch_type="FARGATE | EC2 | EXTERNAL | '' when a capacity provider strategy is used",
           capacity_providers="capacity provider names of the strategy (JSON list)",
           desired_count="desired tasks", running_count="running tasks", pending_count="pending tasks",
           task_definition="task definition ARN", cpu="task CPU units (1024 = 1 vCPU)", memory="task memory MiB",
           cpu_architecture="X86_64 | ARM64", platform_version="Fargate platform version",
           deployment_controller="ECS | CODE_DEPLOY | EXTERNAL", min_healthy_percent="deployment minimumHealthyPercent",
           max_percent="deployment maximumPercent", circuit_breaker="deployment circuit breaker enabled (bool)",
           circuit_breaker_rollback="rollback on failure (bool)", health_check_grace_s="healthCheckGracePeriodSeconds",
           target_group_arns="target groups (JSON list)", subnets="awsvpc subnets (JSON list)",
           assign_public_ip="awsvpc assignPublicIp ENABLED (bool)", created_at="created",
           tags="tags (JSON object)"),
        _t("ecs_deployments", "compute", "Service deployments (rollout state, circuit-breaker rollbacks)",
           service_arn="service ARN", deployment_id="id", status="PRIMARY | ACTIVE | INACTIVE",
           rollout_state="COMPLETED | IN_PROGRESS | FAILED", rollout_state_reason="reason",
           desired_count="desired", running_count="running", failed_tasks="failed tasks",
           created_at="created", updated_at="updated"),
        _t("task_definitions", "compute", "Task definitions in use by services",
           task_definition_arn="ARN", family="family", revision="revision", cpu="CPU units", memory="MiB",
           network_mode="awsvpc | bridge | host", requires_compatibilities="JSON list", cpu_architecture="X86_64 | ARM64",
           containers="containers (JSON list of {name, image, cpu, memory, essential, health_check})",
           env_var_count="plain environment variables", secret_ref_count="secrets from SSM/Secrets Manager",
           plaintext_secret_names="names of plain env vars that look secret (JSON list; values never stored)"),
        _t("container_instances", "compute", "ECS container instances",
           container_instance_arn="ARN", cluster="cluster name", ec2_instance_id="instance id",
           instance_type="type", status="status", registered_cpu="CPU units", registered_memory="MiB",
           remaining_cpu="CPU units", remaining_memory="MiB", running_tasks="count"),
        _t("capacity_providers", "compute", "Capacity providers attached to clusters",
           name="name", cluster="cluster name", type="FARGATE | FARGATE_SPOT | ASG", asg_arn="ASG ARN or ''",
           managed_scaling="bool", target_capacity="target capacity %"),
        _t("stopped_tasks", "compute", "Recently stopped tasks and why (ecs:ListTasks desiredStatus=STOPPED)",
           task_arn="ARN", cluster="cluster name", group="service:<name> or family", task_definition="ARN",
           started_at="started", stopped_at="stopped", stop_code="stop code", stopped_reason="reason",
           health_status="HEALTHY | UNHEALTHY | UNKNOWN",
           container_exit_codes="JSON object name->exit code", container_reasons="JSON object name->reason"),
        _t("autoscaling_targets", "compute", "Application Auto Scaling targets and their policies",
           resource_id="e.g. service/<cluster>/<service>", service_namespace="ecs | dynamodb | ...",
           scalable_dimension="dimension", min_capacity="min", max_capacity="max", policy_count="policies",
           policies="JSON list of {name, type, metric, target_value}"),
        _t("autoscaling_groups", "compute", "EC2 Auto Scaling groups behind capacity providers",
           asg_name="name", min_size="min", max_size="max", desired="desired", instance_types="JSON list",
           azs="JSON list", instance_count="in-service instances"),
        # -------------------------------------------------------------- pipelines
        _t("pipelines", "pipelines", "CodePipeline pipelines",
           name="name", version="pipeline structure version", pipeline_type="V1 | V2",
           execution_mode="SUPERSEDED | QUEUED | PARALLEL", stage_count="stages",
           stages="JSON list of {name, actions: [{name, category, provider, run_order}]}",
           created="created", updated="updated"),
        _t("pipeline_executions", "pipelines", "Pipeline executions over the lookback",
           pipeline="pipeline name", execution_id="id", status="status", start="start", end="last update",
           duration_s="end - start", trigger="trigger type"),
        _t("pipeline_action_executions", "pipelines", "Action executions (stage and action durations)",
           pipeline="pipeline name", execution_id="pipeline execution id", stage="stage name", action="action name",
           category="Source | Build | Deploy | ...", provider="CodeBuild | CodeDeployToECS | ...", status="status",
           start="start", end="end", duration_s="end - start"),
        _t("build_projects", "pipelines", "CodeBuild projects",
           name="name", compute_type="e.g. BUILD_GENERAL1_LARGE", environment_type="LINUX_CONTAINER | ARM_CONTAINER | ...",
           image="build image", privileged_mode="docker-in-docker enabled (bool)", cache_type="NO_CACHE | LOCAL | S3",
           cache_modes="JSON list (LOCAL_DOCKER_LAYER_CACHE, ...)", docker_build="buildspec runs docker build (bool)",
           buildspec_layer_cache="buildspec uses --cache-from / buildx cache (bool)", timeout_min="timeout minutes",
           env_var_count="plain env vars", plaintext_secret_names="env var names that look secret (JSON list)"),
        _t("builds", "pipelines", "CodeBuild builds with phase durations",
           project="project name", build_id="id", status="buildStatus", start="start", end="end",
           duration_s="end - start", phases="JSON object phase -> seconds", compute_type="compute type"),
        _t("deployment_groups", "pipelines", "CodeDeploy deployment groups",
           application="application name", group="deployment group name", compute_platform="ECS | Server | Lambda",
           deployment_type="BLUE_GREEN | IN_PLACE", deployment_config="config name",
           termination_wait_min="terminationWaitTimeInMinutes (blue/green)",
           ready_action="CONTINUE_DEPLOYMENT | STOP_DEPLOYMENT", ecs_services="JSON list of cluster/service"),
        _t("deployments", "pipelines", "CodeDeploy deployments",
           deployment_id="id", application="application", group="deployment group", status="status",
           start="start", end="complete", duration_s="end - start", creator="creator"),
        _t("github_workflows", "pipelines", "GitHub Actions workflows parsed from a local repository path",
           path="file path relative to the repo", name="workflow name", triggers="JSON list",
           jobs="job count", docker_build="builds a container image (bool)",
           build_cache="uses a build cache (bool)", cache_kinds="JSON list (gha, registry, actions/cache, ...)",
           deploys_to_ecs="uses amazon-ecs-deploy-task-definition or aws ecs (bool)", uses="JSON list of actions used"),
        # ------------------------------------------------------------- datastores
        _t("db_instances", "datastores", "RDS and DocumentDB instances",
           db_instance_id="id", engine="engine", engine_version="version", instance_class="class",
           multi_az="bool", storage_type="gp2 | gp3 | io1 | aurora | ...", allocated_gb="GiB", iops="provisioned IOPS",
           publicly_accessible="bool", cluster_id="DB cluster id or ''", status="status", created="create time",
           tags="tags (JSON object)",
           vpc_id="VPC of its DB subnet group (DBSubnetGroup.VpcId) or '' when unknown"),
        _t("db_clusters", "datastores", "RDS/Aurora/DocumentDB clusters",
           cluster_id="id", engine="aurora-postgresql | aurora-mysql | docdb | ...", engine_version="version",
           storage_type="aurora | aurora-iopt1 | iopt1 | standard | ''", members="instance count",
           instance_ids="JSON list", multi_az="bool", status="status", allocated_gb="GiB or 0", tags="tags (JSON object)",
           vpc_id="VPC of its DB subnet group (rds:DescribeDBSubnetGroups) or '' when unknown"),
        _t("cache_clusters", "datastores", "ElastiCache clusters (standalone and replication-group members)",
           id="cache cluster id", engine="redis | valkey | memcached", engine_version="version", node_type="node type",
           nodes="node count", replication_group_id="RG id or ''", status="status", az="preferred AZ",
           vpc_id="VPC of its cache subnet group (elasticache:DescribeCacheSubnetGroups) or '' when unknown"),
        _t("replication_groups", "datastores", "ElastiCache replication groups",
           id="id", engine="redis | valkey", node_type="node type", nodes="node count", cluster_mode="bool",
           multi_az="bool", automatic_failover="bool", status="status", description="description",
           vpc_id="VPC of its members' cache subnet group or '' when unknown"),
        _t("serverless_caches", "datastores", "ElastiCache serverless caches",
           name="name", engine="engine", status="status", max_data_gb="limit or null", max_ecpu="limit or null"),
        _t("dynamodb_tables", "datastores", "DynamoDB tables",
           table_name="name", billing_mode="PROVISIONED | PAY_PER_REQUEST", rcu="provisioned RCU", wcu="provisioned WCU",
           size_bytes="table size", item_count="items", table_class="STANDARD | STANDARD_INFREQUENT_ACCESS",
           gsi_count="global secondary indexes", autoscaling="has Application Auto Scaling targets (bool)"),
        # -------------------------------------------------------------------- cdn
        _t("distributions", "cdn", "CloudFront distributions",
           distribution_id="id", domain="d111.cloudfront.net", aliases="JSON list", price_class="PriceClass_*",
           enabled="bool", http_version="http1.1 | http2 | http2and3 | http3", ipv6="bool", web_acl="WebACL id or ''",
           origin_count="origins", status="status", comment="comment"),
        _t("cache_behaviors", "cdn", "Cache behaviours, default one with path_pattern '*'",
           distribution_id="id", path_pattern="pattern", target_origin_id="origin id",
           cache_policy="cache policy id or ''", cache_policy_name="name or '' (legacy settings)",
           ttl_min="seconds", ttl_default="seconds", ttl_max="seconds", compress="bool",
           forward_cookies="none | whitelist | all", forward_headers="none | whitelist | all",
           forward_query_strings="none | whitelist | all", viewer_protocol_policy="policy"),
        _t("origins", "cdn", "CloudFront origins",
           distribution_id="id", origin_id="origin id", domain="origin domain", origin_type="s3 | custom",
           origin_access_control_id="OAC id or ''", origin_access_identity="OAI or ''"),
        _t("cache_policies", "cdn", "Cache policies (managed and custom)",
           id="id", name="name", type="managed | custom", ttl_min="s", ttl_default="s", ttl_max="s",
           cookies="none | whitelist | all...", headers="none | whitelist", query_strings="none | whitelist | all",
           gzip="bool", brotli="bool"),
        # ----------------------------------------------------------------- stacks
        _t("stacks", "stacks", "CloudFormation stacks (all but deleted) with Copilot labels",
           stack_id="ARN", stack_name="name", status="status", status_reason="reason", created="created",
           updated="last updated", copilot_application="copilot-application tag or ''",
           copilot_environment="copilot-environment tag or ''", copilot_service="copilot-service tag or ''",
           template_bytes="template body size in bytes", resource_count="resources", parent_id="parent stack or ''",
           tags="tags (JSON object)"),
        _t("stack_resources", "stacks", "Stack resources",
           stack_name="stack", logical_id="logical id", physical_id="physical id", resource_type="type",
           status="status"),
        _t("stack_events", "stacks", "Recent stack events (failures explain rollbacks)",
           stack_name="stack", timestamp="time", logical_id="logical id", resource_type="type", status="status",
           reason="status reason"),
        # ---------------------------------------------------------------- metrics
        _t("metrics", "metrics", "CloudWatch series (GetMetricData, hourly by default)",
           namespace="e.g. AWS/ECS", metric="metric name", dimensions="JSON object, keys sorted",
           resource_id="the main dimension value (service, LB, NAT id, ...)", stat="Average | Maximum | Sum",
           period_s="period", timestamp="UTC time", value="value"),
        # ------------------------------------------------------------------ spend
        _t("spend", "spend", "Cost Explorer monthly unblended cost by service", month="YYYY-MM",
           service="Cost Explorer SERVICE dimension", usd="amount"),
        # --------------------------------------------------------------- coverage
        _t("coverage", "coverage", "What every API call returned",
           service="boto3 service name", operation="operation name", status=(
               "ok | access_denied | opt_in_required | unsupported | not_implemented | throttled | error | "
               "skipped (turned off in params, e.g. collect.cost_explorer: false)"),
           message="error message or ''", calls="requests made", items="items returned", duration_s="seconds"),
    ]
}


def columns(name: str) -> list[str]:
    """All columns of table ``name`` (common ones first)."""
    return TABLES[name].all_columns


def loads(value: Any) -> Any:
    """Decode a JSON-encoded cell (lists/dicts are stored as JSON strings)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return json.loads(value) if value else None
    return value


def dumps(value: Any) -> str:
    """Encode a list/dict cell as JSON (sorted keys for stable files)."""
    return json.dumps(value, sort_keys=True, default=str)
