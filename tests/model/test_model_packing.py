"""Right-sizing and bin packing: properties (hypothesis) and worked examples."""

from __future__ import annotations

import pandas as pd
import pytest
from awsassess.fargate import FARGATE_SIZES, is_valid, rightsize, smallest_fitting
from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.packing import Capacity, TaskReq, ec2_options, pack
from awsassess.model.proposed import Proposer, compute_plan
from awsassess.pricing import PriceCatalog
from awsassess.pricing.specs import instance_specs
from awsassess.snapshot import Snapshot, empty_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

tasks_strategy = st.lists(
    st.builds(TaskReq, service=st.sampled_from(["a", "b", "c", "d"]), cpu=st.integers(128, 4096),
              memory=st.integers(256, 16384), awsvpc=st.booleans()),
    min_size=0, max_size=40)


@settings(max_examples=150, deadline=None)
@given(tasks=tasks_strategy, itype=st.sampled_from(sorted(instance_specs())), target=st.floats(0.5, 1.0),
       trunking=st.booleans())
def test_packing_places_every_task_once_and_never_overfills(tasks, itype, target, trunking) -> None:  # type: ignore[no-untyped-def]
    cap = Capacity.of(instance_specs()[itype], target, 5.0, 256, trunking)
    bins = pack(tasks, cap)
    if bins is None:  # only when some task cannot fit an empty instance
        assert any(t.cpu > cap.cpu or t.memory > cap.memory or (t.awsvpc and cap.max_tasks < 1) for t in tasks)
        return
    placed = [t for b in bins for t in b.tasks]
    assert sorted(placed, key=repr) == sorted(tasks, key=repr)
    for b in bins:
        assert b.tasks
        assert sum(t.cpu for t in b.tasks) <= cap.cpu + 1e-6
        assert sum(t.memory for t in b.tasks) <= cap.memory + 1e-6
        assert sum(t.awsvpc for t in b.tasks) <= cap.max_tasks


@settings(max_examples=60, deadline=None)
@given(tasks=tasks_strategy, spare=st.integers(0, 2), azs=st.integers(1, 3))
def test_instances_cover_the_packing_plus_spare_and_azs(tasks, spare, azs) -> None:  # type: ignore[no-untyped-def]
    specs = list(instance_specs().values())
    prices = {s.instance_type: 0.1 * s.vcpu for s in specs}
    for o in ec2_options(tasks, specs, prices, utilisation_target=0.8, os_overhead_pct=5, reserved_mib=256,
                         trunking=True, spare=spare, min_azs=azs, hours=730, root_volume_month=2.4):
        assert o.instances == (max(o.packed + spare, azs) if tasks else 0)
        assert o.monthly_usd == pytest.approx(o.instances * (o.price_hour * 730 + 2.4))


def _snapshot_with_services(services: list[tuple[str, int, int, int]]) -> tuple[Proposer, list]:  # type: ignore[type-arg]
    rows = [{"account_id": "1", "region": "us-east-1", "service_arn": f"arn:svc/{n}", "service_name": n,
             "cluster": "c", "launch_type": "FARGATE", "desired_count": d, "running_count": d, "cpu": cpu,
             "memory": mem} for n, cpu, mem, d in services]
    snap = Snapshot(manifest={"account_id": "1", "environment": "production"},
                    tables={"ecs_services": empty_frame("ecs_services", rows)})
    c = Proposer(snap, ModelAssumptions(), PriceCatalog.package())
    tasks = [(r, rightsize(r["service_name"], r["cpu"], r["memory"], None, None, 70, 80))
             for r in [pd.Series(x) for x in rows]]
    return c, tasks


