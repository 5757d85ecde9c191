"""CI/CD collector: CodePipeline, CodeBuild, CodeDeploy, and GitHub Actions workflows.

Tables: ``pipelines``, ``pipeline_executions``, ``pipeline_action_executions``, ``build_projects``,
``builds``, ``deployment_groups``, ``deployments``, ``github_workflows``.

The ``parse_*`` functions turn one raw API item (as boto3 returns it) into one table row without
``account_id``/``region``; they are pure and tested against AWS's published example responses.

History is read over ``params.collect.lookback_days``. ``list_pipeline_executions`` is called
**without** a page size: moto truncates the list to ``maxResults`` and returns no ``nextToken``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from awsassess.collect.github import analyse_buildspec, scan_repository
from awsassess.collect.masking import secret_env_names
from awsassess.collect.rows import chunks
from awsassess.tables import dumps

__all__ = [
    "duration_s",
    "parse_action_execution",
    "parse_build",
    "parse_build_project",
    "parse_deployment",
    "parse_deployment_group",
    "parse_pipeline",
    "parse_pipeline_execution",
    "to_utc",
]


# ------------------------------------------------------------------------------- helpers
def to_utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from a boto3 datetime, ISO string or epoch seconds; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return to_utc(parsed)
    return None


def duration_s(start: Any, end: Any) -> float | None:
    """``end - start`` in seconds, None when either is missing (or end precedes start)."""
    s, e = to_utc(start), to_utc(end)
    if s is None or e is None or e < s:
        return None
    return (e - s).total_seconds()


# ---------------------------------------------------------------------------- CodePipeline
def parse_pipeline(pipeline: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``pipelines`` row from ``get_pipeline`` (``pipeline`` and ``metadata``)."""
    metadata = metadata or {}
    stages = []
    for stage in pipeline.get("stages") or []:
        actions = []
        for action in stage.get("actions") or []:
            type_id = action.get("actionTypeId") or {}
            actions.append({
                "name": action.get("name", ""),
                "category": type_id.get("category", ""),
                "provider": type_id.get("provider", ""),
                "run_order": action.get("runOrder", 1),
            })
        stages.append({"name": stage.get("name", ""), "actions": actions})
    return {
        "name": pipeline.get("name", ""),
        "version": pipeline.get("version"),
        # V1 pipelines created before pipeline types existed have no pipelineType: they are V1.
        "pipeline_type": pipeline.get("pipelineType") or "V1",
        # SUPERSEDED is the default (and the only mode of V1 pipelines).
        "execution_mode": pipeline.get("executionMode") or "SUPERSEDED",
        "stage_count": len(stages),
        "stages": dumps(stages),
        "created": to_utc(metadata.get("created")),
        "updated": to_utc(metadata.get("updated")),
    }


def parse_pipeline_execution(pipeline_name: str, summary: dict[str, Any]) -> dict[str, Any]:
    """A ``pipeline_executions`` row from one ``list_pipeline_executions`` summary."""
    start, end = summary.get("startTime"), summary.get("lastUpdateTime")
    return {
        "pipeline": pipeline_name,
        "execution_id": summary.get("pipelineExecutionId", ""),
        "status": summary.get("status", ""),
        "start": to_utc(start),
        "end": to_utc(end),
        "duration_s": duration_s(start, end),
        "trigger": (summary.get("trigger") or {}).get("triggerType", ""),
    }


def parse_action_execution(pipeline_name: str, detail: dict[str, Any]) -> dict[str, Any]:
    """A ``pipeline_action_executions`` row from one ``list_action_executions`` detail."""
    type_id = (detail.get("input") or {}).get("actionTypeId") or {}
    start, end = detail.get("startTime"), detail.get("lastUpdateTime")
    return {
        "pipeline": pipeline_name,
        "execution_id": detail.get("pipelineExecutionId", ""),
        "stage": detail.get("stageName", ""),
        "action": detail.get("actionName", ""),
        "category": type_id.get("category", ""),
        "provider": type_id.get("provider", ""),
        "status": detail.get("status", ""),
        "start": to_utc(start),
        "end": to_utc(end),
        "duration_s": duration_s(start, end),
    }


