"""Light security rules: plaintext secrets (names only, values never) and publicly accessible databases."""

from __future__ import annotations

from awsassess.findings.base import Finding, is_production, json_list, rule, spec, text, truthy
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot


@rule("SEC-001", title="Plaintext secrets in task definitions", domain="security", severity="high", effort="low",
      rationale=("Environment variables of a task definition are readable by anyone with ecs:Describe* and "
                 "appear in every revision; secrets belong in Secrets Manager or SSM Parameter Store, "
                 "referenced through `secrets`. Only the variable names are collected, never the values."),
      thresholds=("production_environments",), tables=("task_definitions",))
def task_definition_secrets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r in snapshot.table("task_definitions").itertuples():
        names = sorted({text(n) for n in json_list(r.plaintext_secret_names)} - {""})
        if not names:
            continue
        out.append(spec("SEC-001").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.task_definition_arn)],
            severity="high" if prod else "medium",
            title=f"Task definition {text(r.family)}:{text(r.revision)}: {len(names)} secret-looking plain variable(s)",
            evidence={"variable_names": names, "values": "never collected",
                      "secret_refs_in_use": int(r.secret_ref_count or 0) if str(r.secret_ref_count).isdigit() else None},
            recommendation=("Move the values to Secrets Manager/SSM, reference them under containerDefinitions[].secrets, "
                            "rotate them (they are exposed in every old revision) and deregister old revisions."),
        ))
    return out


@rule("SEC-002", title="Plaintext secrets in CodeBuild projects", domain="security", severity="high", effort="low",
      rationale=("PLAINTEXT environment variables of a build project are visible to anyone who can read the "
                 "project; use PARAMETER_STORE or SECRETS_MANAGER types. Names only, values never."),
      tables=("build_projects",))
def build_project_secrets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for r in snapshot.table("build_projects").itertuples():
        names = sorted({text(n) for n in json_list(r.plaintext_secret_names)} - {""})
        if not names:
            continue
        out.append(spec("SEC-002").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.name)],
            title=f"Build project {text(r.name)}: {len(names)} secret-looking PLAINTEXT variable(s)",
            evidence={"variable_names": names, "values": "never collected"},
            recommendation="Change the variables to type SECRETS_MANAGER or PARAMETER_STORE and rotate the values.",
        ))
    return out


@rule("SEC-003", title="Publicly accessible database", domain="security", severity="high", effort="low",
      rationale=("A publicly accessible RDS/DocumentDB instance gets a public DNS name and IP; one security-group "
                 "mistake exposes it to the internet."),
      tables=("db_instances",))
def public_databases(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = snapshot.table("db_instances")
    d = d[d["publicly_accessible"].map(truthy)]
    return [spec("SEC-003").finding(
        snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
        title=f"{text(r.db_instance_id)} ({text(r.engine)}) is publicly accessible",
        evidence={"engine": text(r.engine), "publicly_accessible": True},
        recommendation="Modify the instance to PubliclyAccessible=false; reach it through a bastion, SSM or VPN.",
    ) for r in d.itertuples()]