service_strategy = st.lists(st.tuples(st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
                                      st.sampled_from([256, 512, 1024, 2048, 4096]),
                                      st.sampled_from([512, 1024, 2048, 4096, 8192, 16384]),
                                      st.integers(1, 12)), min_size=1, max_size=5, unique_by=lambda t: t[0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(services=service_strategy, target=st.sampled_from([0.6, 0.8, 0.95]))
def test_ec2_is_chosen_only_when_cheaper_than_fargate(services, target) -> None:  # type: ignore[no-untyped-def]
    c, tasks = _snapshot_with_services(services)
    plan = compute_plan(c, "us-east-1", tasks, utilisation_target=target)
    assert plan.fargate, "Fargate is priced in us-east-1"
    cheapest_fargate = min(plan.fargate.values())
    launch, arch = plan.chosen.split(":")
    if launch == "EC2":
        assert plan.ec2[arch].monthly_usd < cheapest_fargate
    else:
        assert all(o.monthly_usd >= cheapest_fargate for o in plan.ec2.values())
        assert plan.fargate[arch] == cheapest_fargate


def test_ec2_wins_when_the_packing_is_tight() -> None:
    # 40 x 2 vCPU / 8 GB x86 tasks, packed to 100% with no spare: 10 x m6i.2xlarge beat Fargate x86
    c, tasks = _snapshot_with_services([("big", 2048, 8192, 40)])
    c.assumptions = ModelAssumptions(allow_graviton=False, utilisation_target=1.0, spare_instances=0,
                                     os_memory_overhead_pct=0, ecs_reserved_memory_mib=0, min_azs=2)
    plan = compute_plan(c, "us-east-1", tasks)
    assert plan.chosen == "EC2:x86_64", plan.options
    best = plan.ec2["x86_64"]
    assert best.monthly_usd < plan.fargate["x86_64"]
    assert best.instances * 730 * 0.384 <= best.monthly_usd  # instances + root volumes
    # the default headroom (90% target, N+1, OS memory) eats the ~18% EC2 discount: Fargate is kept
    c.assumptions = ModelAssumptions(allow_graviton=False)
    assert compute_plan(c, "us-east-1", tasks).chosen == "FARGATE:x86_64"


def test_fargate_sizes_and_rightsizing_examples() -> None:
    assert len(FARGATE_SIZES) == len(set(FARGATE_SIZES)) and is_valid(4096, 30720) and not is_valid(256, 4096)
    assert smallest_fitting(300, 600) == (512, 1024)
    # the healthy trading engine (61% / 66% at p95) keeps its size
    te = rightsize("trading-engine", 4096, 8192, 61.0, 66.0, 70, 80)
    assert (te.fargate_cpu, te.fargate_memory) == (4096, 8192) and not te.changed
    # the CPU-starved wallet (97% p95 of 0.5 vCPU) is sized up, not down
    w = rightsize("wallet", 512, 1024, 97.0, 58.0, 70, 80)
    assert w.fargate_cpu == 1024 and "starved" in w.reason
    # an idle web tier shrinks: 14% of 1 vCPU -> 0.25 vCPU; 28% of 2 GB -> 1 GB
    web = rightsize("web", 1024, 2048, 14.0, 28.0, 70, 80)
    assert (web.fargate_cpu, web.fargate_memory) == (256, 1024)
    assert (web.ec2_cpu, web.ec2_memory) == (256, 768)  # 205 -> 256 units, 717 -> 768 MiB (128 steps)
    keep = rightsize("x", 1024, 2048, None, None, 70, 80)
    assert (keep.fargate_cpu, keep.fargate_memory) == (1024, 2048) and "no utilisation" in keep.reason


def test_pack_places_every_task_exactly_where_plain_first_fit_does() -> None:
    """pack() skips bins a task's shape already failed to fit; the placement must stay first-fit's."""
    import random

    from awsassess.model.packing import Bin, Capacity, TaskReq, pack

    def first_fit(tasks: list[TaskReq], cap: Capacity) -> list[list[TaskReq]]:
        order = sorted(tasks, key=lambda t: (max(t.cpu / cap.cpu, t.memory / cap.memory), t.cpu, t.memory,
                                             t.service), reverse=True)
        bins: list[Bin] = []
        for t in order:
            for b in bins:
                if b.fits(t, cap):
                    b.add(t)
                    break
            else:
                bins.append(Bin())
                bins[-1].add(t)
        return [b.tasks for b in bins]

    rng = random.Random(7)
    for _ in range(40):
        cap = Capacity("m", rng.choice([2048, 4096, 8192]), rng.choice([4096, 16384, 32768]), rng.choice([3, 9, 120]))
        shapes = [(rng.choice([256, 512, 1024, 2048]), rng.choice([512, 1024, 2048, 4096]), rng.random() < 0.8)
                  for _ in range(rng.randint(1, 5))]
        tasks = [TaskReq(f"s{i % 3}", *rng.choice(shapes)) for i in range(rng.randint(1, 300))]
        got = pack(tasks, cap)
        assert got is not None
        assert [b.tasks for b in got] == first_fit(tasks, cap)
