"""What changes between the current and the proposed architecture, as a small table for the report."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from awsassess.architecture.graph import ArchitectureGraph

COLUMNS = ["aspect", "current", "proposed", "change"]


def _vpcs(g: ArchitectureGraph) -> int:
    return len([x for x in g.groups.values() if x.kind == "vpc" and not x.id.startswith("stub:")]) + sum(
        len(x.attrs.get("vpc_ids") or []) for x in g.groups.values() if x.kind == "more")


def _lbs(g: ArchitectureGraph) -> tuple[int, str]:
    schemes: Counter[str] = Counter()
    for n in g.nodes.values():
        if n.kind in ("alb", "nlb", "gwlb"):
            schemes[str(n.attrs.get("scheme") or "?")] += n.count
    total = sum(schemes.values())
    return total, f"{total} ({', '.join(f'{v} {k}' for k, v in sorted(schemes.items()))})" if total else "0"


def _launch(g: ArchitectureGraph) -> str:
    launches: Counter[str] = Counter()
    for n in g.nodes.values():
        if n.kind == "ecs_service":
            launches.update(n.attrs.get("launches") or {str(n.attrs.get("launch") or "unknown"): n.count})
    return ", ".join(f"{v} {k}" for k, v in launches.most_common()) or "none"


def _tasks(g: ArchitectureGraph) -> int:
    return sum(int(n.attrs.get("tasks") or 0) for n in g.nodes.values() if n.kind == "ecs_service")


def _instances(g: ArchitectureGraph) -> str:
    parts = []
    for n in g.nodes.values():
        if n.kind == "asg":
            count = n.attrs.get("instances")
            itype = n.attrs.get("instance_type") or ""
            parts.append(f"{count} × {itype}".strip(" ×") if count else (itype or n.label))
        elif n.kind == "ec2":
            parts.append(n.details[0] if n.details else n.label)
    types = Counter(parts)
    return ", ".join(f"{k}" if v == 1 else f"{v} ASGs of {k}" for k, v in types.items()) or "none"


def _peerings(g: ArchitectureGraph) -> int:
    return sum(e.count for e in g.edges if e.kind == "peering")


def _tgw(g: ArchitectureGraph) -> int:
    return sum(e.count for e in g.edges if e.kind == "tgw")


def _lane(g: ArchitectureGraph) -> str:
    lane = [x for x in g.groups.values() if x.kind == "lane"]
    if not lane:
        return "none recorded"
    steps = []
    for n in g.nodes_in(lane[0].id, recursive=True):
        label = n.label if not n.label.startswith("ECS cluster") else "ECS"
        steps.append(f"{label} ×{n.count}" if n.count > 1 else label)
    return " → ".join(steps)


def _data(g: ArchitectureGraph, kind: str) -> str:
    nodes = [n for n in g.nodes.values() if n.kind == kind]
    if not nodes:
        return "0"
    out = []
    for n in nodes:
        engine = str(n.attrs.get("engine") or "") if kind != "dynamodb" else ""
        size = str(n.attrs.get("size") or (n.details[0] if n.details else ""))
        what = " ".join(x for x in (engine, size) if x)
        out.append(f"{n.label}: {what}" if what else n.label)
    return "; ".join(out)


def _delta(a: int, b: int) -> str:
    if a == b:
        return "same"
    return f"{b - a:+d}"


def diff_table(current: ArchitectureGraph, proposed: ArchitectureGraph) -> pd.DataFrame:
    """One row per aspect: VPCs, NAT gateways, load balancers, launch types, tasks, instances, peering,
    Transit Gateway, endpoints, data stores, CDN, CI/CD; ``change`` is +/-N, 'same' or 'changed'."""
    rows: list[dict[str, object]] = []

    def count_row(aspect: str, a: int, b: int, a_text: str | None = None, b_text: str | None = None,
                  optional: bool = False) -> None:
        if optional and a == b == 0:
            return
        rows.append({"aspect": aspect, "current": a_text if a_text is not None else str(a),
                     "proposed": b_text if b_text is not None else str(b), "change": _delta(a, b)})

    def text_row(aspect: str, a: str, b: str) -> None:
        rows.append({"aspect": aspect, "current": a, "proposed": b, "change": "same" if a == b else "changed"})

    count_row("VPCs", _vpcs(current), _vpcs(proposed))
    count_row("Internet gateways", current.count("igw"), proposed.count("igw"))
    count_row("NAT gateways", current.count("nat"), proposed.count("nat"))
    (la, ta), (lb, tb) = _lbs(current), _lbs(proposed)
    count_row("Load balancers", la, lb, ta, tb)
    count_row("VPC peering links", _peerings(current), _peerings(proposed))
    count_row("Transit Gateway attachments", _tgw(current), _tgw(proposed), optional=True)
    count_row("VPC endpoints", current.count("vpc_endpoint"), proposed.count("vpc_endpoint"), optional=True)
    count_row("ECS services", current.count("ecs_service"), proposed.count("ecs_service"))
    text_row("ECS launch type", _launch(current), _launch(proposed))
    count_row("ECS tasks (desired)", _tasks(current), _tasks(proposed))
    if (ec2 := (_instances(current), _instances(proposed))) != ("none", "none"):
        text_row("EC2 capacity", *ec2)
    for kind, aspect in (("rds", "RDS"), ("aurora", "Aurora"), ("docdb", "DocumentDB"), ("elasticache", "ElastiCache"),
                         ("dynamodb", "DynamoDB tables")):
        if current.count(kind) or proposed.count(kind):
            a, b = _data(current, kind), _data(proposed, kind)
            if current.count(kind) != proposed.count(kind):
                count_row(aspect, current.count(kind), proposed.count(kind), a, b)
            else:
                text_row(aspect, a, b)
    count_row("CloudFront distributions", current.count("cloudfront"), proposed.count("cloudfront"), optional=True)
    text_row("CI/CD", _lane(current), _lane(proposed))
    return pd.DataFrame(rows, columns=COLUMNS)
