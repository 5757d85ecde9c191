"""Compute rules: ECS/Fargate sizing, auto scaling, rollout speed, failed tasks, Graviton, Spot."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pandas as pd

from awsassess import fargate
from awsassess import metrics_stats as ms
from awsassess.facts import facts_for
from awsassess.facts.metrics import elb_dimension
from awsassess.facts.sizing import ServiceSize, is_fargate
from awsassess.facts.tasks import recent_stopped_tasks
from awsassess.findings.base import (
    Finding,
    is_production,
    json_list,
    json_obj,
    num,
    rule,
    spec,
    text,
    truthy,
)
from awsassess.findings.saving import Basis, not_cost
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot


def _services(snapshot: Snapshot) -> pd.DataFrame:
    s = snapshot.table("ecs_services")
    return s[pd.to_numeric(s["desired_count"], errors="coerce").fillna(0) > 0] if len(s) else s


def _is_fargate(row: Any) -> bool:
    return is_fargate(row.launch_type, row.capacity_providers)


def _containers(snapshot: Snapshot, task_definition: str) -> dict[str, float]:
    td = snapshot.table("task_definitions")
    match = td[td["task_definition_arn"] == task_definition]
    if not len(match):
        return {}
    containers = json_list(match.iloc[0]["containers"])
    return {"container_cpu_reserved": sum(num(c.get("cpu"), 0) or 0 for c in containers if isinstance(c, dict)),
            "container_memory_reserved": sum(num(c.get("memory"), 0) or 0 for c in containers if isinstance(c, dict))}


def _measured_fargate(snapshot: Snapshot, a: FindingsAssumptions) -> list[ServiceSize]:
    """Fargate services whose CPU and memory both have enough datapoints (the shared right-sizing facts)."""
    return [s for s in facts_for(snapshot, a).sizes.values() if s.fargate and s.utilisation.measured]


def _sizing_evidence(s: ServiceSize, a: FindingsAssumptions) -> dict[str, Any]:
    u, rs = s.utilisation, s.right
    return {
        "cluster": s.cluster, "service": s.service, "desired_count": s.desired_count,
        "current_cpu": rs.current_cpu, "current_memory": rs.current_memory,
        "current_size": fargate.label(rs.current_cpu, rs.current_memory),
        "cpu_p95_pct": round(u.cpu_p95 or 0.0, 1), "memory_p95_pct": round(u.memory_p95 or 0.0, 1),
        "cpu_max_pct": round(u.cpu_max or 0.0, 1), "memory_max_pct": round(u.memory_max or 0.0, 1),
        "datapoints": u.datapoints, "lookback_days": a.metrics_lookback_days,
        "cpu_target_pct": a.cpu_target_pct, "memory_target_pct": a.memory_target_pct,
        "recommended_cpu": rs.fargate_cpu, "recommended_memory": rs.fargate_memory,
        "recommended_size": fargate.label(rs.fargate_cpu, rs.fargate_memory),
        "projected_cpu_p95_pct": round((u.cpu_p95 or 0.0) * rs.current_cpu / rs.fargate_cpu, 1),
        "projected_memory_p95_pct": round((u.memory_p95 or 0.0) * rs.current_memory / rs.fargate_memory, 1),
        "sizing": rs.reason,
    }


@rule("CMP-001", title="Over-provisioned Fargate service", domain="compute", severity="medium", effort="low",
      rationale=("Fargate bills the task size, not what the containers use. The cheapest valid Fargate "
                 "CPU/memory combination that keeps p95 CPU and memory under the right-sizing targets is "
                 "enough (the same size the cost model prices and the proposed diagram draws)."),
      thresholds=("metrics_lookback_days", "cpu_target_pct", "memory_target_pct", "overprovisioned_max_p95_pct",
                  "underprovisioned_min_p95_pct", "min_datapoints", "utilisation_statistic", "starved_cpu_pct"),
      tables=("ecs_services", "task_definitions", "metrics"),
      saving=Basis("fargate_rightsize", "The service's Fargate vCPU and GB lines at the model's right-sized task "
                   "size (same launch type, capacity provider and architecture).",
                   overlaps="CMP-009/CMP-010 are priced at today's size: they overlap this figure"),
      pillar="cost optimization", best_practice="COST06-BP03")
def overprovisioned(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    rows = {(text(r.cluster), text(r.service_name)): r for r in _services(snapshot).itertuples()}
    for s in _measured_fargate(snapshot, a):
        u, rs = s.utilisation, s.right
        assert u.cpu_p95 is not None and u.memory_p95 is not None  # measured
        if max(u.cpu_p95, u.memory_p95) >= a.underprovisioned_min_p95_pct:
            continue
        if min(u.cpu_p95, u.memory_p95) >= a.overprovisioned_max_p95_pct or not s.smaller:
            continue
        r = rows[(s.cluster, s.service)]
        rec = (rs.fargate_cpu, rs.fargate_memory)
        current = (rs.current_cpu, rs.current_memory)
        reduction = 1 - fargate.size_weight(*rec) / fargate.size_weight(*current)
        evidence = {**_sizing_evidence(s, a), "size_reduction_pct": round(reduction * 100, 1),
                    "cpu_architecture": s.architecture, **_containers(snapshot, text(r.task_definition))}
        out.append(spec("CMP-001").finding(
            snapshot, region=s.region, resource_ids=[s.arn or s.service],
            title=f"{s.service}: {fargate.label(*current)} tasks peak at p95 "
                  f"{u.cpu_p95:.0f}% CPU / {u.memory_p95:.0f}% memory; {fargate.label(*rec)} is enough",
            evidence=evidence,
            recommendation=(f"Register a task definition revision with cpu={rec[0]} memory={rec[1]} "
                            "(adjust container-level limits to fit) and deploy; watch p95 for a week."),
        ))
    return out


@rule("CMP-002", title="Under-provisioned Fargate service", domain="compute", severity="medium", effort="low",
      rationale=("A task that runs at its CPU or memory ceiling is throttled or killed (OOM), slows every "
                 "request and fails health checks under load."),
      thresholds=("metrics_lookback_days", "underprovisioned_min_p95_pct", "cpu_target_pct", "memory_target_pct",
                  "min_datapoints", "utilisation_statistic", "starved_cpu_pct", "production_environments"),
      tables=("ecs_services", "metrics"),
      saving=Basis("fargate_rightsize", "The service's Fargate vCPU and GB lines at the model's larger task size "
                   "(same launch type, capacity provider and architecture): negative, the fix costs more.",
                   overlaps="CMP-009/CMP-010 are priced at today's size"),
      pillar="performance efficiency", best_practice="PERF02-BP04")
def underprovisioned(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    prod = is_production(snapshot, a)
    for s in _measured_fargate(snapshot, a):
        u, rs = s.utilisation, s.right
        assert u.cpu_p95 is not None and u.memory_p95 is not None  # measured
        if max(u.cpu_p95, u.memory_p95) < a.underprovisioned_min_p95_pct:
            continue
        fits = rs.fargate_cpu >= rs.cpu_needed - 1e-9 and rs.fargate_memory >= rs.memory_needed - 1e-9
        which = [k for k, v in (("CPU", u.cpu_p95), ("memory", u.memory_p95)) if v >= a.underprovisioned_min_p95_pct]
        evidence = {**_sizing_evidence(s, a),
                    "note": "a saturated metric hides the real demand: the recommendation is a lower bound"}
        if not fits:
            evidence.update(recommended_cpu=None, recommended_memory=None, recommended_size=None)
        out.append(spec("CMP-002").finding(
            snapshot, region=s.region, resource_ids=[s.arn or s.service],
            severity="high" if prod else "medium",
            title=f"{s.service}: p95 {' and '.join(which)} at "
                  f"{max(u.cpu_p95, u.memory_p95):.0f}% of a {fargate.label(rs.current_cpu, rs.current_memory)} task",
            evidence=evidence,
            recommendation=(f"Raise the task size to at least cpu={rs.fargate_cpu} memory={rs.fargate_memory} and add "
                            "target-tracking auto scaling; re-check p95 after a week." if fits else
                            "Split the service or move it to EC2 instances: no Fargate size fits."),
        ))
    return out


def _scaling_targets(snapshot: Snapshot, namespace: str) -> dict[str, dict]:
    t = snapshot.table("autoscaling_targets")
    t = t[t["service_namespace"].map(text) == namespace]
    return {text(r.resource_id): {"min": num(r.min_capacity), "max": num(r.max_capacity),
                                  "policies": int(num(r.policy_count, 0) or 0)} for r in t.itertuples()}


@rule("CMP-003", title="ECS service without auto scaling", domain="compute", severity="low", effort="low",
      rationale=("A fixed desired count is sized for peak all day; target-tracking scaling on CPU or "
                 "requests lets the service shrink at night and grow under load."),
      thresholds=("production_environments",), tables=("ecs_services", "autoscaling_targets"),
      saving=not_cost("Auto scaling: what scaling in saves depends on the daily load curve, which the model does not "
                      "simulate; the proposal keeps today's task counts."),
      pillar="performance efficiency", best_practice="PERF02-BP05")
def no_autoscaling(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    targets = _scaling_targets(snapshot, "ecs")
    prod = is_production(snapshot, a)
    out = []
    for r in _services(snapshot).itertuples():
        key = f"service/{text(r.cluster)}/{text(r.service_name)}"
        t = targets.get(key)
        if t and t["policies"] > 0:
            continue
        out.append(spec("CMP-003").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.service_arn) or text(r.service_name)],
            severity="medium" if prod and int(num(r.desired_count, 0) or 0) > 1 else "low",
            title=f"{text(r.service_name)}: {int(num(r.desired_count, 0) or 0)} tasks, "
                  + ("scalable target without policies" if t else "no auto scaling"),
            evidence={"cluster": text(r.cluster), "service": text(r.service_name),
                      "desired_count": int(num(r.desired_count, 0) or 0),
                      "scalable_target": bool(t), "policies": t["policies"] if t else 0},
            recommendation=("Register the service as a scalable target (min = today's night-time need) with a "
                            "target-tracking policy on ECSServiceAverageCPUUtilization or ALB RequestCountPerTarget."),
        ))
    return out


def _tg_by_arn(snapshot: Snapshot) -> dict[str, dict]:
    return {text(r.arn): r._asdict() for r in snapshot.table("target_groups").itertuples()}


@rule("CMP-004", title="Rollout settings that slow every deployment", domain="compute", severity="medium",
      effort="low",
      rationale=("Every rolling deployment waits for new tasks to pass health checks, then drains old targets "
                 "for the deregistration delay, once per batch. 300 s draining, slow health checks, long grace "
                 "periods and minimum/maximum percents that replace one task at a time add up to tens of "
                 "minutes per deploy."),
      thresholds=("deregistration_delay_max_s", "health_check_time_to_healthy_max_s", "health_check_grace_max_s",
                  "rollout_max_batches"),
      tables=("ecs_services", "target_groups"),
      saving=not_cost("Rollout speed."),
      pillar="operational excellence", best_practice="OPS06-BP03")
def rollout_speed(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    tgs = _tg_by_arn(snapshot)
    out = []
    for r in _services(snapshot).itertuples():
        issues: list[str] = []
        ev: dict[str, Any] = {"cluster": text(r.cluster), "service": text(r.service_name),
                              "deployment_controller": text(r.deployment_controller) or "ECS"}
        groups = [tgs[t] for t in json_list(r.target_group_arns) if isinstance(t, str) and t in tgs]
        dereg = max((num(t["deregistration_delay_s"], 0) or 0 for t in groups), default=None)
        healthy_s = max(((num(t["health_check_interval_s"], 0) or 0) * (num(t["healthy_threshold"], 0) or 0)
                         for t in groups), default=None)
        grace = num(r.health_check_grace_s)
        if dereg is not None:
            ev["deregistration_delay_s"] = dereg
            if dereg > a.deregistration_delay_max_s:
                issues.append(f"deregistration delay {dereg:.0f} s")
        if healthy_s is not None and groups:
            g = groups[0]
            ev.update(health_check_interval_s=num(g["health_check_interval_s"]),
                      healthy_threshold=num(g["healthy_threshold"]), time_to_healthy_s=healthy_s)
            if healthy_s > a.health_check_time_to_healthy_max_s:
                issues.append(f"health checks need {healthy_s:.0f} s to mark a task healthy")
        if grace is not None:
            ev["health_check_grace_s"] = grace
            if grace > a.health_check_grace_max_s:
                issues.append(f"grace period {grace:.0f} s")
        batches = None
        desired = int(num(r.desired_count, 0) or 0)
        if ev["deployment_controller"] == "ECS":
            lo, hi = num(r.min_healthy_percent), num(r.max_percent)
            if lo is not None and hi is not None and desired:
                per_batch = math.floor(desired * hi / 100) - math.ceil(desired * lo / 100)
                ev.update(min_healthy_percent=lo, max_percent=hi, desired_count=desired)
                if per_batch <= 0:
                    issues.append(f"minimumHealthyPercent {lo:.0f} / maximumPercent {hi:.0f} leave no room "
                                  "to replace a task: the rollout cannot progress")
                    batches = None
                    ev["tasks_per_batch"] = 0
                else:
                    batches = math.ceil(desired / per_batch)
                    ev.update(tasks_per_batch=per_batch, batches=batches)
                    if batches > a.rollout_max_batches:
                        issues.append(f"{batches} sequential batches of {per_batch} task(s)")
        if not issues:
            continue
        per_batch_wait = (healthy_s or 0) + (dereg or 0) + max(0.0, (grace or 0) - (healthy_s or 0))
        ev["estimated_wait_per_batch_s"] = per_batch_wait
        ev["estimated_rollout_wait_s"] = per_batch_wait * (batches or 1)
        ev["slowdowns"] = issues
        out.append(spec("CMP-004").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.service_arn) or text(r.service_name)],
            title=f"{text(r.service_name)}: rollouts wait ~{ev['estimated_rollout_wait_s'] / 60:.0f} min "
                  f"({'; '.join(issues)})",
            evidence=ev,
            recommendation=("Set deregistration_delay.timeout_seconds to 30-60 s (longer than the longest "
                            "request), health checks every 10 s with a healthy threshold of 2-3, a grace period "
                            "just above start-up time, and maximumPercent 200 / minimumHealthyPercent 100 so "
                            "the whole service is replaced in one batch."),
        ))
    return out


@rule("CMP-005", title="Tasks failing and being replaced", domain="compute", severity="medium", effort="medium",
      rationale=("Stopped tasks tell why deployments fail or flap: failed health checks, out-of-memory kills, "
                 "image pulls, crashes. Each failure costs a task start and slows or rolls back deployments."),
      thresholds=("stopped_tasks_min", "history_lookback_days", "production_environments"),
      tables=("stopped_tasks", "ecs_services"),
      saving=not_cost("Failed tasks: reliability and deployment speed."),
      pillar="reliability", best_practice="REL11-BP01")
def stopped_tasks(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    t = recent_stopped_tasks(snapshot, a.history_lookback_days)
    if not len(t):
        return []
    failed = t[t["kind"].notna()]
    arn_of = {(text(r.cluster), text(r.service_name)): text(r.service_arn)
              for r in snapshot.table("ecs_services").itertuples()}
    prod = is_production(snapshot, a)
    out = []
    for (region, cluster, service), g in failed.groupby(["region", "cluster", "service"]):
        if len(g) < a.stopped_tasks_min:
            continue
        exit_codes: Counter[str] = Counter()
        for v in g["container_exit_codes"]:
            for name, code in json_obj(v).items():
                if code is not None:
                    exit_codes[f"{name}={int(num(code, 0) or 0)}"] += 1
        name = service or text(g["group"].iloc[0])
        kinds = Counter(g["kind"])
        out.append(spec("CMP-005").finding(
            snapshot, region=region, resource_ids=[arn_of.get((cluster, service), name)],
            severity="high" if prod else "medium",
            title=f"{name}: {len(g)} failed tasks in {a.history_lookback_days} days "
                  f"(mostly {kinds.most_common(1)[0][0].replace('_', ' ')})",
            evidence={"cluster": cluster, "service": name, "failed_tasks": len(g), "by_kind": dict(kinds),
                      "stop_codes": dict(Counter(text(x) for x in g["stop_code"])),
                      "reasons": dict(Counter(text(x) for x in g["stopped_reason"]).most_common(5)),
                      "exit_codes": dict(exit_codes.most_common(5)),
                      "first_stop": g["stopped_at"].min(), "last_stop": g["stopped_at"].max()},
            recommendation=("Read the reasons above: health-check failures at start-up point to a task too small "
                            "to boot or a grace period shorter than start-up; exit code 137 means out of memory; "
                            "pull/initialisation errors are permissions or networking."),
        ))
    return out


def _near_peak(times: list[pd.Timestamp], cpu: pd.DataFrame, window: timedelta) -> float | None:
    if not len(cpu):
        return None
    period = pd.to_timedelta(pd.to_numeric(cpu["period_s"], errors="coerce").fillna(60), unit="s")
    starts, ends = cpu["timestamp"], cpu["timestamp"] + period
    best = None
    for t in times:
        if pd.isna(t):
            continue
        hit = cpu["value"][(starts <= t + window) & (ends >= t - window)]
        if len(hit):
            best = max(best or 0.0, float(hit.max()))
    return best


def _service_series(snapshot: Snapshot, namespace: str, metric: str, stat: str, cluster: str,
                    service: str) -> pd.DataFrame:
    df = ms.series(snapshot, namespace, metric, stat)
    if not len(df):
        return df
    if "ServiceName" in df.columns:
        mask = df["ServiceName"] == service
        if "ClusterName" in df.columns and cluster:
            mask &= df["ClusterName"].fillna(cluster) == cluster
        return df[mask]
    return df[df["resource_id"] == service]


@rule("CMP-006", title="Task too small to bootstrap", domain="compute", severity="high", effort="low",
      rationale=("When CPU is pinned at 100% while a task starts (JIT warm-up, migrations, cache loading) the "
                 "application answers health checks too late, the load balancer marks it unhealthy, ECS "
                 "replaces it and the deployment loops or rolls back. The fix is more CPU, not more time."),
      thresholds=("bootstrap_cpu_max_pct", "bootstrap_window_min", "bootstrap_min_tasks", "history_lookback_days"),
      tables=("stopped_tasks", "ecs_services", "metrics", "target_groups"),
      saving=not_cost("Reliability: the start-up CPU need; a larger size shows as CMP-002 when p95 shows it."),
      pillar="performance efficiency", best_practice="PERF02-BP04")
def bootstrap_starved(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    t = recent_stopped_tasks(snapshot, a.history_lookback_days)
    if not len(t):
        return []
    window = timedelta(minutes=a.bootstrap_window_min)
    out = []
    services = {(text(r.cluster), text(r.service_name)): r for r in snapshot.table("ecs_services").itertuples()}
    for (region, cluster, service), g in t[t["service"] != ""].groupby(["region", "cluster", "service"]):
        cpu = _service_series(snapshot, "AWS/ECS", "CPUUtilization", "Maximum", cluster, service)
        if not len(cpu):
            cpu = _service_series(snapshot, "ECS/ContainerInsights", "CpuUtilized", "Maximum", cluster, service)
        svc = services.get((cluster, service))
        # health-check failures: from the stop reason, else from the target groups' UnHealthyHostCount
        hc = g[g["kind"] == "health_check"]
        unhealthy_metric = pd.DataFrame()
        if not len(hc) and svc is not None:
            dims = {elb_dimension(x) for x in json_list(svc.target_group_arns)}
            um = ms.series(snapshot, "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum")
            if len(um) and "TargetGroup" in um.columns:
                unhealthy_metric = um[um["TargetGroup"].isin(dims) & (um["value"] > 0)]
            if len(unhealthy_metric):
                hc = g[g["kind"].notna()]
        matched, peaks = [], []
        for r in hc.itertuples():
            peak = _near_peak([r.started_at, r.stopped_at], cpu, window)
            if peak is not None and peak >= a.bootstrap_cpu_max_pct:
                matched.append(text(r.task_arn))
                peaks.append(peak)
        if len(matched) < a.bootstrap_min_tasks:
            continue
        cur_cpu = int(num(svc.cpu, 0) or 0) if svc is not None else 0
        cur_mem = int(num(svc.memory, 0) or 0) if svc is not None else 0
        on_fargate = svc is None or _is_fargate(svc)
        size = facts_for(snapshot, a).size(cluster, service) if not on_fargate else None
        if size is not None and not (cur_cpu and cur_mem):  # EC2: the containers' reservations when no task size
            cur_cpu, cur_mem = cur_cpu or size.right.current_cpu, cur_mem or size.right.current_memory
        # Fargate: the smallest valid size with twice the CPU; EC2: any size the instances fit, so twice the CPU
        rec = (fargate.smallest_fitting(cur_cpu * 2, cur_mem) if on_fargate else (cur_cpu * 2, cur_mem)) \
            if cur_cpu else None
        out.append(spec("CMP-006").finding(
            snapshot, region=region,
            resource_ids=[text(svc.service_arn) if svc is not None else service],
            title=f"{service}: task too small to bootstrap ({len(matched)} tasks failed health checks with CPU "
                  f"at {max(peaks):.0f}% during start-up)",
            evidence={"cluster": cluster, "service": service, "failed_health_check_tasks": len(hc),
                      "tasks_with_cpu_peak": len(matched), "cpu_peak_max_pct": max(peaks),
                      "window_min": a.bootstrap_window_min,
                      "health_check_failures_from": "stop reason" if not len(unhealthy_metric) else "UnHealthyHostCount",
                      "sample_tasks": matched[:5], "launch": "FARGATE" if on_fargate else "EC2",
                      "current_cpu": cur_cpu, "current_memory": cur_mem,
                      "health_check_grace_s": num(svc.health_check_grace_s) if svc is not None else None,
                      "recommended_cpu": rec[0] if rec else None, "recommended_memory": rec[1] if rec else None},
            recommendation=(f"Give the task more CPU (at least cpu={rec[0]} memory={rec[1]}"
                            + ("" if on_fargate else " CPU units / MiB on its EC2 instances") + ") so start-up "
                            "finishes inside the health-check window; then set the grace period just above the "
                            "measured start-up time." if rec else "Give the task more CPU so start-up finishes "
                            "inside the health-check window."),
        ))
    return out


@rule("CMP-007", title="Deployments rolled back by the circuit breaker", domain="compute", severity="medium",
      effort="medium",
      rationale=("A circuit-breaker rollback means a deployment failed after starting tasks that never became "
                 "healthy; every one costs the full rollout time twice and leaves the change undeployed."),
      thresholds=("history_lookback_days",), tables=("ecs_deployments", "ecs_services"),
      saving=not_cost("Circuit-breaker rollbacks: deployment reliability."),
      pillar="operational excellence", best_practice="OPS06-BP02")
def circuit_breaker_rollbacks(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = snapshot.table("ecs_deployments")
    if not len(d):
        return []
    d = d.copy()
    d["created_at"] = ms.to_utc(d["created_at"])
    end = ms.as_of(snapshot)
    d = d[d["created_at"].isna() | (d["created_at"] > end - timedelta(days=a.history_lookback_days))]
    failed = d[(d["rollout_state"].map(text).astype(str).str.upper() == "FAILED") |
               d["rollout_state_reason"].map(text).astype(str).str.contains("circuit breaker", case=False)]
    names = {text(r.service_arn): text(r.service_name) for r in snapshot.table("ecs_services").itertuples()}
    out = []
    for (region, arn), g in failed.groupby(["region", "service_arn"]):
        name = names.get(text(arn), text(arn).rsplit("/", 1)[-1])
        out.append(spec("CMP-007").finding(
            snapshot, region=region, resource_ids=[text(arn)],
            title=f"{name}: {len(g)} deployment(s) failed/rolled back in {a.history_lookback_days} days",
            evidence={"service": name, "failed_deployments": len(g),
                      "failed_tasks": int(pd.to_numeric(g["failed_tasks"], errors="coerce").fillna(0).sum()),
                      "reasons": dict(Counter(text(x) for x in g["rollout_state_reason"]).most_common(3)),
                      "last": g["created_at"].max()},
            recommendation="Look at the stopped tasks of these deployments (see the failed-task findings) and fix the cause before retrying.",
        ))
    return out


@rule("CMP-008", title="Rolling deployments without a circuit breaker", domain="compute", severity="low",
      effort="low",
      rationale=("Without the deployment circuit breaker a bad revision keeps starting failing tasks for hours "
                 "instead of rolling back automatically."),
      tables=("ecs_services",),
      saving=not_cost("Circuit breaker setting: deployment reliability."),
      pillar="operational excellence", best_practice="OPS06-BP04")
def no_circuit_breaker(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    s = _services(snapshot)
    s = s[(s["deployment_controller"].map(text).isin(["", "ECS"])) & ~s["circuit_breaker"].map(truthy).astype(bool)]
    out = []
    for region, g in s.groupby("region"):
        out.append(spec("CMP-008").finding(
            snapshot, region=region, resource_ids=sorted(text(x) for x in g["service_arn"]),
            title=f"{len(g)} ECS service(s) deploy without the circuit breaker",
            evidence={"services": sorted(text(x) for x in g["service_name"])},
            recommendation="Enable deploymentCircuitBreaker {enable: true, rollback: true} on every rolling-update service.",
        ))
    return out


@rule("CMP-009", title="Graviton candidates: x86 Fargate tasks", domain="compute", severity="low", effort="medium",
      rationale=("Fargate on ARM64 (Graviton) costs about 20% less per vCPU and GB than x86 for the same task "
                 "size; most interpreted and JVM workloads run unchanged with a multi-arch image."),
      tables=("ecs_services",),
      saving=Basis("fargate_arch", "Today's x86 on-demand Fargate vCPU and GB lines of the services named, "
                   "re-priced at the arm64 (Graviton) rows of the same region.",
                   overlaps="priced at today's task sizes (overlaps CMP-001/CMP-002); an alternative to CMP-010 "
                   "(Fargate Spot runs X86_64 tasks only)"),
      pillar="cost optimization", best_practice="COST06-BP02")
def graviton_candidates(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    s = _services(snapshot)
    out = []
    rows_ = [r for r in s.itertuples() if _is_fargate(r) and text(r.cpu_architecture).upper() != "ARM64"]
    by_region: dict[str, list[Any]] = defaultdict(list)
    for r in rows_:
        by_region[text(r.region)].append(r)
    for region, rs in sorted(by_region.items()):
        vcpu = sum((num(r.cpu, 0) or 0) / 1024 * (num(r.desired_count, 0) or 0) for r in rs)
        out.append(spec("CMP-009").finding(
            snapshot, region=region, resource_ids=sorted(text(r.service_arn) for r in rs),
            title=f"{len(rs)} Fargate service(s) on x86 ({vcpu:g} vCPU running) could run on Graviton",
            evidence={"services": sorted(text(r.service_name) for r in rs), "running_vcpu": vcpu,
                      "running_memory_gb": sum((num(r.memory, 0) or 0) / 1024 * (num(r.desired_count, 0) or 0)
                                               for r in rs)},
            recommendation=("Build multi-arch images (docker buildx --platform linux/amd64,linux/arm64), set "
                            "runtimePlatform.cpuArchitecture=ARM64, and move services one at a time starting "
                            "with staging."),
        ))
    return out


@rule("CMP-010", title="Non-production Fargate services without Fargate Spot", domain="compute", severity="low",
      effort="low",
      rationale=("Fargate Spot runs the same tasks at up to 70% off; interruptions (two-minute notice) are "
                 "acceptable for staging and test environments."),
      thresholds=("production_environments",), tables=("ecs_services",),
      saving=Basis("fargate_spot", "Today's x86 on-demand Fargate lines of the services named with the model's "
                   "Fargate Spot discount assumption (fargate_spot_discount_pct).",
                   overlaps="an alternative to CMP-009 (Fargate Spot runs X86_64 only); overlaps CMP-001"),
      pillar="cost optimization", best_practice="COST07-BP01")
def fargate_spot(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if is_production(snapshot, a):
        return []
    s = _services(snapshot)
    rs = [r for r in s.itertuples() if _is_fargate(r)
          and "FARGATE_SPOT" not in {text(p).upper() for p in json_list(r.capacity_providers)}]
    out = []
    by_region: dict[str, list[Any]] = defaultdict(list)
    for r in rs:
        by_region[text(r.region)].append(r)
    for region, group in sorted(by_region.items()):
        out.append(spec("CMP-010").finding(
            snapshot, region=region, resource_ids=sorted(text(r.service_arn) for r in group),
            title=f"{len(group)} {snapshot.environment or 'non-production'} Fargate service(s) on on-demand capacity",
            evidence={"environment": snapshot.environment, "services": sorted(text(r.service_name) for r in group)},
            recommendation=("Use a capacity provider strategy of FARGATE_SPOT (weight 1) with FARGATE as base 0-1 "
                            "for these services."),
        ))
    return out
