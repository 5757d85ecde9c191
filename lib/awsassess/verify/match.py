"""Match the resources of two snapshots of one account by what survives a migration.

A rebuild changes VPC, subnet, load balancer and task-definition ids; it keeps a service's name, a data
store's identifier, a table's name, a distribution's id, a pipeline's, stack's or load balancer's name and
a VPC's Name tag. Each :class:`Kind` names the table, the column that survives (the *key*) and the
attributes worth comparing. Matching is a dictionary lookup per kind (never pairwise), so two snapshots of
thousands of resources compare in well under a second.

Resources of a kind that has no surviving key (NAT gateways, peering connections, endpoints, Elastic IPs,
container instances) are counted, not matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from awsassess.facts.network import nat_is_live
from awsassess.facts.placement import service_vpcs
from awsassess.snapshot import Snapshot
from awsassess.values import json_list, json_value, text, truthy

Row = Any  # a pandas itertuples row


@dataclass(frozen=True)
class Kind:
    """One kind of resource: where it lives, which column survives a rebuild, what to compare."""

    domain: str
    table: str
    label: str
    key: str  # the surviving column
    ids: tuple[str, ...] = ()  # columns holding ids findings name (ARNs, rebuilt ids): mapped to the key
    attrs: tuple[str, ...] = ()
    keep: Callable[[Row], bool] | None = None  # rows that count (e.g. not the default VPC)


def _not_default(r: Row) -> bool:
    return not truthy(r.is_default)


def _live_nat(r: Row) -> bool:
    return nat_is_live(r.state)


def _live_peering(r: Row) -> bool:
    return text(r.status).lower() not in ("deleted", "rejected", "failed", "expired")


KINDS: tuple[Kind, ...] = (
    Kind("network", "vpcs", "VPC", "name", ("vpc_id",), ("cidr",), _not_default),
    Kind("network", "load_balancers", "load balancer", "name", ("arn",), ("type", "scheme", "vpc")),
    Kind("compute", "ecs_clusters", "ECS cluster", "cluster_name", ("cluster_arn",), ("capacity_providers",)),
    Kind("compute", "capacity_providers", "capacity provider", "name", (), ("type", "managed_scaling",
                                                                             "target_capacity")),
    Kind("compute", "ecs_services", "ECS service", "service_name", ("service_arn",),
         ("cluster", "launch", "cpu", "memory", "desired_count", "cpu_architecture", "vpc")),
    # a new revision (or a rebuild) changes the ARN, never the family
    Kind("compute", "task_definitions", "task definition", "family", ("task_definition_arn",),
         ("cpu", "memory", "cpu_architecture", "network_mode")),
    Kind("datastores", "db_instances", "database instance", "db_instance_id", (),
         ("engine", "instance_class", "multi_az", "storage_type", "allocated_gb")),
    Kind("datastores", "db_clusters", "database cluster", "cluster_id", (), ("engine", "storage_type", "multi_az")),
    Kind("datastores", "replication_groups", "cache replication group", "id", (),
         ("engine", "node_type", "nodes", "multi_az")),
    Kind("datastores", "dynamodb_tables", "DynamoDB table", "table_name", (), ("billing_mode", "rcu", "wcu")),
    Kind("cdn", "distributions", "CloudFront distribution", "distribution_id", (), ("price_class", "enabled")),
    Kind("pipelines", "pipelines", "pipeline", "name", (), ("version", "stage_count")),
    Kind("pipelines", "build_projects", "build project", "name", (), ("compute_type", "cache_type")),
    Kind("stacks", "stacks", "CloudFormation stack", "stack_name", ("stack_id",), ("status",)),
)

# counted, not matched: (domain, table, label, keep)
COUNTED: tuple[tuple[str, str, str, Callable[[Row], bool] | None], ...] = (
    ("network", "nat_gateways", "NAT gateways", _live_nat),
    ("network", "vpc_peerings", "VPC peering connections", _live_peering),
    ("network", "vpc_endpoints", "VPC endpoints", None),
    ("network", "elastic_ips", "Elastic IPs", None),
    ("network", "transit_gateway_attachments", "transit gateway attachments", None),
    ("compute", "container_instances", "ECS container instances", None),
    ("compute", "ec2_instances", "EC2 instances", None),
)


def _norm(value: Any) -> Any:
    """A comparable, JSON-friendly form of a cell (lists sorted, numbers as numbers, missing as None)."""
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value[:1] in "[{":
        parsed = json_value(value)
        if isinstance(parsed, list):
            return sorted(str(v) for v in parsed)
    return value


@dataclass
class Resource:
    kind: Kind
    key: str  # "<region>/<surviving value>"
    name: str
    region: str
    attrs: dict[str, Any]
    ids: tuple[str, ...]

    @property
    def ref(self) -> str:
        """How a finding's resources are named across both snapshots: ``<table>:<region>/<name>``."""
        return f"{self.kind.table}:{self.key}"


