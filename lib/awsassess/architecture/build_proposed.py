"""The proposed architecture: one VPC across AZs, two ALBs, ECS on EC2, GitHub Actions.

The picture is driven by a :class:`ProposedSpec`. :func:`proposed_spec` derives the defaults from
the snapshot (the same inputs the cost model uses: services, their sizes and task counts, which
are public, the data stores, CloudFront); the cost model's ``ProposedArchitecture``
(``awsassess.model.assess(snapshot).proposed``) overrides any field it sets
(:func:`apply_proposed`), e.g. the instance type and count the bin packer chose.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awsassess.architecture._cells import gib, vcpu
from awsassess.architecture.build_current import account_title, current_graph
from awsassess.architecture.graph import ArchitectureGraph, Node
from awsassess.snapshot import Snapshot

DATA_KINDS = ("rds", "aurora", "docdb", "elasticache")
DEFAULT_INSTANCE_TYPE = "m6i.xlarge"


@dataclass
class ServicePlan:
    name: str
    public: bool = False
    tasks: int = 1
    cpu: int = 0  # CPU units per task
    memory: int = 0  # MiB per task
    launch: str = "EC2"
    caller: bool = False  # calls other services through the internal ALB


@dataclass
class DataStorePlan:
    kind: str  # rds | aurora | docdb | elasticache | dynamodb
    name: str
    details: tuple[str, ...] = ()


@dataclass
class ProposedSpec:
    """Everything the proposed diagram shows. Field names are the override keys."""

    name: str = "proposed"
    region: str = "us-east-1"
    vpc_name: str = ""
    azs: list[str] = field(default_factory=lambda: ["a", "b"])
    nat_per_az: bool = True
    cluster_name: str = ""
    instance_type: str = DEFAULT_INSTANCE_TYPE
    instances: int | None = None  # total container instances (None: left to the model)
    services: list[ServicePlan] = field(default_factory=list)
    datastores: list[DataStorePlan] = field(default_factory=list)
    cloudfront: bool = True
    gateway_endpoints: list[str] = field(default_factory=list)  # e.g. ["s3", "dynamodb"]
    deploy: tuple[str, ...] = ("GitHub Actions", "ECR", "ECS")
    notes: list[str] = field(default_factory=list)


def _vpc_label_prefix(names: list[str]) -> str:
    """Common prefix of the VPC names (``fintech-production-web`` ... -> ``fintech-production``)."""
    if not names:
        return ""
    first = names[0].split("-")
    common: list[str] = []
    for k, part in enumerate(first):
        if all(len(n.split("-")) > k and n.split("-")[k] == part for n in names):
            common.append(part)
        else:
            break
    return "-".join(common)


def proposed_spec(snapshot: Snapshot, *, instance_type: str | None = None, instances: int | None = None,
                  current: ArchitectureGraph | None = None) -> ProposedSpec:
    """Defaults from the snapshot: every current service moves, sized as today, onto ECS on EC2."""
    cur = current or current_graph(snapshot)
    regions = Counter(r for r in (snapshot.table("ecs_services")["region"].astype(str).tolist()) if r)
    region = regions.most_common(1)[0][0] if regions else (snapshot.regions[0] if snapshot.regions else "us-east-1")
    azs = sorted({az for g in cur.groups_of("vpc") for az in g.attrs.get("azs", [])})
    azs = azs[:3] if len(azs) >= 2 else (azs + [f"{region}b"] if azs else [f"{region}a", f"{region}b"])
    hubs = {e.src for e in cur.edges_of("peering")}
    hub_vpcs = {cur.nodes[h].attrs.get("vpc_id") for h in hubs}
    public_services = {e.dst for e in cur.edges_of("traffic")
                       if cur.nodes[e.dst].kind == "ecs_service" and cur.nodes[e.src].kind in ("alb", "nlb")
                       and cur.nodes[e.src].attrs.get("scheme") == "internet-facing"}
    services = []
    for n in cur.nodes.values():
        if n.kind != "ecs_service":
            continue
        services.append(ServicePlan(
            name=n.label, public=n.id in public_services, tasks=int(n.attrs.get("tasks") or 0),
            cpu=0, memory=0, launch="EC2", caller=n.attrs.get("vpc_id") in hub_vpcs))
    sizes = {str(r["service_name"]): (r["cpu"], r["memory"]) for r in snapshot.table("ecs_services").to_dict("records")}
    for plan, n in zip(services, [n for n in cur.nodes.values() if n.kind == "ecs_service"], strict=True):
        cpu, mem = sizes.get(str(n.attrs.get("service_name")), (0, 0))
        plan.cpu = int(cpu) if str(cpu) not in ("", "None", "nan") else 0
        plan.memory = int(mem) if str(mem) not in ("", "None", "nan") else 0
    if services and not any(s.caller for s in services):
        for s in services:
            s.caller = s.public
    datastores = [DataStorePlan(n.kind, n.label, n.details) for n in cur.nodes.values()
                  if n.kind in (*DATA_KINDS, "dynamodb")]
    clusters = Counter(str(n.attrs.get("cluster") or "") for n in cur.nodes.values() if n.kind == "ecs_service")
    vpc_names = [str(g.attrs.get("name") or "") for g in cur.groups_of("vpc") if g.attrs.get("name")]
    base = _vpc_label_prefix(vpc_names) or (clusters.most_common(1)[0][0] if clusters else "") or snapshot.name
    cluster = clusters.most_common(1)[0][0] if clusters and clusters.most_common(1)[0][0] else base
    return ProposedSpec(
        name=snapshot.name, region=region, vpc_name=base, azs=azs, nat_per_az=True,
        cluster_name=cluster, instance_type=instance_type or DEFAULT_INSTANCE_TYPE, instances=instances,
        services=services, datastores=datastores, cloudfront=bool(cur.count("cloudfront")),
    )


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def apply_proposed(spec: ProposedSpec, proposed: Any) -> ProposedSpec:
    """Override ``spec`` with every field ``proposed`` sets (a ProposedSpec, a mapping or the model's object).

    Fields are matched by name (see :class:`ProposedSpec`); ``services``/``datastores`` items may be
    mappings or objects with the same field names. Unset (None) values keep the default.
    """
    if proposed is None:
        return spec
    if isinstance(proposed, ProposedSpec):
        return proposed
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(ProposedSpec):
        value = _get(proposed, f.name)
        if value is None:
            continue
        if f.name == "services":
            by_name = {s.name: s for s in spec.services}
            merged = []
            for item in value:
                name = str(_get(item, "name"))
                base = by_name.get(name, ServicePlan(name=name))
                merged.append(dataclasses.replace(base, **{
                    k.name: _get(item, k.name) for k in dataclasses.fields(ServicePlan)
                    if k.name != "name" and _get(item, k.name) is not None}))
            value = merged
        elif f.name == "datastores":
            value = [DataStorePlan(str(_get(d, "kind")), str(_get(d, "name")), tuple(_get(d, "details") or ()))
                     for d in value]
        elif f.name in ("azs", "gateway_endpoints", "notes"):
            value = list(value)
        elif f.name == "deploy":
            value = tuple(value)
        changes[f.name] = value
    return dataclasses.replace(spec, **changes)


def graph_from_spec(spec: ProposedSpec, account_id: str, title: str) -> ArchitectureGraph:
    g = ArchitectureGraph("proposed", f"Proposed architecture · {title}", "proposed")
    acct = g.add_group(f"account:{account_id}", "account", f"AWS account {account_id}").id
    region = g.add_group(f"region:{spec.region}", "region", spec.region, parent=acct).id
    g.add_node("internet", "internet", "Internet", details=["users, partners"])
    vpc = g.add_group("vpc:proposed", "vpc", f"VPC {spec.vpc_name}" if spec.vpc_name else "VPC (one for all services)",
                      parent=region, details=[f"one VPC across {len(spec.azs)} AZs"], name=spec.vpc_name,
                      vpc_id="proposed", azs=list(spec.azs))
    public = g.add_group("vpc:proposed:public", "tier_public", "Public subnets", parent=vpc.id,
                         details=[" · ".join(spec.azs)]).id
    private = g.add_group("vpc:proposed:private", "tier_private", "Private subnets", parent=vpc.id,
                          details=[" · ".join(spec.azs)]).id
    igw = g.add_node("igw:proposed", "igw", "Internet gateway", vpc.id, vpc_id="proposed").id
    g.add_edge("internet", igw, "traffic")
    nat_azs = spec.azs if spec.nat_per_az else spec.azs[:1]
    nats = {}
    for az in nat_azs:
        nats[az] = g.add_node(f"nat:{az}", "nat", "NAT gateway", public, details=[az], az=az, vpc_id="proposed").id
        g.add_edge(nats[az], igw, "egress")
    pub_svcs = [s for s in spec.services if s.public]
    int_svcs = [s for s in spec.services if not s.public]
    callers = [s for s in spec.services if s.caller]
    alb = None
    if pub_svcs:
        names = ", ".join(s.name for s in pub_svcs[:4]) + (f" +{len(pub_svcs) - 4}" if len(pub_svcs) > 4 else "")
        alb = g.add_node("lb:public", "alb", "Public ALB", public, scheme="internet-facing", vpc_id="proposed",
                         details=["internet-facing", f"host/path rules → {names}"]).id
        g.add_edge(igw, alb, "traffic")
    ialb = None
    if int_svcs:
        ialb = g.add_node("lb:internal", "alb", "Internal ALB", private, scheme="internal", vpc_id="proposed",
                          details=["service-to-service calls", f"{len(int_svcs)} target group{'s' if len(int_svcs) != 1 else ''}"]).id
    if spec.cloudfront:
        edge = g.add_group(f"{acct}:global", "global", "Global edge", parent=acct).id
        g.add_node("cf:proposed", "cloudfront", "CloudFront", edge, details=["caching policies per path"])
        g.add_edge("internet", "cf:proposed", "traffic")
        if alb:
            g.add_edge("cf:proposed", alb, "traffic")
    cluster = g.add_group("ecs:proposed", "ecs_cluster", f"ECS cluster {spec.cluster_name}".strip(), parent=private,
                          details=["EC2 capacity provider · managed scaling"]).id
    per_az = None
    if spec.instances:
        per_az = [spec.instances // len(spec.azs) + (1 if k < spec.instances % len(spec.azs) else 0)
                  for k in range(len(spec.azs))]
    for k, az in enumerate(spec.azs):
        count = f"{per_az[k]} × {spec.instance_type}" if per_az else spec.instance_type
        asg = g.add_node(f"asg:{az}", "asg", f"Auto Scaling group {az}", cluster,
                         details=[count, "capacity provider"], vpc_id="proposed", az=az,
                         instances=per_az[k] if per_az else None, instance_type=spec.instance_type).id
        g.add_edge(asg, nats.get(az, next(iter(nats.values()))), "egress")
    for s in spec.services:
        size = f"{vcpu(s.cpu)} · {gib(s.memory)} per task" if s.cpu or s.memory else ""
        nid = g.add_node(f"svc:{s.name}", "ecs_service", s.name, cluster,
                         details=[f"{s.launch} · {s.tasks} task{'s' if s.tasks != 1 else ''}", size],
                         launch=s.launch, tasks=s.tasks, vpc_id="proposed", public=s.public,
                         caller=s.caller).id
        if s.public and alb:
            g.add_edge(alb, nid, "traffic")
        if not s.public and ialb:
            g.add_edge(ialb, nid, "traffic")
    if ialb:
        for s in callers or pub_svcs:
            g.add_edge(f"svc:{s.name}", ialb, "traffic")
    managed = None
    for d in spec.datastores:
        if d.kind == "dynamodb":
            managed = managed or g.add_group(f"{region}:managed", "managed", "AWS-managed, outside any VPC", parent=region).id
            g.add_node(f"ds:{d.name}", "dynamodb", d.name, managed, details=d.details)
        else:
            g.add_node(f"ds:{d.name}", d.kind if d.kind in DATA_KINDS else "rds", d.name, private, details=d.details,
                       vpc_id="proposed")
    if spec.gateway_endpoints:
        g.add_node("vpce:proposed", "vpc_endpoint", "Gateway endpoints", private,
                   details=[", ".join(spec.gateway_endpoints), "no NAT charge for these"], count=len(spec.gateway_endpoints),
                   gateway=list(spec.gateway_endpoints), vpc_id="proposed")
    lane = g.add_group(f"{acct}:cicd", "lane", "CI/CD", parent=acct).id
    kinds = {"github actions": "github_actions", "ecr": "ecr", "ecs": "ecs_cluster", "codebuild": "codebuild",
             "codepipeline": "codepipeline", "codedeploy": "codedeploy"}
    prev = None
    for step in spec.deploy:
        kind = kinds.get(step.lower(), "ecs_cluster")
        details = {"github_actions": ["build with layer cache", "deploy on push"],
                   "ecr": ["images"], "ecs_cluster": ["rolling deploy", "circuit breaker + rollback"]}.get(kind, [])
        nid = g.add_node(f"cicd:{kind}", kind, f"ECS cluster {spec.cluster_name}".strip() if kind == "ecs_cluster" else step,
                         lane, details=details).id
        if prev:
            g.add_edge(prev, nid, "deploy")
        prev = nid
    g.notes.extend(spec.notes)
    g.meta.update(account_id=account_id, instance_type=spec.instance_type, instances=spec.instances)
    g.prune_empty_groups()
    g.validate()
    return g


def proposed_graph(snapshot: Snapshot, proposed: Any = None, *, instance_type: str | None = None,
                   instances: int | None = None) -> ArchitectureGraph:
    """The proposed architecture for ``snapshot``; ``proposed`` (the model's ProposedArchitecture, a
    mapping or a ProposedSpec) overrides the defaults field by field."""
    spec = apply_proposed(proposed_spec(snapshot, instance_type=instance_type, instances=instances), proposed)
    return graph_from_spec(spec, snapshot.account_id, account_title(snapshot))


def service_nodes(graph: ArchitectureGraph) -> list[Node]:
    return [n for n in graph.nodes.values() if n.kind == "ecs_service"]
