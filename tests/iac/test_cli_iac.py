"""`awsassess iac DIR/<account>`: in process (typer's CliRunner), on account folders holding a saved snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsassess.cli import app
from awsassess.iac.check import CheckResult
from iac_helpers import add_network, add_pipeline, add_services, skipped_checkov
from snapshots_factory import SnapshotBuilder
from typer.testing import CliRunner

pytestmark = pytest.mark.heavy  # the command runs every checker (processes): not in make test-fast

WIDE = {"COLUMNS": "1000"}  # Rich wraps at the terminal width; the check lines are long (xdist paths longer)


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An account folder holding a saved snapshot: two services, a pipeline, an RDS instance."""
    monkeypatch.setattr("awsassess.iac.check.check_checkov", skipped_checkov)  # ~3 s, run by test_kit_demo
    b = SnapshotBuilder(environment="production", name="acct")
    add_services(b, ["web", "api"], vpc="vpc-0c11", subnets=add_network(b, "vpc-0c11", "cli"))
    add_pipeline(b, "web")
    b.add("db_instances", db_instance_id="acct-db", engine="postgres", engine_version="15.4",
          instance_class="db.m5.large", multi_az=False, storage_type="gp2", allocated_gb=50,
          publicly_accessible=False, status="available", cluster_id="")
    b.build().save(tmp_path / "acct" / "snapshot")
    return tmp_path / "acct"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's console at a fixed width: COLUMNS is read when the console is made, which may be before
    the runner sets it (under pytest-xdist it is)."""
    from rich.console import Console

    monkeypatch.setattr("awsassess.cli.out", Console(markup=False, highlight=False, width=1000))


def test_iac_writes_the_kit_and_prints_every_check(account: Path) -> None:
    result = CliRunner().invoke(app, ["iac", str(account)], env=WIDE)
    assert result.exit_code == 0, result.output
    iac = account / "iac"
    assert (iac / "README.md").is_file() and (iac / "terraform" / "services.tf").is_file()
    assert sorted(p.name for p in (iac / "github-actions").glob("*.yml")) == ["deploy-api.yml", "deploy-web.yml"]
    checks = json.loads((iac / "checks.json").read_text())
    assert len(checks) == 8 and {c["status"] for c in checks} <= {"ok", "not installed"}
    lines = result.stdout.splitlines()
    files = [p for p in iac.rglob("*") if p.is_file() and p.name != "checks.json"]
    assert lines[0].startswith(f"acct: {len(files)} files in {iac}, ")
    assert "1 imports, 2 workflows" in lines[0]
    for c in checks:
        assert any(line.strip().startswith(c["status"]) and c["check"] in line for line in lines), c
    assert "Exit kit" in (iac / "README.md").read_text()


def test_iac_exits_1_when_a_check_fails(account: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("awsassess.iac.check.check_zizmor",
                        lambda wf: CheckResult("zizmor (offline)", "failed", ["deploy-web.yml planted"]))
    result = CliRunner().invoke(app, ["iac", str(account)], env=WIDE)
    assert result.exit_code == 1, result.output
    assert any("failed" in line and "github-actions: zizmor (offline)" in line and "deploy-web.yml planted" in line
               for line in result.stdout.splitlines())
    assert (account / "iac" / "README.md").is_file()  # the kit is written, with its failed check
    assert "| github-actions: zizmor (offline) | failed |" in (account / "iac" / "README.md").read_text()


def test_iac_no_checks(account: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(iac_dir: Path) -> list[CheckResult]:
        raise AssertionError("--no-checks ran the checks")

    monkeypatch.setattr("awsassess.iac.check.check_kit", never)
    result = CliRunner().invoke(app, ["iac", str(account), "--no-checks"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert json.loads((account / "iac" / "checks.json").read_text()) == []
    assert (account / "iac" / "terraform" / "versions.tf").is_file()


@pytest.mark.parametrize("exists", [True, False], ids=["empty-folder", "no-folder"])
def test_iac_without_a_snapshot_exits_2_naming_the_folder_and_the_fix(tmp_path: Path, exists: bool) -> None:
    folder = tmp_path / "nosnap"
    if exists:
        folder.mkdir()
    result = CliRunner().invoke(app, ["iac", str(folder)], env=WIDE)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert message.startswith("error:") and str(folder) in message, message
    assert "Fix:" in message and "collect" in message, message
    assert not (folder / "iac").exists()
    assert "Traceback" not in result.output
