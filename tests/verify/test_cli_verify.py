"""`awsassess verify BEFORE AFTER` in process (typer's CliRunner) on generated account and run folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsassess.cli import app
from demo_snapshots import demo_model, demo_snapshot
from migrated import migrate
from test_verify import _folder
from typer.testing import CliRunner

pytestmark = pytest.mark.heavy  # the CLI on analysed run folders (and a kernel, a PDF): not in make test-fast

WIDE = {"COLUMNS": "250"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runs")
    _folder(root / "jan", "fintech-production", demo_snapshot("production"))
    _folder(root / "jan", "fintech-staging", demo_snapshot("staging"), analysed=False)
    _folder(root / "jun", "fintech-production", migrate(demo_snapshot("production"), demo_model("production"), 2))
    return root / "jan", root / "jun"


def test_verify_two_runs_writes_progress_for_the_accounts_in_both(runs: tuple[Path, Path]) -> None:
    jan, jun = runs
    res = CliRunner().invoke(app, ["verify", str(jan), str(jun)], env=WIDE)
    assert res.exit_code == 0, res.output
    assert "not compared: fintech-staging: only in" in res.output
    assert "2 of 7" in res.output
    data = json.loads((jun / "fintech-production" / "progress.json").read_text())
    assert [w["status"] for w in data["waves"]][:3] == ["done", "done", "not started"]
    assert not (jun / "fintech-production" / "report.html").exists()  # no executed notebooks: no report


def test_verify_two_accounts_is_bad_input(runs: tuple[Path, Path]) -> None:
    jan, jun = runs
    res = CliRunner().invoke(app, ["verify", str(jan / "fintech-staging"), str(jun / "fintech-production")], env=WIDE)
    assert res.exit_code == 2
    assert "account 111111111111" in res.output and "Fix:" in res.output


def test_verify_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["verify", str(tmp_path / "nope"), str(tmp_path)], env=WIDE)
    assert res.exit_code == 2 and "no such folder" in res.output


@pytest.mark.heavy  # a kernel, nbconvert and a PDF
def test_verify_adds_the_progress_section_to_the_report(tmp_path: Path) -> None:
    jan = tmp_path / "jan"
    _folder(jan, "fintech-production", demo_snapshot("production"))
    after = _folder(tmp_path / "jun", "fintech-production",
                    migrate(demo_snapshot("production"), demo_model("production"), 2))
    after.notebooks.mkdir()  # an assessed account: its executed notebooks live here
    res = CliRunner().invoke(app, ["verify", str(jan / "fintech-production"), str(after.path)], env=WIDE)
    assert res.exit_code == 0, res.output
    html = after.report_html.read_text()
    assert "Progress against the plan" in html and "2 of 7 migration waves done" in html
    assert "promised saving banked" in html
    # right after the executive summary, before the first domain
    assert html.index("Progress against the plan") < html.index("Networking")
    assert after.report_pdf.stat().st_size > 10_000
