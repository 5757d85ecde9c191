"""Thresholds and lookbacks of the rules: every number a rule compares against lives here.

``FindingsAssumptions`` is part of ``awsassess.assumptions.Assumptions`` (key ``findings``) and a
params file overrides any field under ``assumptions: {findings: {...}}``. Every field carries a
description and a unit (``json_schema_extra["unit"]``); ``docs/rules.md`` lists them all.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, field_validator, model_validator

from awsassess.facts.assumptions import SharedAssumptions, renamed
from awsassess.values import documented

_f = documented  # short name: every field below is declared with it

#: CloudFront's viewer security policies, oldest first (ViewerCertificate.MinimumProtocolVersion)
CLOUDFRONT_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019",
                        "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")


class FindingsAssumptions(SharedAssumptions):
    """Every threshold and lookback the rules use (override any of them per account); the shared ones
    (production labels, metric window, right-sizing targets) come from :class:`SharedAssumptions`."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        """``gateway_endpoint_share_pct`` was this section's name for the illustrative estimate (the model's
        section used the same name for a measured share): still read here, with its old meaning."""
        return renamed(data, "gateway_endpoint_share_pct", "gateway_endpoint_estimate_pct")

    # ------------------------------------------------------------------ general
    history_lookback_days: int = _f(
        30, "Days of history (pipeline executions, builds, stopped tasks, deployments) the rules read.",
        "days", ge=1, le=400)

    # ------------------------------------------------------------------ network
    vpc_sprawl_min_vpcs: int = _f(
        3, "Number of small VPCs connected to each other by peering or transit gateway from which the "
        "account is reported as VPC sprawl.", "VPCs", ge=2)
    small_vpc_max_services: int = _f(
        2, "A VPC counts as small when it hosts at most this many ECS services.", "services", ge=1)
    small_vpc_max_enis: int = _f(
        40, "... and has at most this many network interfaces.", "ENIs", ge=1)
    peering_mesh_min_vpcs: int = _f(
        4, "Size of a group of VPCs connected only by peering (non-transitive) from which the peering "
        "mesh is reported.", "VPCs", ge=3)
    nat_gateways_per_region_max: int = _f(
        3, "NAT gateways per region that a single shared egress design needs (one per AZ); more than "
        "this is reported.", "NAT gateways", ge=1)
    idle_nat_max_bytes: float = _f(
        0.0, "A NAT gateway is idle when it moved at most this many bytes over the metrics lookback.",
        "bytes", ge=0)
    public_ipv4_min_count: int = _f(
        1, "Public IPv4 addresses (each billed hourly since 2024-02-01) from which the count is reported.",
        "addresses", ge=1)
    lb_consolidation_min_lbs: int = _f(
        2, "Number of same-scheme application load balancers, each serving few services, from which "
        "consolidation onto shared ALBs is proposed.", "load balancers", ge=2)
    lb_small_max_target_groups: int = _f(
        2, "An ALB serves 'few services' when it has at most this many target groups.", "target groups", ge=1)
    alb_headroom_pct: float = _f(
        80.0, "Fill shared ALBs to at most this share of the rule/target-group quotas.", "%", gt=0, le=100)
    gateway_endpoint_estimate_pct: float = _f(
        30.0, "Illustrative share of NAT-processed bytes that goes to S3 and DynamoDB, used to size the saving "
        "NET-010 states for missing gateway endpoints (an estimate: flow logs are not read; the cost model "
        "claims only model.gateway_endpoint_measured_pct). Old name: gateway_endpoint_share_pct.",
        "%", ge=0, le=100)
    gateway_endpoint_min_gb_month: float = _f(
        10.0, "Report missing gateway endpoints only when the VPC's NAT gateways process at least this "
        "much per month.", "GB/month", ge=0)

    # ------------------------------------------------------------------ compute
    overprovisioned_max_p95_pct: float = _f(
        50.0, "A service is reported as over-provisioned only when p95 CPU or memory is below this and a "
        "smaller valid Fargate size exists.", "%", gt=0, le=100)
    underprovisioned_min_p95_pct: float = _f(
        85.0, "A service whose p95 CPU or memory is at or above this is reported as under-provisioned.",
        "%", gt=0, le=100)
    deregistration_delay_max_s: int = _f(
        60, "Target-group deregistration delays above this slow every rollout.", "seconds", ge=0)
    health_check_time_to_healthy_max_s: int = _f(
        60, "Health-check interval x healthy threshold above this delays every new task.", "seconds", ge=0)
    health_check_grace_max_s: int = _f(
        120, "Health-check grace periods above this delay failure detection in every rollout.", "seconds",
        ge=0)
    rollout_max_batches: int = _f(
        2, "Rollouts that need more than this many replacement batches (from minimum healthy / maximum "
        "percent and the desired count) are reported as serialised.", "batches", ge=1)
    stopped_tasks_min: int = _f(
        3, "Failed stopped tasks of one service over the history lookback from which they are reported.",
        "tasks", ge=1)
    bootstrap_cpu_max_pct: float = _f(
        99.0, "Maximum CPUUtilization at or above this near a task's start or stop counts as CPU-starved.",
        "%", gt=0, le=100)
    bootstrap_window_min: int = _f(
        15, "Minutes around a failed task's start/stop time in which the CPU peak is looked for.",
        "minutes", ge=0)
    bootstrap_min_tasks: int = _f(
        2, "Failed tasks with a CPU peak nearby needed to call a service too small to bootstrap.", "tasks",
        ge=1)

    # ------------------------------------------------------ compute: ECS on EC2 capacity
    ec2_reserved_max_pct: float = _f(
        50.0, "An ECS cluster on EC2 whose tasks reserve less than this share of its ACTIVE container "
        "instances' registered CPU and less than this share of their memory runs more or larger instances than "
        "its tasks need (judged on the p95 of the hourly AWS/ECS CPUReservation/MemoryReservation when "
        "collected, else on registered - remaining at collection time).", "%", gt=0, le=100)
    capacity_target_min_pct: int = _f(
        70, "A capacity provider whose managed-scaling target capacity is below this keeps more than "
        "(100 - this)% of its instances' capacity idle on purpose: reported as paying for idle headroom.",
        "%", ge=1, le=100)
    capacity_target_max_pct: int = _f(
        100, "A capacity provider whose managed-scaling target capacity is at or above this keeps no spare "
        "capacity: a scale-out or a deployment waits for an instance to launch. Reported as no headroom.",
        "%", ge=1, le=100)
    spot_max_share_pct: float = _f(
        0.0, "A non-production ECS cluster on EC2 whose share of Spot container instances is at or below this is "
        "reported as running on on-demand capacity only (0 = only clusters without any Spot instance).", "%",
        ge=0, le=100)

    # ---------------------------------------------------------------- pipelines
    pipeline_slow_p50_min: float = _f(
        30.0, "Pipelines whose median execution takes longer than this are reported.", "minutes", gt=0)
    pipeline_very_slow_p50_min: float = _f(
        60.0, "... with high severity above this.", "minutes", gt=0)
    pipeline_min_executions: int = _f(
        3, "Fewest succeeded executions needed to judge a pipeline's duration.", "executions", ge=1)
    blue_green_wait_max_min: int = _f(
        5, "Blue/green termination waits above this hold every deployment open.", "minutes", ge=0)
    build_oversized_max_p50_min: float = _f(
        4.0, "A LARGE or bigger CodeBuild compute type whose median build finishes under this is "
        "oversized.", "minutes", gt=0)
    build_undersized_min_build_phase_min: float = _f(
        10.0, "A SMALL compute type running docker builds whose median BUILD phase exceeds this is "
        "undersized.", "minutes", gt=0)
    dormant_build_project_days: int = _f(
        90, "Build projects with no build for this long are reported as dormant.", "days", ge=1)

    # --------------------------------------------------------------- datastores
    db_idle_max_connections: float = _f(
        0.0, "An RDS/DocumentDB instance is idle when its maximum DatabaseConnections over the lookback "
        "is at most this.", "connections", ge=0)
    extended_support_warn_days: int = _f(
        365, "Engines whose end of standard support is within this many days are reported.", "days", ge=0)
    docdb_io_usd_per_million: float = _f(
        0.20, "DocumentDB standard storage I/O price used to estimate the I/O share of the bill "
        "(us-east-1 list price).", "USD per million I/O", ge=0)
    docdb_io_optimized_min_share_pct: float = _f(
        25.0, "I/O share of the DocumentDB bill above which I/O-Optimized storage is proposed (AWS "
        "guidance).", "%", ge=0, le=100)
    cache_idle_max_connections: float = _f(
        2.0, "An ElastiCache node is idle when its maximum CurrConnections is at most this (replication "
        "links count as connections).", "connections", ge=0)
    ddb_low_utilization_pct: float = _f(
        30.0, "Provisioned DynamoDB tables whose p95 consumed capacity is at or below this share of "
        "provisioned capacity (reads and writes) are proposed for on-demand.", "%", ge=0, le=100)

    # ---------------------------------------------------------------------- cdn
    cdn_min_hit_rate_pct: float = _f(
        60.0, "Distributions whose request-weighted CacheHitRate is below this are reported.", "%",
        ge=0, le=100)
    cdn_audience_continents: list[str] | None = _f(
        None, "Where the viewers are (e.g. ['north_america', 'europe']); None infers them from the "
        "account's regions. PriceClass_All is reported when every audience continent is served by "
        "PriceClass_100.", "continents")

    # ------------------------------------------------------------ reliability and security
    backup_retention_min_days: int = _f(
        7, "Databases whose automated backups are kept for fewer days than this (0 = backups off) are reported; "
        "AWS's default for a new RDS instance is 7 days (1 day through the API), the maximum 35.", "days",
        ge=1, le=35)
    resilient_min_tasks: int = _f(
        2, "Production ECS services running fewer tasks than this stop serving when a task or its AZ fails.",
        "tasks", ge=2)
    resilient_min_azs: int = _f(
        2, "Production services, databases and load balancers spread over fewer Availability Zones than this do "
        "not survive the loss of one AZ.", "AZs", ge=2)
    elb_min_tls_version: Literal["1.2", "1.3"] = _f(
        "1.2", "Load-balancer listeners whose security policy accepts a TLS version older than this are reported.",
        "TLS version")
    cloudfront_min_protocol_version: str = _f(
        "TLSv1.2_2021", "CloudFront distributions whose minimum viewer protocol (security policy) is older than this "
        "are reported. One of TLSv1, TLSv1_2016, TLSv1.1_2016, TLSv1.2_2018, TLSv1.2_2019, TLSv1.2_2021, "
        "TLSv1.2_2025, TLSv1.3_2025.", "security policy")
    internet_open_ports_allowed: list[int] = _f(
        [80, 443], "Ports a security group may open to 0.0.0.0/0 or ::/0 without being reported (the web's).",
        "ports")

    @field_validator("cloudfront_min_protocol_version")
    @classmethod
    def _known_cloudfront_policy(cls, value: str) -> str:
        if value not in CLOUDFRONT_PROTOCOLS:
            raise ValueError(f"{value!r} is not a CloudFront security policy; one of {', '.join(CLOUDFRONT_PROTOCOLS)}")
        return value

    # ------------------------------------------------------------------- stacks
    cfn_inline_template_bytes: int = _f(
        51_200, "CloudFormation template body limit when passed in the request.", "bytes", ge=1)
    cfn_s3_template_bytes: int = _f(
        1_000_000, "CloudFormation template limit when uploaded to S3 (TemplateURL).", "bytes", ge=1)
    cfn_max_resources: int = _f(500, "Resources per CloudFormation stack (AWS quota).", "resources", ge=1)
    cfn_near_limit_pct: float = _f(
        80.0, "Stacks at or above this share of a CloudFormation limit are reported.", "%", gt=0, le=100)
