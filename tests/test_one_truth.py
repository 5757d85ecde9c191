"""One truth per fact: a service's right size reads the same in the finding, the cost model and the
proposed diagram, and a service's VPC the same in the current diagram and the migration plan.

The demo's production report once said "notifications: 0.25 vCPU / 1 GB is enough" (CMP-001, sized by the
rules at 70 % CPU / 70 % memory) while its diagram and cost model said 0.25 vCPU / 512 MB (the model's
70 % / 80 %). All three now read :mod:`awsassess.facts`; this test holds them to it on the demo estate
and on generated estates where the memory target decides the size.
"""

from __future__ import annotations

import pytest
from awsassess.architecture._cells import gib, vcpu
from awsassess.architecture.build_current import current_graph
from awsassess.architecture.build_proposed import proposed_graph
from awsassess.facts import facts_for
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.facts.placement import service_vpcs
from awsassess.findings import evaluate
from awsassess.model import assess
from demo_snapshots import demo_snapshot
from hypothesis import given, settings
from hypothesis import strategies as st
from snapshots_factory import SnapshotBuilder

MODEL = {"allow_missing_prices": True}


def _sizes_agree(snap) -> int:  # noqa: ANN001
    """Every CMP-001 size == the model's ProposedService size == the diagram's label; returns how many."""
    findings = [f for f in evaluate(snap) if f.rule_id == "CMP-001"]
    model = assess(snap, MODEL)
    proposed = {p.name: p for p in model.proposed.services}
    graph = proposed_graph(snap, model.proposed)
    labels = {n.label: " ".join(str(d) for d in n.details) for n in graph.nodes.values() if n.kind == "ecs_service"}
    facts = facts_for(snap, SharedAssumptions())
    for f in findings:
        name = f.evidence["service"]
        size = (f.evidence["recommended_cpu"], f.evidence["recommended_memory"])
        assert (proposed[name].cpu, proposed[name].memory) == size, name
        assert f"{vcpu(size[0])} · {gib(size[1])} per task" in labels[name], (name, labels[name])
        fact = next(s for s in facts.sizes.values() if s.service == name)
        assert (fact.right.fargate_cpu, fact.right.fargate_memory) == size
    return len(findings)


@pytest.mark.parametrize("name", ["production", "staging"])
def test_demo_finding_model_and_diagram_size_a_service_alike(name: str) -> None:
    assert _sizes_agree(demo_snapshot(name)) >= 2


@settings(max_examples=8, deadline=None, derandomize=True)
@given(services=st.lists(st.tuples(st.sampled_from([(256, 1024), (512, 2048), (1024, 2048), (1024, 4096), (2048, 8192)]),
                                   st.floats(2, 60), st.floats(5, 78), st.integers(1, 4)),
                         min_size=1, max_size=4))
def test_generated_estates_size_a_service_alike(services) -> None:  # noqa: ANN001
    b = SnapshotBuilder(environment="production")
    for i, ((cpu, memory), cpu_p, mem_p, desired) in enumerate(services):
        b.fargate_service(f"svc{i}", cpu=cpu, memory=memory, desired=desired)
        b.ecs_utilisation(f"svc{i}", cpu_p, mem_p)
    _sizes_agree(b.build())


def test_a_generated_memory_bound_service_is_found_and_sized_alike() -> None:
    """Not vacuous: an over-provisioned, memory-bound service on a generated estate raises CMP-001, and the
    finding, model, diagram and facts agree on it (the case where 70 % and 80 % memory targets differ)."""
    b = SnapshotBuilder(environment="production")
    b.fargate_service("ledger", cpu=1024, memory=8192, desired=2)
    b.ecs_utilisation("ledger", 5, 30)
    assert _sizes_agree(b.build()) == 1


def test_the_demo_memory_bound_service_is_sized_at_the_memory_target() -> None:
    """notifications in production: the case the issue was filed on (0.25 vCPU / 512 MB everywhere)."""
    snap = demo_snapshot("production")
    (f,) = [f for f in evaluate(snap) if f.rule_id == "CMP-001" and f.evidence["service"] == "notifications"]
    assert (f.evidence["recommended_cpu"], f.evidence["recommended_memory"]) == (256, 512)
    assert f.evidence["memory_target_pct"] == 80 and f.evidence["cpu_target_pct"] == 70


