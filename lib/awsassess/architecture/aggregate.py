"""Keep diagrams readable at any estate size: counted nodes, compact VPCs, per-VPC detail pages.

Three steps, each applied only while the overview is still too big:

1. in any box, more than ``max_per_kind`` nodes of one kind become one counted node
   ("42 ECS services: Fargate 40 · EC2 2 · 118 tasks");
2. every VPC is compacted: inside each subnet tier, nodes of one kind become one counted node;
3. past ``max_vpcs`` VPCs in a region, the smallest VPCs fold into one "N further VPCs" box.

The full detail of every VPC touched by a step is then drawn on its own page
(:func:`vpc_page`). Everything here is pure data: graphs in, graphs out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from awsassess.architecture.graph import PLURALS, ArchitectureGraph, Edge, Node

#: node kinds that never collapse (there is at most one per box, or they carry links)
NEVER_COLLAPSE = {"internet", "vpc", "tgw"}
MAX_PER_KIND = 8
MAX_NODES = 70
MAX_VPCS = 8
MAX_STUBS = 4  # a VPC page draws up to this many connected VPCs one by one


def _top(counter: Counter[str], n: int = 3) -> str:
    items = [(k, v) for k, v in counter.most_common() if k]
    text = " · ".join(f"{v} {k}" for k, v in items[:n])
    if len(items) > n:
        text += f" · +{sum(v for _, v in items[n:])} more"
    return text


def summarise(kind: str, nodes: list[Node]) -> tuple[str, list[str], dict[str, object]]:
    """Label, detail lines and attrs of one counted node standing for ``nodes`` (all of ``kind``)."""
    total = sum(n.count for n in nodes)
    label = f"{total} {PLURALS.get(kind, kind)}"
    attrs: dict[str, object] = {"aggregated": True, "members": [m for n in nodes for m in n.attrs.get("members", [n.id])]}
    details: list[str] = []
    if kind == "ecs_service":
        launches: Counter[str] = Counter()
        for n in nodes:
            launches.update(n.attrs.get("launches") or {str(n.attrs.get("launch", "unknown")): n.count})
        tasks = sum(int(n.attrs.get("tasks") or 0) for n in nodes)
        details = [_top(Counter({k.replace(" (capacity provider)", ""): v for k, v in launches.items()})),
                   f"{tasks} task{'s' if tasks != 1 else ''}"]
        attrs.update(launches=dict(launches), tasks=tasks)
    elif kind == "nat":
        azs = sorted({str(n.attrs.get("az") or "") for n in nodes} - {""})
        vpcs = {n.attrs.get("vpc_id") for n in nodes}
        details = [f"in {len(vpcs)} VPCs" if len(vpcs) > 1 else "", ", ".join(azs) if len(azs) <= 3 else f"{len(azs)} AZs"]
    elif kind in ("alb", "nlb", "gwlb"):
        details = [_top(Counter(str(n.attrs.get("scheme", "")) for n in nodes))]
    elif kind in ("rds", "aurora", "docdb", "elasticache"):
        details = [_top(Counter(str(n.attrs.get("engine", "")) for n in nodes)),
                   _top(Counter(str(n.attrs.get("instance_class", "")) for n in nodes), 2)]
    elif kind == "dynamodb":
        details = [_top(Counter({"PROVISIONED": "provisioned", "PAY_PER_REQUEST": "on-demand"}.get(
            str(n.attrs.get("billing", "")), str(n.attrs.get("billing", ""))) for n in nodes))]
    elif kind == "vpc_endpoint":
        names = sorted({x for n in nodes for x in [*n.attrs.get("gateway", []), *n.attrs.get("interface", [])]})
        details = [", ".join(names[:5]) + (f" +{len(names) - 5}" if len(names) > 5 else "")]
    else:
        names = list(dict.fromkeys(n.label for n in nodes))
        if len(names) > 1:
            details = [", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")]
    return label, [d for d in details if d], attrs


def collapse(graph: ArchitectureGraph, node_ids: list[str], new_id: str, group: str | None,
             pending: dict[str, str] | None = None) -> Node:
    """Replace ``node_ids`` (one kind) by one counted node ``new_id`` in ``group``; edges follow
    (at once, or, when ``pending`` is given, later by one :func:`remap_edges` call over it)."""
    nodes = [graph.nodes[n] for n in node_ids]
    kinds = {n.kind for n in nodes}
    if len(kinds) != 1:
        raise ValueError(f"collapse: nodes of several kinds {sorted(kinds)}")
    kind = kinds.pop()
    label, details, attrs = summarise(kind, nodes)
    vpc_ids = {n.attrs.get("vpc_id") for n in nodes}
    if len(vpc_ids) == 1:
        attrs["vpc_id"] = vpc_ids.pop()
    for n in node_ids:
        del graph.nodes[n]
    node = graph.add_node(new_id, kind, label, group, details=details, count=sum(n.count for n in nodes), **attrs)
    if pending is None:
        remap_edges(graph, dict.fromkeys(node_ids, new_id))
    else:
        pending.update(dict.fromkeys(node_ids, new_id))
    return node


def remap_edges(graph: ArchitectureGraph, mapping: dict[str, str]) -> None:
    merged: dict[tuple[str, str, str], Edge] = {}
    for e in graph.edges:
        src, dst = mapping.get(e.src, e.src), mapping.get(e.dst, e.dst)
        if src == dst:
            continue
        key = (src, dst, e.kind)
        if key in merged:
            merged[key].count += e.count
        else:
            merged[key] = Edge(src, dst, e.kind, e.label, e.count)
    graph.edges = list(merged.values())


def role(node: Node) -> str:
    """Services behind the public ALB or calling others stay apart from the rest when counted."""
    if node.kind != "ecs_service":
        return ""
    if node.attrs.get("public"):
        return "public"
    return "calling" if node.attrs.get("caller") else ""


def _collapse_kinds(graph: ArchitectureGraph, group: str | None, threshold: int, prefix: str,
                    members: list[Node], pending: dict[str, str]) -> bool:
    """Collapse every kind with more than ``threshold`` of ``members`` (the nodes directly in ``group``;
    services split by :func:`role`); True if anything changed. Edges are remapped via ``pending``."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for n in members:
        if n.kind not in NEVER_COLLAPSE:
            by_kind[n.kind].append(n.id)
    changed = False
    for kind, ids in sorted(by_kind.items()):
        if len(ids) <= threshold:
            continue
        by_role: dict[str, list[str]] = defaultdict(list)
        for nid in ids:
            by_role[role(graph.nodes[nid])].append(nid)
        for r, ids_of_role in sorted(by_role.items()):
            if len(ids_of_role) < 2:
                continue
            node = collapse(graph, ids_of_role, f"{prefix}{group or 'top'}:{kind}:{r}", group, pending)
            if r:
                node.label = node.label.replace(f" {PLURALS[kind]}", f" {r} {PLURALS[kind]}")
                node.attrs["public"] = r == "public"
                node.attrs["caller"] = r == "calling"
            changed = True
    return changed