# ------------------------------------------------------------------------------- CodeBuild
def parse_build_project(project: dict[str, Any]) -> dict[str, Any]:
    """A ``build_projects`` row from one ``batch_get_projects`` project.

    The inline buildspec (``source.buildspec`` when it is YAML text, not a file name) is analysed
    for ``docker build`` and layer-cache flags; when the buildspec lives in the source repository
    both columns are None (unknown). Env var values are never stored: only the names of plain
    variables that look secret.
    """
    env = project.get("environment") or {}
    cache = project.get("cache") or {}
    variables = env.get("environmentVariables") or []
    spec = analyse_buildspec((project.get("source") or {}).get("buildspec"))
    return {
        "name": project.get("name", ""),
        "compute_type": env.get("computeType", ""),
        "environment_type": env.get("type", ""),
        "image": env.get("image", ""),
        "privileged_mode": bool(env.get("privilegedMode", False)),
        "cache_type": cache.get("type") or "NO_CACHE",
        "cache_modes": dumps(list(cache.get("modes") or [])),
        "docker_build": spec.docker_build if spec else None,
        "buildspec_layer_cache": spec.layer_cache if spec else None,
        "timeout_min": project.get("timeoutInMinutes"),
        "env_var_count": sum(1 for v in variables if str(v.get("type", "PLAINTEXT")).upper() == "PLAINTEXT"),
        "plaintext_secret_names": dumps(secret_env_names(variables)),
    }


def _phase_seconds(phase: dict[str, Any]) -> float:
    """From the timestamps (sub-second), else ``durationInSeconds`` (whole seconds), else 0."""
    measured = duration_s(phase.get("startTime"), phase.get("endTime"))
    if measured:
        return measured
    return float(phase.get("durationInSeconds") or measured or 0.0)


def parse_build(build: dict[str, Any]) -> dict[str, Any]:
    """A ``builds`` row from one ``batch_get_builds`` build; ``phases`` is {phaseType: seconds}."""
    phases: dict[str, float] = {}
    for phase in build.get("phases") or []:
        name = phase.get("phaseType", "")
        phases[name] = phases.get(name, 0.0) + _phase_seconds(phase)
    start, end = build.get("startTime"), build.get("endTime")
    return {
        "project": build.get("projectName", ""),
        "build_id": build.get("id", ""),
        "status": build.get("buildStatus", ""),
        "start": to_utc(start),
        "end": to_utc(end),
        "duration_s": duration_s(start, end),
        "phases": json.dumps(phases),  # keep the phase order (it is the build's timeline)
        "compute_type": (build.get("environment") or {}).get("computeType", ""),
    }


# ------------------------------------------------------------------------------ CodeDeploy
def parse_deployment_group(info: dict[str, Any]) -> dict[str, Any]:
    """A ``deployment_groups`` row from ``get_deployment_group``'s ``deploymentGroupInfo``."""
    style = info.get("deploymentStyle") or {}
    blue_green = info.get("blueGreenDeploymentConfiguration") or {}
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    deployment_type = style.get("deploymentType") or "IN_PLACE"
    return {
        "application": info.get("applicationName", ""),
        "group": info.get("deploymentGroupName", ""),
        "compute_platform": info.get("computePlatform", ""),
        "deployment_type": deployment_type,
        "deployment_config": info.get("deploymentConfigName", ""),
        "termination_wait_min": (
            terminate.get("terminationWaitTimeInMinutes") if deployment_type == "BLUE_GREEN" else None
        ),
        "ready_action": ready.get("actionOnTimeout", "") if deployment_type == "BLUE_GREEN" else "",
        "ecs_services": dumps([
            f"{s.get('clusterName', '')}/{s.get('serviceName', '')}" for s in info.get("ecsServices") or []
        ]),
        **deployment_alarms(info),
    }


def deployment_alarms(info: dict[str, Any]) -> dict[str, Any]:
    """``alarms_enabled`` (alarmConfiguration enabled with at least one alarm; None when the group's answer has no
    alarmConfiguration) and ``rollback_on_alarm`` (autoRollbackConfiguration enabled for DEPLOYMENT_STOP_ON_ALARM)."""
    alarms = info.get("alarmConfiguration")
    rollback = info.get("autoRollbackConfiguration") or {}
    return {
        "alarms_enabled": (bool(alarms.get("enabled")) and bool(alarms.get("alarms")))
        if isinstance(alarms, dict) else None,
        "rollback_on_alarm": bool(rollback.get("enabled")) and "DEPLOYMENT_STOP_ON_ALARM" in (rollback.get("events") or []),
    }


