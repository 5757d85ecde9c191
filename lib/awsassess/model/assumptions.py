"""Every assumption of the cost model, the proposed architecture and the pipeline-time model.

``ModelAssumptions`` is ``awsassess.assumptions.Assumptions.model``; a params file overrides any field
under ``assumptions: {model: {...}}``. Each field has a default, a unit and a description naming
where the default comes from, so the report can print them as the model's stated assumptions.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, field_validator, model_validator

from awsassess.facts.assumptions import SharedAssumptions, renamed
from awsassess.values import documented

_f = documented  # short name: every field below is declared with it


# Included GitHub Actions minutes per plan per month (S13, GitHub docs "product usage included"):
# standard hosted runners in private repositories only; larger runners are always billed.
GITHUB_INCLUDED_MINUTES = {"free": 2_000, "pro": 3_000, "team": 3_000, "enterprise": 50_000}


class ModelAssumptions(SharedAssumptions):
    """The cost model's knobs (override any per account under ``assumptions: {model: ...}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        """``gateway_endpoint_share_pct`` was this section's name for the measured share (the findings'
        section used the same name for an estimate): still read here, with its old meaning."""
        return renamed(data, "gateway_endpoint_share_pct", "gateway_endpoint_measured_pct")

    # ------------------------------------------------------------------ general
    hours_per_month: float = _f(
        730.0, "Hours in a month when turning hourly prices into monthly ones (AWS calculator, infracost and "
        "Karpenter convention).", "hours", gt=0)
    history_days: float | None = _f(
        None, "Days of pipeline/build history the snapshot covers (to scale builds and executions to a month). "
        "None: the manifest's collect.lookback_days, else the span of the history, else 30.", "days")
    bytes_per_gb: float = _f(
        float(1024**3), "Bytes in a billed GB when turning CloudWatch byte counts into GB (AWS usage reports "
        "meter data in binary GB, 2^30 bytes; set 1e9 for decimal GB).", "bytes", gt=0)
    strict_prices: bool = _f(
        False, "False: a price missing for the account's region is estimated (the us-east-1 list price times the "
        "service's documented regional factor, confidence 'estimated') or, with no basis, the line is left "
        "unpriced (NaN, listed, never $0), and the analysis always completes. True: any price missing from the "
        "catalog stops the model with the full list of missing prices (no estimate).", "flag")
    allow_missing_prices: bool | None = _f(
        None, "Deprecated (use strict_prices): false asks for strict_prices; true is the default behaviour now.",
        "flag")

    @property
    def prices_strict(self) -> bool:
        """strict_prices, or the deprecated allow_missing_prices: false."""
        return self.strict_prices or self.allow_missing_prices is False

    # ------------------------------------------------------------------ compute: right-sizing

    # ------------------------------------------------------------------ compute: ECS on EC2 packing
    utilisation_target: float = _f(
        0.9, "Bin packing: the share of each instance's usable vCPU and memory tasks may reserve. 0.9 matches the "
        "suggested capacity provider target capacity (capacity_provider_target_pct); the right-sized task "
        "reservations already carry the utilisation headroom (cpu_target_pct, memory_target_pct).",
        "fraction", gt=0, le=1)
    spare_instances: int = _f(
        1, "Instances added on top of the packed count (N+1) so one instance can fail or drain.", "instances", ge=0)
    min_azs: int = _f(2, "Availability zones the cluster and the VPC span (at least one instance in each).",
                      "AZs", ge=1)
    instance_families: list[str] = _f(
        ["m6i", "m7i", "c6i", "m6g", "m7g", "c7g", "r6g", "r7g"],
        "Instance families the packer may choose from (x86 and Graviton; burstable T types are left out for "
        "steady production load). Specs and prices come from the catalog.", "families")
    allow_graviton: bool = _f(
        True, "Allow arm64 (Graviton) instances and Fargate ARM: needs multi-arch images, which the proposed "
        "GitHub Actions pipeline builds with docker buildx.", "flag")
    eni_trunking: bool = _f(
        True, "ECS awsvpcTrunking is enabled on the container instances (raises awsvpc tasks per instance, e.g. "
        "m6g.large from 2 to 9; limits.go of aws/amazon-vpc-resource-controller-k8s).", "flag")
    ecs_reserved_memory_mib: int = _f(
        256, "ECS_RESERVED_MEMORY kept for the ECS agent and system processes (the example value in the ECS "
        "Developer Guide, 'Reserving Amazon ECS Linux container instance memory').", "MiB", ge=0)
    os_memory_overhead_pct: float = _f(
        2.5, "Installed memory the kernel and platform keep, so the ECS agent registers less (ECS Developer Guide: "
        "an m4.large with 8 GiB registers 7985 MiB, about 2.5%).", "%", ge=0, lt=50)
    root_volume_gb: int = _f(30, "gp3 root volume per container instance.", "GB", ge=0)
    capacity_provider_target_pct: int = _f(
        90, "Suggested capacity provider target capacity (ECS managed scaling keeps this share of instance "
        "capacity reserved by tasks).", "%", ge=1, le=100)
    service_scaling_cpu_target_pct: float = _f(
        60.0, "Suggested service auto scaling: target tracking on ECSServiceAverageCPUUtilization at this value.",
        "%", gt=0, le=100)
    max_scaling_factor: float = _f(
        3.0, "Suggested service auto scaling maximum = desired x this factor.", "x", ge=1)
    compute_launch: Literal["cheapest", "fargate", "ec2"] = _f(
        "cheapest", "How the proposed ECS services run: 'cheapest' compares right-sized Fargate with the cheapest "
        "ECS on EC2 packing and takes the lower; 'fargate' keeps Fargate; 'ec2' moves to ECS on EC2 (each "
        "priced; the compute options table shows all of them either way).", "choice")
    fargate_spot_discount_pct: float = _f(
        70.0, "Fargate Spot discount vs on-demand, used only for the comparison row (AWS Fargate pricing page: "
        "'up to 70%'; the rate floats).", "%", ge=0, lt=100)

    # ------------------------------------------------------------------ commitments (sensitivity)
    savings_plans: bool = _f(
        False, "Apply a Compute Savings Plan discount to EC2 and Fargate compute in the proposed headline "
        "(the sensitivity table shows both ways regardless).", "flag")
    savings_plan_discount_pct: float = _f(
        20.0, "Compute Savings Plan, 1 year, no upfront, typical discount (Vantage: Fargate ~20%; up to 66% "
        "for 3-year all upfront). Confidence C: check DescribeSavingsPlansOfferingRates.", "%", ge=0, lt=100)
    savings_plan_coverage_pct: float = _f(
        100.0, "Share of the proposed EC2 and Fargate compute the Savings Plan covers (a commitment sized below "
        "the steady baseline leaves the rest on demand).", "%", ge=0, le=100)
    sensitivity_utilisation_targets: list[float] = _f(
        [0.6, 0.7, 0.8, 0.9], "Packing utilisation targets shown in the sensitivity table.", "fractions")

    # ------------------------------------------------------------------ network
    nat_per_az: bool | None = _f(
        None, "Proposed VPC: one NAT gateway per AZ (AZ-independent egress, no cross-AZ NAT traffic). Default "
        "(unset): per AZ in production, one outside production, as rule NET-003 recommends; true or false "
        "forces it.", "flag")
    gateway_endpoint_measured_pct: float = _f(
        0.0, "Measured share of NAT gateway bytes that S3/DynamoDB gateway endpoints (free) would take off the "
        "NATs. CloudWatch does not split NAT bytes by destination: set it from VPC flow logs; 0 claims nothing "
        "(NET-010's figure is an illustration: findings.gateway_endpoint_estimate_pct). Old name: "
        "gateway_endpoint_share_pct.", "%", ge=0, le=100)

    # ------------------------------------------------------------------ data stores
    valkey: bool = _f(True, "Move ElastiCache Redis OSS to Valkey (same node type, 20% lower node price, "
                      "in-place engine upgrade).", "flag")
    dynamodb_target_pct: float = _f(
        70.0, "Provisioned DynamoDB right-sized so peak hourly consumption is this share of capacity (the "
        "auto scaling target default).", "%", gt=0, le=100)

    # ------------------------------------------------------------------ CDN
    cloudfront_geography: Literal["north-america", "europe"] = _f(
        "north-america", "Edge geography whose CloudFront prices apply (most viewers).", "geography")
    cloudfront_https_share: float = _f(1.0, "Share of CloudFront requests that are HTTPS.", "fraction", ge=0, le=1)
    cloudfront_flat_rate: bool = _f(
        True, "Consider the CloudFront flat-rate plans (launched 2025-11-18) when their allowance covers the "
        "measured traffic and they cost less than pay-as-you-go.", "flag")

    # ------------------------------------------------------------------ pipelines
    github_plan: Literal["free", "pro", "team", "enterprise"] = _f(
        "enterprise", "GitHub plan of the organisation (included Actions minutes: Free 2,000, Pro/Team 3,000, "
        "Enterprise 50,000 per month; GitHub docs).", "plan")
    github_included_minutes: int | None = _f(
        None, "Included minutes available to this account's workflows (they are shared by the whole "
        "organisation). None: the plan's included minutes.", "minutes/month")
    github_runner: str = _f(
        "linux_2core", "GitHub-hosted runner for build and deploy jobs (catalog item runner_minute:<runner>).",
        "runner")
    build_phase_factors: dict[str, float] = _f(
        {"INSTALL": 0.5, "BUILD": 0.3, "POST_BUILD": 0.3},
        "Measured CodeBuild phase time x factor after caching (phases not listed keep factor 1). BUILD 0.3: "
        "docker layer caching cuts repeat image builds by 60-80% when only application layers change "
        "(GitHub Actions cache guides; a CodeBuild + ECR cache write-up measured ~6 min -> ~2 min). POST_BUILD "
        "0.3: the push uploads only the changed layers. INSTALL 0.5: tool and dependency caches (actions/cache, "
        "setup-* tool cache); no published figure, override when measured.", "factors")
    drop_source_stage: bool = _f(
        True, "GitHub Actions starts on the push and checks out inside the build job (DOWNLOAD_SOURCE is kept), "
        "so the CodePipeline Source stage disappears.", "flag")
    termination_wait_target_min: float = _f(
        0.0, "Blue/green termination wait after the traffic shift in the proposal (ECS rolling deployment with "
        "the circuit breaker and rollback, or CodeDeploy with terminationWaitTimeInMinutes 0).", "minutes", ge=0)
    deregistration_delay_target_s: float = _f(
        30.0, "Deregistration delay the proposal sets on target groups (ALB default 300 s; enough for requests "
        "that finish in well under 30 s).", "seconds", ge=0)
    long_deregistration_delay_s: float = _f(
        60.0, "Deregistration delays above this are shortened to the target.", "seconds", ge=0)
    parallel_stages: bool = _f(
        True, "Independent build and test actions of one stage run as parallel jobs (stage time = the longest).",
        "flag")

    @field_validator("build_phase_factors")
    @classmethod
    def _factors_positive(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: f for k, f in v.items() if not (0 < float(f) <= 10)}
        if bad:
            raise ValueError(f"build_phase_factors must be in (0, 10]: {bad}")
        return {str(k).upper(): float(f) for k, f in v.items()}

    def savings_plan_multiplier(self, on: bool | None = None) -> float:
        """What a covered compute line costs after the Savings Plan: 1 - discount x coverage when the plan is
        on (``on``: the headline's ``savings_plans`` when None; the sensitivity table asks both ways)."""
        if not (self.savings_plans if on is None else on):
            return 1.0
        return 1 - self.savings_plan_discount_pct / 100 * self.savings_plan_coverage_pct / 100

    def savings_plan_note(self) -> str:
        covered = "" if self.savings_plan_coverage_pct >= 100 else f" on {self.savings_plan_coverage_pct:g}% of compute"
        return f"{self.savings_plan_discount_pct:g}% Compute Savings Plan assumption{covered}"

    @property
    def days_per_month(self) -> float:
        return self.hours_per_month / 24.0

    def included_minutes(self) -> int:
        if self.github_included_minutes is not None:
            return int(self.github_included_minutes)
        return GITHUB_INCLUDED_MINUTES[self.github_plan]
