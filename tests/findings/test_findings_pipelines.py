"""Pipeline rules: durations with the stage breakdown, caching, compute type, blue/green waits."""

from __future__ import annotations

from datetime import timedelta

from awsassess.findings import evaluate
from awsassess.findings.pipelines import pipeline_durations
from awsassess.findings.thresholds import FindingsAssumptions
from snapshots_factory import SnapshotBuilder


def run(b: SnapshotBuilder, rule: str, **overrides):
    return evaluate(b.build(), overrides or None, rules=[rule])


STAGES = [{"name": "Source", "actions": [{"name": "Source", "category": "Source", "provider": "CodeStarSourceConnection", "run_order": 1}]},
          {"name": "Build", "actions": [{"name": "Build", "category": "Build", "provider": "CodeBuild", "run_order": 1}]},
          {"name": "Deploy", "actions": [{"name": "Deploy", "category": "Deploy", "provider": "CodeDeployToECS", "run_order": 1}]}]


def pipeline(b: SnapshotBuilder, name: str, stage_s: dict[str, int], runs: int = 5, status: str = "Succeeded"):
    b.add("pipelines", name=name, pipeline_type="V1", stages=STAGES, stage_count=3)
    for k in range(runs):
        t = b.at(days=1 + k)
        start = t
        for stage, secs in stage_s.items():
            b.add("pipeline_action_executions", pipeline=name, execution_id=f"{name}-{k}", stage=stage, action=stage,
                  category=stage if stage != "Deploy" else "Deploy", status="Succeeded", start=t,
                  end=t + timedelta(seconds=secs + 10 * k), duration_s=secs + 10 * k)
            t += timedelta(seconds=secs + 10 * k)
        b.add("pipeline_executions", pipeline=name, execution_id=f"{name}-{k}", status=status, start=start, end=t,
              duration_s=(t - start).total_seconds())


def test_durations_p50_p90_and_dominant_stage():
    b = SnapshotBuilder()
    pipeline(b, "api", {"Source": 45, "Build": 1600, "Deploy": 4300})
    d = pipeline_durations(b.build(), FindingsAssumptions()).iloc[0]
    assert d["executions"] == 5
    assert d["dominant_stage"] == "Deploy"
    assert list(d["stages"]) == ["Source", "Build", "Deploy"]  # in execution order
    assert d["stages"]["Deploy"] == 4300 + 20  # median of 4300 + 10k
    assert d["p90_min"] >= d["p50_min"]


def test_slow_pipeline_names_the_dominant_stage():
    b = SnapshotBuilder()
    pipeline(b, "api", {"Source": 45, "Build": 1600, "Deploy": 4300})
    (f,) = run(b, "PIP-001")
    assert f.severity == "high"  # ~99 min median
    assert f.evidence["dominant_stage"] == "Deploy"
    assert 70 < f.evidence["dominant_share_pct"] < 75
    assert set(f.evidence["stage_p50_min"]) == {"Source", "Build", "Deploy"}


def test_fast_or_failed_pipelines_not_reported():
    b = SnapshotBuilder()
    pipeline(b, "quick", {"Source": 30, "Build": 300, "Deploy": 300})
    pipeline(b, "broken", {"Source": 30, "Build": 3000, "Deploy": 3000}, status="Failed")
    assert run(b, "PIP-001") == []
    few = SnapshotBuilder()
    pipeline(few, "rare", {"Source": 45, "Build": 3000, "Deploy": 3000}, runs=2)
    assert run(few, "PIP-001") == []


def build_project(b: SnapshotBuilder, name: str, *, compute="BUILD_GENERAL1_MEDIUM", docker=True, modes=(),
                  layer=False, build_s=1020, total_s=1500, n=5):
    b.add("build_projects", name=name, compute_type=compute, docker_build=docker, privileged_mode=docker,
          cache_type="LOCAL" if modes else "NO_CACHE", cache_modes=list(modes), buildspec_layer_cache=layer)
    for k in range(n):
        b.add("builds", project=name, build_id=f"{name}:{k}", status="SUCCEEDED", start=b.at(days=k + 1),
              end=b.at(days=k + 1) + timedelta(seconds=total_s), duration_s=total_s,
              phases={"PROVISIONING": 95, "BUILD": build_s, "POST_BUILD": 210})


