"""The proposed architecture: one VPC across AZs, a public and an internal ALB, one ECS cluster, GitHub Actions.

The picture is driven by a :class:`ProposedSpec`. :func:`proposed_spec` derives the defaults from
the snapshot (the inputs the cost model uses: services, their sizes and task counts, which are
public and which call others, the data stores, CloudFront). The cost model's
``ProposedArchitecture`` (``awsassess.model.assess(snapshot).proposed``) overrides every field it
sets (:func:`apply_proposed`): the VPC and its AZs, the ALBs (split when quotas demand), the launch
type the model chose (ECS on EC2 with an instance type and count, or right-sized Fargate when EC2
is not cheaper), right-sized task sizes, data stores after right-sizing, the deploy lane.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from awsassess.architecture._cells import gib, jlist, rows, s, vcpu
from awsassess.architecture.build_current import LAUNCH_NAMES, account_title, current_graph
from awsassess.architecture.graph import ArchitectureGraph
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
    current_cpu: int = 0
    current_memory: int = 0
    load_balancer: str = ""  # name of the ALB in front of it ('' = the default public/internal one)


@dataclass
class DataStorePlan:
    kind: str  # rds | aurora | docdb | elasticache | dynamodb
    name: str
    details: tuple[str, ...] = ()
    size: str = ""  # e.g. "2 × db.r6g.large", "provisioned 79 RCU / 40 WCU" (the change table shows it)
    engine: str = ""


@dataclass
class LoadBalancerPlan:
    name: str
    scheme: str  # internet-facing | internal
    services: list[str] = field(default_factory=list)
    rules: int = 0


@dataclass
class ProposedSpec:
    """Everything the proposed diagram shows. Field names are the override keys."""

    name: str = "proposed"
    region: str = "us-east-1"
    vpc_name: str = ""
    azs: list[str] = field(default_factory=lambda: ["a", "b"])
    nat_per_az: bool = True
    cluster_name: str = ""
    launch: str = "EC2"  # EC2 (capacity provider) | FARGATE
    arch: str = ""  # x86_64 | arm64 | ''
    instance_type: str = DEFAULT_INSTANCE_TYPE
    instances: int | None = None  # total container instances (None: left to the model)
    launch_reason: str = ""
    services: list[ServicePlan] = field(default_factory=list)
    load_balancers: list[LoadBalancerPlan] = field(default_factory=list)
    datastores: list[DataStorePlan] = field(default_factory=list)
    cloudfront: bool = True
    gateway_endpoints: list[str] = field(default_factory=list)  # e.g. ["s3", "dynamodb"]
    deploy: tuple[str, ...] = ("GitHub Actions", "ECR", "ECS")
    deploy_details: dict[str, list[str]] = field(default_factory=dict)  # step -> detail lines
    diagram_notes: list[str] = field(default_factory=list)


def _common_prefix(names: list[str]) -> str:
    """Common dash-separated prefix (``fintech-production-web``, ``...-api`` -> ``fintech-production``)."""
    if not names:
        return ""
    parts = [n.split("-") for n in names]
    common: list[str] = []
    for k, part in enumerate(parts[0]):
        if all(len(p) > k and p[k] == part for p in parts):
            common.append(part)
        else:
            break
    return "-".join(common)


def proposed_spec(snapshot: Snapshot, *, instance_type: str | None = None, instances: int | None = None,
                  current: ArchitectureGraph | None = None) -> ProposedSpec:
    """Defaults from the snapshot: every current service moves, sized as today, onto ECS on EC2."""
    cur = current or current_graph(snapshot)
    regions = Counter(str(r) for r in snapshot.table("ecs_services")["region"].tolist() if s(r))
    region = regions.most_common(1)[0][0] if regions else (snapshot.regions[0] if snapshot.regions else "us-east-1")
    azs = sorted({az for g in cur.groups_of("vpc") for az in g.attrs.get("azs", [])})[:3]
    if len(azs) < 2:
        azs = [f"{region}a", f"{region}b"]
    hub_vpcs = {cur.nodes[e.src].attrs.get("vpc_id") for e in cur.edges_of("peering")}
    public_services = {e.dst for e in cur.edges_of("traffic")
                       if cur.nodes[e.dst].kind == "ecs_service" and cur.nodes[e.src].kind in ("alb", "nlb")
                       and cur.nodes[e.src].attrs.get("scheme") == "internet-facing"}
    sizes = {s(r["service_name"]): (r["cpu"], r["memory"]) for r in rows(snapshot.table("ecs_services"))}
    services = []
    for n in cur.nodes.values():
        if n.kind != "ecs_service":
            continue
        cpu, mem = sizes.get(str(n.attrs.get("service_name")), (0, 0))
        cpu_i, mem_i = int(float(s(cpu) or 0)), int(float(s(mem) or 0))
        services.append(ServicePlan(
            name=n.label, public=n.id in public_services or bool(n.attrs.get("public")),
            tasks=int(n.attrs.get("tasks") or 0), cpu=cpu_i, memory=mem_i, launch="EC2",
            caller=n.attrs.get("vpc_id") in hub_vpcs, current_cpu=cpu_i, current_memory=mem_i))
    if services and not any(p.caller for p in services):
        for p in services:
            p.caller = p.public
    datastores = [DataStorePlan(n.kind, n.label, n.details, str(n.attrs.get("size") or ""),
                                str(n.attrs.get("engine") or "")) for n in cur.nodes.values()
                  if n.kind in (*DATA_KINDS, "dynamodb")]
    clusters = Counter(str(n.attrs.get("cluster") or "") for n in cur.nodes.values() if n.kind == "ecs_service")
    top_cluster = clusters.most_common(1)[0][0] if clusters else ""
    vpc_names = [str(g.attrs.get("name") or "") for g in cur.groups_of("vpc") if g.attrs.get("name")]
    base = _common_prefix(vpc_names) or top_cluster or snapshot.name
    return ProposedSpec(
        name=snapshot.name, region=region, vpc_name=base, azs=azs, nat_per_az=True,
        cluster_name=top_cluster or base, instance_type=instance_type or DEFAULT_INSTANCE_TYPE, instances=instances,
        services=services, datastores=datastores, cloudfront=bool(cur.count("cloudfront")),
    )


# ------------------------------------------------------------------ overrides from the cost model
def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    try:
        return getattr(obj, name, None)
    except Exception:  # a property that cannot answer counts as not set
        return None


def _launch_name(launch: str, arch: str = "") -> str:
    name = LAUNCH_NAMES.get(str(launch).upper(), str(launch))
    return f"{name} {arch}" if arch and arch != "x86_64" else name


def _store_plan(d: Any) -> DataStorePlan:
    """One model data store as a plan: size (class change), engine change, nodes, Multi-AZ, mode."""
    kind = str(_get(d, "kind") or "")
    name = str(_get(d, "name") or _get(d, "id") or "")
    new, old = str(_get(d, "proposed_class") or ""), str(_get(d, "current_class") or "")
    engine, old_engine = str(_get(d, "engine") or ""), str(_get(d, "current_engine") or "")
    nodes = int(_get(d, "nodes") or 0)
    if kind == "dynamodb":
        modes = {"PROVISIONED": "provisioned", "PAY_PER_REQUEST": "on-demand"}
        mode = modes.get(str(_get(d, "mode") or ""), str(_get(d, "mode") or "").lower())
        old_mode = modes.get(str(_get(d, "current_mode") or ""), str(_get(d, "current_mode") or "").lower())
        now = f"{mode} {new}".strip() if mode != "on-demand" else mode
        was = f"{old_mode} {old}".strip() if old_mode != "on-demand" else old_mode
        return DataStorePlan(kind, name, tuple(x for x in (now, f"was {was}" if was and was != now else "") if x),
                             now, "dynamodb")
    size = f"{nodes} × {new}" if nodes > 1 and new else new
    out = [size + (f" (was {old})" if old and new and old != new else "")]
    if engine and old_engine and engine != old_engine:
        out.append(f"{old_engine} → {engine}")
    elif engine:
        out.append(engine)
    if _get(d, "multi_az") is not None and kind in DATA_KINDS:
        out.append("multi-AZ" if _get(d, "multi_az") else "single-AZ")
    details = tuple(x for x in out if x)
    explicit = _get(d, "details")
    if not size and explicit:
        details = tuple(str(x) for x in explicit)
    return DataStorePlan(kind, name, details, size, engine)


def _merge_cluster_members(stores: list[DataStorePlan], cluster_of: dict[str, str]) -> list[DataStorePlan]:
    """DocumentDB/Aurora instances the model lists one by one become one node per DB cluster."""
    grouped: dict[str, list[DataStorePlan]] = defaultdict(list)
    out: list[DataStorePlan | str] = []
    for d in stores:
        cid = cluster_of.get(d.name)
        if cid and d.kind in ("docdb", "aurora", "rds"):
            if cid not in grouped:
                out.append(cid)
            grouped[cid].append(d)
        else:
            out.append(d)
    merged: list[DataStorePlan] = []
    for item in out:
        if isinstance(item, DataStorePlan):
            merged.append(item)
            continue
        members = grouped[item]
        if len(members) == 1:
            merged.append(dataclasses.replace(members[0], name=item))
            continue
        first = members[0].details[0] if members[0].details else ""
        same = all((m.details[0] if m.details else "") == first for m in members)
        head = f"{len(members)} × {first}" if same and first else f"{len(members)} instances"
        rest = [x for x in members[0].details[1:] if x not in ("single-AZ", "multi-AZ")]
        size = f"{len(members)} × {members[0].size}" if same and members[0].size else f"{len(members)} instances"
        merged.append(DataStorePlan(members[0].kind, item, (head, *rest, f"{len(members)} instances across AZs"),
                                    size, members[0].engine))
    return merged


def apply_proposed(spec: ProposedSpec, proposed: Any, snapshot: Snapshot | None = None) -> ProposedSpec:
    """``spec`` overridden by ``proposed``: a ProposedSpec (taken as is), a mapping or an object with
    fields of the same names (the cost model's ``ProposedArchitecture``). None values keep the default.

    The model's own shapes are read too: ``clusters[0]`` (launch, arch, instances, reason),
    ``load_balancers`` (name, scheme, services, rules), ``datastores`` (kind, id, current/proposed
    class, engine, nodes, multi_az, mode) and ``pipelines.workflows`` (minutes per run).
    """
    if proposed is None:
        return spec
    if isinstance(proposed, ProposedSpec):
        return proposed
    changes: dict[str, Any] = {}
    simple = ("name", "region", "vpc_name", "nat_per_az", "cluster_name", "launch", "arch", "instance_type",
              "instances", "launch_reason", "cloudfront")
    for key in simple:
        value = _get(proposed, key)
        if value is not None:
            changes[key] = value
    for key in ("azs", "gateway_endpoints", "diagram_notes"):
        value = _get(proposed, key)
        if value is not None:
            changes[key] = [str(x) for x in value]
    if _get(proposed, "deploy") is not None:
        changes["deploy"] = tuple(str(x) for x in _get(proposed, "deploy"))
    clusters = _get(proposed, "clusters") or []
    if clusters:
        c0 = clusters[0]
        for key, attr in (("launch", "launch"), ("arch", "arch"), ("launch_reason", "reason")):
            if _get(c0, attr) is not None:
                changes[key] = str(_get(c0, attr))
        if str(changes.get("launch", "")).upper() == "FARGATE":
            changes["instance_type"], changes["instances"] = "", None
    services = _get(proposed, "services")
    if services is not None:
        by_name = {p.name: p for p in spec.services}
        merged = []
        for item in services:
            name = str(_get(item, "name"))
            base = by_name.get(name, ServicePlan(name=name))
            upd = {f.name: _get(item, f.name) for f in dataclasses.fields(ServicePlan)
                   if f.name != "name" and _get(item, f.name) is not None}
            if _get(item, "desired") is not None and _get(item, "tasks") is None:
                upd["tasks"] = _get(item, "desired")
            plan = dataclasses.replace(base, **upd)
            plan.launch = _launch_name(plan.launch, str(_get(item, "arch") or ""))
            merged.append(plan)
        changes["services"] = merged
    lbs = _get(proposed, "load_balancers")
    if lbs is not None:
        changes["load_balancers"] = [
            LoadBalancerPlan(str(_get(lb, "name") or ""), str(_get(lb, "scheme") or "internal"),
                             [str(x) for x in (_get(lb, "services") or [])], int(_get(lb, "rules") or 0))
            for lb in lbs]
    stores = _get(proposed, "datastores")
    if stores is not None:
        plans = [_store_plan(d) for d in stores]
        cluster_of = {}
        if snapshot is not None:
            cluster_of = {s(r["db_instance_id"]): s(r["cluster_id"]) for r in rows(snapshot.table("db_instances"))
                          if s(r["cluster_id"])}
            for c in rows(snapshot.table("db_clusters")):
                for m in jlist(c["instance_ids"]):
                    cluster_of.setdefault(str(m), s(c["cluster_id"]))
        changes["datastores"] = _merge_cluster_members(plans, cluster_of)
    pipes = _get(proposed, "pipelines")
    workflows = _get(pipes, "workflows") if pipes is not None else None
    if workflows:
        minutes = [float(_get(w, "minutes_per_run") or 0) for w in workflows]
        changes["deploy_details"] = {"GitHub Actions": [
            f"{len(workflows)} workflow{'s' if len(workflows) != 1 else ''} · layer cache",
            f"~{median(minutes):.0f} min per deploy" if any(minutes) else "deploy on push"]}
    return dataclasses.replace(spec, **changes)


# ------------------------------------------------------------------ the graph
ALB_MAX_TARGET_GROUPS = 100  # ELBv2 quota (target groups per ALB); the cost model splits the same way


def default_load_balancers(services: list[ServicePlan]) -> list[LoadBalancerPlan]:
    """One public and one internal ALB, split into several when a target-group quota would be exceeded."""
    out = []
    for scheme, label, members in (("internet-facing", "Public ALB", [p.name for p in services if p.public]),
                                   ("internal", "Internal ALB", [p.name for p in services if not p.public])):
        chunks = [members[k:k + ALB_MAX_TARGET_GROUPS] for k in range(0, len(members), ALB_MAX_TARGET_GROUPS)]
        for k, chunk in enumerate(chunks):
            out.append(LoadBalancerPlan(f"{label} {k + 1}" if len(chunks) > 1 else label, scheme, chunk))
    return out


def graph_from_spec(spec: ProposedSpec, account_id: str, title: str) -> ArchitectureGraph:
    g = ArchitectureGraph("proposed", f"Proposed architecture · {title}", "proposed")
    acct = g.add_group(f"account:{account_id}", "account", f"AWS account {account_id}").id
    region = g.add_group(f"region:{spec.region}", "region", spec.region, parent=acct).id
    g.add_node("internet", "internet", "Internet", details=["users, partners"])
    vpc = g.add_group("vpc:proposed", "vpc", f"VPC {spec.vpc_name}" if spec.vpc_name else "VPC (one for all services)",
                      parent=region, details=[f"one VPC across {len(spec.azs)} AZs"], name=spec.vpc_name,
                      vpc_id="proposed", azs=list(spec.azs)).id
    public = g.add_group(f"{vpc}:public", "tier_public", "Public subnets", parent=vpc, details=[" · ".join(spec.azs)]).id
    private = g.add_group(f"{vpc}:private", "tier_private", "Private subnets", parent=vpc,
                          details=[" · ".join(spec.azs)]).id
    igw = g.add_node("igw:proposed", "igw", "Internet gateway", vpc, vpc_id="proposed").id
    g.add_edge("internet", igw, "traffic")
    nats: dict[str, str] = {}
    for az in (spec.azs if spec.nat_per_az else spec.azs[:1]):
        nats[az] = g.add_node(f"nat:{az}", "nat", "NAT gateway", public, details=[az], az=az, vpc_id="proposed").id
        g.add_edge(nats[az], igw, "egress")

    # load balancers: the model's list, else one public ALB and one internal ALB
    lbs = list(spec.load_balancers) or default_load_balancers(spec.services)
    lb_node: dict[str, str] = {}
    front: dict[str, str] = {}  # service -> LB node
    for k, lb in enumerate(lb for lb in lbs if lb.services):
        public_lb = lb.scheme == "internet-facing"
        names = ", ".join(lb.services[:4]) + (f" +{len(lb.services) - 4}" if len(lb.services) > 4 else "")
        details = (["internet-facing", f"host/path rules → {names}"] if public_lb
                   else ["service-to-service calls", f"{len(lb.services)} target group{'s' if len(lb.services) != 1 else ''}"])
        nid = g.add_node(f"lb:{k}", "alb", lb.name, public if public_lb else private, details=details,
                         scheme=lb.scheme, vpc_id="proposed").id
        lb_node[lb.name] = nid
        for svc in lb.services:
            front.setdefault(svc, nid)
        if public_lb:
            g.add_edge(igw, nid, "traffic")
    public_lbs = [lb_node[lb.name] for lb in lbs if lb.name in lb_node and lb.scheme == "internet-facing"]
    internal_lbs = [lb_node[lb.name] for lb in lbs if lb.name in lb_node and lb.scheme != "internet-facing"]
    if spec.cloudfront:
        edge = g.add_group(f"{acct}:global", "global", "Global edge", parent=acct).id
        g.add_node("cf:proposed", "cloudfront", "CloudFront", edge, details=["cache behaviours per path"])
        g.add_edge("internet", "cf:proposed", "traffic")
        for lb_id in public_lbs:
            g.add_edge("cf:proposed", lb_id, "traffic")

    # the ECS cluster: EC2 capacity (an Auto Scaling group per AZ) or Fargate, as the model chose
    fargate = str(spec.launch).upper() == "FARGATE"
    launch_text = (_launch_name("FARGATE", spec.arch) if fargate
                   else "EC2 capacity provider · managed scaling")
    cluster_details = [launch_text]
    if spec.launch_reason:
        cluster_details.append(spec.launch_reason)
    cluster = g.add_group("ecs:proposed", "ecs_cluster", f"ECS cluster {spec.cluster_name}".strip(), parent=private,
                          details=cluster_details).id
    if not fargate:
        per_az = None
        if spec.instances:
            n = len(spec.azs)
            per_az = [spec.instances // n + (1 if k < spec.instances % n else 0) for k in range(n)]
        for k, az in enumerate(spec.azs):
            count = f"{per_az[k]} × {spec.instance_type}" if per_az else (spec.instance_type or "instance type: model")
            asg = g.add_node(f"asg:{az}", "asg", f"Auto Scaling group {az}", cluster,
                             details=[count, "capacity provider"], vpc_id="proposed", az=az,
                             instances=per_az[k] if per_az else None, instance_type=spec.instance_type).id
            g.add_edge(asg, nats.get(az, next(iter(nats.values()))), "egress")
    for p in spec.services:
        size = f"{vcpu(p.cpu)} · {gib(p.memory)} per task" if p.cpu or p.memory else ""
        was = ""
        if (p.current_cpu, p.current_memory) != (p.cpu, p.memory) and p.current_cpu and p.cpu:
            was = f"was {vcpu(p.current_cpu)} · {gib(p.current_memory)}"
        launch = p.launch if not fargate or p.launch.startswith("Fargate") else _launch_name("FARGATE", spec.arch)
        nid = g.add_node(f"svc:{p.name}", "ecs_service", p.name, cluster,
                         details=[f"{launch} · {p.tasks} task{'s' if p.tasks != 1 else ''}", size, was],
                         launch=launch, tasks=p.tasks, vpc_id="proposed", public=p.public, caller=p.caller).id
        front_lb = lb_node.get(p.load_balancer) or front.get(p.name)
        if front_lb:
            g.add_edge(front_lb, nid, "traffic")
    if internal_lbs:
        callers = [p for p in spec.services if p.caller] or [p for p in spec.services if p.public]
        for p in callers:
            for lb_id in internal_lbs:
                if front.get(p.name) != lb_id:
                    g.add_edge(f"svc:{p.name}", lb_id, "traffic")

    managed = None
    for d in spec.datastores:
        if d.kind == "dynamodb":
            managed = managed or g.add_group(f"{region}:managed", "managed", "AWS-managed, outside any VPC",
                                             parent=region).id
            g.add_node(f"ds:{d.name}", "dynamodb", d.name, managed, details=d.details, size=d.size, engine=d.engine)
        else:
            g.add_node(f"ds:{d.name}", d.kind if d.kind in DATA_KINDS else "rds", d.name, private, details=d.details,
                       vpc_id="proposed", size=d.size, engine=d.engine)
    if spec.gateway_endpoints:
        g.add_node("vpce:proposed", "vpc_endpoint", "Gateway endpoints", private,
                   details=[", ".join(spec.gateway_endpoints), "S3/DynamoDB traffic bypasses NAT"],
                   count=len(spec.gateway_endpoints), gateway=list(spec.gateway_endpoints), vpc_id="proposed")

    lane = g.add_group(f"{acct}:cicd", "lane", "CI/CD", parent=acct).id
    kinds = {"github actions": "github_actions", "ecr": "ecr", "ecs": "ecs_cluster", "codebuild": "codebuild",
             "codepipeline": "codepipeline", "codedeploy": "codedeploy"}
    defaults = {"github_actions": ["build with layer cache", "deploy on push"], "ecr": ["images"],
                "ecs_cluster": ["rolling deploy", "circuit breaker + rollback"]}
    prev = None
    for step in spec.deploy:
        kind = kinds.get(step.lower(), "ecs_cluster")
        label = f"ECS cluster {spec.cluster_name}".strip() if kind == "ecs_cluster" else step
        nid = g.add_node(f"cicd:{kind}", kind, label, lane,
                         details=spec.deploy_details.get(step) or defaults.get(kind, [])).id
        if prev:
            g.add_edge(prev, nid, "deploy")
        prev = nid
    g.notes.extend(spec.diagram_notes)
    g.meta.update(account_id=account_id, instance_type=spec.instance_type, instances=spec.instances,
                  launch=spec.launch, arch=spec.arch)
    g.prune_empty_groups()
    g.validate()
    return g


def proposed_graph(snapshot: Snapshot, proposed: Any = None, *, instance_type: str | None = None,
                   instances: int | None = None) -> ArchitectureGraph:
    """The proposed architecture for ``snapshot``; ``proposed`` (the cost model's ProposedArchitecture,
    a mapping or a ProposedSpec) overrides the snapshot-derived defaults field by field.
    ``instance_type``/``instances`` set the EC2 capacity when no model is given."""
    spec = apply_proposed(proposed_spec(snapshot, instance_type=instance_type, instances=instances), proposed,
                          snapshot)
    return graph_from_spec(spec, snapshot.account_id, account_title(snapshot))
