"""What each change of the proposal does to reliability and security (the Well-Architected lens on the plan).

The proposal removes NAT gateways, load balancers, VPC boundaries, standbys and replicas to save money;
every such change is stated here with its effect, and a change that lowers a resilience property of a
production account (a NAT gateway per AZ, Multi-AZ, a failover replica or node, blue/green rollback) is
marked ``lowers`` with ``production_risk``: :func:`awsassess.model.migration.plan_migration` then adds it
to the risks of the wave that makes the change, so the plan never lowers production resilience silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from awsassess.facts.network import nat_is_live
from awsassess.model.architecture import ProposedArchitecture
from awsassess.snapshot import Snapshot
from awsassess.values import text

IMPROVES, KEEPS, CHANGES, LOWERS = "improves", "keeps", "changes", "lowers"


@dataclass
class Effect:
    area: str  # network | load balancing | compute | data stores | pipelines | cdn
    change: str
    effect: str
    pillar: str  # reliability | security
    kind: str  # improves | keeps | changes | lowers
    production_risk: bool = False  # lowers a resilience property of a production account
    wave: str = ""  # the migration wave (name prefix) that makes the change

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")


def _size_rank(cls: str) -> int:
    """Order of an instance or node class's size (``db.m6g.2xlarge`` -> above ``xlarge``); -1 when unknown."""
    size = cls.rsplit(".", 1)[-1]
    if size in SIZES:
        return SIZES.index(size)
    if size.endswith("xlarge") and size[:-6].isdigit():
        return len(SIZES) - 1 + int(size[:-6])
    return -1


def _nat_per_az_before(snapshot: Snapshot) -> bool:
    """Whether today every workload VPC with a NAT gateway has one in each AZ of its subnets."""
    subnets = snapshot.table("subnets")
    azs: dict[str, set[str]] = defaultdict(set)
    for r in subnets.itertuples():
        if text(r.az):
            azs[text(r.vpc_id)].add(text(r.az))
    nat_azs: dict[str, set[str]] = defaultdict(set)
    for r in snapshot.table("nat_gateways").itertuples():
        if nat_is_live(r.state):
            nat_azs[text(r.vpc_id)].add(text(r.az))
    return bool(nat_azs) and all(nat_azs[v] >= azs.get(v, set()) for v in nat_azs)


