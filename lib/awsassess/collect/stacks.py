"""CloudFormation collector with AWS Copilot labels.

Tables: ``stacks`` (all but deleted), ``stack_resources``, ``stack_events`` (the newest
``STACK_EVENTS_PER_STACK`` per stack; failures explain rollbacks).

Copilot labels (``copilot_application``/``_environment``/``_service``) come, in this order, from:

1. the stack tags ``copilot-application``, ``copilot-environment``, ``copilot-service`` (Copilot writes
   them on every stack it deploys; services and jobs both use ``copilot-service``);
2. the stack parameters Copilot templates declare: ``AppName`` + ``EnvName``/``EnvironmentName`` +
   ``WorkloadName``;
3. the stack names (``internal/pkg/deploy/cloudformation/stack/name.go``):
   ``<app>-infrastructure-roles`` (application), ``StackSet-<app>-infrastructure-<id>`` (application
   StackSet instance), ``<app>-<env>`` (environment), ``<app>-<env>-<name>`` (service or job) and
   ``pipeline-<app>-<name>``. A name is only read this way when ``<app>`` is known from another stack
   of the same region (its tags or its ``-infrastructure-roles`` stack), so that ``acme-web-prod`` of
   a non-Copilot estate is not split by guesswork. ``<env>`` is matched against the environments known
   for that app first; otherwise an ``<app>-<x>`` stack is an environment and ``<app>-<x>-<y>`` a
   workload of environment ``<x>``.

``template_bytes`` is the size of the template body as CloudFormation stores it: YAML text as is,
JSON (boto3 returns it parsed) re-serialised compactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from awsassess.collect.pipelines import to_utc
from awsassess.collect.rows import tag_map
from awsassess.tables import dumps

__all__ = [
    "STACK_EVENTS_PER_STACK",
    "copilot_labels",
    "label_stacks",
    "parse_stack",
    "parse_stack_event",
    "parse_stack_resource",
    "template_bytes",
]

STACK_EVENTS_PER_STACK = 50

APP_TAG, ENV_TAG, SVC_TAG = "copilot-application", "copilot-environment", "copilot-service"
ROLES_SUFFIX = "-infrastructure-roles"
_STACKSET_INSTANCE = re.compile(r"^StackSet-(?P<app>.+)-infrastructure-[0-9a-f-]{8,}$")

# every status but DELETE_COMPLETE (ListStacks' StackStatusFilter)
LIVE_STATUSES = [
    "CREATE_IN_PROGRESS", "CREATE_FAILED", "CREATE_COMPLETE", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_FAILED", "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_FAILED", "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS", "IMPORT_IN_PROGRESS", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED", "IMPORT_ROLLBACK_COMPLETE",
]


# --------------------------------------------------------------------------------- parsing
def template_bytes(body: Any) -> int | None:
    """Size in bytes of a ``get_template`` ``TemplateBody`` (str as is; dict as compact JSON)."""
    if body is None:
        return None
    if isinstance(body, bytes):
        return len(body)
    if isinstance(body, str):
        return len(body.encode("utf-8"))
    return len(json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))


def _params(stack: dict[str, Any]) -> dict[str, str]:
    return {p.get("ParameterKey", ""): str(p.get("ParameterValue", "")) for p in stack.get("Parameters") or []}


def copilot_labels(stack: dict[str, Any]) -> tuple[str, str, str]:
    """(application, environment, service) from the stack's tags, else its Copilot parameters."""
    tags = tag_map(stack.get("Tags"))
    app, env, svc = tags.get(APP_TAG, ""), tags.get(ENV_TAG, ""), tags.get(SVC_TAG, "")
    if app:
        return app, env, svc
    params = _params(stack)
    app = params.get("AppName", "")
    if app:
        env = params.get("EnvName") or params.get("EnvironmentName") or ""
        svc = params.get("WorkloadName", "") if env else ""
        return app, env, svc
    return "", "", ""


def parse_stack(stack: dict[str, Any], template_size: int | None = None,
                resource_count: int | None = None) -> dict[str, Any]:
    """A ``stacks`` row from one ``describe_stacks`` (or ``list_stacks``) item; Copilot labels from
    tags/parameters only (name fallbacks need the other stacks: :func:`label_stacks`)."""
    app, env, svc = copilot_labels(stack)
    return {
        "stack_id": stack.get("StackId", ""),
        "stack_name": stack.get("StackName", ""),
        "status": stack.get("StackStatus", ""),
        "status_reason": stack.get("StackStatusReason") or "",
        "created": to_utc(stack.get("CreationTime")),
        "updated": to_utc(stack.get("LastUpdatedTime")),
        "copilot_application": app,
        "copilot_environment": env,
        "copilot_service": svc,
        "template_bytes": template_size,
        "resource_count": resource_count,
        "parent_id": stack.get("ParentId") or "",
        "tags": dumps(tag_map(stack.get("Tags"))),
    }


