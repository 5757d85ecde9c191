"""Reliability rules (the Well-Architected Reliability pillar): backups, Multi-AZ and failover of data stores,
tasks and Availability Zones of production services, load balancers and NAT gateways in one AZ, health checks
and deployment alarms.

Each rule keeps the domain of what it judges (``DAT-``, ``CMP-``, ``NET-`` ids: the room the finding is read in)
and names its pillar and best practice. Where the fix costs money (a standby, a replica, a second task, a NAT
gateway per AZ, longer backup retention) the evidence says so under ``fix_adds_cost``: the cost model prices it,
never the rule (the rules' saving basis is ``not_cost``).

Production is the shared definition (``production_environments``). The cost rules say the reverse outside
production (DAT-004: no Multi-AZ in staging; NET-003: one NAT gateway is enough outside production): the
environment decides which of the two a resource raises, never both.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from awsassess.facts.network import live_nat_gateways
from awsassess.findings.base import (
    Finding,
    flag,
    is_production,
    json_list,
    num,
    rule,
    spec,
    text,
)
from awsassess.findings.saving import not_cost
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot

REDIS_ENGINES = ("redis", "valkey")
LIVE_DB = ("deleting", "deleted", "stopped")


def _live(df: pd.DataFrame, column: str = "status") -> pd.DataFrame:
    return df[~df[column].map(text).isin(LIVE_DB)] if len(df) else df


def _standalone_instances(snapshot: Snapshot) -> pd.DataFrame:
    """RDS/DocumentDB primary instances that are not members of a cluster (cluster members are judged with their
    cluster; a read replica copies its source, whose backups and standby are what count)."""
    d = _live(snapshot.table("db_instances"))
    return d[(d["cluster_id"].map(text) == "") & (d["read_replica_source"].map(text) == "")] if len(d) else d


def _running_services(snapshot: Snapshot) -> pd.DataFrame:
    s = snapshot.table("ecs_services")
    return s[pd.to_numeric(s["desired_count"], errors="coerce").fillna(0) > 0] if len(s) else s


def _count(value: Any) -> int:
    return int(num(value, 0) or 0)


# ------------------------------------------------------------------------------------ data protection: backups
@rule("DAT-015", title="Automated backups off or kept too briefly", domain="datastores", severity="medium",
      effort="low",
      rationale=("Automated backups (and the point-in-time restore they give) are the only way back from a bad "
                 "migration, a deleted table or corrupted data. A retention of 0 days turns them off; a short "
                 "retention loses the history before anyone notices a problem. In production every database keeps "
                 "at least the threshold; elsewhere only backups turned off are reported."),
      thresholds=("backup_retention_min_days", "production_environments"),
      tables=("db_instances", "db_clusters"),
      saving=not_cost("Reliability. The fix adds cost: backup storage beyond the free allowance (the database's "
                      "own storage size per region) is billed per GB-month; the evidence says so, the cost model "
                      "prices it."),
      pillar="reliability", best_practice="REL09-BP03")
def backups(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    items = [(r, text(r.db_instance_id), "instance") for r in _standalone_instances(snapshot).itertuples()]
    # (read replicas are left out: their source's backups are what restores the data)
    items += [(r, text(r.cluster_id), "cluster") for r in _live(snapshot.table("db_clusters")).itertuples()]
    for r, rid, kind in items:
        days = num(r.backup_retention_days)
        if days is None or days >= a.backup_retention_min_days or (not prod and days > 0):
            continue
        off = days <= 0
        out.append(spec("DAT-015").finding(
            snapshot, region=text(r.region), resource_ids=[rid],
            severity=("high" if prod else "medium") if off else ("medium" if prod else "low"),
            title=f"{rid} ({text(r.engine)}): automated backups " + ("off" if off else f"kept {days:g} day(s)"),
            evidence={"engine": text(r.engine), "kind": kind, "backup_retention_days": int(days),
                      "threshold_days": a.backup_retention_min_days, "environment": snapshot.environment,
                      "fix_adds_cost": "backup storage beyond the free allowance (the database's own storage size "
                                       "per region) is billed per GB-month for the longer retention"},
            recommendation=(f"Set the backup retention period to at least {a.backup_retention_min_days} days "
                            "(modify the " + ("instance" if kind == "instance" else "cluster") + ", no downtime) and "
                            "test a point-in-time restore; use AWS Backup for retention beyond 35 days."),
        ))
    return out


@rule("DAT-016", title="DynamoDB table without point-in-time recovery", domain="datastores", severity="medium",
      effort="low",
      rationale=("Without point-in-time recovery a table cannot be restored to a moment before a bad write or "
                 "an accidental delete (on-demand backups only restore what was taken before). PITR keeps 35 days "
                 "of continuous backups and is enabled online."),
      thresholds=("production_environments",), tables=("dynamodb_tables",),
      saving=not_cost("Reliability. The fix adds cost: continuous backups are billed per GB-month of the table's "
                      "size; the evidence gives the size, the cost model prices it."),
      pillar="reliability", best_practice="REL09-BP03")
def dynamodb_pitr(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r in snapshot.table("dynamodb_tables").itertuples():
        if flag(r.point_in_time_recovery) is not False:  # on, or unknown (not read)
            continue
        size = num(r.size_bytes, 0) or 0
        out.append(spec("DAT-016").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.table_name)], severity="medium" if prod else "low",
            title=f"DynamoDB table {text(r.table_name)}: no point-in-time recovery",
            evidence={"table": text(r.table_name), "size_gb": round(size / 1024**3, 3),
                      "items": _count(r.item_count), "environment": snapshot.environment,
                      "fix_adds_cost": "continuous backups billed per GB-month of the table's size"},
            recommendation=("Enable point-in-time recovery (UpdateContinuousBackups, online); keep on-demand or "
                            "AWS Backup copies for retention beyond 35 days."),
        ))
    return out


# ------------------------------------------------------------------------------ resilience: data stores
@rule("DAT-017", title="Production database in one Availability Zone", domain="datastores", severity="high",
      effort="low",
      rationale=("A Single-AZ production instance, or a cluster whose instances are all in one AZ (or that has a "
                 "single instance), has no standby to fail over to: an instance or AZ failure is an outage until "
                 "the instance is replaced or restored. Multi-AZ fails over in one to two minutes. The reverse "
                 "outside production is DAT-004 (a standby staging rarely needs)."),
      thresholds=("production_environments", "resilient_min_azs"),
      tables=("db_instances", "db_clusters"),
      saving=not_cost("Reliability. The fix adds cost: a Multi-AZ standby about doubles the instance and storage "
                      "cost, a cluster replica adds one instance; the evidence says so, the cost model prices it."),
      pillar="reliability", best_practice="REL10-BP01")
def single_az_databases(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if not is_production(snapshot, a):
        return []
    out = []
    for r in _standalone_instances(snapshot).itertuples():
        if flag(r.multi_az) is not False:
            continue
        out.append(spec("DAT-017").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
            title=f"{text(r.db_instance_id)} ({text(r.engine)}): Single-AZ in production",
            evidence={"engine": text(r.engine), "instance_class": text(r.instance_class), "multi_az": False,
                      "az": text(r.az), "environment": snapshot.environment,
                      "fix_adds_cost": "a Multi-AZ standby: about the instance and storage cost again"},
            recommendation=("Modify the instance to Multi-AZ (no downtime; a short I/O pause while the standby is "
                            "created) and test a failover with a reboot with failover."),
        ))
    instances = snapshot.table("db_instances")
    az_of = {text(r.db_instance_id): text(r.az) for r in instances.itertuples()}
    for r in _live(snapshot.table("db_clusters")).itertuples():
        ids = [text(i) for i in json_list(r.instance_ids) if text(i)]
        members = max(_count(r.members), len(ids))
        azs = sorted({az_of[i] for i in ids if az_of.get(i)})
        placed = bool(ids) and all(az_of.get(i) for i in ids)  # every member's AZ is known
        if members == 0 or (members >= 2 and (not placed or len(azs) >= a.resilient_min_azs)):
            continue  # no instance (serverless v1): nothing to judge; or spread (or not known) over enough AZs
        why = "a single instance: nothing to fail over to" if members < 2 else f"all {members} instances in {azs[0]}"
        out.append(spec("DAT-017").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.cluster_id)],
            title=f"{text(r.cluster_id)} ({text(r.engine)}): {why}",
            evidence={"engine": text(r.engine), "members": members, "instance_azs": azs,
                      "environment": snapshot.environment,
                      "fix_adds_cost": "a replica instance in another AZ: one more instance of the cluster's class"
                                       if members < 2 else "none: move a replica to another AZ"},
            recommendation=("Add a replica in another Availability Zone (it becomes the failover target; Aurora and "
                            "DocumentDB promote it in about 30 seconds)." if members < 2 else
                            "Recreate one replica in another Availability Zone, then remove one from this one."),
        ))
    return out


@rule("DAT-018", title="Production cache without automatic failover", domain="datastores", severity="medium",
      effort="low",
      rationale=("A Redis/Valkey cache with no replica, or without Multi-AZ automatic failover, loses its data and "
                 "its endpoint when the primary node or its AZ fails: sessions and locks kept in it go, and every "
                 "request falls through to the database until it is replaced. Memcached has no replication and is "
                 "not judged. The reverse outside production is DAT-004."),
      thresholds=("production_environments",),
      tables=("replication_groups", "cache_clusters"),
      saving=not_cost("Reliability. The fix adds cost: a replica node in another AZ costs one node of the "
                      "group's type; the evidence says so, the cost model prices it."),
      pillar="reliability", best_practice="REL11-BP02")
def cache_failover(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if not is_production(snapshot, a):
        return []
    out = []
    groups = snapshot.table("replication_groups")
    for r in groups.itertuples():
        failover, multi_az, nodes = flag(r.automatic_failover), flag(r.multi_az), _count(r.nodes)
        missing = [w for w, off in (("no replica", 0 < nodes < 2), ("automatic failover off", failover is False),
                                    ("Multi-AZ off", multi_az is False)) if off]
        if not missing:  # failover with a replica in another AZ, or nothing known to be off
            continue
        out.append(spec("DAT-018").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.id)],
            title=f"{text(r.id)} ({text(r.engine)}): {', '.join(missing)}",
            evidence={"engine": text(r.engine), "node_type": text(r.node_type), "nodes": nodes,
                      "automatic_failover": failover, "multi_az": multi_az, "environment": snapshot.environment,
                      "fix_adds_cost": "a replica node in another AZ (one node of the group's type)"
                                       if nodes < 2 else "none: the replica exists"},
            recommendation=("Add a replica in another AZ and enable Multi-AZ with automatic failover "
                            "(ModifyReplicationGroup; online)."),
        ))
    known = {text(i) for i in groups["id"]} if len(groups) else set()
    for r in snapshot.table("cache_clusters").itertuples():
        if text(r.replication_group_id) or text(r.id) in known or text(r.engine).lower() not in REDIS_ENGINES:
            continue
        out.append(spec("DAT-018").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.id)],
            title=f"{text(r.id)} ({text(r.engine)}): a single node, no replica",
            evidence={"engine": text(r.engine), "node_type": text(r.node_type), "nodes": _count(r.nodes) or 1,
                      "az": text(r.az), "environment": snapshot.environment,
                      "fix_adds_cost": "a replica node in another AZ (one node of the cluster's type)"},
            recommendation=("Create a replication group from this cluster with a replica in another AZ and "
                            "Multi-AZ automatic failover; point clients at its primary endpoint."),
        ))
    return out


# ---------------------------------------------------------------------------------- resilience: services
def _subnet_az(snapshot: Snapshot) -> dict[str, str]:
    return {text(r.subnet_id): text(r.az) for r in snapshot.table("subnets").itertuples() if text(r.az)}


@rule("CMP-015", title="Production service on one task or in one Availability Zone", domain="compute",
      severity="high", effort="low",
      rationale=("A production service with a single task is down whenever that task is replaced (a deployment, "
                 "a host retirement, a crash); one whose tasks can only be placed in one AZ's subnets is down when "
                 "that AZ is. ECS spreads tasks across the AZs of the service's subnets."),
      thresholds=("production_environments", "resilient_min_tasks", "resilient_min_azs"),
      tables=("ecs_services", "subnets"),
      saving=not_cost("Reliability. The fix adds cost when tasks are added (one more task's compute); the "
                      "evidence says so, the cost model prices it."),
      pillar="reliability", best_practice="REL10-BP01")
def single_task_or_az(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if not is_production(snapshot, a):
        return []
    az_of = _subnet_az(snapshot)
    out = []
    for r in _running_services(snapshot).itertuples():
        desired = _count(r.desired_count)
        subnets = [text(s) for s in json_list(r.subnets) if text(s)]
        azs = sorted({az_of[s] for s in subnets if s in az_of})
        one_az = bool(azs) and len(azs) < a.resilient_min_azs
        few = desired < a.resilient_min_tasks
        if not (few or one_az):
            continue
        problems = ([f"{desired} task"] if few else []) + ([f"subnets in {', '.join(azs)} only"] if one_az else [])
        out.append(spec("CMP-015").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.service_arn) or text(r.service_name)],
            severity="high" if few else "medium",
            title=f"{text(r.service_name)}: {' and '.join(problems)} in production",
            evidence={"cluster": text(r.cluster), "service": text(r.service_name), "desired_count": desired,
                      "subnet_azs": azs, "subnets": subnets, "min_tasks": a.resilient_min_tasks,
                      "min_azs": a.resilient_min_azs, "environment": snapshot.environment,
                      "fix_adds_cost": (f"{a.resilient_min_tasks - desired} more task(s) of the service's size"
                                        if few else "none: subnets in more AZs")},
            recommendation=" ".join(
                ([f"Run at least {a.resilient_min_tasks} tasks (and an auto scaling minimum as high)."] if few else [])
                + ([f"Give the service subnets in at least {a.resilient_min_azs} Availability Zones."]
                   if one_az else [])),
        ))
    return out


def _health_check_of(containers: Any) -> tuple[list[str], list[str]]:
    """(essential containers, essential containers with a health check) of a task definition's containers."""
    essential, checked = [], []
    for c in json_list(containers):
        if not isinstance(c, dict) or c.get("essential") is False:
            continue
        essential.append(text(c.get("name")))
        if c.get("health_check"):
            checked.append(text(c.get("name")))
    return essential, checked