def parse_deployment(info: dict[str, Any]) -> dict[str, Any]:
    """A ``deployments`` row from one ``batch_get_deployments`` item (start falls back to createTime)."""
    start = info.get("startTime") or info.get("createTime")
    end = info.get("completeTime")
    return {
        "deployment_id": info.get("deploymentId", ""),
        "application": info.get("applicationName", ""),
        "group": info.get("deploymentGroupName", ""),
        "status": info.get("status", ""),
        "start": to_utc(start),
        "end": to_utc(end),
        "duration_s": duration_s(start, end),
        "creator": info.get("creator", ""),
    }


# ---------------------------------------------------------------------------- collection
OPERATIONS: list[tuple[str, str]] = [
    ("codepipeline", "ListPipelines"),
    ("codepipeline", "GetPipeline"),
    ("codepipeline", "ListPipelineExecutions"),
    ("codepipeline", "ListActionExecutions"),
    ("codebuild", "ListProjects"),
    ("codebuild", "BatchGetProjects"),
    ("codebuild", "ListBuildsForProject"),
    ("codebuild", "BatchGetBuilds"),
    ("codedeploy", "ListApplications"),
    ("codedeploy", "ListDeploymentGroups"),
    ("codedeploy", "GetDeploymentGroup"),
    ("codedeploy", "ListDeployments"),
    ("codedeploy", "BatchGetDeployments"),
]
TABLES: list[str] = [
    "pipelines", "pipeline_executions", "pipeline_action_executions", "build_projects", "builds",
    "deployment_groups", "deployments", "github_workflows",
]

# API batch limits
_PROJECTS_PER_CALL = 100
_BUILDS_PER_CALL = 100
_DEPLOYMENTS_PER_CALL = 25

log = logging.getLogger("awsassess.collect.pipelines")


def _cutoff(ctx: Any) -> datetime:
    return ctx.now - timedelta(days=int(ctx.option("lookback_days", 30)))


