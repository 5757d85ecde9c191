"""Compute rules: sizing against the real Fargate table, scaling, rollout speed, failed tasks."""

from __future__ import annotations

import pytest
from awsassess import fargate
from awsassess.findings import evaluate
from snapshots_factory import SnapshotBuilder


def run(b: SnapshotBuilder, rule: str, **overrides):
    return evaluate(b.build(), overrides or None, rules=[rule])


# ----------------------------------------------------------------- Fargate table
def test_fargate_table_is_the_documented_one():
    sizes = set(fargate.FARGATE_SIZES)
    assert (256, 512) in sizes and (256, 2048) in sizes and (256, 4096) not in sizes
    assert (512, 1024) in sizes and (512, 4096) in sizes and (512, 5120) not in sizes
    assert (1024, 2048) in sizes and (1024, 1024) not in sizes and (1024, 8192) in sizes
    assert (2048, 16384) in sizes and (4096, 30720) in sizes and (4096, 31744) not in sizes
    assert (8192, 16384) in sizes and (8192, 20480) in sizes and (8192, 17408) not in sizes
    assert (16384, 122880) in sizes and (16384, 40960) in sizes
    assert len(sizes) == 3 + 4 + 7 + 13 + 23 + 12 + 12


@pytest.mark.parametrize(("need", "expected"), [
    ((100, 300), (256, 512)),
    ((256, 1500), (256, 2048)),
    ((300, 600), (512, 1024)),  # 256 CPU too small
    ((256, 3000), (512, 3072)),  # 256 CPU allows at most 2 GB
    ((1500, 3000), (2048, 4096)),
    ((5000, 9000), (8192, 16384)),
    ((20000, 1000), None),
])
def test_smallest_fitting(need, expected):
    assert fargate.smallest_fitting(*need) == expected


# ------------------------------------------------------------------ CMP-001/002
def test_overprovisioned_service_gets_smallest_valid_size():
    b = SnapshotBuilder()
    b.fargate_service("web", cpu=1024, memory=2048, desired=3)
    b.ecs_utilisation("web", 14.0, 28.0)
    (f,) = run(b, "CMP-001")
    # need 1024*0.14/0.7 = 205 units and 2048*0.28/0.7 = 820 MiB -> 0.25 vCPU / 1 GB
    assert (f.evidence["recommended_cpu"], f.evidence["recommended_memory"]) == (256, 1024)
    assert fargate.is_valid(f.evidence["recommended_cpu"], f.evidence["recommended_memory"])
    assert f.evidence["projected_cpu_p95_pct"] < 70 and f.evidence["projected_memory_p95_pct"] < 70
    assert f.monthly_savings_usd is None


def test_overprovisioned_uses_p95_not_the_mean():
    b = SnapshotBuilder()
    b.fargate_service("spiky", cpu=1024, memory=4096)
    cpu = [5.0] * 300 + [60.0] * 36  # p95 sits in the spikes
    b.ecs_utilisation("spiky", cpu, [20.0] * 336)
    (f,) = run(b, "CMP-001")
    assert f.evidence["cpu_p95_pct"] == 60.0
    assert f.evidence["recommended_cpu"] == 1024  # 1024*0.6/0.7 = 878 units -> keeps 1 vCPU
    assert f.evidence["recommended_memory"] == 2048  # 4096*0.2/0.7 = 1171 MiB; 1 vCPU needs >= 2 GB
    # the same service with 2 GB is already the smallest valid size for its CPU: nothing to report
    b2 = SnapshotBuilder()
    b2.fargate_service("spiky", cpu=1024, memory=2048)
    b2.ecs_utilisation("spiky", cpu, [20.0] * 336)
    assert run(b2, "CMP-001") == []


def test_well_sized_service_not_flagged():
    b = SnapshotBuilder()
    b.fargate_service("trading-engine", cpu=4096, memory=8192, desired=4)
    b.ecs_utilisation("trading-engine", 61.0, 66.0)
    assert run(b, "CMP-001") == []
    # too few datapoints: not judged
    b2 = SnapshotBuilder()
    b2.fargate_service("new", cpu=4096, memory=8192)
    b2.ecs_utilisation("new", 5.0, 5.0, hours=6)
    assert run(b2, "CMP-001") == []


