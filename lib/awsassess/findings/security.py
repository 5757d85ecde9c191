"""Light security rules: plaintext secrets (names only, values never) and publicly accessible databases."""

from __future__ import annotations

import re
from typing import Any

from awsassess.findings.base import Finding, is_production, json_list, rule, spec, text, truthy
from awsassess.findings.saving import not_cost
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot

# A name that says "secret" is reported as such; a name that says "location or label" is not, even if the
# collector flagged its value (registry URIs and ARNs look high-entropy); anything else is reported as
# "flagged by its value".
SECRET_NAME = re.compile(r"pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|"
                         r"access[_-]?key|credential|auth|signing[_-]?key|dsn|conn(ection)?[_-]?str", re.I)
EMBEDDED_NAME = re.compile(r"\(credentials in the value\)$")  # as the compute collector labels them
LOCATION_NAME = re.compile(r"(repository|repo|registry|region|url|uri|host|hostname|endpoint|bucket|name|"
                           r"_id|arn|port|env|environment|level|version|path|domain|account)$", re.I)


def classify_names(names: Any) -> tuple[list[str], list[str]]:
    """(names that look secret, names flagged only by their value), dropping location/label names.

    A variable whose value holds credentials (``DATABASE_URL=postgres://app:secret@db``) counts as named:
    the secret is certain, whatever the variable is called; so does a secret command-line argument."""
    named, by_value = [], []
    for n in sorted({text(x) for x in json_list(names)} - {""}):
        if SECRET_NAME.search(n) or EMBEDDED_NAME.search(n) or n.startswith(("command ", "entryPoint ")):
            named.append(n)
        elif not LOCATION_NAME.search(n):
            by_value.append(n)
    return named, by_value


@rule("SEC-001", title="Plaintext secrets in task definitions", domain="security", severity="high", effort="low",
      rationale=("Environment variables of a task definition are readable by anyone with ecs:Describe* and "
                 "appear in every revision; secrets belong in Secrets Manager or SSM Parameter Store, "
                 "referenced through `secrets`. Values are masked in the snapshot as they arrive (****; a URL keeps "
                 "its scheme and host, a command its flag); only where they are is reported."),
      thresholds=("production_environments",), tables=("task_definitions",),
      saving=not_cost("Security."))
def task_definition_secrets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r in snapshot.table("task_definitions").itertuples():
        named, by_value = classify_names(r.plaintext_secret_names)
        names = named + by_value
        if not names:
            continue
        out.append(spec("SEC-001").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.task_definition_arn)],
            severity=("high" if prod else "medium") if named else "low",
            title=f"Task definition {text(r.family)}:{text(r.revision)}: {len(names)} secret-looking plain variable(s)",
            evidence={"variable_names": names, "flagged_by_value_only": by_value,
                      "values": "masked in the snapshot and raw pages (****), not kept in clear",
                      "secret_refs_in_use": int(r.secret_ref_count or 0) if str(r.secret_ref_count).isdigit() else None},
            recommendation=("Move the values to Secrets Manager/SSM, reference them under containerDefinitions[].secrets, "
                            "rotate them (they are exposed in every old revision) and deregister old revisions."),
        ))
    return out


@rule("SEC-002", title="Plaintext secrets in CodeBuild projects", domain="security", severity="high", effort="low",
      rationale=("PLAINTEXT environment variables of a build project are visible to anyone who can read the "
                 "project; use PARAMETER_STORE or SECRETS_MANAGER types. Values are masked in the snapshot (****)."),
      tables=("build_projects",),
      saving=not_cost("Security."))
def build_project_secrets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for r in snapshot.table("build_projects").itertuples():
        named, by_value = classify_names(r.plaintext_secret_names)
        names = named + by_value
        if not names:
            continue
        out.append(spec("SEC-002").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.name)], severity="high" if named else "low",
            title=f"Build project {text(r.name)}: {len(names)} secret-looking PLAINTEXT variable(s)",
            evidence={"variable_names": names, "flagged_by_value_only": by_value,
                      "values": "masked in the snapshot and raw pages (****), not kept in clear"},
            recommendation="Change the variables to type SECRETS_MANAGER or PARAMETER_STORE and rotate the values.",
        ))
    return out


@rule("SEC-003", title="Publicly accessible database", domain="security", severity="high", effort="low",
      rationale=("A publicly accessible RDS/DocumentDB instance gets a public DNS name and IP; one security-group "
                 "mistake exposes it to the internet."),
      tables=("db_instances",),
      saving=not_cost("Security."))
def public_databases(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = snapshot.table("db_instances")
    d = d[d["publicly_accessible"].map(truthy)]
    return [spec("SEC-003").finding(
        snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
        title=f"{text(r.db_instance_id)} ({text(r.engine)}) is publicly accessible",
        evidence={"engine": text(r.engine), "publicly_accessible": True},
        recommendation="Modify the instance to PubliclyAccessible=false; reach it through a bastion, SSM or VPN.",
    ) for r in d.itertuples()]
