"""What the seeded estate costs at us-east-1 list prices, by Cost Explorer SERVICE name.

The Cost Explorer fill (``sim.costexplorer.patch_cost_explorer``) answers ``GetCostAndUsage`` from
here, and the CloudWatch series are seeded from the same usage figures (NAT bytes, ALB LCUs,
CloudFront traffic, DynamoDB capacity), so spend, metrics and inventory tell one consistent story.
Prices: ``../shared/reference/pricing-facts.md`` of the steering repo (us-east-1, on-demand, 730 h/month
convention).
"""

from __future__ import annotations

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
