"""What the seeded estate costs at us-east-1 list prices, by Cost Explorer SERVICE name.

The Cost Explorer fill (``sim.costexplorer.patch_cost_explorer``) answers ``GetCostAndUsage`` from
here, and the CloudWatch series are seeded from the same usage figures (NAT bytes, ALB LCUs,
CloudFront traffic, DynamoDB capacity), so spend, metrics and inventory tell one consistent story.
Prices: ``../shared/reference/pricing-facts.md`` of the steering repo (us-east-1, on-demand, 730 h/month
convention); what an after-migration estate adds (Graviton and Valkey classes, EC2 container instances, gp3) comes
from the package catalog's us-east-1 rows (``awsassess/pricing/data/prices.csv``, each with its source).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from awsassess.demo.estate import AccountSpec, ServiceSpec
from awsassess.demo.seedkit import stable_rng

# us-east-1 list prices (USD) from pricing-facts.md
PRICE = {
    "fargate_vcpu_hour": 0.04048, "fargate_gb_hour": 0.004445,
    "nat_hour": 0.045, "nat_gb": 0.045, "public_ipv4_hour": 0.005,
    "alb_hour": 0.0225, "alb_lcu_hour": 0.008,
    "rds_gp2_gb_month": 0.115,
    "docdb_storage_gb_month": 0.10, "docdb_io_million": 0.20,
    "ddb_rcu_hour": 0.00013, "ddb_wcu_hour": 0.00065, "ddb_rru_million": 0.125, "ddb_wru_million": 0.625,
    "ddb_storage_gb_month": 0.25,
    "cloudfront_gb": 0.085, "cloudfront_https_10k": 0.01,
    "codepipeline_v1_month": 1.00, "codebuild_large_minute": 0.02,
    "ecr_gb_month": 0.10, "logs_ingest_gb": 0.50, "metric_month": 0.30,
}
RDS_POSTGRES_HOUR = {"db.t3.medium": 0.072, "db.t3.large": 0.145, "db.t4g.medium": 0.065, "db.m5.large": 0.178,
                     "db.m6g.large": 0.159, "db.m7g.large": 0.168, "db.r6g.large": 0.225}
DOCDB_HOUR = {"db.t3.medium": 0.078, "db.t4g.medium": 0.0757, "db.r5.large": 0.277, "db.r6g.large": 0.263}
REDIS_HOUR = {"cache.t3.micro": 0.017, "cache.t3.small": 0.034, "cache.t3.medium": 0.068, "cache.t4g.medium": 0.065,
              "cache.m6g.large": 0.149, "cache.m7g.large": 0.158, "cache.r6g.large": 0.206}

# Cost Explorer SERVICE dimension values
ECS = "Amazon Elastic Container Service"
EC2_OTHER = "EC2 - Other"
VPC = "Amazon Virtual Private Cloud"
ELB = "Amazon Elastic Load Balancing"
RDS = "Amazon Relational Database Service"
DOCDB = "Amazon DocumentDB (with MongoDB compatibility)"
ELASTICACHE = "Amazon ElastiCache"
DYNAMODB = "Amazon DynamoDB"
CLOUDFRONT = "Amazon CloudFront"
CODEPIPELINE = "AWS CodePipeline"
CODEBUILD = "AWS CodeBuild"
CLOUDWATCH = "AmazonCloudWatch"
ECR = "Amazon EC2 Container Registry (ECR)"

BYTES_PER_REQUEST = 15_000  # ALB processed bytes per request (drives LCUs)
DOCDB_STORAGE_GB = {"production": 180, "staging": 25}
DOCDB_IO_MILLION_PER_DAY = {"production": 40.0, "staging": 2.0}
DDB_STORAGE_GB = {"ledger": 40.0, "sessions": 6.0}
SESSIONS_PER_DAY = {"production": (6_000_000, 1_200_000), "staging": (90_000, 20_000)}  # (reads, writes)


def alb_lcu_per_hour(svc: ServiceSpec) -> float:
    """LCUs of a service's ALB: processed bytes dominate (1 LCU = 1 GB/h for ip targets)."""
    return max(0.05, svc.requests_per_hour * BYTES_PER_REQUEST / 1e9)


