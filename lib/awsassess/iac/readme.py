"""The exit kit's README: what was generated, what the client fills in, the apply order by wave, rollback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awsassess.iac.terraform import RootModule
from awsassess.iac.workflows import Workflow
from awsassess.model.architecture import ProposedArchitecture
from awsassess.model.migration import MigrationWave

MOVE_HOW = {
    "rds": "switch the DB subnet group to the new VPC's private subnets (Single-AZ while it moves; Multi-AZ back "
           "after) or restore a snapshot into a new subnet group; attach `aws_security_group.datastores`",
    "aurora": "restore a cluster snapshot into the new VPC (or add a reader there and fail over)",
    "docdb": "snapshot the cluster, restore it into a subnet group of the new VPC, switch the connection string",
    "elasticache": "back up, restore the backup into a subnet group of the new VPC, switch the endpoint",
    "dynamodb": "nothing to move: DynamoDB is reached through the gateway endpoint",
}


def _wave_kind(wave: MigrationWave, arch: ProposedArchitecture) -> str:
    res = set(wave.resources)
    if res & {d.id for d in arch.datastores}:
        return "datastores"
    if res & {r for s in arch.services for r in s.replaces}:
        return "services"
    if arch.pipelines and res & {w.name for w in arch.pipelines.workflows}:
        return "pipelines"
    if res & {v.name for v in arch.vpcs}:
        return "foundation"
    return "other"


def _targets(m: RootModule, kind: str, wave: MigrationWave, arch: ProposedArchitecture) -> list[str]:
    """The ``-target`` addresses a wave applies (empty: nothing in Terraform for it)."""
    if kind == "foundation":
        out = []
        for items in m.files.values():
            for b in items:
                labels = getattr(b, "labels", ())
                kind_ = getattr(b, "type", "")
                if kind_ == "module" and labels and labels[0] != "ecs_service":
                    out.append(f"module.{labels[0]}")
                elif kind_ == "resource" and labels and not labels[0].startswith(_LATER):
                    out.append(f"{labels[0]}.{labels[1]}")
        return out
    if kind == "datastores":
        return [address for address, _, _ in m.imports] + [
            f"{getattr(b, 'labels', ('', ''))[0]}.{getattr(b, 'labels', ('', ''))[1]}"
            for items in m.files.values() for b in items
            if getattr(b, "type", "") == "resource" and getattr(b, "labels", ("",))[0] == "aws_appautoscaling_target"]
    if kind == "services":
        names = [s.name for s in arch.services if set(s.replaces) & set(wave.resources) and s.name in m.services]
        out = [f'module.ecs_service["{n}"]' for n in names]
        for n in names:  # the service's way into the data stores and its deploy role's permissions
            out += [f'aws_vpc_security_group_ingress_rule.datastores["{svc}-{p}"]' for svc, p in m.datastore_pairs
                    if svc == n]
            if _declared(m, "aws_iam_role_policy", "deploy"):
                out.append(f'aws_iam_role_policy.deploy["{n}"]')
        return out
    return []


# resources a later wave applies: the data stores (imported in their wave) and what depends on the services
_LATER = ("aws_db_", "aws_docdb", "aws_rds", "aws_elasticache", "aws_dynamodb", "aws_appautoscaling",
          "aws_vpc_security_group_ingress_rule", "aws_iam_role_policy")


def _declared(m: RootModule, rtype: str, name: str) -> bool:
    return any(getattr(b, "type", "") == "resource" and tuple(getattr(b, "labels", ())) == (rtype, name)
               for items in m.files.values() for b in items)


def wave_targets(m: RootModule, wave: MigrationWave, arch: ProposedArchitecture) -> tuple[str, list[str]]:
    """(kind of wave, the ``-target`` addresses it applies in ``m``): foundation, datastores, services,
    pipelines or other (outside Terraform)."""
    kind = _wave_kind(wave, arch)
    return kind, _targets(m, kind, wave, arch)


def _table(rows: Sequence[Sequence[Any]], head: Sequence[str]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def readme(arch: ProposedArchitecture, modules: list[RootModule], workflows: list[Workflow],
           waves: list[MigrationWave], checks: list[dict[str, Any]] | None = None) -> str:
    """The README of ``iac/`` (Markdown)."""
    name = arch.name or arch.account_id
    lines = [f"# Exit kit: {name} ({arch.environment or 'environment not labelled'}, account {arch.account_id})", ""]
    if not modules and not workflows:
        lines += ["Nothing to migrate: the proposal for this account changes no network, compute, data store or "
                  "pipeline (for example an account with no ECS services and one VPC), so no Terraform or workflow "
                  "was generated. The assessment report lists what else was found.", ""]
        return "\n".join(lines) + "\n"
    lines += [
        "Generated by awsassess from the proposed architecture its report prices and draws. Review it like any "
        "pull request: every value carries a comment with its evidence (the model's sizing, the finding, today's "
        "setting), and nothing here has been applied.", "",
        "- `terraform/`: a root module" + (" per region (`terraform/<region>/`)" if len(modules) > 1 else "")
        + ": the shared VPC, load balancers, ECS cluster and services, the deploy roles and image repositories, "
        "and the data stores **imported, never recreated** (`import` blocks, `prevent_destroy`).",
        "- `github-actions/`: one workflow per service (copy each into its repository's `.github/workflows/`).", ""]
    for m in modules:
        where = f"terraform/{m.region}" if len(modules) > 1 else "terraform"
        lines += [f"## `{where}` ({m.region})", "", "### What it creates and imports", ""]
        lines += _table(sorted(m.resource_counts().items()), ["resource or module", "count"])
        lines += ["", "Imported (these exist today; `terraform plan` must show *import* and *update in place*, never "
                  "*destroy* or *replace*):", ""]
        lines += _table([(a, i, w) for a, i, w in m.imports], ["address", "id", "what"]) if m.imports else \
            ["(no data stores)"]
        lines += ["", "### What you fill in", "",
                  f"Copy `{where}/terraform.tfvars.example` to `terraform.tfvars` and set:", ""]
        lines += _table([(f"`{k}`", v) for k, v in m.variables.items()], ["variable", "what"]) if m.variables else \
            ["(nothing)"]
        lines += ["", "### Apply order, wave by wave", "",
                  "Run `terraform init` once, then per wave `terraform plan -out wave.plan` with the targets listed, "
                  "review, `terraform apply wave.plan`. The waves are the report's migration plan.", ""]
        for w in waves:
            kind = _wave_kind(w, arch)
            days = f"{w.effort_days:g} day" + ("" if w.effort_days == 1 else "s")
            lines += [f"**Wave {w.number}: {w.name}** ({w.effort}, about {days}). {w.goal}.", ""]
            targets = _targets(m, kind, w, arch)
            if targets:
                shown = targets[:12]
                lines += ["```sh", "terraform plan -out wave.plan \\",
                          *[f"  -target='{t}' \\" for t in shown[:-1]], f"  -target='{shown[-1]}'", "```"]
                if len(targets) > 12:
                    lines += [f"(and {len(targets) - 12} more addresses of the same kind)"]
            if kind == "datastores":
                lines += ["", "Then move each store into the new VPC:", ""]
                lines += [f"- {d.kind} `{d.id}`: {MOVE_HOW.get(d.kind, 'by hand')}" for d in arch.datastores
                          if d.region == m.region]
            elif kind == "services":
                lines += ["", "Point each service's host name at the new load balancer by weight (Route 53 "
                          "weighted records), watch the alarms, then scale the old service to 0."]
            elif kind == "pipelines":
                lines += ["", "Copy the workflows in `github-actions/` into the repositories, set the GitHub "
                          "environment, run each once beside its CodePipeline, then disable the pipeline."]
            elif kind == "other":
                lines += ["", "Outside Terraform:"]
                lines += [f"- {s}" for s in w.steps]
            lines += ["", f"*Rollback:* {w.rollback or 'not needed: nothing uses the new resources yet'}", ""]
        if m.manual:
            lines += ["### Manual work (the generator does not express it)", ""]
            lines += [f"- {x}" for x in m.manual]
            lines += [""]
    if workflows:
        lines += ["## `github-actions/`", ""]
        lines += _table([(f"`{w.filename}`", w.service, f"{w.predicted_minutes} min" if w.predicted_minutes else "")
                         for w in workflows], ["workflow", "service", "predicted per run"])
        lines += ["", "Each workflow assumes `<name>-deploy-<service>` through GitHub OIDC (trusting only "
                  "`var.github_repositories[service]` in `var.github_environment`), builds with a layer cache kept "
                  "in the service's ECR repository (`:buildcache`), pushes an immutable `:<commit>` tag and rolls "
                  "the ECS service (circuit breaker on). Every action is pinned to a release commit.", ""]
    if checks:
        lines += ["## Offline checks", ""]
        lines += _table([(c["check"], c["status"], c.get("detail", "")) for c in checks], ["check", "status", "detail"])
        lines += [""]
    elif checks is not None:
        lines += ["## Offline checks", "", "Not run when this kit was written (`AWSASSESS_IAC_CHECKS=off`): run "
                  "`awsassess iac DIR/<account>` to write it again and check it.", ""]
    return "\n".join(lines) + "\n"
