"""ArchitectureGraph: what an architecture diagram shows, as plain data (no drawing code).

A graph has *groups* (boxes: account, region, VPC, subnet tier, AZ, ECS cluster, CI/CD lane, ...),
*nodes* (resources, each in at most one group) and *edges* (request paths, outbound traffic,
peering, deployments). A node may stand for several resources of one kind (``count`` > 1): that is
how large estates stay readable (see :mod:`awsassess.architecture.aggregate`).

Builders (:mod:`.build_current`, :mod:`.build_proposed`) fill it from data; the renderer
(:mod:`.render`) draws it; tests and the change table count it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

#: node kinds and their legend names
NODE_KINDS: dict[str, str] = {
    "internet": "Internet / users",
    "cloudfront": "CloudFront distribution",
    "s3": "S3 bucket",
    "external": "External endpoint",
    "igw": "Internet gateway",
    "nat": "NAT gateway",
    "alb": "Application Load Balancer",
    "nlb": "Network Load Balancer",
    "gwlb": "Gateway Load Balancer",
    "ecs_service": "ECS service",
    "ecs_cluster": "ECS cluster",
    "asg": "Auto Scaling group (EC2 capacity provider)",
    "ec2": "EC2 instance",
    "rds": "RDS database",
    "aurora": "Aurora cluster",
    "docdb": "DocumentDB cluster",
    "elasticache": "ElastiCache",
    "dynamodb": "DynamoDB table",
    "vpc": "VPC",
    "tgw": "Transit Gateway",
    "vpn": "VPN / external network",
    "vpc_endpoint": "VPC endpoint",
    "codepipeline": "CodePipeline",
    "codebuild": "CodeBuild",
    "codedeploy": "CodeDeploy",
    "github_actions": "GitHub Actions",
    "ecr": "ECR repository",
}

#: plural forms for counted nodes
PLURALS: dict[str, str] = {
    "ecs_service": "ECS services", "ecs_cluster": "ECS clusters", "nat": "NAT gateways", "alb": "ALBs", "nlb": "NLBs", "gwlb": "GWLBs",
    "igw": "Internet gateways", "rds": "RDS databases", "aurora": "Aurora clusters", "docdb": "DocumentDB clusters",
    "elasticache": "ElastiCache clusters", "dynamodb": "DynamoDB tables", "vpc_endpoint": "VPC endpoints",
    "ec2": "EC2 instances", "asg": "Auto Scaling groups", "cloudfront": "CloudFront distributions",
    "codepipeline": "CodePipeline pipelines", "codebuild": "CodeBuild projects", "codedeploy": "CodeDeploy groups",
    "github_actions": "GitHub Actions workflows", "ecr": "ECR repositories", "vpc": "VPCs", "tgw": "Transit Gateways",
    "s3": "S3 origins", "external": "External endpoints", "vpn": "VPN attachments", "internet": "Internet",
}

GROUP_KINDS: dict[str, str] = {
    "account": "AWS account",
    "region": "Region",
    "global": "Global / edge services",
    "vpc": "VPC",
    "tier_public": "Public subnets",
    "tier_private": "Private subnets",
    "az": "Availability Zone",
    "ecs_cluster": "ECS cluster",
    "datastores": "Data stores",
    "managed": "AWS-managed (outside any VPC)",
    "lane": "CI/CD",
    "more": "Further VPCs (aggregated)",
}

EDGE_KINDS: dict[str, str] = {
    "traffic": "request path",
    "egress": "outbound via NAT / internet gateway",
    "peering": "VPC peering",
    "tgw": "Transit Gateway attachment",
    "deploy": "build and deploy",
    "data": "data access",
}


class GraphError(ValueError):
    """An inconsistent graph (unknown group, node or kind)."""


@dataclass
class Group:
    id: str
    kind: str
    label: str
    parent: str | None = None
    details: tuple[str, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Node:
    id: str
    kind: str
    label: str
    group: str | None = None
    details: tuple[str, ...] = ()
    count: int = 1
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Edge:
    src: str
    dst: str
    kind: str
    label: str = ""
    count: int = 1


@dataclass
class ArchitectureGraph:
    """Groups, nodes and edges of one diagram. ``name`` is the file stem (``current``, ``proposed``)."""

    name: str
    title: str
    scenario: str = "current"
    groups: dict[str, Group] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    _edge_index: dict[tuple[str, str, str], Edge] = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexed: list[Edge] | None = field(default=None, init=False, repr=False, compare=False)

    # ----------------------------------------------------------------- building
    def add_group(self, id: str, kind: str, label: str, parent: str | None = None,
                  details: Iterable[str] = (), **attrs: Any) -> Group:
        if kind not in GROUP_KINDS:
            raise GraphError(f"group {id!r}: unknown kind {kind!r}; known: {', '.join(GROUP_KINDS)}")
        if id in self.groups:
            raise GraphError(f"group {id!r} already exists")
        if parent is not None and parent not in self.groups:
            raise GraphError(f"group {id!r}: parent group {parent!r} does not exist (add it first)")
        group = Group(id, kind, label, parent, tuple(d for d in details if d), dict(attrs))
        self.groups[id] = group
        return group

    def ensure_group(self, id: str, kind: str, label: str, parent: str | None = None,
                     details: Iterable[str] = (), **attrs: Any) -> Group:
        return self.groups[id] if id in self.groups else self.add_group(id, kind, label, parent, details, **attrs)

    def add_node(self, id: str, kind: str, label: str, group: str | None = None,
                 details: Iterable[str] = (), count: int = 1, **attrs: Any) -> Node:
        if kind not in NODE_KINDS:
            raise GraphError(f"node {id!r}: unknown kind {kind!r}; known: {', '.join(NODE_KINDS)}")
        if id in self.nodes:
            raise GraphError(f"node {id!r} already exists")
        if group is not None and group not in self.groups:
            raise GraphError(f"node {id!r}: group {group!r} does not exist (add it first)")
        node = Node(id, kind, label, group, tuple(d for d in details if d), int(count), dict(attrs))
        self.nodes[id] = node
        return node

    def add_edge(self, src: str, dst: str, kind: str, label: str = "") -> Edge | None:
        """Add an edge (a repeated src/dst/kind is merged and counted). Self-loops are ignored."""
        if kind not in EDGE_KINDS:
            raise GraphError(f"edge {src}->{dst}: unknown kind {kind!r}; known: {', '.join(EDGE_KINDS)}")
        for end in (src, dst):
            if end not in self.nodes:
                raise GraphError(f"edge {src}->{dst}: node {end!r} does not exist")
        if src == dst:
            return None
        if self._indexed is not self.edges or len(self._edge_index) != len(self.edges):
            self._edge_index = {(e.src, e.dst, e.kind): e for e in self.edges}
            self._indexed = self.edges
        edge = self._edge_index.get((src, dst, kind))
        if edge is not None:
            edge.count += 1
            return edge
        edge = Edge(src, dst, kind, label)
        self.edges.append(edge)
        self._edge_index[(src, dst, kind)] = edge
        return edge

    # ----------------------------------------------------------------- reading
    def ancestors(self, group_id: str | None) -> list[str]:
        """``group_id`` and its parents, innermost first."""
        chain = []
        while group_id is not None:
            chain.append(group_id)
            group_id = self.groups[group_id].parent
        return chain

    def enclosing(self, node_id: str, kind: str) -> str | None:
        """The id of the innermost group of ``kind`` around node ``node_id`` (or None)."""
        for gid in self.ancestors(self.nodes[node_id].group):
            if self.groups[gid].kind == kind:
                return gid
        return None

    def child_groups(self, group_id: str | None) -> list[Group]:
        return [g for g in self.groups.values() if g.parent == group_id]

    def descendants(self, group_id: str) -> set[str]:
        """``group_id`` and every group inside it."""
        out = {group_id}
        changed = True
        while changed:
            changed = False
            for g in self.groups.values():
                if g.parent in out and g.id not in out:
                    out.add(g.id)
                    changed = True
        return out

    def nodes_in(self, group_id: str | None, recursive: bool = False) -> list[Node]:
        if group_id is None and not recursive:
            return [n for n in self.nodes.values() if n.group is None]
        if group_id is None:
            return list(self.nodes.values())
        inside = self.descendants(group_id) if recursive else {group_id}
        return [n for n in self.nodes.values() if n.group in inside]

    def groups_of(self, kind: str) -> list[Group]:
        return [g for g in self.groups.values() if g.kind == kind]

    def count(self, kind: str) -> int:
        """How many resources of ``kind`` the graph stands for (counted nodes count as many)."""
        return sum(n.count for n in self.nodes.values() if n.kind == kind)

    def counts(self) -> dict[str, int]:
        c: Counter[str] = Counter()
        for n in self.nodes.values():
            c[n.kind] += n.count
        return dict(sorted(c.items()))

    def edges_of(self, kind: str) -> list[Edge]:
        return [e for e in self.edges if e.kind == kind]

    def iter_labels(self) -> Iterator[str]:
        for g in self.groups.values():
            yield g.label
            yield from g.details
        for n in self.nodes.values():
            yield n.label
            yield from n.details

    def validate(self) -> None:
        """Raise GraphError when a reference dangles or groups form a cycle."""
        for g in self.groups.values():
            if g.parent is not None and g.parent not in self.groups:
                raise GraphError(f"group {g.id!r}: parent {g.parent!r} missing")
            seen: set[str] = set()
            cur: str | None = g.id
            while cur is not None:
                if cur in seen:
                    raise GraphError(f"group {g.id!r}: parent cycle through {cur!r}")
                seen.add(cur)
                cur = self.groups[cur].parent
        for n in self.nodes.values():
            if n.group is not None and n.group not in self.groups:
                raise GraphError(f"node {n.id!r}: group {n.group!r} missing")
        for e in self.edges:
            if e.src not in self.nodes or e.dst not in self.nodes:
                raise GraphError(f"edge {e.src}->{e.dst}: a node is missing")

    def prune_empty_groups(self) -> None:
        """Drop groups with no node anywhere inside them."""
        while True:
            used = {n.group for n in self.nodes.values()} | {g.parent for g in self.groups.values()}
            empty = [gid for gid in self.groups if gid not in used]
            if not empty:
                return
            for gid in empty:
                del self.groups[gid]

    # ----------------------------------------------------------------- (de)serialising
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "scenario": self.scenario,
            "groups": [asdict(g) for g in self.groups.values()],
            "nodes": [asdict(n) for n in self.nodes.values()],
            "edges": [asdict(e) for e in self.edges],
            "notes": list(self.notes), "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchitectureGraph:
        g = cls(data["name"], data["title"], data.get("scenario", "current"),
                notes=list(data.get("notes", [])), meta=dict(data.get("meta", {})))
        for row in data.get("groups", []):
            g.groups[row["id"]] = Group(**{**row, "details": tuple(row.get("details", ()))})
        for row in data.get("nodes", []):
            g.nodes[row["id"]] = Node(**{**row, "details": tuple(row.get("details", ()))})
        g.edges = [Edge(**row) for row in data.get("edges", [])]
        g.validate()
        return g

    def copy(self) -> ArchitectureGraph:
        """An independent copy (attrs dicts are copied; their values are treated as immutable)."""
        return ArchitectureGraph(
            self.name, self.title, self.scenario,
            groups={k: Group(g.id, g.kind, g.label, g.parent, g.details, dict(g.attrs)) for k, g in self.groups.items()},
            nodes={k: Node(n.id, n.kind, n.label, n.group, n.details, n.count, dict(n.attrs)) for k, n in self.nodes.items()},
            edges=[Edge(e.src, e.dst, e.kind, e.label, e.count) for e in self.edges],
            notes=list(self.notes), meta=dict(self.meta))

    def members(self) -> dict[str | None, list[Node]]:
        """Nodes by their (direct) group, in insertion order."""
        out: dict[str | None, list[Node]] = {}
        for n in self.nodes.values():
            out.setdefault(n.group, []).append(n)
        return out
