"""Compute collector: ECS, Application Auto Scaling and the Auto Scaling groups behind capacity providers.

Tables: ``ecs_clusters``, ``ecs_services`` (described 10 at a time, the real-AWS limit, joined with
their task definition's size), ``ecs_deployments`` (rollout state), ``task_definitions`` (those in
use by services; env var *names* only, values never stored; each container's health check, privileged,
user, read-only root and log driver), ``container_instances``,
``capacity_providers`` (described by the names the clusters list: ``DescribeCapacityProviders``
without names fails on moto), ``stopped_tasks`` (``params.collect.stopped_tasks``),
``autoscaling_targets`` (+ policies), ``autoscaling_groups``.

ECS scalable targets are read with ``ResourceIds`` batches of the known services (no page size:
moto's ``DescribeScalableTargets`` paginator repeats its token past 100 targets); the other
namespaces are paginated with the service's default page size.
"""

from __future__ import annotations

from typing import Any

from awsassess.collect.context import Context
from awsassess.collect.masking import SECRET_FLAG, has_embedded_secret, is_masked, secret_env_names
from awsassess.collect.rows import chunks, tag_map
from awsassess.tables import dumps

WEIGHT = 2  # requests per region relative to other collectors: one request per service's task definition
OPERATIONS: list[tuple[str, str]] = [
    ("ecs", "ListClusters"),
    ("ecs", "DescribeClusters"),
    ("ecs", "ListServices"),
    ("ecs", "DescribeServices"),
    ("ecs", "DescribeTaskDefinition"),
    ("ecs", "ListContainerInstances"),
    ("ecs", "DescribeContainerInstances"),
    ("ecs", "DescribeCapacityProviders"),
    ("ecs", "ListTasks"),
    ("ecs", "DescribeTasks"),
    ("application-autoscaling", "DescribeScalableTargets"),
    ("application-autoscaling", "DescribeScalingPolicies"),
    ("autoscaling", "DescribeAutoScalingGroups"),
]
TABLES = [
    "ecs_clusters", "ecs_services", "ecs_deployments", "task_definitions", "container_instances",
    "capacity_providers", "stopped_tasks", "autoscaling_targets", "autoscaling_groups",
]

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
# Application Auto Scaling namespaces read besides ECS (DynamoDB tables, Aurora replicas).
OTHER_NAMESPACES = ("dynamodb", "rds")
DESCRIBE_SERVICES_BATCH = 10  # real-AWS limit (moto accepts more)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def cluster_name(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1] if arn_or_name else ""


# ------------------------------------------------------------------------------- parsing
def parse_cluster(c: dict[str, Any]) -> dict[str, Any]:
    return {"cluster_arn": c.get("clusterArn", ""), "cluster_name": c.get("clusterName", ""),
            "status": c.get("status", ""), "capacity_providers": dumps(c.get("capacityProviders", []) or []),
            "default_strategy": dumps(c.get("defaultCapacityProviderStrategy", []) or []),
            "active_services": c.get("activeServicesCount"), "running_tasks": c.get("runningTasksCount"),
            "container_instances": c.get("registeredContainerInstancesCount"),
            "tags": dumps(tag_map(c.get("tags")))}


def secret_places(container: dict[str, Any]) -> set[str]:
    """Where a container definition holds a plain secret (its masked page): secret-looking variables,
    variables with credentials inside their value (``DATABASE_URL (credentials in the value)``) and
    secret command-line arguments (``command --db-password``)."""
    env = container.get("environment", []) or []
    places = set()
    for name in secret_env_names(env):
        value = next((e.get("value") for e in env if isinstance(e, dict) and e.get("name") == name), "")
        places.add(f"{name} (credentials in the value)" if has_embedded_secret(str(value)) else name)
    for key in ("command", "entryPoint"):
        args = [a for a in container.get(key) or [] if isinstance(a, str)]
        for i, arg in enumerate(args):
            flag = arg.split("=", 1)[0]
            if (("=" in arg and has_embedded_secret(arg)) or
                    (SECRET_FLAG.match(arg) and i + 1 < len(args) and is_masked(args[i + 1]))):
                places.add(f"{key} {flag}")
    return places