@rule("CMP-016", title="Service behind a load balancer without a health-check grace period", domain="compute",
      severity="medium", effort="low",
      rationale=("With a grace period of 0 the load balancer's health checks count from the moment a task starts: "
                 "a task that needs longer to warm up than the checks allow is killed and replaced, over and over, "
                 "and a deployment or scale-out never settles. The grace period should cover start-up (CMP-004 "
                 "reports one so long that it delays failure detection)."),
      thresholds=("production_environments", "health_check_grace_max_s"),
      tables=("ecs_services", "target_groups"),
      saving=not_cost("Reliability."),
      pillar="reliability", best_practice="REL11-BP03")
def no_grace_period(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    tgs = {text(t.arn): t for t in snapshot.table("target_groups").itertuples()}
    out = []
    for r in _running_services(snapshot).itertuples():
        arns = [text(t) for t in json_list(r.target_group_arns) if text(t)]
        grace = num(r.health_check_grace_s)
        if not arns or grace is None or grace > 0:
            continue
        to_healthy = [(num(t.health_check_interval_s, 0) or 0) * (num(t.healthy_threshold, 0) or 0)
                      for t in (tgs.get(x) for x in arns) if t is not None]
        needed = max(to_healthy, default=0)
        suggested = int(min(max(needed * 2, 30), a.health_check_grace_max_s))
        out.append(spec("CMP-016").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.service_arn) or text(r.service_name)],
            severity="medium" if prod else "low",
            title=f"{text(r.service_name)}: behind a load balancer with no health-check grace period",
            evidence={"cluster": text(r.cluster), "service": text(r.service_name), "health_check_grace_s": 0,
                      "target_groups": arns, "target_group_seconds_to_healthy": needed or None,
                      "environment": snapshot.environment},
            recommendation=(f"Set healthCheckGracePeriodSeconds to about the tasks' start-up time ({suggested} s "
                            f"here; at most {a.health_check_grace_max_s} s so failures are still detected fast)."),
        ))
    return out