def test_underprovisioned_service():
    b = SnapshotBuilder(environment="production")
    b.fargate_service("wallet", cpu=512, memory=1024)
    b.ecs_utilisation("wallet", 97.0, 58.0)
    (f,) = run(b, "CMP-002")
    assert f.severity == "high"
    assert f.evidence["recommended_cpu"] >= 512 * 0.97 / 0.7
    assert run(b, "CMP-001") == []
    ok = SnapshotBuilder()
    ok.fargate_service("web", cpu=512, memory=1024)
    ok.ecs_utilisation("web", 50.0, 50.0)
    assert run(ok, "CMP-002") == []


# ---------------------------------------------------------------------- CMP-003
def test_service_without_autoscaling():
    b = SnapshotBuilder()
    b.fargate_service("kyc", desired=2)
    b.fargate_service("web", desired=2)
    b.add("autoscaling_targets", resource_id="service/main/web", service_namespace="ecs", min_capacity=2,
          max_capacity=8, policy_count=1)
    (f,) = run(b, "CMP-003")
    assert f.evidence["service"] == "kyc" and f.severity == "medium"
    ok = SnapshotBuilder()
    ok.fargate_service("web")
    ok.add("autoscaling_targets", resource_id="service/main/web", service_namespace="ecs", policy_count=2)
    assert run(ok, "CMP-003") == []


# ---------------------------------------------------------------------- CMP-004
def tg(b: SnapshotBuilder, name: str, dereg: int, interval: int, threshold: int) -> str:
    arn = f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/1"
    b.add("target_groups", arn=arn, name=name, deregistration_delay_s=dereg, health_check_interval_s=interval,
          healthy_threshold=threshold)
    return arn


def test_rollout_speed_killers():
    b = SnapshotBuilder()
    arn = tg(b, "slow", 300, 30, 5)
    b.fargate_service("slow", target_group_arns=[arn], desired=4, min_healthy_percent=100, max_percent=125,
                      health_check_grace_s=300)
    (f,) = run(b, "CMP-004")
    ev = f.evidence
    assert ev["deregistration_delay_s"] == 300 and ev["time_to_healthy_s"] == 150
    assert ev["batches"] == 4 and ev["tasks_per_batch"] == 1
    assert len(ev["slowdowns"]) == 4
    assert ev["estimated_rollout_wait_s"] == 4 * (150 + 300 + 150)


def test_rollout_that_cannot_progress():
    b = SnapshotBuilder()
    b.fargate_service("stuck", desired=2, min_healthy_percent=100, max_percent=100)
    (f,) = run(b, "CMP-004")
    assert f.evidence["tasks_per_batch"] == 0


def test_fast_rollout_not_flagged():
    b = SnapshotBuilder()
    arn = tg(b, "fast", 30, 10, 2)
    b.fargate_service("fast", target_group_arns=[arn], desired=4, health_check_grace_s=30)
    assert run(b, "CMP-004") == []


# ------------------------------------------------------------------ CMP-005/006
def starved(b: SnapshotBuilder, peak: float, reason: str = "Task failed ELB health checks in (target-group x)"):
    b.fargate_service("wallet", cpu=512, memory=1024)
    for k in range(4):
        start = b.at(days=1 + k)
        b.add("stopped_tasks", task_arn=f"arn:task/{k}", cluster="main", group="service:wallet",
              started_at=start, stopped_at=b.at(days=1 + k, minutes=-3), stop_code="ServiceSchedulerInitiated",
              stopped_reason=reason, health_status="UNHEALTHY", container_exit_codes={"wallet": 137})
    dims = {"ClusterName": "main", "ServiceName": "wallet"}
    # hourly Maximum: 40% except the hour around each start
    hot = {24 * (1 + k) for k in range(4)}
    b.metric("AWS/ECS", "CPUUtilization", "wallet", lambda i: peak if (14 * 24 - i) in hot else 40.0,
             stat="Maximum", dims=dims, hours=14 * 24)


def test_task_too_small_to_bootstrap():
    b = SnapshotBuilder()
    starved(b, 100.0)
    (f,) = run(b, "CMP-006")
    assert f.evidence["tasks_with_cpu_peak"] == 4 and f.evidence["cpu_peak_max_pct"] == 100
    assert (f.evidence["recommended_cpu"], f.evidence["recommended_memory"]) == (1024, 2048)
    assert f.severity == "high"


