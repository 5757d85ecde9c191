"""Pipeline rules: durations and where the time goes, build caching and sizing, blue/green waits."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.pipelines import OK, build_stats, durations, recent
from awsassess.findings.base import (
    Finding,
    json_list,
    minutes,
    num,
    rule,
    spec,
    text,
    truthy,
)
from awsassess.findings.saving import Basis, not_cost, not_modelled
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot


def _stage_actions(pipeline_row: Any) -> list[dict[str, Any]]:
    out = []
    for stage in json_list(pipeline_row.stages):
        if not isinstance(stage, dict):
            continue
        for act in stage.get("actions") or []:
            if isinstance(act, dict):
                out.append({"stage": stage.get("name", ""), **act})
    return out


def pipeline_durations(snapshot: Snapshot, a: FindingsAssumptions) -> pd.DataFrame:
    """Per pipeline: executions, p50/p90 minutes, median seconds per stage and the dominant stage."""
    ex = recent(snapshot.table("pipeline_executions"), "start", snapshot, a.history_lookback_days)
    ex = ex[ex["status"].map(text).isin(OK)] if len(ex) else ex
    acts = recent(snapshot.table("pipeline_action_executions"), "start", snapshot, a.history_lookback_days)
    rows = []
    if not len(ex):
        return pd.DataFrame(columns=["region", "pipeline", "executions", "p50_min", "p90_min", "stages",
                                     "dominant_stage", "dominant_share_pct"])
    ex = ex.assign(d=durations(ex))
    if len(acts):
        acts = acts.assign(d=durations(acts))
    for (region, name), g in ex.groupby(["region", "pipeline"]):
        d = g["d"].dropna()
        if not len(d):
            continue
        stages: dict[str, float] = {}
        if len(acts):
            a_ = acts[(acts["pipeline"] == name) & acts["execution_id"].isin(g["execution_id"])]
            if len(a_):
                # stage time per execution = first action start -> last action end in that stage
                per_exec = a_.assign(s=ms.to_utc(a_["start"]), e=ms.to_utc(a_["end"])) \
                    .groupby(["execution_id", "stage"]).agg(s=("s", "min"), e=("e", "max"))
                per_exec["d"] = (per_exec["e"] - per_exec["s"]).dt.total_seconds()
                med = per_exec.groupby(level="stage")["d"].median()
                order = a_.assign(s=ms.to_utc(a_["start"])).groupby("stage")["s"].min().sort_values()
                stages = {str(s): float(med[s]) for s in order.index if s in med}
        dominant = max(stages, key=lambda k: stages[k]) if stages else ""
        total = sum(stages.values())
        rows.append({"region": region, "pipeline": name, "executions": int(len(d)),
                     "p50_min": round(float(d.quantile(0.5)) / 60, 1), "p90_min": round(float(d.quantile(0.9)) / 60, 1),
                     "stages": stages, "dominant_stage": dominant,
                     "dominant_share_pct": round(100 * stages[dominant] / total, 1) if dominant and total else None})
    return pd.DataFrame(rows, columns=["region", "pipeline", "executions", "p50_min", "p90_min", "stages",
                                       "dominant_stage", "dominant_share_pct"])


@rule("PIP-001", title="Slow pipeline", domain="pipelines", severity="medium", effort="medium",
      rationale=("The time from merge to production decides how often a team ships and how fast it fixes "
                 "incidents. The median and p90 execution time with the stage breakdown show where it goes."),
      thresholds=("pipeline_slow_p50_min", "pipeline_very_slow_p50_min", "pipeline_min_executions",
                  "history_lookback_days"),
      tables=("pipelines", "pipeline_executions", "pipeline_action_executions", "builds", "deployments"),
      saving=not_cost("Pipeline duration."),
      pillar="operational excellence", best_practice="OPS05-BP10")
def slow_pipelines(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    dur = pipeline_durations(snapshot, a)
    out = []
    for r in dur.itertuples():
        if r.executions < a.pipeline_min_executions or r.p50_min < a.pipeline_slow_p50_min:
            continue
        stages_min = {k: minutes(v) for k, v in r.stages.items()}
        dom = f"; {r.dominant_stage} takes {r.dominant_share_pct:.0f}%" if r.dominant_stage else ""
        out.append(spec("PIP-001").finding(
            snapshot, region=r.region, resource_ids=[r.pipeline],
            severity="high" if r.p50_min >= a.pipeline_very_slow_p50_min else "medium",
            title=f"Pipeline {r.pipeline}: median {r.p50_min:.0f} min, p90 {r.p90_min:.0f} min{dom}",
            evidence={"executions": r.executions, "p50_min": r.p50_min, "p90_min": r.p90_min,
                      "stage_p50_min": stages_min, "dominant_stage": r.dominant_stage or None,
                      "dominant_share_pct": r.dominant_share_pct, "lookback_days": a.history_lookback_days},
            recommendation=("Attack the dominant stage first: see the blue/green wait, build cache and rollout "
                            "findings for the same service."),
        ))
    return out


@rule("PIP-002", title="Docker build without layer cache", domain="pipelines", severity="medium", effort="low",
      rationale=("Without a layer cache every build re-downloads base images and re-installs dependencies; "
                 "a LOCAL_DOCKER_LAYER_CACHE or a registry cache (--cache-from) typically cuts the BUILD phase "
                 "by half or more."),
      thresholds=("history_lookback_days",), tables=("build_projects", "builds"),
      saving=not_modelled("A layer cache shortens builds, but the build minutes it saves are not measured."),
      pillar="operational excellence", best_practice="OPS05-BP10")
def docker_no_cache(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    stats = build_stats(snapshot, a.history_lookback_days)
    out = []
    for r in snapshot.table("build_projects").itertuples():
        docker = truthy(r.docker_build) or (truthy(r.privileged_mode) and r.docker_build is None)
        if not docker:
            continue
        modes = {text(m) for m in json_list(r.cache_modes)}
        if "LOCAL_DOCKER_LAYER_CACHE" in modes or truthy(r.buildspec_layer_cache):
            continue
        st = stats.get(text(r.name), {})
        build_phase = st.get("phases_p50_s", {}).get("BUILD")
        out.append(spec("PIP-002").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.name)],
            title=f"{text(r.name)}: docker build without layer cache"
                  + (f" (BUILD phase median {build_phase / 60:.0f} min)" if build_phase else ""),
            evidence={"cache_type": text(r.cache_type) or "NO_CACHE", "cache_modes": sorted(modes),
                      "buildspec_layer_cache": truthy(r.buildspec_layer_cache),
                      "compute_type": text(r.compute_type), "builds": st.get("builds", 0),
                      "build_p50_min": minutes(st.get("p50_s")), "phase_p50_s": st.get("phases_p50_s", {})},
            recommendation=("Enable cache type LOCAL with LOCAL_DOCKER_LAYER_CACHE (and LOCAL_SOURCE_CACHE) on the "
                            "project, or build with BuildKit and --cache-from/--cache-to an ECR cache image so the "
                            "cache survives across build hosts."),
        ))
    return out


_SIZE_ORDER = ["SMALL", "MEDIUM", "LARGE", "XLARGE", "2XLARGE"]


def _size(compute_type: str) -> str:
    ct = compute_type.upper()
    for s in reversed(_SIZE_ORDER):
        if ct.endswith("_" + s) or ct.endswith(s):
            return s
    return ""


@rule("PIP-003", title="CodeBuild compute type mismatched to the build", domain="pipelines", severity="low",
      effort="low",
      rationale=("CodeBuild bills per build minute by compute type: a LARGE host for a 2-minute build pays "
                 "for idle cores; a SMALL host for a long docker build makes every deploy wait."),
      thresholds=("build_oversized_max_p50_min", "build_undersized_min_build_phase_min", "history_lookback_days"),
      tables=("build_projects", "builds"),
      saving=Basis("class_change", "An oversized CodeBuild project's build minutes re-priced at "
                   "BUILD_GENERAL1_MEDIUM, same minutes (a short build does not use the extra cores); an "
                   "undersized one is not priced (the minutes a larger host takes are unknown)."),
      pillar="cost optimization", best_practice="COST06-BP02")
def compute_mismatch(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    stats = build_stats(snapshot, a.history_lookback_days)
    out = []
    for r in snapshot.table("build_projects").itertuples():
        st = stats.get(text(r.name))
        if not st or st["p50_s"] is None:
            continue
        size = _size(text(r.compute_type))
        build_phase = st["phases_p50_s"].get("BUILD", st["p50_s"])
        if size in {"LARGE", "XLARGE", "2XLARGE"} and st["p50_s"] / 60 < a.build_oversized_max_p50_min:
            verdict, rec = "oversized", "Try BUILD_GENERAL1_MEDIUM (or SMALL) and compare build times."
        elif size == "SMALL" and truthy(r.docker_build) and build_phase / 60 >= a.build_undersized_min_build_phase_min:
            verdict, rec = "undersized", ("Try BUILD_GENERAL1_MEDIUM: docker builds are CPU- and memory-bound and "
                                          "a larger host often costs less per build because it finishes sooner.")
        else:
            continue
        out.append(spec("PIP-003").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.name)],
            title=f"{text(r.name)}: {text(r.compute_type)} looks {verdict} (median build {st['p50_s'] / 60:.1f} min)",
            evidence={"compute_type": text(r.compute_type), "verdict": verdict, "builds": st["builds"],
                      "build_p50_min": minutes(st["p50_s"]), "build_phase_p50_min": minutes(build_phase),
                      "docker_build": truthy(r.docker_build)},
            recommendation=rec,
        ))
    return out


@rule("PIP-004", title="Blue/green termination wait holds every deployment open", domain="pipelines",
      severity="high", effort="low",
      rationale=("A CodeDeploy ECS blue/green deployment only completes after the original task set is "
                 "terminated: a 60-minute termination wait adds an hour to every pipeline run (and runs both "
                 "task sets meanwhile). Rollback after traffic shift is available only during that wait, so a "
                 "few minutes plus alarms-based automatic rollback is usually enough."),
      thresholds=("blue_green_wait_max_min", "history_lookback_days"),
      tables=("deployment_groups", "deployments"),
      saving=not_cost("Deployment duration (the second task set during the wait is not modelled)."),
      pillar="operational excellence", best_practice="OPS06-BP03")
def blue_green_wait(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    g = snapshot.table("deployment_groups")
    g = g[g["deployment_type"].map(text).astype(str).str.upper() == "BLUE_GREEN"]
    deps = recent(snapshot.table("deployments"), "start", snapshot, a.history_lookback_days)
    if len(deps):
        deps = deps.assign(d=durations(deps))
    out = []
    for r in g.itertuples():
        wait = num(r.termination_wait_min)
        if wait is None or wait <= a.blue_green_wait_max_min:
            continue
        d = deps[(deps["application"] == r.application) & (deps["group"] == r.group)] if len(deps) else deps
        p50 = float(d["d"].median()) if len(d) and d["d"].notna().any() else None
        share = round(100 * wait * 60 / p50, 1) if p50 else None
        out.append(spec("PIP-004").finding(
            snapshot, region=text(r.region), resource_ids=[f"{text(r.application)}/{text(r.group)}"],
            title=f"{text(r.application)}/{text(r.group)}: {wait:.0f}-minute blue/green termination wait"
                  + (f" ({share:.0f}% of the median deployment)" if share else ""),
            evidence={"termination_wait_min": wait, "deployment_config": text(r.deployment_config),
                      "deployments": int(len(d)), "deployment_p50_min": minutes(p50),
                      "wait_share_of_deployment_pct": share,
                      "ecs_services": json_list(r.ecs_services)},
            recommendation=(f"Lower terminationWaitTimeInMinutes to {a.blue_green_wait_max_min} or less and rely on "
                            "CloudWatch-alarm automatic rollback during the traffic shift (or use a canary/linear "
                            "config); for services that do not need blue/green, an ECS rolling update with the "
                            "circuit breaker is faster still."),
        ))
    return out


@rule("PIP-005", title="Sequential steps that could run in parallel", domain="pipelines", severity="low",
      effort="low",
      rationale=("Test, build and approval actions that do not consume each other's output can share a run "
                 "order (or a stage) and run at the same time."),
      tables=("pipelines",),
      saving=not_cost("Pipeline duration."),
      pillar="operational excellence", best_practice="OPS05-BP10")
def sequential_stages(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    parallelisable = {"Test", "Build", "Invoke"}
    out = []
    for r in snapshot.table("pipelines").itertuples():
        actions = _stage_actions(r)
        by_stage: dict[str, list[dict]] = defaultdict(list)
        for act in actions:
            by_stage[act["stage"]].append(act)
        candidates: list[str] = []
        # (a) several independent actions in one stage at different run orders
        for stage, acts in by_stage.items():
            seq = [x for x in acts if x.get("category") in parallelisable]
            orders = {x.get("run_order", 1) for x in seq}
            if len(seq) >= 2 and len(orders) == len(seq):
                candidates.append(f"stage {stage}: {len(seq)} actions run one after another")
        # (b) consecutive stages that only test
        stages = [name for s in json_list(r.stages)
                  if isinstance(s, dict) and isinstance(name := s.get("name"), str)]
        run = [s for s in stages if by_stage[s] and all(x.get("category") == "Test" for x in by_stage[s])]
        if len(run) >= 2:
            candidates.append(f"stages {', '.join(run)} only run tests, one stage after another")
        if not candidates:
            continue
        out.append(spec("PIP-005").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.name)],
            title=f"Pipeline {text(r.name)}: {len(candidates)} group(s) of steps could run in parallel",
            evidence={"candidates": candidates, "stages": stages},
            recommendation="Give independent actions the same runOrder (or merge the test stages) so they run together.",
        ))
    return out


@rule("PIP-006", title="CodePipeline V1 vs V2 pricing", domain="pipelines", severity="info", effort="low",
      rationale=("V1 pipelines bill $1 per active pipeline-month; V2 bills per action-execution minute (100 "
                 "free minutes a month) and adds triggers, variables and parallel execution mode. Which is "
                 "cheaper depends on execution minutes, which the executions show."),
      thresholds=("history_lookback_days",), tables=("pipelines", "pipeline_executions", "pipeline_action_executions"),
      saving=not_cost("Information: V1/V2 pricing comparison."),
      pillar="cost optimization", best_practice="COST07-BP01")
def pipeline_type_cost(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    p = snapshot.table("pipelines")
    if not len(p):
        return []
    ex = recent(snapshot.table("pipeline_executions"), "start", snapshot, a.history_lookback_days)
    acts = recent(snapshot.table("pipeline_action_executions"), "start", snapshot, a.history_lookback_days)
    scale = 30.4 / a.history_lookback_days
    out = []
    for region, g in p.groupby("region"):
        names = set(g["name"].map(text))
        v1 = sorted(text(x) for x in g[g["pipeline_type"].map(text).astype(str).str.upper() != "V2"]["name"])
        active = sorted(set(ex[ex["pipeline"].isin(names)]["pipeline"].map(text))) if len(ex) else []
        action_min = None
        if len(acts):
            a_ = acts[acts["pipeline"].isin(names) & (acts["category"].map(text) != "Approval")]
            action_min = round(float(durations(a_).fillna(0).sum()) / 60 * scale, 0)
        out.append(spec("PIP-006").finding(
            snapshot, region=region, resource_ids=sorted(names),
            title=f"{len(names)} pipeline(s): {len(v1)} V1, {len(names) - len(v1)} V2; "
                  f"{len(active)} active in the last {a.history_lookback_days} days",
            evidence={"pipelines": len(names), "v1": v1, "v1_active": sorted(set(v1) & set(active)),
                      "estimated_v2_action_minutes_per_month": action_min,
                      "note": "cost per type is priced by the cost model; approvals are excluded from V2 minutes"},
            recommendation=("Keep V1 where a pipeline runs long actions often; V2 for rarely-run pipelines or when "
                            "its triggers/parallel mode are needed. Both disappear if CI/CD moves to GitHub Actions."),
        ))
    return out


@rule("PIP-007", title="GitHub workflow builds images without a build cache", domain="pipelines",
      severity="medium", effort="low",
      rationale=("GitHub-hosted runners start empty: without a BuildKit cache (type=gha or a registry cache) "
                 "every run rebuilds every layer."),
      tables=("github_workflows",),
      saving=not_cost("Build speed on GitHub-hosted runners."),
      pillar="operational excellence", best_practice="OPS05-BP10")
def github_no_cache(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    w = snapshot.table("github_workflows")
    w = w[w["docker_build"].map(truthy) & ~w["build_cache"].map(truthy)]
    out = []
    for r in w.itertuples():
        out.append(spec("PIP-007").finding(
            snapshot, region=text(r.region) or "global", resource_ids=[text(r.path)],
            title=f"Workflow {text(r.name) or text(r.path)} builds images without a cache",
            evidence={"path": text(r.path), "deploys_to_ecs": truthy(r.deploys_to_ecs), "uses": json_list(r.uses)},
            recommendation=("Use docker/setup-buildx-action + docker/build-push-action with cache-from: type=gha "
                            "and cache-to: type=gha,mode=max (or an ECR registry cache)."),
        ))
    return out


@rule("PIP-008", title="Dormant build project", domain="pipelines", severity="info", effort="low",
      rationale="Projects that never build are clutter and may hold stale credentials or environment variables.",
      thresholds=("dormant_build_project_days",), tables=("build_projects", "builds"),
      saving=not_cost("Information: dormant projects bill nothing (CodeBuild charges per build minute)."),
      pillar="cost optimization", best_practice="COST04-BP03")
def dormant_projects(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    p = snapshot.table("build_projects")
    if not len(p):
        return []
    b = snapshot.table("builds")
    last = ms.to_utc(b["start"]).groupby(b["project"].values).max() if len(b) else pd.Series(dtype="datetime64[ns, UTC]")
    cutoff = ms.as_of(snapshot) - timedelta(days=a.dormant_build_project_days)
    out = []
    for region, g in p.groupby("region"):
        dormant = [text(n) for n in g["name"] if text(n) not in last.index or last[text(n)] < cutoff]
        if not dormant:
            continue
        never = [n for n in dormant if n not in last.index]
        out.append(spec("PIP-008").finding(
            snapshot, region=region, resource_ids=sorted(dormant),
            title=(f"{len(dormant)} build project(s) with no recorded build"
                   if len(never) == len(dormant) else
                   f"{len(dormant)} build project(s) without a build in {a.dormant_build_project_days} days"),
            evidence={"projects": sorted(dormant),
                      "last_build": {n: (last[n] if n in last.index else None) for n in sorted(dormant)},
                      "note": "builds are collected for the history lookback only: older builds look absent"},
            recommendation="Delete projects that are no longer used.",
        ))
    return out