def _vpc_of_group(graph: ArchitectureGraph, gid: str | None) -> str | None:
    for g in graph.ancestors(gid):
        if graph.groups[g].kind == "vpc":
            return g
    return None


def per_kind(graph: ArchitectureGraph, max_per_kind: int = MAX_PER_KIND,
             groups: Iterable[str | None] | None = None) -> set[str]:
    """Step 1 on ``graph`` in place; returns the VPC group ids that changed."""
    touched: set[str] = set()
    members = graph.members()
    pending: dict[str, str] = {}
    for gid in list(groups if groups is not None else [None, *graph.groups]):
        if gid is None or gid in graph.groups:
            if _collapse_kinds(graph, gid, max_per_kind, "agg:", members.get(gid, []), pending):
                vpc = _vpc_of_group(graph, gid)
                if vpc:
                    touched.add(vpc)
    if pending:
        remap_edges(graph, pending)
    return touched


def compact_vpcs(graph: ArchitectureGraph) -> set[str]:
    """Step 2 in place: in every box, several nodes of one kind become one counted node."""
    touched: set[str] = set()
    members = graph.members()
    pending: dict[str, str] = {}
    for gid in list(graph.groups):
        if _collapse_kinds(graph, gid, 1, "cmp:", members.get(gid, []), pending):
            vpc = _vpc_of_group(graph, gid)
            if vpc:
                touched.add(vpc)
    if pending:
        remap_edges(graph, pending)
    return touched