def test_docker_build_without_cache():
    b = SnapshotBuilder()
    build_project(b, "api-build")
    build_project(b, "cached", modes=["LOCAL_DOCKER_LAYER_CACHE"])
    build_project(b, "buildx", layer=True)
    build_project(b, "lib", docker=False)
    (f,) = run(b, "PIP-002")
    assert f.resource_ids == ["api-build"]
    assert f.evidence["phase_p50_s"]["BUILD"] == 1020


def test_compute_type_mismatch_both_ways():
    b = SnapshotBuilder()
    build_project(b, "big-quick", compute="BUILD_GENERAL1_LARGE", docker=False, build_s=60, total_s=120)
    build_project(b, "small-slow", compute="BUILD_GENERAL1_SMALL", build_s=1200, total_s=1500)
    build_project(b, "right", compute="BUILD_GENERAL1_MEDIUM")
    found = {f.resource_ids[0]: f.evidence["verdict"] for f in run(b, "PIP-003")}
    assert found == {"big-quick": "oversized", "small-slow": "undersized"}


def test_blue_green_wait():
    b = SnapshotBuilder()
    b.add("deployment_groups", application="AppECS-api", group="DgpECS-api", compute_platform="ECS",
          deployment_type="BLUE_GREEN", termination_wait_min=60)
    b.add("deployment_groups", application="AppECS-web", group="DgpECS-web", compute_platform="ECS",
          deployment_type="BLUE_GREEN", termination_wait_min=5)
    for k in range(4):
        b.add("deployments", deployment_id=f"d-{k}", application="AppECS-api", group="DgpECS-api",
              status="Succeeded", start=b.at(days=k + 1), duration_s=4320)
    (f,) = run(b, "PIP-004")
    assert f.resource_ids == ["AppECS-api/DgpECS-api"]
    assert f.evidence["termination_wait_min"] == 60
    assert f.evidence["wait_share_of_deployment_pct"] == round(100 * 3600 / 4320, 1)
    assert f.severity == "high"


def test_sequential_test_actions():
    b = SnapshotBuilder()
    stages = [{"name": "Source", "actions": [{"name": "S", "category": "Source", "run_order": 1}]},
              {"name": "Test", "actions": [{"name": "unit", "category": "Test", "run_order": 1},
                                           {"name": "lint", "category": "Test", "run_order": 2},
                                           {"name": "sec", "category": "Test", "run_order": 3}]}]
    b.add("pipelines", name="p", stages=stages)
    (f,) = run(b, "PIP-005")
    assert "3 actions" in f.evidence["candidates"][0]
    ok = SnapshotBuilder()
    ok.add("pipelines", name="p", stages=STAGES)
    assert run(ok, "PIP-005") == []


def test_pipeline_type_note():
    b = SnapshotBuilder()
    pipeline(b, "api", {"Source": 60, "Build": 600, "Deploy": 600})
    (f,) = run(b, "PIP-006")
    assert f.severity == "info" and f.evidence["v1"] == ["api"] and f.evidence["v1_active"] == ["api"]
    assert f.evidence["estimated_v2_action_minutes_per_month"] > 0
    assert run(SnapshotBuilder(), "PIP-006") == []


def test_github_workflow_without_cache():
    b = SnapshotBuilder()
    b.add("github_workflows", region="global", path=".github/workflows/deploy.yml", name="deploy",
          docker_build=True, build_cache=False, deploys_to_ecs=True, uses=["actions/checkout@v4"])
    b.add("github_workflows", region="global", path=".github/workflows/ok.yml", name="ok", docker_build=True,
          build_cache=True)
    b.add("github_workflows", region="global", path=".github/workflows/lint.yml", name="lint", docker_build=False)
    (f,) = run(b, "PIP-007")
    assert f.resource_ids == [".github/workflows/deploy.yml"]


def test_dormant_build_projects():
    b = SnapshotBuilder()
    build_project(b, "busy")
    b.add("build_projects", name="old", compute_type="BUILD_GENERAL1_SMALL")
    (f,) = run(b, "PIP-008")
    assert f.resource_ids == ["old"]
    ok = SnapshotBuilder()
    build_project(ok, "busy")
    assert run(ok, "PIP-008") == []