@rule("CMP-017", title="Service whose containers have no health check", domain="compute", severity="medium",
      effort="low",
      rationale=("Without a container health check ECS only sees a task fail when its process exits: a hung or "
                 "deadlocked container keeps its task RUNNING and serving errors. Behind a load balancer the target "
                 "group's check covers the serving port (low severity); without one nothing does."),
      thresholds=("production_environments",),
      tables=("ecs_services", "task_definitions"),
      saving=not_cost("Reliability."),
      pillar="reliability", best_practice="REL11-BP01")
def no_container_health_check(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    tds = {text(t.task_definition_arn): t for t in snapshot.table("task_definitions").itertuples()}
    out = []
    for r in _running_services(snapshot).itertuples():
        td = tds.get(text(r.task_definition))
        if td is None:
            continue
        essential, checked = _health_check_of(td.containers)
        if not essential or checked:
            continue
        behind_lb = bool([t for t in json_list(r.target_group_arns) if text(t)])
        out.append(spec("CMP-017").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.service_arn) or text(r.service_name)],
            severity="low" if behind_lb or not prod else "medium",
            title=f"{text(r.service_name)}: no container health check"
                  + (" (the load balancer checks the serving port)" if behind_lb else ", and no load balancer check"),
            evidence={"cluster": text(r.cluster), "service": text(r.service_name),
                      "task_definition": text(r.task_definition), "essential_containers": essential,
                      "behind_load_balancer": behind_lb, "environment": snapshot.environment},
            recommendation=("Add a healthCheck to the essential containers (a cheap local probe of the process, "
                            "e.g. CMD-SHELL curl -f http://localhost:PORT/health, with a startPeriod covering "
                            "start-up) so ECS replaces a hung task."),
        ))
    return out