def nat_count(acct: AccountSpec) -> int:
    return len(acct.services) * (len(acct.azs) if acct.nat_per_az else 1)


def nat_gb_per_day(acct: AccountSpec) -> float:
    """GB processed per day by all NAT gateways (each NAT of a VPC processes its service's figure)."""
    per_vpc = len(acct.azs) if acct.nat_per_az else 1
    return sum(s.nat_gb_per_day * per_vpc for s in acct.services)


def public_ipv4_count(acct: AccountSpec) -> int:
    """NAT EIPs + 1 IP per AZ of each internet-facing ALB + the idle EIP in staging."""
    idle = 1 if acct.environment == "staging" else 0
    return nat_count(acct) + sum(s.public for s in acct.services) * len(acct.azs) + idle


def build_minutes(acct: AccountSpec) -> float:
    billed = {k: v for k, v in acct.timing.build_phases.items() if k not in ("SUBMITTED", "QUEUED")}
    return sum(billed.values()) / 60.0


def daily_costs(acct: AccountSpec, days_in_month: int = 30) -> dict[str, float]:
    """USD per day by CE service for ``acct`` (before the deterministic monthly usage jitter)."""
    h = 24.0
    fargate = sum(s.desired * (s.cpu / 1024 * PRICE["fargate_vcpu_hour"] + s.memory / 1024 * PRICE["fargate_gb_hour"])
                  for s in acct.services) * h
    nat = nat_count(acct) * PRICE["nat_hour"] * h + nat_gb_per_day(acct) * PRICE["nat_gb"]
    ipv4 = public_ipv4_count(acct) * PRICE["public_ipv4_hour"] * h
    elb = sum(PRICE["alb_hour"] + alb_lcu_per_hour(s) * PRICE["alb_lcu_hour"] for s in acct.services) * h
    multi = 2 if acct.rds_multi_az else 1
    rds = (RDS_POSTGRES_HOUR[acct.rds_class] * multi * h
           + acct.rds_storage_gb * PRICE["rds_gp2_gb_month"] * multi / days_in_month)
    docdb = (DOCDB_HOUR[acct.docdb_class] * acct.docdb_instances * h
             + DOCDB_STORAGE_GB[acct.environment] * PRICE["docdb_storage_gb_month"] / days_in_month
             + DOCDB_IO_MILLION_PER_DAY[acct.environment] * PRICE["docdb_io_million"])
    redis = REDIS_HOUR[acct.redis_node_type] * acct.redis_nodes * h
    rcu, wcu = acct.ddb_provisioned
    reads, writes = SESSIONS_PER_DAY[acct.environment]
    ddb = ((rcu * PRICE["ddb_rcu_hour"] + wcu * PRICE["ddb_wcu_hour"]) * h
           + reads / 1e6 * PRICE["ddb_rru_million"] + writes / 1e6 * PRICE["ddb_wru_million"]
           + sum(DDB_STORAGE_GB.values()) * PRICE["ddb_storage_gb_month"] / days_in_month)
    cloudfront = (acct.cloudfront_gb_per_day * PRICE["cloudfront_gb"]
                  + acct.cloudfront_requests_per_day / 10_000 * PRICE["cloudfront_https_10k"])
    n = len(acct.services)
    builds_per_day = acct.pipeline_executions / 30.0
    codebuild = n * builds_per_day * build_minutes(acct) * PRICE["codebuild_large_minute"]
    codepipeline = n * PRICE["codepipeline_v1_month"] / days_in_month
    logs_gb = sum(s.desired for s in acct.services) * 0.35
    cloudwatch = logs_gb * PRICE["logs_ingest_gb"] + 40 * PRICE["metric_month"] / days_in_month
    ecr = n * 3.5 * PRICE["ecr_gb_month"] / days_in_month
    return {ECS: fargate, EC2_OTHER: nat, VPC: ipv4, ELB: elb, RDS: rds, DOCDB: docdb, ELASTICACHE: redis,
            DYNAMODB: ddb, CLOUDFRONT: cloudfront, CODEPIPELINE: codepipeline, CODEBUILD: codebuild,
            CLOUDWATCH: cloudwatch, ECR: ecr}