@pytest.mark.parametrize("name", ["production", "staging"])
def test_a_service_is_in_the_same_vpc_in_the_diagram_and_the_plan(name: str) -> None:
    snap = demo_snapshot(name)
    plan = service_vpcs(snap)
    graph = current_graph(snap)
    drawn = {n.label: n.attrs.get("vpc_id") for n in graph.nodes.values() if n.kind == "ecs_service"}
    assert plan and all(drawn[svc] == vpc for svc, vpc in plan.items() if svc in drawn)
    assert set(plan) <= set(drawn)


def _class_disagreements(snap) -> list[str]:  # noqa: ANN001
    """Data-store findings whose suggested class (or DocumentDB instance count) differs from what the model
    prices for that store; a cluster finding is compared with each instance the model keeps."""
    model = assess(snap, MODEL)
    priced = {d.id: d for d in model.proposed.datastores}
    members: dict[str, list[str]] = {}
    for r in snap.table("db_instances").itertuples():
        if r.cluster_id:
            members.setdefault(r.cluster_id, []).append(r.db_instance_id)
    out = []
    for f in evaluate(snap):
        suggested = f.evidence.get("suggested_class") or f.evidence.get("suggested_node_type")
        if f.domain != "datastores":
            continue
        for rid in f.resource_ids:
            stores = [priced[rid]] if rid in priced else [priced[m] for m in members.get(rid, []) if m in priced]
            kept = [d for d in stores if d.nodes]
            if suggested:
                out += [f"{f.rule_id} {rid}: finding {suggested}, model {d.proposed_class} for {d.id}"
                        for d in kept if d.proposed_class != suggested]
            if "suggested_instances" in f.evidence and stores and f.evidence["suggested_instances"] != len(kept):
                out.append(f"{f.rule_id} {rid}: finding {f.evidence['suggested_instances']} instances, "
                           f"model {len(kept)}")
    return out


def _checked(snap) -> int:  # noqa: ANN001
    """How many data-store findings state a class or an instance count (so a test cannot pass vacuously)."""
    return sum(1 for f in evaluate(snap) if f.domain == "datastores" and (
        f.evidence.get("suggested_class") or f.evidence.get("suggested_node_type")
        or "suggested_instances" in f.evidence))


@pytest.mark.parametrize("name", ["production", "staging"])
def test_a_data_store_finding_suggests_the_class_the_model_prices(name: str) -> None:
    snap = demo_snapshot(name)
    assert _checked(snap) >= 2
    assert _class_disagreements(snap) == []


def _db(b: SnapshotBuilder, name: str, cls: str, cpu: float, *, engine: str = "postgres", cluster: str = "") -> None:
    b.add("db_instances", db_instance_id=name, engine=engine, engine_version="16.4" if engine != "docdb" else "5.0.0",
          instance_class=cls, multi_az=False, storage_type="gp3" if engine != "docdb" else "", allocated_gb=100,
          publicly_accessible=False, status="available", cluster_id=cluster)
    ns = "AWS/DocDB" if engine == "docdb" else "AWS/RDS"
    dims = {"DBInstanceIdentifier": name}
    b.metric(ns, "CPUUtilization", name, [cpu] * 336, dims=dims)
    b.metric(ns, "DatabaseConnections", name, [40.0] * 336, stat="Maximum", dims=dims)


@pytest.mark.parametrize("environment", ["production", "staging"])
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2"])
def test_generated_data_stores_read_alike_in_any_region(environment: str, region: str) -> None:
    """Over-sized Intel databases, a low-CPU DocumentDB cluster of three and Intel caches, in three regions:
    each finding's class and instance count is the model's."""
    b = SnapshotBuilder(environment=environment, region=region)
    _db(b, "orders", "db.m5.2xlarge", 6)
    _db(b, "ledger", "db.r5.xlarge", 60)
    _db(b, "reports", "db.t3.large", 3, engine="mysql")
    ids = ["docs-1", "docs-2", "docs-3"]
    b.add("db_clusters", cluster_id="docs", engine="docdb", engine_version="5.0.0", members=3, instance_ids=ids)
    for i in ids:
        _db(b, i, "db.r5.xlarge", 8, engine="docdb", cluster="docs")
    b.add("replication_groups", id="sessions", engine="redis", node_type="cache.m5.large", nodes=2)
    for n in ("sessions-001", "sessions-002"):
        b.add("cache_clusters", id=n, engine="redis", node_type="cache.m5.large", replication_group_id="sessions")
    snap = b.build()
    assert _checked(snap) >= 5
    assert _class_disagreements(snap) == []