def _vpc_weight(graph: ArchitectureGraph, vpc_gid: str) -> tuple[int, int]:
    nodes = graph.nodes_in(vpc_gid, recursive=True)
    public = any(n.kind in ("alb", "nlb") and n.attrs.get("scheme") == "internet-facing" for n in nodes)
    return int(public), sum(n.count for n in nodes)


def fold_vpcs(graph: ArchitectureGraph, max_vpcs: int = MAX_VPCS) -> set[str]:
    """Step 3 in place: per region, keep the ``max_vpcs - 1`` biggest VPCs, fold the rest into one box."""
    folded_all: set[str] = set()
    for region in [g for g in graph.groups.values() if g.kind == "region"]:
        vpcs = [g.id for g in graph.child_groups(region.id) if g.kind == "vpc"]
        if len(vpcs) <= max_vpcs:
            continue
        ranked = sorted(vpcs, key=lambda v: _vpc_weight(graph, v), reverse=True)
        fold = ranked[max_vpcs - 1:]
        more = graph.add_group(f"{region.id}:more", "more", f"{len(fold)} further VPCs", parent=region.id,
                               details=["detail on the per-VPC pages"], vpc_ids=[graph.groups[v].attrs.get("vpc_id") for v in fold])
        tiers = {kind: graph.add_group(f"{more.id}:{kind}", kind, graph_label, parent=more.id)
                 for kind, graph_label in (("tier_public", "Public subnets"), ("tier_private", "Private subnets"))}
        by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
        for v in fold:
            for n in graph.nodes_in(v, recursive=True):
                tier = next((graph.groups[g].kind for g in graph.ancestors(n.group)
                             if graph.groups[g].kind in tiers), "")
                by_key[(tier, n.kind)].append(n.id)
        for (tier, kind), ids in sorted(by_key.items()):
            target = tiers[tier].id if tier else more.id
            node = collapse(graph, ids, f"fold:{more.id}:{tier}:{kind}", target)
            if kind == "vpc":
                node.label = f"{len(fold)} VPC routers"
        for v in fold:
            for gid in graph.descendants(v):
                graph.groups.pop(gid, None)
        graph.prune_empty_groups()
        folded_all.update(fold)
    return folded_all


def merge_az_replicas(graph: ArchitectureGraph, kinds: tuple[str, ...] = ("nat",)) -> None:
    """In place: the NAT gateways of one subnet tier (one per AZ) become one node that names the AZs.

    Nothing is lost (the AZs stay in the label), so this needs no detail page.
    """
    members = graph.members()
    pending: dict[str, str] = {}
    for gid in list(graph.groups):
        for kind in kinds:
            ids = [n.id for n in members.get(gid, []) if n.kind == kind]
            if len(ids) > 1:
                azs = sorted({str(graph.nodes[n].attrs.get("az") or "") for n in ids} - {""})
                node = collapse(graph, ids, f"az:{gid}:{kind}", gid, pending)
                node.attrs["aggregated"] = False
                node.details = ("one per AZ" if len(azs) == len(ids) else "in " + ", ".join(azs),) if azs else ()
    if pending:
        remap_edges(graph, pending)