def label_stacks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill missing Copilot labels of ``stacks`` rows from the Copilot naming conventions.

    Apps are known from labelled stacks and ``<app>-infrastructure-roles`` names; environments from
    labelled environment stacks. Longest app name wins when several prefix a stack name.
    """
    apps: set[str] = set()
    envs: dict[str, set[str]] = {}
    for r in rows:
        name = str(r.get("stack_name", ""))
        if r.get("copilot_application"):
            apps.add(r["copilot_application"])
            if r.get("copilot_environment"):
                envs.setdefault(r["copilot_application"], set()).add(r["copilot_environment"])
        if name.endswith(ROLES_SUFFIX) and len(name) > len(ROLES_SUFFIX):
            apps.add(name[: -len(ROLES_SUFFIX)])
        m = _STACKSET_INSTANCE.match(name)
        if m:
            apps.add(m.group("app"))
    ordered_apps = sorted(apps, key=len, reverse=True)
    out = []
    for r in rows:
        if r.get("copilot_application"):
            out.append(r)
            continue
        out.append({**r, **_labels_from_name(str(r.get("stack_name", "")), ordered_apps, envs)})
    return out


def _labels_from_name(name: str, apps: list[str], envs: dict[str, set[str]]) -> dict[str, str]:
    none: dict[str, str] = {}
    m = _STACKSET_INSTANCE.match(name)
    if m and m.group("app") in apps:
        return {"copilot_application": m.group("app")}
    for app in apps:
        if name == f"{app}{ROLES_SUFFIX}":
            return {"copilot_application": app}
        if name.startswith(f"pipeline-{app}-"):
            return {"copilot_application": app}
        if not name.startswith(f"{app}-"):
            continue
        rest = name[len(app) + 1:]
        if not rest:
            return none
        known = sorted(envs.get(app, set()), key=len, reverse=True)
        for env in known:
            if rest == env:
                return {"copilot_application": app, "copilot_environment": env}
            if rest.startswith(f"{env}-"):
                return {"copilot_application": app, "copilot_environment": env,
                        "copilot_service": rest[len(env) + 1:]}
        if not known:
            env, _, svc = rest.partition("-")
            labels = {"copilot_application": app, "copilot_environment": env}
            if svc:
                labels["copilot_service"] = svc
            return labels
        return {"copilot_application": app}
    return none


def parse_stack_resource(stack_name: str, summary: dict[str, Any]) -> dict[str, Any]:
    """A ``stack_resources`` row from one ``list_stack_resources`` summary (keys may be missing)."""
    return {
        "stack_name": stack_name,
        "logical_id": summary.get("LogicalResourceId", ""),
        "physical_id": summary.get("PhysicalResourceId", ""),
        "resource_type": summary.get("ResourceType", ""),
        "status": summary.get("ResourceStatus", ""),
    }


def parse_stack_event(event: dict[str, Any]) -> dict[str, Any]:
    """A ``stack_events`` row from one ``describe_stack_events`` event."""
    return {
        "stack_name": event.get("StackName", ""),
        "timestamp": to_utc(event.get("Timestamp")),
        "logical_id": event.get("LogicalResourceId", ""),
        "resource_type": event.get("ResourceType", ""),
        "status": event.get("ResourceStatus", ""),
        "reason": event.get("ResourceStatusReason") or "",
    }


def failed_events(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``*_FAILED`` events (the failing resource and its reason), oldest first."""
    failed = [r for r in rows if str(r.get("status", "")).endswith("_FAILED")]
    return sorted(failed, key=lambda r: (r.get("timestamp") is None, r.get("timestamp")))


# ------------------------------------------------------------------------------ collection
WEIGHT = 3  # requests per region relative to other collectors: three requests per stack
OPERATIONS: list[tuple[str, str]] = [
    ("cloudformation", "ListStacks"),
    ("cloudformation", "DescribeStacks"),
    ("cloudformation", "GetTemplate"),
    ("cloudformation", "ListStackResources"),
    ("cloudformation", "DescribeStackEvents"),
]
TABLES: list[str] = ["stacks", "stack_resources", "stack_events"]


def _events(ctx: Any, region: str, stack_id: str, limit: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    token = None
    while len(events) < limit:
        resp = ctx.call("cloudformation", "DescribeStackEvents", region, StackName=stack_id,
                        **({"NextToken": token} if token else {}))
        events += resp.get("StackEvents") or []
        token = resp.get("NextToken")
        if not resp or not token:
            break
    return events[:limit]


def collect(ctx: Any, region: str) -> dict[str, list[dict[str, Any]]]:
    """Every non-deleted stack of ``region`` with its template size, resources and recent events."""
    limit = int(ctx.option("stack_events_per_stack", STACK_EVENTS_PER_STACK))
    summaries = ctx.paginate("cloudformation", "ListStacks", region, "StackSummaries",
                             StackStatusFilter=LIVE_STATUSES)
    if not summaries:
        return {"stacks": [], "stack_resources": [], "stack_events": []}
    described = {s.get("StackId"): s for s in ctx.paginate("cloudformation", "DescribeStacks", region, "Stacks")}

    def one(summary: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        stack_id = summary.get("StackId") or summary.get("StackName", "")
        stack = {**summary, **described.get(summary.get("StackId"), {})}
        name = stack.get("StackName", "")
        body = ctx.call("cloudformation", "GetTemplate", region, StackName=stack_id).get("TemplateBody")
        resources = ctx.paginate("cloudformation", "ListStackResources", region, "StackResourceSummaries",
                                 StackName=stack_id)
        events = _events(ctx, region, stack_id, limit) if limit > 0 else []
        row = parse_stack(stack, template_bytes(body), len(resources) if resources.ok else None)
        return (row, [parse_stack_resource(name, r) for r in resources],
                [{**parse_stack_event(e), "stack_name": e.get("StackName") or name} for e in events])

    results = ctx.map(one, summaries)
    return {
        "stacks": label_stacks([r for r, _, _ in results]),
        "stack_resources": [x for _, res, _ in results for x in res],
        "stack_events": [x for _, _, ev in results for x in ev],
    }
