"""ECS on EC2 container instances: over-provisioned capacity (CMP-011), capacity provider scaling (CMP-012),
Graviton (CMP-013); EC2-launched services are never judged or sized as Fargate ones."""

from __future__ import annotations

from typing import Any

import pytest
from awsassess.collect import metrics as collect_metrics
from awsassess.demo.estate import ACCOUNTS
from awsassess.facts import facts_for
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.facts.capacity import graviton_type, is_graviton_type, runs_on_ec2
from awsassess.findings import REGISTRY, evaluate
from awsassess.model import assess, attach_savings
from demo_snapshots import demo_snapshot
from snapshots_factory import SnapshotBuilder

NEW_RULES = ["CMP-011", "CMP-012", "CMP-013"]
XL = (4096, 15_576)  # what an m5.xlarge / m7g.xlarge registers: 4 vCPU, 16 GiB less the OS and agent


def run(b: SnapshotBuilder, rule: str, **overrides: Any) -> list:
    return evaluate(b.build(), overrides or None, rules=[rule])


def ec2_cluster(b: SnapshotBuilder, name: str = "apps", *, itype: str = "m5.xlarge", arch: str = "x86_64",
                reserved: list[tuple[int, int]] | None = None, registered: tuple[int, int] = XL,
                provider: tuple[bool, int | None] | None = (True, 90), status: list[str] | None = None,
                services: tuple[str, ...] = ("api",), id_prefix: str = "i-0") -> str:
    """A cluster of container instances (one per ``reserved`` (CPU units, MiB)) behind one ASG provider
    (managed scaling, target %) or none, with services placed by the provider's strategy."""
    reserved = reserved if reserved is not None else [(1024, 3072)] * 3
    arn = f"arn:aws:ecs:{b.region}:{b.account_id}:cluster/{name}"
    cp = f"{name}-cp"
    b.add("ecs_clusters", cluster_arn=arn, cluster_name=name, status="ACTIVE",
          capacity_providers=[cp] if provider else [],
          default_strategy=[{"capacityProvider": cp, "weight": 1, "base": 0}] if provider else [],
          active_services=len(services), running_tasks=sum(3 for _ in services), container_instances=len(reserved))
    for k, (cpu, mem) in enumerate(reserved):
        iid = f"{id_prefix}{name}{k}"
        b.add("ec2_instances", instance_id=iid, instance_type=itype, state="running", vpc_id="vpc-1",
              subnet_id=f"subnet-{k % 2}", az=f"us-east-1{'ab'[k % 2]}", architecture=arch, name=f"{name}-ecs",
              asg_name=f"{name}-asg" if provider else "")
        b.add("container_instances", container_instance_arn=f"arn:aws:ecs:::container-instance/{name}/{k}",
              cluster=name, ec2_instance_id=iid, instance_type=itype,
              status=(status[k] if status else "ACTIVE"),
              registered_cpu=registered[0], registered_memory=registered[1],
              remaining_cpu=registered[0] - cpu, remaining_memory=registered[1] - mem, running_tasks=cpu // 512)
    if provider:
        managed, target = provider
        b.add("capacity_providers", name=cp, cluster=name, type="ASG",
              asg_arn=f"arn:aws:autoscaling:{b.region}:{b.account_id}:autoScalingGroup:x:autoScalingGroupName/{name}-asg",
              managed_scaling=managed, target_capacity=target if managed else None)
    for s in services:
        b.fargate_service(s, cluster=name, launch_type="" if provider else "EC2",
                          capacity_providers=[cp] if provider else [], cpu=512, memory=1024, desired=3)
    return arn


def reservation_metrics(b: SnapshotBuilder, cluster: str, cpu_pct: float, mem_pct: float, hours: int = 14 * 24) -> None:
    for metric, v in (("CPUReservation", cpu_pct), ("MemoryReservation", mem_pct)):
        b.metric("AWS/ECS", metric, cluster, [v] * hours, dims={"ClusterName": cluster})


# ------------------------------------------------------------------------------------------------ CMP-011
def test_over_provisioned_cluster_is_reported_with_its_evidence():
    b = SnapshotBuilder()
    arn = ec2_cluster(b, reserved=[(1024, 3072), (1024, 3072), (512, 2048)])
    (f,) = run(b, "CMP-011")
    ev = f.evidence
    assert f.resource_ids == [arn, "i-0apps0", "i-0apps1", "i-0apps2"]
    assert ev["container_instances"] == 3 and ev["instance_types"] == {"m5.xlarge": 3}
    assert (ev["registered_cpu"], ev["reserved_cpu"]) == (3 * 4096, 2560)
    assert (ev["registered_memory_mib"], ev["reserved_memory_mib"]) == (3 * 15_576, 8192)
    assert ev["cpu_reserved_pct"] == pytest.approx(20.8, abs=0.05)
    assert ev["memory_reserved_pct"] == pytest.approx(17.5, abs=0.05)
    assert ev["reservation_basis"].startswith("registered - remaining at collection time")
    assert ev["running_tasks"] == 5 and ev["services"] == ["api"]
    assert ev["instances_the_reservations_fill"] == 1  # 21 % of 3 instances
    assert ev["threshold_pct"] == 50
    assert "m5.xlarge" in f.title and "21% of the CPU" in f.title
    assert "fewer, or a smaller type" in f.recommendation
    assert f.monthly_savings_usd is None  # the model prices it (attach_savings)


def test_well_packed_or_memory_bound_cluster_is_not_over_provisioned():
    packed = SnapshotBuilder()
    ec2_cluster(packed, reserved=[(3072, 12_000)] * 3)
    assert run(packed, "CMP-011") == []
    memory_bound = SnapshotBuilder()  # CPU reserved 25 %, memory 77 %: the instances are full on memory
    ec2_cluster(memory_bound, reserved=[(1024, 12_000)] * 3)
    assert run(memory_bound, "CMP-011") == []
    # the threshold is an assumption: at 20 % neither cluster of the positive test's shape is reported
    low = SnapshotBuilder()
    ec2_cluster(low, reserved=[(1024, 3072), (1024, 3072), (512, 2048)])
    assert run(low, "CMP-011", ec2_reserved_max_pct=15) == []


def test_reservation_metrics_decide_over_one_reading():
    # at collection (night) the tasks reserve 20 %, but the p95 of the hourly reservation is 80 %: not reported
    busy = SnapshotBuilder()
    ec2_cluster(busy, reserved=[(800, 3000)] * 3)
    reservation_metrics(busy, "apps", 80.0, 75.0)
    assert run(busy, "CMP-011") == []
    # a quiet cluster whose reservation stays at 30 % / 25 % all fortnight
    quiet = SnapshotBuilder()
    ec2_cluster(quiet, reserved=[(3072, 12_000)] * 3)
    reservation_metrics(quiet, "apps", 30.0, 25.0)
    (f,) = run(quiet, "CMP-011")
    assert (f.evidence["cpu_reserved_pct"], f.evidence["memory_reserved_pct"]) == (30.0, 25.0)
    assert f.evidence["cpu_reserved_now_pct"] == 75.0
    assert f.evidence["reservation_basis"].startswith("p95 of the hourly Average")
    # too few datapoints: the reading at collection time decides
    short = SnapshotBuilder()
    ec2_cluster(short, reserved=[(3072, 12_000)] * 3)
    reservation_metrics(short, "apps", 30.0, 25.0, hours=6)
    assert run(short, "CMP-011") == []


def test_only_active_instances_count():
    b = SnapshotBuilder()
    # two idle instances are draining; the one ACTIVE instance is well packed
    ec2_cluster(b, reserved=[(3500, 13_000), (0, 0), (0, 0)], status=["ACTIVE", "DRAINING", "DRAINING"])
    assert run(b, "CMP-011") == []
    cap = facts_for(b.build(), SharedAssumptions()).capacity[("us-east-1", "apps")]
    assert len(cap.instances) == 1 and cap.other_instances == 2


# ------------------------------------------------------------------------------------------------ CMP-012
@pytest.mark.parametrize(("provider", "label"), [
    ((False, None), "managed scaling off"),
    ((True, 100), "target capacity 100%, no headroom"),
    ((True, 50), "target capacity 50%, idle headroom"),
])
def test_capacity_provider_that_does_not_follow_the_tasks(provider, label):
    b = SnapshotBuilder(environment="staging")
    arn = ec2_cluster(b, reserved=[(3072, 12_000)] * 3, provider=provider)
    (f,) = run(b, "CMP-012")
    assert f.resource_ids == [arn, "apps-cp"]
    assert f.title == f"apps: apps-cp: {label}"
    (p,) = f.evidence["capacity_providers"]
    assert p["issue"] == label and p["why"] and p["auto_scaling_group"] == "apps-asg"
    assert f.severity == "low"


def test_unmanaged_capacity_is_medium_in_production_and_no_provider_is_reported():
    prod = SnapshotBuilder(environment="production")
    ec2_cluster(prod, reserved=[(3072, 12_000)] * 3, provider=(False, None))
    (f,) = run(prod, "CMP-012")
    assert f.severity == "medium" and "managed scaling" in f.recommendation
    bare = SnapshotBuilder()
    ec2_cluster(bare, reserved=[(3072, 12_000)] * 3, provider=None)
    (g,) = run(bare, "CMP-012")
    assert g.title == "apps: no capacity provider" and g.evidence["capacity_providers"][0]["name"] is None


def test_managed_scaling_at_a_headroom_target_is_not_reported():
    b = SnapshotBuilder()
    ec2_cluster(b, reserved=[(3072, 12_000)] * 3, provider=(True, 90))
    assert run(b, "CMP-012") == []
    # thresholds are assumptions: a stricter floor reports the same 90 %
    (f,) = run(b, "CMP-012", capacity_target_min_pct=95)
    assert "target capacity 90%, idle headroom" in f.title
    # a provider of an empty cluster no service uses places nothing: not reported
    empty = SnapshotBuilder()
    ec2_cluster(empty, reserved=[], provider=(False, None), services=())
    assert run(empty, "CMP-012") == []


# ------------------------------------------------------------------------------------------------ CMP-013
def test_graviton_types():
    assert graviton_type("m5.xlarge") == "m6g.xlarge"
    assert graviton_type("m6i.2xlarge") == "m6g.2xlarge"
    assert graviton_type("c5n.large") == "c6gn.large"
    assert graviton_type("r5d.4xlarge") == "r6gd.4xlarge"
    assert graviton_type("t3.medium") == "t4g.medium"
    for none in ("m6g.large", "c7gn.xlarge", "a1.large", "g4dn.xlarge", "p3.2xlarge", "z1d.large", "m5.24xlarge",
                 "not-a-type", ""):
        assert graviton_type(none) is None, none
    assert is_graviton_type("m7g.large") and is_graviton_type("im4gn.large") and not is_graviton_type("g4dn.xlarge")


def test_x86_container_instances_are_graviton_candidates():
    b = SnapshotBuilder()
    arn = ec2_cluster(b, reserved=[(3072, 12_000)] * 2)
    ec2_cluster(b, "batch", itype="c5n.large", reserved=[(1536, 3000)], registered=(2048, 3700), services=("jobs",))
    ec2_cluster(b, "gpu", itype="g4dn.xlarge", reserved=[(3072, 12_000)], services=("infer",))
    found = {f.evidence["cluster"]: f for f in run(b, "CMP-013")}
    assert set(found) == {"apps", "batch"}  # g4dn has no Graviton peer
    f = found["apps"]
    assert f.resource_ids == [arn, "i-0apps0", "i-0apps1"]
    assert f.evidence["moves"] == [{"instance_type": "m5.xlarge", "graviton_type": "m6g.xlarge", "instances": 2}]
    assert f.evidence["services_to_build_multi_arch"] == ["api"]
    assert "2 x m5.xlarge -> m6g.xlarge" in f.title
    assert found["batch"].evidence["moves"][0]["graviton_type"] == "c6gn.large"


def test_graviton_container_instances_are_not_candidates():
    b = SnapshotBuilder()
    ec2_cluster(b, itype="m7g.xlarge", arch="arm64", reserved=[(3072, 12_000)] * 2)
    assert run(b, "CMP-013") == []
    # the EC2 architecture decides over the type's name
    odd = SnapshotBuilder()
    ec2_cluster(odd, itype="m5.xlarge", arch="arm64", reserved=[(3072, 12_000)])
    assert run(odd, "CMP-013") == []


# ------------------------------------------------------------------------------------------------ together
def healthy(environment: str = "staging") -> SnapshotBuilder:
    """Well packed Graviton instances behind managed scaling at 90 %, a Spot capacity provider in staging, and
    services whose tasks are over-sized (which a Fargate rule would report) but run on EC2."""
    b = SnapshotBuilder(environment=environment)
    ec2_cluster(b, itype="m7g.xlarge", arch="arm64", reserved=[(3584, 13_000), (3072, 12_500), (3328, 12_000)],
                provider=(True, 90), services=("api", "worker"))
    reservation_metrics(b, "apps", 85.0, 80.0)
    b.ecs_utilisation("api", 10.0, 15.0, cluster="apps")
    b.ecs_utilisation("worker", 12.0, 20.0, cluster="apps")
    return b


def test_a_healthy_ec2_cluster_raises_none_of_the_capacity_rules():
    for env in ("staging", "production"):
        assert evaluate(healthy(env).build(), rules=NEW_RULES) == []


def test_ec2_services_are_never_judged_or_sized_as_fargate():
    snap = healthy().build()
    sizes = facts_for(snap, SharedAssumptions()).sizes
    assert not any(s.fargate for s in sizes.values())
    # CMP-001/002 (Fargate sizes), CMP-009 (Fargate ARM) and CMP-010 (Fargate Spot) say nothing about EC2 services
    assert evaluate(snap, rules=["CMP-001", "CMP-002", "CMP-009", "CMP-010"]) == []
    assert runs_on_ec2("", '["apps-cp"]') and runs_on_ec2("EC2", "[]")
    assert not runs_on_ec2("FARGATE", "[]") and not runs_on_ec2("", '["FARGATE_SPOT", "FARGATE"]')


def test_an_ec2_task_without_a_task_size_is_sized_by_its_containers():
    b = SnapshotBuilder()
    ec2_cluster(b, reserved=[(3072, 12_000)], services=())
    td = "arn:aws:ecs:us-east-1:123456789012:task-definition/legacy:3"
    b.add("task_definitions", task_definition_arn=td, family="legacy", revision=3, network_mode="bridge",
          requires_compatibilities=["EC2"], containers=[{"name": "app", "cpu": 256, "memory": 1024,
                                                          "memory_reservation": 512},
                                                         {"name": "sidecar", "cpu": 128, "memory": 256}])
    b.fargate_service("legacy", cluster="apps", launch_type="EC2", cpu=None, memory=None, task_definition=td)
    size = facts_for(b.build(), SharedAssumptions()).size("apps", "legacy")
    assert size is not None and not size.fargate
    assert (size.right.current_cpu, size.right.current_memory) == (384, 768)


def test_a_starved_ec2_task_is_not_given_a_fargate_size():
    def starved(launch: dict[str, Any]) -> list:
        b = SnapshotBuilder()
        b.fargate_service("wallet", cpu=384, memory=700, **launch)
        for k in range(3):
            start = b.at(days=1 + k)
            b.add("stopped_tasks", task_arn=f"arn:task/{k}", cluster="main", group="service:wallet",
                  started_at=start, stopped_at=b.at(days=1 + k, minutes=-3), stop_code="ServiceSchedulerInitiated",
                  stopped_reason="Task failed ELB health checks", health_status="UNHEALTHY")
        b.metric("AWS/ECS", "CPUUtilization", "wallet", lambda i: 100.0 if (14 * 24 - i) % 24 == 0 else 40.0,
                 stat="Maximum", dims={"ClusterName": "main", "ServiceName": "wallet"}, hours=14 * 24)
        return run(b, "CMP-006")

    (ec2,) = starved({"launch_type": "EC2"})
    assert ec2.evidence["launch"] == "EC2"
    assert (ec2.evidence["recommended_cpu"], ec2.evidence["recommended_memory"]) == (768, 700)  # not Fargate's 1024/2048
    assert "EC2 instances" in ec2.recommendation
    (fg,) = starved({})
    assert (fg.evidence["recommended_cpu"], fg.evidence["recommended_memory"]) == (1024, 2048)


def test_the_cluster_saving_is_the_models_compute_delta_of_its_region():
    """The model re-packs the region's right-sized services (here on Fargate, cheaper than its EC2 packing): the
    saving is today's instances minus that replacement, never today's whole instance bill."""
    b = SnapshotBuilder()
    ec2_cluster(b, reserved=[(1024, 3000)] * 8, provider=(False, None), services=())
    for s in ("api", "worker", "web"):
        b.fargate_service(s, cluster="apps", launch_type="EC2", cpu=1024, memory=2048, desired=12)
        b.ecs_utilisation(s, 60.0, 60.0, cluster="apps")
    snap = b.build()
    model = assess(snap)
    found = {f.rule_id: f for f in attach_savings(evaluate(snap, rules=NEW_RULES), model)}
    assert set(found) == set(NEW_RULES)
    cmp011 = found["CMP-011"]
    basis = cmp011.evidence["saving_basis"]
    assert basis["method"] == "region_items" and basis["priced"], basis
    lines = model.lines[model.lines["domain"] == "compute"]
    today = lines[lines["scenario"] == "current"]["monthly_usd"].sum()
    proposed = lines[lines["scenario"] == "proposed"]["monthly_usd"].sum()
    assert today == pytest.approx(8 * 730 * 0.192)  # 8 x m5.xlarge on demand, us-east-1
    assert 0 < proposed and cmp011.monthly_savings_usd == pytest.approx(today - proposed, abs=0.01)
    for rid in ("CMP-012", "CMP-013"):
        assert found[rid].monthly_savings_usd is None
        assert found[rid].evidence["saving_basis"]["method"] == "not_modelled"


def test_reservation_metrics_are_collected_for_clusters_with_container_instances_only():
    rows = {"ecs_clusters": [{"cluster_name": "apps", "container_instances": 3},
                             {"cluster_name": "fargate-only", "container_instances": 0},
                             {"cluster_name": "unknown", "container_instances": None}]}
    queries = collect_metrics.build_queries(rows, 3600)
    assert {(q.metric, q.stat, q.resource_id) for q in queries} == {
        (m, s, "apps") for m in ("CPUReservation", "MemoryReservation") for s in ("Average", "Maximum")}
    assert all(q.dimensions == {"ClusterName": "apps"} for q in queries)
    assert "ecs_clusters" in collect_metrics.NEEDS


def test_rules_are_registered_with_documented_thresholds_and_bases():
    for rid in NEW_RULES:
        spec = REGISTRY[rid]
        assert spec.domain == "compute" and spec.saving.description
    assert REGISTRY["CMP-011"].saving.method == "region_items"
    assert {"EC2 instance hours", "EC2 container instance hours"} <= set(REGISTRY["CMP-011"].saving.items)


@pytest.mark.parametrize("name", ["production", "staging"])
def test_the_fargate_demo_estate_raises_none_of_them(name: str):
    snap = demo_snapshot(name)
    assert evaluate(snap, rules=NEW_RULES) == []
    assert facts_for(snap, SharedAssumptions()).capacity == {}


def test_the_collected_demo_estate_raises_none_of_them(demo_snapshots):  # noqa: ANN001 - the estate's snapshots
    """Collected over HTTP from the simulated (Fargate-only) accounts: no container instance, no finding."""
    for spec in ACCOUNTS:
        snap = demo_snapshots[spec.name]
        assert len(snap.table("container_instances")) == 0
        assert evaluate(snap, rules=NEW_RULES) == []