def _code_deploy_groups(snapshot: Snapshot) -> dict[tuple[str, str], Any]:
    """(region, "cluster/service") -> the CodeDeploy deployment group that deploys the service."""
    out = {}
    for g in snapshot.table("deployment_groups").itertuples():
        for svc in json_list(g.ecs_services):
            out[(text(g.region), text(svc))] = g
    return out


@rule("CMP-018", title="Deployments that watch no alarm", domain="compute", severity="low", effort="low",
      rationale=("The deployment circuit breaker (CMP-008) only catches tasks that fail to start; a release that "
                 "starts but answers with errors or slowly is rolled out to every task. Deployment alarms watch "
                 "CloudWatch alarms (5xx, latency) during the rollout and roll back when one fires: on the service "
                 "for rolling deployments, on the CodeDeploy deployment group (with automatic rollback on "
                 "DEPLOYMENT_STOP_ON_ALARM) for blue/green ones."),
      thresholds=("production_environments",), tables=("ecs_services", "deployment_groups"),
      saving=not_cost("Reliability. CloudWatch alarms cost about $0.10 per alarm-month."),
      pillar="reliability", best_practice="REL08-BP05")
def no_deployment_alarms(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    groups = _code_deploy_groups(snapshot)
    out = []
    for r in _running_services(snapshot).itertuples():
        controller = text(r.deployment_controller) or "ECS"
        if controller == "ECS":
            if flag(r.deployment_alarms) is not False:
                continue
            evidence: dict[str, Any] = {"deployment_alarms": False, "circuit_breaker": flag(r.circuit_breaker)}
            fix = ("Create CloudWatch alarms on the service's target 5xx count and latency and name them in "
                   "deploymentConfiguration.alarms with rollback enabled.")
        elif controller == "CODE_DEPLOY":
            g = groups.get((text(r.region), f"{text(r.cluster)}/{text(r.service_name)}"))
            if g is None or flag(g.alarms_enabled) is not False:
                continue
            evidence = {"deployment_group": f"{text(g.application)}/{text(g.group)}", "alarms_enabled": False,
                        "rollback_on_alarm": flag(g.rollback_on_alarm)}
            fix = ("Create CloudWatch alarms on the green target group's 5xx count and latency, add them to the "
                   "deployment group's alarm configuration and enable automatic rollback on "
                   "DEPLOYMENT_STOP_ON_ALARM.")
        else:
            continue
        out.append(spec("CMP-018").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.service_arn) or text(r.service_name)],
            severity="medium" if prod else "low",
            title=f"{text(r.service_name)}: {'blue/green' if controller == 'CODE_DEPLOY' else 'rolling'} "
                  "deployments watch no alarm",
            evidence={"cluster": text(r.cluster), "service": text(r.service_name), "deployment_controller": controller,
                      **evidence, "environment": snapshot.environment},
            recommendation=fix,
        ))
    return out


