"""A snapshot built by hand from ``awsassess.demo.estate`` (the model's tests use it without a server).

It mirrors what the seeder creates and the collectors read: the same resources, the same metric
namespaces/names/dimensions (14 days, hourly), the same pipeline timing, and the Cost Explorer spend
of :mod:`awsassess.demo.costs` (the estate's own bill at list prices). The end-to-end test through
the simulated estate and the collectors lives in ``test_model_demo.py``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from awsassess.demo.estate import APP, PRODUCTION, STAGING, AccountSpec
from awsassess.snapshot import Snapshot, empty_frame

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOURS = 14 * 24
BUILD_COMPUTE = "BUILD_GENERAL1_LARGE"
DOCDB_STORAGE_GB = {"production": 180, "staging": 25}
DOCDB_IO_PER_DAY = {"production": 40e6, "staging": 2e6}
DDB_STORAGE_GB = {"ledger": 40.0, "sessions": 6.0}
SESSIONS_PER_DAY = {"production": (6_000_000, 1_200_000), "staging": (90_000, 20_000)}


def _shape(n: int, amplitude: float, phase: int = 9) -> list[float]:
    return [1.0 + amplitude * math.sin(2 * math.pi * ((h % 24) - phase) / 24) for h in range(n)]


def _to_p95(raw: list[float], target: float) -> list[float]:
    p95 = float(pd.Series(raw).quantile(0.95))
    return [v * target / p95 for v in raw]


def _metric_rows(acct: AccountSpec, ns: str, metric: str, dims: dict[str, str], rid: str, stat: str,
                 values: list[float]) -> list[dict[str, object]]:
    start = NOW - timedelta(hours=len(values))
    d = json.dumps(dims, sort_keys=True)
    return [{"account_id": acct.account_id, "region": "global" if ns == "AWS/CloudFront" else acct.region,
             "namespace": ns, "metric": metric, "dimensions": d, "resource_id": rid, "stat": stat, "period_s": 3600,
             "timestamp": start + timedelta(hours=i), "value": float(v)} for i, v in enumerate(values)]


def build(acct: AccountSpec) -> Snapshot:
    env, a, region = acct.environment, acct.account_id, acct.region
    short = "prod" if env == "production" else "stg"
    cluster = f"{APP}-{env}"
    base = {"account_id": a, "region": region}
    t: dict[str, list[dict[str, object]]] = {k: [] for k in (
        "vpcs", "subnets", "nat_gateways", "elastic_ips", "vpc_peerings", "load_balancers", "target_groups",
        "listeners", "ecs_clusters", "ecs_services", "autoscaling_targets", "db_instances", "db_clusters",
        "cache_clusters", "replication_groups", "dynamodb_tables", "distributions", "pipelines",
        "pipeline_executions", "pipeline_action_executions", "build_projects", "builds", "deployment_groups",
        "metrics", "spend")}
    vpc_of: dict[str, str] = {}
    for i, svc in enumerate(acct.services):
        vpc = f"vpc-{env[:4]}{i:02d}"
        vpc_of[svc.name] = vpc
        t["vpcs"].append({**base, "vpc_id": vpc, "cidr": f"10.{10 + i}.0.0/16", "name": f"{APP}-{env}-{svc.name}",
                          "is_default": False, "state": "available", "tags": "{}"})
        private = []
        for z, az in enumerate(acct.azs):
            for pub in (True, False):
                sid = f"subnet-{env[:4]}{i:02d}{z}{'p' if pub else 'q'}"
                t["subnets"].append({**base, "subnet_id": sid, "vpc_id": vpc, "az": az, "public": pub,
                                     "cidr": f"10.{10 + i}.{z + (0 if pub else 10)}.0/24", "name": sid})
                if not pub:
                    private.append(sid)
        nat_azs = acct.azs if acct.nat_per_az else acct.azs[:1]
        for z, az in enumerate(nat_azs):
            nat, ip = f"nat-{env[:4]}{i:02d}{z}", f"3.{i}.{z}.{len(t['nat_gateways']) + 1}"
            t["nat_gateways"].append({**base, "nat_gateway_id": nat, "vpc_id": vpc, "subnet_id": f"subnet-{env[:4]}{i:02d}{z}p",
                                      "az": az, "state": "available", "connectivity_type": "public", "public_ip": ip})
            t["elastic_ips"].append({**base, "allocation_id": f"eipalloc-{nat[4:]}", "public_ip": ip,
                                     "association_id": f"eipassoc-{nat[4:]}", "instance_id": "",
                                     "network_interface_id": f"eni-{nat[4:]}"})
            total = svc.nat_gb_per_day * 1e9 / 24
            shape = _shape(HOURS, 0.3)
            mean = sum(shape) / len(shape)
            per_hour = [total * s / mean for s in shape]
            for metric, share in (("BytesOutToDestination", 0.3), ("BytesInFromSource", 0.3),
                                  ("BytesInFromDestination", 0.7), ("BytesOutToSource", 0.7)):
                t["metrics"] += _metric_rows(acct, "AWS/NATGateway", metric, {"NatGatewayId": nat}, nat, "Sum",
                                             [v * share for v in per_hour])
        lb_name = f"{APP}-{short}-{svc.name}"
        lb_arn = f"arn:aws:elasticloadbalancing:{region}:{a}:loadbalancer/app/{lb_name}/{i:016x}"
        tg_arn = f"arn:aws:elasticloadbalancing:{region}:{a}:targetgroup/{lb_name}-tg/{i:016x}"
        t["load_balancers"].append({**base, "arn": lb_arn, "name": lb_name, "type": "application",
                                    "scheme": "internet-facing" if svc.public else "internal", "vpc_id": vpc,
                                    "state": "active", "azs": json.dumps(list(acct.azs))})
        t["target_groups"].append({**base, "arn": tg_arn, "name": f"{lb_name}-tg", "vpc_id": vpc, "protocol": "HTTP",
                                   "port": 8080, "target_type": "ip", "load_balancer_arns": json.dumps([lb_arn]),
                                   "deregistration_delay_s": 300, "health_check_path": "/healthz",
                                   "health_check_interval_s": 30, "healthy_threshold": 5})
        t["listeners"].append({**base, "listener_arn": lb_arn.replace("loadbalancer", "listener") + "/l",
                               "load_balancer_arn": lb_arn, "protocol": "HTTP", "port": 80, "rule_count": 1})
        lcu = max(0.05, svc.requests_per_hour * 15_000 / 1e9)
        dim = {"LoadBalancer": lb_arn.split(":loadbalancer/")[1]}
        t["metrics"] += _metric_rows(acct, "AWS/ApplicationELB", "ConsumedLCUs", dim, lb_name, "Average",
                                     [lcu] * HOURS)
        t["metrics"] += _metric_rows(acct, "AWS/ApplicationELB", "RequestCount", dim, lb_name, "Sum",
                                     [svc.requests_per_hour] * HOURS)
        arn = f"arn:aws:ecs:{region}:{a}:service/{cluster}/{svc.name}"
        t["ecs_services"].append({
            **base, "service_arn": arn, "service_name": svc.name, "cluster": cluster, "launch_type": "FARGATE",
            "capacity_providers": "[]", "desired_count": svc.desired, "running_count": svc.desired,
            "task_definition": f"arn:aws:ecs:{region}:{a}:task-definition/{APP}-{env}-{svc.name}:3",
            "cpu": svc.cpu, "memory": svc.memory, "cpu_architecture": "X86_64",
            "deployment_controller": "CODE_DEPLOY", "target_group_arns": json.dumps([tg_arn]),
            "subnets": json.dumps(private), "assign_public_ip": False})
        dims = {"ClusterName": cluster, "ServiceName": svc.name}
        t["metrics"] += _metric_rows(acct, "AWS/ECS", "CPUUtilization", dims, svc.name, "Average",
                                     _to_p95(_shape(HOURS, 0.35), svc.cpu_p95))
        t["metrics"] += _metric_rows(acct, "AWS/ECS", "MemoryUtilization", dims, svc.name, "Average",
                                     _to_p95(_shape(HOURS, 0.08), svc.mem_p95))
        if svc.name in ("web", "api"):
            t["autoscaling_targets"].append({**base, "resource_id": f"service/{cluster}/{svc.name}",
                                             "service_namespace": "ecs", "scalable_dimension": "ecs:service:DesiredCount",
                                             "min_capacity": svc.desired, "max_capacity": svc.desired * 4,
                                             "policy_count": 1, "policies": "[]"})
    hub = vpc_of.get("api")
    for name, vpc in vpc_of.items():
        if name != "api" and hub:
            t["vpc_peerings"].append({**base, "peering_id": f"pcx-{vpc[4:]}", "requester_vpc_id": hub,
                                      "accepter_vpc_id": vpc, "requester_account_id": a, "accepter_account_id": a,
                                      "status": "active"})
    if env == "staging":
        t["elastic_ips"].append({**base, "allocation_id": "eipalloc-idle", "public_ip": "3.99.99.99",
                                 "association_id": "", "instance_id": "", "network_interface_id": ""})
    t["ecs_clusters"].append({**base, "cluster_arn": f"arn:aws:ecs:{region}:{a}:cluster/{cluster}",
                              "cluster_name": cluster, "status": "ACTIVE",
                              "capacity_providers": json.dumps(["FARGATE", "FARGATE_SPOT"]),
                              "default_strategy": json.dumps([{"capacityProvider": "FARGATE", "weight": 1}])})
    # ------------------------------------------------------------------ data stores
    pg, docdb, redis = f"{APP}-{env}-postgres", f"{APP}-{env}-docdb", f"{APP}-{env}-redis"
    t["db_instances"].append({**base, "db_instance_id": pg, "engine": "postgres", "instance_class": acct.rds_class,
                              "multi_az": acct.rds_multi_az, "storage_type": "gp2",
                              "allocated_gb": acct.rds_storage_gb, "iops": 0, "cluster_id": "", "status": "available"})
    t["metrics"] += _metric_rows(acct, "AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": pg}, pg, "Average",
                                 _to_p95(_shape(HOURS, 0.3), acct.rds_cpu_p95))
    t["db_clusters"].append({**base, "cluster_id": docdb, "engine": "docdb", "storage_type": "",
                             "members": acct.docdb_instances, "multi_az": acct.docdb_instances > 1,
                             "status": "available", "allocated_gb": 0})
    for i in range(acct.docdb_instances):
        iid = f"{docdb}-{i + 1}"
        t["db_instances"].append({**base, "db_instance_id": iid, "engine": "docdb",
                                  "instance_class": acct.docdb_class, "multi_az": False, "storage_type": "aurora",
                                  "allocated_gb": 1, "iops": 0, "cluster_id": docdb, "status": "available"})
        t["metrics"] += _metric_rows(acct, "AWS/DocDB", "CPUUtilization", {"DBInstanceIdentifier": iid}, iid,
                                     "Average", _to_p95(_shape(HOURS, 0.25), acct.docdb_cpu_p95))
    cdims = {"DBClusterIdentifier": docdb}
    t["metrics"] += _metric_rows(acct, "AWS/DocDB", "VolumeBytesUsed", cdims, docdb, "Average",
                                 [DOCDB_STORAGE_GB[env] * 1e9] * HOURS)
    for metric in ("VolumeReadIOPs", "VolumeWriteIOPs"):
        t["metrics"] += _metric_rows(acct, "AWS/DocDB", metric, cdims, docdb, "Sum",
                                     [DOCDB_IO_PER_DAY[env] / 2 / 24] * HOURS)
    t["replication_groups"].append({**base, "id": redis, "engine": "redis", "node_type": acct.redis_node_type,
                                    "nodes": acct.redis_nodes, "multi_az": acct.redis_nodes > 1, "status": "available"})
    for i in range(acct.redis_nodes):
        t["cache_clusters"].append({**base, "id": f"{redis}-{i + 1:03d}", "engine": "redis",
                                    "node_type": acct.redis_node_type, "nodes": 1, "replication_group_id": redis,
                                    "status": "available", "az": acct.azs[i % len(acct.azs)]})
    rcu, wcu = acct.ddb_provisioned
    for name, mode in (("ledger", "PROVISIONED"), ("sessions", "PAY_PER_REQUEST")):
        tname = f"{APP}-{env}-{name}"
        t["dynamodb_tables"].append({**base, "table_name": tname, "billing_mode": mode,
                                     "rcu": rcu if mode == "PROVISIONED" else 0,
                                     "wcu": wcu if mode == "PROVISIONED" else 0,
                                     "size_bytes": int(DDB_STORAGE_GB[name] * 1e9), "table_class": "STANDARD",
                                     "key_schema": json.dumps({"hash_key": "pk", "range_key": "sk",
                                                               "attributes": {"pk": "S", "sk": "S"}})})
        shape = _shape(HOURS, 0.4)
        mean = sum(shape) / len(shape)
        if mode == "PROVISIONED":
            reads = [rcu * acct.ddb_consumed_share * 3600 * s / mean for s in shape]
            writes = [wcu * acct.ddb_consumed_share * 3600 * s / mean for s in shape]
        else:
            r, w = SESSIONS_PER_DAY[env]
            reads, writes = [r / 24 * s / mean for s in shape], [w / 24 * s / mean for s in shape]
        d = {"TableName": tname}
        t["metrics"] += _metric_rows(acct, "AWS/DynamoDB", "ConsumedReadCapacityUnits", d, tname, "Sum", reads)
        t["metrics"] += _metric_rows(acct, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", d, tname, "Sum", writes)
    dist = f"E{env[:4].upper()}DIST"
    t["distributions"].append({"account_id": a, "region": "global", "distribution_id": dist,
                               "domain": f"{dist.lower()}.cloudfront.net", "price_class": "PriceClass_All",
                               "enabled": True})
    d = {"DistributionId": dist, "Region": "Global"}
    t["metrics"] += _metric_rows(acct, "AWS/CloudFront", "Requests", d, dist, "Sum",
                                 [acct.cloudfront_requests_per_day / 24] * HOURS)
    t["metrics"] += _metric_rows(acct, "AWS/CloudFront", "BytesDownloaded", d, dist, "Sum",
                                 [acct.cloudfront_gb_per_day * 1e9 / 24] * HOURS)
    # ------------------------------------------------------------------ pipelines (30 days)
    timing = acct.timing
    for i, svc in enumerate(acct.services):
        pname, project = f"{APP}-{env}-{svc.name}-pipeline", f"{APP}-{env}-{svc.name}-build"
        t["pipelines"].append({**base, "name": pname, "version": 1, "pipeline_type": "V1",
                               "execution_mode": "SUPERSEDED", "stage_count": 3, "stages": json.dumps([
                                   {"name": "Source", "actions": [{"name": "Source", "category": "Source",
                                                                   "provider": "CodeStarSourceConnection", "run_order": 1}]},
                                   {"name": "Build", "actions": [{"name": "Build", "category": "Build",
                                                                  "provider": "CodeBuild", "run_order": 1}]},
                                   {"name": "Deploy", "actions": [{"name": "Deploy", "category": "Deploy",
                                                                   "provider": "CodeDeployToECS", "run_order": 1}]}])})
        t["build_projects"].append({**base, "name": project, "compute_type": BUILD_COMPUTE,
                                    "environment_type": "LINUX_CONTAINER", "cache_type": "NO_CACHE",
                                    "docker_build": True, "buildspec_layer_cache": False})
        t["deployment_groups"].append({**base, "application": f"{APP}-{env}-{svc.name}", "group": f"{svc.name}-dg",
                                       "compute_platform": "ECS", "deployment_type": "BLUE_GREEN",
                                       "termination_wait_min": timing.termination_wait_min,
                                       "ecs_services": json.dumps([f"{cluster}/{svc.name}"])})
        for k in range(acct.pipeline_executions):
            jitter = 1 + 0.04 * math.sin(k * 1.7 + i)
            start = NOW - timedelta(days=30) + timedelta(days=k, hours=i)
            eid = f"exec-{env[:4]}-{i}-{k}"
            phases = {p: s * jitter for p, s in timing.build_phases.items()}
            build_s = sum(phases.values())
            deploy_s = timing.deploy_install_s * jitter + timing.deploy_shift_s + timing.termination_wait_min * 60
            spans = [("Source", "Source", "CodeStarSourceConnection", timing.source_s),
                     ("Build", "Build", "CodeBuild", build_s), ("Deploy", "Deploy", "CodeDeployToECS", deploy_s)]
            cursor = start
            for stage, cat, prov, secs in spans:
                end = cursor + timedelta(seconds=secs)
                t["pipeline_action_executions"].append({
                    **base, "pipeline": pname, "execution_id": eid, "stage": stage, "action": stage,
                    "category": cat, "provider": prov, "status": "Succeeded", "start": cursor, "end": end,
                    "duration_s": secs})
                if stage == "Build":
                    t["builds"].append({**base, "project": project, "build_id": f"{project}:{eid}",
                                        "status": "SUCCEEDED", "start": cursor, "end": end, "duration_s": build_s,
                                        "phases": json.dumps(phases), "compute_type": BUILD_COMPUTE})
                cursor = end
            t["pipeline_executions"].append({**base, "pipeline": pname, "execution_id": eid, "status": "Succeeded",
                                             "start": start, "end": cursor,
                                             "duration_s": (cursor - start).total_seconds(), "trigger": "Webhook"})
    # ------------------------------------------------------------------ Cost Explorer (the estate's own bill)
    from awsassess.demo.costs import monthly_costs

    for month in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)):
        for service, usd in monthly_costs(acct, month).items():
            t["spend"].append({"account_id": a, "region": "global", "month": month.strftime("%Y-%m"),
                               "service": service, "usd": round(usd, 4)})
    tables = {name: empty_frame(name, rows) if rows else empty_frame(name) for name, rows in t.items()}
    manifest = {"schema_version": 1, "name": acct.name, "account_id": a, "environment": env, "regions": [region],
                "collected_at": NOW.isoformat(), "lookback_days": 30}
    return Snapshot(manifest=manifest, tables=tables)


_CACHE: dict[str, Snapshot] = {}


def demo_snapshot(name: str = "production") -> Snapshot:
    if name not in _CACHE:
        _CACHE[name] = build(PRODUCTION if name == "production" else STAGING)
    return _CACHE[name]


_MODELS: dict[str, object] = {}


def demo_model(name: str = "production"):  # type: ignore[no-untyped-def]
    """The cost model of the hand-built snapshot with default assumptions (computed once per session)."""
    from awsassess.model import assess

    if name not in _MODELS:
        _MODELS[name] = assess(demo_snapshot(name))
    return _MODELS[name]