USAGE_DRIVEN = {EC2_OTHER, ELB, CLOUDFRONT, CODEBUILD, CLOUDWATCH, DYNAMODB}


def _month_days(d: date) -> int:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (nxt - d.replace(day=1)).days


def cost_for_period(acct: AccountSpec, start: date, end: date) -> dict[str, float]:
    """USD by CE service for the days in [start, end); usage-driven services jitter ±4 % per month."""
    totals: dict[str, float] = {}
    day = start
    while day < end:
        days_in_month = _month_days(day)
        jitter_month = f"{day.year}-{day.month:02d}"
        for service, usd in daily_costs(acct, days_in_month).items():
            if service in USAGE_DRIVEN:
                usd *= 1 + 0.04 * (2 * stable_rng(acct.account_id, service, jitter_month).random() - 1)
            totals[service] = totals.get(service, 0.0) + usd
        day += timedelta(days=1)
    return totals


def monthly_costs(acct: AccountSpec, month_start: date) -> dict[str, float]:
    end = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return cost_for_period(acct, month_start, end)


# ------------------------------------------------------------------------------------------------------------
# Footprints: what an estate runs, priced like daily_costs. The fintech estate's comes from its spec
# (footprint_of: priced, it equals daily_costs); an after-migration estate's from what awsassess.demo.seed_after
# seeded (register_bill), so its Cost Explorer answer is the bill of what is seeded, not the bill before.
EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"


@dataclass(frozen=True)
class DynamoTable:
    name: str
    mode: str  # PROVISIONED | PAY_PER_REQUEST
    rcu: int = 0
    wcu: int = 0
    reads_per_day: float = 0.0  # request units, billed on PAY_PER_REQUEST only
    writes_per_day: float = 0.0


@dataclass(frozen=True)
class Footprint:
    """The quantities an estate pays for, per day unless said otherwise (us-east-1 list prices)."""

    environment: str
    fargate: tuple[tuple[int, int, int, str], ...]  # per service on Fargate: (tasks, CPU units, MiB, arch)
    instances: tuple[tuple[str, int], ...]  # EC2 container instances: (instance type, count)
    root_volume_gb: int  # gp3 root volume per instance
    nat_gateways: int
    nat_gb_per_day: float  # processed by all NAT gateways together
    public_ipv4: int
    alb_lcus: tuple[float, ...]  # LCUs per hour, one entry per ALB
    rds_engine: str
    rds_class: str
    rds_multi_az: bool
    rds_storage_gb: int
    rds_storage_type: str
    docdb_classes: tuple[str, ...]  # one per instance
    cache_engine: str
    cache_node_type: str
    cache_nodes: int
    dynamodb: tuple[DynamoTable, ...]
    cloudfront_gb_per_day: float
    cloudfront_requests_per_day: int
    pipelines: int  # CodePipeline V1 pipelines
    build_projects: int
    builds_per_day: float  # per project
    build_minutes: float  # billed minutes per build
    tasks: int  # running ECS tasks (their log volume)
    repositories: int  # ECR repositories