def effects(snapshot: Snapshot, arch: ProposedArchitecture, production: bool) -> list[Effect]:
    out: list[Effect] = []
    env = "production" if production else "outside production"
    for vpc in arch.vpcs:
        if len(vpc.replaces) > 1:
            out.append(Effect("network", f"{len(vpc.replaces)} VPCs -> one VPC {vpc.name}",
                              "Peering goes; services are separated by security groups (one per service, admitting "
                              "only its load balancer and the services that call it) instead of VPC boundaries; "
                              "a routing or endpoint mistake in the shared VPC reaches every service",
                              "security", CHANGES, wave="Network foundation"))
        n_nat, n_az = len(vpc.nat_gateways), len(vpc.azs)
        if n_nat and n_nat >= n_az:
            out.append(Effect("network", f"{n_nat} NAT gateways, one per AZ",
                              "An AZ outage keeps outbound traffic flowing from the other AZs", "reliability", KEEPS,
                              wave="Network foundation"))
        elif n_nat:
            before_per_az = _nat_per_az_before(snapshot)
            lowers = before_per_az
            out.append(Effect(
                "network", f"{n_nat} NAT gateway for {n_az} AZs",
                f"An outage of {vpc.nat_gateways[0].az} stops outbound internet traffic from every AZ"
                + (" (today each AZ has its own NAT gateway)" if before_per_az else "")
                + ("; acceptable outside production" if not production else "; set model.nat_per_az: true to keep "
                   "one per AZ (about one NAT gateway's hours more)"),
                "reliability", LOWERS if lowers else CHANGES, production_risk=production and lowers,
                wave="Network foundation"))
    for lb in arch.load_balancers:
        out.append(Effect("load balancing", f"{lb.scheme} ALB {lb.name} shared by {len(lb.services)} service(s) "
                          f"across {len(lb.azs)} AZs",
                          "HTTPS with a TLS 1.3/1.2 policy and HTTP redirected to HTTPS; one listener or certificate "
                          "mistake now affects every service behind it (host rules keep them apart)",
                          "security", CHANGES, wave="Network foundation"))
    for c in arch.clusters:
        if c.launch == "EC2":
            out.append(Effect("compute", f"ECS on EC2: {c.instances} x {c.instance_type} across {len(c.azs)} AZs",
                              "At least one instance per AZ plus spare capacity; the capacity provider's managed "
                              "scaling adds instances before tasks wait; instances need patching (ECS-optimized AMI "
                              "refresh), which Fargate did for you", "reliability", CHANGES, wave="Network foundation"))
        singles = [s.name for s in c.services if s.scaling.min_tasks < 2]
        if production and singles:
            out.append(Effect("compute", f"{len(singles)} production service(s) at one task minimum: "
                              + ", ".join(singles),
                              "Unchanged from today: one task is one AZ; an AZ outage or a failed deploy stops the "
                              "service until a new task starts (raise the auto-scaling minimum to 2)",
                              "reliability", KEEPS))
        if c.services:
            out.append(Effect("compute", "Rolling deployments with the circuit breaker and rollback",
                              "A failed deployment rolls back automatically", "reliability", IMPROVES))
    for d in arch.datastores:
        if d.kind == "rds" and d.current_multi_az and not d.multi_az:
            out.append(Effect("data stores", f"RDS {d.id}: Multi-AZ removed ({env})",
                              "A failure of its AZ stops the database until it is restored or recreated",
                              "reliability", LOWERS, production_risk=production, wave="Data stores"))
        elif d.kind == "rds" and d.multi_az:
            out.append(Effect("data stores", f"RDS {d.id}: Multi-AZ kept ({env})",
                              "Automatic failover to the standby (about a minute)", "reliability", KEEPS,
                              wave="Data stores"))
        if d.kind == "docdb" and not d.proposed_class:
            out.append(Effect("data stores", f"DocumentDB {d.id}: instance removed ({env})", d.reason or
                              "fewer replicas", "reliability", LOWERS if not production else CHANGES,
                              production_risk=False, wave="Data stores"))
        if d.kind == "elasticache" and d.nodes < d.current_nodes:
            out.append(Effect("data stores", f"ElastiCache {d.id}: {d.current_nodes} -> {d.nodes} node(s) ({env})",
                              "No replica to fail over to: a node failure empties the cache"
                              if d.nodes < 2 else "Fewer replicas", "reliability", LOWERS,
                              production_risk=production and d.current_nodes > 1 and d.nodes < 2, wave="Data stores"))
        if d.proposed_class and d.proposed_class != d.current_class and d.kind != "dynamodb":
            smaller = _size_rank(d.proposed_class) < _size_rank(d.current_class)
            out.append(Effect("data stores", f"{d.id}: {d.current_class} -> {d.proposed_class}",
                              "A smaller class: less headroom at peak; watch CPU, freeable memory and connections "
                              "after the change" if smaller else "The same size on another family (a restart "
                              "during the change; failover first where there is a standby)",
                              "reliability", CHANGES, wave="Data stores"))
    if arch.pipelines is not None:
        out.append(Effect("pipelines", "GitHub Actions with OIDC deploy roles",
                          "No long-lived AWS keys in CI; each role trusts one repository and environment",
                          "security", IMPROVES, wave="Pipelines"))
        groups = snapshot.table("deployment_groups")
        blue_green = len(groups) and (groups["deployment_type"].map(text).str.upper() == "BLUE_GREEN").any()
        if blue_green:
            out.append(Effect("pipelines", "CodeDeploy blue/green -> ECS rolling deployments",
                              "Rollback is no longer an instant traffic switch to the old task set: a bad release "
                              "serves traffic until health checks or the circuit breaker stop it (minutes); keep "
                              "deployment alarms on the 5xx rate",
                              "reliability", LOWERS, production_risk=production, wave="Pipelines"))
    for dist in arch.distributions:
        if dist.plan.startswith("flat-rate"):
            out.append(Effect("cdn", f"CloudFront {dist.id}: {dist.plan} plan",
                              "The flat-rate plans bundle AWS WAF and DDoS protection with the CDN", "security",
                              IMPROVES))
    return out


def production_risks(found: list[Effect]) -> dict[str, list[str]]:
    """Wave name prefix -> the risk lines of the changes that lower production resilience."""
    out: dict[str, list[str]] = defaultdict(list)
    for e in found:
        if e.production_risk:
            out[e.wave or "Network foundation"].append(f"Lowers production resilience: {e.change}. {e.effect}")
    return dict(out)