# ---------------------------------------------------------------------------------- resilience: network
@rule("NET-010", title="Load balancer in one Availability Zone", domain="network", severity="medium", effort="low",
      rationale=("A load balancer with nodes in one AZ stops answering when that AZ fails, however many AZs its "
                 "targets are in. Application load balancers require two AZs; network load balancers accept one."),
      thresholds=("production_environments", "resilient_min_azs"), tables=("load_balancers",),
      saving=not_cost("Reliability. Enabling another AZ has no hourly charge (cross-zone traffic may be billed)."),
      pillar="reliability", best_practice="REL10-BP01")
def single_az_load_balancers(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r in snapshot.table("load_balancers").itertuples():
        azs = sorted({text(z) for z in json_list(r.azs) if text(z)})
        if not azs or len(azs) >= a.resilient_min_azs or text(r.state) in ("failed",):
            continue
        out.append(spec("NET-010").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.arn)], severity="medium" if prod else "low",
            title=f"{text(r.type) or 'load'} balancer {text(r.name)}: only in {', '.join(azs)}",
            evidence={"name": text(r.name), "type": text(r.type), "scheme": text(r.scheme), "azs": azs,
                      "vpc_id": text(r.vpc_id), "environment": snapshot.environment},
            recommendation=(f"Enable subnets in at least {a.resilient_min_azs} Availability Zones on the load "
                            "balancer (SetSubnets) and register targets in each."),
        ))
    return out


