"""Packaging and set-up: environment.yml mirrors pyproject.toml; bootstrap is idempotent; layout is as documented."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet
from paths import REPO

ROOT = REPO


def test_environment_yml_in_sync_with_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python="))
    assert SpecifierSet(project["requires-python"]).contains(python.split("=", 1)[1] + ".0")
    assert "graphviz" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    # the conda env installs exactly the lock (hash-checked), as make setup does; nothing pinned twice
    assert pip_section == ["--require-hashes", "--no-deps", "-r requirements.lock"]
    assert "dev" in project["optional-dependencies"]
    conda_names = {d.split("=")[0] for d in deps if isinstance(d, str)}
    pip_names = {r.split(">")[0].split("=")[0].split("[")[0].lower() for r in project["dependencies"]}
    assert not (conda_names - {"python", "pip", "graphviz"}) & pip_names, "a package is declared in both files"


def test_layout_and_ci_entry() -> None:
    for path in ("notebooks", "lib/awsassess", "params", "outputs/.gitkeep", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", "tests", "benchmarks", ".ci/run"):
        assert (ROOT / path).exists(), path
    assert "make test" in (ROOT / ".ci/run").read_text()
    readme_top = "\n".join((ROOT / "README.md").read_text().splitlines()[:25])
    assert "make demo" in readme_top and "make test" in readme_top and "outputs/demo" in readme_top
    ignored = (ROOT / ".gitignore").read_text()
    assert "outputs/*" in ignored and "!outputs/.gitkeep" in ignored


def test_bootstrap_second_run_installs_nothing() -> None:
    first = subprocess.run(["bash", "scripts/bootstrap.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(["bash", "scripts/bootstrap.sh"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    assert "installing" not in second.stdout


def test_console_script_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "awsassess.cli", "--version"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("awsassess ")


def test_bootstrap_without_apt_prints_what_to_install(tmp_path: Path) -> None:
    # a PATH with no dot, no chromium, no pdftotext and no apt-get: as on a non-Debian machine
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("id", "cat", "sha256sum", "cut"):
        (bin_dir / tool).symlink_to(subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip())
    proc = subprocess.run(["/bin/bash", "scripts/bootstrap.sh"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert proc.returncode == 1
    assert "missing system packages: graphviz chromium poppler-utils" in proc.stderr
    assert "sudo apt-get install -y graphviz chromium poppler-utils" in proc.stderr
    assert "brew install graphviz" in proc.stderr
