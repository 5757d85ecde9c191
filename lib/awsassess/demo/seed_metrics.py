"""Seed 14 days of hourly CloudWatch series with the real namespaces, metric names and dimensions.

Values follow the estate spec: the p95 of a service's hourly average CPU/memory equals its
``cpu_p95``/``mem_p95``; bootstrap-starved services hit 100 % CPU (Maximum) in the start-up window
after each deployment; NAT bytes, ALB requests/LCUs, DynamoDB consumed capacity and CloudFront
traffic come from the same usage figures as the Cost Explorer model (:mod:`awsassess.demo.costs`).
Datapoints are aggregated (Sum/Min/Max/SampleCount per hour) and written straight into moto's
CloudWatch backend (simulation fill), which is how put_metric_data with StatisticValues stores them.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from awsassess.demo import costs
from awsassess.demo.seed_data import names as data_names
from awsassess.demo.seedkit import AccountState, Seeder, stable_rng
from awsassess.demo.sim.cloudwatch import put_metric_series

DAYS = 14
Point = tuple[datetime, float, float, float, float]


def hours(seeder: Seeder, days: int = DAYS) -> list[datetime]:
    return [seeder.now - timedelta(hours=h) for h in range(days * 24, 0, -1)]


def diurnal(ts: datetime, amplitude: float) -> float:
    """Business-hours load (peak ~15:00 UTC); averages 1 over a day."""
    return 1.0 + amplitude * math.sin(2 * math.pi * (ts.hour - 9) / 24)


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def shaped(ts: list[datetime], rng: random.Random, amplitude: float, noise: float) -> list[float]:
    return [max(0.01, diurnal(t, amplitude) * (1 + rng.gauss(0, noise))) for t in ts]


def to_p95(raw: list[float], target: float, cap: float = 100.0) -> list[float]:
    """Scale ``raw`` so its 95th percentile is ``target`` (clipped to ``cap``)."""
    p95 = _percentile(raw, 0.95)
    return [min(cap, v * target / p95) for v in raw]


def pct_points(ts: list[datetime], avgs: list[float], rng: random.Random, peak: float = 1.35,
               samples: int = 60, maxima: list[float] | None = None) -> list[Point]:
    out = []
    for i, (t, a) in enumerate(zip(ts, avgs, strict=True)):
        hi = maxima[i] if maxima else min(100.0, a * (peak + 0.15 * rng.random()))
        out.append((t, a * samples, a * (0.6 + 0.2 * rng.random()), max(hi, a), float(samples)))
    return out


def sum_points(ts: list[datetime], totals: list[float], samples: int = 60) -> list[Point]:
    return [(t, v, v / samples * 0.5, v / samples * 1.8, float(samples)) for t, v in zip(ts, totals, strict=True)]


def avg_points(ts: list[datetime], avgs: list[float], samples: int = 60) -> list[Point]:
    return [(t, a * samples, a * 0.9, a * 1.1, float(samples)) for t, a in zip(ts, avgs, strict=True)]


def seed_metrics(seeder: Seeder, state: AccountState) -> None:
    acct, region, acct_id = state.spec, state.spec.region, state.account_id
    ts = hours(seeder)

    def put(ns: str, metric: str, dims: dict[str, str], points: list[Point], unit: str | None = None) -> None:
        put_metric_series(acct_id, region, ns, metric, dims, points, unit)

    # ---------------------------------------------------------------- ECS services
    for svc in acct.services:
        rng = stable_rng(acct_id, svc.name, "ecs-metrics")
        dims = {"ClusterName": state.cluster_name, "ServiceName": svc.name}
        cpu = to_p95(shaped(ts, rng, 0.35 if not svc.bootstrap_starved else 0.08, 0.12), svc.cpu_p95)
        maxima = None
        if svc.bootstrap_starved:
            starts = state.extra.get("deploy_starts", {}).get(svc.name, [])
            windows = {(s + timedelta(hours=h)).replace(minute=0, second=0, microsecond=0) for s in starts for h in (0, 1)}
            maxima = [100.0 if t in windows else min(100.0, c * 1.05 + 2) for t, c in zip(ts, cpu, strict=True)]
        put("AWS/ECS", "CPUUtilization", dims, pct_points(ts, cpu, rng, maxima=maxima), "Percent")
        mem = to_p95(shaped(ts, rng, 0.08, 0.04), svc.mem_p95)
        put("AWS/ECS", "MemoryUtilization", dims, pct_points(ts, mem, rng, peak=1.08), "Percent")
        # ---------------------------------------------------------------- ALB
        lb = state.lbs.get(svc.name)
        if lb:
            lrng = stable_rng(acct_id, svc.name, "alb")
            load = shaped(ts, lrng, 0.45, 0.08)
            put("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb.lb_dimension},
                sum_points(ts, [svc.requests_per_hour * f for f in load]), "Count")
            lcu = costs.alb_lcu_per_hour(svc)
            put("AWS/ApplicationELB", "ConsumedLCUs", {"LoadBalancer": lb.lb_dimension},
                avg_points(ts, [lcu * f for f in load]), "Count")
            healthy, unhealthy = [], []
            starts = {(s + timedelta(hours=h)).replace(minute=0, second=0, microsecond=0)
                      for s in state.extra.get("deploy_starts", {}).get(svc.name, []) for h in (0, 1)}
            for t in ts:
                bad = svc.bootstrap_starved and t in starts
                healthy.append(float(svc.desired - (1 if bad else 0)))
                unhealthy.append(1.0 if bad else 0.0)
            tg_dims = {"TargetGroup": lb.tg_dimension, "LoadBalancer": lb.lb_dimension}
            put("AWS/ApplicationELB", "HealthyHostCount", tg_dims, avg_points(ts, healthy), "Count")
            put("AWS/ApplicationELB", "UnHealthyHostCount", tg_dims, avg_points(ts, unhealthy), "Count")
        # ---------------------------------------------------------------- NAT gateways of its VPC
        ids = state.vpcs.get(svc.name)
        for nat in ids.nat_ids if ids else []:
            nrng = stable_rng(acct_id, nat, "nat")
            per_hour = [svc.nat_gb_per_day * 1e9 / 24 * f for f in shaped(ts, nrng, 0.3, 0.1)]
            out_share = 0.3
            put("AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": nat},
                sum_points(ts, [v * out_share for v in per_hour]), "Bytes")
            put("AWS/NATGateway", "BytesInFromSource", {"NatGatewayId": nat},
                sum_points(ts, [v * out_share for v in per_hour]), "Bytes")
            put("AWS/NATGateway", "BytesInFromDestination", {"NatGatewayId": nat},
                sum_points(ts, [v * (1 - out_share) for v in per_hour]), "Bytes")
            put("AWS/NATGateway", "BytesOutToSource", {"NatGatewayId": nat},
                sum_points(ts, [v * (1 - out_share) for v in per_hour]), "Bytes")

    # ---------------------------------------------------------------- databases
    n = data_names(state)
    rng = stable_rng(acct_id, "rds")
    conns = max(10, sum(s.desired for s in acct.services) * 6)
    put("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": n["postgres"]},
        pct_points(ts, to_p95(shaped(ts, rng, 0.3, 0.1), acct.rds_cpu_p95), rng), "Percent")
    put("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": n["postgres"]},
        avg_points(ts, [conns * f for f in shaped(ts, rng, 0.2, 0.05)]), "Count")
    for i in range(acct.docdb_instances):
        iid = f"{n['docdb']}-{i + 1}"
        drng = stable_rng(acct_id, iid)
        put("AWS/DocDB", "CPUUtilization", {"DBInstanceIdentifier": iid},
            pct_points(ts, to_p95(shaped(ts, drng, 0.25, 0.1), acct.docdb_cpu_p95), drng), "Percent")
        put("AWS/DocDB", "DatabaseConnections", {"DBInstanceIdentifier": iid},
            avg_points(ts, [conns / 2 * f for f in shaped(ts, drng, 0.2, 0.05)]), "Count")
    cluster_dims = {"DBClusterIdentifier": n["docdb"]}
    vrng = stable_rng(acct_id, n["docdb"], "volume")
    stored = costs.DOCDB_STORAGE_GB[acct.environment] * 1e9
    put("AWS/DocDB", "VolumeBytesUsed", cluster_dims,
        avg_points(ts, [stored * (0.97 + 0.03 * i / len(ts)) for i in range(len(ts))], samples=12), "Bytes")
    ios_per_hour = costs.DOCDB_IO_MILLION_PER_DAY[acct.environment] * 1e6 / 24
    for metric, share in (("VolumeReadIOPs", 0.7), ("VolumeWriteIOPs", 0.3)):
        put("AWS/DocDB", metric, cluster_dims,
            sum_points(ts, [ios_per_hour * share * f for f in shaped(ts, vrng, 0.3, 0.05)], samples=12), "Count")
    for i in range(acct.redis_nodes):
        cid = f"{n['redis']}-{i + 1:03d}"
        crng = stable_rng(acct_id, cid)
        put("AWS/ElastiCache", "CPUUtilization", {"CacheClusterId": cid},
            pct_points(ts, to_p95(shaped(ts, crng, 0.3, 0.1), 9.0 if i == 0 else 4.0), crng), "Percent")
        put("AWS/ElastiCache", "EngineCPUUtilization", {"CacheClusterId": cid},
            pct_points(ts, to_p95(shaped(ts, crng, 0.3, 0.1), 14.0 if i == 0 else 6.0), crng), "Percent")
        put("AWS/ElastiCache", "CurrConnections", {"CacheClusterId": cid},
            avg_points(ts, [conns * 1.5 * f for f in shaped(ts, crng, 0.2, 0.05)]), "Count")

    # ---------------------------------------------------------------- DynamoDB
    rcu, wcu = acct.ddb_provisioned
    lrng = stable_rng(acct_id, "ledger")
    load = shaped(ts, lrng, 0.4, 0.1)
    share = acct.ddb_consumed_share
    put("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": n["ledger"]},
        sum_points(ts, [rcu * share * 3600 * f for f in load]), "Count")
    put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": n["ledger"]},
        sum_points(ts, [wcu * share * 3600 * f for f in load]), "Count")
    put("AWS/DynamoDB", "ProvisionedReadCapacityUnits", {"TableName": n["ledger"]},
        avg_points(ts, [float(rcu)] * len(ts), samples=12), "Count")
    put("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", {"TableName": n["ledger"]},
        avg_points(ts, [float(wcu)] * len(ts), samples=12), "Count")
    reads, writes = costs.SESSIONS_PER_DAY[acct.environment]
    srng = stable_rng(acct_id, "sessions")
    sload = shaped(ts, srng, 0.5, 0.1)
    put("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": n["sessions"]},
        sum_points(ts, [reads / 24 * f for f in sload]), "Count")
    put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": n["sessions"]},
        sum_points(ts, [writes / 24 * f for f in sload]), "Count")

    # ---------------------------------------------------------------- CloudFront (global, in us-east-1)
    dist = state.extra.get("distribution_id")
    if dist:
        frng = stable_rng(acct_id, dist)
        dims = {"DistributionId": dist, "Region": "Global"}
        fload = shaped(ts, frng, 0.4, 0.08)
        put("AWS/CloudFront", "Requests", dims,
            sum_points(ts, [acct.cloudfront_requests_per_day / 24 * f for f in fload]), "None")
        put("AWS/CloudFront", "BytesDownloaded", dims,
            sum_points(ts, [acct.cloudfront_gb_per_day * 1e9 / 24 * f for f in fload]), "None")
        put("AWS/CloudFront", "CacheHitRate", dims,
            avg_points(ts, [max(0.0, min(100.0, acct.cloudfront_hit_rate + frng.gauss(0, 2.5))) for _ in ts]),
            "Percent")
