"""`awsassess demo` end to end into a temp folder: real moto server, collection over HTTP, papermill
kernels, Graphviz, nbconvert and headless Chromium. The most important test of the suite."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from awsassess.demo.estate import ACCOUNTS, expected_counts
from awsassess.layout import PROGRESS_NOTEBOOK
from awsassess.snapshot import Snapshot
from paths import REPO

# 95_progress runs only for an account verified against a baseline run (tests/demo/test_demo_after.py)
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb") if p.stem != PROGRESS_NOTEBOOK)


@pytest.fixture(scope="module")
def demo_run(demo_cli_run: tuple[Path, subprocess.CompletedProcess[str]]) -> tuple[Path, subprocess.CompletedProcess[str]]:
    return demo_cli_run  # one demo per session (tests/conftest.py), shared with tests/demo/test_demo_after.py


@pytest.mark.slow
def test_demo_exits_0_and_says_where_the_reports_are(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, proc = demo_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    for spec in ACCOUNTS:
        assert spec.name in proc.stdout
    assert "report" in proc.stdout and "portfolio" in proc.stdout


@pytest.mark.slow
def test_run_json_records_every_account_and_step(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = demo_run
    run = json.loads((out / "run.json").read_text())
    assert {a["name"] for a in run["accounts"]} == {s.name for s in ACCOUNTS}
    for acct in run["accounts"]:
        assert acct["status"] == "ok", acct
        steps = {s["step"] for s in acct["steps"]}
        assert {"collect", "analyze", "report"} <= steps
        assert all(s["status"] == "ok" for s in acct["steps"]), acct["steps"]


@pytest.mark.slow
@pytest.mark.parametrize("spec", ACCOUNTS, ids=lambda s: s.name)
def test_each_account_has_snapshot_outputs_and_reports(
        demo_run: tuple[Path, subprocess.CompletedProcess[str]], spec) -> None:  # noqa: ANN001
    out, _ = demo_run
    d = out / spec.name
    snap = Snapshot.load(d / "snapshot")
    assert snap.account_id == spec.account_id
    want = expected_counts(spec)
    vpcs = snap.table("vpcs")
    assert len(vpcs[~vpcs["is_default"].astype(bool)]) == want["vpcs"]
    assert len(snap.table("nat_gateways")) == want["nat_gateways"]
    assert len(snap.table("load_balancers")) == want["load_balancers"]
    assert len(snap.table("ecs_services")) == want["ecs_services"]
    for name in ("findings.json", "findings.csv", "costs.csv", "report.html", "report.pdf",
                 "diagrams/current.png", "diagrams/current.svg", "diagrams/proposed.png", "diagrams/proposed.svg"):
        assert (d / name).is_file() and (d / name).stat().st_size > 0, name
    executed = sorted(p.stem for p in (d / "notebooks").glob("*.ipynb"))
    assert executed == NOTEBOOKS
    costs = pd.read_csv(d / "costs.csv")
    assert set(costs["scenario"]) == {"current", "proposed"}
    assert (d / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_portfolio_links_both_accounts(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = demo_run
    html = (out / "portfolio.html").read_text()
    for spec in ACCOUNTS:
        assert f"{spec.name}/report.html" in html
    assert (out / "portfolio.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
@pytest.mark.parametrize("spec", ACCOUNTS, ids=lambda s: s.name)
def test_executed_notebooks_show_tables_charts_and_keep_report_tags(
        demo_run: tuple[Path, subprocess.CompletedProcess[str]], spec) -> None:  # noqa: ANN001
    out, _ = demo_run
    for path in sorted((out / spec.name / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        outputs = [o for c in code for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"], path.name
        assert any("text/html" in o.get("data", {}) for o in outputs), f"{path.name}: no table"
        if path.stem != "90_appendix":  # a chart or diagram: a PNG output, or a PNG inlined in an HTML layout
            assert any("image/png" in o.get("data", {}) or "data:image/png;base64," in str(o.get("data", {}))
                       for o in outputs), f"{path.name}: no static chart"
        tags = [c["metadata"].get("tags", []) for c in code]
        assert "parameters" in tags[0], path.name
        assert any("remove-cell" in t for t in tags) and any("remove-input" in t for t in tags), path.name