@dataclass
class Index:
    """The resources of one snapshot by kind and surviving key, the id -> ref map and the counted kinds."""

    resources: dict[str, dict[str, Resource]] = field(default_factory=dict)  # table -> key -> resource
    unnamed: dict[str, list[str]] = field(default_factory=dict)  # table -> ids of rows without a key
    counts: dict[str, int] = field(default_factory=dict)  # counted table -> live rows
    refs: dict[str, str] = field(default_factory=dict)  # any id or ARN -> ref
    vpc_names: dict[str, str] = field(default_factory=dict)  # vpc id -> Name tag

    _by_name: dict[str, dict[str, Resource]] = field(default_factory=dict, repr=False)

    def named(self, table: str) -> dict[str, Resource]:
        """The resources of ``table`` by name (all regions; the first of a name wins), built once."""
        if table not in self._by_name:
            found: dict[str, Resource] = {}
            for r in self.resources.get(table, {}).values():
                found.setdefault(r.name, r)
            self._by_name[table] = found
        return self._by_name[table]

    def ref(self, resource_id: str) -> str:
        """The surviving reference of a resource id, or the id itself when nothing survives a rebuild."""
        return self.refs.get(resource_id, resource_id)

    @property
    def surviving(self) -> set[str]:
        """Every surviving reference (``<table>:<region>/<name>``) of this snapshot."""
        return {r.ref for found in self.resources.values() for r in found.values()}


def _service_extra(snapshot: Snapshot) -> Callable[[Row], dict[str, Any]]:
    vpcs = service_vpcs(snapshot)
    names = {text(r.vpc_id): text(r.name) for r in snapshot.table("vpcs").itertuples()}

    def extra(r: Row) -> dict[str, Any]:
        cps = [text(p) for p in json_list(r.capacity_providers) if text(p)]
        launch = text(r.launch_type) or ("FARGATE" if any(p.upper().startswith("FARGATE") for p in cps)
                                         else "EC2" if cps else "")
        vpc = vpcs.get(text(r.service_name), "")
        return {"launch": launch, "vpc": names.get(vpc) or vpc}

    return extra


def _lb_extra(snapshot: Snapshot) -> Callable[[Row], dict[str, Any]]:
    names = {text(r.vpc_id): text(r.name) for r in snapshot.table("vpcs").itertuples()}
    return lambda r: {"vpc": names.get(text(r.vpc_id)) or text(r.vpc_id)}