def footprint_of(acct: AccountSpec) -> Footprint:
    """The fintech estate of ``acct`` as seeded (awsassess.demo.seed_*): priced, it is :func:`daily_costs`."""
    reads, writes = SESSIONS_PER_DAY[acct.environment]
    n = len(acct.services)
    return Footprint(
        environment=acct.environment,
        fargate=tuple((s.desired, s.cpu, s.memory, "x86_64") for s in acct.services), instances=(),
        root_volume_gb=0, nat_gateways=nat_count(acct), nat_gb_per_day=nat_gb_per_day(acct),
        public_ipv4=public_ipv4_count(acct), alb_lcus=tuple(alb_lcu_per_hour(s) for s in acct.services),
        rds_engine="postgres", rds_class=acct.rds_class, rds_multi_az=acct.rds_multi_az,
        rds_storage_gb=acct.rds_storage_gb, rds_storage_type="gp2",
        docdb_classes=(acct.docdb_class,) * acct.docdb_instances,
        cache_engine="redis", cache_node_type=acct.redis_node_type, cache_nodes=acct.redis_nodes,
        dynamodb=(DynamoTable("ledger", "PROVISIONED", *acct.ddb_provisioned),
                  DynamoTable("sessions", "PAY_PER_REQUEST", reads_per_day=reads, writes_per_day=writes)),
        cloudfront_gb_per_day=acct.cloudfront_gb_per_day, cloudfront_requests_per_day=acct.cloudfront_requests_per_day,
        pipelines=n, build_projects=n, builds_per_day=acct.pipeline_executions / 30.0,
        build_minutes=build_minutes(acct), tasks=sum(s.desired for s in acct.services), repositories=n)


def catalog_usd(service: str, item: str) -> float:
    """A us-east-1 price of the package catalog (``awsassess/pricing/data/prices.csv``, each row with its
    source) for what the constants above do not hold (Graviton and Valkey classes, EC2 instances, gp3)."""
    from awsassess.pricing.catalog import PriceCatalog

    row = PriceCatalog.package().find(service, item, "us-east-1")
    if row is None:
        raise KeyError(f"no us-east-1 price for {service} {item} in the package catalog (pricing/data/prices.csv)")
    return float(row.usd)


def _fargate_hour(arch: str) -> tuple[float, float]:
    if arch == "x86_64":
        return PRICE["fargate_vcpu_hour"], PRICE["fargate_gb_hour"]
    return (catalog_usd("AmazonECS", f"fargate_vcpu_hour:{arch}"), catalog_usd("AmazonECS", f"fargate_gb_hour:{arch}"))


def _rds_hour(engine: str, cls: str) -> float:
    if engine == "postgres" and cls in RDS_POSTGRES_HOUR:
        return RDS_POSTGRES_HOUR[cls]
    return catalog_usd("AmazonRDS", f"instance_hour:{engine}:{cls}")


def _rds_gb_month(storage_type: str) -> float:
    return PRICE["rds_gp2_gb_month"] if storage_type == "gp2" else catalog_usd("AmazonRDS", f"storage_gb_month:{storage_type}")


def _docdb_hour(cls: str) -> float:
    return DOCDB_HOUR[cls] if cls in DOCDB_HOUR else catalog_usd("AmazonDocDB", f"instance_hour:{cls}")


def _cache_hour(engine: str, cls: str) -> float:
    if engine == "redis" and cls in REDIS_HOUR:
        return REDIS_HOUR[cls]
    return catalog_usd("AmazonElastiCache", f"node_hour:{engine}:{cls}")


