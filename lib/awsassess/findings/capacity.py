"""Compute rules for ECS clusters on EC2 container instances: over-provisioned capacity, capacity provider
scaling, Graviton, Spot outside production. The Fargate side is :mod:`awsassess.findings.compute` (CMP-001..CMP-010).

Every rule reads :attr:`awsassess.facts.Facts.capacity` (:mod:`awsassess.facts.capacity`): one definition of
what the tasks reserve of a cluster's instances, which capacity providers scale them and which Graviton type
an x86 instance moves to.
"""

from __future__ import annotations

import math
from typing import Any

from awsassess.facts import facts_for
from awsassess.facts.capacity import ClusterCapacity, ProviderScaling, graviton_type
from awsassess.findings.base import Finding, is_production, num, rule, spec, text
from awsassess.findings.saving import Basis, not_modelled
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot

# the model's ECS compute items: today's instances and Fargate tasks, the proposed container instances, their root
# volumes and right-sized Fargate tasks (instances outside ECS are kept at today's cost: they net to zero)
ECS_COMPUTE_ITEMS = ("EC2 instance hours", "EC2 container instance hours", "EC2 root volumes", "Fargate")


def _clusters(snapshot: Snapshot, a: FindingsAssumptions) -> list[ClusterCapacity]:
    return [c for _, c in sorted(facts_for(snapshot, a).capacity.items())]


def _gib(mib: float) -> str:
    return f"{mib / 1024:,.1f} GiB"


def _vcpu(units: float) -> str:
    return f"{units / 1024:,.2f}".rstrip("0").rstrip(".") + " vCPU"


def _types_text(c: ClusterCapacity) -> str:
    return ", ".join(f"{n} x {t}" for t, n in c.instance_types.items())


def _provider_evidence(p: ProviderScaling) -> dict[str, Any]:
    return {"name": p.name, "auto_scaling_group": p.asg_name, "managed_scaling": p.managed_scaling,
            "target_capacity_pct": p.target_capacity}


def _ids(c: ClusterCapacity) -> list[str]:
    return [c.cluster_arn or c.cluster, *c.ec2_instance_ids]


# ------------------------------------------------------------------------------------------------ CMP-011
@rule("CMP-011", title="Over-provisioned EC2 capacity in an ECS cluster", domain="compute", severity="medium",
      effort="medium",
      rationale=("Container instances are billed by the hour whatever the tasks on them reserve. When the tasks "
                 "reserve less than the threshold of the cluster's registered CPU and of its memory, the cluster "
                 "runs more or larger instances than its tasks need: managed scaling at a target capacity, fewer "
                 "instances or a smaller type hold the same tasks. Judged on the p95 of the hourly "
                 "CPUReservation/MemoryReservation when collected (the busy hours count), else on what ECS "
                 "reports as registered minus remaining at collection time."),
      thresholds=("ec2_reserved_max_pct", "metrics_lookback_days", "min_datapoints", "utilisation_statistic",
                  "capacity_target_min_pct"),
      tables=("ecs_clusters", "container_instances", "capacity_providers", "ecs_services", "metrics"),
      saving=Basis("region_items", "The model's ECS compute lines of the cluster's region: today's EC2 instance "
                   "hours (and Fargate tasks) against the model's packing of the region's right-sized services "
                   "(container instances with root volumes, or Fargate when that is cheaper). Per cluster only "
                   "when the cluster is the region's ECS compute.", items=ECS_COMPUTE_ITEMS,
                   overlaps="the whole region: it contains the other clusters' CMP-011 and the Fargate "
                   "services' CMP-001/CMP-009 there, CMP-013 (the model packs on arm64 when cheaper) and what "
                   "CMP-012's managed scaling saves"),
      pillar="cost optimization", best_practice="COST06-BP03")
