"""The Copilot/Fargate exit kit: the proposed architecture as Terraform and GitHub Actions, checked offline.

``awsassess iac DIR/<account>`` (and the batch step after analyze) writes ``DIR/<account>/iac/``::

    iac/README.md                      what was generated, what to fill in, apply order by wave, rollback
    iac/terraform/*.tf                 one root module (terraform/<region>/ when the proposal spans regions)
    iac/terraform/terraform.tfvars.example
    iac/github-actions/deploy-<service>.yml
    iac/checks.json                    the offline checks' results (:mod:`awsassess.iac.check`)

Everything is built from the account's analysis (the model's ``ProposedArchitecture``, its migration waves
and the findings) and the snapshot: :mod:`.terraform` (root modules), :mod:`.workflows`, :mod:`.readme`;
:mod:`.hcl` writes HCL in ``terraform fmt`` layout; :mod:`.pins` holds the pinned versions and schemas.
The folder is replaced as a whole: written beside, then swapped in, so a failure leaves the previous kit.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsassess.iac.hcl import Attr, Comment, render
from awsassess.iac.inputs import estate_inputs
from awsassess.iac.readme import readme
from awsassess.iac.terraform import RootModule, root_modules
from awsassess.iac.workflows import Workflow, workflows
from awsassess.layout import IAC_CHECKS, IAC_README
from awsassess.model.architecture import ProposedArchitecture
from awsassess.model.migration import MigrationWave
from awsassess.snapshot import Snapshot

__all__ = ["CHECKS_ENV", "IacKit", "build_kit", "checks_wanted", "generate_for_account", "write_for_analysis",
           "write_kit"]

#: ``off`` (or 0/false/no) makes analyze write the kit without its offline checks (about 5 s an account:
#: checkov, zizmor, check-jsonschema, terraform fmt); ``awsassess iac`` checks it afterwards
CHECKS_ENV = "AWSASSESS_IAC_CHECKS"


def checks_wanted() -> bool:
    """Whether analyze checks the kit it writes (:data:`CHECKS_ENV`, default on)."""
    return os.environ.get(CHECKS_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


@dataclass
class IacKit:
    """The generated files (relative path -> text) and what they hold."""

    files: dict[str, str] = field(default_factory=dict)
    modules: list[RootModule] = field(default_factory=list)
    workflows: list[Workflow] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.modules and not self.workflows

    def summary(self) -> dict[str, Any]:
        """Counts for the report, the notebook and the CLI."""
        resources: dict[str, int] = {}
        for m in self.modules:
            for k, v in m.resource_counts().items():
                resources[k] = resources.get(k, 0) + v
        return {
            "root_modules": [m.region for m in self.modules],
            "files": sorted(self.files),
            "resources": dict(sorted(resources.items())),
            "imports": [{"address": a, "id": i, "what": w} for m in self.modules for a, i, w in m.imports],
            "variables": {k: v for m in self.modules for k, v in m.variables.items()},
            "manual": [x for m in self.modules for x in m.manual],
            "workflows": [{"file": w.filename, "service": w.service, "predicted_minutes": w.predicted_minutes}
                          for w in self.workflows],
            "checks": self.checks,
        }


def _tfvars_example(m: RootModule) -> str:
    return render([Comment("Copy to terraform.tfvars and replace every value (awsassess cannot know them)."),
                   *(Attr(name, value) for name, value in m.tfvars_example.items())])


def proposed_monthly(model: Any) -> dict[str, float]:
    """The cost model's proposed $/month per resource id (a service's ARN, a store's id, a load balancer's
    name): the price the generated code cites beside each value."""
    lines = model.lines
    proposed = lines[lines["scenario"] == "proposed"]
    return {str(k): float(v) for k, v in proposed.groupby("resource_id")["monthly_usd"].sum(min_count=1).items()
            if v == v}


def build_kit(arch: ProposedArchitecture, snapshot: Snapshot, waves: list[MigrationWave],
              findings: list[Any] | None = None, *, production: bool = False,
              monthly: dict[str, float] | None = None) -> IacKit:
    """The kit's files in memory (nothing written); ``monthly`` (:func:`proposed_monthly`) puts each
    resource's proposed price in its comment."""
    inputs = estate_inputs(snapshot)
    modules = root_modules(arch, inputs, waves, findings, production=production, monthly=monthly)
    flows = workflows(arch, inputs)
    kit = IacKit(modules=modules, workflows=flows)
    for m in modules:
        base = "terraform" if len(modules) == 1 else f"terraform/{m.region}"
        for name, items in m.files.items():
            kit.files[f"{base}/{name}"] = render(items)
        if m.tfvars_example:
            kit.files[f"{base}/terraform.tfvars.example"] = _tfvars_example(m)
    for w in flows:
        kit.files[f"github-actions/{w.filename}"] = w.text
    kit.files[IAC_README] = readme(arch, modules, flows, waves)
    return kit


