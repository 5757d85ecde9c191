"""Where each ECS service runs: its VPC, subnets, target groups and load balancers (one definition).

Before this module three rooms answered "which VPC is this service in?" three ways (the rules: every
subnet VPC, else the target groups' VPC; the diagram: the most common subnet VPC, else the first
target group's; the migration plan: the first known subnet, no fallback). They agreed on clean data
and disagreed at the edges (a subnet missing from the snapshot, a service with no awsvpc subnets).

The one rule: the VPC of the service's awsvpc subnets (awsvpc subnets of one service are always in one
VPC; when some are unknown the most common known one wins, ties by id); else the VPC of its first
target group with a known VPC (bridge/host networking behind a load balancer); else unknown (``""``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from awsassess.snapshot import Snapshot
from awsassess.values import json_list, text, truthy


@dataclass(frozen=True)
class ServicePlacement:
    """The network facts of one ECS service."""

    cluster: str
    service: str
    arn: str
    region: str
    vpc_id: str  # "" when unknown
    vpc_from: str  # "subnets" | "target group" | "" (how vpc_id was decided)
    subnets: tuple[str, ...]
    public: bool | None  # in a public subnet (None: no subnet of the service is in the snapshot)
    target_groups: tuple[str, ...]
    load_balancers: tuple[str, ...]


def subnet_vpc(snapshot: Snapshot) -> dict[str, str]:
    """subnet id -> VPC id."""
    return {text(r.subnet_id): text(r.vpc_id) for r in snapshot.table("subnets").itertuples()}


def service_placements(snapshot: Snapshot) -> dict[tuple[str, str], ServicePlacement]:
    """(cluster, service name) -> :class:`ServicePlacement`, for every ECS service of the snapshot."""
    subnets = {text(r.subnet_id): (text(r.vpc_id), truthy(r.public))
               for r in snapshot.table("subnets").itertuples()}
    tg_vpc: dict[str, str] = {}
    tg_lbs: dict[str, list[str]] = {}
    for t in snapshot.table("target_groups").itertuples():
        tg_vpc[text(t.arn)] = text(t.vpc_id)
        tg_lbs[text(t.arn)] = [text(x) for x in json_list(t.load_balancer_arns) if text(x)]
    out: dict[tuple[str, str], ServicePlacement] = {}
    for r in snapshot.table("ecs_services").itertuples():
        sns = tuple(text(x) for x in json_list(r.subnets) if text(x))
        tgs = tuple(text(x) for x in json_list(r.target_group_arns) if text(x))
        known = [subnets[x] for x in sns if x in subnets and subnets[x][0]]
        vpc, how, public = "", "", None
        if known:
            counts = Counter(v for v, _ in known)
            vpc = sorted(counts, key=lambda v: (-counts[v], v))[0]
            how, public = "subnets", any(p for v, p in known if v == vpc)
        else:
            vpc = next((tg_vpc[t] for t in tgs if tg_vpc.get(t)), "")
            how = "target group" if vpc else ""
        lbs = tuple(dict.fromkeys(lb for t in tgs for lb in tg_lbs.get(t, [])))
        key = (text(r.cluster), text(r.service_name))
        out[key] = ServicePlacement(key[0], key[1], text(r.service_arn), text(r.region), vpc, how, sns, public,
                                    tgs, lbs)
    return out


def services_by_vpc(snapshot: Snapshot) -> dict[str, list[str]]:
    """VPC id -> names of the ECS services placed in it (services of unknown VPC are left out)."""
    out: dict[str, list[str]] = defaultdict(list)
    for p in service_placements(snapshot).values():
        if p.vpc_id:
            out[p.vpc_id].append(p.service)
    return dict(out)


def service_vpcs(snapshot: Snapshot) -> dict[str, str]:
    """service name -> VPC id (services of unknown VPC are left out)."""
    return {p.service: p.vpc_id for p in service_placements(snapshot).values() if p.vpc_id}