def index(snapshot: Snapshot) -> Index:
    out = Index()
    out.vpc_names = {text(r.vpc_id): text(r.name) for r in snapshot.table("vpcs").itertuples() if text(r.name)}
    extras: dict[str, Callable[[Row], dict[str, Any]]] = {
        "ecs_services": _service_extra(snapshot), "load_balancers": _lb_extra(snapshot)}
    for kind in KINDS:
        df = snapshot.table(kind.table)
        found: dict[str, Resource] = {}
        unnamed: list[str] = []
        extra = extras.get(kind.table)
        for r in df.itertuples(index=False):
            if kind.keep is not None and not kind.keep(r):
                continue
            name = text(getattr(r, kind.key))
            ids = tuple(text(getattr(r, c)) for c in kind.ids if text(getattr(r, c)))
            if not name:
                unnamed.extend(ids)
                continue
            region = text(getattr(r, "region", "")) if kind.table != "distributions" else "global"
            key = f"{region}/{name}"
            attrs = {a: _norm(getattr(r, a)) for a in kind.attrs if a in df.columns}
            if extra is not None:
                attrs.update({k: v for k, v in extra(r).items() if k in kind.attrs})
            res = Resource(kind, key, name, region, attrs, ids)
            found[key] = res
            for rid in (name, *ids):
                out.refs.setdefault(rid, res.ref)
        out.resources[kind.table] = found
        out.unnamed[kind.table] = unnamed
    for _domain, table, _label, keep in COUNTED:
        df = snapshot.table(table)
        out.counts[table] = sum(1 for r in df.itertuples(index=False) if keep is None or keep(r))
    return out


# ------------------------------------------------------------------------------------------- inventory
@dataclass
class KindDiff:
    kind: Kind
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {"resource", "changes": {attr: [before, after]}}
    unchanged: int = 0
    unmatched_before: list[str] = field(default_factory=list)  # gone, or renamed: cannot tell
    unmatched_after: list[str] = field(default_factory=list)  # new, or renamed: cannot tell
    planned_added: list[str] = field(default_factory=list)  # new and named in the plan
    planned_removed: list[str] = field(default_factory=list)  # gone and replaced by the plan

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.kind.domain, "table": self.kind.table, "label": self.kind.label, "added": self.added, "removed": self.removed,
                "planned_added": self.planned_added, "planned_removed": self.planned_removed,
                "changed": self.changed, "unchanged": self.unchanged,
                "unmatched_before": self.unmatched_before, "unmatched_after": self.unmatched_after}


def diff(before: Index, after: Index, planned_names: Iterable[str] = (), planned_gone: Iterable[str] = ()
         ) -> list[KindDiff]:
    """Per kind: matched resources whose attributes changed, and what is only on one side. A resource only
    before is *removed* and one only after is *added* when the plan says so (``planned_gone``: ids or names
    the plan replaces; ``planned_names``: names the plan creates) or when the other side has nothing
    unmatched of that kind; otherwise both are *unmatched*: a rename cannot be told from a removal plus an
    addition, and is never reported as one silently."""
    names, gone = set(planned_names), set(planned_gone)
    out = []
    for kind in KINDS:
        b, a = before.resources.get(kind.table, {}), after.resources.get(kind.table, {})
        d = KindDiff(kind)
        for key in sorted(b.keys() & a.keys()):
            changes = {attr: [b[key].attrs.get(attr), a[key].attrs.get(attr)] for attr in kind.attrs
                       if b[key].attrs.get(attr) != a[key].attrs.get(attr)}
            if changes:
                d.changed.append({"resource": b[key].name, "region": b[key].region, "changes": changes})
            else:
                d.unchanged += 1
        only_b = [b[k] for k in sorted(b.keys() - a.keys())]
        only_a = [a[k] for k in sorted(a.keys() - b.keys())]
        d.planned_removed = [r.name for r in only_b if r.name in gone or set(r.ids) & gone]
        d.planned_added = [r.name for r in only_a if r.name in names]
        rest_b = [r.name for r in only_b if r.name not in d.planned_removed]
        rest_a = [r.name for r in only_a if r.name not in d.planned_added]
        if rest_b and rest_a:
            d.unmatched_before, d.unmatched_after = rest_b, rest_a
        else:
            d.removed, d.added = rest_b, rest_a
        out.append(d)
    return out