def overview(graph: ArchitectureGraph, *, max_per_kind: int = MAX_PER_KIND, max_nodes: int = MAX_NODES,
             max_vpcs: int = MAX_VPCS) -> tuple[ArchitectureGraph, list[str]]:
    """A readable copy of ``graph`` and the VPC group ids whose detail it no longer shows (biggest first)."""
    g = graph.copy()
    merge_az_replicas(g)
    touched = per_kind(g, max_per_kind)
    if len(g.nodes) > max_nodes:
        touched |= compact_vpcs(g)
    if len(g.nodes) > max_nodes:
        touched |= fold_vpcs(g, max_vpcs)
    g.validate()
    if touched:
        g.meta["aggregated"] = True
        g.notes.append(f"Counted nodes stand for several resources; {len(touched)} VPC(s) have their own detail page.")
    order = sorted(touched, key=lambda v: _vpc_weight(graph, v), reverse=True)
    return g, order


def vpc_page(graph: ArchitectureGraph, vpc_gid: str, *, max_per_kind: int = 40) -> ArchitectureGraph:
    """The full detail of one VPC and whatever it connects to (peers, edge, CI/CD), from the full graph."""
    vpc = graph.groups[vpc_gid]
    inside = graph.descendants(vpc_gid)
    keep_groups = set(inside) | set(graph.ancestors(vpc.parent))
    keep_nodes = {n.id for n in graph.nodes.values() if n.group in inside}
    neighbours = {e.dst for e in graph.edges if e.src in keep_nodes} | {e.src for e in graph.edges if e.dst in keep_nodes}
    page = ArchitectureGraph(f"{graph.name}-{vpc.attrs.get('vpc_id') or vpc_gid}", f"{graph.title} · {vpc.label}",
                             graph.scenario, meta={**graph.meta, "page_of": graph.name, "vpc_id": vpc.attrs.get("vpc_id")})
    stubs: dict[str, str] = {}
    placed: dict[str, str | None] = {}
    for nid in neighbours - keep_nodes:
        node = graph.nodes[nid]
        other_vpc = _vpc_of_group(graph, node.group)
        if other_vpc is None:
            keep_groups.update(graph.ancestors(node.group))
            placed[nid] = node.group
        else:
            stubs[other_vpc] = f"stub:{other_vpc}"
            placed[nid] = stubs[other_vpc]
    for gid in graph.groups:  # parents before children: graph.groups keeps insertion order
        if gid in keep_groups:
            g = graph.groups[gid]
            page.add_group(g.id, g.kind, g.label, g.parent, g.details, **g.attrs)
    if len(stubs) > MAX_STUBS:  # many peers: one box for all of them
        parent = vpc.parent
        page.add_group("stub:peers", "more", f"{len(stubs)} other VPCs", parent,
                       details=["connected to this VPC; see their own pages"],
                       vpc_ids=[graph.groups[v].attrs.get("vpc_id") for v in stubs])
        stubs = dict.fromkeys(stubs, "stub:peers")
        placed = {nid: ("stub:peers" if str(gid).startswith("stub:") else gid) for nid, gid in placed.items()}
    else:
        for other_vpc, stub in stubs.items():
            src = graph.groups[other_vpc]
            parent = src.parent if src.parent in page.groups else None
            page.add_group(stub, "vpc", src.label, parent, details=[*src.details[:1], "(its own page)"], **src.attrs)
    for nid in [*keep_nodes, *placed]:
        n = graph.nodes[nid]
        page.add_node(n.id, n.kind, n.label, placed.get(nid, n.group), n.details, n.count, **n.attrs)
    for e in graph.edges:
        if e.src in page.nodes and e.dst in page.nodes:
            page.edges.append(Edge(e.src, e.dst, e.kind, e.label, e.count))
    if "stub:peers" in page.groups:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for n in page.nodes_in("stub:peers"):
            by_kind[n.kind].append(n.id)
        for kind, ids in by_kind.items():
            if len(ids) > 1:
                node = collapse(page, ids, f"stub:peers:{kind}", "stub:peers")
                node.attrs["aggregated"] = False
    per_kind(page, max_per_kind, groups=[g for g in page.groups if g in inside])
    page.prune_empty_groups()
    page.validate()
    return page
