"""A read that goes wrong is shown where the reader looks, and the run says so.

The simulated estate answers every CodePipeline ListPipelineExecutions with HTTP 500 (a fault rule in
its front door). A real batch run of the production account (collect over HTTP, analyze, the
executive summary and pipelines notebooks in a real kernel, the report through nbconvert) must:
exit 1, mark the account ``partial`` in run.json, keep everything else complete, and say in the
pipelines section and in the executive summary's banner that the operation could not be read,
naming it; rules that read the pipeline tables are withheld as not assessed, never concluding.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from awsassess.demo import Estate
from awsassess.demo.estate import ACCOUNTS
from paths import REPO

ROOT = REPO


@pytest.mark.slow
def test_an_operation_failing_with_500_leaves_a_partial_account_with_a_complete_report(
        fresh_faults: Estate, tmp_path: Path) -> None:
    from awsassess.batch import run_batch
    from awsassess.demo_run import write_demo_params
    from awsassess.findings import REGISTRY
    from awsassess.params import load_params_files
    from awsassess.snapshot import Snapshot

    production = next(s for s in ACCOUNTS if s.environment == "production")
    params = next(p for p in load_params_files(write_demo_params(fresh_faults.endpoint_url, tmp_path / "params"))
                  if p.name == production.name)
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for stem in ("00_summary", "30_pipelines"):
        shutil.copy(ROOT / "notebooks" / f"{stem}.ipynb", nb_dir / f"{stem}.ipynb")
    fresh_faults.set_faults([{"service": "codepipeline", "operation": "ListPipelineExecutions",
                              "code": "InternalError", "status": 500, "message": "simulated outage"}])

    out = tmp_path / "out"
    result = run_batch([params], out, jobs=2, notebooks_dir=nb_dir, progress=False)

    assert result.exit_code == 1
    run = json.loads((out / "run.json").read_text())
    acct = run["accounts"][0]
    summary = {s["step"]: (s["status"], (s.get("error") or {}).get("message", "")[:300]) for s in acct["steps"]}
    assert acct["status"] == "partial" and run["status"] == "partial", (summary, run["steps"])
    steps = {s["step"]: s for s in acct["steps"]}
    assert all(s["status"] == "ok" for s in steps.values()), steps  # everything else completed
    assert any("codepipeline:ListPipelineExecutions" in p for p in steps["collect"]["problems"])

    snap = Snapshot.load(out / params.name / "snapshot")
    assert snap.manifest["coverage"]["errors"], "the 500s are errors, not gaps"
    withheld = [rid for rid, spec in REGISTRY.items() if "pipeline_executions" in spec.tables]
    assert withheld
    findings = json.loads((out / params.name / "findings.json").read_text())
    assert not [f for f in findings if f["rule_id"] in withheld], "a rule concluded from unread data"

    # break hints (<wbr>, written <wbr/>) sit inside long names: read the text as the reader sees it
    report = re.sub(r"<wbr\s*/?>", "", (out / params.name / "report.html").read_text())
    assert "could not be read" in report and "codepipeline:ListPipelineExecutions" in report
    assert "This assessment is partial" in report  # the executive summary's banner
    assert "not assessed" in report
    assert "No pipelines in this snapshot" not in report


def test_an_empty_table_of_an_unread_domain_says_could_not_be_read_not_none() -> None:
    """With ECS denied, the compute view said 'No ECS services in this snapshot.'"""
    from awsassess.views import compute
    from snapshots_factory import SnapshotBuilder

    b = SnapshotBuilder()
    b.add("coverage", service="ecs", operation="ListClusters", region="us-east-1", status="access_denied",
          message="AccessDeniedException: not authorized", calls=1, items=0, duration_s=0.1)
    note = compute.inventory(b.build())
    assert "could not be read" in repr(note) and "No ECS services" not in repr(note)
    assert "No ECS services" in repr(compute.inventory(SnapshotBuilder().build()))
