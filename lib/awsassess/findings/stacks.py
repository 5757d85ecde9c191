"""Stack rules: the Copilot application map, CloudFormation limits, failed stacks, Copilot and ECS on EC2."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.findings.base import Finding, json_obj, num, rule, spec, text
from awsassess.findings.saving import not_cost
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot

FAILED_STATES = {"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE",
                 "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "IMPORT_ROLLBACK_COMPLETE",
                 "IMPORT_ROLLBACK_FAILED"}
BROKEN_STATES = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED", "CREATE_FAILED",
                 "DELETE_FAILED", "IMPORT_ROLLBACK_FAILED"}


def _live(snapshot: Snapshot) -> pd.DataFrame:
    s = snapshot.table("stacks")
    return s[s["status"].map(text) != "DELETE_COMPLETE"]


def copilot_map(snapshot: Snapshot) -> dict[str, dict]:
    """{application: {"environments": [...], "services": {service: [envs]}, "stacks": [...]}} from stack tags."""
    apps: dict[str, dict] = {}
    for r in _live(snapshot).itertuples():
        app = text(r.copilot_application)
        if not app:
            continue
        a = apps.setdefault(app, {"environments": set(), "services": defaultdict(set), "stacks": []})
        env, svc = text(r.copilot_environment), text(r.copilot_service)
        if env:
            a["environments"].add(env)
        if svc:
            a["services"][svc].add(env)
        a["stacks"].append(text(r.stack_name))
    return {k: {"environments": sorted(v["environments"]),
                "services": {s: sorted(e - {""}) for s, e in sorted(v["services"].items())},
                "stacks": sorted(v["stacks"])} for k, v in sorted(apps.items())}


@rule("STK-001", title="Copilot application map", domain="stacks", severity="info", effort="low",
      rationale=("AWS Copilot tags the stacks it creates (copilot-application, -environment, -service); the "
                 "map shows which services and environments are Copilot-managed, i.e. must change through "
                 "Copilot manifests rather than by hand."),
      tables=("stacks",),
      saving=not_cost("Information."),
      pillar="operational excellence", best_practice="OPS05-BP03")
def copilot_application_map(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    stacks = _live(snapshot)
    region_of = {text(r.stack_name): text(r.region) for r in stacks.itertuples()}
    for app, m in copilot_map(snapshot).items():
        regions = sorted({region_of.get(s, "") for s in m["stacks"]} - {""})
        out.append(spec("STK-001").finding(
            snapshot, region=regions[0] if len(regions) == 1 else ",".join(regions) or "global",
            resource_ids=m["stacks"],
            title=f"Copilot application {app}: {len(m['services'])} service(s) in environment(s) "
                  f"{', '.join(m['environments']) or '(none)'}",
            evidence={"application": app, **m},
            recommendation="Keep changes to these services in the Copilot manifests (or move them out of Copilot deliberately).",
        ))
    return out


@rule("STK-002", title="Stack near a CloudFormation limit", domain="stacks", severity="medium", effort="medium",
      rationale=("A template over 51,200 bytes cannot be passed inline, over 1 MB not at all, and a stack "
                 "holds at most 500 resources; hitting a limit blocks the next deploy at the worst moment."),
      thresholds=("cfn_inline_template_bytes", "cfn_s3_template_bytes", "cfn_max_resources", "cfn_near_limit_pct"),
      tables=("stacks",),
      saving=not_cost("Deployment risk."),
      pillar="reliability", best_practice="REL01-BP03")
def near_limits(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    near = a.cfn_near_limit_pct / 100
    out = []
    for r in _live(snapshot).itertuples():
        size = num(r.template_bytes)
        resources = num(r.resource_count)
        issues, severity = [], "low"
        if size is not None and size >= near * a.cfn_s3_template_bytes:
            issues.append(f"template {size:,.0f} bytes of {a.cfn_s3_template_bytes:,} (S3 limit)")
            severity = "high"
        elif size is not None and size >= near * a.cfn_inline_template_bytes:
            issues.append(f"template {size:,.0f} bytes of {a.cfn_inline_template_bytes:,} (inline limit: deploy "
                          "through S3 / TemplateURL)")
        if resources is not None and resources >= near * a.cfn_max_resources:
            issues.append(f"{resources:.0f} resources of {a.cfn_max_resources}")
            severity = "high"
        if not issues:
            continue
        out.append(spec("STK-002").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.stack_id) or text(r.stack_name)],
            severity=severity if severity == "high" else "low",
            title=f"Stack {text(r.stack_name)}: {'; '.join(issues)}",
            evidence={"stack_name": text(r.stack_name), "template_bytes": size, "resource_count": resources,
                      "inline_limit_bytes": a.cfn_inline_template_bytes, "s3_limit_bytes": a.cfn_s3_template_bytes,
                      "max_resources": a.cfn_max_resources, "copilot_application": text(r.copilot_application)},
            recommendation=("Split the stack (nested stacks or one stack per component), move repeated blocks into "
                            "modules, and deploy templates from S3."),
        ))
    return out


def _root_cause(events: pd.DataFrame, stack_name: str) -> dict | None:
    e = events[events["stack_name"] == stack_name]
    if not len(e):
        return None
    e = e.assign(ts=ms.to_utc(e["timestamp"])).sort_values("ts")
    starts = e[(e["logical_id"] == stack_name) & e["status"].map(text).astype(str).str.endswith("_IN_PROGRESS")
               & ~e["status"].map(text).astype(str).str.contains("ROLLBACK|CLEANUP")]
    if len(starts):
        e = e[e["ts"] >= starts["ts"].iloc[-1]]
    failed = e[e["status"].map(text).astype(str).str.endswith("_FAILED") & (e["logical_id"] != stack_name)]
    real = failed[~failed["reason"].map(text).astype(str).str.contains("cancel", case=False)]
    pick = real if len(real) else failed
    if not len(pick):
        return None
    f = pick.iloc[0]
    return {"logical_id": text(f["logical_id"]), "resource_type": text(f["resource_type"]),
            "status": text(f["status"]), "reason": text(f["reason"]), "timestamp": f["ts"]}


@rule("STK-003", title="Failed or rolled-back stack", domain="stacks", severity="medium", effort="medium",
      rationale=("A stack in ROLLBACK_COMPLETE cannot be updated (only deleted); UPDATE_ROLLBACK_COMPLETE means "
                 "the last change did not deploy; *_FAILED states block every later deploy."),
      tables=("stacks", "stack_events"),
      saving=not_cost("Deployment risk."),
      pillar="operational excellence", best_practice="OPS06-BP01")
def failed_stacks(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    events = snapshot.table("stack_events")
    out = []
    for r in _live(snapshot).itertuples():
        status = text(r.status)
        if status not in FAILED_STATES:
            continue
        cause = _root_cause(events, text(r.stack_name)) if len(events) else None
        where = f": {cause['logical_id']} ({cause['resource_type']}) {cause['reason']}" if cause else ""
        out.append(spec("STK-003").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.stack_id) or text(r.stack_name)],
            severity="high" if status in BROKEN_STATES else "medium",
            title=f"Stack {text(r.stack_name)} is {status}{where}"[:300],
            evidence={"stack_name": text(r.stack_name), "status": status, "status_reason": text(r.status_reason),
                      "failing_resource": cause, "copilot_application": text(r.copilot_application),
                      "copilot_service": text(r.copilot_service)},
            recommendation=("Fix the failing resource named above and redeploy; a stack in ROLLBACK_COMPLETE must be "
                            "deleted and recreated." if cause else
                            "Read the stack events for the first *_FAILED resource, fix it and redeploy."),
        ))
    return out


@rule("STK-004", title="What moving Copilot services to ECS on EC2 means", domain="stacks", severity="info",
      effort="high",
      rationale=("Copilot service manifests deploy to Fargate (with optional Fargate Spot); they have no field for "
                 "an EC2 capacity provider. Moving these services to ECS on EC2 means CloudFormation overrides "
                 "(copilot svc override: YAML patch or CDK) for the capacity provider strategy, or taking the "
                 "services out of Copilot (CDK/Terraform) — a decision to make before the migration waves."),
      tables=("stacks", "ecs_services"),
      saving=not_cost("Information."),
      pillar="operational excellence", best_practice="OPS05-BP03")
def copilot_ec2_move(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    m = copilot_map(snapshot)
    services = snapshot.table("ecs_services")
    res = snapshot.table("stack_resources")
    stack_svc = {text(r.stack_name): (text(r.copilot_application), text(r.copilot_service))
                 for r in _live(snapshot).itertuples()}
    # (app, copilot service) of each ECS service: service tags, else the stack that created it, else its name
    by_physical = {text(r.physical_id): stack_svc.get(text(r.stack_name))
                   for r in res[res["resource_type"].map(text) == "AWS::ECS::Service"].itertuples()}
    fargate: set[tuple[str, str]] = set()
    for r in services.itertuples():
        if not (text(r.launch_type).upper() == "FARGATE" or "FARGATE" in text(r.capacity_providers).upper()):
            continue
        tags = json_obj(r.tags)
        key = (text(tags.get("copilot-application")), text(tags.get("copilot-service")))
        if not key[1]:
            key = by_physical.get(text(r.service_arn)) or by_physical.get(text(r.service_name)) or ("", "")
        fargate.add(key if key[1] else ("*", text(r.service_name)))
    out = []
    for app, info in m.items():
        names = sorted(info["services"])
        if not names:
            continue
        on_fargate = sorted(s for s in names if (app, s) in fargate or ("*", s) in fargate)
        out.append(spec("STK-004").finding(
            snapshot, region="global" if not len(services) else text(services["region"].iloc[0]),
            resource_ids=[f"copilot:{app}"],
            title=f"Copilot application {app}: {len(names)} service(s) would leave Copilot's Fargate model on ECS on EC2",
            evidence={"application": app, "services": names, "on_fargate": on_fargate,
                      "environments": info["environments"],
                      "options": ["copilot svc override (YAML patch / CDK) adding a CapacityProviderStrategy",
                                  "eject: manage the services with CDK/Terraform, keep Copilot for nothing or environments only",
                                  "keep Copilot services on Fargate and move only non-Copilot workloads"]},
            recommendation=("Decide per service: overrides keep the Copilot workflow but must be maintained on every "
                            "Copilot upgrade; ejecting to CDK/Terraform gives full control of capacity providers."),
        ))
    return out