def container_hardening(c: dict[str, Any]) -> dict[str, Any]:
    """How a container definition runs: ``privileged`` and ``readonly_root_filesystem`` as stated (None when
    not set, which means false), ``user`` ('' when not set: the image's user, root unless the image says
    otherwise) and ``log_driver`` ('' without a ``logConfiguration``). The keys are always written, so a reader
    tells "not set" from "not collected" (snapshots before schema 4 have no such keys)."""
    privileged, readonly = c.get("privileged"), c.get("readonlyRootFilesystem")
    return {"privileged": privileged if isinstance(privileged, bool) else None,
            "user": str(c.get("user") or ""),
            "readonly_root_filesystem": readonly if isinstance(readonly, bool) else None,
            "log_driver": str((c.get("logConfiguration") or {}).get("logDriver") or "")}


def parse_task_definition(td: dict[str, Any]) -> dict[str, Any]:
    containers = td.get("containerDefinitions", []) or []
    env_names: set[str] = set()
    env_count = secret_refs = 0
    rows = []
    for c in containers:
        env = c.get("environment", []) or []
        env_count += len(env)
        secret_refs += len(c.get("secrets", []) or [])
        env_names.update(secret_places(c))
        hc = c.get("healthCheck")
        rows.append({"name": c.get("name", ""), "image": c.get("image", ""), "cpu": c.get("cpu"),
                     "memory": c.get("memory"), "memory_reservation": c.get("memoryReservation"),
                     "essential": c.get("essential", True),
                     "health_check": {k: hc.get(k) for k in ("command", "interval", "timeout", "retries",
                                                             "startPeriod")} if hc else None,
                     **container_hardening(c)})
    return {"task_definition_arn": td.get("taskDefinitionArn", ""), "family": td.get("family", ""),
            "revision": td.get("revision"), "cpu": _int(td.get("cpu")), "memory": _int(td.get("memory")),
            "network_mode": td.get("networkMode", ""),
            "requires_compatibilities": dumps(td.get("requiresCompatibilities", []) or []),
            "cpu_architecture": (td.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64",
            "containers": dumps(rows), "env_var_count": env_count, "secret_ref_count": secret_refs,
            "plaintext_secret_names": dumps(sorted(env_names))}


def parse_service(s: dict[str, Any], td_row: dict[str, Any] | None = None,
                  cluster_default: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    strategy = s.get("capacityProviderStrategy") or []
    launch_type = "" if strategy else (s.get("launchType") or "")
    if not strategy and not launch_type:
        strategy = cluster_default or []
    dc = s.get("deploymentConfiguration") or {}
    cb = dc.get("deploymentCircuitBreaker") or {}
    awsvpc = (s.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    td = td_row or {}
    return {
        "service_arn": s.get("serviceArn", ""), "service_name": s.get("serviceName", ""),
        "cluster": cluster_name(s.get("clusterArn", "")), "launch_type": launch_type,
        "capacity_providers": dumps([x.get("capacityProvider", "") for x in strategy]),
        "desired_count": s.get("desiredCount"), "running_count": s.get("runningCount"),
        "pending_count": s.get("pendingCount"), "task_definition": s.get("taskDefinition", ""),
        "cpu": td.get("cpu"), "memory": td.get("memory"), "cpu_architecture": td.get("cpu_architecture"),
        "platform_version": s.get("platformVersion", ""),
        "deployment_controller": (s.get("deploymentController") or {}).get("type", "ECS"),
        "min_healthy_percent": dc.get("minimumHealthyPercent"), "max_percent": dc.get("maximumPercent"),
        "circuit_breaker": bool(cb.get("enable", False)), "circuit_breaker_rollback": bool(cb.get("rollback", False)),
        "health_check_grace_s": s.get("healthCheckGracePeriodSeconds"),
        "target_group_arns": dumps(sorted({lb["targetGroupArn"] for lb in s.get("loadBalancers", []) or []
                                           if lb.get("targetGroupArn")})),
        "subnets": dumps(sorted(awsvpc.get("subnets", []) or [])),
        "assign_public_ip": awsvpc.get("assignPublicIp") == "ENABLED",
        "created_at": s.get("createdAt"), "tags": dumps(tag_map(s.get("tags"))),
        "security_groups": dumps(sorted(awsvpc.get("securityGroups", []) or [])),
        "deployment_alarms": bool((dc.get("alarms") or {}).get("enable", False)) if dc else None,
    }


def parse_deployment(service_arn: str, d: dict[str, Any]) -> dict[str, Any]:
    return {"service_arn": service_arn, "deployment_id": d.get("id", ""), "status": d.get("status", ""),
            "rollout_state": d.get("rolloutState", ""), "rollout_state_reason": d.get("rolloutStateReason", ""),
            "desired_count": d.get("desiredCount"), "running_count": d.get("runningCount"),
            "failed_tasks": d.get("failedTasks"), "created_at": d.get("createdAt"), "updated_at": d.get("updatedAt")}


def _resource(ci: dict[str, Any], key: str, name: str) -> int | None:
    for r in ci.get(key, []) or []:
        if r.get("name") == name:
            return _int(r.get("integerValue"))
    return None


def parse_container_instance(ci: dict[str, Any], cluster: str) -> dict[str, Any]:
    attrs = {a.get("name"): a.get("value") for a in ci.get("attributes", []) or []}
    return {"container_instance_arn": ci.get("containerInstanceArn", ""), "cluster": cluster,
            "ec2_instance_id": ci.get("ec2InstanceId", ""), "instance_type": attrs.get("ecs.instance-type") or "",
            "status": ci.get("status", ""),
            "registered_cpu": _resource(ci, "registeredResources", "CPU"),
            "registered_memory": _resource(ci, "registeredResources", "MEMORY"),
            "remaining_cpu": _resource(ci, "remainingResources", "CPU"),
            "remaining_memory": _resource(ci, "remainingResources", "MEMORY"),
            "running_tasks": ci.get("runningTasksCount")}


def parse_capacity_provider(name: str, cluster: str, cp: dict[str, Any] | None) -> dict[str, Any]:
    asg = (cp or {}).get("autoScalingGroupProvider") or {}
    scaling = asg.get("managedScaling") or {}
    if name in FARGATE_PROVIDERS:
        kind = name
    else:
        kind = "ASG" if asg or cp is None else str((cp or {}).get("type", "") or "")
    return {"name": name, "cluster": cluster, "type": kind, "asg_arn": asg.get("autoScalingGroupArn", ""),
            "managed_scaling": scaling.get("status") == "ENABLED",
            "target_capacity": scaling.get("targetCapacity")}


def parse_stopped_task(t: dict[str, Any]) -> dict[str, Any]:
    containers = t.get("containers", []) or []
    return {"task_arn": t.get("taskArn", ""), "cluster": cluster_name(t.get("clusterArn", "")),
            "group": t.get("group", ""), "task_definition": t.get("taskDefinitionArn", ""),
            "started_at": t.get("startedAt"), "stopped_at": t.get("stoppedAt"), "stop_code": t.get("stopCode", ""),
            "stopped_reason": t.get("stoppedReason", ""), "health_status": t.get("healthStatus", ""),
            "container_exit_codes": dumps({c.get("name", ""): c.get("exitCode") for c in containers}),
            "container_reasons": dumps({c.get("name", ""): c.get("reason", "") for c in containers
                                        if c.get("reason")})}


def _policy_summary(p: dict[str, Any]) -> dict[str, Any]:
    tt = p.get("TargetTrackingScalingPolicyConfiguration") or {}
    metric = ((tt.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
              or (tt.get("CustomizedMetricSpecification") or {}).get("MetricName") or "")
    return {"name": p.get("PolicyName", ""), "type": p.get("PolicyType", ""), "metric": metric,
            "target_value": tt.get("TargetValue")}


def parse_scalable_target(t: dict[str, Any], policies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resource_id": t.get("ResourceId", ""), "service_namespace": t.get("ServiceNamespace", ""),
            "scalable_dimension": t.get("ScalableDimension", ""), "min_capacity": t.get("MinCapacity"),
            "max_capacity": t.get("MaxCapacity"), "policy_count": len(policies),
            "policies": dumps([_policy_summary(p) for p in policies])}


def parse_asg(g: dict[str, Any]) -> dict[str, Any]:
    types: set[str] = set()
    for i in g.get("Instances", []) or []:
        if i.get("InstanceType"):
            types.add(i["InstanceType"])
    mip = g.get("MixedInstancesPolicy") or {}
    for o in ((mip.get("LaunchTemplate") or {}).get("Overrides") or []):
        if o.get("InstanceType"):
            types.add(o["InstanceType"])
    distribution = (mip.get("InstancesDistribution") or {}) if mip else {}
    return {"asg_name": g.get("AutoScalingGroupName", ""), "min_size": g.get("MinSize"), "max_size": g.get("MaxSize"),
            "desired": g.get("DesiredCapacity"), "instance_types": dumps(sorted(types)),
            "azs": dumps(sorted(g.get("AvailabilityZones", []) or [])),
            "instance_count": sum(1 for i in g.get("Instances", []) or [] if i.get("LifecycleState") == "InService"),
            # AWS's defaults when a mixed instances policy leaves them out: base 0, 100% on-demand above it
            "on_demand_base": _int(distribution.get("OnDemandBaseCapacity", 0)) if mip else None,
            "on_demand_percentage": _int(distribution.get("OnDemandPercentageAboveBaseCapacity", 100)) if mip else None}


# ------------------------------------------------------------------------------- collection
def _collect_cluster(ctx: Context, region: str, cluster: dict[str, Any]) -> dict[str, list[Any]]:
    arn = cluster["clusterArn"]
    name = cluster.get("clusterName") or cluster_name(arn)
    service_arns = ctx.paginate("ecs", "ListServices", region, "serviceArns", cluster=arn)
    batches = ctx.map(
        lambda batch: ctx.call("ecs", "DescribeServices", region, cluster=arn, services=batch, include=["TAGS"]),
        chunks(list(service_arns), DESCRIBE_SERVICES_BATCH),
    )
    services = [s for resp in batches for s in resp.get("services", [])]

    ci_arns = ctx.paginate("ecs", "ListContainerInstances", region, "containerInstanceArns", cluster=arn)
    cis = [ci for resp in ctx.map(
        lambda batch: ctx.call("ecs", "DescribeContainerInstances", region, cluster=arn, containerInstances=batch),
        chunks(list(ci_arns), 100)) for ci in resp.get("containerInstances", [])]

    stopped: list[dict[str, Any]] = []
    if ctx.option("stopped_tasks", True):
        task_arns = ctx.paginate("ecs", "ListTasks", region, "taskArns", cluster=arn, desiredStatus="STOPPED")
        stopped = [t for resp in ctx.map(
            lambda batch: ctx.call("ecs", "DescribeTasks", region, cluster=arn, tasks=batch),
            chunks(list(task_arns), 100)) for t in resp.get("tasks", [])]
    else:
        ctx.skip("ecs", "ListTasks", region, "collect.stopped_tasks is false")
    return {"services": services, "container_instances": [parse_container_instance(ci, name) for ci in cis],
            "stopped": [parse_stopped_task(t) for t in stopped]}


def _collect_autoscaling(ctx: Context, region: str, service_resource_ids: list[str]) -> list[dict[str, Any]]:
    def namespace(ns: str) -> list[dict[str, Any]]:
        if ns == "ecs":
            if not service_resource_ids:
                return []
            targets = [t for resp in ctx.map(
                lambda ids: ctx.call("application-autoscaling", "DescribeScalableTargets", region,
                                     ServiceNamespace="ecs", ResourceIds=ids),
                chunks(service_resource_ids, 50)) for t in resp.get("ScalableTargets", [])]
        else:
            targets = list(ctx.paginate("application-autoscaling", "DescribeScalableTargets", region,
                                        "ScalableTargets", ServiceNamespace=ns))
        if not targets:
            return []
        policies = ctx.paginate("application-autoscaling", "DescribeScalingPolicies", region, "ScalingPolicies",
                                ServiceNamespace=ns)
        by_target: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for p in policies:
            by_target.setdefault((p.get("ResourceId", ""), p.get("ScalableDimension", "")), []).append(p)
        return [parse_scalable_target(t, by_target.get((t.get("ResourceId", ""), t.get("ScalableDimension", "")),
                                                       [])) for t in targets]

    return [row for rows in ctx.map(namespace, ["ecs", *OTHER_NAMESPACES]) for row in rows]


def _task_definitions(ctx: Context, region: str, services: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows of the task definitions in use: the services' own plus those of their deployments."""
    td_arns = sorted({s["taskDefinition"] for s in services if s.get("taskDefinition")}
                     | {d["taskDefinition"] for s in services for d in s.get("deployments", []) or []
                        if d.get("taskDefinition")})
    tds = [resp.get("taskDefinition") for resp in ctx.map(
        lambda a: ctx.call("ecs", "DescribeTaskDefinition", region, taskDefinition=a), td_arns)]
    return {row["task_definition_arn"]: row for row in (parse_task_definition(td) for td in tds if td)}


def _capacity(ctx: Context, region: str, clusters: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """Capacity provider rows (described by the names the clusters list: moto fails without names) and ASGs."""
    names = sorted({n for c in clusters for n in c.get("capacityProviders", []) or []})
    described: dict[str, dict[str, Any]] = {}
    custom = [n for n in names if n not in FARGATE_PROVIDERS]
    for resp in ctx.map(lambda b: ctx.call("ecs", "DescribeCapacityProviders", region, capacityProviders=b),
                        chunks(custom, 10)):
        for cp in resp.get("capacityProviders", []):
            described[cp.get("name", "")] = cp
    cp_rows = [parse_capacity_provider(n, c.get("clusterName", ""), described.get(n))
               for c in clusters for n in c.get("capacityProviders", []) or []]
    asg_names = sorted({r["asg_arn"].split("autoScalingGroupName/", 1)[-1] for r in cp_rows if r["asg_arn"]})
    asgs = [g for batch in ctx.map(
        lambda b: ctx.paginate("autoscaling", "DescribeAutoScalingGroups", region, "AutoScalingGroups",
                               AutoScalingGroupNames=b), chunks(asg_names, 50)) for g in batch]
    return cp_rows, [parse_asg(g) for g in asgs]


def collect(ctx: Context, region: str) -> dict[str, list[dict[str, Any]]]:
    cluster_arns = ctx.paginate("ecs", "ListClusters", region, "clusterArns")
    clusters = [c for resp in ctx.map(
        lambda batch: ctx.call("ecs", "DescribeClusters", region, clusters=batch, include=["TAGS", "SETTINGS"]),
        chunks(list(cluster_arns), 100)) for c in resp.get("clusters", [])]

    per_cluster = ctx.map(lambda c: _collect_cluster(ctx, region, c), clusters)
    services = [s for pc in per_cluster for s in pc["services"]]
    resource_ids = sorted({f"service/{cluster_name(s.get('clusterArn', ''))}/{s.get('serviceName', '')}"
                           for s in services})

    # The rest only depends on clusters and services: run it concurrently.
    parts: list[Any] = ctx.map(lambda fn: fn(), [
        lambda: _task_definitions(ctx, region, services),
        lambda: _capacity(ctx, region, clusters),
        lambda: _collect_autoscaling(ctx, region, resource_ids),
    ])
    td_rows, (cp_rows, asg_rows), targets = parts

    defaults = {c["clusterArn"]: c.get("defaultCapacityProviderStrategy") or [] for c in clusters}
    return {
        "ecs_clusters": [parse_cluster(c) for c in clusters],
        "ecs_services": [parse_service(s, td_rows.get(s.get("taskDefinition", "")),
                                       defaults.get(s.get("clusterArn", ""))) for s in services],
        "ecs_deployments": [parse_deployment(s.get("serviceArn", ""), d) for s in services
                            for d in s.get("deployments", []) or []],
        "task_definitions": list(td_rows.values()),
        "container_instances": [ci for pc in per_cluster for ci in pc["container_instances"]],
        "capacity_providers": cp_rows,
        "stopped_tasks": [t for pc in per_cluster for t in pc["stopped"]],
        "autoscaling_targets": targets,
        "autoscaling_groups": asg_rows,
    }