def ec2_overprovisioned(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for c in _clusters(snapshot, a):
        cpu_now, mem_now = c.cpu_reserved_pct, c.memory_reserved_pct
        if not c.instances or cpu_now is None or mem_now is None:
            continue
        r = c.reservation
        measured = r.measured
        cpu_pct, mem_pct = (r.cpu_p95, r.memory_p95) if measured else (cpu_now, mem_now)
        assert cpu_pct is not None and mem_pct is not None
        if cpu_pct >= a.ec2_reserved_max_pct or mem_pct >= a.ec2_reserved_max_pct:
            continue
        n = len(c.instances)
        # today's instances (their mean registered size) the judged reservations would fill completely: a lower
        # bound of the fleet the tasks need, before headroom, AZ spread and placement
        fit = math.ceil(max(cpu_pct, mem_pct) / 100 * n - 1e-9) if max(cpu_pct, mem_pct) > 0 else 0
        managed = [p for p in c.providers if p.managed_scaling]
        basis = (f"p95 of the hourly {a.utilisation_statistic} CPUReservation/MemoryReservation over "
                 f"{a.metrics_lookback_days} days" if measured else "registered - remaining at collection time "
                 "(no reservation metrics collected: one reading)")
        evidence: dict[str, Any] = {
            "cluster": c.cluster, "container_instances": n, "instance_types": c.instance_types,
            "ec2_instance_ids": c.ec2_instance_ids, "running_tasks": c.running_tasks, "services": list(c.services),
            "registered_cpu": c.registered_cpu, "reserved_cpu": c.reserved_cpu,
            "registered_memory_mib": c.registered_memory, "reserved_memory_mib": c.reserved_memory,
            "cpu_reserved_pct": round(cpu_pct, 1), "memory_reserved_pct": round(mem_pct, 1),
            "reservation_basis": basis,
            "cpu_reserved_now_pct": round(cpu_now, 1), "memory_reserved_now_pct": round(mem_now, 1),
            "threshold_pct": a.ec2_reserved_max_pct,
            "instances_the_reservations_fill": fit,
            "capacity_providers": [_provider_evidence(p) for p in c.providers],
        }
        if measured:
            evidence.update(cpu_reservation_datapoints=r.cpu_datapoints,
                            memory_reservation_datapoints=r.memory_datapoints)
        if c.other_instances:
            evidence["not_active_instances"] = c.other_instances
        steps = []
        if not managed:
            steps.append("attach an Auto Scaling group capacity provider with managed scaling (target capacity about "
                         "90%) so ECS sizes the group to what the tasks reserve")
        elif any(p.target_capacity is not None and p.target_capacity < a.capacity_target_min_pct for p in managed):
            steps.append("raise the capacity provider's target capacity (about 90%) so managed scaling stops "
                         "keeping idle instances")
        if fit == 0:
            steps.append("no task reserves anything on these instances: scale the group to zero or remove the "
                         "cluster's instances")
        else:
            steps.append(f"the reservations would fill {fit} of today's {n} instance(s): "
                         + ("run fewer, or a smaller type" if fit < n else "use a smaller type")
                         + f" (an instance registers {_vcpu(c.registered_cpu / n)} / "
                         f"{_gib(c.registered_memory / n)} on average, of which the tasks reserve {cpu_pct:.0f}% / "
                         f"{mem_pct:.0f}%), keeping one instance per AZ and room for a deployment")
        out.append(spec("CMP-011").finding(
            snapshot, region=c.region, resource_ids=_ids(c),
            title=f"{c.cluster}: tasks reserve {cpu_pct:.0f}% of the CPU and {mem_pct:.0f}% of the memory of "
                  f"{_types_text(c)}" + (f" (p95 over {a.metrics_lookback_days} days)" if measured else ""),
            evidence=evidence,
            recommendation="; ".join(s[0].upper() + s[1:] if i == 0 else s for i, s in enumerate(steps)) + ".",
        ))
    return out


# ------------------------------------------------------------------------------------------------ CMP-012
def _provider_issue(p: ProviderScaling, a: FindingsAssumptions) -> tuple[str, str] | None:
    """(short label, why) of a provider that does not follow the tasks; None when it does."""
    if not p.managed_scaling:
        return ("managed scaling off",
                "the Auto Scaling group's size does not follow the tasks: a fixed group pays for idle instances when "
                "load drops, one scaled on instance CPU does not see tasks waiting for capacity")
    t = p.target_capacity
    if t is None:
        return None
    if t >= a.capacity_target_max_pct:
        return (f"target capacity {t}%, no headroom",
                "the group scales out only once tasks wait in PROVISIONING, so every scale-out and deployment waits "
                "for an instance to boot")
    if t < a.capacity_target_min_pct:
        return (f"target capacity {t}%, idle headroom",
                f"managed scaling keeps about {100 - t}% of the instances' capacity idle on purpose")
    return None


@rule("CMP-012", title="Capacity provider scaling that does not follow the tasks", domain="compute",
      severity="low", effort="low",
      rationale=("ECS managed scaling sizes an Auto Scaling group to what the tasks reserve plus the headroom its "
                 "target capacity leaves. Without it (or without a capacity provider at all) the group is sized "
                 "by hand or on instance CPU: idle instances, or tasks waiting for capacity. A target of 100% "
                 "leaves no spare, so scale-outs and deployments wait for instances to boot; a low target keeps "
                 "instances idle on purpose."),
      thresholds=("capacity_target_min_pct", "capacity_target_max_pct", "production_environments"),
      tables=("ecs_clusters", "container_instances", "capacity_providers", "ecs_services"),
      saving=not_modelled("What managed scaling or another target capacity saves depends on how the tasks' "
                          "reservations move over the day, which the model does not simulate (CMP-011 prices the "
                          "fleet the tasks need today); a target without headroom costs deployment and "
                          "scale-out time, not money."),
      pillar="cost optimization", best_practice="COST09-BP03")
def capacity_provider_scaling(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for c in _clusters(snapshot, a):
        if not c.instances and not c.services:
            continue  # a provider of an empty cluster that no service uses places nothing
        issues: list[dict[str, Any]] = []
        if not c.providers and c.instances:
            issues.append({"name": None, "issue": "no capacity provider",
                           "why": "the container instances are registered directly and nothing sizes them to the "
                                  "tasks (tasks that do not fit wait or fail to place)"})
        for p in c.providers:
            found = _provider_issue(p, a)
            if found:
                issues.append({**_provider_evidence(p), "issue": found[0], "why": found[1]})
        if not issues:
            continue
        unmanaged = any(i["name"] is None or not i["managed_scaling"] for i in issues)
        fixes = []
        if unmanaged:
            fixes.append("Put the instances behind an Auto Scaling group capacity provider with managed scaling and "
                         "managed termination protection (scale-in protection on the group), named in the services' "
                         "capacity provider strategy")
        fixes.append(("set" if unmanaged else "Set") + f" its target capacity at or above {a.capacity_target_min_pct}% "
                     f"and below {a.capacity_target_max_pct}% (about 90% leaves a deployment's worth of spare "
                     "without paying for idle instances)")
        out.append(spec("CMP-012").finding(
            snapshot, region=c.region,
            resource_ids=[c.cluster_arn or c.cluster, *(i["name"] for i in issues if i["name"])],
            severity="medium" if prod and unmanaged else "low",
            title=f"{c.cluster}: " + "; ".join(f"{i['name']}: {i['issue']}" if i["name"] else i["issue"]
                                               for i in issues),
            evidence={"cluster": c.cluster, "container_instances": len(c.instances), "services": list(c.services),
                      "capacity_providers": issues,
                      "healthy_providers": [_provider_evidence(p) for p in c.providers
                                            if p.name not in {i["name"] for i in issues}],
                      "target_capacity_min_pct": a.capacity_target_min_pct,
                      "target_capacity_max_pct": a.capacity_target_max_pct},
            recommendation="; ".join(fixes) + ".",
        ))
    return out


# ------------------------------------------------------------------------------------------------ CMP-013
@rule("CMP-013", title="Graviton candidates: x86 container instances", domain="compute", severity="low",
      effort="medium",
      rationale=("Graviton (arm64) instances of the same letter and size cost 15-20% less per hour than their "
                 "Intel/AMD peers (us-east-1: m6g.xlarge $0.154, m7g.xlarge $0.1632, m5/m6i.xlarge $0.192) and give "
                 "the tasks the same vCPU and memory; most interpreted and JVM workloads run unchanged from a "
                 "multi-arch image."),
      tables=("container_instances", "ec2_instances", "ecs_services"),
      saving=not_modelled("The per-finding pricing re-prices instance classes of databases, caches and build hosts "
                          "only (model.savings class_change), not container-instance lines. The model's own proposal "
                          "packs the tasks on arm64 when that is cheaper (model.allow_graviton): that saving is in "
                          "CMP-011's figure and in the headline."),
      pillar="cost optimization", best_practice="COST06-BP02")
def ec2_graviton(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for c in _clusters(snapshot, a):
        x86 = [i for i in c.instances if i.architecture == "x86_64"]
        movable = [(i, graviton_type(i.instance_type)) for i in x86]
        candidates = [(i, g) for i, g in movable if g]
        if not candidates:
            continue
        by_type: dict[str, dict[str, Any]] = {}
        for i, g in candidates:
            row = by_type.setdefault(i.instance_type, {"instance_type": i.instance_type, "graviton_type": g,
                                                       "instances": 0})
            row["instances"] += 1
        kept = sorted({i.instance_type for i, g in movable if not g})
        moves = ", ".join(f"{r['instances']} x {t} -> {r['graviton_type']}" for t, r in sorted(by_type.items()))
        out.append(spec("CMP-013").finding(
            snapshot, region=c.region,
            resource_ids=[c.cluster_arn or c.cluster, *sorted(i.ec2_instance_id for i, _ in candidates
                                                              if i.ec2_instance_id)],
            title=f"{c.cluster}: {len(candidates)} x86 container instance(s) could run on Graviton ({moves})",
            evidence={"cluster": c.cluster, "x86_instances": len(x86), "graviton_candidates": len(candidates),
                      "moves": [by_type[t] for t in sorted(by_type)],
                      "ec2_instance_ids": sorted(i.ec2_instance_id for i, _ in candidates if i.ec2_instance_id),
                      "x86_types_without_graviton": kept,
                      "services_to_build_multi_arch": list(c.services)},
            recommendation=("Build multi-arch images (docker buildx --platform linux/amd64,linux/arm64), add a "
                            "capacity provider on an Auto Scaling group of the Graviton types above (Graviton2, the "
                            "lowest price; Graviton3 such as m7g for more per vCPU), and move the "
                            "services' capacity provider strategy to it one service at a time, staging first; "
                            "retire the x86 group once it is empty."),
        ))
    return out


# ------------------------------------------------------------------------------------------------ CMP-014
def _lifecycles(snapshot: Snapshot) -> dict[str, str]:
    """EC2 instance id -> its lifecycle (on-demand | spot | ...); instances of a snapshot before schema 4 are absent."""
    return {text(r.instance_id): text(r.lifecycle).lower() for r in snapshot.table("ec2_instances").itertuples()
            if text(r.lifecycle)}


def _asg_distribution(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Auto Scaling group name -> its mixed instances policy's on-demand base and percentage (groups without one
    are absent: all on-demand)."""
    return {text(r.asg_name): {"on_demand_base": num(r.on_demand_base), "on_demand_percentage": num(r.on_demand_percentage)}
            for r in snapshot.table("autoscaling_groups").itertuples() if num(r.on_demand_percentage) is not None}


@rule("CMP-014", title="Non-production ECS cluster on EC2 without Spot", domain="compute", severity="low",
      effort="medium",
      rationale=("Spot instances cost up to 90% less than on-demand ones (typically 60-70% for general-purpose "
                 "types) and are reclaimed with a two-minute warning that ECS drains tasks on (managed instance "
                 "draining). Staging and test clusters rarely need more than that; a capacity provider on an Auto "
                 "Scaling group with a mixed instances policy (several types, price-capacity-optimized) keeps them "
                 "running through reclaims."),
      thresholds=("production_environments", "spot_max_share_pct"),
      tables=("ecs_clusters", "container_instances", "capacity_providers", "ec2_instances", "autoscaling_groups"),
      saving=not_modelled("The model prices container instances on-demand; a Spot discount for them is not in the "
                          "price catalog (Fargate Spot is: CMP-010)."),
      pillar="cost optimization", best_practice="COST07-BP01")
def ec2_without_spot(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if is_production(snapshot, a):
        return []
    lifecycle = _lifecycles(snapshot)
    mixed = _asg_distribution(snapshot)
    out = []
    for c in _clusters(snapshot, a):
        known = {i: lifecycle[i] for i in c.ec2_instance_ids if i in lifecycle}
        if not known:
            continue  # no instance, or their lifecycle was not collected
        spot = sorted(i for i, kind in known.items() if kind == "spot")
        share = 100.0 * len(spot) / len(known)
        if share > a.spot_max_share_pct:
            continue
        groups = {p.asg_name: mixed.get(p.asg_name) for p in c.providers if p.asg_name}
        out.append(spec("CMP-014").finding(
            snapshot, region=c.region, resource_ids=_ids(c),
            title=f"{c.cluster}: {len(known) - len(spot)} of {len(known)} container instance(s) on-demand "
                  f"({share:.0f}% Spot) in {snapshot.environment or 'a non-production environment'}",
            evidence={"cluster": c.cluster, "environment": snapshot.environment, "container_instances": len(known),
                      "spot_instances": len(spot), "spot_share_pct": round(share, 1),
                      "threshold_pct": a.spot_max_share_pct, "instance_types": c.instance_types,
                      "auto_scaling_groups": {g: d or "no mixed instances policy (all on-demand)"
                                              for g, d in sorted(groups.items())}},
            recommendation=("Give the cluster a capacity provider on an Auto Scaling group with a mixed instances "
                            "policy (OnDemandPercentageAboveBaseCapacity 0, several instance types, allocation "
                            "strategy price-capacity-optimized), enable managed instance draining, and move the "
                            "services' capacity provider strategy to it."),
        ))
    return out
