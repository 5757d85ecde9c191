"""The migration plan in waves: network foundation, data stores, services (in the order the peering
graph allows), pipelines, decommission. Each wave has steps, risks, a rollback and an effort.

Service order: the VPC with the most peering connections is the hub (the api VPC in the demo); the
services of the other (leaf) VPCs move first, because each leaf only talks to the hub and a single
temporary peering between the new VPC and the hub VPC keeps that path open. The hub moves last.
Leaves go internal before public and quiet before busy (ALB RequestCount), a few per wave.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.placement import service_vpcs
from awsassess.model.architecture import ProposedArchitecture
from awsassess.model.costing import text
from awsassess.model.lens import Effect, production_risks
from awsassess.model.lens import effects as lens_effects
from awsassess.snapshot import Snapshot
from awsassess.values import json_list

SERVICES_PER_WAVE = 3
# Planning assumption: person-days per unit of work (stated in every wave's effort_basis).
DAYS = {"vpc": 2.0, "alb": 0.5, "cluster_ec2": 2.0, "cluster_fargate": 0.5, "datastore": 1.0,
        "datastore_move": 2.0, "service": 1.0, "workflow": 0.5, "decommission_vpc": 0.25}


@dataclass
class MigrationWave:
    number: int
    name: str
    goal: str
    steps: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    rollback: str = ""
    effort: str = "medium"  # low | medium | high
    effort_days: float = 0.0
    effort_basis: str = ""
    depends_on: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _level(days: float) -> str:
    return "low" if days <= 2 else "medium" if days <= 6 else "high"


def peering_order(snapshot: Snapshot) -> tuple[str | None, list[str]]:
    """(hub VPC id, VPC ids by decreasing peering degree)."""
    p = snapshot.table("vpc_peerings")
    if not len(p):
        return None, []
    active = p[~p["status"].astype(str).isin(["deleted", "rejected", "failed", "expired"])]
    degree: Counter[str] = Counter()
    for _, r in active.iterrows():
        degree[text(r["requester_vpc_id"])] += 1
        degree[text(r["accepter_vpc_id"])] += 1
    if not degree:
        return None, []
    ranked = [v for v, _ in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))]
    hub = ranked[0] if degree[ranked[0]] > 1 else None
    return hub, ranked


def _ids(raw: object) -> list[str]:
    """The ids of a JSON-list cell; an item that is not text (a number, an object) is no id."""
    return [x for x in json_list(raw) if isinstance(x, str) and x]


def service_order(snapshot: Snapshot, arch: ProposedArchitecture) -> tuple[list[str], list[str], str]:
    """(leaf services in migration order, hub services, explanation)."""
    hub, _ = peering_order(snapshot)
    vpc_of = service_vpcs(snapshot)
    requests = ms.stats(snapshot, "AWS/ApplicationELB", "RequestCount", "Sum")
    public = {s.name: s.public for s in arch.services}
    current_lb = {}
    tgs = snapshot.table("target_groups")
    lbs = {text(r["arn"]): text(r["name"]) for _, r in snapshot.table("load_balancers").iterrows()}
    for _, s in snapshot.table("ecs_services").iterrows():
        for tg in _ids(s["target_group_arns"]):
            for _, t in tgs[tgs["arn"].map(text) == tg].iterrows():
                for lb in _ids(t["load_balancer_arns"]):
                    current_lb[text(s["service_name"])] = lbs.get(lb, "")

    def traffic(name: str) -> float:
        lb = current_lb.get(name, "")
        return float(requests.loc[lb, "mean"]) if lb in requests.index else 0.0

    names = [s.name for s in arch.services]
    hubs = [n for n in names if hub and vpc_of.get(n) == hub]
    leaves = sorted((n for n in names if n not in hubs), key=lambda n: (public.get(n, False), traffic(n), n))
    why = (f"VPC {hub} peers with the most VPCs (hub): its services ({', '.join(hubs)}) move last; leaf services "
           "first, internal before public, quiet before busy" if hub else
           "no peering hub: internal services before public ones, quiet before busy")
    return leaves, hubs, why


def plan_migration(snapshot: Snapshot, arch: ProposedArchitecture, production: bool,
                   effects: list[Effect] | None = None) -> list[MigrationWave]:
    """The waves; every change of ``effects`` (default: :func:`awsassess.model.lens.effects`) that lowers a
    production resilience property is added to the risks of the wave that makes it."""
    waves = _plan(snapshot, arch, production)
    found = effects if effects is not None else lens_effects(snapshot, arch, production)
    for prefix, risks in production_risks(found).items():
        wave = next((w for w in waves if w.name.startswith(prefix)), waves[0] if waves else None)
        if wave is not None:
            wave.risks.extend(r for r in risks if r not in wave.risks)
    return waves


def _plan(snapshot: Snapshot, arch: ProposedArchitecture, production: bool) -> list[MigrationWave]:
    waves: list[MigrationWave] = []
    hub, _ = peering_order(snapshot)
    vpc = arch.vpcs[0] if arch.vpcs else None
    cluster = arch.clusters[0] if arch.clusters else None
    # ------------------------------------------------------------------ 1 network foundation
    days = DAYS["vpc"] * max(len(arch.vpcs), 1) + DAYS["alb"] * len(arch.load_balancers) + \
        (DAYS["cluster_ec2"] if cluster and cluster.launch == "EC2" else DAYS["cluster_fargate"])
    steps = []
    if vpc:
        steps += [f"Create VPC {vpc.name} ({vpc.cidr}) across {', '.join(vpc.azs)} with public and private subnets",
                  f"NAT gateway per AZ ({len(vpc.nat_gateways)}), S3 and DynamoDB gateway endpoints"
                  + (f", interface endpoints: {', '.join(vpc.interface_endpoints)}" if vpc.interface_endpoints else ""),
                  "Temporary VPC peering from the new VPC to " + (f"the hub VPC {hub}" if hub else "the old VPCs")
                  + " and to the VPCs holding data stores, with routes and security group rules"]
    steps += [f"Create {lb.scheme} ALB {lb.name} ({len(lb.services)} services, {lb.rules} rules)"
              for lb in arch.load_balancers]
    if cluster:
        if cluster.launch == "EC2":
            steps.append(f"ECS cluster {cluster.name}: launch template (ECS-optimized AMI, {cluster.arch}), Auto "
                         f"Scaling group of {cluster.instances} x {cluster.instance_type}, capacity provider with "
                         f"managed scaling at {cluster.capacity_provider.target_capacity_pct if cluster.capacity_provider else 100}% "
                         "target capacity, awsvpcTrunking enabled")
        else:
            steps.append(f"ECS cluster {cluster.name} with FARGATE ({cluster.arch}) capacity providers")
    steps.append("GitHub OIDC provider and a deploy role per environment (no long-lived keys)")
    waves.append(MigrationWave(
        1, "Network foundation", "The shared VPC, load balancers and cluster exist; nothing routes to them yet",
        steps, [vpc.name] if vpc else [],
        ["Elastic IP and VPC quotas (old and new NAT gateways coexist until decommission)",
         "CIDR overlap with on-premises or partner networks (the proposal picks a /16 no current VPC uses)",
         "Security group rules between the new VPC and the old ones during the move"],
        "Delete the new resources: no traffic uses them yet", _level(days), days,
        f"{DAYS['vpc']} d per VPC, {DAYS['alb']} d per ALB, cluster {DAYS['cluster_ec2']} d on EC2 / "
        f"{DAYS['cluster_fargate']} d on Fargate"))
    # ------------------------------------------------------------------ 2 data stores
    stores = [d for d in arch.datastores if d.kind != "dynamodb" or d.mode != d.current_mode]
    moves = [d for d in arch.datastores if d.kind in ("rds", "aurora", "docdb", "elasticache")]
    days = DAYS["datastore"] * len(stores) + DAYS["datastore_move"] * len(moves)
    steps = []
    for d in arch.datastores:
        if d.kind == "dynamodb":
            if d.mode != d.current_mode or d.proposed_class != d.current_class:
                steps.append(f"DynamoDB {d.id}: {d.current_mode} -> {d.mode} ({d.reason}); online, switch at most "
                             "once per 24 h")
            continue
        changes = []
        if d.proposed_class and d.proposed_class != d.current_class:
            changes.append(f"{d.current_class} -> {d.proposed_class}")
        if d.engine != d.current_engine:
            changes.append(f"{d.current_engine} -> {d.engine} (in-place engine upgrade)")
        if d.multi_az != d.current_multi_az and d.kind == "rds":
            changes.append("Multi-AZ off" if not d.multi_az else "Multi-AZ on")
        if d.storage_type and d.storage_type != d.current_storage_type:
            changes.append(f"storage {d.current_storage_type} -> {d.storage_type} (online)")
        if d.nodes < d.current_nodes:
            changes.append(f"{d.current_nodes} -> {d.nodes} node(s)")
        if changes:
            steps.append(f"{d.kind} {d.id}: " + ", ".join(changes))
    steps.append("Move the data stores into the shared VPC's private subnets: RDS by switching the DB subnet group "
                 "(Single-AZ while moving) or snapshot-restore; DocumentDB and ElastiCache by snapshot-restore; "
                 "switch connection endpoints through SSM parameters/secrets")
    waves.append(MigrationWave(
        2, "Data stores", "Right-sized, Graviton, Valkey, gp3, the right DynamoDB mode; then in the shared VPC",
        steps, [d.id for d in arch.datastores],
        ["Class changes and moves restart the instance: a failover on Multi-AZ (about a minute), a maintenance "
         "window otherwise", "Valkey upgrade cannot be undone in place",
         "A downsized database may run short of memory (buffer cache): watch FreeableMemory and swap"],
        "Snapshots before every change; modify the class back; restore the snapshot into the old subnet group / "
        "Redis OSS if a move or upgrade goes wrong", _level(days), days,
        f"{DAYS['datastore']} d per changed store + {DAYS['datastore_move']} d per store moved",
        depends_on=[1]))
    # ------------------------------------------------------------------ 3.. services
    leaves, hubs, why = service_order(snapshot, arch)
    by_name = {s.name: s for s in arch.services}
    batches = [leaves[i:i + SERVICES_PER_WAVE] for i in range(0, len(leaves), SERVICES_PER_WAVE)]
    if hubs:
        batches.append(hubs)
    first_service_wave = len(waves) + 1
    for names in batches:
        n = len(waves) + 1
        steps = []
        for name in names:
            s = by_name[name]
            size = f"{s.current_cpu}/{s.current_memory} -> {s.cpu}/{s.memory} (CPU units/MiB, {s.arch})"
            route = f"a rule on {s.load_balancer}" if s.load_balancer else "service discovery"
            steps.append(f"{name}: new service in {s.cluster} ({s.launch}, {size}, {s.desired} task(s), auto "
                         f"scaling {s.scaling.min_tasks}-{s.scaling.max_tasks} at {s.scaling.target_value:g}% CPU), "
                         f"{route}; shift traffic by weight (ALB weighted target groups / Route 53), then scale "
                         "the old service to 0")
        hub_wave = names == hubs and bool(hubs)
        days = DAYS["service"] * len(names)
        waves.append(MigrationWave(
            n, f"Services: {', '.join(names)}", why if n == first_service_wave else
            ("the hub moves last: every leaf already runs in the shared VPC" if hub_wave else
             "next leaves in the order above"),
            steps, [by_name[x].replaces[0] if by_name[x].replaces else x for x in names],
            ["Right-sized tasks too small at peak: keep auto scaling on, alarms on CPU/memory and 5xx, old "
             "service warm until the wave is signed off",
             "Graviton (arm64) images: build multi-arch and run the test suite on arm64 first"
             if any(by_name[x].arch == "arm64" for x in names) else "Image and configuration drift between old "
             "and new services: deploy both from the same pipeline run",
             "Latency of calls crossing the temporary peering while services are split"],
            "Shift the weight back to the old service (still running, scaled to its old count)",
            _level(days), days, f"{DAYS['service']} d per service", depends_on=[1, 2]))
    # ------------------------------------------------------------------ pipelines
    pipes = arch.pipelines
    if pipes:
        days = DAYS["workflow"] * len(pipes.workflows)
        steps = [f"{w.name}: build with layer cache ({w.build_minutes} min), deploy ({w.deploy_minutes} min) "
                 f"replacing {w.replaces_pipeline}" for w in pipes.workflows]
        steps.append(f"{pipes.minutes_per_month:,.0f} runner minutes/month vs {pipes.included_minutes:,} included "
                     f"({pipes.plan} plan, shared by the organisation)")
        steps.append("Run each workflow alongside its CodePipeline for one release, then disable the pipeline")
        waves.append(MigrationWave(
            len(waves) + 1, "Pipelines: CodePipeline -> GitHub Actions",
            "Cached multi-arch builds and rolling deploys without the blue/green wait",
            steps, [w.name for w in pipes.workflows],
            ["First runs are cold (no cache): the speed-up shows from the second run",
             "Runner minutes above the plan's included minutes are billed",
             "Deploy permissions: scope the OIDC role to the repository and environment"],
            "Re-enable the CodePipeline pipelines (left in place until decommission)", _level(days), days,
            f"{DAYS['workflow']} d per workflow", depends_on=[1] + list(range(first_service_wave, len(waves) + 1))))
    # ------------------------------------------------------------------ decommission
    old_vpcs = vpc.replaces if vpc else []
    days = DAYS["decommission_vpc"] * max(len(old_vpcs), 1)
    waves.append(MigrationWave(
        len(waves) + 1, "Decommission", "Stop paying for the old estate",
        [f"Delete {len(old_vpcs)} old VPC(s) with their NAT gateways (release the Elastic IPs), load balancers, "
         "peering connections and endpoints", "Release idle Elastic IPs",
         "Delete CodePipeline pipelines, CodeBuild projects and CodeDeploy applications",
         "Retire Copilot: delete its service and environment stacks, then the application (`copilot app delete`: "
         "its infrastructure-roles stack), after exporting anything still needed"],
        old_vpcs,
        ["Hidden dependencies on old endpoints (check VPC flow logs and ENIs before deleting)",
         "Deleted resources cannot be rolled back"],
        "None after deletion: wait two weeks after the last wave, keep snapshots and CloudFormation templates",
        _level(days), days, f"{DAYS['decommission_vpc']} d per VPC", depends_on=[w.number for w in waves]))
    if production:
        for w in waves:
            if w.name.startswith("Services") or w.name == "Data stores":
                w.risks.append("Production: run the wave in a change window with the on-call team")
    return waves


def waves_frame(waves: list[MigrationWave]) -> pd.DataFrame:
    return pd.DataFrame([{"wave": w.number, "name": w.name, "effort": w.effort, "effort_days": w.effort_days,
                          "steps": len(w.steps), "depends_on": ", ".join(map(str, w.depends_on)),
                          "rollback": w.rollback} for w in waves])