def test_no_bootstrap_finding_without_cpu_peak_or_health_failures():
    b = SnapshotBuilder()
    starved(b, 70.0)
    assert run(b, "CMP-006") == []
    b2 = SnapshotBuilder()
    starved(b2, 100.0, reason="Scaling activity initiated by (deployment ecs-svc/1)")
    assert run(b2, "CMP-006") == []


def test_stopped_task_forensics():
    b = SnapshotBuilder()
    starved(b, 100.0)
    (f,) = run(b, "CMP-005")
    assert f.evidence["failed_tasks"] == 4 and f.evidence["by_kind"] == {"health_check": 4}
    assert f.evidence["exit_codes"] == {"wallet=137": 4}
    b2 = SnapshotBuilder()
    starved(b2, 100.0, reason="Scaling activity initiated by (deployment ecs-svc/1)")
    # exit code 137 still counts as a failure, normal scale-in with exit 0 does not
    (g,) = run(b2, "CMP-005")
    assert g.evidence["by_kind"] == {"non_zero_exit": 4}
    b3 = SnapshotBuilder()
    b3.fargate_service("web")
    for k in range(5):
        b3.add("stopped_tasks", task_arn=f"t{k}", cluster="main", group="service:web", stopped_at=b3.at(days=1),
               stopped_reason="Scaling activity initiated by (deployment ecs-svc/1)",
               container_exit_codes={"web": 0})
    assert run(b3, "CMP-005") == []


def test_old_stopped_tasks_outside_lookback_ignored():
    b = SnapshotBuilder()
    starved(b, 100.0)
    assert run(b, "CMP-005", history_lookback_days=1) == []


# ---------------------------------------------------------------- CMP-007..010
def test_circuit_breaker_rollbacks():
    b = SnapshotBuilder()
    arn = b.fargate_service("wallet")
    b.add("ecs_deployments", service_arn=arn, deployment_id="d1", status="ACTIVE", rollout_state="FAILED",
          rollout_state_reason="ECS deployment circuit breaker: tasks failed to start.", failed_tasks=6,
          created_at=b.at(days=2))
    b.add("ecs_deployments", service_arn=arn, deployment_id="d2", status="PRIMARY", rollout_state="COMPLETED",
          created_at=b.at(days=1))
    (f,) = run(b, "CMP-007")
    assert f.evidence["failed_deployments"] == 1 and f.evidence["failed_tasks"] == 6
    ok = SnapshotBuilder()
    arn = ok.fargate_service("web")
    ok.add("ecs_deployments", service_arn=arn, deployment_id="d2", rollout_state="COMPLETED", created_at=ok.at(days=1))
    assert run(ok, "CMP-007") == []


def test_no_circuit_breaker():
    b = SnapshotBuilder()
    b.fargate_service("a", circuit_breaker=False)
    b.fargate_service("b", circuit_breaker=True)
    b.fargate_service("c", circuit_breaker=False, deployment_controller="CODE_DEPLOY")
    (f,) = run(b, "CMP-008")
    assert f.evidence["services"] == ["a"]
    ok = SnapshotBuilder()
    ok.fargate_service("b")
    assert run(ok, "CMP-008") == []


def test_graviton_candidates():
    b = SnapshotBuilder()
    b.fargate_service("x86", cpu=1024, desired=2)
    b.fargate_service("arm", cpu_architecture="ARM64")
    b.fargate_service("ec2", launch_type="EC2")
    (f,) = run(b, "CMP-009")
    assert f.evidence["services"] == ["x86"] and f.evidence["running_vcpu"] == 2
    ok = SnapshotBuilder()
    ok.fargate_service("arm", cpu_architecture="ARM64")
    assert run(ok, "CMP-009") == []


def test_fargate_spot_outside_production_only():
    b = SnapshotBuilder(environment="staging")
    b.fargate_service("web")
    b.fargate_service("spot", launch_type="", capacity_providers=["FARGATE_SPOT", "FARGATE"])
    (f,) = run(b, "CMP-010")
    assert f.evidence["services"] == ["web"]
    prod = SnapshotBuilder(environment="production")
    prod.fargate_service("web")
    assert run(prod, "CMP-010") == []