def footprint_daily_costs(fp: Footprint, days_in_month: int = 30) -> dict[str, float]:
    """USD per day by CE service for ``fp`` (before the monthly usage jitter); services costing nothing are left out."""
    h = 24.0
    fargate = 0.0
    for tasks, cpu, memory, arch in fp.fargate:
        vcpu, gb = _fargate_hour(arch)
        fargate += tasks * (cpu / 1024 * vcpu + memory / 1024 * gb)
    fargate *= h
    compute = sum(count * catalog_usd("AmazonEC2", f"instance_hour:{itype}") for itype, count in fp.instances) * h
    root_gb = sum(count for _, count in fp.instances) * fp.root_volume_gb
    ebs = root_gb * catalog_usd("AmazonEC2", "ebs_gb_month:gp3") / days_in_month if root_gb else 0.0
    nat = fp.nat_gateways * PRICE["nat_hour"] * h + fp.nat_gb_per_day * PRICE["nat_gb"] + ebs
    ipv4 = fp.public_ipv4 * PRICE["public_ipv4_hour"] * h
    elb = sum(PRICE["alb_hour"] + lcu * PRICE["alb_lcu_hour"] for lcu in fp.alb_lcus) * h
    multi = 2 if fp.rds_multi_az else 1
    rds = (_rds_hour(fp.rds_engine, fp.rds_class) * multi * h
           + fp.rds_storage_gb * _rds_gb_month(fp.rds_storage_type) * multi / days_in_month)
    docdb = (sum(_docdb_hour(c) for c in fp.docdb_classes) * h
             + DOCDB_STORAGE_GB[fp.environment] * PRICE["docdb_storage_gb_month"] / days_in_month
             + DOCDB_IO_MILLION_PER_DAY[fp.environment] * PRICE["docdb_io_million"])
    redis = _cache_hour(fp.cache_engine, fp.cache_node_type) * fp.cache_nodes * h
    ddb = sum(DDB_STORAGE_GB.values()) * PRICE["ddb_storage_gb_month"] / days_in_month
    for t in fp.dynamodb:
        if t.mode == "PROVISIONED":
            ddb += (t.rcu * PRICE["ddb_rcu_hour"] + t.wcu * PRICE["ddb_wcu_hour"]) * h
        else:
            ddb += t.reads_per_day / 1e6 * PRICE["ddb_rru_million"] + t.writes_per_day / 1e6 * PRICE["ddb_wru_million"]
    cloudfront = (fp.cloudfront_gb_per_day * PRICE["cloudfront_gb"]
                  + fp.cloudfront_requests_per_day / 10_000 * PRICE["cloudfront_https_10k"])
    codebuild = fp.build_projects * fp.builds_per_day * fp.build_minutes * PRICE["codebuild_large_minute"]
    codepipeline = fp.pipelines * PRICE["codepipeline_v1_month"] / days_in_month
    cloudwatch = fp.tasks * 0.35 * PRICE["logs_ingest_gb"] + 40 * PRICE["metric_month"] / days_in_month
    ecr = fp.repositories * 3.5 * PRICE["ecr_gb_month"] / days_in_month
    out = {ECS: fargate, EC2_COMPUTE: compute, EC2_OTHER: nat, VPC: ipv4, ELB: elb, RDS: rds, DOCDB: docdb,
           ELASTICACHE: redis, DYNAMODB: ddb, CLOUDFRONT: cloudfront, CODEPIPELINE: codepipeline,
           CODEBUILD: codebuild, CLOUDWATCH: cloudwatch, ECR: ecr}
    return {k: v for k, v in out.items() if v > 0}


@dataclass(frozen=True)
class Bill:
    """An estate whose spend changed on ``cutover``: days before it are billed as the fintech estate, days from it
    as ``footprint``."""

    cutover: date
    footprint: Footprint


# account id -> its bill after a migration (awsassess.demo.seed_after registers it in the estate's server)
BILLS: dict[str, Bill] = {}


def register_bill(account_id: str, bill: Bill) -> None:
    BILLS[account_id] = bill


def account_cost_for_period(acct: AccountSpec, start: date, end: date) -> dict[str, float]:
    """What Cost Explorer answers for ``acct`` over [start, end): :func:`cost_for_period`, unless a :class:`Bill` is
    registered for the account; then the days from its cut-over are priced from its footprint (same ±4 % monthly
    jitter of the usage-driven services)."""
    bill = BILLS.get(acct.account_id)
    if bill is None:
        return cost_for_period(acct, start, end)
    totals = cost_for_period(acct, start, min(end, bill.cutover)) if start < bill.cutover else {}
    day = max(start, bill.cutover)
    while day < end:
        jitter_month = f"{day.year}-{day.month:02d}"
        for service, usd in footprint_daily_costs(bill.footprint, _month_days(day)).items():
            if service in USAGE_DRIVEN:
                usd *= 1 + 0.04 * (2 * stable_rng(acct.account_id, service, jitter_month).random() - 1)
            totals[service] = totals.get(service, 0.0) + usd
        day += timedelta(days=1)
    return totals
