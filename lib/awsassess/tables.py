"""The snapshot tables: names, columns, what each column holds (its dtype) and what it means.

This module is the contract between the collectors (which fill the tables), the rules, the cost
model, the diagrams and the notebooks (which read them). ``../shared/INTERFACE.md`` lists the
minimum; everything here is a superset. Every table also has ``account_id`` and ``region``
(``"global"`` for global services such as CloudFront and Cost Explorer).

Every column is declared ``name=(DTYPE, "what it means")``; the dtype is one of :data:`DTYPES`:

- ``string``: text (ids, names, states, enum words); pandas ``str``, missing = NaN;
- ``int``: whole numbers (counts, sizes, ports, CPU units, seconds); ``Int64``, missing = ``pd.NA``;
- ``float``: real numbers (durations, dollars, metric values); ``float64``, missing = NaN;
- ``bool``: flags; ``boolean``, missing = ``pd.NA``;
- ``timestamp``: times, timezone-aware UTC; ``datetime64[us, UTC]``, missing = NaT;
- ``json_list`` / ``json_object``: the JSON text of a list / an object; ``str``, missing = NaN.

:mod:`awsassess.snapshot` enforces them: a frame entering a snapshot (built in memory or collected) is
converted to these dtypes and a cell that cannot be converted is an error naming the table, column, row and
value; a snapshot read from disk is checked the same way. Decisions, with what they were measured against:

- text is pandas' own ``str`` dtype (pandas 3's default for text, missing = NaN), not ``string``
  (missing = ``pd.NA``): it is what Parquet files and ``pd.DataFrame(rows)`` already gave the rules, and a
  ``pd.NA`` cell raises in ``if cell:`` / ``cell or ""`` where NaN does not;
- ``float`` is NumPy ``float64`` (missing = NaN, as before) rather than ``Float64``: the metrics value and
  the durations feed NumPy (quantiles, ``np.ceil``) where ``pd.NA`` would raise;
- times are in microseconds, pandas 3's unit for parsed times (``pd.to_datetime`` of text or ``datetime``):
  rules that mix a snapshot time with one they parse (``fillna``, ``concat``) get one unit, which pandas 4
  will require; the range (years 1 to 9999) takes any date AWS returns;
- JSON columns stay JSON text (validated: a ``json_list`` cell is missing or the text of a list), not
  decoded Python objects: frames stay hashable and comparable, Parquet stores them as they are, and the
  rules' readers (:func:`awsassess.values.json_list`, :func:`awsassess.values.json_obj`) read text as before.

Other conventions:
- lists and dicts are written with :func:`dumps` (sorted keys) and read back with :func:`loads`;
- timestamps are ISO 8601 in files other than Parquet;
- sizes: ECS ``cpu`` in CPU units (1024 = 1 vCPU) and ``memory`` in MiB, as the ECS API returns them;
- durations are seconds unless the column name says otherwise.

Adding, removing or retyping a column changes the schema: bump ``awsassess.snapshot.SCHEMA_VERSION`` (a
snapshot of an older version is read with a new column filled with nulls; see :meth:`Snapshot.table`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

STR, INT, FLOAT, BOOL, TIME, LIST, OBJ = "string", "int", "float", "bool", "timestamp", "json_list", "json_object"
#: the dtypes a column may have and the pandas dtype of each in a snapshot's frames (see the table above)
DTYPES: dict[str, str] = {STR: "str", INT: "Int64", FLOAT: "float64", BOOL: "boolean",
                          TIME: "datetime64[us, UTC]", LIST: "str", OBJ: "str"}

COMMON = {"account_id": "12-digit AWS account id (string)", "region": "AWS region or 'global'"}
COMMON_DTYPES = {"account_id": STR, "region": STR}


@dataclass(frozen=True)
class Table:
    name: str
    domain: str
    doc: str
    columns: dict[str, str]
    """column -> what it means (the table's own columns; :attr:`all_columns` adds :data:`COMMON`)"""
    dtypes: dict[str, str]
    """column -> dtype (one of :data:`DTYPES`), the common columns included"""

    @property
    def all_columns(self) -> list[str]:
        return [*COMMON, *self.columns]


def _t(name: str, domain: str, doc: str, /, **columns: tuple[str, str]) -> Table:
    unknown = {c: d for c, (d, _doc) in columns.items() if d not in DTYPES}
    if unknown:
        raise ValueError(f"table {name}: columns {unknown} have no known dtype. Fix: use one of {sorted(DTYPES)}")
    return Table(name, domain, doc, {c: what for c, (_d, what) in columns.items()},
                 {**COMMON_DTYPES, **{c: d for c, (d, _what) in columns.items()}})


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        # ---------------------------------------------------------------------------------------- network
        _t("vpcs", "network", "VPCs (ec2:DescribeVpcs)",
           vpc_id=(STR, "VPC id"), cidr=(STR, "primary IPv4 CIDR"), name=(STR, "Name tag or ''"),
           is_default=(BOOL, "default VPC (bool)"), state=(STR, "state"), tags=(OBJ, "tags (JSON object)")),
        _t("subnets", "network", "Subnets (ec2:DescribeSubnets) with public = routes 0.0.0.0/0 to an IGW",
           subnet_id=(STR, "subnet id"), vpc_id=(STR, "VPC id"), az=(STR, "availability zone"),
           cidr=(STR, "IPv4 CIDR"), public=(BOOL, "has a default route to an internet gateway (bool)"),
           available_ips=(INT, "free IPv4 addresses"), name=(STR, "Name tag or ''")),
        _t("route_tables", "network", "Route tables (ec2:DescribeRouteTables)",
           route_table_id=(STR, "id"), vpc_id=(STR, "VPC id"),
           subnet_ids=(LIST, "associated subnets (JSON list)"), main=(BOOL, "main table (bool)"),
           routes=(LIST, "routes (JSON list of {destination, target})"),
           has_igw_route=(BOOL, "0.0.0.0/0 -> igw (bool)"), has_nat_route=(BOOL, "0.0.0.0/0 -> nat (bool)")),
        _t("nat_gateways", "network", "NAT gateways (ec2:DescribeNatGateways)",
           nat_gateway_id=(STR, "id"), vpc_id=(STR, "VPC id"), subnet_id=(STR, "subnet id"),
           az=(STR, "AZ of its subnet"), state=(STR, "state"), connectivity_type=(STR, "public | private"),
           public_ip=(STR, "public IPv4 or ''"), created=(TIME, "create time")),
        _t("internet_gateways", "network", "Internet gateways",
           igw_id=(STR, "id"), vpc_id=(STR, "attached VPC or ''")),
        _t("elastic_ips", "network", "Elastic IPs (ec2:DescribeAddresses)",
           allocation_id=(STR, "allocation id"), public_ip=(STR, "address"),
           association_id=(STR, "association id or ''"), instance_id=(STR, "instance or ''"),
           network_interface_id=(STR, "ENI or ''")),
        _t("vpc_peerings", "network", "VPC peering connections",
           peering_id=(STR, "pcx id"), requester_vpc_id=(STR, "requester VPC"),
           accepter_vpc_id=(STR, "accepter VPC"), requester_account_id=(STR, "requester owner"),
           accepter_account_id=(STR, "accepter owner"), status=(STR, "status code")),
        _t("transit_gateways", "network", "Transit gateways",
           transit_gateway_id=(STR, "id"), state=(STR, "state"), owner_id=(STR, "owner account")),
        _t("transit_gateway_attachments", "network", "Transit gateway attachments",
           attachment_id=(STR, "id"), transit_gateway_id=(STR, "TGW id"),
           resource_type=(STR, "vpc | vpn | peering | ..."),
           resource_id=(STR, "attached resource (VPC id for vpc)"), state=(STR, "state")),
        _t("vpc_endpoints", "network", "VPC endpoints",
           vpc_endpoint_id=(STR, "id"), vpc_id=(STR, "VPC id"),
           service_name=(STR, "e.g. com.amazonaws.us-east-1.s3"), endpoint_type=(STR, "Gateway | Interface"),
           subnet_count=(INT, "subnets (interface endpoints bill per AZ)"), state=(STR, "state")),
        _t("network_interfaces", "network", "ENIs (used for public IPv4 counting)",
           eni_id=(STR, "id"), vpc_id=(STR, "VPC id"), subnet_id=(STR, "subnet id"), az=(STR, "AZ"),
           interface_type=(STR, "type"), public_ip=(STR, "associated public IPv4 or ''"),
           description=(STR, "description"), status=(STR, "status")),
        _t("security_groups", "network", "Security groups (counts of rules)",
           group_id=(STR, "id"), vpc_id=(STR, "VPC id"), name=(STR, "group name"),
           ingress_rules=(INT, "ingress permission count"), egress_rules=(INT, "egress permission count"),
           rules=(LIST, "JSON list of the permissions, one per (direction, protocol, port range): {direction: "
                        "ingress|egress, protocol: tcp|udp|icmp|-1, from_port, to_port, cidrs: [IPv4], ipv6: [..], "
                        "groups: [source/target security group ids], prefix_lists: [..]}")),
        _t("ec2_instances", "network", "EC2 instances",
           instance_id=(STR, "id"), instance_type=(STR, "type"), state=(STR, "state"), vpc_id=(STR, "VPC"),
           subnet_id=(STR, "subnet"), az=(STR, "AZ"), launch_time=(TIME, "launch time"),
           architecture=(STR, "x86_64 | arm64"), public_ip=(STR, "public IPv4 or ''"), name=(STR, "Name tag"),
           asg_name=(STR, "aws:autoscaling:groupName tag or ''"),
           lifecycle=(STR, "on-demand | spot | scheduled | capacity-block (InstanceLifecycle; absent = on-demand)")),
        _t("load_balancers", "network", "ELBv2 load balancers",
           arn=(STR, "ARN"), name=(STR, "name"), type=(STR, "application | network | gateway"),
           scheme=(STR, "internet-facing | internal"), vpc_id=(STR, "VPC id"), state=(STR, "state"),
           dns_name=(STR, "DNS name"), azs=(LIST, "AZs (JSON list)"), created=(TIME, "created time"),
           tags=(OBJ, "tags (JSON object)")),
        _t("target_groups", "network", "ELBv2 target groups with attributes and health checks",
           arn=(STR, "ARN"), name=(STR, "name"), vpc_id=(STR, "VPC id"), protocol=(STR, "protocol"),
           port=(INT, "port"), target_type=(STR, "ip | instance"),
           load_balancer_arns=(LIST, "LBs (JSON list)"),
           deregistration_delay_s=(INT, "deregistration_delay.timeout_seconds"),
           health_check_path=(STR, "path"), health_check_interval_s=(INT, "interval"),
           health_check_timeout_s=(INT, "timeout"), healthy_threshold=(INT, "healthy threshold count"),
           unhealthy_threshold=(INT, "unhealthy threshold count"),
           slow_start_s=(INT, "slow_start.duration_seconds")),
        _t("listeners", "network", "ELBv2 listeners and their rule counts",
           listener_arn=(STR, "ARN"), load_balancer_arn=(STR, "LB ARN"), protocol=(STR, "protocol"),
           port=(INT, "port"), rule_count=(INT, "rules excluding the default rule"),
           ssl_policy=(STR, "security policy (SslPolicy) of an HTTPS/TLS listener, '' for other protocols"),
           default_action=(STR, "what the default action does: forward | redirect-https | redirect | "
                                "fixed-response | authenticate-oidc | authenticate-cognito (the first action that "
                                "is not an authentication, after any authentication one; '' when none)")),
        _t("target_health", "network", "Registered targets and their health",
           target_group_arn=(STR, "TG ARN"), target_id=(STR, "instance id or IP"), port=(INT, "port"),
           state=(STR, "healthy | unhealthy | ..."), reason=(STR, "reason code or ''")),
        # ---------------------------------------------------------------------------------------- compute
        _t("ecs_clusters", "compute", "ECS clusters",
           cluster_arn=(STR, "ARN"), cluster_name=(STR, "name"), status=(STR, "status"),
           capacity_providers=(LIST, "names (JSON list)"),
           default_strategy=(LIST, "default capacity provider strategy (JSON list)"),
           active_services=(INT, "count"), running_tasks=(INT, "count"),
           container_instances=(INT, "registered container instances"), tags=(OBJ, "tags (JSON object)")),
        _t("ecs_services", "compute", "ECS services (described in batches of 10) joined with their task definition size",
           service_arn=(STR, "ARN"), service_name=(STR, "name"), cluster=(STR, "cluster name"),
           launch_type=(STR, "FARGATE | EC2 | EXTERNAL | '' when a capacity provider strategy is used"),
           capacity_providers=(LIST, "capacity provider names of the strategy (JSON list)"),
           desired_count=(INT, "desired tasks"), running_count=(INT, "running tasks"),
           pending_count=(INT, "pending tasks"), task_definition=(STR, "task definition ARN"),
           cpu=(INT, "task CPU units (1024 = 1 vCPU)"), memory=(INT, "task memory MiB"),
           cpu_architecture=(STR, "X86_64 | ARM64"), platform_version=(STR, "Fargate platform version"),
           deployment_controller=(STR, "ECS | CODE_DEPLOY | EXTERNAL"),
           min_healthy_percent=(INT, "deployment minimumHealthyPercent"),
           max_percent=(INT, "deployment maximumPercent"),
           circuit_breaker=(BOOL, "deployment circuit breaker enabled (bool)"),
           circuit_breaker_rollback=(BOOL, "rollback on failure (bool)"),
           health_check_grace_s=(INT, "healthCheckGracePeriodSeconds"),
           target_group_arns=(LIST, "target groups (JSON list)"),
           subnets=(LIST, "awsvpc subnets (JSON list)"),
           assign_public_ip=(BOOL, "awsvpc assignPublicIp ENABLED (bool)"), created_at=(TIME, "created"),
           security_groups=(LIST, "awsvpc security group ids (JSON list)"),
           tags=(OBJ, "tags (JSON object)"),
           deployment_alarms=(BOOL, "deploymentConfiguration.alarms.enable: CloudWatch alarms watched (and rolled "
                                    "back on) during a deployment (bool; null when the configuration was not returned)")),
        _t("ecs_deployments", "compute", "Service deployments (rollout state, circuit-breaker rollbacks)",
           service_arn=(STR, "service ARN"), deployment_id=(STR, "id"),
           status=(STR, "PRIMARY | ACTIVE | INACTIVE"),
           rollout_state=(STR, "COMPLETED | IN_PROGRESS | FAILED"), rollout_state_reason=(STR, "reason"),
           desired_count=(INT, "desired"), running_count=(INT, "running"), failed_tasks=(INT, "failed tasks"),
           created_at=(TIME, "created"), updated_at=(TIME, "updated")),
        _t("task_definitions", "compute", "Task definitions in use by services",
           task_definition_arn=(STR, "ARN"), family=(STR, "family"), revision=(INT, "revision"),
           cpu=(INT, "CPU units"), memory=(INT, "MiB"), network_mode=(STR, "awsvpc | bridge | host"),
           requires_compatibilities=(LIST, "JSON list"), cpu_architecture=(STR, "X86_64 | ARM64"),
           containers=(LIST, "containers (JSON list of {name, image, cpu, memory, memory_reservation, essential, "
                             "health_check, privileged, user, readonly_root_filesystem, log_driver}: privileged and "
                             "readonly_root_filesystem as the definition states them (null when not set: false), "
                             "user the 'user' field ('' when not set: the image's user, root by default), "
                             "log_driver logConfiguration.logDriver ('' when none)"),
           env_var_count=(INT, "plain environment variables"),
           secret_ref_count=(INT, "secrets from SSM/Secrets Manager"),
           plaintext_secret_names=(LIST, "names of plain env vars that look secret (JSON list; values never stored)")),
        _t("container_instances", "compute", "ECS container instances",
           container_instance_arn=(STR, "ARN"), cluster=(STR, "cluster name"),
           ec2_instance_id=(STR, "instance id"), instance_type=(STR, "type"), status=(STR, "status"),
           registered_cpu=(INT, "CPU units"), registered_memory=(INT, "MiB"),
           remaining_cpu=(INT, "CPU units"), remaining_memory=(INT, "MiB"), running_tasks=(INT, "count")),
        _t("capacity_providers", "compute", "Capacity providers attached to clusters",
           name=(STR, "name"), cluster=(STR, "cluster name"), type=(STR, "FARGATE | FARGATE_SPOT | ASG"),
           asg_arn=(STR, "ASG ARN or ''"), managed_scaling=(BOOL, "bool"),
           target_capacity=(INT, "target capacity %")),
        _t("stopped_tasks", "compute", "Recently stopped tasks and why (ecs:ListTasks desiredStatus=STOPPED)",
           task_arn=(STR, "ARN"), cluster=(STR, "cluster name"), group=(STR, "service:<name> or family"),
           task_definition=(STR, "ARN"), started_at=(TIME, "started"), stopped_at=(TIME, "stopped"),
           stop_code=(STR, "stop code"), stopped_reason=(STR, "reason"),
           health_status=(STR, "HEALTHY | UNHEALTHY | UNKNOWN"),
           container_exit_codes=(OBJ, "JSON object name->exit code"),
           container_reasons=(OBJ, "JSON object name->reason")),
        _t("autoscaling_targets", "compute", "Application Auto Scaling targets and their policies",
           resource_id=(STR, "e.g. service/<cluster>/<service>"),
           service_namespace=(STR, "ecs | dynamodb | ..."), scalable_dimension=(STR, "dimension"),
           min_capacity=(INT, "min"), max_capacity=(INT, "max"), policy_count=(INT, "policies"),
           policies=(LIST, "JSON list of {name, type, metric, target_value}")),
        _t("autoscaling_groups", "compute", "EC2 Auto Scaling groups behind capacity providers",
           asg_name=(STR, "name"), min_size=(INT, "min"), max_size=(INT, "max"), desired=(INT, "desired"),
           instance_types=(LIST, "JSON list"), azs=(LIST, "JSON list"),
           instance_count=(INT, "in-service instances"),
           on_demand_base=(INT, "MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity (null without a "
                                "mixed instances policy)"),
           on_demand_percentage=(INT, "MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity "
                                      "(%; 100 = no Spot above the base; null without a mixed instances policy)")),
        # -------------------------------------------------------------------------------------- pipelines
        _t("pipelines", "pipelines", "CodePipeline pipelines",
           name=(STR, "name"), version=(INT, "pipeline structure version"), pipeline_type=(STR, "V1 | V2"),
           execution_mode=(STR, "SUPERSEDED | QUEUED | PARALLEL"), stage_count=(INT, "stages"),
           stages=(LIST, "JSON list of {name, actions: [{name, category, provider, run_order}]}"),
           created=(TIME, "created"), updated=(TIME, "updated")),
        _t("pipeline_executions", "pipelines", "Pipeline executions over the lookback",
           pipeline=(STR, "pipeline name"), execution_id=(STR, "id"), status=(STR, "status"),
           start=(TIME, "start"), end=(TIME, "last update"), duration_s=(FLOAT, "end - start"),
           trigger=(STR, "trigger type")),
        _t("pipeline_action_executions", "pipelines", "Action executions (stage and action durations)",
           pipeline=(STR, "pipeline name"), execution_id=(STR, "pipeline execution id"),
           stage=(STR, "stage name"), action=(STR, "action name"),
           category=(STR, "Source | Build | Deploy | ..."),
           provider=(STR, "CodeBuild | CodeDeployToECS | ..."), status=(STR, "status"), start=(TIME, "start"),
           end=(TIME, "end"), duration_s=(FLOAT, "end - start")),
        _t("build_projects", "pipelines", "CodeBuild projects",
           name=(STR, "name"), compute_type=(STR, "e.g. BUILD_GENERAL1_LARGE"),
           environment_type=(STR, "LINUX_CONTAINER | ARM_CONTAINER | ..."), image=(STR, "build image"),
           privileged_mode=(BOOL, "docker-in-docker enabled (bool)"),
           cache_type=(STR, "NO_CACHE | LOCAL | S3"),
           cache_modes=(LIST, "JSON list (LOCAL_DOCKER_LAYER_CACHE, ...)"),
           docker_build=(BOOL, "buildspec runs docker build (bool)"),
           buildspec_layer_cache=(BOOL, "buildspec uses --cache-from / buildx cache (bool)"),
           timeout_min=(INT, "timeout minutes"), env_var_count=(INT, "plain env vars"),
           plaintext_secret_names=(LIST, "env var names that look secret (JSON list)")),
        _t("builds", "pipelines", "CodeBuild builds with phase durations",
           project=(STR, "project name"), build_id=(STR, "id"), status=(STR, "buildStatus"),
           start=(TIME, "start"), end=(TIME, "end"), duration_s=(FLOAT, "end - start"),
           phases=(OBJ, "JSON object phase -> seconds"), compute_type=(STR, "compute type")),
        _t("deployment_groups", "pipelines", "CodeDeploy deployment groups",
           application=(STR, "application name"), group=(STR, "deployment group name"),
           compute_platform=(STR, "ECS | Server | Lambda"), deployment_type=(STR, "BLUE_GREEN | IN_PLACE"),
           deployment_config=(STR, "config name"),
           termination_wait_min=(INT, "terminationWaitTimeInMinutes (blue/green)"),
           ready_action=(STR, "CONTINUE_DEPLOYMENT | STOP_DEPLOYMENT"),
           ecs_services=(LIST, "JSON list of cluster/service"),
           alarms_enabled=(BOOL, "alarmConfiguration: CloudWatch alarms stop a deployment (enabled with at least "
                                 "one alarm; bool, null when the configuration was not returned)"),
           rollback_on_alarm=(BOOL, "autoRollbackConfiguration rolls back when an alarm stops a deployment "
                                    "(DEPLOYMENT_STOP_ON_ALARM; bool)")),
        _t("deployments", "pipelines", "CodeDeploy deployments",
           deployment_id=(STR, "id"), application=(STR, "application"), group=(STR, "deployment group"),
           status=(STR, "status"), start=(TIME, "start"), end=(TIME, "complete"),
           duration_s=(FLOAT, "end - start"), creator=(STR, "creator")),
        _t("github_workflows", "pipelines", "GitHub Actions workflows parsed from a local repository path",
           path=(STR, "file path relative to the repo"), name=(STR, "workflow name"),
           triggers=(LIST, "JSON list"), jobs=(INT, "job count"),
           docker_build=(BOOL, "builds a container image (bool)"),
           build_cache=(BOOL, "uses a build cache (bool)"),
           cache_kinds=(LIST, "JSON list (gha, registry, actions/cache, ...)"),
           deploys_to_ecs=(BOOL, "uses amazon-ecs-deploy-task-definition or aws ecs (bool)"),
           uses=(LIST, "JSON list of actions used")),
        # ------------------------------------------------------------------------------------- datastores
        _t("db_instances", "datastores", "RDS and DocumentDB instances",
           db_instance_id=(STR, "id"), engine=(STR, "engine"), engine_version=(STR, "version"),
           instance_class=(STR, "class"), multi_az=(BOOL, "bool"),
           storage_type=(STR, "gp2 | gp3 | io1 | aurora | ..."), allocated_gb=(INT, "GiB"),
           iops=(INT, "provisioned IOPS"), publicly_accessible=(BOOL, "bool"),
           cluster_id=(STR, "DB cluster id or ''"), status=(STR, "status"), created=(TIME, "create time"),
           tags=(OBJ, "tags (JSON object)"),
           vpc_id=(STR, "VPC of its DB subnet group (DBSubnetGroup.VpcId) or '' when unknown"),
           security_groups=(LIST, "JSON list of its VPC security group ids"),
           storage_encrypted=(BOOL, "StorageEncrypted (bool)"),
           backup_retention_days=(INT, "BackupRetentionPeriod: days automated backups are kept, 0 = automated "
                                       "backups off (a cluster member reports its cluster's)"),
           deletion_protection=(BOOL, "DeletionProtection (bool)"),
           az=(STR, "AvailabilityZone the instance runs in"),
           subnet_ids=(LIST, "JSON list of the subnets of its DB subnet group (DBSubnetGroup.Subnets; a cluster "
                             "member's come from its cluster's group)"),
           read_replica_source=(STR, "ReadReplicaSourceDBInstanceIdentifier: the instance this read replica copies, "
                                     "'' for a primary")),
        _t("db_clusters", "datastores", "RDS/Aurora/DocumentDB clusters",
           cluster_id=(STR, "id"), engine=(STR, "aurora-postgresql | aurora-mysql | docdb | ..."),
           engine_version=(STR, "version"),
           storage_type=(STR, "aurora | aurora-iopt1 | iopt1 | standard | ''"),
           members=(INT, "instance count"), instance_ids=(LIST, "JSON list"), multi_az=(BOOL, "bool"),
           status=(STR, "status"), allocated_gb=(INT, "GiB or 0"), tags=(OBJ, "tags (JSON object)"),
           vpc_id=(STR, "VPC of its DB subnet group (rds:DescribeDBSubnetGroups) or '' when unknown"),
           security_groups=(LIST, "JSON list of its VPC security group ids"),
           storage_encrypted=(BOOL, "StorageEncrypted (bool)"),
           backup_retention_days=(INT, "BackupRetentionPeriod: days automated backups are kept"),
           deletion_protection=(BOOL, "DeletionProtection (bool)"),
           subnet_ids=(LIST, "JSON list of the subnets of its DB subnet group (rds:DescribeDBSubnetGroups)")),
        _t("cache_clusters", "datastores", "ElastiCache clusters (standalone and replication-group members)",
           id=(STR, "cache cluster id"), engine=(STR, "redis | valkey | memcached"),
           engine_version=(STR, "version"), node_type=(STR, "node type"), nodes=(INT, "node count"),
           replication_group_id=(STR, "RG id or ''"), status=(STR, "status"), az=(STR, "preferred AZ"),
           vpc_id=(STR, "VPC of its cache subnet group (elasticache:DescribeCacheSubnetGroups) or '' when unknown"),
           security_groups=(LIST, "JSON list of its security group ids"),
           at_rest_encryption=(BOOL, "AtRestEncryptionEnabled (bool; null when not reported)"),
           transit_encryption=(BOOL, "TransitEncryptionEnabled (bool; null when not reported)"),
           snapshot_retention_days=(INT, "SnapshotRetentionLimit: days automatic snapshots are kept, 0 = off"),
           subnet_ids=(LIST, "JSON list of the subnets of its cache subnet group")),
        _t("replication_groups", "datastores", "ElastiCache replication groups",
           id=(STR, "id"), engine=(STR, "redis | valkey"), node_type=(STR, "node type"),
           nodes=(INT, "node count"), cluster_mode=(BOOL, "bool"), multi_az=(BOOL, "bool"),
           automatic_failover=(BOOL, "bool"), status=(STR, "status"), description=(STR, "description"),
           vpc_id=(STR, "VPC of its members' cache subnet group or '' when unknown"),
           at_rest_encryption=(BOOL, "AtRestEncryptionEnabled (bool)"),
           transit_encryption=(BOOL, "TransitEncryptionEnabled (bool)"),
           snapshot_retention_days=(INT, "SnapshotRetentionLimit: days automatic snapshots are kept, 0 = off")),
        _t("serverless_caches", "datastores", "ElastiCache serverless caches",
           name=(STR, "name"), engine=(STR, "engine"), status=(STR, "status"),
           max_data_gb=(INT, "limit or null"), max_ecpu=(INT, "limit or null")),
        _t("db_snapshots", "datastores",
           "Manual RDS/Aurora/DocumentDB snapshots (rds:DescribeDBSnapshots / DescribeDBClusterSnapshots) and whom "
           "they are shared with (DescribeDB[Cluster]SnapshotAttributes)",
           snapshot_id=(STR, "id"), kind=(STR, "instance | cluster"), source_id=(STR, "DB instance or cluster id"),
           engine=(STR, "engine"), encrypted=(BOOL, "Encrypted / StorageEncrypted (bool)"),
           snapshot_type=(STR, "manual"), created=(TIME, "SnapshotCreateTime"),
           public=(BOOL, "restore attribute includes 'all' (bool; missing when the attributes could not be read)"),
           shared_with=(LIST, "JSON list of the account ids in its restore attribute")),
        _t("dynamodb_tables", "datastores", "DynamoDB tables",
           table_name=(STR, "name"), billing_mode=(STR, "PROVISIONED | PAY_PER_REQUEST"),
           rcu=(INT, "provisioned RCU"), wcu=(INT, "provisioned WCU"), size_bytes=(INT, "table size"),
           item_count=(INT, "items"), table_class=(STR, "STANDARD | STANDARD_INFREQUENT_ACCESS"),
           gsi_count=(INT, "global secondary indexes"),
           autoscaling=(BOOL, "has Application Auto Scaling targets (bool)"),
           key_schema=(OBJ, "JSON object: hash_key, range_key and the type (S|N|B) of each key attribute, "
                            "e.g. {\"hash_key\": \"pk\", \"range_key\": \"sk\", \"attributes\": {\"pk\": \"S\", \"sk\": \"S\"}}"),
           point_in_time_recovery=(BOOL, "point-in-time recovery enabled (dynamodb:DescribeContinuousBackups "
                                         "PointInTimeRecoveryStatus; bool, null when it could not be read)"),
           deletion_protection=(BOOL, "DeletionProtectionEnabled (bool)")),
        # -------------------------------------------------------------------------------------------- cdn
        _t("distributions", "cdn", "CloudFront distributions",
           distribution_id=(STR, "id"), domain=(STR, "d111.cloudfront.net"), aliases=(LIST, "JSON list"),
           price_class=(STR, "PriceClass_*"), enabled=(BOOL, "bool"),
           http_version=(STR, "http1.1 | http2 | http2and3 | http3"), ipv6=(BOOL, "bool"),
           web_acl=(STR, "WebACL id or ''"), origin_count=(INT, "origins"), status=(STR, "status"),
           comment=(STR, "comment"),
           minimum_protocol_version=(STR, "ViewerCertificate.MinimumProtocolVersion: lowest TLS version viewers "
                                          "may use (TLSv1, TLSv1_2016, TLSv1.1_2016, TLSv1.2_2018, TLSv1.2_2019, "
                                          "TLSv1.2_2021, ...)"),
           default_certificate=(BOOL, "ViewerCertificate.CloudFrontDefaultCertificate: served with the "
                                      "*.cloudfront.net certificate, whose minimum protocol is TLSv1 whatever is set")),
        _t("cache_behaviors", "cdn", "Cache behaviours, default one with path_pattern '*'",
           distribution_id=(STR, "id"), path_pattern=(STR, "pattern"), target_origin_id=(STR, "origin id"),
           cache_policy=(STR, "cache policy id or ''"),
           cache_policy_name=(STR, "name or '' (legacy settings)"), ttl_min=(INT, "seconds"),
           ttl_default=(INT, "seconds"), ttl_max=(INT, "seconds"), compress=(BOOL, "bool"),
           forward_cookies=(STR, "none | whitelist | all"), forward_headers=(STR, "none | whitelist | all"),
           forward_query_strings=(STR, "none | whitelist | all"), viewer_protocol_policy=(STR, "policy")),
        _t("origins", "cdn", "CloudFront origins",
           distribution_id=(STR, "id"), origin_id=(STR, "origin id"), domain=(STR, "origin domain"),
           origin_type=(STR, "s3 | custom"), origin_access_control_id=(STR, "OAC id or ''"),
           origin_access_identity=(STR, "OAI or ''")),
        _t("cache_policies", "cdn", "Cache policies (managed and custom)",
           id=(STR, "id"), name=(STR, "name"), type=(STR, "managed | custom"), ttl_min=(INT, "s"),
           ttl_default=(INT, "s"), ttl_max=(INT, "s"), cookies=(STR, "none | whitelist | all..."),
           headers=(STR, "none | whitelist"), query_strings=(STR, "none | whitelist | all"),
           gzip=(BOOL, "bool"), brotli=(BOOL, "bool")),
        # ----------------------------------------------------------------------------------------- stacks
        _t("stacks", "stacks", "CloudFormation stacks (all but deleted) with Copilot labels",
           stack_id=(STR, "ARN"), stack_name=(STR, "name"), status=(STR, "status"),
           status_reason=(STR, "reason"), created=(TIME, "created"), updated=(TIME, "last updated"),
           copilot_application=(STR, "copilot-application tag or ''"),
           copilot_environment=(STR, "copilot-environment tag or ''"),
           copilot_service=(STR, "copilot-service tag or ''"),
           template_bytes=(INT, "template body size in bytes"), resource_count=(INT, "resources"),
           parent_id=(STR, "parent stack or ''"), tags=(OBJ, "tags (JSON object)")),
        _t("stack_resources", "stacks", "Stack resources",
           stack_name=(STR, "stack"), logical_id=(STR, "logical id"), physical_id=(STR, "physical id"),
           resource_type=(STR, "type"), status=(STR, "status")),
        _t("stack_events", "stacks", "Recent stack events (failures explain rollbacks)",
           stack_name=(STR, "stack"), timestamp=(TIME, "time"), logical_id=(STR, "logical id"),
           resource_type=(STR, "type"), status=(STR, "status"), reason=(STR, "status reason")),
        # ---------------------------------------------------------------------------------------- metrics
        _t("metrics", "metrics", "CloudWatch series (GetMetricData, hourly by default)",
           namespace=(STR, "e.g. AWS/ECS"), metric=(STR, "metric name"),
           dimensions=(OBJ, "JSON object, keys sorted"),
           resource_id=(STR, "the main dimension value (service, LB, NAT id, ...)"),
           stat=(STR, "Average | Maximum | Sum"), period_s=(INT, "period"), timestamp=(TIME, "UTC time"),
           value=(FLOAT, "value")),
        # ------------------------------------------------------------------------------------------ spend
        _t("spend", "spend", "Cost Explorer monthly unblended cost by service",
           month=(STR, "YYYY-MM"), service=(STR, "Cost Explorer SERVICE dimension"), usd=(FLOAT, "amount")),
        # --------------------------------------------------------------------------------------- coverage
        _t("coverage", "coverage", "What every API call returned",
           service=(STR, "boto3 service name"), operation=(STR, "operation name"),
           status=(STR, "ok | access_denied | opt_in_required | unsupported | not_implemented | throttled | error | skipped (turned off in params, e.g. collect.cost_explorer: false)"),
           message=(STR, "error message or ''"), calls=(INT, "requests made"), items=(INT, "items returned"),
           duration_s=(FLOAT, "seconds")),
    ]
}


def columns(name: str) -> list[str]:
    """All columns of table ``name`` (common ones first)."""
    return TABLES[name].all_columns


def dtypes(name: str) -> dict[str, str]:
    """Column -> dtype (one of :data:`DTYPES`) of table ``name``, in column order."""
    return dict(TABLES[name].dtypes)


def loads(value: Any) -> Any:
    """Decode a JSON-encoded cell (lists/dicts are stored as JSON strings); None when missing (None, NaN,
    ``pd.NA``) or empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":
        return None
    if isinstance(value, str):
        return json.loads(value) if value else None
    return value


def dumps(value: Any) -> str:
    """Encode a list/dict cell as JSON (sorted keys for stable files)."""
    return json.dumps(value, sort_keys=True, default=str)