def write_kit(kit: IacKit, iac_dir: Path, *, run_checks: bool = True, arch: ProposedArchitecture | None = None,
              waves: list[MigrationWave] | None = None) -> IacKit:
    """Write the kit to ``iac_dir`` as a whole (beside it, checked, then swapped in) and return it with its
    check results (also in ``checks.json`` and the README)."""
    from awsassess.iac.check import check_kit

    iac_dir = Path(iac_dir)
    iac_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".iac-", dir=iac_dir.parent))
    try:
        for rel, text in kit.files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if not kit.empty and arch is not None:
            kit.checks = [r.to_dict() for r in check_kit(staging)] if run_checks else []
            kit.files[IAC_README] = readme(arch, kit.modules, kit.workflows, waves or [], kit.checks)
            (staging / IAC_README).write_text(kit.files[IAC_README], encoding="utf-8")
        elif run_checks and not kit.empty:
            kit.checks = [r.to_dict() for r in check_kit(staging)]
        (staging / IAC_CHECKS).write_text(json.dumps(kit.checks, indent=2) + "\n", encoding="utf-8")
        old = iac_dir.with_name(f".{iac_dir.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if iac_dir.exists():
            iac_dir.rename(old)
        staging.rename(iac_dir)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return kit


def write_for_analysis(snapshot: Snapshot, iac_dir: Path, findings: list[Any], model: Any, *, production: bool,
                       run_checks: bool = True) -> IacKit:
    """The kit of an analysis already computed (analyze calls this after the findings and the model).

    A failure of the generator never costs the rest of the analysis: the kit folder then holds only a
    README saying what failed (the report's section shows it too) and the exception is not raised."""
    try:
        kit = build_kit(model.proposed, snapshot, model.migration, findings, production=production,
                        monthly=proposed_monthly(model))
        return write_kit(kit, iac_dir, run_checks=run_checks, arch=model.proposed, waves=model.migration)
    except Exception as exc:  # noqa: BLE001 - reported in the kit's README and the report, never silent
        failed = IacKit(files={IAC_README: (
            "# Exit kit: not generated\n\n"
            f"Generating the Terraform and workflows for this account failed: `{type(exc).__name__}: {exc}`.\n\n"
            "The rest of the analysis (findings, costs, diagrams, report) is complete. Run "
            "`awsassess iac DIR/<account>` after fixing the cause to generate the kit again.\n")},
            checks=[{"check": "generation", "status": "failed", "detail": f"{type(exc).__name__}: {exc}",
                     "problems": [str(exc)]}])
        return write_kit(failed, iac_dir, run_checks=False)


def generate_for_account(account_dir: Any, *, run_checks: bool = True, assumptions: Any = None) -> IacKit:
    """Read an analysed account folder, build its kit and write ``<account>/iac/``.

    The proposed architecture is recomputed from the snapshot with the account's assumptions (the same
    function analyze uses), so the kit is the plan the report shows."""
    from awsassess.assumptions import resolve
    from awsassess.layout import AccountFolder
    from awsassess.notebook import analysis_for

    folder = AccountFolder.of(account_dir)
    snapshot = folder.read_snapshot()
    chosen = resolve(assumptions)
    findings, model = analysis_for(snapshot, chosen)
    production = chosen.shared.is_production(snapshot.environment)
    kit = build_kit(model.proposed, snapshot, model.migration, findings, production=production,
                    monthly=proposed_monthly(model))
    return write_kit(kit, folder.iac, run_checks=run_checks, arch=model.proposed, waves=model.migration)
