"""Each migration wave of the *before* plan: done, in progress or not started, with the evidence that decided.

A wave is judged by what it promised, read in the *after* snapshot through surviving keys: the shared VPC
by its Name tag (or CIDR), load balancers, cluster and capacity provider by name, data stores by
identifier and their planned class / Multi-AZ / storage / nodes / mode, services by name with their planned
cluster, size and launch type, pipelines by name; decommission by the old VPCs (their ids: these particular
resources must be gone) and the NAT gateways and load balancers left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsassess.model.architecture import ProposedArchitecture, ProposedDatastore, ProposedService
from awsassess.snapshot import Snapshot
from awsassess.values import text
from awsassess.verify.match import Index

DONE, IN_PROGRESS, NOT_STARTED = "done", "in progress", "not started"


@dataclass
class WaveStatus:
    number: int
    name: str
    status: str
    checks: list[tuple[str, bool]] = field(default_factory=list)  # (what the wave promised, found after)
    summary: str = ""
    already: list[str] = field(default_factory=list)  # promised but true before the migration already

    @property
    def done_items(self) -> int:
        return sum(1 for _, ok in self.checks if ok)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "status": self.status, "summary": self.summary,
                "done": self.done_items, "of": len(self.checks),
                "evidence": [{"check": what, "met": ok} for what, ok in self.checks],
                "already_in_place": self.already}


def _status(checks: list[tuple[str, bool]]) -> str:
    met = sum(1 for _, ok in checks if ok)
    if checks and met == len(checks):
        return DONE
    return IN_PROGRESS if met else NOT_STARTED


def _named(idx: Index, table: str, name: str) -> bool:
    return name in idx.named(table)


def _attrs(idx: Index, table: str, name: str) -> dict[str, Any] | None:
    r = idx.named(table).get(name)
    return None if r is None else r.attrs


def _network(arch: ProposedArchitecture, after: Snapshot, idx: Index) -> list[tuple[str, bool]]:
    checks = []
    vpcs = after.table("vpcs")
    for v in arch.vpcs:
        found = any(text(r.name) == v.name or text(r.cidr) == v.cidr for r in vpcs.itertuples())
        checks.append((f"VPC {v.name} ({v.cidr})", found))
    for lb in arch.load_balancers:
        checks.append((f"{lb.scheme} load balancer {lb.name}", _named(idx, "load_balancers", lb.name)))
    for c in arch.clusters:
        checks.append((f"ECS cluster {c.name}", _named(idx, "ecs_clusters", c.name)))
        if c.capacity_provider is not None:
            cp = c.capacity_provider.name
            checks.append((f"capacity provider {cp}", _named(idx, "capacity_providers", cp)))
    return checks


def _store_check(d: ProposedDatastore, idx: Index) -> tuple[str, bool] | None:
    """What changes for a store and whether the after snapshot shows it; None when nothing is planned."""
    if d.kind == "dynamodb":
        if d.mode == d.current_mode:
            return None
        a = _attrs(idx, "dynamodb_tables", d.id)
        return (f"DynamoDB {d.id}: {d.current_mode} -> {d.mode}", a is not None and a.get("billing_mode") == d.mode)
    if d.kind == "elasticache":
        a = _attrs(idx, "replication_groups", d.id)
        want = {"node_type": d.proposed_class, "nodes": d.nodes}
        if d.engine != d.current_engine:
            want["engine"] = d.engine
        changed = d.proposed_class != d.current_class or d.nodes != d.current_nodes or d.engine != d.current_engine
        if not changed:
            return None
        text_ = f"cache {d.id}: {d.current_class} x{d.current_nodes} -> {d.proposed_class} x{d.nodes}" + (
            f", {d.engine}" if d.engine != d.current_engine else "")
        return text_, a is not None and all(a.get(k) == v for k, v in want.items())
    a = _attrs(idx, "db_instances", d.id)
    parts, ok = [], a is not None
    if not d.proposed_class:  # an instance the plan removes (a DocumentDB replica)
        return f"{d.kind} {d.id}: removed", a is None
    if d.proposed_class != d.current_class:
        parts.append(f"{d.current_class} -> {d.proposed_class}")
        ok = ok and a is not None and a.get("instance_class") == d.proposed_class
    if d.kind == "rds" and d.multi_az != d.current_multi_az:
        parts.append("Multi-AZ " + ("on" if d.multi_az else "off"))
        ok = ok and a is not None and bool(a.get("multi_az")) == d.multi_az
    if d.storage_type and d.storage_type != d.current_storage_type:
        parts.append(f"{d.current_storage_type} -> {d.storage_type}")
        ok = ok and a is not None and a.get("storage_type") == d.storage_type
    if not parts:
        return None
    return f"{d.kind} {d.id}: {', '.join(parts)}", ok


def _service_check(s: ProposedService, idx: Index, vpc_name: str) -> tuple[str, bool]:
    a = _attrs(idx, "ecs_services", s.name)
    want = f"{s.name} in {s.cluster} ({s.launch} {s.arch}, {s.cpu}/{s.memory})"
    if a is None:
        return want, False
    arch = str(a.get("cpu_architecture") or "X86_64").lower()
    ok = (a.get("cluster") == s.cluster and a.get("cpu") == s.cpu and a.get("memory") == s.memory
          and a.get("launch") == s.launch and arch == s.arch.lower() and (not vpc_name or a.get("vpc") == vpc_name))
    return want, ok


def judge(waves: list[dict[str, Any]], arch: ProposedArchitecture, before: Snapshot, after: Snapshot,
          before_idx: Index, after_idx: Index) -> list[WaveStatus]:
    """The status of every wave of the plan in ``after``. What a wave promised that was already true before
    the migration (a cluster whose name the plan keeps, a class already right) is listed as such and
    decides nothing: a wave is done when everything it changes is in place."""
    then = _judge(waves, arch, before, before, before_idx, before_idx)
    out = _judge(waves, arch, before, after, before_idx, after_idx)
    for w, w0 in zip(out, then, strict=True):
        held = {what for what, ok in w0.checks if ok}
        w.already = [what for what, ok in w.checks if what in held and ok]
        w.checks = [(what, ok) for what, ok in w.checks if what not in w.already]
        if not w.checks and w.already:
            w.status, w.summary = DONE, w.summary if w.name.startswith("Decommission") else \
                "nothing to change: already in place"
        elif w.checks:
            w.status = _status(w.checks)
            if not w.name.startswith("Decommission"):
                w.summary = f"{w.done_items} of {len(w.checks)} in place"
    return out


def _judge(waves: list[dict[str, Any]], arch: ProposedArchitecture, before: Snapshot, after: Snapshot,
           before_idx: Index, after_idx: Index) -> list[WaveStatus]:
    out = []
    vpc_name = arch.vpcs[0].name if arch.vpcs else ""
    by_name = {s.name: s for s in arch.services}
    arn_to_name = {rid: r.name for r in before_idx.resources.get("ecs_services", {}).values() for rid in r.ids}
    for w in waves:
        name, number = str(w.get("name", "")), int(w.get("number", 0))
        checks: list[tuple[str, bool]] = []
        summary = ""
        if name.startswith("Network foundation"):
            checks = _network(arch, after, after_idx)
        elif name.startswith("Data stores"):
            checks = [c for c in (_store_check(d, after_idx) for d in arch.datastores) if c is not None]
        elif name.startswith("Services"):
            names = [arn_to_name.get(str(r), str(r)) for r in w.get("resources", [])]
            checks = [_service_check(by_name[n], after_idx, vpc_name) for n in names if n in by_name]
        elif name.startswith("Pipelines"):
            gone = arch.pipelines.replaces if arch.pipelines else []
            live = {r.name for r in after_idx.resources.get("pipelines", {}).values()}
            live |= {r.name for r in after_idx.resources.get("build_projects", {}).values()}
            checks = [(f"{p} retired", p not in live) for p in gone]
        elif name.startswith("Decommission"):
            old = [str(v) for v in w.get("resources", [])]
            live_vpcs = set(after.table("vpcs")["vpc_id"].map(text))
            checks = [(f"old VPC {before_idx.vpc_names.get(v) or v} deleted", v not in live_vpcs) for v in old]
            planned_nat = sum(len(v.nat_gateways) for v in arch.vpcs)
            summary = (f"VPCs {_workload_vpcs(after)} (plan {len(arch.vpcs)}, was {_workload_vpcs(before)}); "
                       f"NAT gateways {after_idx.counts.get('nat_gateways', 0)} (plan {planned_nat}, was "
                       f"{before_idx.counts.get('nat_gateways', 0)}); load balancers "
                       f"{len(after_idx.resources.get('load_balancers', {}))} (plan {len(arch.load_balancers)}, was "
                       f"{len(before_idx.resources.get('load_balancers', {}))})")
        status = _status(checks) if checks else NOT_STARTED
        if not checks:
            summary = summary or "nothing this wave promised can be read in a snapshot"
        if not summary:
            summary = f"{sum(ok for _, ok in checks)} of {len(checks)} in place"
        out.append(WaveStatus(number, name, status, checks, summary))
    return out


def _workload_vpcs(snapshot: Snapshot) -> int:
    v = snapshot.table("vpcs")
    return int((~v["is_default"].fillna(False).astype(bool)).sum()) if len(v) else 0
