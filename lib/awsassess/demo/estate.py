"""The simulated fintech estate as data: what the seeder creates and the tests count.

The story (the case study): a fintech with separate staging and production accounts, one VPC per
microservice joined by peering from the api VPC, a NAT gateway per AZ and a load balancer per VPC,
ECS Fargate services created by AWS Copilot, RDS PostgreSQL + DocumentDB + ElastiCache Redis +
DynamoDB, CloudFront in front of the web ALB, and CodePipeline -> CodeBuild (docker build without
layer cache) -> CodeDeploy ECS blue/green with a 60-minute termination wait, ~1.5 h per deploy.

Everything here is deterministic: the same estate, ids and numbers on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

APP = "fintech"  # the Copilot application name


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    public: bool  # internet-facing ALB (web, api) or internal
    cpu: int  # task CPU units
    memory: int  # task MiB
    desired: int
    cpu_p95: float  # % of the task's CPU at p95 over the lookback (what the metrics show)
    mem_p95: float  # % of the task's memory at p95
    bootstrap_starved: bool = False  # CPU pinned at 100% during start-up, tasks fail health checks
    healthy: bool = False  # seeded as well-sized: the rules must not flag it as over-provisioned
    requests_per_hour: int = 20_000  # ALB RequestCount per hour (average)
    nat_gb_per_day: float = 2.0  # bytes processed by each NAT gateway of its VPC, GB/day
    s3_dynamo_share: float = 0.3  # share of NAT traffic going to S3/DynamoDB (gateway-endpoint candidates)


@dataclass(frozen=True)
class PipelineTiming:
    """Seconds per phase of one deploy; executions jitter around these deterministically."""

    source_s: int = 45
    # CodeBuild phases (docker build without layer cache); their sum is the Build stage
    build_phases: dict[str, int] = field(default_factory=lambda: {
        "SUBMITTED": 5, "QUEUED": 20, "PROVISIONING": 95, "DOWNLOAD_SOURCE": 25, "INSTALL": 110,
        "PRE_BUILD": 65, "BUILD": 1020, "POST_BUILD": 210, "UPLOAD_ARTIFACTS": 10, "FINALIZING": 10,
        "COMPLETED": 0,
    })
    # CodeDeploy ECS blue/green: replacement task set up, traffic shift, then the termination wait
    deploy_install_s: int = 420  # new task set starts, passes health checks (incl. grace period)
    deploy_shift_s: int = 300  # deregistration delay of the old targets (300 s default)
    termination_wait_min: int = 60  # blue/green: original tasks kept this long before termination


@dataclass(frozen=True)
class AccountSpec:
    name: str
    account_id: str
    environment: str
    region: str
    services: tuple[ServiceSpec, ...]
    nat_per_az: bool  # True: one NAT per AZ per VPC; False: one NAT per VPC
    azs: tuple[str, ...]
    rds_class: str
    rds_multi_az: bool
    rds_storage_gb: int
    rds_cpu_p95: float
    docdb_class: str
    docdb_instances: int
    docdb_cpu_p95: float
    redis_node_type: str
    redis_nodes: int
    ddb_provisioned: tuple[int, int]  # (RCU, WCU) of the provisioned table
    ddb_consumed_share: float  # consumed / provisioned on that table
    cloudfront_gb_per_day: float
    cloudfront_requests_per_day: int
    cloudfront_hit_rate: float  # %
    pipeline_executions: int = 30
    timing: PipelineTiming = field(default_factory=PipelineTiming)


def _svc(name: str, public: bool, cpu: int, memory: int, desired: int, cpu_p95: float, mem_p95: float,
         **kw: object) -> ServiceSpec:
    return ServiceSpec(name, public, cpu, memory, desired, cpu_p95, mem_p95, **kw)  # type: ignore[arg-type]


PRODUCTION = AccountSpec(
    name="fintech-production",
    account_id="222222222222",
    environment="production",
    region="us-east-1",
    services=(
        _svc("web", True, 1024, 2048, 3, 14.0, 28.0, requests_per_hour=90_000, nat_gb_per_day=1.5),
        _svc("api", True, 2048, 4096, 4, 18.0, 31.0, requests_per_hour=160_000, nat_gb_per_day=6.0),
        _svc("trading-engine", False, 4096, 8192, 4, 61.0, 66.0, healthy=True, nat_gb_per_day=8.0),
        _svc("wallet", False, 512, 1024, 2, 97.0, 58.0, bootstrap_starved=True, nat_gb_per_day=2.0),
        _svc("market-data", False, 2048, 4096, 6, 16.0, 24.0, nat_gb_per_day=12.0, s3_dynamo_share=0.5),
        _svc("notifications", False, 1024, 2048, 2, 7.0, 19.0, nat_gb_per_day=1.0),
        _svc("kyc", False, 1024, 2048, 2, 9.0, 22.0, nat_gb_per_day=1.5),
    ),
    nat_per_az=True,
    azs=("us-east-1a", "us-east-1b"),
    rds_class="db.m5.large",
    rds_multi_az=True,
    rds_storage_gb=500,
    rds_cpu_p95=34.0,
    docdb_class="db.r5.large",
    docdb_instances=2,
    docdb_cpu_p95=11.0,
    redis_node_type="cache.m6g.large",
    redis_nodes=2,
    ddb_provisioned=(400, 200),
    ddb_consumed_share=0.08,
    cloudfront_gb_per_day=60.0,
    cloudfront_requests_per_day=3_000_000,
    cloudfront_hit_rate=38.0,
)

STAGING = AccountSpec(
    name="fintech-staging",
    account_id="111111111111",
    environment="staging",
    region="us-east-1",
    services=(
        _svc("web", True, 1024, 2048, 1, 6.0, 20.0, requests_per_hour=2_000, nat_gb_per_day=0.3),
        _svc("api", True, 1024, 2048, 1, 9.0, 24.0, requests_per_hour=4_000, nat_gb_per_day=0.8),
        _svc("trading-engine", False, 2048, 4096, 1, 12.0, 30.0, nat_gb_per_day=1.0),
        _svc("wallet", False, 512, 1024, 1, 95.0, 55.0, bootstrap_starved=True, nat_gb_per_day=0.3),
        _svc("kyc", False, 512, 1024, 1, 5.0, 25.0, nat_gb_per_day=0.2),
    ),
    nat_per_az=False,
    azs=("us-east-1a", "us-east-1b"),
    rds_class="db.t3.large",
    rds_multi_az=False,
    rds_storage_gb=100,
    rds_cpu_p95=6.0,
    docdb_class="db.t3.medium",
    docdb_instances=1,
    docdb_cpu_p95=4.0,
    redis_node_type="cache.t3.medium",
    redis_nodes=1,
    ddb_provisioned=(100, 50),
    ddb_consumed_share=0.03,
    cloudfront_gb_per_day=2.0,
    cloudfront_requests_per_day=60_000,
    cloudfront_hit_rate=35.0,
    pipeline_executions=30,
)

ACCOUNTS: tuple[AccountSpec, ...] = (STAGING, PRODUCTION)
ORGANIZATION_MANAGEMENT_ACCOUNT = "000000000000"
AUDIT_ROLE_NAME = "AssessmentReadOnly"
AUDIT_EXTERNAL_ID = "awsassess-demo"


def expected_counts(acct: AccountSpec) -> dict[str, int]:
    """What the seeder must create in ``acct`` (tests compare the collected tables with this).

    Counts exclude the default VPC (and its 3 default subnets) moto creates in every region.
    """
    n = len(acct.services)
    azs = len(acct.azs)
    public = sum(s.public for s in acct.services)
    return {
        "vpcs": n,
        "subnets": n * azs * 2,
        "nat_gateways": n * (azs if acct.nat_per_az else 1),
        "internet_gateways": n,
        "vpc_peerings": n - 1,
        "load_balancers": n,
        "internet_facing_load_balancers": public,
        "target_groups": n,
        "ecs_clusters": 1,
        "ecs_services": n,
        "db_instances": 1 + acct.docdb_instances,
        "db_clusters": 1,
        "replication_groups": 1,
        "dynamodb_tables": 2,
        "distributions": 1,
        "pipelines": n,
        "build_projects": n,
        "deployment_groups": n,
        "pipeline_executions": n * acct.pipeline_executions,
        # <app>-infrastructure-roles, <app>-<env>, one per service
        "stacks": 2 + n,
    }
