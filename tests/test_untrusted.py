"""Untrusted data stays data: names read back from run.json, reserved account names, the logo's type."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from awsassess.params import ParamsError, account_folder, load_params_file


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awsassess.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=180)


def test_a_traversing_account_name_in_run_json_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    victim = tmp_path / "victim" / "acme-prod"
    victim.mkdir(parents=True)
    (victim / "report.html").write_text("the real report")
    run_dir = tmp_path / "run"
    (run_dir / "good" / "notebooks").mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"accounts": [{"name": "good"}, {"name": "../victim/acme-prod"}]}))
    r = _cli(tmp_path, "report", str(run_dir))
    assert r.returncode == 2 and "account name" in r.stderr and "Traceback" not in r.stderr
    assert (victim / "report.html").read_text() == "the real report"
    assert not (run_dir / "portfolio.html").exists()


@pytest.mark.parametrize("name", ["../x", "a/b", "/etc", "..", "logs", "params", "UPPER", ""])
def test_names_from_a_file_are_validated_like_params_names(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        account_folder(tmp_path, name)


def test_an_account_folder_that_is_a_link_out_of_the_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "acme").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="outside the run folder"):
        account_folder(run_dir, "acme")


@pytest.mark.parametrize("name", ["logs", "params"])
def test_reserved_account_names_are_bad_input(name: str, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(f'name: {name}\naccount_id: "123456789012"\nregions: [us-east-1]\n')
    with pytest.raises(ParamsError, match="folder every run keeps"):
        load_params_file(path)