def _pages(ctx: Any, service: str, operation: str, region: str, token_in: str, token_out: str,
           **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Pages of a token-paginated call, one ``ctx.call`` each (lets the caller stop early).

    No page size is sent: moto truncates some lists to the page size without returning a token.
    """
    token = None
    seen: set[str] = set()
    while True:
        resp = ctx.call(service, operation, region, **kwargs, **({token_in: token} if token else {}))
        if not resp:
            return
        yield resp
        token = resp.get(token_out)
        if not token or token in seen:
            return
        seen.add(token)


def _older(ts: Any, cutoff: datetime) -> bool:
    t = to_utc(ts)
    return t is not None and t < cutoff


# -- CodePipeline
def _collect_codepipeline(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    cutoff = _cutoff(ctx)
    names = [p.get("name", "") for p in ctx.paginate("codepipeline", "ListPipelines", region, "pipelines")]

    def one(name: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
        resp = ctx.call("codepipeline", "GetPipeline", region, name=name)
        row = parse_pipeline(resp["pipeline"], resp.get("metadata")) if resp.get("pipeline") else None
        executions: list[dict[str, Any]] = []
        for page in _pages(ctx, "codepipeline", "ListPipelineExecutions", region, "nextToken", "nextToken",
                           pipelineName=name):
            summaries = page.get("pipelineExecutionSummaries") or []
            executions += [parse_pipeline_execution(name, s) for s in summaries
                           if not _older(s.get("startTime"), cutoff)]
            if any(_older(s.get("startTime"), cutoff) for s in summaries):
                break  # newest first: the rest is older than the lookback
        wanted = {e["execution_id"] for e in executions}
        actions: list[dict[str, Any]] = []
        if wanted:
            # Unfiltered: every action execution of the pipeline, newest first (far fewer calls
            # than one filtered call per execution).
            for page in _pages(ctx, "codepipeline", "ListActionExecutions", region, "nextToken", "nextToken",
                               pipelineName=name):
                details = page.get("actionExecutionDetails") or []
                actions += [parse_action_execution(name, d) for d in details
                            if d.get("pipelineExecutionId") in wanted]
                if any(_older(d.get("startTime"), cutoff) for d in details):
                    break
        return row, executions, actions

    results = ctx.map(one, [n for n in names if n])
    return {
        "pipelines": [r for r, _, _ in results if r],
        "pipeline_executions": [e for _, ex, _ in results for e in ex],
        "pipeline_action_executions": [a for _, _, ac in results for a in ac],
    }


# -- CodeBuild
def _collect_codebuild(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    cutoff = _cutoff(ctx)
    names = ctx.paginate("codebuild", "ListProjects", region, "projects")
    projects: list[dict[str, Any]] = []
    for batch in chunks(names, _PROJECTS_PER_CALL):
        projects += ctx.call("codebuild", "BatchGetProjects", region, names=batch).get("projects") or []

    def builds_of(project: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for page in _pages(ctx, "codebuild", "ListBuildsForProject", region, "nextToken", "nextToken",
                           projectName=project):
            ids = page.get("ids") or []
            done = False
            for batch in chunks(ids, _BUILDS_PER_CALL):
                builds = ctx.call("codebuild", "BatchGetBuilds", region, ids=batch).get("builds") or []
                rows += [parse_build(b) for b in builds if not _older(b.get("startTime"), cutoff)]
                done = done or any(_older(b.get("startTime"), cutoff) for b in builds)
            if done:
                break  # ids come newest first
        return rows

    build_rows = ctx.map(builds_of, [p.get("name", "") for p in projects if p.get("name")])
    return {
        "build_projects": [parse_build_project(p) for p in projects],
        "builds": [b for rows in build_rows for b in rows],
    }


# -- CodeDeploy
def _collect_codedeploy(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    cutoff = _cutoff(ctx)
    apps = ctx.paginate("codedeploy", "ListApplications", region, "applications")
    pairs = [(app, group) for app in apps
             for group in ctx.paginate("codedeploy", "ListDeploymentGroups", region, "deploymentGroups",
                                       applicationName=app)]

    def one(pair: tuple[str, str]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        app, group = pair
        # GetDeploymentGroup, not BatchGetDeploymentGroups: moto lacks the batch call, and an
        # application rarely has more than a handful of groups.
        info = ctx.call("codedeploy", "GetDeploymentGroup", region, applicationName=app,
                        deploymentGroupName=group).get("deploymentGroupInfo")
        # ListDeployments needs the group when the application is given (AWS and moto agree).
        ids = ctx.paginate("codedeploy", "ListDeployments", region, "deployments", applicationName=app,
                           deploymentGroupName=group, createTimeRange={"start": cutoff, "end": ctx.now})
        deployments: list[dict[str, Any]] = []
        for batch in chunks(ids, _DEPLOYMENTS_PER_CALL):
            deployments += ctx.call("codedeploy", "BatchGetDeployments", region,
                                    deploymentIds=batch).get("deploymentsInfo") or []
        rows = [parse_deployment(d) for d in deployments
                if not _older(d.get("createTime") or d.get("startTime"), cutoff)]
        return (parse_deployment_group(info) if info else None), rows

    results = ctx.map(one, pairs)
    return {
        "deployment_groups": [g for g, _ in results if g],
        "deployments": [d for _, deps in results for d in deps],
    }


def collect(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    """CodePipeline, CodeBuild and CodeDeploy in ``region`` over the lookback."""
    out: dict[str, list[dict[str, Any]]] = {}
    for part in (_collect_codepipeline, _collect_codebuild, _collect_codedeploy):
        out.update(part(ctx, region))
    return out


def resolve_repo(repo: str | Path, params_file: str | Path | None = None) -> Path:
    """``github_repo`` as a path: absolute as is; relative to the params file's folder when that
    exists there, else relative to the working directory."""
    path = Path(repo).expanduser()
    if not path.is_absolute() and params_file is not None and (Path(params_file).parent / path).is_dir():
        return Path(params_file).parent / path
    return path


def collect_global(ctx: Any) -> dict[str, list[dict[str, Any]]]:
    """GitHub Actions workflows of ``params.github_repo`` (a local checkout; no API call)."""
    repo = getattr(ctx.params, "github_repo", None)
    if not repo:
        return {"github_workflows": []}
    rows, problems = scan_repository(resolve_repo(repo, getattr(ctx.params, "source", None)))
    for problem in problems:
        log.warning("github_repo: %s skipped: %s", problem.path, problem.message)
    return {"github_workflows": rows}