def _nat_routes(snapshot: Snapshot) -> dict[str, str]:
    """subnet id -> the NAT gateway its default route goes to ("" when none), from its route table (the explicit
    association, else its VPC's main table)."""
    def nat_target(routes: Any) -> str:
        for route in json_list(routes):
            if isinstance(route, dict) and text(route.get("destination")) in ("0.0.0.0/0", "::/0") \
                    and text(route.get("target")).startswith("nat-"):
                return text(route.get("target"))
        return ""

    explicit: dict[str, str] = {}
    main: dict[str, str] = {}
    for t in snapshot.table("route_tables").itertuples():
        nat = nat_target(t.routes)
        for s in json_list(t.subnet_ids):
            explicit[text(s)] = nat
        if flag(t.main):
            main[text(t.vpc_id)] = nat
    return {text(s.subnet_id): explicit.get(text(s.subnet_id), main.get(text(s.vpc_id), ""))
            for s in snapshot.table("subnets").itertuples()}


@rule("NET-011", title="A NAT gateway serving several Availability Zones in production", domain="network",
      severity="medium", effort="low",
      rationale=("A NAT gateway lives in one AZ. Private subnets of other AZs that send their internet traffic "
                 "through it lose egress (image pulls, AWS APIs without endpoints, third-party calls) when that AZ "
                 "fails, and pay cross-AZ data transfer meanwhile. In production each AZ needs its own NAT gateway; "
                 "outside production one is enough, which is what NET-003 proposes: the environment decides."),
      thresholds=("production_environments",),
      tables=("nat_gateways", "route_tables", "subnets"),
      saving=not_cost("Reliability. The fix adds cost: one more NAT gateway per AZ served (hours and a public IPv4 "
                      "address each); the evidence counts them, the cost model prices them."),
      pillar="reliability", best_practice="REL10-BP01")
def nat_single_az(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if not is_production(snapshot, a):
        return []
    nat = snapshot.table("nat_gateways")
    nat = live_nat_gateways(nat)
    nat_az = {text(r.nat_gateway_id): text(r.az) for r in nat.itertuples()}
    nat_row = {text(r.nat_gateway_id): r for r in nat.itertuples()}
    az_of = _subnet_az(snapshot)
    served: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for subnet, target in _nat_routes(snapshot).items():
        if target in nat_az and az_of.get(subnet):
            served[target][az_of[subnet]].append(subnet)
    by_vpc: dict[tuple[str, str], list[str]] = defaultdict(list)
    for nid, azs in served.items():
        if set(azs) - {nat_az[nid]}:
            r = nat_row[nid]
            by_vpc[(text(r.region), text(r.vpc_id))].append(nid)
    out = []
    for (region, vpc), nids in sorted(by_vpc.items()):
        per_nat = {n: {"az": nat_az[n], "serves_azs": sorted(served[n]),
                       "subnets_in_other_azs": sorted(s for z, ss in served[n].items() if z != nat_az[n] for s in ss)}
                   for n in sorted(nids)}
        vpc_nat_azs = {nat_az[n] for n, row in nat_row.items() if text(row.vpc_id) == vpc}
        uncovered = sorted({z for n in nids for z in served[n]} - vpc_nat_azs)
        out.append(spec("NET-011").finding(
            snapshot, region=region, resource_ids=sorted(nids),
            title=f"VPC {vpc}: {len(nids)} NAT gateway(s) carry the egress of other AZs' subnets",
            evidence={"vpc_id": vpc, "nat_gateways": per_nat, "azs_without_own_nat": uncovered,
                      "environment": snapshot.environment,
                      "fix_adds_cost": f"{len(uncovered)} more NAT gateway(s) (hours and a public IPv4 each)"
                                       if uncovered else "none: route each AZ to the NAT gateway already in it",
                      "cost_rule": "NET-003 counts NAT gateways for cost: outside production one is enough"},
            recommendation=("Give each AZ its own NAT gateway and route each private subnet's 0.0.0.0/0 to the one in "
                            "its AZ (a route table per AZ)." if uncovered else
                            "Route each private subnet to the NAT gateway in its own AZ (a route table per AZ)."),
        ))
    return out
